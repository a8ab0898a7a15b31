"""Files read in chunks give the same findings as files read whole.

``validate`` reads a CSV file larger than the chunk size in chunks
(:mod:`kachin_events.validation.chunked`). Run with chunks of a few hundred bytes, every
fixture is a file of many chunks: its findings (file, row, field, rule, severity,
message) and exit status must be those of the whole read; so must those of generated
files with an injected error of every rule, with records straddling the chunk
boundaries. The chunk reader itself is checked against the whole-file reader on
generated CSV text, and each rule's ``reads`` declaration against what its check reads.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kachin_events import validate
from kachin_events.validation.csvfile import csv_chunks, read_csv_text
from kachin_events.validation.read import UnreadableError

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
PACKAGE = REPO / "datapackage.json"
TODAY = dt.date(2026, 11, 22)
TINY = 0.0003  # MB: a few records per chunk


def fixtures():
    out = [PACKAGE]
    for kind in ("valid", "invalid", "warning"):
        out += sorted((HERE / "data" / kind).iterdir())
    return out


def everything(report):
    return sorted(((f.file, f.row or 0, f.field or "", f.rule, f.severity, f.message) for f in report.findings),
                  key=str)


def both(path, chunk=TINY, **kw):
    reference = None if Path(path).name == "datapackage.json" else PACKAGE
    whole = validate(path, today=TODAY, reference=reference, frictionless_rows=0, chunk_mb=10**6, **kw)
    chunked = validate(path, today=TODAY, reference=reference, frictionless_rows=0, chunk_mb=chunk, **kw)
    return whole, chunked


@pytest.mark.parametrize("path", fixtures(), ids=lambda p: p.parent.name + "/" + p.name)
def test_fixture_findings_are_the_same_read_in_chunks(path):
    whole, chunked = both(path)
    assert everything(chunked) == everything(whole)
    assert chunked.exit_code == whole.exit_code
    large = [p for p in ([path] if path.is_file() else path.rglob("*")) if p.suffix == ".csv"
             and p.stat().st_size > TINY * 1e6]
    if path.name != "datapackage.json" and large:
        assert any("read in chunks" in n for n in chunked.notes)  # and says so
    assert not any("read in chunks" in n for n in whole.notes)


def test_the_repository_package_is_read_in_chunks_the_same(tmp_path):
    whole, chunked = both(PACKAGE, chunk=0.002)
    assert chunked.valid and everything(chunked) == everything(whole)
    assert "data/locations.csv" in chunked.notes[-1]


@pytest.fixture()
def injected(tmp_path_factory, monkeypatch):
    """A submission of 1,200 events with an error of every rule (benchmarks/inject_files.py)."""
    import importlib

    monkeypatch.syspath_prepend(str(REPO / "benchmarks"))
    for name in ("synthetic", "inject", "inject_files"):
        monkeypatch.delitem(sys.modules, name, raising=False)
    inject, files = importlib.import_module("inject"), importlib.import_module("inject_files")
    folder = tmp_path_factory.mktemp("injected")
    sc = inject.load_scenario()
    # Blocks of 64 kB: errors are put in records that straddle a block's end, which
    # is where a chunk of the same size ends too.
    manifest = files.write_submission(folder, 1200, sc, block=64_000)
    yield folder, manifest, sc
    for name in ("synthetic", "inject", "inject_files"):
        sys.modules.pop(name, None)


def test_injected_errors_are_found_the_same_read_in_chunks(injected):
    folder, manifest, sc = injected
    files = [folder / "events.csv", folder / "event_sources.csv"]
    whole = validate(*files, today=sc.today, frictionless_rows=0, chunk_mb=10**6)
    chunked = validate(*files, today=sc.today, frictionless_rows=0, chunk_mb=0.064)
    assert everything(chunked) == everything(whole)
    got = {(Path(f.file).name, f.row, f.field, f.rule) for f in chunked.findings}
    wanted = {(e["file"], e["line"], e["field"], e["rule"]) for e in manifest["expected"]}
    assert wanted <= got, sorted(wanted - got, key=str)[:5]
    assert {e["rule"] for e in manifest["expected"]} >= {"primary-key", "foreign-key", "possible-duplicate",
                                                         "event-has-source"}


def test_chunk_size_from_the_environment(monkeypatch, tmp_path):
    from kachin_events.validation.chunked import CHUNK_MB, chunk_bytes

    monkeypatch.setenv("KACHIN_EVENTS_CHUNK_MB", "0.25")
    assert chunk_bytes() == 250_000
    monkeypatch.setenv("KACHIN_EVENTS_CHUNK_MB", "lots")
    assert chunk_bytes() == CHUNK_MB * 1_000_000
    assert chunk_bytes(2) == 2_000_000


def test_cli_chunk_option(tmp_path):
    from click.testing import CliRunner

    from kachin_events.cli import cli

    folder = HERE / "data" / "invalid" / "primary-key__event_id_twice"
    args = ["validate", str(folder), "--today", TODAY.isoformat(), "--format", "json"]
    whole = CliRunner().invoke(cli, args)
    chunked = CliRunner().invoke(cli, args + ["--chunk-mb", str(TINY)])
    assert whole.exit_code == chunked.exit_code == 1
    import json

    a, b = json.loads(whole.output), json.loads(chunked.output)
    assert a["errors"] == b["errors"] and "read in chunks" in " ".join(b.get("notes", []))


# -- the chunk reader ------------------------------------------------------------------------
cell = st.one_of(st.just(""), st.text(alphabet='ab ,"\n\r\u1000', max_size=8))
record = st.lists(cell, min_size=3, max_size=3)


def _csv(rows, crlf: bool) -> bytes:
    import csv
    import io

    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n" if crlf else "\n").writerows(rows)
    return out.getvalue().encode("utf-8")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.one_of(record, st.just([])), min_size=1, max_size=25), crlf=st.booleans(),
       size=st.integers(min_value=1, max_value=200))
def test_chunks_read_as_the_whole_file(tmp_path, rows, crlf, size):
    import polars as pl

    path = tmp_path / "t.csv"
    path.write_bytes(_csv([["a", "b", "c"], *rows], crlf))
    try:
        whole = read_csv_text(path, "t.csv")
    except UnreadableError:
        with pytest.raises(UnreadableError):
            list(csv_chunks(path, "t.csv", size))
        return
    parts = list(csv_chunks(path, "t.csv", size))
    assert all(p.header == whole.header for p in parts)
    frame = pl.concat([p.frame for p in parts])
    assert frame.to_dicts() == whole.frame.to_dicts()
    assert [x for p in parts for x in p.lines.to_list()] == whole.lines.to_list()
    assert [x for p in parts for x in p.blank_lines] == whole.blank_lines


@pytest.mark.parametrize("last, where", [(b"200,caf\xe9,y\n", "line 202"),  # not UTF-8
                                          (b'200,"x"y,z\n201,a,b\n', "near line 202")])  # broken quoting
def test_an_error_in_a_later_chunk_is_placed_in_the_file(tmp_path, last, where):
    path = tmp_path / "events.csv"
    body = b"".join(b"%d,x,y\n" % i for i in range(200))
    path.write_bytes(b"a,b,c\n" + body + last)
    with pytest.raises(UnreadableError) as whole:
        read_csv_text(path, "events.csv")
    with pytest.raises(UnreadableError) as chunked:
        list(csv_chunks(path, "events.csv", 100))
    assert where in whole.value.message
    assert chunked.value.message == whole.value.message


# -- what the rules declare they read --------------------------------------------------------
def test_each_rule_reads_only_what_it_declares(injected):
    """A check given only the declared tables and fields answers as with every table."""
    from kachin_events.rules import RULES, Context
    from kachin_events.schema import TABLES
    from kachin_events.validation.api import coerce_tables, read_contribution
    from kachin_events.validation.findings import Report

    folder, _, sc = injected
    tables, present = read_contribution([folder / "events.csv", folder / "event_sources.csv"], Report())
    typed, _ = coerce_tables(tables, Report())
    full = Context(tables=typed, present=present, today=sc.today)
    failing = 0
    for rule in RULES:
        if rule.check is None:
            continue
        reads = dict(rule.reads)
        # The check's own table is there (its frame), with only what the rule declares of it.
        limited = {t: typed[t].select(list(reads[t])) for t in TABLES if t in reads}
        ctx = Context(tables=limited, present=present, today=sc.today)
        frame = typed[rule.table]
        want = rule.check(frame, full)
        assert rule.check(frame, ctx).to_list() == want.to_list(), rule.id
        if rule.detail is not None:
            assert rule.detail(frame, ctx).to_list() == rule.detail(frame, full).to_list(), rule.id
        failing += int((~want.fill_null(True)).sum() > 0)
    assert failing >= 15  # the injected data breaks most rules: the comparison means something
