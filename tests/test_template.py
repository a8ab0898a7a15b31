"""``kachin-events template``: the contributor's workbook and CSV files, derived from the schemas."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

import kachin_events
from kachin_events import validate
from kachin_events.cli import cli
from kachin_events.contrib import template as T
from kachin_events.schema import get_schema

REPO = Path(__file__).resolve().parent.parent
TODAY = dt.date(2026, 11, 22)


@pytest.fixture(autouse=True)
def _in_repo(monkeypatch):
    monkeypatch.chdir(REPO)  # names and the example come from the nearest datapackage.json


@pytest.fixture(scope="module")
def xlsx(tmp_path_factory):
    path = tmp_path_factory.mktemp("template") / "template.xlsx"
    T.write_template(path)
    return path


@pytest.fixture(scope="module")
def book(xlsx):
    import openpyxl

    return openpyxl.load_workbook(xlsx)


@pytest.fixture(scope="module")
def tables():
    from kachin_events.tables import read_tables

    return read_tables(REPO / "datapackage.json")


def validations(ws) -> dict[str, object]:
    """The data validation of each column (by its letter) of a sheet."""
    out = {}
    for dv in ws.data_validations.dataValidation:
        for rng in str(dv.sqref).split():
            letter = re.match(r"[A-Z]+", rng).group()
            assert letter not in out, f"{ws.title}: two validations on column {letter}"
            out[letter] = dv
    return out


def list_values(book, formula: str) -> list:
    """The values of a list validation's source range on the hidden sheet."""
    m = re.fullmatch(r"'?(?P<sheet>[^'!]+)'?!\$(?P<col>[A-Z]+)\$(?P<first>\d+):\$[A-Z]+\$(?P<last>\d+)", formula)
    assert m, formula
    ws = book[m["sheet"]]
    cells = ws[f"{m['col']}{m['first']}:{m['col']}{m['last']}"]
    return [row[0].value for row in cells]


def column_letter(n: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(n + 1)


def test_sheets(book):
    assert book.sheetnames == [T.README_SHEET, *T.SHEETS, T.LISTS_SHEET]
    assert book[T.LISTS_SHEET].sheet_state == "hidden"
    assert all(book[t].sheet_state == "visible" for t in T.SHEETS)


@pytest.mark.parametrize("table", T.SHEETS)
def test_headers_frozen_and_hinted(book, table):
    ws = book[table]
    schema = get_schema(table)
    assert [c.value for c in ws[1]] == schema.field_names
    assert all(c.font.b for c in ws[1])
    assert ws.freeze_panes == "A2"
    dvs = validations(ws)
    for n, fld in enumerate(schema.fields):
        dv = dvs[column_letter(n)]
        assert dv.promptTitle == fld.name
        assert dv.prompt and len(dv.prompt) <= 255 and dv.showInputMessage
        if T.filled_from_place(table, fld.name):
            assert dv.prompt.startswith("Leave empty: filled in from the location name")
        elif fld.required:
            assert dv.prompt.startswith("Required.")
        assert dv.sqref and str(dv.sqref).startswith(f"{column_letter(n)}2:")


@pytest.mark.parametrize("table", T.SHEETS)
def test_enum_lists_equal_the_schema(book, table):
    dvs = validations(book[table])
    checked = 0
    for n, fld in enumerate(get_schema(table).fields):
        dv = dvs[column_letter(n)]
        expected = fld.enum or (["true", "false"] if fld.type == "boolean" else None)
        if expected is None or T.name_kind(table, fld.name):
            continue
        assert dv.type == "list", fld.name
        assert dv.errorStyle in (None, "stop"), fld.name
        assert list_values(book, dv.formula1) == expected, fld.name
        checked += 1
    assert checked == sum(1 for f in get_schema(table).fields if f.enum or f.type == "boolean")


def test_types_validated(book):
    for table in T.SHEETS:
        dvs = validations(book[table])
        for n, fld in enumerate(get_schema(table).fields):
            dv = dvs[column_letter(n)]
            if fld.type == "date":
                assert dv.type == "date", fld.name
                for cell in book[table][column_letter(n)][1:]:
                    assert cell.value is None or cell.number_format == "yyyy-mm-dd"
            elif fld.type == "integer" and not fld.enum:
                assert dv.type == "whole", fld.name
                if "minimum" in fld.constraints:
                    assert dv.operator == "greaterThanOrEqual" and dv.formula1 == str(fld.constraints["minimum"])


def test_name_lists(book, tables):
    import polars as pl

    dvs = validations(book["events"])
    names = get_schema("events").field_names
    places = set(list_values(book, dvs[column_letter(names.index("location"))].formula1))
    actors = set(list_values(book, dvs[column_letter(names.index("actor1"))].formula1))
    active = tables["locations"].filter(pl.col("status") == "active")
    assert set(active["name"]) <= places
    inactive_only = set(tables["locations"]["name"]) - set(active["name"]) - set(tables["location_aliases"]["alias"])
    assert not places & inactive_only
    assert set(tables["actors"]["name"]) | set(tables["actor_aliases"]["alias"]) == actors
    sources = validations(book["event_sources"])
    es = get_schema("event_sources").field_names
    claimants = list_values(book, sources[column_letter(es.index("claimant_id"))].formula1)
    assert set(claimants) == set(tables["claimants"]["name"])
    actor_cols = [("event_sources", "claimant_actor_id"), ("event_actors", "actor_id"), ("events", "actor2")]
    for table, field in actor_cols:
        dv = validations(book[table])[column_letter(get_schema(table).field_names.index(field))]
        assert set(list_values(book, dv.formula1)) == actors
        assert dv.errorStyle in ("information", "warning")  # a typed name or code is accepted


def test_example_rows_use_names(book, tables):
    ws = book["events"]
    names = get_schema("events").field_names
    row = dict(zip(names, [c.value for c in ws[2]]))
    assert row["event_id"] not in set(tables["events"]["event_id"])
    assert row["actor1"] in set(tables["actors"]["name"])
    for field in names:
        if T.filled_from_place("events", field):
            assert row[field] is None, field
    assert row["location"]
    for table in T.SHEETS:
        assert book[table].max_row == (1 if table == "claimants" else 2), table
    claim = dict(zip(get_schema("event_sources").field_names, [c.value for c in book["event_sources"][2]]))
    assert claim["claimant_id"] in set(tables["claimants"]["name"])
    assert claim["event_id"] == row["event_id"]


def test_example_with_codes_is_valid(tmp_path):
    """The worked example, with its codes kept, passes validation (warnings allowed)."""
    T._write_csv(tmp_path, T.example_rows(names=False))
    report = validate(tmp_path, today=TODAY)
    assert report.valid, report.to_text()


def test_filled_template_is_valid(xlsx):
    """The example rows are written with names, not codes, and validate as they are."""
    report = validate(xlsx, today=TODAY)
    assert report.valid, report.to_text()


def test_deterministic(tmp_path, xlsx):
    T.write_template(tmp_path / "again.xlsx")
    assert (tmp_path / "again.xlsx").read_bytes() == xlsx.read_bytes()


def test_csv_format(tmp_path):
    out = T.write_template(tmp_path / "tpl", format="csv")
    assert sorted(p.name for p in out.iterdir()) == sorted([f"{t}.csv" for t in T.SHEETS] + ["README.txt"])
    for table in T.SHEETS:
        lines = (out / f"{table}.csv").read_text(encoding="utf-8").splitlines()
        assert lines[0] == ",".join(get_schema(table).field_names)
        assert len(lines) == (1 if table == "claimants" else 2)
    readme = (out / "README.txt").read_text(encoding="utf-8")
    for table in T.SHEETS:
        for fld in get_schema(table).fields:
            if fld.enum:
                assert f"{table}.{fld.name}: " + " | ".join(map(str, fld.enum)) in readme
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temp files left


def test_public_api():
    assert kachin_events.write_template is T.write_template


def run(*args):
    return CliRunner().invoke(cli, ["template", *map(str, args)])


def test_cli_writes_and_refuses_to_overwrite(tmp_path):
    out = tmp_path / "t.xlsx"
    result = run(out)
    assert result.exit_code == 0, result.output
    assert out.is_file() and "kachin-events validate" in result.output
    out.write_bytes(b"mine")
    result = run(out)
    assert result.exit_code == 1 and "already exists" in result.output and "--force" in result.output
    assert out.read_bytes() == b"mine"
    assert run(out, "--force").exit_code == 0
    assert out.read_bytes()[:2] == b"PK"


def test_cli_csv(tmp_path):
    out = tmp_path / "report"
    assert run("--format", "csv", out).exit_code == 0
    assert (out / "events.csv").is_file()
    (out / "mine.txt").write_text("x")
    result = run("--format", "csv", out)
    assert result.exit_code == 1 and (out / "mine.txt").exists()
    assert run("--format", "csv", "--force", out).exit_code == 0
    assert not (out / "mine.txt").exists() and (out / "README.txt").is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report"]


@pytest.mark.parametrize("args, message", [
    (["{tmp}/missing/t.xlsx"], "does not exist"),
    (["{tmp}/t.csv"], "must end in .xlsx"),
    (["--force", "{tmp}"], "must end in .xlsx"),
    (["--format", "csv", "--force", "{tmp}/file.xlsx"], "it is a file"),
    (["--package", "{tmp}/nowhere/datapackage.json", "{tmp}/ok.xlsx"], "nowhere"),
])
def test_cli_bad_paths(tmp_path, args, message):
    (tmp_path / "file.xlsx").write_bytes(b"x")
    result = run(*[a.format(tmp=tmp_path) for a in args])
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "ok.xlsx").exists()


def test_cli_help_has_examples():
    result = run("--help")
    assert result.exit_code == 0 and "Examples:" in result.output and "--force" in result.output
