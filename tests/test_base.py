"""``validate --base``: records of the base may not be removed, reused or edited silently."""

from __future__ import annotations

import csv
import datetime as dt
import io
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from kachin_events import validate
from kachin_events.cli import cli
from kachin_events.contrib.base import BaseError, compare_with_base
from kachin_events.schema import get_schema

REPO = Path(__file__).resolve().parent.parent
TODAY = "2026-11-22"
RULES = {"base-removed", "base-id-reused", "base-uncorrected-edit"}


def git(root: Path, *args: str) -> str:
    cmd = ["git", "-c", "user.name=Test", "-c", "user.email=test@example.org", "-c", "commit.gpgsign=false", *args]
    return subprocess.run(cmd, cwd=root, capture_output=True, text=True, check=True).stdout


@pytest.fixture
def repo(tmp_path) -> Path:
    """A git repository holding a copy of the package, committed as the base."""
    root = tmp_path / "repo"
    root.mkdir()
    shutil.copy(REPO / "datapackage.json", root)
    shutil.copytree(REPO / "data", root / "data")
    shutil.copytree(REPO / "schemas", root / "schemas")
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "base")
    return root


def read(path: Path) -> tuple[list[str], list[dict]]:
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        return list(reader.fieldnames), list(reader)


def write(path: Path, header: list[str], rows: list[dict]) -> None:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=header, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(buf.getvalue(), encoding="utf-8")


def events_file(root: Path, event_id: str) -> Path:
    for path in sorted((root / "data").rglob("events.csv")):
        if any(r["event_id"] == event_id for r in read(path)[1]):
            return path
    raise AssertionError(f"no events.csv holds {event_id}")


def remove_event(root: Path, event_id: str, tables=("events", "event_sources", "event_actors", "event_tags")) -> None:
    """Delete an event's rows from every file of the given tables."""
    for table in tables:
        for path in (root / "data").rglob(f"{table}.csv"):
            header, rows = read(path)
            write(path, header, [r for r in rows if r["event_id"] != event_id])


def add_row(path: Path, **values) -> None:
    header, rows = read(path)
    write(path, header, [*rows, {h: values.get(h, "") for h in header}])


def base_findings(root: Path, base="HEAD"):
    return [f for f in compare_with_base(root / "datapackage.json", base) if f.rule in RULES]


def test_unchanged_tree_has_no_finding(repo):
    assert base_findings(repo) == []


def test_removed_event_and_its_rows(repo):
    home = events_file(repo, "KE000005")
    remove_event(repo, "KE000005")
    found = base_findings(repo)
    assert found and {f.rule for f in found} == {"base-removed"}
    events = [f for f in found if f.file.endswith(home.relative_to(repo).as_posix())]
    assert len(events) == 1 and events[0].row is None
    assert "KE000005 was in the base (HEAD) and is gone" in events[0].message
    assert "retire it" in events[0].message
    assert all("KE000005" in f.value for f in found)
    # validate() carries them into its report: exit status 1.
    report = validate(repo / "datapackage.json", base="HEAD", today=dt.date.fromisoformat(TODAY))
    assert "base-removed" in report.rules_hit() and report.exit_code == 1


def test_reordering_rows_and_columns_is_not_a_change(repo):
    path = events_file(repo, "KE000003")
    header, rows = read(path)
    write(path, header, rows[::-1])
    tags = next((repo / "data").rglob("event_tags.csv"))
    header, rows = read(tags)
    write(tags, header[::-1], rows[::-1])
    assert base_findings(repo) == []


def test_reused_id(repo):
    path = events_file(repo, "KE000005")
    header, rows = read(path)
    old = next(r for r in rows if r["event_id"] == "KE000005")
    remove_event(repo, "KE000005")
    new = dict(old, date_start="2026-02-01", date_end="2026-02-01", date_precision="day",
               event_type="Explosions/Remote violence", sub_event_type="Air/drone strike", location="Somewhere else")
    add_row(path, **new)
    found = base_findings(repo)
    reused = [f for f in found if f.rule == "base-id-reused"]
    assert [(f.field, f.value) for f in reused] == [("event_id", "KE000005")]
    assert reused[0].row == len(read(path)[1]) + 1  # the new event's CSV line
    assert "put the old event back" in reused[0].message
    # The old event's rows elsewhere are reported as removed; its fields not as edits.
    assert not [f for f in found if f.rule == "base-uncorrected-edit"]
    assert {f.rule for f in found} <= {"base-id-reused", "base-removed"}


def test_new_event_ids_go_above_the_highest(repo):
    path = events_file(repo, "KE000003")
    old = next(r for r in read(path)[1] if r["event_id"] == "KE000003")
    add_row(path, **dict(old, event_id="KE000000"))
    add_row(path, **dict(old, event_id="KE999999"))
    found = base_findings(repo)
    assert [(f.rule, f.value) for f in found] == [("base-id-reused", "KE000000")]
    assert "above" in found[0].message


def test_edit_needs_a_correction(repo):
    path = events_file(repo, "KE000003")
    header, rows = read(path)
    row = next(r for r in rows if r["event_id"] == "KE000003")
    old_end = row["date_end"]
    row["date_end"] = "2025-07-30"
    write(path, header, rows)
    (found,) = base_findings(repo)
    assert (found.rule, found.field, found.value) == ("base-uncorrected-edit", "date_end", "2025-07-30")
    assert found.row == rows.index(row) + 2
    assert old_end in found.message and "corrections" in found.message
    add_row(repo / "data" / "corrections.csv", event_id="KE000003", corrected_on="2026-03-01", field="date_end",
            old_value=old_end, new_value="2025-07-30", reason="The report's second paragraph gives the 30th.")
    assert base_findings(repo) == []


def test_retired_event_is_not_removed_but_retractions_are_permanent(repo):
    remove_event(repo, "KE000005")
    add_row(repo / "data" / "retractions.csv", event_id="KE000005", retired_on="2026-03-01", reason="duplicate",
            merged_into="KE000004", note="The same clash as KE000004, reported twice.")
    assert base_findings(repo) == []
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "retire KE000005")
    # A retired id may not come back ...
    path = events_file(repo, "KE000004")
    old = next(r for r in read(path)[1] if r["event_id"] == "KE000004")
    add_row(path, **dict(old, event_id="KE000005"))
    assert [(f.rule, f.value) for f in base_findings(repo)] == [("base-id-reused", "KE000005")]
    # ... and a retraction is never removed.
    header, rows = read(path)
    write(path, header, [r for r in rows if r["event_id"] != "KE000005"])
    header, rows = read(repo / "data" / "retractions.csv")
    write(repo / "data" / "retractions.csv", header, [r for r in rows if r["event_id"] != "KE000005"])
    (found,) = base_findings(repo)
    assert found.rule == "base-removed" and found.file.endswith("data/retractions.csv")
    assert "permanent" in found.message


def test_changed_event_id_is_a_removal(repo):
    path = events_file(repo, "KE000005")
    header, rows = read(path)
    for r in rows:
        if r["event_id"] == "KE000005":
            r["event_id"] = "KE999998"
    write(path, header, rows)
    found = base_findings(repo)
    assert any(f.rule == "base-removed" and f.value == "KE000005" and "ids never change" in f.message for f in found)


def test_release_folder_as_base(repo, built_release, tmp_path):
    release = built_release / "0.1.0"
    # The release holds the package as the session started; compare like with like.
    base_now = compare_with_base(repo / "datapackage.json", release)
    unchanged = {f.value for f in base_now}
    home = events_file(repo, "KE000005")
    remove_event(repo, "KE000005", tables=("events",))
    found = [f for f in compare_with_base(repo / "datapackage.json", release) if f.value not in unchanged]
    assert [(f.rule, f.value) for f in found] == [("base-removed", "KE000005")]
    # The release's csv/events.csv maps back to the report's own events file.
    assert found[0].file.endswith(home.relative_to(repo).as_posix())
    # A version number is looked up in the package's releases/ folder.
    shutil.copytree(release, repo / "releases" / "0.1.0")
    by_version = [f for f in compare_with_base(repo / "datapackage.json", "0.1.0") if f.value not in unchanged]
    assert [(f.file, f.rule, f.value) for f in by_version] == [(f.file, f.rule, f.value) for f in found]
    assert "the base (release 0.1.0)" in by_version[0].message


def test_unknown_ref_and_no_repository(repo, tmp_path):
    with pytest.raises(BaseError, match="not a branch, tag or commit"):
        compare_with_base(repo / "datapackage.json", "no-such-branch")
    plain = tmp_path / "plain"
    shutil.copytree(repo, plain, ignore=shutil.ignore_patterns(".git"))
    with pytest.raises(BaseError, match="not in a git repository"):
        compare_with_base(plain / "datapackage.json", "HEAD")


def test_cli(repo, monkeypatch):
    monkeypatch.chdir(repo)
    runner = CliRunner()
    ok = runner.invoke(cli, ["validate", "--base", "HEAD", "--today", TODAY], catch_exceptions=False)
    assert ok.exit_code == 0, ok.output
    unknown = runner.invoke(cli, ["validate", "--base", "no-such-ref", "--today", TODAY], catch_exceptions=False)
    assert unknown.exit_code == 2 and "no-such-ref" in unknown.output and "Traceback" not in unknown.output
    files = runner.invoke(cli, ["validate", "data/corrections.csv", "--base", "HEAD", "--today", TODAY], catch_exceptions=False)
    assert files.exit_code == 2 and "--base compares a data package" in files.output
    remove_event(repo, "KE000005")
    gone = runner.invoke(cli, ["validate", "--base", "HEAD", "--today", TODAY, "--format", "github"],
                         catch_exceptions=False)
    assert gone.exit_code == 1 and "base-removed" in gone.output


def test_messages_name_fields_from_the_schema():
    # The identity fields the reuse heuristic reads are events fields.
    from kachin_events.contrib.base import IDENTITY

    assert set(IDENTITY) <= set(get_schema("events").field_names)
