"""The cross-field checks stay vectorised, and mean what they meant when they looped over rows.

Two kinds of test:

* a guard that reads the source of the checks (:mod:`kachin_events.rules`,
  :mod:`kachin_events.rule_checks` and the rule checks of :mod:`kachin_events.geometry`)
  and fails when one of them loops in Python over a column (``zip`` of columns,
  ``.to_list()``, a frame's rows ...);
* property tests: on small frames with empty cells, and reference tables that repeat a
  key (the first row of a key is the one that counts), each rewritten check gives the
  same Series as a plain-Python version of its rule written here, row by row, as the
  checks were before they were vectorised.
"""

from __future__ import annotations

import ast
import datetime as dt
import inspect
import math
import textwrap

import polars as pl
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from kachin_events import geometry, rule_checks, rules
from kachin_events.rules import BORDER_WARNING_KM, PRECISION_MAX_SPAN, PRECISION_MIN_SPAN, Context, get_rule
from kachin_events.schema import TABLES, get_schema, sub_event_types

SETTINGS = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
TODAY = dt.date(2026, 6, 1)

# -- (1) the guard ----------------------------------------------------------------------------
#: Calls that hand a column's cells to Python one at a time.
ROW_CALLS = {"to_list", "tolist", "iter_rows", "rows", "to_dicts", "iter_columns", "map_elements", "map_rows", "apply"}
#: In a loop's iterable, these mean it walks over cells (a column, an array of them).
CELL_SOURCES = ROW_CALLS | {"zip", "to_numpy", "asarray", "array", "to_series", "get_column"}


def _loops(tree):
    for node in ast.walk(tree):
        if isinstance(node, (ast.For, ast.AsyncFor)):
            yield node.lineno, node.iter
        elif isinstance(node, (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)):
            for gen in node.generators:
                yield node.lineno, gen.iter


def _called(node) -> str | None:
    if isinstance(node, ast.Call):
        func = node.func
        return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
    return None


def row_loops(source: str) -> list[str]:
    """Where the functions of ``source`` loop over a column's cells in Python."""
    found = []
    for fn in ast.walk(ast.parse(source)):
        if not isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        for node in ast.walk(fn):
            if _called(node) in ROW_CALLS:
                found.append(f"{fn.name}, line {node.lineno}: .{_called(node)}() hands cells to Python")
        for line, iterable in _loops(fn):
            parts = list(ast.walk(iterable))
            if any(_called(n) in CELL_SOURCES for n in parts) or any(isinstance(n, ast.Subscript) for n in parts):
                found.append(f"{fn.name}, line {line}: a loop over {ast.unparse(iterable)}")
    return found


def _geometry_checks_source() -> str:
    """The source of geometry's rule checks and every geometry function they call."""
    tree = ast.parse(inspect.getsource(rules))
    todo = [n.args[0].value for n in ast.walk(tree) if _called(n) == "geo_check"]
    assert todo, "rules registers no geometry check: the guard would check nothing"
    defs = {n.name: n for n in ast.parse(inspect.getsource(geometry)).body if isinstance(n, ast.FunctionDef)}
    seen: set = set()
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        todo += [c for n in ast.walk(defs[name]) if (c := _called(n)) in defs]
    return "\n\n".join(ast.unparse(defs[n]) for n in sorted(seen))


@pytest.mark.parametrize("module", [rules, rule_checks])
def test_no_check_loops_over_rows(module):
    found = row_loops(inspect.getsource(module))
    assert not found, "\n".join(found)


def test_no_geometry_check_loops_over_rows():
    found = row_loops(_geometry_checks_source())
    assert not found, "\n".join(found)


def test_the_guard_finds_the_loops_it_forbids():
    old = textwrap.dedent('''
        def _map(series, mapping):
            return [mapping.get(v) for v in series.to_list()]

        def _pairs(df):
            ok = []
            for a, b in zip(df["a"], df["b"]):
                ok.append(a == b)
            return ok

        def _positions(pcodes):
            return [str(c) for c in np.asarray(pcodes, dtype=object)]

        def _fine(df):
            for column in ("a", "b"):
                df = df.with_columns(df[column].is_null())
            return df
    ''')
    found = row_loops(old)
    assert {f.split(",")[0] for f in found} == {"_map", "_pairs", "_positions"}


# -- (2) property tests -----------------------------------------------------------------------
_DTYPES = {"integer": pl.Int64, "number": pl.Float64, "date": pl.Date, "boolean": pl.Boolean}


def typed(table: str, rows: list[dict]):
    """A typed frame of ``table`` (every schema field; a field a row lacks is empty)."""
    return pl.DataFrame([pl.Series(f.name, [r.get(f.name) for r in rows], dtype=_DTYPES.get(f.type, pl.String))
                         for f in get_schema(table).fields])


def context(tables: dict, present=None) -> Context:
    frames = {name: typed(name, rows) for name, rows in tables.items() if rows is not None}
    return Context(tables=frames, present=set(frames) if present is None else present, today=TODAY)


def first_rows(rows, key):
    """key -> the first row with that key (rows with an empty key left out)."""
    out = {}
    for r in rows or []:
        if r[key] is not None and r[key] not in out:
            out[r[key]] = r
    return out


def run(rule_id, table, rows, ctx, detail=False):
    rule = get_rule(rule_id)
    out = (rule.detail if detail else rule.check)(typed(table, rows), ctx)
    assert len(out) == len(rows)
    return out.to_list()


def maybe(values):
    return st.one_of(st.none(), st.sampled_from(values))


# Few codes and dates, so that frames and reference tables share them and repeat them.
PLACES = ["D1", "T1", "T2", "P1"]
LEVELS = ["state", "district", "township", "town", "village"]
EVENTS = ["E1", "E2", "E3"]
SOURCES = ["S1", "S2", "S3"]
ACTORS = ["A1", "A2", "A3"]
DATES = st.sampled_from([None] + [dt.date(2026, 1, d) for d in range(1, 6)])


@st.composite
def table_of(draw, row, key=None):
    """A reference table: None (not in the run) or rows, where ``key``'s values repeat with other values."""
    if draw(st.integers(0, 4)) == 0:
        return None
    rows = draw(st.lists(row, max_size=6))
    if key is not None:
        # The same key again, its other cells drawn anew: only the first row may count.
        rows += [{**draw(row), key: r[key]} for r in rows if draw(st.booleans())]
        rows = draw(st.permutations(rows))
    return rows


location_rows = st.fixed_dictionaries({
    "location_pcode": maybe(PLACES), "level": maybe(LEVELS), "admin2_pcode": maybe(PLACES),
    "admin3_pcode": maybe(PLACES), "status": maybe(["active", "inactive"])})
event_place_rows = st.fixed_dictionaries({
    "admin1_pcode": maybe(["MMR001"]), "admin2_pcode": maybe(PLACES), "admin3_pcode": maybe(PLACES),
    "location_pcode": maybe(PLACES), "geo_precision": maybe([1, 2, 3])})


@SETTINGS
@given(st.lists(event_place_rows, max_size=8), table_of(location_rows, "location_pcode"))
@example(  # D1 is written twice (a district first); T1's row has no level, P1's no status.
    [{"admin1_pcode": "MMR001", "admin2_pcode": "D1", "admin3_pcode": "T1", "location_pcode": "P1", "geo_precision": 1},
     {"admin1_pcode": None, "admin2_pcode": "D1", "admin3_pcode": None, "location_pcode": "D1", "geo_precision": 1}],
    [{"location_pcode": "D1", "level": "district", "admin2_pcode": None, "admin3_pcode": None, "status": "active"},
     {"location_pcode": "D1", "level": "town", "admin2_pcode": "D1", "admin3_pcode": "T1", "status": "inactive"},
     {"location_pcode": "T1", "level": None, "admin2_pcode": "D1", "admin3_pcode": None, "status": "active"},
     {"location_pcode": "P1", "level": "village", "admin2_pcode": "D1", "admin3_pcode": "T1", "status": None}])
def test_gazetteer_checks_mean_what_they_meant(events, locations):
    ctx = context({"locations": locations})
    ref = first_rows(locations, "location_pcode")

    def get(code, value, default=None):
        return ref[code][value] if code in ref else default

    def hierarchy(e):
        a2, a3 = e["admin2_pcode"], e["admin3_pcode"]
        good = True
        if a2 is not None and get(a2, "level", "district") != "district":
            good = False
        if a3 is not None:
            if get(a3, "level", "township") != "township":
                good = False
            elif a2 is None or (a3 in ref and ref[a3]["admin2_pcode"] != a2):
                good = False
        return good

    def in_admin(e):
        loc = e["location_pcode"]
        if loc is None:
            return True
        own3, own2 = get(loc, "admin3_pcode"), get(loc, "admin2_pcode")
        return not ((own3 is not None and own3 != e["admin3_pcode"]) or (own2 is not None and own2 != e["admin2_pcode"]))

    def active(e):
        codes = (e["location_pcode"], e["admin2_pcode"], e["admin3_pcode"])
        return all(get(c, "status", "active") == "active" for c in codes if c is not None)

    def precision_level(e):
        return not (e["geo_precision"] == 1 and get(e["location_pcode"], "level") in ("state", "district", "township"))

    assert run("admin-hierarchy", "events", events, ctx) == [hierarchy(e) for e in events]
    assert run("location-in-admin", "events", events, ctx) == [in_admin(e) for e in events]
    assert run("location-inactive", "events", events, ctx) == [active(e) for e in events]
    assert run("geo-precision-level", "events", events, ctx) == [precision_level(e) for e in events]


@SETTINGS
@given(st.lists(st.fixed_dictionaries({"event_id": maybe(EVENTS), "date_end": DATES}), max_size=8),
       table_of(st.fixed_dictionaries({"event_id": maybe(EVENTS), "source_id": maybe(SOURCES)})),
       table_of(st.fixed_dictionaries({"source_id": maybe(SOURCES), "publication_date_latest": DATES}), "source_id"))
@example(  # S1 is written twice: its first date (the 1st) counts, not the 5th.
    [{"event_id": "E1", "date_end": dt.date(2026, 1, 3)}, {"event_id": "E2", "date_end": dt.date(2026, 1, 3)}],
    [{"event_id": "E1", "source_id": "S1"}],
    [{"source_id": "S1", "publication_date_latest": dt.date(2026, 1, 1)},
     {"source_id": "S1", "publication_date_latest": dt.date(2026, 1, 5)}])
def test_date_after_publication_means_what_it_meant(events, links, sources):
    ctx = context({"event_sources": links, "sources": sources})
    pub = {k: r["publication_date_latest"] for k, r in first_rows(sources, "source_id").items()}
    latest: dict = {}
    for link in links or []:
        d = pub.get(link["source_id"])
        ev = link["event_id"]
        if ev is not None and d is not None and (ev not in latest or d > latest[ev]):
            latest[ev] = d

    def ok(e):
        bound = latest.get(e["event_id"])
        return e["date_end"] is None or bound is None or e["date_end"] <= bound

    assert run("date-after-publication", "events", events, ctx) == [ok(e) for e in events]


@SETTINGS
@given(st.lists(st.fixed_dictionaries({
    "date_start": DATES, "date_end": DATES, "date_precision": maybe([*PRECISION_MAX_SPAN, "fortnight"]),
    "event_type": maybe([*sorted(set(sub_event_types().values())), "Picnic"]),
    "sub_event_type": maybe([*sub_event_types(), "Pie fight"])}), max_size=8))
def test_the_small_maps_mean_what_they_meant(events):
    parents = sub_event_types()

    def span(e):
        if e["date_start"] is None or e["date_end"] is None or e["date_precision"] not in PRECISION_MAX_SPAN:
            return True
        days = (e["date_end"] - e["date_start"]).days
        p = e["date_precision"]
        return PRECISION_MIN_SPAN[p] <= days <= PRECISION_MAX_SPAN[p] or days < 0

    def sub_type(e):
        parent = parents.get(e["sub_event_type"])
        if e["event_type"] not in set(parents.values()):
            return True
        return parent is None or parent == e["event_type"]

    ctx = context({})
    assert run("date-precision-span", "events", events, ctx) == [span(e) for e in events]
    assert run("sub-event-type", "events", events, ctx) == [sub_type(e) for e in events]


@SETTINGS
@given(st.lists(st.fixed_dictionaries({"event_id": maybe(EVENTS)}), max_size=6),
       st.lists(st.fixed_dictionaries({"source_id": maybe(SOURCES)}), max_size=6),
       table_of(st.fixed_dictionaries({"event_id": maybe(EVENTS), "source_id": maybe(SOURCES)})),
       st.booleans())
def test_link_checks_mean_what_they_meant(events, sources, links, present):
    ctx = context({"event_sources": links}, present={"event_sources"} if present else set())
    judged = present and links is not None
    linked = {r["event_id"] for r in links or []}
    used = {r["source_id"] for r in links or []}
    assert run("event-has-source", "events", events, ctx) == [
        not judged or e["event_id"] is None or e["event_id"] in linked for e in events]
    assert run("source-used", "sources", sources, ctx) == [
        not judged or s["source_id"] is None or s["source_id"] in used for s in sources]


@SETTINGS
@given(st.lists(st.fixed_dictionaries({"event_id": maybe(EVENTS), "actor_id": maybe(ACTORS)}), max_size=8),
       table_of(st.fixed_dictionaries({"event_id": maybe(EVENTS), "actor1": maybe(ACTORS), "actor2": maybe(ACTORS)}),
                "event_id"))
@example([{"event_id": "E1", "actor_id": "A2"}, {"event_id": None, "actor_id": "A1"}],
         [{"event_id": "E1", "actor1": "A1", "actor2": None}, {"event_id": "E1", "actor1": "A2", "actor2": None}])
def test_assoc_actor_distinct_means_what_it_meant(assoc, events):
    ctx = context({"events": events})
    main = first_rows(events, "event_id")

    def ok(row):
        ev = main.get(row["event_id"], {})
        return row["actor_id"] is None or row["actor_id"] not in (ev.get("actor1"), ev.get("actor2"))

    assert run("assoc-actor-distinct", "event_actors", assoc, ctx) == [ok(r) for r in assoc]


CLAIMANT_TYPES = get_schema("event_sources").field("claimant_type").enum
PARTY = {"party_spokesperson", "party_source", "party_statement"}


@SETTINGS
@given(st.lists(st.fixed_dictionaries({"claimant_id": maybe(["C1", "C2", "C3"]), "claimant_type": maybe(CLAIMANT_TYPES),
                                       "claimant_actor_id": maybe(ACTORS)}), max_size=8),
       table_of(st.fixed_dictionaries({"claimant_id": maybe(["C1", "C2", "C3"]), "claimant_type": maybe(CLAIMANT_TYPES),
                                       "actor_id": maybe(ACTORS)}), "claimant_id"))
@example([{"claimant_id": "C1", "claimant_type": "outlet", "claimant_actor_id": None}],
         [{"claimant_id": "C1", "claimant_type": "outlet", "actor_id": None},
          {"claimant_id": "C1", "claimant_type": "witness", "actor_id": None}])
def test_claimant_registry_means_what_it_meant(links, claimants):
    ctx = context({"claimants": claimants})
    reg = first_rows(claimants, "claimant_id")

    def ok(row):
        kind, actor = row["claimant_type"], row["claimant_actor_id"]
        entry = reg.get(row["claimant_id"])
        if not claimants or entry is None or entry["claimant_type"] is None:
            return True
        actor_rule_ok = kind is None or kind == "unknown" or ((kind in PARTY) == (actor is not None))
        same_type = kind is None or kind == entry["claimant_type"]
        return same_type and (actor == entry["actor_id"] or not actor_rule_ok)

    assert run("claimant-registry", "event_sources", links, ctx) == [ok(r) for r in links]


@SETTINGS
@given(st.lists(st.fixed_dictionaries({"event_id": maybe(EVENTS), "fatalities_best": st.one_of(st.none(), st.integers(0, 30))}),
                max_size=8),
       table_of(st.fixed_dictionaries({
           "event_id": maybe(EVENTS), "claimed_fatalities_side": maybe(["actor1", "actor2", "all"]),
           "claimed_fatalities_low": st.one_of(st.none(), st.integers(0, 15)),
           "claimed_fatalities_high": st.one_of(st.none(), st.integers(0, 15))})))
def test_claims_span_means_what_it_meant(events, links):
    ctx = context({"event_sources": links})
    sides: dict = {}
    for r in links or []:
        lo, hi = r["claimed_fatalities_low"], r["claimed_fatalities_high"]
        if r["event_id"] is not None and (lo is not None or hi is not None):
            sides.setdefault(r["event_id"], {}).setdefault(r["claimed_fatalities_side"], []).append((lo, hi))
    spans = {}
    for ev, by_side in sides.items():
        lows = [min(0 if lo is None else lo for lo, _ in claims) for claims in by_side.values()]
        open_ = any(hi is None for claims in by_side.values() for _, hi in claims)
        spans[ev] = (min(lows), None if open_ else sum(max(hi for _, hi in c) for c in by_side.values()))

    def ok(e):
        low, high = spans.get(e["event_id"], (None, None))
        best = e["fatalities_best"]
        return best is None or ((low is None or best >= low) and (high is None or best <= high))

    def detail(e):
        if e["event_id"] not in spans:
            return None
        low, high = spans[e["event_id"]]
        return f"the claims give at least {low} deaths" if high is None else f"the claims give {low} to {high} deaths"

    assert run("claims-span", "events", events, ctx) == [ok(e) for e in events]
    assert run("claims-span", "events", events, ctx, detail=True) == [detail(e) for e in events]


@SETTINGS
@given(st.lists(st.fixed_dictionaries({
    "event_id": maybe(EVENTS + ["E4", "E5"]), "date_start": DATES, "event_type": maybe(["Battles"]),
    "actor1": maybe(ACTORS[:2]), "actor2": maybe(ACTORS[:2]), "admin3_pcode": maybe(["T1"]),
    "admin2_pcode": maybe(["D1"])}), max_size=8),
    table_of(st.fixed_dictionaries({"event_id": maybe(EVENTS + ["E4", "E5"]), "source_id": maybe(SOURCES)})))
def test_possible_duplicate_detail_follows_the_rows(events, links):
    for e in events:
        e["date_end"] = e["date_start"]
    ctx = context({"event_sources": links})
    others: dict = {}
    for ev, other in rules.duplicate_pairs(typed("events", events), ctx).iter_rows():
        others.setdefault(ev, set()).add(other)
    assert run("possible-duplicate", "events", events, ctx, detail=True) == [
        "possibly the same event as " + ", ".join(sorted(others[e["event_id"]])) if e["event_id"] in others else None
        for e in events]
    assert run("possible-duplicate", "events", events, ctx) == [e["event_id"] not in others for e in events]


# -- geometry --------------------------------------------------------------------------------
TOWNSHIPS = [t["admin3_pcode"] for t in geometry.boundaries().townships]
#: Points in, near and far from Kachin's townships (Myitkyina, Bhamo, a border, Yangon).
POINTS = [(25.38, 97.39), (24.25493, 97.23441), (24.255, 97.0), (26.0, 97.8), (16.8, 96.15), (25.0, 96.3)]
points = st.one_of(st.sampled_from(POINTS), st.tuples(st.floats(23.5, 28.6), st.floats(95.8, 98.8)),
                   st.tuples(st.none(), st.floats(95.8, 98.8)), st.just((None, None)))


def _km_text(d: float) -> str:
    # The detail rounds with polars; so does the reference, so that only the meaning is compared.
    return pl.Series([d]).round(1).cast(pl.String)[0]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(points, maybe([*TOWNSHIPS, "MMR001999", "MMR002001"])), max_size=6))
def test_geometry_checks_mean_what_they_meant(rows):
    events = [{"latitude": lat, "longitude": lon, "admin3_pcode": a3} for (lat, lon), a3 in rows]
    ctx = context({})

    def nan(x):
        return math.nan if x is None else x

    def dist(e):
        return geometry.distance_to_township_km([nan(e["latitude"])], [nan(e["longitude"])], [e["admin3_pcode"]])[0]

    def in_state(e):
        if e["latitude"] is None or e["longitude"] is None:
            return True
        return bool(geometry.in_state([e["latitude"]], [e["longitude"]])[0])

    def detail(e):
        if e["admin3_pcode"] is None:
            return None
        there = geometry.locate(nan(e["latitude"]), nan(e["longitude"]))
        where = ("the point is in no township of Kachin" if there is None
                 else f"the point is in {there['admin3_name']} ({there['admin3_pcode']})")
        stated = geometry.township_names([e["admin3_pcode"]])[0] or "?"
        return f"{where}, {_km_text(dist(e))} km from the stated township {stated} ({e['admin3_pcode']})"

    assert run("coords-in-township", "events", events, ctx) == [
        not dist(e) > BORDER_WARNING_KM or not in_state(e) for e in events]
    assert run("coords-township-border", "events", events, ctx) == [
        not (geometry.TOLERANCE_KM < dist(e) <= BORDER_WARNING_KM) for e in events]
    assert run("coords-in-township", "events", events, ctx, detail=True) == [detail(e) for e in events]


# -- columns with no type of their own -------------------------------------------------------------
@pytest.mark.parametrize("rule_id", ["date-after-publication", "sub-event-type", "admin-hierarchy",
                                     "location-in-admin", "location-inactive", "event-has-source",
                                     "geo-precision-level", "assoc-actor-distinct", "source-used"])
def test_a_column_of_empty_cells_passes(rule_id):
    """A frame whose columns are all empty (polars type Null) passes, as empty cells always do."""
    from kachin_events.tables import read_tables

    rule = get_rule(rule_id)
    frame = pl.DataFrame({f: [None, None] for f in get_schema(rule.table).field_names})
    ctx = Context(tables=read_tables(), present=set(TABLES), today=TODAY)
    assert rule.check(frame, ctx).to_list() == [True, True]


# -- possible duplicates: a sorted sweep instead of a self-join ------------------------------
def _self_join_pairs(events):
    """The old meaning: a self-join on place, type and actor pair, then overlapping dates."""
    import polars as pl

    e = events.select(
        "event_id", "date_start", "date_end", "event_type",
        pl.coalesce("admin3_pcode", "admin2_pcode", "admin1_pcode").alias("_place"),
        pl.min_horizontal("actor1", pl.col("actor2").fill_null("")).alias("_a"),
        pl.max_horizontal("actor1", pl.col("actor2").fill_null("")).alias("_b"),
    ).drop_nulls(["event_id", "date_start", "date_end"])
    return e.join(e, on=["_place", "event_type", "_a", "_b"], suffix="_o").filter(
        (pl.col("event_id") != pl.col("event_id_o"))
        & (pl.col("date_start") <= pl.col("date_end_o")) & (pl.col("date_start_o") <= pl.col("date_end"))
    ).select("event_id", pl.col("event_id_o").alias("other_id"))


@settings(max_examples=150, deadline=None)
@given(rows=st.lists(st.tuples(
    st.sampled_from(["KE1", "KE2", "KE3", "KE4", "KE5", "KE6", "KE7"]),
    st.integers(min_value=0, max_value=12), st.integers(min_value=-3, max_value=8),
    st.sampled_from(["Battles", "Riots", None]), st.sampled_from(["MMR001001", "MMR001002", None]),
    st.sampled_from(["MMR001D001", None]), st.sampled_from(["kia", "tnla"]), st.sampled_from(["kia", "pdf", None]),
), max_size=14))
def test_possible_duplicates_sweep_finds_the_self_join_pairs(rows):
    import datetime as dt

    import polars as pl

    from kachin_events.rule_checks import possible_duplicates

    day = dt.date(2026, 1, 1)
    events = pl.DataFrame(
        [(i, day + dt.timedelta(days=s), day + dt.timedelta(days=s + d), t, a3, a2, "MMR001", x, y)
         for i, s, d, t, a3, a2, x, y in rows],
        schema={"event_id": pl.String, "date_start": pl.Date, "date_end": pl.Date, "event_type": pl.String,
                "admin3_pcode": pl.String, "admin2_pcode": pl.String, "admin1_pcode": pl.String,
                "actor1": pl.String, "actor2": pl.String}, orient="row")
    assert sorted(possible_duplicates(events).rows()) == sorted(_self_join_pairs(events).rows())


@settings(max_examples=150, deadline=None)
@given(rows=st.lists(st.tuples(
    st.sampled_from(["KE1", "KE2", "KE3", "KE4", "KE5", "KE6"]), st.integers(min_value=0, max_value=6),
    st.integers(min_value=0, max_value=4), st.sampled_from(["MMR001001", "MMR001002"]), st.sampled_from(["kia", "tnla"]),
), max_size=12), links=st.lists(st.tuples(st.sampled_from(["KE1", "KE2", "KE3", "KE4", "KE5", "KE6", "KE9"]),
                                            st.sampled_from(["s1", "s2", "s3", None])), max_size=14))
def test_duplicate_pairs_drop_exactly_the_pairs_sharing_a_source(rows, links):
    import datetime as dt

    import polars as pl

    from kachin_events.rule_checks import duplicate_pairs
    from kachin_events.rules import Context

    day = dt.date(2026, 1, 1)
    events = pl.DataFrame(
        [(i, day + dt.timedelta(days=s), day + dt.timedelta(days=s + d), "Battles", a3, "MMR001D001", "MMR001", x, None)
         for i, s, d, a3, x in rows],
        schema={"event_id": pl.String, "date_start": pl.Date, "date_end": pl.Date, "event_type": pl.String,
                "admin3_pcode": pl.String, "admin2_pcode": pl.String, "admin1_pcode": pl.String,
                "actor1": pl.String, "actor2": pl.String}, orient="row")
    cites = pl.DataFrame(links, schema={"event_id": pl.String, "source_id": pl.String}, orient="row")
    ctx = Context(tables={"events": events, "event_sources": cites})
    sources: dict = {}
    for ev, src in links:
        if src is not None:
            sources.setdefault(ev, set()).add(src)
    pool = events.unique("event_id", keep="first", maintain_order=True)
    expected = {(a, b) for a, b in _self_join_pairs(pool).rows()
                if not (sources.get(a, set()) & sources.get(b, set()))}
    assert set(duplicate_pairs(events, ctx).rows()) == expected
