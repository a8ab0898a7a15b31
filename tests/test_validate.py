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
    report = validate(REPO / "datapackage.json")
    assert report.valid, report.to_text()
    assert report.findings == [], report.to_text()
    # Every data file was read.
    assert len(report.files) == len(list((REPO / "data").rglob("*.csv")))


def test_no_path_validates_the_repository_package():
    result = run("validate", cwd=REPO / "data" / "reports")
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
    assert run("validate", str(tmp_path / "nope.csv")).exit_code == 2
    broken = tmp_path / "datapackage.json"
    broken.write_text("{ not json")
    result = run("validate", str(broken))
    assert result.exit_code == 2 and "not valid JSON" in result.output


def test_no_package_found_is_a_usage_problem(tmp_path):
    result = run("validate", cwd=tmp_path)
    assert result.exit_code == 2
    assert "no datapackage.json" in result.output


def test_unlisted_data_file_is_an_error(tmp_path):
    shutil.copytree(REPO / "data", tmp_path / "data")
    shutil.copytree(REPO / "schemas", tmp_path / "schemas")
    shutil.copy(REPO / "datapackage.json", tmp_path)
    stray = tmp_path / "data" / "reports" / "kng-2026-02-four-fronts" / "events_draft.csv"
    stray.write_text("event_id\n")
    report = validate(tmp_path / "datapackage.json")
    assert [(f.rule, Path(f.file).name) for f in report.errors] == [("unlisted-file", "events_draft.csv")]


def test_error_in_a_later_part_of_a_multipart_table_points_at_its_own_file(tmp_path):
    shutil.copytree(REPO / "data", tmp_path / "data")
    shutil.copy(REPO / "datapackage.json", tmp_path)
    events = tmp_path / "data" / "reports" / "kng-2026-02-four-fronts" / "events.csv"
    lines = events.read_text().splitlines(keepends=True)
    assert ",Battles," in lines[2]
    lines[2] = lines[2].replace(",Battles,", ",Battle,", 1)
    events.write_text("".join(lines))
    report = validate(tmp_path / "datapackage.json")
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
