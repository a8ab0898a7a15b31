"""The whole contributor path, as issue "Contributing without hand-editing" defines done:

a filled XLSX template with names instead of codes goes through ``validate`` and
``add`` into a new report folder, ``fmt --check`` passes, and the release built
afterwards contains the new events; a broken submission changes nothing and gets every
finding, with a "did you mean" where one exists.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from kachin_events.cli import cli

ROOT = Path(__file__).resolve().parent.parent
TODAY = dt.date(2026, 11, 22)


def _copy_repo(root: Path) -> Path:
    root.mkdir(parents=True)
    shutil.copy(ROOT / "datapackage.json", root / "datapackage.json")
    shutil.copytree(ROOT / "data", root / "data")
    return root


def _tree(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def _fill(template: Path, out: Path, **events_changes) -> None:
    """Fill the template as a monitor would: overwrite the example with a new report."""
    import openpyxl

    wb = openpyxl.load_workbook(template)
    header = {ws.title: [c.value for c in ws[1]] for ws in wb.worksheets if not ws.title.startswith("_")}

    def put(sheet, field, value, row=2):
        ws = wb[sheet]
        ws.cell(row=row, column=header[sheet].index(field) + 1, value=value)

    put("sources", "source_id", "monitor-2026-03-waingmaw")
    put("sources", "publisher", "A local monitoring network")
    for sheet in ("event_sources",):
        put(sheet, "source_id", "monitor-2026-03-waingmaw")
    put("sources", "publication_date_earliest", dt.datetime(2026, 3, 12))
    put("sources", "publication_date_latest", dt.datetime(2026, 3, 12))
    put("events", "date_start", dt.datetime(2026, 3, 10))
    put("events", "date_end", dt.datetime(2026, 3, 10))
    put("events", "date_precision", "day")
    put("events", "notes", "A clash reported by a local monitor; written for the tests of the contributor path.")
    for field, value in events_changes.items():
        put("events", field, value)
    wb.save(out)


@pytest.fixture
def workspace(tmp_path, monkeypatch):
    repo = _copy_repo(tmp_path / "repo")
    monkeypatch.chdir(repo)
    runner = CliRunner()
    template = tmp_path / "template.xlsx"
    result = runner.invoke(cli, ["template", str(template)])
    assert result.exit_code == 0, result.output
    return repo, template, runner, tmp_path


def test_a_filled_template_with_names_goes_in_and_into_the_next_release(workspace):
    repo, template, runner, tmp_path = workspace
    filled = tmp_path / "filled.xlsx"
    _fill(template, filled)
    # The example is written with names: codes are filled from the reference tables.
    import openpyxl

    ws = openpyxl.load_workbook(filled)["events"]
    header = [c.value for c in ws[1]]
    assert ws.cell(2, header.index("location_pcode") + 1).value in (None, "")
    assert ws.cell(2, header.index("actor1") + 1).value not in (None, "")

    day = ["--today", TODAY.isoformat()]
    result = runner.invoke(cli, ["validate", str(filled), *day])
    assert result.exit_code == 0, result.output

    before = _tree(repo)
    result = runner.invoke(cli, ["add", str(filled), "--format", "json", *day])
    assert result.exit_code == 0, result.output
    folder = repo / "data" / "reports" / "monitor-2026-03-waingmaw"
    assert (folder / "events.csv").is_file() and (folder / "CODING.md").is_file()
    after = _tree(repo)
    # Nothing that was there changed, except datapackage.json (new paths).
    changed = {p for p in before if before[p] != after.get(p)}
    assert changed == {"datapackage.json"}, changed

    rows = list(csv.DictReader((folder / "events.csv").open(encoding="utf-8")))
    assert len(rows) == 1
    new_id = rows[0]["event_id"]
    # Names became codes on disk.
    assert rows[0]["location_pcode"].startswith(("MMR001", "KES"))
    assert rows[0]["actor1"] in {r["actor_id"] for r in csv.DictReader((repo / "data" / "actors.csv").open())}

    assert runner.invoke(cli, ["fmt", "--check"]).exit_code == 0
    result = runner.invoke(cli, ["validate", *day])
    assert result.exit_code == 0, result.output

    result = runner.invoke(cli, ["build", "--version", "0.2.0", "--out", str(tmp_path / "releases")])
    assert result.exit_code == 0, result.output
    released = (tmp_path / "releases" / "0.2.0" / "csv" / "events.csv").read_text(encoding="utf-8")
    assert new_id in released


def test_a_broken_submission_changes_nothing_and_says_did_you_mean(workspace):
    repo, template, runner, tmp_path = workspace
    broken = tmp_path / "broken.xlsx"
    _fill(template, broken, event_type="Battle", geo_precision=7)
    before = _tree(repo)
    result = runner.invoke(cli, ["add", str(broken), "--format", "json", "--today", TODAY.isoformat()])
    assert result.exit_code == 1, result.output
    assert _tree(repo) == before
    import json

    report = json.loads(result.output)
    errors = report["errors"] if "errors" in report else report["report"]["errors"]
    rules = {(e["field"], e["rule"]) for e in errors}
    # Every finding at once: both broken cells, each at its own field.
    assert ("event_type", "enum") in rules and ("geo_precision", "enum") in rules, rules
    battle = next(e for e in errors if e["field"] == "event_type")
    assert "Battles" in battle["message"] and "mean" in battle["message"].lower()
    assert "broken.xlsx" in battle["file"] and battle["row"] == 2
