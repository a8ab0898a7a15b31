"""Names instead of codes: places, actors and claimants written by name in a submission."""

from __future__ import annotations

import csv
import datetime as dt
import json
import shutil
from pathlib import Path

import pytest

from kachin_events import get_schema, validate
from kachin_events.contrib.resolve import resolve_submission

REPO = Path(__file__).resolve().parents[1]
PACKAGE = REPO / "datapackage.json"
TODAY = dt.date(2026, 11, 22)
SOURCE = "kng-2026-02-four-fronts"
EVENT = {
    "event_id": "KE900001", "date_start": "2026-02-03", "date_end": "2026-02-04", "date_precision": "days",
    "event_type": "Battles", "sub_event_type": "Armed clash", "actor1": "kia", "actor2": "myanmar_military",
    "location": "LB 933", "geo_precision": "2", "civilian_targeting": "false", "event_clarity": "1",
    "notes": "Test: a clash written with names where the codes go, for the resolver's tests.",
}
LINK = {"event_id": "KE900001", "source_id": SOURCE, "claimant": "KIA frontline sources"}


def write(folder: Path, table: str, rows: list[dict], columns: list[str] | None = None) -> Path:
    columns = columns or get_schema(table).field_names
    path = folder / f"{table}.csv"
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=columns, lineterminator="\n")
        w.writeheader()
        for r in rows:
            w.writerow({k: r.get(k, "") for k in columns})
    return path


def submit(tmp_path, events=(), links=(), **extra):
    write(tmp_path, "events", [{**EVENT, **e} for e in events])
    write(tmp_path, "event_sources", [{**LINK, **k} for k in links] or [LINK])
    for table, rows in extra.items():
        write(tmp_path, table, rows)
    return resolve_submission(tmp_path, reference=PACKAGE, today=TODAY)


def cell(tables, table, field, i=0):
    return tables[table].rows[i][get_schema(table).field_names.index(field)]


def found(report):
    return [(f.row, f.field, f.rule) for f in report.errors]


# -- places ------------------------------------------------------------------------------
def test_place_name_fills_the_codes_and_the_point(tmp_path):
    tables, report = submit(tmp_path, [{}])
    assert report.valid, report.to_text()
    assert cell(tables, "events", "location") == "LB 933"  # the name as written stays
    assert [cell(tables, "events", f) for f in ("location_pcode", "admin1_pcode", "admin2_pcode", "admin3_pcode",
                                                "latitude", "longitude", "geo_precision")] == [
        "KES003", "MMR001", "MMR001D003", "MMR001010", "24.25294", "97.29047", "2"]


def test_given_cells_are_kept(tmp_path):
    tables, report = submit(tmp_path, [{"location": "lb933", "latitude": "24.3", "longitude": "97.3"}])
    assert report.valid, report.to_text()
    assert (cell(tables, "events", "location_pcode"), cell(tables, "events", "latitude")) == ("KES003", "24.3")


def test_a_given_location_pcode_is_not_second_guessed(tmp_path):
    tables, report = submit(tmp_path, [{"location": "Somewhere unnamed", "location_pcode": "KES003",
                                        "admin1_pcode": "MMR001", "admin2_pcode": "MMR001D003",
                                        "admin3_pcode": "MMR001010", "latitude": "24.25", "longitude": "97.29"}])
    assert report.valid, report.to_text()


def test_a_file_without_code_columns_is_complete_when_the_names_resolve(tmp_path):
    events = get_schema("events").field_names
    links = get_schema("event_sources").field_names
    drop_e = {"location_pcode", "admin1_pcode", "admin2_pcode", "admin3_pcode", "latitude", "longitude"}
    drop_l = {"claimant_id", "claimant_type", "claimant_actor_id"}
    write(tmp_path, "events", [{**EVENT, "actor1": "KIA", "actor2": "Tatmadaw"}], [f for f in events if f not in drop_e])
    write(tmp_path, "event_sources", [{**LINK, "claimant": "Colonel Naw Bu, KIA/KIO spokesperson"}],
          [f for f in links if f not in drop_l])
    tables, report = resolve_submission(tmp_path, reference=PACKAGE, today=TODAY)
    assert report.findings == [], report.to_text()
    assert (cell(tables, "events", "actor1"), cell(tables, "events", "actor2")) == ("kia", "myanmar_military")
    assert [cell(tables, "event_sources", f) for f in ("claimant_id", "claimant_type", "claimant_actor_id")] == [
        "naw_bu", "party_spokesperson", "kia"]


def test_name_of_several_places_is_ambiguous_and_lists_them(tmp_path):
    tables, report = submit(tmp_path, [{"location": "Bhamo"}])
    assert found(report) == [(2, "location", "ambiguous-name")], report.to_text()
    msg = report.errors[0].message
    assert "matches 2 places" in msg
    assert "Bhamo (township, MMR001010, Bhamo District)" in msg
    assert "Bhamo (district, MMR001D003, Kachin State)" in msg
    assert "location_pcode" in msg
    assert cell(tables, "events", "location_pcode") is None  # no silent guess


def test_alias_of_a_township_and_its_town_is_ambiguous(tmp_path):
    _, report = submit(tmp_path, [{"location": "banmaw"}])
    assert found(report) == [(2, "location", "ambiguous-name")]
    msg = report.errors[0].message
    assert "Bhamo Town (town, MMR001010701, Bhamo Township)" in msg and "(township, MMR001010," in msg


def test_unknown_place_suggests_the_closest_names_and_is_reported_once(tmp_path):
    _, report = submit(tmp_path, [{"location": "Mong Narr"}])
    # Not again as empty location_pcode, admin1_pcode, latitude, longitude.
    assert found(report) == [(2, "location", "unknown-name")], report.to_text()
    assert "Mong Nar (village_tract, MMR001002006, Waingmaw Township)" in report.errors[0].message


def test_inactive_place_is_not_preferred_over_nothing(tmp_path):
    # The one place of the name is inactive: it is filled, and the location-inactive rule says why not.
    _, report = submit(tmp_path, [{"location": "Wet Kone", "latitude": "24.2", "longitude": "97.2"}])
    assert found(report) == [(2, "location_pcode", "location-inactive")], report.to_text()


# -- actors --------------------------------------------------------------------------------
@pytest.mark.parametrize("written, code", [
    ("KIA", "kia"), ("Kachin Independence Army", "kia"), ("  tatmadaw ", "myanmar_military"),
    ("Military Forces of Myanmar (2021-)", "myanmar_military"), ("kia", "kia"),
])
def test_actor_by_id_name_acled_name_or_alias(tmp_path, written, code):
    tables, report = submit(tmp_path, [{"actor1": written, "actor2": "pdf"}])
    assert report.valid, report.to_text()
    assert cell(tables, "events", "actor1") == code


def test_actor_name_shared_by_two_actors_is_ambiguous(tmp_path):
    shared = "KIO/KIA: Kachin Independence Organization/Kachin Independence Army"
    _, report = submit(tmp_path, [{"actor1": shared}])
    assert found(report) == [(2, "actor1", "ambiguous-name")], report.to_text()
    assert "(kia)" in report.errors[0].message and "(kio)" in report.errors[0].message


def test_unknown_actor_name_is_one_finding_with_suggestions(tmp_path):
    _, report = submit(tmp_path, [{"actor2": "Myanmar Armyy"}])
    # Not also a broken pattern or foreign key of the same cell.
    assert found(report) == [(2, "actor2", "unknown-name")], report.to_text()
    assert "(myanmar_military)" in report.errors[0].message


def test_a_known_name_inside_a_longer_one_is_a_candidate(tmp_path):
    _, report = submit(tmp_path, [{"actor2": "KIA fighters"}])
    assert found(report) == [(2, "actor2", "unknown-name")], report.to_text()
    # Never resolved silently, but the actor the contributor meant is offered.
    assert "(kia)" in report.errors[0].message


def test_actor_names_in_every_actor_column(tmp_path):
    tables, report = submit(tmp_path, [{}], [{"claimant": "someone", "claimant_type": "party_source",
                                              "claimant_actor_id": "KIA", "claimant_id": "kia_source"}],
                            event_actors=[{"event_id": "KE900001", "actor_id": "PDF", "side": "1"}])
    assert report.valid, report.to_text()
    assert cell(tables, "event_sources", "claimant_actor_id") == "kia"
    assert cell(tables, "event_actors", "actor_id") == "pdf"


# -- claimants -------------------------------------------------------------------------------
def test_claimant_found_from_its_spelling_fills_id_type_and_actor(tmp_path):
    tables, report = submit(tmp_path, [{}], [{"claimant": "Kachin News Group (KNG)"}])
    assert report.valid, report.to_text()
    assert [cell(tables, "event_sources", f) for f in ("claimant_id", "claimant_type", "claimant_actor_id")] == [
        "kng", "outlet", None]


def test_claimant_id_may_be_a_name(tmp_path):
    tables, report = submit(tmp_path, [{}], [{"claimant": "Col. Naw Bu", "claimant_id": "Colonel Naw Bu"}])
    assert report.valid, report.to_text()
    assert cell(tables, "event_sources", "claimant_id") == "naw_bu"


def test_unknown_claimant_is_one_finding(tmp_path):
    _, report = submit(tmp_path, [{}], [{"claimant": "a villager"}])
    # Not also an empty claimant_id and claimant_type.
    assert found(report) == [(2, "claimant", "unknown-name")], report.to_text()
    assert "claimant_id is empty" in report.errors[0].message


# -- scope -------------------------------------------------------------------------------------
def test_repository_data_keeps_its_codes(tmp_path):
    """Validating the repository never resolves names: an empty code stays an empty code."""
    shutil.copytree(REPO / "data", tmp_path / "data")
    shutil.copy(PACKAGE, tmp_path)
    events = tmp_path / "data" / "reports" / SOURCE / "events.csv"
    with open(events, newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    rows[1][rows[0].index("location_pcode")] = ""
    with open(events, "w", newline="", encoding="utf-8") as fh:
        csv.writer(fh, lineterminator="\n").writerows(rows)
    report = validate(tmp_path / "datapackage.json", today=TODAY)
    assert [(f.field, f.rule) for f in report.errors] == [("location_pcode", "required")], report.to_text()


def test_json_submission_by_name(tmp_path):
    doc = {"events": [{k: v for k, v in EVENT.items()}], "event_sources": [LINK]}
    path = tmp_path / "submission.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    tables, report = resolve_submission(path, reference=PACKAGE, today=TODAY)
    # Keys simply absent from JSON records are empty cells, not missing columns.
    assert report.findings == [], report.to_text()
    assert cell(tables, "events", "location_pcode") == "KES003"
    assert cell(tables, "event_sources", "claimant_id") == "kia_frontline_sources"


def test_free_text_is_never_filled_from_the_gazetteer(tmp_path):
    tables, report = submit(tmp_path, [{"notes": ""}])
    assert found(report) == [(2, "notes", "required")], report.to_text()
    assert cell(tables, "events", "location_pcode") == "KES003" and cell(tables, "events", "notes") is None
