"""``kachin-events import-ucdp``: UCDP's GED and Candidate layouts become a submission that
validates and that ``add`` merges; importing the same file again adds nothing. The
fixtures are made up (tests/data/import/README.md).
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from import_helpers import assert_accounted, by_external_id, repo  # noqa: F401  (repo is a fixture)

from kachin_events.cli import cli
from kachin_events.importers import ImportInputError, import_ucdp

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data" / "import"
TODAY = dt.date(2026, 11, 22)
GED = {"dataset": "ged", "dataset_version": "UCDP GED 25.1 (test fixture)", "today": TODAY}


def _rows(path: Path) -> list[dict]:
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def _write(path: Path, rows: list[dict]) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    return path


def test_ged_imports_and_validates(repo, tmp_path):
    from kachin_events import validate

    out = tmp_path / "ucdp-import"
    result = import_ucdp(DATA / "ucdp_ged.csv", out, **GED)
    s = result.summary
    assert_accounted(s)
    events = by_external_id(result)
    assert sorted(events) == ["9900001", "9900002", "9900005"]
    assert s.skipped_outside == 1
    assert {u["external_id"]: u["reason"] for u in s.unmapped} == {"9900004": "place", "9900006": "actor"}
    assert "where_prec is 6" in next(u["message"] for u in s.unmapped if u["external_id"] == "9900004")
    assert s.actors_not_matched == {"Test Group That Does Not Exist": 1}
    report = validate(*sorted(out.glob("*.csv")), reference=repo / "datapackage.json", today=TODAY)
    assert report.valid, report.to_text()
    assert {e["dataset"] for e in result.tables["external_events"]} == {"ucdp_ged"}


def test_ucdp_values_are_mapped_by_the_documented_rules(repo):
    from kachin_events.crosswalk.ucdp import TYPE_OF_VIOLENCE

    result = import_ucdp(DATA / "ucdp_ged.csv", **GED)
    events = by_external_id(result)
    links = by_external_id(result, "external_events")
    clash, attack, district = events["9900001"], events["9900002"], events["9900005"]
    assert (clash["actor1"], clash["actor2"]) == ("myanmar_military", "kio")  # UCDP's names, through the aliases
    assert (clash["fatalities_low"], clash["fatalities_best"], clash["fatalities_high"]) == (2, 2, 3)
    for ext, tov in (("9900001", 1), ("9900002", 3)):
        event, rule = events[ext], TYPE_OF_VIOLENCE[tov]
        assert (event["event_type"], event["sub_event_type"]) == (rule["event_type"], rule["sub_event_type"])
        # The choice can be told apart: the notes and the link say the rule chose the types.
        assert f"type_of_violence {tov}" in event["notes"] and f"type_of_violence {tov}" in links[ext]["note"]
        assert "CC BY 4.0" in event["notes"] and GED["dataset_version"] in event["notes"]
    assert attack["civilian_targeting"] is True and clash["civilian_targeting"] is None
    # low above best: the bound is left empty, with a warning.
    assert (attack["fatalities_low"], attack["fatalities_best"], attack["fatalities_high"]) == (None, 4, 4)
    assert any("low (5) is above best (4)" in w["message"] for w in result.summary.warnings)
    assert (attack["date_start"], attack["date_end"], attack["date_precision"]) == ("2026-02-01", "2026-02-07", "week")
    # where_prec 3 naming a district: only the district is known.
    assert (district["admin2_pcode"], district["admin3_pcode"], district["location_pcode"]) == (
        "MMR001D002", None, "MMR001D002")
    assert (district["geo_precision"], district["event_clarity"]) == (3, 2)
    sources = {r["source_id"]: r for r in result.tables["sources"]}
    dated = [(r["publication_date_earliest"], r["publication_date_latest"]) for r in sources.values()
             if r["publisher"] == "Test Daily" and r["title"] == "Villagers killed (fixture headline)"]
    assert dated == [("2026-02-09", "2026-02-09")]  # "9 February 2026" in the entry
    release = sources["ucdp-ged-25-1-test-fixture"]
    assert release["publisher"] == "Uppsala Conflict Data Program (UCDP)" and "CC BY 4.0" in release["notes"]
    claims = [c for c in result.tables["event_sources"] if c["claimant_id"] == "ucdp"]
    assert {(c["claimed_fatalities_low"], c["claimed_fatalities_high"]) for c in claims} == {(2, 3), (None, 4), (3, 5)}
    assert sorted(c["claimant_id"] for c in result.tables["claimants"]) == ["test_daily", "test_wire", "ucdp"]


def test_a_source_cited_by_two_events_is_one_source(repo, tmp_path):
    rows = _rows(DATA / "ucdp_ged.csv")
    twin = dict(rows[0], id="9900011", relid="TEST-9900011", date_start="2026-01-14", date_end="2026-01-14")
    result = import_ucdp(_write(tmp_path / "twin.csv", [rows[0], twin]), **GED)
    article = [r for r in result.tables["sources"] if r["publisher"] == "Test Wire"]
    assert len(article) == 1 and "9900001" in article[0]["notes"] and "9900011" in article[0]["notes"]
    assert sum(c["source_id"] == article[0]["source_id"] for c in result.tables["event_sources"]) == 2


def test_the_candidate_layout_imports_and_validates(repo, tmp_path):
    from kachin_events import validate

    out = tmp_path / "candidate"
    result = import_ucdp(DATA / "ucdp_candidate.csv", out, dataset_version="UCDP Candidate 25.0.10 (test fixture)",
                         today=TODAY)
    s = result.summary
    assert_accounted(s)
    events = by_external_id(result)
    assert sorted(events) == ["9910001", "9910004"]
    assert s.skipped_outside == 1  # Yangon, although its adm_1 says Kachin: the point decides
    assert [(u["external_id"], u["reason"]) for u in s.unmapped] == [("9910003", "date")]
    assert (events["9910001"]["date_start"], events["9910001"]["date_end"]) == ("2025-10-14", "2025-10-14")
    assert (events["9910004"]["actor1"], events["9910004"]["actor2"], events["9910004"]["event_type"]) == (
        "kio", "sna", "Battles")
    assert {e["dataset"] for e in result.tables["external_events"]} == {"ucdp_candidate"}
    report = validate(*sorted(out.glob("*.csv")), reference=repo / "datapackage.json", today=TODAY)
    assert report.valid, report.to_text()


def test_add_merges_it_and_a_second_import_adds_nothing(repo, tmp_path):
    from kachin_events import validate

    out = tmp_path / "ucdp-import"
    first = import_ucdp(DATA / "ucdp_ged.csv", out, **GED)
    runner = CliRunner()
    added = runner.invoke(cli, ["add", str(out), "--source-id", "ucdp-ged-25-1-test-fixture",
                                "--today", TODAY.isoformat(), "--format", "json"])
    assert added.exit_code == 0, added.output
    given = {e["submitted"]: e["event_id"] for e in json.loads(added.output)["ids"]}
    assert len(given) == len(first.summary.imported) == 3
    assert validate(repo / "datapackage.json", today=TODAY).valid
    # Again, on another day: every imported row is already linked, nothing new is written.
    again = import_ucdp(DATA / "ucdp_ged.csv", tmp_path / "again", **{**GED, "today": TODAY + dt.timedelta(days=1)})
    assert_accounted(again.summary)
    assert again.summary.imported == [] and not again.tables["events"] and not again.tables["sources"]
    linked = {a["external_id"]: a["event_id"] for a in again.summary.already_linked}
    links = {e["external_id"]: e["event_id"] for e in first.tables["external_events"]}
    assert linked == {ext: given[tmp] for ext, tmp in links.items()}
    assert _rows(tmp_path / "again" / "events.csv") == []


def test_candidate_links_are_reported(repo):
    result = import_ucdp(DATA / "ucdp_ged.csv", **GED)
    pairs = {(c["external_id"], c["candidate"]) for c in result.summary.candidate_links}
    # 9900001 (Government of Myanmar vs KIO at Bhamo, 15 January 2026) and our KE000005 (KIA vs the
    # junta around Bhamo that day): the KIA's parent is the KIO, so the actors are the same pair.
    assert ("9900001", "KE000005") in pairs
    assert not any(e == "9900002" for e, _ in pairs)


def test_the_dataset_and_version_come_from_ucdp_file_names(repo, tmp_path):
    named = tmp_path / "GEDEvent_v25_1.csv"
    shutil.copy(DATA / "ucdp_ged.csv", named)
    result = import_ucdp(named, today=TODAY)
    versions = {(e["dataset"], e["dataset_version"]) for e in result.tables["external_events"]}
    assert versions == {("ucdp_ged", "UCDP GED 25.1")}
    with pytest.raises(ImportInputError, match="--dataset-version"):
        import_ucdp(DATA / "ucdp_ged.csv", today=TODAY)
    cli_run = CliRunner().invoke(cli, ["import-ucdp", str(DATA / "ucdp_ged.csv"), "-o", str(tmp_path / "x"), "--today", TODAY.isoformat()])
    assert cli_run.exit_code == 2 and "GEDEvent_v25_1" in cli_run.output
    assert not (tmp_path / "x").exists()


def test_the_cli_summary_as_json(repo, tmp_path):
    out = tmp_path / "ucdp-import"
    result = CliRunner().invoke(cli, ["import-ucdp", str(DATA / "ucdp_ged.csv"), "-o", str(out), "--dataset", "ged",
                                      "--dataset-version", GED["dataset_version"], "--today", TODAY.isoformat(),
                                      "--format", "json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    assert summary["balanced"] is True and summary["rows_read"] == 6
    assert summary["unmapped_by_reason"] == {"actor": 1, "place": 1}
    assert summary["already_linked"] == 0 and summary["candidate_links"] >= 1
    assert any("--source-id ucdp-ged-25-1-test-fixture" in n for n in summary["notices"])
    assert len(_rows(out / "events.csv")) == summary["imported"] == 3


def test_source_entries_are_split_into_outlet_date_and_headline():
    from kachin_events.importers.ucdp import parse_entry

    assert parse_entry("Test Daily, 15 October 2025, Clash") == ("Test Daily", dt.date(2025, 10, 15),
                                                                 dt.date(2025, 10, 15), "Clash")
    assert parse_entry("Test Wire, October 16, 2025, Clash, again") == ("Test Wire", dt.date(2025, 10, 16),
                                                                        dt.date(2025, 10, 16), "Clash, again")
    assert parse_entry("Test Wire") == ("Test Wire", None, None, None)
