"""The history of one event through the releases: added, changed field by field with the
corrections' reasons, retired with the retraction's reason, merged."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from kachin_events.cli import cli
from kachin_events.contrib.retire import correct_event, retire_event
from kachin_events.release.build import build_release
from kachin_events.release.history import UnknownEventError, history

REPO = Path(__file__).resolve().parents[1]
DAY = "2026-03-01"
CORRECTED, RETIRED, MERGED, SAME = "KE000003", "KE000005", "KE000004", "KE000001"
REASON = "A later KNG report gives five dead."
NOTE = "The KIA later denied that this clash took place."


def _cell(release: Path, event_id: str, field: str) -> str:
    with open(release / "csv" / "events.csv", encoding="utf-8", newline="") as fh:
        return next(r[field] for r in csv.DictReader(fh) if r["event_id"] == event_id)


@pytest.fixture(scope="module")
def releases(tmp_path_factory) -> Path:
    """0.1.0 built from a copy of the package; 0.2.0 after a correction, a retirement and a merge."""
    tmp = tmp_path_factory.mktemp("history")
    root = tmp / "repo"
    shutil.copytree(REPO / "data", root / "data")
    shutil.copy(REPO / "datapackage.json", root / "datapackage.json")
    pkg = root / "datapackage.json"
    out = tmp / "releases"
    with pytest.MonkeyPatch.context() as mp:
        mp.delenv("SOURCE_DATE_EPOCH", raising=False)
        build_release("0.1.0", out, pkg)
        correct_event(CORRECTED, "fatalities_best", "5", REASON, package=pkg, today=DAY)
        retire_event(RETIRED, "false", NOTE, package=pkg, today=DAY)
        retire_event(MERGED, "duplicate", f"Reported twice: the same clash as {CORRECTED}.", merged_into=CORRECTED,
                     package=pkg, today=DAY)
        build_release("0.2.0", out, pkg)
    return out


def test_a_corrected_event_shows_each_changed_field_with_its_reason(releases):
    h = history(CORRECTED, releases=releases)
    assert h.releases == ["0.1.0", "0.2.0"]
    first, second = h.steps
    assert (first.version, first.status, first.changes) == ("0.1.0", "added", {})
    assert second.version == "0.2.0" and second.status == "changed"
    old = _cell(releases / "0.1.0", CORRECTED, "fatalities_best")
    assert second.changes["fatalities_best"] == (int(old) if old else None, 5)
    [row] = second.corrections
    assert (row["field"], row["new_value"], row["reason"], row["corrected_on"]) == ("fatalities_best", "5", REASON, DAY)
    assert [r["event_id"] for r in second.merged_in] == [MERGED]
    assert h.retired is None
    text = h.to_text()
    assert "0.2.0" in text and "fatalities_best" in text and REASON in text and f"{MERGED} was merged into it" in text


def test_a_retired_event_ends_with_its_retirement(releases):
    h = history(RETIRED, releases=releases)
    assert [(s.version, s.status) for s in h.steps] == [("0.1.0", "added"), ("0.2.0", "retired")]
    assert h.retired.retirement["reason"] == "false" and h.retired.retirement["note"] == NOTE
    assert h.retired.retirement["retired_on"] == DAY
    merged = history(MERGED, releases=releases).retired
    assert merged.retirement["reason"] == "duplicate" and merged.retirement["merged_into"] == CORRECTED
    assert f"merged into {CORRECTED}" in history(MERGED, releases=releases).to_text()


def test_an_unchanged_event_is_listed_in_every_release(releases):
    h = history(SAME, releases=releases)
    assert [(s.version, s.status) for s in h.steps] == [("0.1.0", "added"), ("0.2.0", "unchanged")]
    assert all(not s.changes and not s.corrections and s.retirement is None for s in h.steps)


def test_an_unknown_event_says_which_ids_are_close(releases):
    with pytest.raises(UnknownEventError, match=r"none of the 2 releases \(0\.1\.0, 0\.2\.0\).*Did you mean KE000003"):
        history("KE00003", releases=releases)


def test_history_command(releases, tmp_path):
    runner = CliRunner()
    text = runner.invoke(cli, ["history", CORRECTED, "--releases", str(releases)])
    assert text.exit_code == 0, text.output
    assert REASON in text.output and "0.1.0" in text.output
    shown = runner.invoke(cli, ["history", RETIRED, "--releases", str(releases), "--format", "json"])
    as_json = json.loads(shown.output)
    assert [s["status"] for s in as_json["steps"]] == ["added", "retired"]
    assert as_json["steps"][1]["retirement"]["note"] == NOTE
    unknown = runner.invoke(cli, ["history", "KE999999", "--releases", str(releases)])
    assert unknown.exit_code == 1 and "KE999999" in unknown.stderr and "Traceback" not in unknown.output
    missing = runner.invoke(cli, ["history", CORRECTED, "--releases", str(tmp_path / "nowhere")])
    assert missing.exit_code == 2 and "not a folder of releases" in missing.stderr
    broken = tmp_path / "broken"
    shutil.copytree(releases, broken)
    (broken / "0.2.0" / "csv" / "events.csv").write_bytes(b"\xff\xfe not utf-8")
    unreadable = runner.invoke(cli, ["history", CORRECTED, "--releases", str(broken)])
    assert unreadable.exit_code == 2 and "events.csv" in unreadable.stderr and "Traceback" not in unreadable.output


def test_the_published_releases_are_the_default_and_are_checked(tmp_path, monkeypatch):
    from kachin_events.integrity import HashMismatchError
    from kachin_events.release import published

    h = history(SAME)
    assert h.steps[0].status == "added" and h.releases == [r.version for r in published.releases()]
    assert CliRunner().invoke(cli, ["history", SAME]).exit_code == 0
    # A changed copy of a published release is refused, not read.
    copy = tmp_path / "releases"
    shutil.copytree(published.published_root(), copy)
    first = h.releases[0]
    events = copy / first / "csv" / "events.csv"
    events.write_bytes(events.read_bytes().replace(b"KE000001", b"KE000099", 1))
    monkeypatch.setattr(published, "published_root", lambda: copy)
    with pytest.raises(HashMismatchError, match=f"release {first} was refused"):
        history(SAME)
    result = CliRunner().invoke(cli, ["history", SAME])
    assert result.exit_code == 1 and "refused" in result.stderr
