"""Files that are not what they claim get one clear finding, exit status 2, never a traceback.

Each case is written here as bytes; the message must name what the file is and how to
save it as UTF-8, and the CLI must exit 2 (unreadable) with the file's name.
"""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from kachin_events.cli import cli

HEADER = "event_id,date_start\n"
UTF8_ROWS = HEADER + "KE000001,2026-02-04\n"

CASES = {
    "utf16_with_bom": ("events.csv", UTF8_ROWS.encode("utf-16"), ["UTF-16", "byte-order mark", "UTF-8"]),
    "utf16le_without_bom": ("events.csv", UTF8_ROWS.encode("utf-16-le"), ["UTF-16LE", "UTF-8"]),
    "utf16be_without_bom": ("events.csv", UTF8_ROWS.encode("utf-16-be"), ["UTF-16BE", "UTF-8"]),
    "windows_1252": ("events.csv", (HEADER + "KE000001,caf\u00e9\n").encode("cp1252"),
                     ["not UTF-8", "line 2", "Windows-1252", "iconv"]),
    "zip_named_csv": ("events.csv", b"PK\x03\x04\x14\x00\x00\x00rest of a workbook", ["zip archive", ".xlsx"]),
    "xls_named_csv": ("events.csv", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(1024), ["Excel 97-2003", "CSV UTF-8"]),
    "xls_named_json": ("events.json", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(1024), [".xls", "JSON"]),
    "html_error_page": ("events.csv", b"<!DOCTYPE html><html><body>404 Not Found</body></html>", ["HTML page"]),
    "nul_bytes": ("events.csv", UTF8_ROWS.encode() + b"\x00\x00garbage", ["NUL byte"]),
    "json_in_utf16": ("events.json", json.dumps([{"event_id": "KE000001"}]).encode("utf-16"), ["UTF-16", "JSON"]),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_unreadable_input_is_named_and_exits_2(tmp_path, name):
    filename, data, words = CASES[name]
    path = tmp_path / filename
    path.write_bytes(data)
    result = CliRunner().invoke(cli, ["validate", str(path), "--format", "json", "--today", "2026-11-22"])
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    doc = json.loads(result.output)
    unreadable = [f for f in doc["errors"] if f["rule"] == "unreadable"]
    assert len(unreadable) == 1, doc["errors"]
    assert filename in unreadable[0]["file"]
    for word in words:
        assert word in unreadable[0]["message"], unreadable[0]["message"]


@pytest.mark.parametrize("suffix, data", [
    (".csv", UTF8_ROWS.splitlines()[0] + "\n"),
    (".json", "[]"),
])
def test_a_file_with_no_rows_is_invalid(tmp_path, suffix, data):
    path = tmp_path / f"events{suffix}"
    path.write_text(data, encoding="utf-8")
    result = CliRunner().invoke(cli, ["validate", str(path), "--format", "json", "--today", "2026-11-22"])
    assert result.exit_code == 1, result.output
    doc = json.loads(result.output)
    assert "empty-file" in {f["rule"] for f in doc["errors"]}


def _basic_with(tmp_path, field, value):
    import csv
    import io
    from pathlib import Path

    src = Path(__file__).parent / "data" / "valid" / "basic"
    for name in ("events.csv", "event_sources.csv"):
        (tmp_path / name).write_bytes((src / name).read_bytes())
    rows = list(csv.reader(io.StringIO((tmp_path / "events.csv").read_text(encoding="utf-8"), newline="")))
    rows[1][rows[0].index(field)] = value
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    (tmp_path / "events.csv").write_text(out.getvalue(), encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize("field, value", [
    ("notes", '=HYPERLINK("http://example.com","click")'),
    ("location", "@SUM(1+1)"),
    ("notes", "+95 9 000 000 000 called the office and gave the figures"),
    ("notes", "\t=1+1 hidden behind a tab"),
    ("notes", "-2+3 looks like arithmetic to a spreadsheet"),
])
def test_a_formula_cell_is_an_error_at_its_cell(tmp_path, field, value):
    from kachin_events import validate

    report = validate(_basic_with(tmp_path, field, value), today=__import__("datetime").date(2026, 11, 22))
    hits = [f for f in report.errors if f.rule == "formula-cell"]
    assert [(f.row, f.field, f.value) for f in hits] == [(2, field, value)]


@pytest.mark.parametrize("value", ["-", "Fighting near the bridge; the town's -2 C night"])
def test_text_that_is_no_formula_passes(tmp_path, value):
    from kachin_events import validate

    report = validate(_basic_with(tmp_path, "notes", value), today=__import__("datetime").date(2026, 11, 22))
    assert "formula-cell" not in {f.rule for f in report.findings}


def test_no_published_file_holds_a_cell_a_spreadsheet_would_run(tmp_path):
    """Every CSV of a release built from the repository's data, exports included."""
    import csv
    import re

    from kachin_events.build import build_release
    from kachin_events.validation.cells import FORMULA_START

    release = build_release("0.1.0", tmp_path / "releases")
    files = sorted(release.rglob("*.csv"))
    assert len(files) > 10
    number = re.compile(r"^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$")
    for path in files:
        with path.open(newline="", encoding="utf-8") as fh:
            for line, row in enumerate(csv.reader(fh), start=1):
                for cell in row:
                    assert not (re.match(FORMULA_START, cell) and not number.match(cell)), (path.name, line, cell)


def test_an_excel_date_number_is_named_with_its_date(tmp_path):
    from kachin_events import validate

    report = validate(_basic_with(tmp_path, "date_start", "46085"), today=__import__("datetime").date(2026, 11, 22))
    found = [f for f in report.errors if f.rule == "type" and f.field == "date_start"]
    assert len(found) == 1 and "2026-03-04" in found[0].message


def test_swapped_coordinates_are_named_with_the_right_values(tmp_path):
    import csv
    import io

    from kachin_events import validate

    folder = _basic_with(tmp_path, "notes", "Fighting near the bridge reported by residents")
    rows = list(csv.reader(io.StringIO((folder / "events.csv").read_text(encoding="utf-8"), newline="")))
    lat, lon = rows[0].index("latitude"), rows[0].index("longitude")
    rows[1][lat], rows[1][lon] = rows[1][lon], rows[1][lat]
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    (folder / "events.csv").write_text(out.getvalue(), encoding="utf-8")
    report = validate(folder, today=__import__("datetime").date(2026, 11, 22))
    found = [f for f in report.errors if f.field == "latitude"]
    assert len(found) == 1  # the latitude of 97 degrees is above the maximum of 90
    assert "swapped" in found[0].message and f"write latitude {rows[1][lon]}" in found[0].message


def test_register_with_a_sha256sums_not_in_utf8_exits_2_naming_the_file(tmp_path):
    from kachin_events.build import build_release

    release = build_release("0.1.0", tmp_path / "releases")
    sums = release / "SHA256SUMS"
    sums.write_bytes(sums.read_bytes().replace(b"datapackage.json", "datapackage\u00e9.json".encode("latin-1")))
    result = CliRunner().invoke(cli, ["register", str(release), "--registry", str(tmp_path / "registry.json")])
    assert result.exit_code == 2, result.output
    assert "SHA256SUMS" in result.output and "not UTF-8" in result.output


@pytest.mark.parametrize("sep, word", [(";", "semicolons"), ("\t", "tabs")])
def test_a_file_separated_by_another_delimiter_is_named_once(tmp_path, sep, word):
    path = tmp_path / "events.csv"
    path.write_text(f"event_id{sep}date_start{sep}notes\nKE000001{sep}2026-02-04{sep}x\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["validate", str(path), "--format", "json", "--today", "2026-11-22"])
    assert result.exit_code == 2, result.output
    doc = json.loads(result.output)
    assert [f["rule"] for f in doc["errors"]] == ["unreadable"]  # the cause alone, not 20 missing columns
    assert word in doc["errors"][0]["message"] and "comma" in doc["errors"][0]["message"]


def test_an_unreadable_file_comes_alone_without_the_foreign_keys_it_breaks(tmp_path):
    """Root cause first: the actors file cannot be read, so no event is told its actor is unknown."""
    import shutil
    from pathlib import Path

    from kachin_events import validate

    repo = Path(__file__).resolve().parent.parent
    shutil.copy(repo / "datapackage.json", tmp_path / "datapackage.json")
    shutil.copytree(repo / "data", tmp_path / "data")
    shutil.copytree(repo / "schemas", tmp_path / "schemas")  # the descriptor's Table Schemas
    actors = tmp_path / "data" / "actors.csv"
    actors.write_bytes(actors.read_text(encoding="utf-8").encode("utf-16"))
    report = validate(tmp_path / "datapackage.json", today=__import__("datetime").date(2026, 11, 22))
    assert report.exit_code == 2
    assert [f.rule for f in report.errors] == ["unreadable"]
    assert "actors.csv" in report.errors[0].file and "UTF-16" in report.errors[0].message


def test_a_workbook_formula_without_a_value_is_the_one_finding_at_its_cell(tmp_path):
    """openpyxl stores no computed value: the cell reads as empty, but the formula is the cause."""
    import csv
    from pathlib import Path

    import openpyxl

    from kachin_events import validate

    src = Path(__file__).parent / "data" / "valid" / "basic"
    rows = list(csv.reader((src / "events.csv").open(newline="", encoding="utf-8")))
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "events"
    for row in rows:
        ws.append(row)
    notes = rows[0].index("notes") + 1
    ws.cell(row=2, column=notes).value = '=CONCATENATE("Clash near ", "the bridge")'
    wb.save(tmp_path / "events.xlsx")
    (tmp_path / "event_sources.csv").write_bytes((src / "event_sources.csv").read_bytes())
    report = validate(tmp_path, today=__import__("datetime").date(2026, 11, 22))
    assert [(f.row, f.field, f.rule) for f in report.errors] == [(2, "notes", "workbook-formula")]


ZAWGYI = ["\u103b\u1019\u1014\u1039\u1019\u102c\u1005\u102c",  # Myanmar script, typed in Zawgyi
          "\u1017\u1014\u1039\u1038\u1031\u1019\u102c\u1039\u1019\u103d\u102c \u1010\u102d\u102f\u1000\u1039\u1015\u103c\u1032"
          "\u1019\u103a\u102c\u1038 \u1016\u103c\u1005\u1039\u1015\u103d\u102c\u1038\u1001\u1032\u1037\u101e\u100a\u1039"]


def test_the_zawgyi_threshold_passes_the_gazetteer_and_catches_zawgyi():
    from myanmartools import ZawgyiDetector

    from kachin_events.tables import read_tables
    from kachin_events.validation.cells import ZAWGYI_THRESHOLD

    detector = ZawgyiDetector()
    names = read_tables()["locations"]["name_mmr"].drop_nulls().to_list()
    assert len(names) > 100 and all(detector.get_zawgyi_probability(n) < ZAWGYI_THRESHOLD for n in names)
    assert all(detector.get_zawgyi_probability(z) >= ZAWGYI_THRESHOLD for z in ZAWGYI)


@pytest.mark.parametrize("value", ZAWGYI)
def test_zawgyi_text_is_an_error_at_its_cell(tmp_path, value):
    from kachin_events import validate

    report = validate(_basic_with(tmp_path, "notes", value), today=__import__("datetime").date(2026, 11, 22))
    assert [(f.row, f.field) for f in report.errors if f.rule == "zawgyi"] == [(2, "notes")]


def test_an_invisible_character_is_a_warning_at_its_cell(tmp_path):
    from kachin_events import validate

    value = "Fighting near the\u200b bridge, reported by residents\u202e"
    report = validate(_basic_with(tmp_path, "notes", value), today=__import__("datetime").date(2026, 11, 22))
    found = [f for f in report.warnings if f.rule == "invisible-character"]
    assert [(f.row, f.field) for f in found] == [(2, "notes")]
    assert "U+200B" in found[0].message and "U+202E" in found[0].message
