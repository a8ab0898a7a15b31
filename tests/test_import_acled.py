"""``kachin-events import-acled``: ACLED's current and older layouts (CSV and XLSX) become a
submission that validates, every row is accounted for, and ``add`` refuses it (ACLED's
terms forbid redistributing its rows). The fixtures are made up (tests/data/import/README.md).
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from import_helpers import assert_accounted, by_external_id, repo  # noqa: F401  (repo is a fixture)

from kachin_events.cli import cli
from kachin_events.importers import ImportInputError, import_acled

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data" / "import"
TODAY = dt.date(2026, 11, 22)


def _tree(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def _csv_rows(path: Path) -> list[dict]:
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def test_the_current_layout_imports_and_validates(repo, tmp_path):
    from kachin_events import validate

    out = tmp_path / "acled-import"
    result = import_acled(DATA / "acled_current.csv", out, today=TODAY)
    s = result.summary
    assert_accounted(s)
    assert s.rows_read == len(_csv_rows(DATA / "acled_current.csv"))
    events = by_external_id(result)
    assert sorted(events) == ["TEST-MMR-0001", "TEST-MMR-0002", "TEST-MMR-0007"]
    assert s.skipped_outside == 2  # Mandalay and Yangon
    assert {u["external_id"]: u["reason"] for u in s.unmapped} == {"TEST-MMR-0005": "event-type",
                                                                     "TEST-MMR-0006": "actor"}
    assert s.actors_not_matched == {"Test Militia That Does Not Exist": 1}
    report = validate(*sorted(out.glob("*.csv")), reference=repo / "datapackage.json", today=TODAY)
    assert report.valid, report.to_text()
    assert (out / "CODING.md").read_text(encoding="utf-8").startswith("# Coder's notes")


def test_acled_values_are_mapped_by_the_documented_rules(repo):
    result = import_acled(DATA / "acled_current.csv", today=TODAY)
    events = by_external_id(result)
    clash, strike, capture = events["TEST-MMR-0001"], events["TEST-MMR-0002"], events["TEST-MMR-0007"]
    # ACLED's combined KIO/KIA name is the KIA through the alias list; the point's township is kept.
    assert (clash["actor1"], clash["actor2"]) == ("kia", "myanmar_military")
    assert (clash["admin3_pcode"], clash["location"], clash["location_pcode"]) == ("MMR001010", "Bhamo", "MMR001010701")
    # 0 is "none or not reported" in ACLED: unknown, not zero.
    assert (clash["fatalities_low"], clash["fatalities_best"], clash["fatalities_high"]) == (None, None, None)
    assert (strike["fatalities_low"], strike["fatalities_best"], strike["fatalities_high"]) == (3, 3, None)
    assert strike["civilian_targeting"] is True and clash["civilian_targeting"] is None
    assert strike["date_start"] == strike["date_end"] == "2026-02-04"  # written 2026-02-04T00:00:00Z
    # time_precision 2: the week centred on ACLED's day.
    week = (capture["date_start"], capture["date_end"], capture["date_precision"])
    assert week == ("2026-01-07", "2026-01-13", "week")
    claims = [c for c in result.tables["event_sources"] if c["claimant_type"] == "independent"]
    figures = {(c["claimed_fatalities_low"], c["claimed_fatalities_high"]) for c in claims}
    assert figures == {(None, None), (3, None), (5, None)}
    outlets = [c["claimant"] for c in result.tables["event_sources"] if c["event_id"] == clash["event_id"]
               and c["claimant_type"] == "outlet"]
    assert outlets == ["Test Outlet A", "Test Outlet B"]
    tags = by_external_id(result, "event_tags")
    assert tags["TEST-MMR-0002"]["tag"] == "property_damage" and "crowd size=no report" in strike["notes"]
    assert {a["actor_id"] for a in result.tables["event_actors"]} == {"pdf"}
    # The file's admin names say Myitkyina; the point lies in Puta-O: the point decides, with a warning.
    assert capture["admin3_pcode"] == "MMR001014"
    warned = [w["message"] for w in result.summary.warnings if w["external_id"] == "TEST-MMR-0007"]
    assert any("admin3" in m and "MMR001014" in m for m in warned)
    assert result.summary.places_not_matched == {"Test Village A": 1}


def test_the_older_layout_imports(repo, tmp_path):
    from kachin_events import validate

    out = tmp_path / "old"
    result = import_acled(DATA / "acled_older.csv", out, today=TODAY)
    s = result.summary
    assert_accounted(s)
    events = by_external_id(result)
    assert sorted(events) == ["TEST-MMR-1001", "TEST-MMR-1004"]
    assert [(u["external_id"], u["reason"]) for u in s.unmapped] == [("TEST-MMR-1002", "date")]
    assert s.skipped_outside == 1
    assert events["TEST-MMR-1001"]["date_start"] == "2022-03-14"  # "14 March 2022"
    assert events["TEST-MMR-1001"]["actor1"] == "kia"  # "KIA: Kachin Independence Army"
    # time_precision 3 on the 16th: ACLED's middle of the month stands for the month.
    month = events["TEST-MMR-1004"]
    assert (month["date_start"], month["date_end"], month["date_precision"]) == ("2022-05-01", "2022-05-31", "month")
    assert month["fatalities_best"] is None  # NA
    assert not [w for w in s.warnings if "inter" in w["message"]]  # numeric actor types agree with ours
    assert s.dataset_version == "ACLED data as of 2022-04-15"
    report = validate(*sorted(out.glob("*.csv")), reference=repo / "datapackage.json", today=TODAY)
    assert report.valid, report.to_text()


def test_an_xlsx_export_imports_like_the_csv(repo, tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    rows = _csv_rows(DATA / "acled_current.csv")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(list(rows[0]))
    numeric = {"year", "time_precision", "iso", "latitude", "longitude", "geo_precision", "fatalities", "timestamp"}
    for r in rows:
        # As a spreadsheet holds them: dates as dates, numbers as numbers.
        values = [dt.datetime.fromisoformat(v[:10]) if k == "event_date" else float(v) if k in numeric and v else v
                  for k, v in r.items()]
        ws.append(values)
    path = tmp_path / "acled.xlsx"
    wb.save(path)
    from_xlsx = import_acled(path, today=TODAY)
    from_csv = import_acled(DATA / "acled_current.csv", today=TODAY)
    assert_accounted(from_xlsx.summary)
    assert from_xlsx.tables["events"] == from_csv.tables["events"]
    assert from_xlsx.tables["external_events"] == from_csv.tables["external_events"]


def test_add_refuses_an_acled_import_and_changes_nothing(repo, tmp_path):
    out = tmp_path / "acled-import"
    import_acled(DATA / "acled_current.csv", out, today=TODAY)
    before = _tree(repo)
    result = CliRunner().invoke(cli, ["add", str(out), "--source-id", "my-acled", "--today", TODAY.isoformat()])
    assert result.exit_code == 1
    assert "ACLED" in result.output and "redistribut" in result.output
    assert _tree(repo) == before


def test_candidate_links_are_reported_not_made(repo):
    result = import_acled(DATA / "acled_current.csv", today=TODAY)
    pairs = {(c["external_id"], c["candidate"]) for c in result.summary.candidate_links}
    # The made-up air strike on Waingmaw on 4 February 2026 looks like our KE000021.
    assert ("TEST-MMR-0002", "KE000021") in pairs
    assert all(e["basis"] == "imported" for e in result.tables["external_events"])


def test_the_cli_summary_as_json(repo, tmp_path):
    out = tmp_path / "acled-import"
    args = ["import-acled", str(DATA / "acled_current.csv"), "-o", str(out), "--today", TODAY.isoformat()]
    result = CliRunner().invoke(cli, [*args, "--format", "json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    assert summary["balanced"] is True
    assert summary["rows_read"] == 7 and summary["imported"] == 3 and summary["skipped_outside_kachin"] == 2
    assert summary["unmapped_by_reason"] == {"actor": 1, "event-type": 1}
    assert summary["actors_not_matched"] == {"Test Militia That Does Not Exist": 1}
    assert len(_csv_rows(out / "events.csv")) == 3
    # The folder exists now: a second run needs --force.
    again = CliRunner().invoke(cli, args)
    assert again.exit_code == 2 and "--force" in again.output
    assert CliRunner().invoke(cli, [*args, "--force"]).exit_code == 0


def test_files_that_are_not_acled_exports_are_usage_errors(repo, tmp_path):
    ucdp = CliRunner().invoke(cli, ["import-acled", str(DATA / "ucdp_ged.csv"), "-o", str(tmp_path / "x"), "--today", TODAY.isoformat()])
    assert ucdp.exit_code == 2 and "event_id_cnty" in ucdp.output
    assert not (tmp_path / "x").exists()
    rows = _csv_rows(DATA / "acled_current.csv")
    no_stamp = tmp_path / "no_timestamp.csv"
    with open(no_stamp, "w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, [k for k in rows[0] if k != "timestamp"], extrasaction="ignore")
        w.writeheader()
        w.writerows(rows)
    with pytest.raises(ImportInputError, match="--dataset-version"):
        import_acled(no_stamp, today=TODAY)
    named = import_acled(no_stamp, dataset_version="ACLED export of 2026-11-20", today=TODAY)
    assert {e["dataset_version"] for e in named.tables["external_events"]} == {"ACLED export of 2026-11-20"}
    missing = CliRunner().invoke(cli, ["import-acled", str(tmp_path / "nope.csv"), "-o", str(tmp_path / "y"), "--today", TODAY.isoformat()])
    assert missing.exit_code == 2 and "does not exist" in missing.output


def test_a_row_of_hxl_hashtags_and_capitalised_columns_are_read(repo, tmp_path):
    rows = _csv_rows(DATA / "acled_current.csv")
    path = tmp_path / "hdx.csv"
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow([k.upper() for k in rows[0]])
        w.writerow(["#event+code", "#date+occurred", *(["#meta"] * (len(rows[0]) - 2))])
        w.writerows([list(r.values()) for r in rows])
    result = import_acled(path, today=TODAY)
    plain = import_acled(DATA / "acled_current.csv", today=TODAY)
    assert result.summary.rows_read == plain.summary.rows_read
    assert result.tables["events"] == plain.tables["events"]
