"""The validator from Python and from the command line: exit codes, formats, robustness."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from kachin_events import validate
from kachin_events.cli import cli

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
DATA = HERE / "data"
TODAY = "2026-11-22"


def run(*args, cwd=REPO):
    runner = CliRunner()
    import os

    old = os.getcwd()
    os.chdir(cwd)
    try:
        return runner.invoke(cli, list(args), catch_exceptions=False)
    finally:
        os.chdir(old)


def test_repository_data_is_valid_without_warnings():
    report = validate(REPO / "datapackage.json", today=dt.date.fromisoformat(TODAY))
    assert report.valid, report.to_text()
    assert report.findings == [], report.to_text()
    # Every data file was read.
    assert len(report.files) == len(list((REPO / "data").rglob("*.csv")))


def test_no_path_validates_the_repository_package():
    result = run("validate", "--today", TODAY, cwd=REPO / "data" / "reports")
    assert result.exit_code == 0, result.output
    assert "valid: 0 errors" in result.output


def test_exit_codes_and_json_format():
    bad = DATA / "invalid" / "sub-event-type__airstrike_as_battle"
    result = run("validate", str(bad), "--format", "json", "--today", TODAY)
    assert result.exit_code == 1
    doc = json.loads(result.output)
    assert doc["valid"] is False
    (err,) = doc["errors"]
    assert set(err) == {"file", "row", "field", "value", "rule", "severity", "message"}
    assert (err["row"], err["field"], err["value"], err["rule"], err["severity"]) == (
        2, "sub_event_type", "Air/drone strike", "sub-event-type", "error")
    assert err["file"].endswith("events.csv")

    good = DATA / "valid" / "basic"
    assert run("validate", str(good), "--today", TODAY).exit_code == 0


def test_github_format_annotates_file_and_line():
    bad = DATA / "invalid" / "date-order__ends_before_it_starts"
    result = run("validate", str(bad), "--format", "github", "--today", TODAY)
    assert result.exit_code == 1
    line = result.output.splitlines()[0]
    assert line.startswith("::error file=") and ",line=2," in line and "date-order" in line


def test_text_format_lists_every_finding_and_a_summary():
    bad = DATA / "invalid" / "admin-hierarchy+location-in-admin__township_in_wrong_district"
    result = run("validate", str(bad), "--today", TODAY)
    lines = result.output.strip().splitlines()
    assert sum(":2: [" in ln for ln in lines) == 2
    assert lines[-1].startswith("INVALID: 2 errors")


@pytest.mark.parametrize("args", [
    ["validate", "--format", "xml"],
    ["validate", "--today", "yesterday"],
    ["validate", "--no-such-option"],
    ["no-such-command"],
])
def test_usage_errors_exit_2(args):
    assert run(*args).exit_code == 2


def test_missing_and_unreadable_files_exit_2(tmp_path):
    assert run("validate", str(tmp_path / "nope.csv"), "--today", TODAY).exit_code == 2
    broken = tmp_path / "datapackage.json"
    broken.write_text("{ not json")
    result = run("validate", str(broken), "--today", TODAY)
    assert result.exit_code == 2 and "not valid JSON" in result.output


def test_no_package_found_is_a_usage_problem(tmp_path):
    result = run("validate", "--today", TODAY, cwd=tmp_path)
    assert result.exit_code == 2
    assert "no datapackage.json" in result.output


def test_unlisted_data_file_is_an_error(tmp_path):
    shutil.copytree(REPO / "data", tmp_path / "data")
    shutil.copytree(REPO / "schemas", tmp_path / "schemas")
    shutil.copy(REPO / "datapackage.json", tmp_path)
    stray = tmp_path / "data" / "reports" / "kng-2026-02-four-fronts" / "events_draft.csv"
    stray.write_text("event_id\n")
    report = validate(tmp_path / "datapackage.json", today=dt.date.fromisoformat(TODAY))
    assert [(f.rule, Path(f.file).name) for f in report.errors] == [("unlisted-file", "events_draft.csv")]


def test_error_in_a_later_part_of_a_multipart_table_points_at_its_own_file(tmp_path):
    shutil.copytree(REPO / "data", tmp_path / "data")
    shutil.copy(REPO / "datapackage.json", tmp_path)
    events = tmp_path / "data" / "reports" / "kng-2026-02-four-fronts" / "events.csv"
    lines = events.read_text().splitlines(keepends=True)
    assert ",Battles," in lines[2]
    lines[2] = lines[2].replace(",Battles,", ",Battle,", 1)
    events.write_text("".join(lines))
    report = validate(tmp_path / "datapackage.json", today=dt.date.fromisoformat(TODAY))
    assert [(Path(f.file).parent.name, f.row, f.field, f.rule) for f in report.errors] == [
        ("kng-2026-02-four-fronts", 3, "event_type", "enum")]


def test_xlsx_submission_reports_spreadsheet_rows(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    import csv

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "events"
    with open(DATA / "valid" / "basic" / "events.csv", newline="") as fh:
        rows = list(csv.reader(fh))
    rows[1][rows[0].index("fatalities_best")] = "many"
    for r in rows:
        ws.append([(int(v) if v.isdigit() else v) for v in r])
    links = wb.create_sheet("event_sources")
    with open(DATA / "valid" / "basic" / "event_sources.csv", newline="") as fh:
        for r in csv.reader(fh):
            links.append(r)
    path = tmp_path / "submission.xlsx"
    wb.save(path)
    report = validate(path, today=dt.date(2026, 11, 22), reference=REPO / "datapackage.json")
    assert [(f.row, f.field, f.rule) for f in report.errors] == [(2, "fatalities_best", "type")]
    assert report.errors[0].file.endswith("submission.xlsx[events]")


def test_import_is_lazy():
    """`import kachin_events` and the CLI's --help must not pull in the heavy libraries."""
    code = (
        "import sys, kachin_events, kachin_events.cli;"
        "heavy = [m for m in ('pandas', 'polars', 'pandera', 'frictionless', 'pyarrow') if m in sys.modules];"
        "print(','.join(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_python_module_entry_point():
    out = subprocess.run([sys.executable, "-m", "kachin_events", "--help"], capture_output=True, text=True)
    assert out.returncode == 0 and "validate" in out.stdout


def test_unreadable_reference_table_is_reported(tmp_path):
    shutil.copytree(REPO / "data", tmp_path / "data")
    shutil.copy(REPO / "datapackage.json", tmp_path)
    (tmp_path / "data" / "actors.csv").write_bytes(b"actor_id\n\xff\xfe broken\n")
    report = validate(DATA / "valid" / "basic", today=dt.date(2026, 11, 22), reference=tmp_path / "datapackage.json")
    assert report.exit_code == 2
    assert any(f.rule == "unreadable" and f.file.endswith("actors.csv") for f in report.findings)


# -- messages a contributor can act on ---------------------------------------------------------
def _events_file(folder: Path, edit=None, name="events.csv") -> Path:
    import csv

    with open(DATA / "valid" / "basic" / "events.csv", newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    if edit:
        edit(rows)
    path = folder / name
    with open(path, "w", newline="", encoding="utf-8") as fh:
        csv.writer(fh, lineterminator="\n").writerows(rows)
    shutil.copy(DATA / "valid" / "basic" / "event_sources.csv", folder / "event_sources.csv")
    return path


def _check(*paths):
    return validate(*paths, today=dt.date(2026, 11, 22), reference=REPO / "datapackage.json")


def test_enum_did_you_mean_ignores_case_and_punctuation(tmp_path):
    def edit(rows):
        head = rows[0]
        rows.append(list(rows[1]))
        rows[2][0] = "KE900002"
        rows[1][head.index("event_type")] = "Battle"
        rows[2][head.index("event_type")] = "Explosions/Remote violence"
        rows[2][head.index("sub_event_type")] = "airstrike"

    _events_file(tmp_path, edit)
    report = _check(tmp_path)
    msgs = {(f.row, f.field): f.message for f in report.errors if f.rule == "enum"}
    assert msgs[(2, "event_type")].startswith(
        "'Battle' is not one of the allowed values of the event_type column. Did you mean 'Battles'?")
    assert "Did you mean 'Air/drone strike'?" in msgs[(3, "sub_event_type")]
    # The text output does not print the value twice.
    assert "value 'Battle'" not in report.to_text()


def test_column_name_did_you_mean(tmp_path):
    _events_file(tmp_path, lambda rows: rows[0].__setitem__(0, "Event ID"))
    report = _check(tmp_path)
    (f,) = [f for f in report.errors if f.rule == "unknown-column"]
    assert f.message.startswith("'Event ID' is not a column of the events table. Did you mean 'event_id'?")


def test_table_names_close_to_a_table_say_what_they_were_read_as(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    import csv

    wb = openpyxl.Workbook()
    sheets = {"Events": "events.csv", "event_source": "event_sources.csv"}
    wb.active.title = "Events"
    for title, name in sheets.items():
        ws = wb[title] if title in wb.sheetnames else wb.create_sheet(title)
        with open(DATA / "valid" / "basic" / name, newline="", encoding="utf-8") as fh:
            for r in csv.reader(fh):
                ws.append(r)
    notes = wb.create_sheet("Sheet2")
    notes.append(["event_id", "actor_id", "side"])
    notes.append(["KE900001", "pdf", 1])
    path = tmp_path / "submission.xlsx"
    wb.save(path)
    report = _check(path)
    assert report.valid, report.to_text()
    named = {f.value: f.message for f in report.warnings if f.rule == "table-name"}
    assert set(named) == {"event_source", "Sheet2"}  # "Events" names its table
    assert "read as the event_sources table" in named["event_source"]
    assert "read as the event_actors table" in named["Sheet2"] and "'event_actors'" in named["Sheet2"]

    doc = {"events": [], "claims": []}
    (tmp_path / "s.json").write_text(json.dumps(doc))
    with open(DATA / "valid" / "basic" / "events.csv", newline="", encoding="utf-8") as fh:
        doc["events"] = list(csv.DictReader(fh))
    with open(DATA / "valid" / "basic" / "event_sources.csv", newline="", encoding="utf-8") as fh:
        doc["claims"] = list(csv.DictReader(fh))
    (tmp_path / "s.json").write_text(json.dumps(doc))
    report = _check(tmp_path / "s.json")
    assert report.valid, report.to_text()
    (f,) = report.warnings
    assert f.rule == "table-name" and "read as the event_sources table, which holds the claims" in f.message


def test_duplicate_id_names_the_other_row_of_the_submission():
    report = _check(DATA / "invalid" / "primary-key__event_id_twice")
    (f,) = report.errors
    assert "already used by row 2 of" in f.message and "events.csv, in this submission" in f.message
    assert "repository" not in f.message
    report = _check(DATA / "invalid" / "primary-key__event_id_already_in_repository")
    (f,) = report.errors
    assert "in the repository" in f.message and "data/reports/" in f.message


def test_foreign_key_hints_name_files_that_exist():
    report = _check(DATA / "invalid" / "foreign-key__unknown_source")
    (f,) = report.errors
    assert "data/reports/*/sources.csv" in f.message and "data/sources.csv" not in f.message
    report = _check(DATA / "invalid" / "foreign-key__unknown_actor")
    (f,) = report.errors
    assert "data/actors.csv" in f.message and "Did you mean 'kia'?" in f.message
    assert "data/events.csv" not in f.message


def test_report_folder_without_coding_notes(tmp_path):
    shutil.copytree(REPO / "data", tmp_path / "data")
    shutil.copytree(REPO / "schemas", tmp_path / "schemas")
    shutil.copy(REPO / "datapackage.json", tmp_path)
    folder = tmp_path / "data" / "reports" / "kng-2026-02-four-fronts"
    (folder / "CODING.md").unlink()
    report = validate(tmp_path / "datapackage.json", today=dt.date.fromisoformat(TODAY))
    assert [(f.rule, Path(f.file).name) for f in report.errors] == [("coding-notes", "kng-2026-02-four-fronts")]
    assert "CODING.md" in report.errors[0].message


def test_findings_of_a_row_come_in_column_order(tmp_path):
    def edit(rows):
        head = rows[0]
        rows[1][head.index("notes")] = ""
        rows[1][head.index("event_id")] = "KE1"
        rows[1][head.index("date_start")] = "3 Feb 2026"

    _events_file(tmp_path, edit)
    report = _check(tmp_path)
    assert [f.field for f in report.errors if f.row == 2 and f.file.endswith("events.csv")] == [
        "event_id", "date_start", "notes"]


def test_json_format_separates_errors_and_warnings(tmp_path):
    _events_file(tmp_path, lambda rows: rows[1].__setitem__(rows[0].index("event_type"), "Battle"),
                 name="my_submission.csv")
    result = run("validate", str(tmp_path), "--format", "json", "--today", TODAY)
    doc = json.loads(result.output)
    assert set(doc) == {"valid", "exit_code", "unreadable", "counts", "errors", "warnings", "files", "notes"}
    assert (doc["valid"], doc["exit_code"], doc["unreadable"]) == (False, 1, False)
    assert doc["counts"] == {"errors": len(doc["errors"]), "warnings": len(doc["warnings"]), "files": 2}
    assert {e["severity"] for e in doc["errors"]} == {"error"}
    assert {w["rule"] for w in doc["warnings"]} == {"table-name"}
    assert result.exit_code == doc["exit_code"]


def test_absent_optional_json_keys_are_not_missing_columns(tmp_path):
    import csv

    with open(DATA / "valid" / "basic" / "events.csv", newline="", encoding="utf-8") as fh:
        events = [{k: v for k, v in r.items() if v} for r in csv.DictReader(fh)]
    with open(DATA / "valid" / "basic" / "event_sources.csv", newline="", encoding="utf-8") as fh:
        links = [{k: v for k, v in r.items() if v} for r in csv.DictReader(fh)]
    path = tmp_path / "submission.json"
    path.write_text(json.dumps({"events": events, "event_sources": links}))
    report = _check(path)
    assert report.findings == [], report.to_text()
    # A CSV without an optional column still hears about it.
    _events_file(tmp_path, lambda rows: [r.pop(rows[0].index("fatalities_low")) for r in rows[::-1]])
    report = _check(tmp_path / "events.csv", tmp_path / "event_sources.csv")
    assert [(f.rule, f.field) for f in report.warnings] == [("missing-column", "fatalities_low")]
