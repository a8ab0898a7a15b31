"""Fuzzing: generated malformed files of every format keep the contract, never a traceback or a hang.

Each class of input in :data:`cases.bad_input.FUZZ_CLASSES` has a hypothesis strategy
here; every generated file (or folder of files) is validated twice, by the library's
``validate()`` and by ``kachin-events validate`` through click's ``CliRunner`` in a
random ``--format``, and both must keep the contract of :mod:`cases.contract`: exit
status 0, 1 or 2 as the findings call for, a message naming the file for 2, no exception
and no traceback, each run within :data:`CASE_SECONDS` (a run still going then is a
hang; it is timed in a thread, so a hang in native code is caught too).

The whole module runs in about a minute. ``FUZZ_EXAMPLES=200`` runs that many examples
of each class instead (``FUZZ_CASE_SECONDS`` changes the time bound). Where atheris
installs, :func:`test_atheris_finds_nothing` also runs the coverage-guided fuzzer
(``tests/cases/atheris_target.py``) for ``FUZZ_ATHERIS_RUNS`` inputs.

Inputs that once broke the contract are kept in :data:`cases.bad_input.REGRESSIONS`
and run by :func:`test_regression`.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import subprocess
import sys
import threading
import zipfile
from functools import lru_cache
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cases.bad_input import FUZZ_CLASSES, REGRESSIONS, check_case, run_cli
from cases.contract import check_cli, check_report
from kachin_events import validate
from kachin_events.cli import cli
from kachin_events.cli._group import FORMATS
from kachin_events.schema import TABLES, get_schema

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"
BASIC = DATA / "valid" / "basic"
TODAY = dt.date(2026, 11, 22)

#: Examples of each class of input (environment variable FUZZ_EXAMPLES).
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES") or 8)
#: Seconds one validation may take before it counts as a hang (FUZZ_CASE_SECONDS).
CASE_SECONDS = float(os.environ.get("FUZZ_CASE_SECONDS") or 60)
FIELDS = [f for t in TABLES for f in get_schema(t).field_names]

# -- running one case ------------------------------------------------------------------


def bounded(fn, seconds: float = CASE_SECONDS):
    """``fn()``, run in a thread that must finish within ``seconds``; else a hang is reported."""
    box: dict = {}

    def run():
        try:
            box["value"] = fn()
        except BaseException as exc:  # noqa: BLE001 - re-raised below, in the test's thread
            box["error"] = exc

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(seconds)
    if worker.is_alive():
        raise AssertionError(f"still running after {seconds:g} s: a hang")
    if "error" in box:
        raise box["error"]
    return box["value"]


def run_case(folder: Path, files: dict[str, bytes], fmt: str, whole_folder: bool = False,
             chunk_mb: float | None = None) -> int:
    """Write ``files`` into ``folder``, validate them both ways; the exit status.

    With ``chunk_mb``, CSV files larger than that are read in chunks (a few hundred
    bytes: the chunked reader gets the malformed files too).
    """
    for name, data in files.items():
        (folder / name).write_bytes(data)
    targets = [folder] if whole_folder else [folder / name for name in files]
    names = [folder.name] if whole_folder else list(files)
    report = bounded(lambda: validate(*targets, today=TODAY, chunk_mb=chunk_mb))
    check_report(report, names)
    args = ["validate", *map(str, targets), "--format", fmt, "--today", TODAY.isoformat()]
    args += ["--chunk-mb", str(chunk_mb)] if chunk_mb else []
    result = bounded(lambda: CliRunner().invoke(cli, args))
    assert check_cli(result, fmt, names) == report.exit_code, result.output[-2000:]
    return report.exit_code


# -- material ------------------------------------------------------------------------------

VALID_CSV = (BASIC / "events.csv").read_bytes()
VALID_SOURCES_CSV = (BASIC / "event_sources.csv").read_bytes()
VALID_JSON = (DATA / "valid" / "events_and_sources.json").read_bytes()
#: Bytes worth inserting: the ones parsers trip on.
NASTY = [b"\x00", b'"', b",", b"\r", b"\n", b"\r\n", b"\xff", b"\xef\xbb\xbf", b"\xe1\x80", b";", b"\t", b"=",
         b"\\", b"{", b"}", b"[", b"]", b":", b"<", b"PK\x03\x04", b"\xfe\xff", b"\xc0\x80", b'""', b"9" * 30]


@lru_cache(maxsize=None)
def valid_xlsx() -> bytes:
    """The basic fixture as a workbook: an events sheet and an event_sources sheet."""
    import csv

    import openpyxl

    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, data in (("events", VALID_CSV), ("event_sources", VALID_SOURCES_CSV)):
        ws = wb.create_sheet(name)
        for row in csv.reader(io.StringIO(data.decode("utf-8"), newline="")):
            ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def xlsx_parts() -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(valid_xlsx())) as z:
        return {name: z.read(name) for name in z.namelist()}


def zipped(parts: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)
    return out.getvalue()


@st.composite
def mutated(draw, data: bytes, most: int = 8):
    """``data`` with a few bytes flipped, inserted, deleted, duplicated, or cut short."""
    out = bytearray(data)
    for _ in range(draw(st.integers(1, most))):
        at = int(draw(st.floats(0, 1)) * len(out))
        op = draw(st.sampled_from(["flip", "insert", "delete", "duplicate", "truncate"]))
        if op == "flip" and out:
            out[min(at, len(out) - 1)] = draw(st.integers(0, 255))
        elif op == "insert":
            out[at:at] = draw(st.sampled_from(NASTY) | st.binary(min_size=1, max_size=8))
        elif op == "delete":
            del out[at:at + draw(st.integers(1, 64))]
        elif op == "duplicate":
            out[at:at] = out[at:at + draw(st.integers(1, 200))]
        elif op == "truncate":
            del out[at:]
    return bytes(out)


# -- CSV -------------------------------------------------------------------------------------

CELL = (st.text(max_size=12) | st.sampled_from(["", " ", '"', '""', "=1+1", "@SUM(A1)", "-", "\x00", "\r", "\n",
                                                "KE000001", "2026-02-30", "46085", "NaN", "1e999", "\u200b",
                                                "\u1031\u1000", "x" * 3000]))


def csv_line(cells, quote: bool) -> str:
    if not quote:
        return ",".join(cells)
    return ",".join('"' + c.replace('"', '""') + '"' for c in cells)


@st.composite
def csv_encoded(draw):
    text = VALID_CSV.decode("utf-8").replace("two-day clash", draw(st.text(min_size=1, max_size=40)))
    enc = draw(st.sampled_from(["utf-16", "utf-16-le", "utf-16-be", "utf-32", "cp1252", "latin-1", "shift_jis",
                                "gb18030", "koi8-r", "mac-roman", "utf-7", "cp037", "big5", "iso-8859-7"]))
    data = text.encode(enc, errors="replace")
    return data[:-1] if draw(st.booleans()) else data  # an odd-length UTF-16 file too


@st.composite
def csv_quoting(draw):
    """The basic events with cells holding quotes, NULs and line breaks, quoted or not, at random."""
    lines = VALID_CSV.decode("utf-8").splitlines()
    header, rows = lines[0].split(","), [ln.split(",") for ln in lines[1:2]] * draw(st.integers(1, 4))
    out = [csv_line(header, draw(st.booleans()))]
    for row in rows:
        row = list(row)
        for _ in range(draw(st.integers(1, 5))):
            i = draw(st.integers(0, len(row) - 1))
            row[i] = row[i] + draw(st.sampled_from(['"', '""', "\x00", "\r", "\n", '"x"y', ',"', "\r\n"]))
        out.append(csv_line(row, draw(st.booleans())))
    return draw(st.sampled_from(["\n", "\r\n", "\r"])).join(out).encode("utf-8")


HEADER_NAME = (st.sampled_from(FIELDS) | st.sampled_from(FIELDS).map(str.upper)
               | st.sampled_from(FIELDS).map(lambda s: f" {s}\u00a0") | st.sampled_from(["", " ", "=cmd", "a\nb"])
               | st.text(max_size=20) | st.integers(10, 20_000).map(lambda n: "h" * n))


@st.composite
def csv_odd_header(draw):
    n = draw(st.sampled_from([0, 1, 2, 22, 499, 500, 501, 700]) | st.integers(0, 40))
    header = draw(st.lists(HEADER_NAME, min_size=n, max_size=n))
    rows = draw(st.lists(st.lists(CELL, max_size=30), max_size=3))
    lines = [csv_line(header, draw(st.booleans()))] + [csv_line(r, True) for r in rows]
    prefix = draw(st.sampled_from([b"", b"\xef\xbb\xbf", b"Kachin events, a title\n", b"\n\n"]))
    return prefix + "\n".join(lines).encode("utf-8", errors="surrogatepass")


@st.composite
def csv_grid(draw):
    """Ragged rows of nasty cells under the real header or none, with blank lines and mixed line ends."""
    header = get_schema(draw(st.sampled_from(TABLES))).field_names if draw(st.booleans()) else []
    rows = draw(st.lists(st.lists(CELL, max_size=len(header) + 3), max_size=8))
    lines = ([csv_line(header, False)] if header else []) + [csv_line(r, draw(st.booleans())) for r in rows]
    ends = draw(st.lists(st.sampled_from(["\n", "\r\n", "\n\n", "\r"]), min_size=len(lines), max_size=len(lines)))
    return "".join(a + b for a, b in zip(lines, ends)).encode("utf-8", errors="surrogatepass")


# -- XLSX ------------------------------------------------------------------------------------

XML_CELL_TYPE = st.sampled_from([b"", b' t="s"', b' t="inlineStr"', b' t="e"', b' t="b"', b' t="str"', b' t="n"',
                                 b' t="d"', b' t="zz"'])
XML_VALUE = st.sampled_from([b"<v>0</v>", b"<v>1</v>", b"<v>99999</v>", b"<v>-1</v>", b"<v>1e308</v>",
                             b"<v>NaN</v>", b"<v>#N/A</v>", b"<v></v>", b"<is><t>event_id</t></is>",
                             b"<is><t>KE000001</t></is>", b"<f>SUM(A1)</f>", b"<f>A1</f><v>3</v>", b"",
                             b"<v>2026-02-04T00:00:00</v>", b"<v>&amp;&lt;</v>", b"<v>&bogus;</v>", b"<v>\x00</v>",
                             b"<v>4.5e-324</v>", b"<v>1e20</v>", b"<v>2958466</v>", b"<v>-693594</v>"])
COLUMN = st.sampled_from([b"A", b"B", b"Z", b"AA", b"XFD", b"XFE", b"ZZZZ", b"a", b""])
ROW = st.sampled_from([b"1", b"2", b"3", b"0", b"-1", b"1048576", b"1048577", b"99999999999", b""])


@st.composite
def sheet_xml(draw):
    cells = []
    for _ in range(draw(st.integers(0, 12))):
        ref = draw(COLUMN) + draw(ROW)
        place = b' r="' + ref + b'"' if draw(st.integers(0, 4)) else b""
        cells.append((draw(ROW), b"<c" + place + draw(XML_CELL_TYPE) + b">" + draw(XML_VALUE) + b"</c>"))
    rows = b"".join(b'<row r="' + r + b'">' + c + b"</row>" if r else b"<row>" + c + b"</row>" for r, c in cells)
    xml = (b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
           b'spreadsheetml/2006/main">' + draw(st.sampled_from([b"", b'<dimension ref="A1:XFD1048576"/>']))
           + b"<sheetData>" + rows + b"</sheetData></worksheet>")
    return xml[:int(draw(st.floats(0.5, 1)) * len(xml))] if draw(st.integers(0, 5)) == 0 else xml


@st.composite
def xlsx_random_sheet(draw):
    parts = xlsx_parts()
    parts["xl/worksheets/sheet1.xml"] = draw(sheet_xml())
    if draw(st.booleans()):
        parts["xl/sharedStrings.xml"] = draw(st.sampled_from([b"", b"<sst/>", b"<sst><si><t>x</t></si>"]))
    return zipped(parts)


@st.composite
def xlsx_parts_changed(draw):
    parts = xlsx_parts()
    for _ in range(draw(st.integers(1, 3))):
        name = draw(st.sampled_from(sorted(parts) + ["xl/vbaProject.bin", "xl/externalLinks/externalLink1.xml",
                                                     "xl/worksheets/sheet9.xml", "../../escape.xml"]))
        what = draw(st.sampled_from(["remove", "empty", "random", "mutate", "utf16"]))
        if what == "remove":
            parts.pop(name, None)
        elif what == "empty":
            parts[name] = b""
        elif what == "random":
            parts[name] = draw(st.binary(max_size=200))
        elif what == "mutate":
            parts[name] = draw(mutated(parts.get(name, b"<x/>"), 3))
        else:
            parts[name] = parts.get(name, b"<x/>").decode("utf-8", "replace").encode("utf-16")
    return zipped(parts)


# -- JSON ------------------------------------------------------------------------------------

JSON_SCALAR = (st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True, allow_infinity=True)
               | st.text(max_size=20) | st.sampled_from(FIELDS))
JSON_VALUE = st.recursive(JSON_SCALAR, lambda inner: st.lists(inner, max_size=4)
                          | st.dictionaries(st.text(max_size=8) | st.sampled_from(FIELDS), inner, max_size=4),
                          max_leaves=20)


def dumps(doc) -> bytes:
    return json.dumps(doc, ensure_ascii=False).encode("utf-8", errors="surrogatepass")


@st.composite
def json_deep(draw):
    depth = draw(st.integers(1, 200) | st.sampled_from([19, 20, 21, 999, 1000, 5000]))
    opener, closer = draw(st.sampled_from([("[", "]"), ('{"a":', "}")]))
    nest = opener * depth + "1" + closer * depth
    where = draw(st.sampled_from(["top", "value", "table"]))
    doc = {"top": nest, "value": '[{"event_id": "KE000001", "notes": ' + nest + "}]",
           "table": '{"events": ' + nest + "}"}[where]
    return doc.encode("utf-8")


@st.composite
def json_wrong_types(draw):
    record = st.dictionaries(st.sampled_from(FIELDS) | st.text(max_size=6), JSON_VALUE, max_size=8)
    records = draw(st.lists(record | JSON_SCALAR, max_size=5))
    shape = draw(st.sampled_from(["list", "tables", "scalar-tables"]))
    doc = (records if shape == "list" else {draw(st.sampled_from(TABLES)): records} if shape == "tables"
           else {draw(st.sampled_from(TABLES)): draw(JSON_SCALAR)})
    return dumps(doc)


@st.composite
def json_numbers(draw):
    """Numbers Python's parser reads differently: NaN, infinities, 5,000-digit integers, duplicated keys."""
    value = draw(st.sampled_from(["NaN", "Infinity", "-Infinity", "1e400", "-0", "1" * 5000, "0." + "1" * 5000,
                                  "1e-400", "12345678901234567890", "1.0", "true"]))
    key = draw(st.sampled_from(FIELDS))
    return (f'[{{"event_id": "KE000001", "{key}": {value}, "{key}": {value}}}]').encode("utf-8")


# -- every class ------------------------------------------------------------------------------

def one(suffix, strategy, stem=st.sampled_from(["events", "event_sources", "actors", "x"])):
    return st.builds(lambda s, data: {f"{s}{suffix}": data}, stem, strategy)


ANY_FILE = st.one_of(one(".csv", csv_grid()), one(".json", json_wrong_types()), one(".xlsx", xlsx_random_sheet()))

STRATEGIES = {
    "csv-random-bytes": one(".csv", st.binary(max_size=2000)),
    "csv-mutated": one(".csv", mutated(VALID_CSV)),
    "csv-encodings": one(".csv", csv_encoded()),
    "csv-quoting": one(".csv", csv_quoting()),
    "csv-odd-header": one(".csv", csv_odd_header()),
    "csv-ragged-grid": one(".csv", csv_grid()),
    "xlsx-random-bytes": one(".xlsx", st.binary(max_size=2000)),
    "xlsx-mutated-zip": one(".xlsx", st.deferred(lambda: mutated(valid_xlsx(), 4))),
    "xlsx-truncated": one(".xlsx", st.deferred(lambda: st.integers(0, len(valid_xlsx()) - 1).map(
        lambda n: valid_xlsx()[:n]))),
    "xlsx-random-sheet-xml": one(".xlsx", xlsx_random_sheet()),
    "xlsx-parts-changed": one(".xlsx", xlsx_parts_changed()),
    "json-random-structure": one(".json", JSON_VALUE.map(dumps)),
    "json-mutated": one(".json", mutated(VALID_JSON)),
    "json-deep": one(".json", json_deep()),
    "json-wrong-types": one(".json", json_wrong_types()),
    "json-numbers": one(".json", json_numbers()),
    "wrong-extension": st.builds(lambda f, suffix: {Path(next(iter(f))).stem + suffix: next(iter(f.values()))},
                                 ANY_FILE, st.sampled_from([".csv", ".json", ".xlsx", ".xlsm", ".txt", ".CSV"])),
    "submission-folder": st.lists(ANY_FILE, min_size=1, max_size=3).map(
        lambda fs: {f"{i}_{name}": data for i, f in enumerate(fs) for name, data in f.items()}),
}


def test_every_class_has_a_strategy():
    assert set(STRATEGIES) == set(FUZZ_CLASSES)


@pytest.mark.parametrize("name", sorted(STRATEGIES))
def test_fuzz(tmp_path_factory, name):
    @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=not os.environ.get("FUZZ_EXAMPLES"),
              suppress_health_check=list(HealthCheck))
    @given(files=STRATEGIES[name], fmt=st.sampled_from(FORMATS), chunk_mb=st.sampled_from([None, 0.0003]))
    def run(files, fmt, chunk_mb):
        folder = tmp_path_factory.mktemp("fuzz")
        run_case(folder, files, fmt, whole_folder=name == "submission-folder", chunk_mb=chunk_mb)

    run()


@pytest.mark.parametrize("case", REGRESSIONS, ids=lambda c: c.id)
@pytest.mark.parametrize("chunk_mb", [None, 0.0003])
def test_regression(tmp_path, case, chunk_mb):
    """Inputs that once broke the contract keep it, and have the outcome their case gives."""
    (tmp_path / "run").mkdir()
    assert run_case(tmp_path / "run", case.build(), "json", chunk_mb=chunk_mb) == case.exit_code
    (tmp_path / "cli").mkdir()
    check_case(case, *run_cli(case, tmp_path / "cli"))


def test_a_hang_is_caught():
    """The time bound works, even on a call that never returns to Python."""
    import time

    with pytest.raises(AssertionError, match="a hang"):
        bounded(lambda: time.sleep(5), seconds=0.2)


def test_atheris_finds_nothing(tmp_path):
    """Coverage-guided fuzzing of the reader and validator with atheris, where it installs."""
    pytest.importorskip("atheris", reason="atheris is not installed (pip install atheris)")
    runs = int(os.environ.get("FUZZ_ATHERIS_RUNS") or 60)
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for i, seed in enumerate([b"c" + VALID_CSV, b"j" + VALID_JSON, b"x" + valid_xlsx()]):
        (corpus / f"seed{i}").write_bytes(seed)
    target = HERE / "cases" / "atheris_target.py"
    proc = subprocess.run(
        [sys.executable, str(target), str(corpus), f"-runs={runs}", f"-timeout={int(CASE_SECONDS)}",
         "-rss_limit_mb=4096", f"-artifact_prefix={tmp_path}/", "-print_final_stats=1"],
        capture_output=True, text=True, timeout=CASE_SECONDS * 10, cwd=tmp_path,
        env={**os.environ, "FUZZ_TODAY": TODAY.isoformat()})
    crashes = sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(("crash-", "timeout-", "oom-")))
    assert proc.returncode == 0 and not crashes, (crashes, proc.stderr[-4000:])
    assert f"Done {runs} runs" in proc.stderr or "stat::number_of_executed_units" in proc.stderr, proc.stderr[-2000:]
