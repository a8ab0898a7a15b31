"""Diffs between releases, and the version-bump rules that ``build`` enforces with them."""

from __future__ import annotations

import copy
import csv
import io
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from kachin_events.cli import cli
from kachin_events.release.build import build_release
from kachin_events.release.diff import diff_releases, required_bump, schema_changes
from kachin_events.release.semver import VersionError
from kachin_events.schema import get_schema

REPO = Path(__file__).resolve().parents[1]
PACKAGE = REPO / "datapackage.json"
BHAMO = "data/reports/kng-2026-01-bhamo-bases"
FRONTS = "data/reports/kng-2026-02-four-fronts"


@pytest.fixture
def releases(release_base) -> Path:
    """A private folder of releases holding 0.1.0 (conftest's session build)."""
    return release_base


@pytest.fixture
def package(tmp_path) -> Path:
    """A private copy of the repository's source package; returns its datapackage.json."""
    pkg = tmp_path / "pkg"
    shutil.copytree(REPO / "data", pkg / "data")
    shutil.copytree(REPO / "schemas", pkg / "schemas")
    shutil.copy(PACKAGE, pkg / "datapackage.json")
    return pkg / "datapackage.json"


def _edit_csv(path: Path, edit) -> None:
    """Rewrite a CSV file through ``edit(header, rows) -> rows`` (rows as dicts)."""
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        header, rows = list(reader.fieldnames), list(reader)
    rows = edit(header, rows)
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=header, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(buf.getvalue(), encoding="utf-8")


def _set(key: str, value: str, field: str, new: str):
    def edit(header, rows):
        hits = [r for r in rows if r[key] == value]
        assert hits, f"no row with {key}={value}"
        for r in hits:
            r[field] = new
        return rows

    return edit


def _copy_row(key: str, value: str, new_value: str):
    def edit(header, rows):
        extra = [dict(r, **{key: new_value}) for r in rows if r[key] == value]
        assert extra
        return rows + extra

    return edit


def _drop(key: str, value: str):
    return lambda header, rows: [r for r in rows if r[key] != value]


# -- SemVer through build -----------------------------------------------------------------


def test_value_correction_is_a_patch(releases, package):
    _edit_csv(package.parent / BHAMO / "events.csv",
              _set("event_id", "KE000001", "notes", "A corrected note about the start of the Bhamo offensive."))
    build_release("0.1.1", releases, package)
    d = diff_releases("0.1.0", "0.1.1", releases=releases)
    assert required_bump(d) == "patch"
    assert list(d.events.changed) == [("KE000001",)]
    assert list(d.events.changed[("KE000001",)]) == ["notes"]
    old, new = d.events.changed[("KE000001",)]["notes"]
    assert new == "A corrected note about the start of the Bhamo offensive." and old.startswith("Start of the KIA")
    assert not d.events.added and not d.events.removed and not d.schema
    assert all(t.empty for name, t in d.tables.items() if name != "events")
    notes = (releases / "0.1.1" / "CHANGELOG.md").read_text(encoding="utf-8")
    assert "# kachin-events 0.1.1" in notes and "KE000001" in notes and "patch" in notes


def test_new_event_needs_minor_and_a_patch_bump_is_refused(releases, package):
    _edit_csv(package.parent / FRONTS / "events.csv", _copy_row("event_id", "KE000010", "KE000099"))
    _edit_csv(package.parent / FRONTS / "event_sources.csv", _copy_row("event_id", "KE000010", "KE000099"))
    result = CliRunner().invoke(cli, ["build", "--version", "0.1.1", "--out", str(releases),
                                      "--package", str(package)])
    assert result.exit_code == 1
    assert "need a minor release" in result.output and "KE000099" in result.output
    assert "Build 0.2.0 instead" in result.output
    assert not (releases / "0.1.1").exists() and not (releases / "kachin-events-0.1.1.zip").exists()
    build_release("0.2.0", releases, package)
    d = diff_releases("0.1.0", "0.2.0", releases=releases)
    assert required_bump(d) == "minor"
    assert d.events.added == [("KE000099",)] and not d.events.changed and not d.events.removed
    assert len(d.tables["event_sources"].added) == 1


def test_removed_column_needs_major(releases):
    # A previous release that had one more column in events than the data has now.
    old = releases / "0.1.0"
    desc = json.loads((old / "datapackage.json").read_text(encoding="utf-8"))
    events = next(r for r in desc["resources"] if r["name"] == "events")
    events["schema"]["fields"].append({"name": "legacy_code", "type": "string", "description": "Dropped later."})
    (old / "datapackage.json").write_text(json.dumps(desc), encoding="utf-8")
    _edit_csv(old / "csv" / "events.csv", lambda header, rows: (header.append("legacy_code"),
                                                                  [dict(r, legacy_code="x") for r in rows])[1])
    with pytest.raises(VersionError, match=r"need a major release: events: column legacy_code removed"):
        build_release("0.2.0", releases, PACKAGE)
    assert not (releases / "0.2.0").exists()
    build_release("1.0.0", releases, PACKAGE)
    d = diff_releases("0.1.0", "1.0.0", releases=releases)
    assert [(c.kind, c.field, c.bump) for c in d.schema] == [("field-removed", "legacy_code", "major")]
    assert required_bump(d) == "major"


def _hand_release(releases: Path, version: str, edit_events) -> Path:
    """A release folder copied from 0.1.0 with its events CSV edited (enough for diff)."""
    folder = releases / version
    shutil.copytree(releases / "0.1.0", folder)
    desc = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    desc["version"] = version
    (folder / "datapackage.json").write_text(json.dumps(desc), encoding="utf-8")
    _edit_csv(folder / "csv" / "events.csv", edit_events)
    return folder


def test_removed_event_is_minor_and_its_id_is_never_reused(releases):
    _hand_release(releases, "0.2.0", _drop("event_id", "KE000002"))
    d = diff_releases("0.1.0", "0.2.0", releases=releases)
    assert d.events.removed == [("KE000002",)]
    assert required_bump(d) == "minor"
    # The repository's data still has KE000002: after 0.2.0 retired it, that is reuse.
    with pytest.raises(VersionError, match="KE000002 were in release 0.1.0 and removed since"):
        build_release("0.3.0", releases, PACKAGE)
    assert not (releases / "0.3.0").exists()


def test_version_not_greater_than_the_previous_is_refused(releases, tmp_path):
    with pytest.raises(VersionError, match="0.0.9 is not greater than the previous release 0.1.0"):
        build_release("0.0.9", tmp_path / "elsewhere", PACKAGE, previous=releases / "0.1.0")
    assert not (tmp_path / "elsewhere").exists()


def test_a_version_below_a_release_in_the_same_folder_is_refused(releases):
    """0.1.0 is in the folder: building 0.0.9 there would make 'the latest release' ambiguous."""
    before = sorted(p.name for p in releases.iterdir())
    with pytest.raises(VersionError, match="0.0.9 is below the newest release 0.1.0"):
        build_release("0.0.9", releases, PACKAGE)
    assert sorted(p.name for p in releases.iterdir()) == before


# -- the diff itself ------------------------------------------------------------------------


@pytest.fixture
def before_after(releases) -> tuple[Path, Path]:
    """0.1.0 and a hand-made 0.2.0: KE000002 removed, KE000099 added, two events corrected."""
    def edit(header, rows):
        rows = [r for r in rows if r["event_id"] != "KE000002"]
        for r in rows:
            if r["event_id"] == "KE000001":
                r["geo_precision"] = "3"
            if r["event_id"] == "KE000005":
                r["fatalities_best"] = "3"
                r["location"] = "Near MOC 21"
        new = dict(next(r for r in rows if r["event_id"] == "KE000010"), event_id="KE000099")
        return rows + [new]

    after = _hand_release(releases, "0.2.0", edit)
    _edit_csv(after / "csv" / "event_tags.csv", _copy_row("event_id", "KE000009", "KE000099"))
    return releases / "0.1.0", after


def test_diff_lists_exactly_what_changed(before_after):
    d = diff_releases(*before_after)
    assert (d.old, d.new) == ("0.1.0", "0.2.0")
    assert d.events.added == [("KE000099",)]
    assert d.events.removed == [("KE000002",)]
    assert d.events.changed == {
        ("KE000001",): {"geo_precision": (2, 3)},
        ("KE000005",): {"location": (_cell("KE000005", "location"), "Near MOC 21"), "fatalities_best": (None, 3)},
    }
    assert [len(d.tables["event_tags"].added), len(d.tables["event_tags"].removed)] == [1, 0]
    assert all(t.empty for n, t in d.tables.items() if n not in ("events", "event_tags"))
    assert d.schema == []
    assert required_bump(d) == "minor"


def _cell(event_id: str, field: str) -> str:
    for path in (REPO / BHAMO / "events.csv", REPO / FRONTS / "events.csv"):
        with path.open(encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                if row["event_id"] == event_id:
                    return row[field]
    raise KeyError(event_id)


def test_identical_releases_need_no_bump(releases):
    d = diff_releases("0.1.0", releases / "0.1.0", releases=releases)
    assert required_bump(d) is None
    assert all(t.empty for t in d.tables.values()) and not d.schema


def test_renderings_and_cli(before_after, releases):
    before, after = before_after
    d = diff_releases(before, after)
    text = d.to_text()
    assert "needs a minor release" in text and "+ KE000099" in text and "- KE000002" in text
    assert "fatalities_best null -> 3" in text
    doc = json.loads(d.to_json())
    assert doc["required_bump"] == "minor" and doc["events"]["added"] == ["KE000099"]
    assert doc["events"]["changed"]["KE000005"]["fatalities_best"] == {"old": None, "new": 3}
    assert doc["tables"]["event_tags"]["added"] == 1
    md = d.to_markdown(created="2026-03-01T00:00:00Z")
    assert md.startswith("# kachin-events 0.2.0\n") and "Removed (the ids are retired" in md
    result = CliRunner().invoke(cli, ["diff", "0.1.0", "0.2.0", "--releases", str(releases), "--format", "json"])
    assert result.exit_code == 0 and json.loads(result.output) == doc
    result = CliRunner().invoke(cli, ["diff", "0.1.0", "9.9.9", "--releases", str(releases)])
    assert result.exit_code == 2 and "no release 9.9.9" in result.output


def test_first_release_notes_list_tables_and_counts(built_release):
    notes = (built_release / "0.1.0" / "CHANGELOG.md").read_text(encoding="utf-8")
    assert "First release" in notes
    assert "| events | 22 |" in notes and "| locations | 845 |" in notes


# -- schema changes -------------------------------------------------------------------------


def _events() -> dict:
    return copy.deepcopy(get_schema("events").descriptor)


def _field(desc: dict, name: str) -> dict:
    return next(f for f in desc["fields"] if f["name"] == name)


def _kinds(old: dict, new: dict) -> list[tuple]:
    return [(c.kind, c.field, c.bump) for c in schema_changes("events", old, new)]


def test_schema_change_rules():
    old = _events()

    new = _events()
    _field(new, "date_precision")["constraints"]["enum"].append("decade")
    _field(new, "date_precision")["categories"].append({"value": "decade", "label": "Ten years."})
    assert _kinds(old, new) == [("enum-added", "date_precision", "minor"),
                                ("categories-added", "date_precision", "minor")]

    new = _events()
    _field(new, "event_clarity")["constraints"]["enum"].remove(2)
    assert _kinds(old, new) == [("enum-removed", "event_clarity", "major")]

    new = _events()
    _field(new, "date_precision")["categories"][1]["acled_time_precision"] = 1
    assert _kinds(old, new) == [("category-changed", "date_precision", "major")]

    new = _events()
    _field(new, "date_precision")["categories"][1]["label"] = "Two to six days."
    assert _kinds(old, new) == [("category-changed", "date_precision", "patch")]

    new = _events()
    _field(new, "fatalities_best")["type"] = "number"
    assert _kinds(old, new) == [("type", "fatalities_best", "major")]

    new = _events()
    _field(new, "location")["constraints"]["minLength"] = 3
    assert _kinds(old, new) == [("constraints", "location", "major")]

    new = _events()
    _field(new, "notes")["description"] = "Reworded."
    new["description"] = "Reworded too."
    assert _kinds(old, new) == [("annotation", "notes", "patch"), ("annotation", None, "patch")]

    new = _events()
    new["fields"].append({"name": "weather", "type": "string"})
    assert _kinds(old, new) == [("field-added", "weather", "minor")]

    new = _events()
    _field(new, "notes")["name"] = "summary"  # a rename is a removal and an addition
    assert _kinds(old, new) == [("field-removed", "notes", "major"), ("field-added", "summary", "minor")]

    new = _events()
    new["fields"][1], new["fields"][2] = new["fields"][2], new["fields"][1]
    assert _kinds(old, new) == [("order", None, "major")]

    new = _events()
    new["primaryKey"] = ["event_id", "date_start"]
    assert _kinds(old, new) == [("keys", None, "major")]

    assert _kinds(old, _events()) == []
    assert [c.bump for c in schema_changes("weather", None, {"fields": []})] == ["minor"]
    assert [c.bump for c in schema_changes("events", old, None)] == ["major"]
