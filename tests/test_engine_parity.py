"""The columnar validator and frictionless agree: the same findings, whichever runs.

``validate`` checks every rule with column operations (pandera and joins); frictionless's
own cell-by-cell check is added for inputs up to a size limit. Run both ways on every
fixture and on generated files with injected errors, the findings (file, row, field,
rule) must be the same, and every finding of a rule frictionless knows must be one
frictionless makes on its own too.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kachin_events import validate
from kachin_events.validation.engines import run_frictionless
from kachin_events.schema import get_schema

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
PACKAGE = REPO / "datapackage.json"
TODAY = dt.date(2026, 11, 22)
# The rules frictionless itself can find: those its Table Schema constraints and keys state.
FRICTIONLESS_RULES = {"required", "enum", "pattern", "minimum", "maximum", "min-length", "unique",
                      "primary-key", "foreign-key"}


def fixtures():
    out = [PACKAGE]
    for kind in ("valid", "invalid", "warning"):
        out += sorted((HERE / "data" / kind).iterdir())
    return out


def keys(report):
    return sorted({(f.file, f.row, f.field, f.rule, f.severity) for f in report.findings}, key=str)


def both_ways(path, **kw):
    reference = None if Path(path).name == "datapackage.json" else PACKAGE
    columnar = validate(path, today=TODAY, reference=reference, frictionless_rows=0, keep_tables=True, **kw)
    with_fl = validate(path, today=TODAY, reference=reference, frictionless_rows=10**9, **kw)
    return columnar, with_fl


def frictionless_alone(report):
    """What frictionless finds on the tables the run read (the second opinion, unfiltered)."""
    from kachin_events.validation.coerce import coerce

    tables = report.tables
    skip = {t: coerce(raw, get_schema(t))[2] for t, raw in tables.items()}
    return {(f.file, f.row, f.field, f.rule) for f in run_frictionless(tables, skip)}


@pytest.mark.parametrize("path", fixtures(), ids=lambda p: p.parent.name + "/" + p.name)
def test_fixture_findings_are_the_same_with_and_without_frictionless(path):
    columnar, with_fl = both_ways(path)
    assert keys(columnar) == keys(with_fl)
    assert columnar.exit_code == with_fl.exit_code
    assert not with_fl.notes
    rows = sum(len(raw.select(raw.frame["__checked"])) for raw in (columnar.tables or {}).values() if len(raw))
    assert len(columnar.notes) == (rows > 0)  # the skip is said, in one line


@pytest.mark.parametrize("path", fixtures(), ids=lambda p: p.parent.name + "/" + p.name)
def test_frictionless_finds_every_finding_of_its_rules(path):
    columnar, _ = both_ways(path)
    if columnar.tables is None or columnar.unreadable:
        return
    theirs = frictionless_alone(columnar)
    ours = {(f.file, f.row, f.field, f.rule) for f in columnar.findings if f.rule in FRICTIONLESS_RULES}
    assert ours <= theirs


# -- generated files with injected errors --------------------------------------------------
def _read(path: Path) -> list[list[str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.reader(fh))


def _write(path: Path, rows) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh, lineterminator="\n").writerows(rows)


def _events_and_sources():
    events = REPO / "data" / "reports"
    ev = [r for p in sorted(events.glob("*/events.csv")) for r in _read(p)[1:]]
    src = [r for p in sorted(events.glob("*/event_sources.csv")) for r in _read(p)[1:]]
    return ev, src


# One way of breaking a schema-derived rule each: (column, bad value).
BREAKS = {
    "enum": ("event_type", "Battle"),
    "pattern": ("admin3_pcode", "MMR01"),
    "minimum": ("fatalities_low", "-3"),
    "maximum": ("latitude", "91"),
    "required": ("notes", ""),
    "type": ("fatalities_best", "many"),
    "foreign-key": ("actor1", "no_such_actor"),
    "primary-key": ("event_id", None),  # the id of the row before
    "min-length": ("notes", "x"),
}


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(picks=st.lists(st.tuples(st.sampled_from(sorted(BREAKS)), st.integers(min_value=0, max_value=10**6)),
                      min_size=1, max_size=6), copies=st.integers(min_value=1, max_value=4))
def test_injected_errors_are_found_the_same_way_by_both(tmp_path_factory, picks, copies):
    folder = tmp_path_factory.mktemp("parity")
    header = get_schema("events").field_names
    ev, src = _events_and_sources()
    rows, links = [], []
    number = 900000
    for _ in range(copies):
        for r in ev:
            number += 1
            new = dict(zip(header, r))
            old = new["event_id"]
            new["event_id"] = f"KE{number:06d}"
            rows.append(new)
            links += [[new["event_id"], *s[1:]] for s in src if s[0] == old]
    rng = random.Random(len(rows))
    for rule, where in picks:
        i = where % len(rows)
        col, bad = BREAKS[rule]
        if col not in header:
            continue
        rows[i][col] = rows[i - 1]["event_id"] if rule == "primary-key" else bad
    rng.shuffle(links)
    _write(folder / "events.csv", [header] + [[r[c] for c in header] for r in rows])
    _write(folder / "event_sources.csv", [get_schema("event_sources").field_names] + links)
    columnar, with_fl = both_ways(folder)
    assert keys(columnar) == keys(with_fl)
    assert not columnar.valid
    theirs = frictionless_alone(columnar)
    assert {(f.file, f.row, f.field, f.rule) for f in columnar.findings if f.rule in FRICTIONLESS_RULES} <= theirs


# -- formats: a value frictionless rejects is never valid for us ---------------------------
FORMAT_VALUES = ["KNG article", "https://www.kachinnews.com/2026/02/report", "http://example.org", "www.example.org",
                 "mailto:editor@example.org", "ftp://files.example.org/a.pdf", "https:", "1234", "  https://x.org"]


def _format_fields():
    from kachin_events.schema import TABLES

    return [(t, f.name) for t in TABLES for f in get_schema(t).fields if f.format not in (None, "default")]


def test_some_field_has_a_format():
    assert _format_fields()


@pytest.mark.parametrize("table, field", _format_fields())
@pytest.mark.parametrize("value", FORMAT_VALUES)
def test_engines_agree_on_every_format(table, field, value):
    from frictionless import Resource, Schema

    from kachin_events.validation.coerce import coerce
    from kachin_events.validation.table import RawTable

    ts = get_schema(table)
    names = ts.field_names
    row = [value if n == field else None for n in names]
    ours = [f for f in coerce(RawTable(table, rows=[row], files=["t.csv"], lines=[2], checked=[True]), ts)[1]
            if f.field == field]
    only = {"fields": [dict(next(f for f in ts.descriptor["fields"] if f["name"] == field))]}
    only["fields"][0].get("constraints", {}).pop("required", None)
    report = Resource(data=[[field], [value]], schema=Schema.from_descriptor(only)).validate()
    theirs = [e for e in report.tasks[0].errors if e.to_descriptor().get("fieldName") == field]
    assert bool(ours) == bool(theirs), (value, [f.message for f in ours], [e.message for e in theirs])
