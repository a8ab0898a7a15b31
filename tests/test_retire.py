"""Retiring, merging and correcting published events, and how releases report them."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from kachin_events.release.build import build_release
from kachin_events.release.verify import verify_release
from kachin_events.cli import cli
from kachin_events.contrib.retire import ChangeRefused, correct_event, retire_event
from kachin_events.release.diff import diff_releases, required_bump
from kachin_events.schema import get_schema
from kachin_events.validation import package_resources, validate

REPO = Path(__file__).resolve().parents[1]
DAY = "2026-03-01"
TODAY = dt.date(2026, 11, 22)  # the day validation judges "in the future" from
LINKED = ("event_sources", "event_actors", "event_tags")


@pytest.fixture
def pkg(tmp_path) -> Path:
    """A private copy of the repository's package (datapackage.json and data/); its descriptor."""
    root = tmp_path / "repo"
    shutil.copytree(REPO / "data", root / "data")
    shutil.copy(REPO / "datapackage.json", root / "datapackage.json")
    return root / "datapackage.json"


def _hashes(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def _rows(pkg: Path, table: str) -> list[dict]:
    out = []
    for path in package_resources(pkg)[table]:
        with path.open(encoding="utf-8", newline="") as fh:
            out += [dict(r, _file=path) for r in csv.DictReader(fh)]
    return out


def _ids(pkg: Path, table: str, column: str = "event_id") -> list[str]:
    return [r[column] for r in _rows(pkg, table)]


def _run(*args: str):
    return CliRunner().invoke(cli, list(args))


def _assert_valid(pkg: Path) -> None:
    report = validate(pkg, today=TODAY)
    assert report.valid, report.to_text()


# -- retire -------------------------------------------------------------------------------


def test_retire_removes_the_event_and_its_linked_rows(pkg):
    root = pkg.parent
    before = _hashes(root)
    [row] = [r for r in _rows(pkg, "events") if r["event_id"] == "KE000005"]
    events_file = row["_file"]
    other_lines = [line for line in events_file.read_text(encoding="utf-8").splitlines()
                   if not line.startswith("KE000005,")]
    assert "KE000005" in _ids(pkg, "event_sources")
    result = _run("retire", "KE000005", "--reason", "false", "--date", DAY, "--package", str(pkg),
                  "--note", "The KIA later denied that this clash took place.")
    assert result.exit_code == 0, result.output
    assert "retired KE000005 (false)" in result.output
    assert "KE000005" not in _ids(pkg, "events")
    for table in LINKED:
        assert "KE000005" not in _ids(pkg, table)
    [retraction] = _rows(pkg, "retractions")
    assert {k: retraction[k] for k in get_schema("retractions").field_names} == {
        "event_id": "KE000005", "retired_on": DAY, "reason": "false", "merged_into": "",
        "note": "The KIA later denied that this clash took place."}
    # Only the rows concerned changed: every other line keeps its bytes, other files too.
    assert events_file.read_text(encoding="utf-8").splitlines() == other_lines
    after = _hashes(root)
    changed = {p for p in before if before[p] != after.get(p)}
    assert changed <= {"data/retractions.csv", *(p.relative_to(root).as_posix()
                                                 for t in ("events", *LINKED)
                                                 for p in package_resources(pkg)[t])}
    assert not any(".tmp" in p for p in after)
    _assert_valid(pkg)
    assert _run("validate", str(pkg), "--today", TODAY.isoformat()).exit_code == 0


def test_merge_moves_the_claims_and_repoints_earlier_merges(pkg):
    claims = {r["event_id"]: r for r in _rows(pkg, "event_sources")}
    key = [k for k in get_schema("event_sources").primary_key if k != "event_id"]
    # KE000004 is the same clash as KE000003 (for this test): its claim moves to KE000003.
    change = retire_event("KE000004", "duplicate", "Reported twice: the same clash as KE000003.",
                          merged_into="KE000003", package=pkg, today=DAY)
    assert "1 claim moved to KE000003" in change.summary
    moved = tuple(claims["KE000004"][k] for k in key)
    on_3 = [tuple(r[k] for k in key) for r in _rows(pkg, "event_sources") if r["event_id"] == "KE000003"]
    assert moved in on_3
    _assert_valid(pkg)
    # KE000005 has the same claim (source and claimant) that KE000003 now has: not moved twice.
    n_claims = len(_rows(pkg, "event_sources"))
    retire_event("KE000005", "duplicate", "Reported twice: the same clash as KE000003.",
                 merged_into="KE000003", package=pkg, today=DAY)
    assert len(_rows(pkg, "event_sources")) == n_claims - 1
    assert "KE000005" not in _ids(pkg, "event_sources")
    # Merging KE000003 on: the duplicates that named it now name the event that stays; its tags go.
    assert "KE000003" in _ids(pkg, "event_tags")
    retire_event("KE000003", "duplicate", "Reported twice: the same fighting as KE000002.",
                 merged_into="KE000002", package=pkg, today=DAY)
    merged = {r["event_id"]: r["merged_into"] for r in _rows(pkg, "retractions")}
    assert merged == {"KE000003": "KE000002", "KE000004": "KE000002", "KE000005": "KE000002"}
    assert "KE000003" not in _ids(pkg, "event_tags") and "KE000003" not in _ids(pkg, "events")
    _assert_valid(pkg)


def test_refusals_change_nothing(pkg):
    root = pkg.parent
    before = _hashes(root)
    note = "A note long enough for the schema."
    result = _run("retire", "KE999999", "--reason", "false", "--note", note, "--package", str(pkg))
    assert result.exit_code == 1 and "there is no event KE999999" in result.output
    # A result that does not validate (the note is too short) is refused with its findings.
    result = _run("retire", "KE000005", "--reason", "false", "--note", "short", "--package", str(pkg))
    assert result.exit_code == 1 and "note" in result.output and "nothing was written" in result.output
    assert "retractions.csv:2: [note]" in result.output and "kachin-events-check-" not in result.output
    result = _run("retire", "KE000005", "--reason", "duplicate", "--note", note, "--package", str(pkg))
    assert result.exit_code == 1 and "--merged-into" in result.output
    result = _run("retire", "KE000005", "--reason", "duplicate", "--merged-into", "KE999999", "--note", note,
                  "--package", str(pkg))
    assert result.exit_code == 1 and "KE999999" in result.output
    result = _run("retire", "KE000005", "--reason", "lost", "--note", note, "--package", str(pkg))
    assert result.exit_code == 2
    result = _run("correct", "KE000003", "fatalities_best", "about five", "--reason", "A later report.",
                  "--package", str(pkg))
    assert result.exit_code == 1 and "is not a whole number" in result.output
    result = _run("correct", "KE000003", "event_id", "KE000099", "--reason", "A later report.", "--package", str(pkg))
    assert result.exit_code == 1 and "never changes" in result.output
    result = _run("correct", "KE000003", "fatality", "5", "--reason", "A later report.", "--package", str(pkg))
    assert result.exit_code == 1 and "no field 'fatality'" in result.output
    assert _hashes(root) == before
    retire_event("KE000005", "false", note, package=pkg, today=DAY)
    with pytest.raises(ChangeRefused, match="already retired on 2026-03-01"):
        retire_event("KE000005", "false", note, package=pkg, today=DAY)


# -- correct --------------------------------------------------------------------------------


def test_correct_changes_the_value_and_records_it(pkg):
    result = _run("correct", "KE000003", "fatalities_best", "5", "--reason", "A later KNG report gives five dead.",
                  "--source-id", "kng-2026-01-bhamo-bases", "--date", DAY, "--package", str(pkg))
    assert result.exit_code == 0, result.output
    [event] = [r for r in _rows(pkg, "events") if r["event_id"] == "KE000003"]
    assert event["fatalities_best"] == "5"
    [row] = _rows(pkg, "corrections")
    assert {k: row[k] for k in get_schema("corrections").field_names} == {
        "event_id": "KE000003", "corrected_on": DAY, "field": "fatalities_best", "old_value": "", "new_value": "5",
        "reason": "A later KNG report gives five dead.", "source_id": "kng-2026-01-bhamo-bases"}
    _assert_valid(pkg)
    with pytest.raises(ChangeRefused, match="already corrected on 2026-03-01"):
        correct_event("KE000003", "fatalities_best", "6", "Another report gives six.", package=pkg, today=DAY)
    with pytest.raises(ChangeRefused, match="nothing to correct"):
        correct_event("KE000003", "fatalities_best", "5", "The same value again.", package=pkg, today=DAY)


# -- releases -------------------------------------------------------------------------------


def test_release_after_retire_and_correct(pkg, tmp_path):
    out = tmp_path / "releases"
    build_release("0.1.0", out, pkg)
    retire_event("KE000005", "false", "The KIA later denied that this clash took place.", package=pkg, today=DAY)
    correct_event("KE000003", "fatalities_best", "5", "A later KNG report gives five dead.", package=pkg, today=DAY)
    result = _run("build", "--version", "0.1.1", "--out", str(out), "--package", str(pkg))
    assert result.exit_code == 1 and "events retired (KE000005)" in result.output
    release = build_release("0.2.0", out, pkg)
    assert verify_release(release) == []
    with (release / "exports" / "deletions.csv").open(encoding="utf-8", newline="") as fh:
        assert list(csv.DictReader(fh)) == [{"event_id": "KE000005", "retired_on": DAY, "reason": "false",
                                             "merged_into": ""}]
    desc = json.loads((release / "datapackage.json").read_text(encoding="utf-8"))
    deletions = next(r for r in desc["resources"] if r["name"] == "deletions")
    assert deletions["path"] == "exports/deletions.csv" and deletions["type"] == "table"
    notes = (release / "CHANGELOG.md").read_text(encoding="utf-8")
    assert "## Retired events" in notes and "KE000005 retired on 2026-03-01 (false)" in notes
    assert "## Corrections" in notes and "A later KNG report gives five dead." in notes
    d = diff_releases("0.1.0", "0.2.0", releases=out)
    assert d.retired == [("KE000005",)] and d.unrecorded == [] and required_bump(d) == "minor"
    assert [r["field"] for r in d.corrections] == ["fatalities_best"]
    assert "x KE000005 (retired" in d.to_text() and "A later KNG report" in d.to_text()
    # A correction alone is a patch; the change log lists only the new correction.
    correct_event("KE000006", "geo_precision", "3", "The base's place on the road is not known.", package=pkg,
                  today=DAY)
    patch = build_release("0.2.1", out, pkg)
    notes = (patch / "CHANGELOG.md").read_text(encoding="utf-8")
    assert "(a patch release)" in notes and "The base's place" in notes and "five dead" not in notes
    assert "Retired events" not in notes
    # Tampering with the deletions list is caught.
    (patch / "exports" / "deletions.csv").write_text("event_id,retired_on,reason,merged_into\n", encoding="utf-8")
    assert any("deletions.csv: its rows are not those of" in p for p in verify_release(patch))


def test_first_release_notes_list_retirements_and_corrections(pkg, tmp_path):
    retire_event("KE000004", "duplicate", "Reported twice: the same clash as KE000003.", merged_into="KE000003",
                 package=pkg, today=DAY)
    correct_event("KE000003", "fatalities_best", "5", "A later KNG report gives five dead.", package=pkg, today=DAY)
    release = build_release("0.1.0", tmp_path / "releases", pkg)
    notes = (release / "CHANGELOG.md").read_text(encoding="utf-8")
    assert "First release" in notes and "KE000004 retired on 2026-03-01 (duplicate, merged into KE000003)" in notes
    assert "five dead" in notes
    assert (release / "exports" / "deletions.csv").read_text(encoding="utf-8").splitlines()[1].startswith("KE000004,")
