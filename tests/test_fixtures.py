"""One test per fixture in tests/data/: valid, invalid (named by the rules they break), warning."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from kachin_events import RULES, validate

HERE = Path(__file__).resolve().parent
REPO_PACKAGE = HERE.parent / "datapackage.json"
DATA = HERE / "data"
TODAY = dt.date(2026, 11, 22)


def entries(kind):
    return sorted((DATA / kind).iterdir(), key=lambda p: p.name)


def expected_rules(path: Path) -> set[str]:
    return set(path.name.split("__")[0].split("+"))


def check(path):
    return validate(path, today=TODAY, reference=REPO_PACKAGE)


@pytest.mark.parametrize("path", entries("valid"), ids=lambda p: p.name)
def test_valid_fixture(path):
    report = check(path)
    assert report.valid, report.to_text()
    assert report.findings == [], report.to_text()


@pytest.mark.parametrize("path", entries("invalid"), ids=lambda p: p.name)
def test_invalid_fixture(path):
    report = check(path)
    assert not report.valid
    assert {f.rule for f in report.errors} == expected_rules(path), report.to_text()
    for f in report.errors:
        # Every finding says where and how to fix it.
        assert f.file and f.message and len(f.message) > 15
        assert f.row is None or f.row >= 1
    expected_exit = 2 if "unreadable" in expected_rules(path) else 1
    assert report.exit_code == expected_exit


@pytest.mark.parametrize("path", entries("warning"), ids=lambda p: p.name)
def test_warning_fixture(path):
    report = check(path)
    assert report.valid, report.to_text()
    assert expected_rules(path) <= {f.rule for f in report.warnings}, report.to_text()


def test_every_rule_has_a_fixture():
    """A rule nobody has seen fail is a rule nobody knows works."""
    covered = set()
    for kind in ("invalid", "warning"):
        for path in entries(kind):
            covered |= expected_rules(path)
    # unlisted-file and coding-notes need a whole package (tests/test_validate.py); engine-error is a bug
    # report and unique is, for now, only declared on single-field primary keys.
    untestable_here = {"unlisted-file", "coding-notes", "engine-error", "unique"}
    # descriptor is about a datapackage.json and its schemas: tests/test_descriptor.py.
    untestable_here.add("descriptor")
    # The base rules compare a package with the branch or release it starts from, which a folder of
    # CSVs has not got: base-removed, base-id-reused and base-uncorrected-edit are tested in
    # tests/test_base.py and tests/test_validate.py.
    untestable_here |= {"base-removed", "base-id-reused", "base-uncorrected-edit"}
    missing = {r.id for r in RULES} - covered - untestable_here
    assert not missing, f"rules without a fixture: {sorted(missing)}"


def test_fixture_rows_point_at_the_line():
    """The finding's row is the CSV line a person sees (header = line 1)."""
    report = check(DATA / "invalid" / "date-order__ends_before_it_starts")
    (finding,) = report.errors
    assert (Path(finding.file).name, finding.row, finding.field) == ("events.csv", 2, "date_end")
    report = check(DATA / "invalid" / "primary-key__event_id_twice")
    (finding,) = report.errors
    assert finding.row == 3 and finding.field == "event_id"
