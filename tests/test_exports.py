"""The ACLED-layout CSV and GeoJSON exports of a release, the ACLED options, and ``kachin-events export``."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import shutil
from pathlib import Path

import pytest

from kachin_events import exports, tablefiles
from kachin_events.release.build import build_release
from kachin_events.rules import PRECISION_MAX_SPAN
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


def _actor_types_from_reference() -> dict[int, str]:
    """ACLED's actor types as reference/acled/actor_types.csv lists them."""
    with (REPO / "reference" / "acled" / "actor_types.csv").open(encoding="utf-8", newline="") as fh:
        return {int(r["inter_code"]): r["label"] for r in csv.DictReader(fh)}


def _long(ev) -> bool:
    """Longer than any range date_precision 'month' allows (the rules' own limit)."""
    return (ev["date_end"] - ev["date_start"]).days > PRECISION_MAX_SPAN["month"]


def test_acled_export_has_exactly_acleds_31_columns_in_order(acled):
    header, _ = acled
    assert header == _acled_columns_from_reference()
    assert len(header) == 31


def test_one_row_per_event_in_id_order_without_long_ranges(acled, tables):
    _, rows = acled
    events = tables["events"].iter_rows(named=True)
    expected = sorted(ev["event_id"] for ev in events if not _long(ev))
    assert expected and len(expected) < tables["events"].height  # the data has long ranges to leave out
    assert [r["event_id_cnty"] for r in rows] == expected


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
    types = _actor_types_from_reference()
    for ev in tables["events"].iter_rows(named=True):
        if ev["event_id"] not in by_id:
            continue
        r = by_id[ev["event_id"]]
        assert r["actor1"] == acled_name[ev["actor1"]] and r["inter1"] == types[inter[ev["actor1"]]]
        assert r["actor2"] == (acled_name[ev["actor2"]] if ev["actor2"] else "")
        assert r["inter2"] == (types[inter[ev["actor2"]]] if ev["actor2"] else "")
        codes = sorted(c for c in (inter[ev["actor1"]], inter.get(ev["actor2"])) if c is not None)
        assert r["interaction"] == (f"{types[codes[0]]} only" if len(codes) == 1
                                    else f"{types[codes[0]]}-{types[codes[1]]}")
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
    assert by_id["KE000021"]["interaction"] == "State forces-Civilians"


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


# -- ACLED options ------------------------------------------------------------------------

def _with_links(tables, *links):
    """A copy of the tables with external_events rows (event_id, dataset, external_id) added."""
    import polars as pl

    rows = [{"event_id": e, "dataset": d, "external_id": x, "dataset_version": "hand-written test link",
             "basis": "matched", "linked_on": dt.date(2026, 2, 20), "note": None} for e, d, x in links]
    extra = pl.DataFrame(rows, schema=tables["external_events"].schema)
    return dict(tables, external_events=pl.concat([tables["external_events"], extra]))


def test_inter_text_uses_acleds_actor_types_and_numeric_the_codes(tables):
    types = _actor_types_from_reference()
    assert exports.acled.actor_type_names() == types  # the schema's categories are ACLED's list
    inter = dict(zip(tables["actors"]["actor_id"], tables["actors"]["acled_inter"]))
    text = {r["event_id_cnty"]: r for r in exports.acled_rows(tables, 0)}
    numeric = {r["event_id_cnty"]: r for r in exports.acled_rows(tables, 0, inter="numeric")}
    assert text.keys() == numeric.keys()
    for ev in tables["events"].iter_rows(named=True):
        if ev["event_id"] not in text:
            continue
        t, n = text[ev["event_id"]], numeric[ev["event_id"]]
        assert t["inter1"] == types[n["inter1"]] and n["inter1"] == inter[ev["actor1"]]
        assert t["interaction"] == exports.interaction_text(n["inter1"], n["inter2"])
        assert n["interaction"] == exports.interaction(n["inter1"], n["inter2"])
    schema_types = {f["name"]: f["type"] for f in exports.acled_schema("numeric")["fields"]}
    assert [schema_types[c] for c in ("inter1", "inter2", "interaction")] == ["integer"] * 3
    assert {f["name"]: f["type"] for f in exports.acled_schema()["fields"]}["interaction"] == "string"


def test_interaction_text_for_every_pair_of_actor_types():
    types = _actor_types_from_reference()
    for a in types:
        assert exports.interaction_text(a, None) == f"{types[a]} only"
        for b in types:
            text = exports.interaction_text(a, b)
            first, second = text.split("-", 1) if text.count("-") == 1 else (None, None)
            if {a, b} == {7, 8}:
                assert text == "External/Other forces-Civilians"
            elif first is not None:  # no type name holds a hyphen
                assert (first, second) == (types[min(a, b)], types[max(a, b)])


def test_civilian_targeting_is_text_or_empty_never_a_number(tables):
    import polars as pl

    events = tables["events"].with_columns(
        pl.when(pl.col("event_id") == "KE000021").then(True).otherwise(pl.col("civilian_targeting"))
        .alias("civilian_targeting"))
    rows = exports.acled_rows(dict(tables, events=events), 0)
    values = {r["event_id_cnty"]: r["civilian_targeting"] for r in rows}
    assert values["KE000021"] == "Civilian targeting"
    assert all(v is None or isinstance(v, str) for v in values.values())
    assert {v for k, v in values.items() if k != "KE000021"} == {None}  # false and unknown: empty
    # A reader given the export's schema gets a string column even when every cell is empty.
    data = exports.acled_csv(tables, 0)
    types = {f["name"]: f["type"] for f in exports.acled_schema()["fields"]}
    assert types["civilian_targeting"] == "string"
    frame = pl.read_csv(data, schema_overrides={"civilian_targeting": pl.String}, infer_schema=False)
    assert frame["civilian_targeting"].dtype == pl.String


def test_long_ranges_dropped_flagged_or_kept(tables):
    long = sorted(ev["event_id"] for ev in tables["events"].iter_rows(named=True) if _long(ev))
    assert long  # the data has events known only to a range longer than a month
    ranges = {ev["event_id"]: f"{ev['date_start']}/{ev['date_end']}" for ev in tables["events"].iter_rows(named=True)}
    dropped = {r["event_id_cnty"] for r in exports.acled_rows(tables, 0)}
    assert dropped.isdisjoint(long) and len(dropped) == tables["events"].height - len(long)
    assert exports.acled_omitted(tables)["long_ranges"] == long
    flagged = {r["event_id_cnty"]: r for r in exports.acled_rows(tables, 0, long_ranges="flag")}
    kept = {r["event_id_cnty"]: r for r in exports.acled_rows(tables, 0, long_ranges="keep")}
    assert len(flagged) == len(kept) == tables["events"].height
    for eid in long:
        assert flagged[eid]["time_precision"] == 3
        assert flagged[eid]["tags"].split("; ")[-1] == f"date_range_over_month: {ranges[eid]}"
        assert "date_range_over_month" not in (kept[eid]["tags"] or "")
    assert not any("date_range_over_month" in (r["tags"] or "") for e, r in flagged.items() if e not in long)


def test_events_already_in_acled_dropped_marked_or_kept(tables):
    linked = _with_links(tables, ("KE000003", "acled", "MMR900001"), ("KE000003", "acled", "MMR900002"),
                         ("KE000004", "ucdp_ged", "999001"))
    ids = {r["event_id_cnty"] for r in exports.acled_rows(linked, 0)}
    assert "KE000003" not in ids and "KE000004" in ids  # only ACLED links count
    assert exports.acled_omitted(linked)["in_acled"] == ["KE000003"]
    marked = {r["event_id_cnty"]: r for r in exports.acled_rows(linked, 0, in_acled="mark")}
    assert marked["KE000003"]["tags"].endswith("in_acled: MMR900001; in_acled: MMR900002")
    assert "in_acled" not in (marked["KE000004"]["tags"] or "")
    kept = {r["event_id_cnty"]: r for r in exports.acled_rows(linked, 0, in_acled="keep")}
    assert "KE000003" in kept and "in_acled" not in (kept["KE000003"]["tags"] or "")
    # Without links nothing is left out.
    assert exports.acled_omitted(tables)["in_acled"] == []


def test_flags_and_marks_add_no_column_and_are_not_event_tags(tables):
    linked = _with_links(tables, ("KE000001", "acled", "MMR900001"))
    reference = _acled_columns_from_reference()
    for inter in ("text", "numeric"):
        data = exports.acled_csv(linked, 0, inter=inter, long_ranges="flag", in_acled="mark")
        assert next(csv.reader(io.StringIO(data.decode("utf-8")))) == reference
    own = set(get_schema("event_tags").field("tag").enum)
    assert exports.acled.LONG_RANGE_TAG not in own and exports.acled.IN_ACLED_TAG not in own


def test_bad_options_are_refused(tables):
    for bad in ({"inter": "words"}, {"long_ranges": "hide"}, {"in_acled": "drop it"}):
        with pytest.raises(ValueError, match="is not one of"):
            exports.acled_rows(tables, 0, **bad)


#: Two ACLED-layout rows written by hand (not ACLED's data: its terms forbid copying it),
#: typed as a current ACLED download writes them: actor types and interaction as text.
ACLED_DOWNLOAD = """\
event_id_cnty,event_date,year,time_precision,disorder_type,event_type,sub_event_type,actor1,assoc_actor_1,inter1,\
actor2,assoc_actor_2,inter2,interaction,civilian_targeting,iso,region,country,admin1,admin2,admin3,location,latitude,\
longitude,geo_precision,source,source_scale,notes,fatalities,tags,timestamp
MMR900001,2026-01-05,2026,1,Political violence,Battles,Armed clash,Military Forces of Myanmar (2021-),,State forces,\
KIO/KIA: Kachin Independence Organization/Kachin Independence Army,,Rebel group,State forces-Rebel group,,104,\
Southeast Asia,Myanmar,Kachin,Bhamo,Bhamo,Bhamo,24.2549,97.2344,1,Test Outlet,National,A hand-written test row.,2,,\
1767830400
MMR900002,2026-01-06,2026,1,Political violence,Explosions/Remote violence,Air/drone strike,\
Military Forces of Myanmar (2021-),,State forces,Civilians (Myanmar),,Civilians,State forces-Civilians,\
Civilian targeting,104,Southeast Asia,Myanmar,Kachin,Myitkyina,Waingmaw,Waingmaw,25.35,97.43,2,Test Outlet,National,\
Another hand-written test row.,0,,1767830400
"""


def test_the_release_file_appends_to_an_acled_download_without_fixes(acled, release):
    import polars as pl

    theirs = pl.read_csv(io.BytesIO(ACLED_DOWNLOAD.encode("utf-8")))
    ours = pl.read_csv(release / "exports" / "acled.csv")
    both = pl.concat([theirs, ours], how="vertical")  # strict: same names, order and types
    assert both.height == theirs.height + ours.height
    assert both["event_id_cnty"].n_unique() == both.height
    # The numeric form does not: it is there for tools that still expect numbers.
    numeric = pl.read_csv(exports.acled_csv(read_tables(PACKAGE), 0, inter="numeric"))
    with pytest.raises(pl.exceptions.SchemaError):
        pl.concat([theirs, numeric], how="vertical")


def test_the_release_describes_the_acled_export(release, tables):
    desc = json.loads((release / "datapackage.json").read_text(encoding="utf-8"))
    res = next(r for r in desc["resources"] if r["name"] == "acled-export")
    text = res["description"]
    for name, value in exports.RELEASE_OPTIONS.items():
        assert f"{name}={value}: {exports.OPTION_CHOICES[name][value]}" in text
    for topic, ours, theirs in exports.ACLED_DIFFERENCES:
        assert topic in text and ours in text and theirs in text
    n_long = len(exports.acled_omitted(tables)["long_ranges"])
    assert f"{n_long} events left out ({n_long} known only to a range longer than a month" in text
    assert res["schema"] == exports.acled_schema(exports.RELEASE_OPTIONS["inter"])


# -- the CLI ------------------------------------------------------------------------------

def test_cli_writes_each_export_as_the_library_makes_it(tmp_path, tables):
    from click.testing import CliRunner

    from kachin_events.release.build import release_created
    from kachin_events.cli import cli

    stamp = int(release_created(tables).timestamp())
    expected = {
        "acled": exports.acled_csv(tables, stamp, long_ranges="flag", in_acled="mark"),
        "ucdp": exports.ucdp_csv(tables),
        "hxl": exports.hxl_csv(tables),
        "geojson": exports.events_geojson(tables),
    }
    for kind, data in expected.items():
        out = tmp_path / f"{kind}.out"
        args = ["export", kind, "--package", str(PACKAGE), "-o", str(out)]
        if kind == "acled":
            args += ["--long-ranges", "flag", "--in-acled", "mark"]
        result = CliRunner().invoke(cli, args)
        assert result.exit_code == 0, result.output
        assert out.read_bytes() == data
    assert list(tmp_path.glob(".*.tmp")) == []  # no temporary file left behind


def test_cli_usage_errors_and_unwritable_output_exit_2(tmp_path):
    from click.testing import CliRunner

    from kachin_events.cli import cli

    runner = CliRunner()
    result = runner.invoke(cli, ["export", "ucdp", "--inter", "numeric", "-o", str(tmp_path / "u.csv")])
    assert result.exit_code == 2 and "acled export only" in result.output
    result = runner.invoke(cli, ["export", "acled", "--long-ranges", "sometimes", "-o", str(tmp_path / "a.csv")])
    assert result.exit_code == 2
    result = runner.invoke(cli, ["export", "hxl", "--package", str(PACKAGE), "-o", str(tmp_path / "no" / "h.csv")])
    assert result.exit_code == 2 and "does not exist" in result.output
    result = runner.invoke(cli, ["export", "hxl", "--package", str(tmp_path / "missing.json"),
                                 "-o", str(tmp_path / "h.csv")])
    assert result.exit_code == 2 and not (tmp_path / "h.csv").exists()
    assert "Traceback" not in result.output


def test_cli_refuses_invalid_data_and_keeps_the_old_file(tmp_path):
    import shutil

    from click.testing import CliRunner

    from kachin_events.cli import cli

    pkg = tmp_path / "pkg"
    shutil.copytree(REPO / "data", pkg / "data")
    shutil.copy(PACKAGE, pkg / "datapackage.json")
    events = pkg / "data" / "reports" / "kng-2026-01-bhamo-bases" / "events.csv"
    events.write_text(events.read_text(encoding="utf-8").replace(",Battles,", ",Battle,", 1), encoding="utf-8")
    out = tmp_path / "acled.csv"
    out.write_bytes(b"old\n")
    result = CliRunner().invoke(cli, ["export", "acled", "--package", str(pkg / "datapackage.json"), "-o", str(out)])
    assert result.exit_code == 1
    assert "event_type" in result.output and "does not validate" in result.output
    assert out.read_bytes() == b"old\n"


# -- formula injection: no published cell runs in a spreadsheet ------------------------------
#: Cells a hostile or careless hand could leave in the data, if validation were bypassed.
HOSTILE = ['=HYPERLINK("http://example.com","click")', "@SUM(1+1)", "+1", "-x", "+/- 5", "\t=1+1"]
_PLAIN_NUMBER = re.compile(r"[+-]?[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?")


def _runs(cell) -> bool:
    """A cell a spreadsheet would run: it starts like a formula and is neither a number nor a lone '-'.

    Written here on its own (not kachin_events.exports.safe's) so that the test judges the exports.
    """
    return (isinstance(cell, str) and len(cell) > 1 and cell[0] in "=+-@\t\r"
            and not _PLAIN_NUMBER.fullmatch(cell))


def _csv_cells(data: bytes) -> list[str]:
    return [c for row in csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")) for c in row]


def _json_strings(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _json_strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _json_strings(v)]
    return []


def _geojson_cells(data: bytes) -> list[str]:
    return [s for f in json.loads(data)["features"] for s in _json_strings(f["properties"])]


def _xlsx_problems(path: Path) -> tuple[list[str], int]:
    """Formula cells, and text cells that begin like a formula without the quote-prefix style."""
    import openpyxl

    book = openpyxl.load_workbook(path)
    problems, quoted = [], 0
    for ws in book.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    problems.append(f"{ws.title}!{cell.coordinate} is a formula: {cell.value!r}")
                elif _runs(cell.value):
                    if cell.quotePrefix:
                        quoted += 1
                    else:
                        problems.append(f"{ws.title}!{cell.coordinate} would run: {cell.value!r}")
    return problems, quoted


def _hostile_package(root: Path) -> Path:
    """A copy of the repository whose free-text cells are all formulas, written without validation.

    Every free-text field (string, no allowed values, pattern or format) of every table gets
    one of :data:`HOSTILE` by row; an event gets a negative longitude (a number, which must
    stay one), and a retired event a formula where the event it was merged into belongs.
    """
    from kachin_events.schema import TABLES
    from kachin_events.validation.cells import free_text_fields

    shutil.copy(PACKAGE, root / "datapackage.json")
    shutil.copytree(REPO / "data", root / "data")
    for path in sorted((root / "data").rglob("*.csv")):
        with path.open(encoding="utf-8", newline="") as fh:
            rows = list(csv.reader(fh))
        table = path.stem
        if table not in TABLES:
            continue
        header, body = rows[0], rows[1:]
        for i, row in enumerate(body):
            for name in free_text_fields(table):
                row[header.index(name)] = HOSTILE[i % len(HOSTILE)]
            if table == "events" and i == 0:
                row[header.index("longitude")] = "-97.5"
        if table == "retractions":
            reason = get_schema("retractions").field("reason").enum[0]
            body.append(["KE999999", "2026-01-01", reason, HOSTILE[0], HOSTILE[1]])
        with path.open("w", encoding="utf-8", newline="") as fh:
            csv.writer(fh, lineterminator="\n").writerows([header, *body])
    return root / "datapackage.json"


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> Path:
    return _hostile_package(tmp_path_factory.mktemp("hostile"))


def test_every_export_of_hostile_data_escapes_every_formula(hostile, tmp_path):
    from kachin_events.contrib.template import write_template

    tables = read_tables(hostile)
    assert HOSTILE[0] in tables["events"]["notes"].to_list()  # validation was bypassed
    files = {kind: exports.export_bytes(kind, tables) for kind in exports.EXPORTS}
    files["acled-all-rows"] = exports.acled_csv(tables, 0, inter="numeric", long_ranges="flag", in_acled="mark")
    files["deletions"] = exports.deletions_csv(tables)
    template_csv = write_template(tmp_path / "template", "csv", package=hostile)
    files |= {f"template/{p.name}": p.read_bytes() for p in sorted(template_csv.glob("*.csv"))}
    cells = {name: (_geojson_cells(data) if name == "geojson" else _csv_cells(data)) for name, data in files.items()}
    for name, found in cells.items():
        assert found, name
        assert [c for c in found if _runs(c)] == [], name
    every = [c for found in cells.values() for c in found]
    # What was hostile is kept, as text: escaped with a quote, never dropped.
    for text in (HOSTILE[0], HOSTILE[1], "-x", "+/- 5", "\t=1+1"):
        assert "'" + text in every, text
    assert "'" + HOSTILE[0] in cells["deletions"]  # merged_into
    assert "'" + HOSTILE[0] in cells["geojson"] or "'" + HOSTILE[1] in cells["geojson"]
    # Numbers stay numbers: a negative longitude and "+1" are values, not formulas.
    for name in ("acled", "hxl", "ucdp"):
        assert "-97.5" in cells[name] and "'-97.5" not in cells[name], name
    assert "+1" in every and "'+1" not in every
    doc = json.loads(files["geojson"])
    assert any(f["geometry"]["coordinates"][0] == -97.5 for f in doc["features"])

    book = write_template(tmp_path / "template.xlsx", "xlsx", package=hostile)
    problems, quoted = _xlsx_problems(book)
    assert problems == []
    assert quoted > 0  # the hostile example rows and names reached the workbook, as quoted text


def test_a_release_is_refused_for_data_with_formula_cells(hostile, tmp_path):
    from kachin_events.release.build import InvalidDataError

    with pytest.raises(InvalidDataError) as info:
        build_release("0.1.0", tmp_path / "releases", hostile)
    assert "formula-cell" in {f.rule for f in info.value.report.errors}
    assert not (tmp_path / "releases").exists()


def test_every_file_of_a_release_from_the_repository_is_spreadsheet_safe(release):
    import pyarrow.parquet as pq

    scanned = {}
    for path in sorted(p for p in release.rglob("*") if p.is_file()):
        rel = path.relative_to(release).as_posix()
        if path.suffix == ".csv":
            scanned[rel] = _csv_cells(path.read_bytes())
        elif path.suffix == ".geojson":
            scanned[rel] = _geojson_cells(path.read_bytes())
        elif path.suffix == ".parquet":
            table = pq.read_table(path)
            scanned[rel] = [v for col in table.columns if str(col.type) in ("string", "large_string")
                            or str(col.type).startswith("dictionary") for v in col.to_pylist() if isinstance(v, str)]
    assert {r.split("/")[0] for r in scanned} == {"csv", "exports", "parquet"}
    assert sum(map(len, scanned.values())) > 10000
    offenders = {rel: [c for c in cells if _runs(c)] for rel, cells in scanned.items()}
    assert {rel: c for rel, c in offenders.items() if c} == {}


def test_escaping_changes_no_byte_of_the_repositorys_exports(tables, monkeypatch):
    """For valid data the exports are what they would be without escaping."""
    from kachin_events.exports import geojson, safe

    made = {kind: exports.export_bytes(kind, tables) for kind in exports.EXPORTS}
    made["deletions"] = exports.deletions_csv(tables)
    monkeypatch.setattr(safe, "safe_rows", lambda rows: rows)
    monkeypatch.setattr(safe, "safe_frame", lambda frame, schema: frame)
    monkeypatch.setattr(geojson, "safe_json", lambda value: value)
    plain = {kind: exports.export_bytes(kind, tables) for kind in exports.EXPORTS}
    plain["deletions"] = exports.deletions_csv(tables)
    assert made == plain
