"""The UCDP GED-layout export and the HXL-tagged events CSV of a release."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from kachin_events import exports
from kachin_events.release.build import build_release
from kachin_events.exports import ucdp
from kachin_events.schema import get_schema
from kachin_events.tables import read_tables

REPO = Path(__file__).resolve().parents[1]
PACKAGE = REPO / "datapackage.json"

#: The columns of UCDP GED 23.1's CSV, in order, as UCDP publishes them (written by hand).
GED_COLUMNS = (
    "id relid year active_year code_status type_of_violence conflict_dset_id conflict_new_id conflict_name "
    "dyad_dset_id dyad_new_id dyad_name side_a_dset_id side_a_new_id side_a side_b_dset_id side_b_new_id side_b "
    "number_of_sources source_article source_office source_date source_headline source_original where_prec "
    "where_coordinates where_description adm_1 adm_2 latitude longitude geom_wkt priogrid_gid country country_id "
    "region event_clarity date_prec date_start date_end deaths_a deaths_b deaths_civilians deaths_unknown best "
    "high low gwnoa gwnob"
).split()

#: Hashtags that humanitarian data platforms use for ACLED's events, which ours must use too.
PLATFORM_TAGS = ("#event+code", "#date+start", "#date+end", "#event+type", "#event+type+sub", "#group+name+first",
                 "#group+name+second", "#adm1+code", "#adm2+code", "#adm3+code", "#loc+name", "#geo+lat",
                 "#geo+lon", "#affected+killed", "#affected+killed+min", "#affected+killed+max", "#meta+source",
                 "#description")


@pytest.fixture(scope="module")
def release(tmp_path_factory) -> Path:
    return build_release("0.1.0", tmp_path_factory.mktemp("layouts"), PACKAGE)


@pytest.fixture(scope="module")
def tables():
    return read_tables(PACKAGE)


def _rows(data: bytes) -> tuple[list[str], list[dict]]:
    reader = csv.DictReader(io.StringIO(data.decode("utf-8"), newline=""))
    rows = list(reader)
    return list(reader.fieldnames), rows


def _with_figures(tables, **figures):
    """A copy of the tables where the events named get (low, best, high) fatality figures."""
    import polars as pl

    events = tables["events"]
    for eid, (low, best, high) in figures.items():
        hit = pl.col("event_id") == eid
        events = events.with_columns(
            pl.when(hit).then(pl.lit(low, pl.Int64)).otherwise(pl.col("fatalities_low")).alias("fatalities_low"),
            pl.when(hit).then(pl.lit(best, pl.Int64)).otherwise(pl.col("fatalities_best")).alias("fatalities_best"),
            pl.when(hit).then(pl.lit(high, pl.Int64)).otherwise(pl.col("fatalities_high")).alias("fatalities_high"))
    return dict(tables, events=events)


# -- UCDP GED ------------------------------------------------------------------------------

def test_ucdp_columns_are_geds_names_in_geds_order(release):
    header, rows = _rows((release / "exports" / "ucdp_ged.csv").read_bytes())
    assert header == [c for c, _, _ in exports.UCDP_COLUMNS]
    assert set(header) <= set(GED_COLUMNS)
    assert header == [c for c in GED_COLUMNS if c in header]  # GED's order
    assert set(exports.UCDP_SOURCES) == set(header)  # every column says what it is made from


def test_ucdp_low_best_high_carried_and_unknown_stays_empty(tables):
    changed = _with_figures(tables, KE000001=(2, 3, 5), KE000004=(0, 0, 0))
    _, rows = _rows(exports.ucdp_csv(changed))
    by_id = {r["id"]: r for r in rows}
    assert (by_id["KE000001"]["low"], by_id["KE000001"]["best"], by_id["KE000001"]["high"]) == ("2", "3", "5")
    assert by_id["KE000001"]["deaths_unknown"] == "3"
    assert (by_id["KE000004"]["low"], by_id["KE000004"]["best"], by_id["KE000004"]["high"]) == ("0", "0", "0")
    events = {r["event_id"]: r for r in changed["events"].iter_rows(named=True)}
    for r in rows:
        ev = events[r["id"]]
        for ours, theirs in (("fatalities_low", "low"), ("fatalities_best", "best"), ("fatalities_high", "high")):
            assert r[theirs] == ("" if ev[ours] is None else str(ev[ours]))
        # We do not split deaths by side: those columns are unknown, never 0.
        assert r["deaths_a"] == r["deaths_b"] == r["deaths_civilians"] == ""
    assert any(r["best"] == "" for r in rows)


def test_ucdp_precision_codes_come_from_the_schema(tables):
    date_codes = {c["value"]: c["ucdp_date_prec"] for c in get_schema("events").field("date_precision").categories}
    where = {c["value"]: c["ucdp_where_prec"] for c in get_schema("events").field("geo_precision").categories}
    events = {r["event_id"]: r for r in tables["events"].iter_rows(named=True)}
    rows = {r["id"]: r for r in exports.ucdp_rows(tables)}
    for eid, r in rows.items():
        ev = events[eid]
        assert r["date_prec"] == date_codes[ev["date_precision"]]
        mapped = where[ev["geo_precision"]]
        if isinstance(mapped, int):
            assert r["where_prec"] == mapped
        else:  # a rule by the place: its codes are named in the category's text
            assert str(r["where_prec"]) in mapped.split(":")[0]
        assert (r["date_start"], r["date_end"], r["event_clarity"]) == (
            ev["date_start"], ev["date_end"], ev["event_clarity"])
    # The place decides for geo_precision 3: the state, a township, a road (a site).
    assert (rows["KE000012"]["where_prec"], rows["KE000004"]["where_prec"], rows["KE000014"]["where_prec"]) == (4, 3, 5)


def test_ucdp_type_of_violence_and_sides(tables):
    rows = {r["id"]: r for r in exports.ucdp_rows(tables)}
    names = dict(zip(tables["actors"]["actor_id"], tables["actors"]["name"]))
    events = {r["event_id"]: r for r in tables["events"].iter_rows(named=True)}
    assert rows["KE000021"]["type_of_violence"] == 3  # the military against civilians
    assert rows["KE000021"]["side_b"] == names["civilians"]
    for eid in ("KE000001", "KE000003"):  # state-based; side_a is the state whichever side began it
        assert rows[eid]["type_of_violence"] == 1 and rows[eid]["side_a"] == names["myanmar_military"]
    assert events["KE000001"]["actor1"] == "kia" and events["KE000003"]["actor1"] == "myanmar_military"
    assert ucdp.type_of_violence("Battles", 2, 3) == 2
    assert ucdp.type_of_violence("Strategic developments", 1, 2) is None
    assert ucdp.type_of_violence("Protests", 6, None) is None
    for name in ucdp.VIOLENT_EVENT_TYPES:
        assert name in get_schema("events").field("event_type").enum


def test_ucdp_geometry_and_priogrid(tables):
    import shapely

    for r in exports.ucdp_rows(tables):
        point = shapely.from_wkt(r["geom_wkt"])
        assert (point.x, point.y) == (r["longitude"], r["latitude"])
        row, col = divmod(r["priogrid_gid"] - 1, 720)
        assert -90 + row / 2 <= r["latitude"] < -90 + (row + 1) / 2
        assert -180 + col / 2 <= r["longitude"] < -180 + (col + 1) / 2
    assert ucdp.priogrid_gid(10.51, 2.29) == 145085  # a cell id published with PRIO-GRID's tools


def test_ucdp_export_reads_back_with_empty_figures_as_nulls(release):
    import polars as pl

    frame = pl.read_csv(release / "exports" / "ucdp_ged.csv")
    assert frame["best"].null_count() > 0 and frame["best"].dtype == pl.Int64
    assert (frame["best"].drop_nulls() >= 0).all()


# -- HXL -----------------------------------------------------------------------------------

def _hxl_dataset(path: Path):
    import hxl

    return hxl.data(str(path), hxl.InputOptions(allow_local=True))


def _hxl_schema_rows() -> list[list[str]]:
    """An HXL schema from our column types: numbers and dates typed, required fields required."""
    events = get_schema("events")
    rows = [["#valid_tag", "#valid_required", "#valid_datatype"]]
    for name, type_, tag in exports.hxl_columns():
        required = name in events.field_names and events.field(name).required
        datatype = {"integer": "number", "number": "number", "date": "date"}.get(type_, "")
        rows.append([tag, "true" if required else "", datatype])
    return rows


def _hxl_errors(path: Path) -> list[tuple]:
    import hxl

    errors = []
    schema = hxl.schema(_hxl_schema_rows(), callback=lambda e: errors.append((str(e.rule.tag_pattern), e.value)))
    schema.validate(_hxl_dataset(path))
    return errors


def test_hxl_parses_with_libhxl_and_carries_the_declared_tags(release, tables):
    path = release / "exports" / "events_hxl.csv"
    dataset = _hxl_dataset(path)
    columns = exports.hxl_columns()
    assert [c.header for c in dataset.columns] == [n for n, _, _ in columns]
    assert [c.display_tag for c in dataset.columns] == [exports.HXL_TAGS[n] for n, _, _ in columns]
    values = [row.values for row in dataset]
    assert [v[0] for v in values] == sorted(tables["events"]["event_id"].to_list())
    # The events columns hold exactly what csv/events.csv holds.
    with (release / "csv" / "events.csv").open(encoding="utf-8", newline="") as fh:
        typed = list(csv.reader(fh))
    width = len(get_schema("events").field_names)
    assert typed[0] == [n for n, _, _ in columns][:width]
    assert [v[:width] for v in values] == typed[1:]
    assert not typed[1][0].startswith("#")  # the typed CSV has no hashtag row


def test_hxl_tags_cover_the_events_schema_and_the_platform_tags():
    names = [n for n, _, _ in exports.hxl_columns()]
    assert names[: len(get_schema("events").field_names)] == get_schema("events").field_names
    assert set(PLATFORM_TAGS) <= set(exports.HXL_TAGS.values())
    assert len(set(exports.HXL_TAGS.values())) == len(exports.HXL_TAGS)  # one column per tag


def test_hxl_tags_must_follow_the_schema(monkeypatch):
    tags = dict(exports.HXL_TAGS)
    del tags["notes"]
    monkeypatch.setattr(exports.hxl, "HXL_TAGS", tags)
    with pytest.raises(ValueError, match="no hashtag for \\['notes'\\]"):
        exports.hxl_columns()


def test_hxl_values_check_against_an_hxl_schema_of_our_types(release, tmp_path):
    path = release / "exports" / "events_hxl.csv"
    assert _hxl_errors(path) == []
    # The check can fail: a latitude that is not a number, and a missing event id.
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    lat = [n for n, _, _ in exports.hxl_columns()].index("latitude")
    cells = next(csv.reader([lines[2]]))
    cells[lat], cells[0] = "north", ""
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerow(cells)
    broken = tmp_path / "broken_hxl.csv"
    broken.write_text("".join(lines[:2]) + buf.getvalue() + "".join(lines[3:]), encoding="utf-8")
    found = {tag for tag, _ in _hxl_errors(broken)}
    assert {"#geo+lat", "#event+code"} <= found


def test_hxl_is_its_own_release_resource(release):
    desc = json.loads((release / "datapackage.json").read_text(encoding="utf-8"))
    res = next(r for r in desc["resources"] if r["name"] == "events-hxl")
    assert res["path"] == "exports/events_hxl.csv" and res["dialect"]["commentRows"] == [2]
    lines = (release / res["path"]).read_text(encoding="utf-8").splitlines()
    assert lines[1].split(",") == [f["hxl"] for f in res["schema"]["fields"]]
    assert [f["name"] for f in res["schema"]["fields"]] == lines[0].split(",")
    ucdp_res = next(r for r in desc["resources"] if r["name"] == "ucdp-export")
    for topic, _, _ in exports.UCDP_DIFFERENCES:
        assert topic in ucdp_res["description"]
