"""The ACLED-layout CSV and GeoJSON exports of a release."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from pathlib import Path

import pytest

from kachin_events import exports, tablefiles
from kachin_events.build import build_release
from kachin_events.schema import get_schema
from kachin_events.tables import read_tables

REPO = Path(__file__).resolve().parents[1]
PACKAGE = REPO / "datapackage.json"


def _acled_columns_from_reference() -> list[str]:
    """ACLED's column list as reference/acled/README.md states it."""
    text = " ".join((REPO / "reference" / "acled" / "README.md").read_text(encoding="utf-8").split())
    listed = re.search(r"The 31 columns of the current export, in order: (.*?)\. Older", text).group(1)
    return [c.strip() for c in listed.split(",")]


@pytest.fixture(scope="module")
def release(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("exports")
    return build_release("0.1.0", out, PACKAGE)


@pytest.fixture(scope="module")
def acled(release) -> tuple[list[str], list[dict]]:
    text = (release / "exports" / "acled.csv").read_text(encoding="utf-8")
    reader = csv.DictReader(io.StringIO(text, newline=""))
    rows = list(reader)
    return list(reader.fieldnames), rows


@pytest.fixture(scope="module")
def tables():
    return read_tables(PACKAGE)


def test_acled_export_has_exactly_acleds_31_columns_in_order(acled):
    header, _ = acled
    assert header == _acled_columns_from_reference()
    assert len(header) == 31


def test_one_row_per_event_in_id_order(acled, tables):
    _, rows = acled
    assert [r["event_id_cnty"] for r in rows] == sorted(tables["events"]["event_id"].to_list())


def test_unknown_fatalities_are_zero_and_known_ones_kept(acled, tables):
    _, rows = acled
    best = dict(zip(tables["events"]["event_id"], tables["events"]["fatalities_best"]))
    assert any(v is None for v in best.values()) and any(v is not None for v in best.values())
    for r in rows:
        known = best[r["event_id_cnty"]]
        assert r["fatalities"] == ("0" if known is None else str(known))


def test_dates_precision_and_constants(acled, tables, release):
    _, rows = acled
    events = {r["event_id"]: r for r in tables["events"].iter_rows(named=True)}
    precision = {c["value"]: c["acled_time_precision"]
                 for c in get_schema("events").field("date_precision").categories}
    created = json.loads((release / "datapackage.json").read_text(encoding="utf-8"))["created"]
    epoch = int(dt.datetime.fromisoformat(created.replace("Z", "+00:00")).timestamp())
    for r in rows:
        ev = events[r["event_id_cnty"]]
        day = dt.date.fromisoformat(r["event_date"])
        assert ev["date_start"] <= day <= ev["date_end"]
        if ev["date_precision"] == "day":
            assert day == ev["date_start"]
        else:  # the middle of the range (the earlier day when it falls between two)
            assert (day - ev["date_start"]).days == (ev["date_end"] - ev["date_start"]).days // 2
        assert r["year"] == str(day.year)
        assert r["time_precision"] == str(precision[ev["date_precision"]])
        assert (r["iso"], r["region"], r["country"], r["admin1"]) == ("104", "Southeast Asia", "Myanmar", "Kachin")
        assert r["timestamp"] == str(epoch)
        assert r["civilian_targeting"] == ("Civilian targeting" if ev["civilian_targeting"] else "")
    ke1 = next(r for r in rows if r["event_id_cnty"] == "KE000001")  # December 2024, month precision
    assert (ke1["event_date"], ke1["time_precision"]) == ("2024-12-16", "3")


def test_actors_interaction_places_sources_and_tags(acled, tables):
    _, rows = acled
    by_id = {r["event_id_cnty"]: r for r in rows}
    acled_name = dict(zip(tables["actors"]["actor_id"], tables["actors"]["acled_actor_name"]))
    inter = dict(zip(tables["actors"]["actor_id"], tables["actors"]["acled_inter"]))
    places = dict(zip(tables["locations"]["location_pcode"], tables["locations"]["name"]))
    disorder = {c["value"]: c["disorder_type"] for c in get_schema("events").field("sub_event_type").categories}
    for ev in tables["events"].iter_rows(named=True):
        r = by_id[ev["event_id"]]
        assert r["actor1"] == acled_name[ev["actor1"]] and r["inter1"] == str(inter[ev["actor1"]])
        assert r["actor2"] == (acled_name[ev["actor2"]] if ev["actor2"] else "")
        codes = sorted(c for c in (inter[ev["actor1"]], inter.get(ev["actor2"])) if c is not None)
        assert r["interaction"] == (str(10 * codes[0]) if len(codes) == 1 else f"{codes[0]}{codes[1]}")
        assert r["disorder_type"] == disorder[ev["sub_event_type"]]
        assert r["admin2"] == (places[ev["admin2_pcode"]] if ev["admin2_pcode"] else "")
        assert r["admin3"] == (places[ev["admin3_pcode"]] if ev["admin3_pcode"] else "")
        assert r["source"] == "Kachin News Group (KNG)" and r["source_scale"] == "Local"
        assert r["notes"] == ev["notes"]
    # Associated actors: ACLED names joined with "; ", on their side.
    assert by_id["KE000001"]["assoc_actor_1"] == "PDF: People's Defense Force"
    assert by_id["KE000020"]["assoc_actor_2"] == "Lisu Militia" and by_id["KE000020"]["assoc_actor_1"] == ""
    assert by_id["KE000009"]["tags"] == "prisoners_taken=20 (approximate)"
    assert by_id["KE000012"]["tags"] == "aircraft_used: Y-12 utility aircraft; aircraft_used: fighter jet"
    assert by_id["KE000021"]["interaction"] == "17"


def test_interaction_rule():
    assert exports.interaction(2, 1) == 12
    assert exports.interaction(1, None) == 10
    assert exports.interaction(8, 7) == exports.interaction(7, 8) == 78
    assert exports.interaction(3, 3) == 33


def test_assoc_actors_sharing_an_acled_name_appear_once(tables):
    import polars as pl

    extra = pl.DataFrame({"event_id": ["KE000003", "KE000003"], "actor_id": ["kio", "pdf"], "side": [2, 2]},
                         schema=tables["event_actors"].schema)
    changed = dict(tables, event_actors=pl.concat([tables["event_actors"], extra]))
    row = next(r for r in exports.acled_rows(changed, 0) if r["event_id_cnty"] == "KE000003")
    # KE000003's actor2 is the KIA; the KIO shares its ACLED name, and is listed once.
    assert row["assoc_actor_2"] == ("KIO/KIA: Kachin Independence Organization/Kachin Independence Army; "
                                    "PDF: People's Defense Force")


def test_differences_are_documented():
    topics = [t for t, _, _ in exports.ACLED_DIFFERENCES]
    for needed in ("Unknown fatalities", "Uncertain dates", "Associated actors"):
        assert needed in topics
    for entry in exports.ACLED_DIFFERENCES:
        assert len(entry) == 3 and all(isinstance(s, str) and s for s in entry)
    assert "ACLED_DIFFERENCES" in exports.acled.__doc__


def test_geojson(release, tables):
    raw = (release / "exports" / "events.geojson").read_text(encoding="utf-8")
    doc = json.loads(raw)
    assert doc["type"] == "FeatureCollection"
    assert json.dumps(doc, sort_keys=True, ensure_ascii=False, indent=1) + "\n" == raw  # sorted keys
    events = {r["event_id"]: r for r in tables["events"].iter_rows(named=True)}
    names = dict(zip(tables["actors"]["actor_id"], tables["actors"]["name"]))
    assert [f["id"] for f in doc["features"]] == sorted(events)
    fields = set(get_schema("events").field_names)
    for feature in doc["features"]:
        ev = events[feature["id"]]
        assert feature["geometry"] == {"type": "Point", "coordinates": [ev["longitude"], ev["latitude"]]}
        props = feature["properties"]
        assert set(props) == fields | {"actor1_name", "actor2_name"}
        assert props["date_start"] == ev["date_start"].isoformat()
        assert props["fatalities_best"] == ev["fatalities_best"]
        assert props["actor1_name"] == names[ev["actor1"]]


def test_csv_fields_with_line_breaks_survive():
    cells = ["cr\ronly", "lf\nonly", 'quote "q"', "comma, here", "plain"]
    data = tablefiles.csv_bytes(["a", "b", "c", "d", "e"], [cells])
    rows = list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))
    assert rows == [["a", "b", "c", "d", "e"], cells]
