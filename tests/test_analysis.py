"""Analysis-ready loading: pandas dates that compute, keyword-only arguments with hints,
the version inside what load() returns, the flat view and load_all (issue 12)."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from pathlib import Path

import pytest

from conftest import RELEASE_VERSION as V
from kachin_events import load, load_all, load_flat
from kachin_events.release.registry import register_release
from kachin_events.schema import TABLES, get_schema


@pytest.fixture
def hosted(release_base, serve, registry_file):
    """The built release served over HTTP on 127.0.0.1 and registered with the server's URL."""
    server = serve(release_base)
    register_release(release_base / V, url=server.url)
    return server


def _middle(start: dt.date, end: dt.date, precision: str) -> dt.date:
    """The representative date, computed here from its documented rule (not by the package)."""
    return start if precision == "day" else start + dt.timedelta(days=(end - start).days // 2)


def _events_by_hand() -> list[dict]:
    """The events as plain dicts, with township names looked up by hand in the gazetteer."""
    events = load("events", format="polars").to_dicts()
    names = dict(load("locations", format="polars").select("location_pcode", "name").iter_rows())
    for e in events:
        e["township"] = names.get(e["admin3_pcode"])
        e["district"] = names.get(e["admin2_pcode"])
    return events


# -- pandas dates ------------------------------------------------------------------------
def test_pandas_date_idioms_work():
    import pandas as pd

    df = load()
    events = _events_by_hand()
    # The three idioms that failed on date32[pyarrow] columns.
    recent = df[df.date_start >= "2026-01-01"]
    assert sorted(recent["event_id"]) == sorted(e["event_id"] for e in events if e["date_start"] >= dt.date(2026, 1, 1))
    assert 0 < len(recent) < len(df)  # the filter really splits the data
    months = df.date_start.dt.to_period("M")
    assert Counter(str(m) for m in months) == Counter(e["date_start"].strftime("%Y-%m") for e in events)
    per_month = df.set_index("date_start").resample("MS").size()
    want = Counter(e["date_start"].replace(day=1) for e in events)
    assert {k.date(): v for k, v in per_month.items() if v} == dict(want)
    assert per_month.index.freqstr == "MS" and per_month.sum() == len(events)
    assert isinstance(df.date_end.iloc[0], pd.Timestamp)


def test_every_date_column_of_every_table_is_datetime64_in_pandas_and_a_date_elsewhere():
    import polars as pl
    import pyarrow as pa

    for table in TABLES:
        dates = [f.name for f in get_schema(table).fields if f.type == "date"]
        pdf, plf, arr = (load(table, format=f) for f in ("pandas", "polars", "arrow"))
        for name in dates:
            assert str(pdf[name].dtype) == "datetime64[ns]", (table, name)
            assert plf.schema[name] == pl.Date, (table, name)
            assert arr.schema.field(name).type == pa.date32(), (table, name)


def test_missing_dates_are_nat_not_a_made_up_day():
    import pandas as pd
    import pyarrow as pa

    from kachin_events.frames import pandas_frame

    df = pandas_frame(pa.table({"d": pa.array([dt.date(2025, 1, 31), None], pa.date32())}))
    assert df["d"].iloc[0] == pd.Timestamp("2025-01-31") and pd.isna(df["d"].iloc[1])


# -- arguments ---------------------------------------------------------------------------------
@pytest.mark.parametrize(("call", "expected"), [
    (lambda: load("events", "polars"), "format='polars'"),
    (lambda: load("events", "0.1.0"), "version='0.1.0'"),
    (lambda: load("events", None, "arrow"), "by keyword (...=None, format='arrow')"),
    (lambda: load_flat("polars"), "format='polars'"),
    (lambda: load_all("0.1.0"), "version='0.1.0'"),
])
def test_arguments_after_the_table_are_keyword_only(call, expected):
    with pytest.raises(TypeError, match="keyword-only") as err:
        call()
    assert expected in str(err.value)


@pytest.mark.parametrize(("call", "error", "hint"), [
    (lambda: load(fromat="polars"), TypeError, "Did you mean 'format'?"),
    (lambda: load("events", verison="0.1.0"), TypeError, "Did you mean 'version'?"),
    (lambda: load_flat(fromat="polars"), TypeError, "Did you mean 'format'?"),
    (lambda: load(format="pollars"), ValueError, "Did you mean 'polars'?"),
    (lambda: load_all(format="Pandas"), ValueError, "Did you mean 'pandas'?"),
    (lambda: load("evnets"), ValueError, "Did you mean 'events'?"),
    (lambda: load("actors", flat=True), ValueError, "load('events', flat=True)"),
])
def test_wrong_arguments_get_a_did_you_mean(call, error, hint):
    with pytest.raises(error) as err:
        call()
    assert hint in str(err.value)


def test_no_arguments_and_keywords_still_work():
    assert len(load()) == len(load(table="events")) == len(load("events", format="pandas"))
    with pytest.raises(ValueError, match="needs a version"):
        load_all(base_url="http://127.0.0.1:1")


# -- the version inside what load() returns --------------------------------------------------
def test_snapshot_says_it_is_the_snapshot():
    from kachin_events import __version__

    for fmt in ("pandas", "polars"):
        attrs = load("actors", format=fmt).attrs
        assert attrs["table"] == "actors" and attrs["source"] == "snapshot"
        assert attrs["version"] is None  # not a published release: no version is claimed
        assert attrs["kachin_events_version"] == __version__
    meta = load("actors", format="arrow").schema.metadata
    assert meta[b"table"] == b"actors" and meta[b"source"] == b"snapshot" and b"version" not in meta


def test_snapshot_arrow_fields_carry_the_schema_descriptions():
    table = load("events", format="arrow")
    for f in get_schema("events").fields:
        meta = table.schema.field(f.name).metadata
        assert meta[b"description"].decode() == f.description and meta[b"title"].decode() == f.title


def test_release_frames_carry_their_version(hosted, release_base, tmp_path):
    import pyarrow.parquet as pq

    cache = tmp_path / "c"
    created = json.loads((release_base / V / "datapackage.json").read_text(encoding="utf-8")).get("created")
    for fmt in ("pandas", "polars"):
        attrs = load("events", version=V, format=fmt, cache_dir=cache).attrs
        assert (attrs["version"], attrs["source"], attrs["table"]) == (V, "release", "events")
        assert attrs["created"] == (str(created) if created else None)
    arrow = load("events", version=V, format="arrow", cache_dir=cache)
    assert arrow.schema.metadata[b"version"] == V.encode()
    # The field descriptions the Parquet file carries, kept.
    stored = pq.read_schema(release_base / V / "parquet" / "events.parquet")
    for name in arrow.column_names:
        assert arrow.schema.field(name).metadata == stored.field(name).metadata
        assert arrow.schema.field(name).metadata[b"description"]


# -- the flat view -------------------------------------------------------------------------------
def test_flat_view_has_the_schema_columns_and_one_row_per_event():
    from kachin_events.flat import flat_descriptor

    flat = load_flat(format="polars")
    assert flat.columns == [f["name"] for f in flat_descriptor()["fields"]]
    assert flat["event_id"].to_list() == sorted(e["event_id"] for e in _events_by_hand())
    assert flat.attrs["table"] == "events_flat"


def test_events_per_township_and_month_in_one_line_each():
    import pandas as pd
    import polars as pl

    flat_pd = load_flat()
    flat_pl = load_flat(format="polars")
    # The one-liners an analyst writes:
    by_pd = flat_pd.groupby(["township", flat_pd.event_date.dt.to_period("M")], dropna=False).size()
    by_pl = flat_pl.group_by("township", pl.col("event_date").dt.truncate("1mo")).len()

    want = Counter((e["township"], _middle(e["date_start"], e["date_end"], e["date_precision"]).strftime("%Y-%m"))
                   for e in _events_by_hand())
    got_pd = Counter({(None if pd.isna(town) else town, str(month)): n for (town, month), n in by_pd.items()})
    got_pl = Counter({(town, month.strftime("%Y-%m")): n for town, month, n in by_pl.iter_rows()})
    assert got_pd == want and got_pl == want
    assert len(want) > 1 and sum(want.values()) == len(flat_pd)


def test_representative_date_is_the_acled_exports_date():
    from kachin_events.exports.acled import event_date

    for row in load_flat(format="polars").iter_rows(named=True):
        assert row["event_date"] == event_date(row["date_start"], row["date_end"], row["date_precision"])
        assert row["date_start"] <= row["event_date"] <= row["date_end"]


def test_flat_names_come_from_the_tables():
    actors = {a["actor_id"]: a for a in load("actors", format="polars").to_dicts()}
    labels = {c["value"]: c["label"] for c in get_schema("actors").field("acled_inter").categories}
    assoc = load("event_actors", format="polars").to_dicts()
    by_hand = {e["event_id"]: e for e in _events_by_hand()}
    for row in load_flat(format="polars").iter_rows(named=True):
        e = by_hand[row["event_id"]]
        for n in (1, 2):
            actor = actors.get(e[f"actor{n}"])
            assert row[f"actor{n}_name"] == (actor["name"] if actor else None)
            assert row[f"actor{n}_type"] == (labels[actor["acled_inter"]] if actor else None)
            names = sorted({actors[a["actor_id"]]["name"] for a in assoc
                            if a["event_id"] == e["event_id"] and a["side"] == n})
            assert row[f"actor{n}_associates"] == ("; ".join(names) if names else None)
        assert (row["township"], row["district"]) == (e["township"], e["district"])
        assert row["notes"] == e["notes"] and row["fatalities_best"] == e["fatalities_best"]
    assert any(r for r in load_flat(format="polars")["actor1_associates"].to_list())  # the data has some


def test_flat_tags_are_columns():
    tags = get_schema("event_tags").field("tag").enum
    flat = load_flat(format="polars")
    assert [c for c in flat.columns if c.startswith("tag_")] == [f"tag_{t}" for t in tags]
    have = {(r["event_id"], r["tag"]) for r in load("event_tags", format="polars").to_dicts()}
    for row in flat.iter_rows(named=True):
        for t in tags:
            assert row[f"tag_{t}"] is ((row["event_id"], t) in have)
    assert sum(flat[f"tag_{t}"].sum() for t in tags) == len(have)


def _claims(rows: list[tuple]) -> list[dict]:
    keys = ("event_id", "source_id", "claimant", "claimant_type", "claimant_actor_id", "claimant_id")
    return [dict(zip(keys, r)) for r in rows]


def test_single_party_claims():
    """Hand-written claims: one party, a party and its parent organisation, a party and an
    outlet, two parties, and an event with no claim."""
    import polars as pl

    from kachin_events.flat import flat_events
    from kachin_events.tables import read_tables

    tables = dict(read_tables())
    events = tables["events"].head(5)
    ids = events["event_id"].to_list()
    claims = _claims([
        (ids[0], "s-1", "Colonel Naw Bu", "party_spokesperson", "kia", "naw_bu"),
        (ids[0], "s-2", "a KIA source", "party_source", "kia", "kia_source"),
        (ids[1], "s-1", "Colonel Naw Bu", "party_spokesperson", "kia", "naw_bu"),
        (ids[1], "s-2", "KIO statement", "party_statement", "kio", "naw_bu"),  # the KIA's parent
        (ids[2], "s-1", "Colonel Naw Bu", "party_spokesperson", "kia", "naw_bu"),
        (ids[2], "s-2", "Kachin News Group (KNG)", "outlet", None, "kng"),
        (ids[3], "s-1", "Colonel Naw Bu", "party_spokesperson", "kia", "naw_bu"),
        (ids[3], "s-2", "junta statement", "party_statement", "myanmar_military", "kng"),
    ])  # ids[4]: no claim at all
    schema = tables["event_sources"].schema
    tables["events"] = events
    tables["event_sources"] = pl.DataFrame(claims).with_columns(
        [pl.lit(None).alias(c) for c in schema if c not in claims[0]]).select(list(schema)).cast(schema)
    flat = {r["event_id"]: r for r in flat_events(tables).iter_rows(named=True)}
    assert [flat[i]["single_party_claims"] for i in ids] == [True, True, False, False, None]
    assert flat[ids[1]]["claim_parties"] == "Kachin Independence Army; Kachin Independence Organization"
    assert flat[ids[2]]["claim_parties"] == "Kachin Independence Army"
    assert flat[ids[2]]["claimants"] == "Colonel Naw Bu; Kachin News Group (KNG)"
    assert flat[ids[0]]["source_ids"] == "s-1; s-2"
    assert flat[ids[4]]["claimants"] is None and flat[ids[4]]["source_ids"] is None


def test_flat_schema_is_the_one_source_of_its_columns(tmp_path, monkeypatch):
    from kachin_events import flat as flat_module
    from kachin_events.tables import read_tables

    path = flat_module.flat_schema_path()
    raw = json.loads(path.read_text(encoding="utf-8"))
    for f in flat_module.flat_descriptor()["fields"]:
        assert f.get("type") and f.get("description"), f["name"]
    tables = read_tables()

    def use(doc) -> None:
        folder = tmp_path / f"s{len(list(tmp_path.iterdir()))}"
        (folder / "flat").mkdir(parents=True)
        (folder / "flat" / path.name).write_text(json.dumps(doc), encoding="utf-8")
        monkeypatch.setattr(flat_module, "flat_schema_path", lambda: folder / "flat" / path.name)

    # A column the builder cannot make, a derived column left out, a field that does not exist:
    use({**raw, "fields": raw["fields"] + [{"name": "x", "type": "string", "description": "?",
                                            "derivedFrom": ["events.notes"]}]})
    with pytest.raises(ValueError, match="column 'x' is declared, but flat_events cannot make it"):
        flat_module.flat_events(tables)
    use({**raw, "fields": [f for f in raw["fields"] if f["name"] != "township"]})
    with pytest.raises(ValueError, match="does not declare: township"):
        flat_module.flat_events(tables)
    use({**raw, "fields": raw["fields"] + [{"name": "nope", "derivedFrom": ["events.nope"]}]})
    with pytest.raises(ValueError, match="'events.nope' is not a field of the schemas"):
        flat_module.flat_descriptor()
    use({**raw, "fields": raw["fields"] + [{"name": "copy", "derivedFrom": ["events.notes"]}]})
    with pytest.raises(ValueError, match="must be a copy of the events field of the same name"):
        flat_module.flat_descriptor()
    # Reordering the schema reorders the view: the order is the schema's.
    use({**raw, "fields": raw["fields"][::-1]})
    assert flat_module.flat_events(tables).columns[0] == "notes"


def test_flat_schema_is_not_a_data_table():
    # schemas/*.json are the data tables; the flat view's schema lives in a subfolder.
    root = Path(get_schema("events").path).parent
    assert sorted(p.stem for p in root.glob("*.json")) == sorted(TABLES)
    assert (root / "flat" / "events_flat.json").is_file()


def test_codebook_documents_every_flat_column():
    from kachin_events.codebook import render_codebook
    from kachin_events.flat import flat_schema

    text = render_codebook()
    section = text[text.index("## The flat view: events_flat"):text.index("## Validation rules")]
    for f in flat_schema().fields:
        assert f"| `{f.name}` |" in section and f.description.split(".")[0][:40] in section


def test_load_flat_equals_load_with_flat():
    import pandas as pd

    pd.testing.assert_frame_equal(load("events", flat=True), load_flat())
    assert load("events", flat=True, format="arrow").equals(load_flat(format="arrow"))


def test_release_flat_view_and_load_all(hosted, tmp_path):
    import pandas as pd

    cache = tmp_path / "c"
    flat = load_flat(version=V, cache_dir=cache)
    assert flat.attrs["version"] == V and flat.attrs["table"] == "events_flat"
    pd.testing.assert_frame_equal(flat, load_flat())  # the release was built from the snapshot
    asked = len(hosted.requests)
    ds = load_all(version=V, cache_dir=cache)
    assert (ds.version, ds.source) == (V, "release")
    assert list(ds) == list(TABLES) and len(ds) == len(TABLES)
    for t in TABLES:
        pd.testing.assert_frame_equal(ds[t], load(t))
        assert ds[t].attrs["version"] == V
    # One descriptor for the whole release (already cached here: nothing asked twice).
    assert hosted.requests[asked:].count(f"/{V}/datapackage.json") == 0


def test_load_all_snapshot_in_each_format():
    for fmt in ("pandas", "polars", "arrow"):
        ds = load_all(format=fmt)
        assert ds.version is None and ds.source == "snapshot" and ds.format == fmt
        for t in TABLES:
            one = load(t, format=fmt)
            assert one.equals(ds[t]), (fmt, t)
    with pytest.raises(KeyError, match="Did you mean 'events'"):
        ds["event"]
