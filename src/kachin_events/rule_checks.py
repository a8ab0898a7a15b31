"""The cross-field checks of the validation rules, registered in :mod:`kachin_events.rules`.

A check takes a table's typed polars frame and a :class:`~kachin_events.rules.Context`
and returns a boolean Series, one value per row in the frame's order, True where the
row passes. A check passes rows whose inputs are empty: the ``required`` rule speaks
for empty cells, so nobody is told the same thing twice.

Every check is vectorised. A reference table (the gazetteer, the sources, the events
an event_actors row names) is attached to the rows by a left join that keeps the rows'
order, on a copy of the table holding only the first row of each key, as written: a key
written twice in a reference table never doubles a row.

This module does not import :mod:`kachin_events.rules` when it loads (that module
imports this one to build the registry); the checks import its constants when they run.
"""

from __future__ import annotations


def _pl():
    import polars as pl

    return pl


# -- helpers ---------------------------------------------------------------------------
def _ok(expr_series):
    """Null (an input was empty) counts as passing."""
    return expr_series.fill_null(True)


def _all_pass(df):
    pl = _pl()
    return pl.repeat(True, df.height, dtype=pl.Boolean, eager=True).alias("ok")


def _map(series, mapping: dict, dtype=None):
    """Look each value up in a small ``mapping`` (null when absent), keeping the row order.

    Examples
    --------
    >>> import polars as pl
    >>> _map(pl.Series("p", ["day", None, "fortnight"]), {"day": 0}, pl.Int64).to_list()
    [0, None, None]
    """
    pl = _pl()
    keys = pl.Series(list(mapping), dtype=pl.String if not mapping else None)
    values = pl.Series(list(mapping.values()), dtype=dtype, strict=False)
    # A column with every cell empty has no type of its own: give it the keys' type.
    series = series.cast(keys.dtype) if series.dtype == pl.Null else series
    return series.replace_strict(keys, values, default=None, return_dtype=values.dtype)


def _reference(ctx, table: str, key: str, values):
    """The first row of each key of a reference table (null keys dropped), or None without rows."""
    ref = ctx.tables.get(table)
    if ref is None or ref.height == 0:
        return None
    return ref.select(key, *values).drop_nulls(key).unique(subset=key, keep="first", maintain_order=True)


def _look_up(keys, ref, key: str, values):
    """For each of ``keys``, the ``values`` of its row in ``ref``, and ``_hit``.

    Returns a frame with one row per key, in order: the value columns (null where the
    key is empty or not in ``ref``) and ``_hit``, True where ``ref`` has the key (a
    value may be empty in a row that exists, and some checks tell the two apart).

    Examples
    --------
    >>> import polars as pl
    >>> ref = pl.DataFrame({"code": ["a", "b", "a"], "level": ["town", None, "state"]})
    >>> ref = ref.unique(subset="code", keep="first", maintain_order=True)
    >>> out = _look_up(pl.Series(["b", "x", "a", None, "a"]), ref, "code", ["level"])
    >>> out["level"].to_list()
    [None, None, 'town', None, 'town']
    >>> out["_hit"].to_list()
    [True, False, True, False, True]
    """
    pl = _pl()
    left = keys.alias("_key").to_frame()
    if ref is None:
        return left.with_columns([pl.lit(None).alias(v) for v in values] + [pl.lit(False).alias("_hit")]).drop("_key")
    right = ref.select(pl.col(key).alias("_key"), *values, _hit=pl.lit(True))
    if right["_key"].dtype == pl.Null:
        right = right.with_columns(pl.col("_key").cast(left["_key"].dtype))
    elif left["_key"].dtype != right["_key"].dtype:
        # Typed frames share their schemas' types; an all-empty column (Null) takes the table's.
        left = left.with_columns(pl.col("_key").cast(right["_key"].dtype, strict=False))
    joined = left.join(right, on="_key", how="left", maintain_order="left")
    return joined.select(*values, pl.col("_hit").fill_null(False))


def _is_in(values, pool):
    """Whether each value is one of ``pool``'s (null for an empty value)."""
    pl = _pl()
    pool = pool.drop_nulls()
    if values.dtype == pl.Null:
        values = values.cast(pool.dtype)
    elif pool.dtype != values.dtype:
        pool = pool.cast(values.dtype, strict=False).drop_nulls()
    return values.is_in(pool.implode())


# -- events ----------------------------------------------------------------------------
def check_date_order(df, ctx):
    return _ok(df["date_end"] >= df["date_start"])


def check_date_precision_span(df, ctx):
    from .rules import PRECISION_MAX_SPAN, PRECISION_MIN_SPAN

    pl = _pl()
    span = (df["date_end"] - df["date_start"]).dt.total_days()
    hi = _map(df["date_precision"], PRECISION_MAX_SPAN, pl.Int64)
    lo = _map(df["date_precision"], PRECISION_MIN_SPAN, pl.Int64)
    # A negative span is date-order's finding, not this one's.
    return _ok((span <= hi) & (span >= lo)) | _ok(span < 0)


def check_date_future(df, ctx):
    return _ok(df["date_end"] <= ctx.today)


def _event_pub_latest(ctx):
    """Per event_id: the latest possible publication date of its latest source (a frame)."""
    pl = _pl()
    links = ctx.tables.get("event_sources")
    pub = _reference(ctx, "sources", "source_id", ["publication_date_latest"])
    if links is None or links.height == 0 or pub is None:
        return None
    dates = _look_up(links["source_id"], pub, "source_id", ["publication_date_latest"])
    per_link = pl.DataFrame({"event_id": links["event_id"], "latest": dates["publication_date_latest"]})
    return per_link.drop_nulls().group_by("event_id").agg(pl.col("latest").max())


def check_date_after_publication(df, ctx):
    latest = _look_up(df["event_id"], _event_pub_latest(ctx), "event_id", ["latest"])["latest"]
    return _ok(df["date_end"] <= latest)


def check_sub_event_type(df, ctx):
    from .schema import sub_event_types

    mapping = sub_event_types()
    parent = _map(df["sub_event_type"], mapping)
    # An unknown event type is the enum rule's finding, not this one's.
    known = df["event_type"].is_in(sorted(set(mapping.values())))
    return _ok(parent == df["event_type"]) | ~known.fill_null(False)


def check_fatalities_order(df, ctx):
    lo, best, hi = df["fatalities_low"], df["fatalities_best"], df["fatalities_high"]
    return _ok(lo <= best) & _ok(best <= hi) & _ok(lo <= hi)


def check_fatalities_best(df, ctx):
    has_bound = df["fatalities_low"].is_not_null() | df["fatalities_high"].is_not_null()
    return ~has_bound | df["fatalities_best"].is_not_null()


def check_admin_hierarchy(df, ctx):
    ref = _reference(ctx, "locations", "location_pcode", ["level", "admin2_pcode"])
    a2, a3 = df["admin2_pcode"], df["admin3_pcode"]
    of2 = _look_up(a2, ref, "location_pcode", ["level"])
    of3 = _look_up(a3, ref, "location_pcode", ["level", "admin2_pcode"])
    # A code missing from the gazetteer is the foreign key's finding: it counts as the
    # level expected here. A row of the gazetteer without a level does not.
    district = ~of2["_hit"] | of2["level"].eq_missing("district")
    township = ~of3["_hit"] | of3["level"].eq_missing("township")
    # A township needs its district, and the gazetteer's district when it has the township.
    wrong_parent = a3.is_not_null() & (a2.is_null() | (of3["_hit"] & ~of3["admin2_pcode"].eq_missing(a2)))
    return (district & township & ~wrong_parent).alias("ok")


def check_location_in_admin(df, ctx):
    ref = _reference(ctx, "locations", "location_pcode", ["admin2_pcode", "admin3_pcode"])
    place = _look_up(df["location_pcode"], ref, "location_pcode", ["admin2_pcode", "admin3_pcode"])
    # The place's own township/district must be the event's (when it has one).
    same3 = place["admin3_pcode"].is_null() | place["admin3_pcode"].eq_missing(df["admin3_pcode"])
    same2 = place["admin2_pcode"].is_null() | place["admin2_pcode"].eq_missing(df["admin2_pcode"])
    return (same3 & same2).alias("ok")


def check_location_active(df, ctx):
    pl = _pl()
    ref = _reference(ctx, "locations", "location_pcode", ["status"])
    ok = pl.repeat(True, df.height, dtype=pl.Boolean, eager=True)
    for column in ("location_pcode", "admin2_pcode", "admin3_pcode"):
        unit = _look_up(df[column], ref, "location_pcode", ["status"])
        # A code missing from the gazetteer is the foreign key's finding, not this one's.
        ok = ok & (~unit["_hit"] | unit["status"].eq_missing("active"))
    return ok.alias("ok")


def check_actor_distinct(df, ctx):
    return _ok(df["actor1"] != df["actor2"])


def _cited(df, ctx, column: str):
    """True where the row's ``column`` appears in event_sources (all pass when the input has none)."""
    links = ctx.tables.get("event_sources")
    if "event_sources" not in ctx.present or links is None:
        # Without the input's own claims, citation cannot be judged (a lone events file).
        return _all_pass(df)
    return _ok(_is_in(df[column], links[column])).alias("ok")


def check_event_has_source(df, ctx):
    return _cited(df, ctx, "event_id")


def check_geo_precision_level(df, ctx):
    pl = _pl()
    ref = _reference(ctx, "locations", "location_pcode", ["level"])
    level = _look_up(df["location_pcode"], ref, "location_pcode", ["level"])["level"]
    # A whole state, district or township cannot be "the named place itself".
    area = level.is_in(["state", "district", "township"]).fill_null(False)
    precision = df["geo_precision"]
    if precision.dtype == pl.Null:  # every cell empty: polars compares no number with Null
        precision = precision.cast(pl.Int64)
    return ~((precision == 1).fill_null(False) & area).alias("ok")


# -- link tables and sources -------------------------------------------------------------
def check_claimant_actor(df, ctx):
    party = df["claimant_type"].is_in(["party_spokesperson", "party_source", "party_statement"])
    has = df["claimant_actor_id"].is_not_null()
    return _ok(party == has) | df["claimant_type"].is_in(["unknown"])


def check_assoc_actor_distinct(df, ctx):
    ref = _reference(ctx, "events", "event_id", ["actor1", "actor2"])
    event = _look_up(df["event_id"], ref, "event_id", ["actor1", "actor2"])
    actor = df["actor_id"]
    return (actor.is_null() | (~actor.eq_missing(event["actor1"]) & ~actor.eq_missing(event["actor2"]))).alias("ok")


def check_tag_quantity(df, ctx):
    return df["quantity"].is_null() == df["quantity_qualifier"].is_null()


def check_publication_order(df, ctx):
    return _ok(df["publication_date_latest"] >= df["publication_date_earliest"])


def check_publication_future(df, ctx):
    return _ok(df["publication_date_latest"] <= ctx.today)


def check_source_used(df, ctx):
    return _cited(df, ctx, "source_id")


# -- claims, corrections and retractions ---------------------------------------------------
def check_claimant_registry(df, ctx):
    pl = _pl()
    reg = ctx.tables.get("claimants")
    if reg is None or reg.height == 0:
        return _all_pass(df)
    reg = reg.select(pl.col("claimant_id"), pl.col("claimant_type").alias("_type"), pl.col("actor_id").alias("_actor"))
    joined = df.select("claimant_id", "claimant_type", "claimant_actor_id").join(
        reg.unique("claimant_id", keep="first", maintain_order=True), on="claimant_id", how="left",
        maintain_order="left")
    same_type = joined["claimant_type"] == joined["_type"]
    # A party claimant without an actor (or another with one) is claimant-actor's
    # finding: the actor is then not compared again here (one cause, one finding).
    same_actor = joined["claimant_actor_id"].eq_missing(joined["_actor"]) | ~check_claimant_actor(df, ctx)
    # An unknown claimant_id is the foreign key's finding, not this one's.
    return (same_type.fill_null(True) & same_actor) | joined["_type"].is_null()


def check_claim_fatalities_order(df, ctx):
    return _ok(df["claimed_fatalities_low"] <= df["claimed_fatalities_high"])


def check_claim_fatalities_side(df, ctx):
    figures = df["claimed_fatalities_low"].is_not_null() | df["claimed_fatalities_high"].is_not_null()
    return figures == df["claimed_fatalities_side"].is_not_null()


def claims_span(ctx):
    """Per event: the smallest and largest death figures its claims give.

    ``claims_low`` is the smallest ``claimed_fatalities_low`` of any claim (0 for a claim
    that gives only an upper figure); ``claims_high``
    is the sum over sides of the largest ``claimed_fatalities_high`` claimed for that
    side (claims about different sides add up), or null when any claim with figures
    leaves its upper figure open ("at least 20").
    """
    pl = _pl()
    links = ctx.tables.get("event_sources")
    cols = ("claimed_fatalities_low", "claimed_fatalities_high", "claimed_fatalities_side")
    empty = pl.DataFrame(schema={"event_id": pl.String, "claims_low": pl.Int64, "claims_high": pl.Int64})
    if links is None or links.height == 0 or not all(c in links.columns for c in cols):
        return empty
    claims = links.filter(pl.col("claimed_fatalities_low").is_not_null() | pl.col("claimed_fatalities_high").is_not_null())
    if claims.height == 0:
        return empty
    # A claim with only an upper figure ("up to 20") sets no lower bound.
    low = pl.col("claimed_fatalities_low").fill_null(0)
    per_side = claims.group_by("event_id", "claimed_fatalities_side").agg(
        low.min().alias("low"),
        pl.col("claimed_fatalities_high").max().alias("high"),
        pl.col("claimed_fatalities_high").is_null().any().alias("open"),
    )
    return per_side.group_by("event_id").agg(
        pl.col("low").min().cast(pl.Int64).alias("claims_low"),
        pl.when(pl.col("open").any()).then(None).otherwise(pl.col("high").sum()).cast(pl.Int64).alias("claims_high"),
    )


def _span_per_row(df, ctx):
    # claims_span has one row per event_id, so the join keeps one row per event row.
    return df.select("event_id", "fatalities_best").join(
        claims_span(ctx), on="event_id", how="left", maintain_order="left")


def check_claims_span(df, ctx):
    joined = _span_per_row(df, ctx)
    best = joined["fatalities_best"]
    return _ok(best >= joined["claims_low"]) & _ok(best <= joined["claims_high"])


def detail_claims_span(df, ctx):
    pl = _pl()
    low, high = pl.col("claims_low"), pl.col("claims_high")
    text = pl.when(high.is_null()).then(pl.format("the claims give at least {} deaths", low)).otherwise(
        pl.format("the claims give {} to {} deaths", low, high))
    return _span_per_row(df, ctx).select(text.alias("detail"))["detail"]


def check_correction_field(df, ctx):
    from .schema import get_schema

    return _ok(df["field"].is_in(get_schema("events").field_names))


def check_retired_absent(df, ctx):
    events = ctx.tables.get("events")
    ids = events["event_id"] if events is not None else _pl().Series([], dtype=df["event_id"].dtype)
    return ~df["event_id"].is_in(ids.drop_nulls().implode()).fill_null(False)


def check_retraction_merge(df, ctx):
    duplicate = df["reason"] == "duplicate"
    has = df["merged_into"].is_not_null()
    return _ok(duplicate == has) & _ok(df["merged_into"] != df["event_id"])


def possible_duplicates(events):
    """Pairs of events that may be one event reported twice (for the duplicate warning).

    Two events are a possible duplicate when their date ranges overlap, they are in the
    same township (``admin3_pcode``, or the district when both lack a township), have
    the same event type and the same pair of actors in either order (whether their
    sources differ is :func:`duplicate_pairs`'s question). Returns a frame of
    ``event_id``, ``other_id``.
    """
    pl = _pl()
    if events is None or events.height == 0:
        return pl.DataFrame(schema={"event_id": pl.String, "other_id": pl.String})
    e, first, other = _overlapping(_keyed(events))
    ids = e["event_id"]
    a, b = ids.gather(first), ids.gather(other)
    return pl.DataFrame({"event_id": pl.concat([a, b]), "other_id": pl.concat([b, a])})


_KEYS = ["_place", "event_type", "_a", "_b"]
#: The fields :func:`_keyed` reads.
KEYED_FIELDS = ["event_id", "date_start", "date_end", "event_type", "admin1_pcode", "admin2_pcode", "admin3_pcode",
                 "actor1", "actor2"]


def _keyed(events):
    """What two events must share to be possible duplicates: place, type, actor pair (either order)."""
    pl = _pl()
    return events.select(
        "event_id", "date_start", "date_end", "event_type",
        pl.coalesce("admin3_pcode", "admin2_pcode", "admin1_pcode").alias("_place"),
        pl.min_horizontal("actor1", pl.col("actor2").fill_null("")).alias("_a"),
        pl.max_horizontal("actor1", pl.col("actor2").fill_null("")).alias("_b"),
    ).drop_nulls(["event_id", "date_start", "date_end", "_place", "event_type"])


def _overlapping(e, keys: list = _KEYS):
    """Pairs (once each) of rows of ``e`` with equal ``keys``, overlapping dates and other ids.

    Returns ``e`` sorted by its keys and start date, and two arrays of row positions in
    it. The rows a row overlaps among those after it are a run right after it (their
    starts are at most its end), found by a sorted search: the work grows with the pairs
    there are, not with the square of a group's size, as a self-join on the keys would.
    """
    import numpy as np

    pl = _pl()
    # Sorting by whole numbers is several times faster than by text: each key is
    # replaced by its rank among its column's values, which sorts the same way.
    e = e.with_columns([pl.col(k).rank("dense").cast(pl.Int64) for k in keys])
    e = e.sort([*keys, "date_start"]).with_columns(
        pl.struct(keys).rle_id().cast(pl.Int64).alias("_g"),
        pl.col("event_id").rank("dense").cast(pl.Int64).alias("_id"))
    group = e["_g"].to_numpy()
    start = e["date_start"].cast(pl.Int64).to_numpy()
    end = e["date_end"].cast(pl.Int64).to_numpy()
    span = 1 << 32  # days fit in 32 bits: (group, day) becomes one sortable number
    base = start.min() if len(start) else 0
    key = group * span + (start - base)
    last = np.searchsorted(key, group * span + np.clip(end - base, -1, span - 1), side="right") - 1
    rows = np.arange(len(e))
    count = np.clip(last - rows, 0, None)
    first = np.repeat(rows, count)
    other = first + 1 + np.arange(count.sum()) - np.repeat(np.cumsum(count) - count, count)
    ident = e["_id"].to_numpy()
    keep = (ident[first] != ident[other]) & (start[first] <= end[other]) & (start[other] <= end[first])
    return e, first[keep], other[keep]


def duplicate_pairs(df, ctx):
    """The possible-duplicate pairs among ``df``'s events whose sources differ (both ways).

    Worked out once per frame and context: the check and its message detail share it
    (pandera hands each check a fresh copy of the frame, so the key is its content).
    """
    cache = ctx.__dict__.setdefault("_duplicate_pairs", {})
    key = (df.height, df.hash_rows(seed=0).sum())
    if key not in cache:
        cache.clear()
        cache[key] = _duplicate_pairs(df, ctx)
    return cache[key]


def _duplicate_pairs(df, ctx):
    pl = _pl()
    events = ctx.tables.get("events")
    if events is not None:
        both = [f.select(KEYED_FIELDS) for f in (df, events)]  # a narrow events table has only these
        pool = pl.concat(both, how="vertical_relaxed").unique("event_id", keep="first", maintain_order=True)
    else:
        pool = df
    empty = pl.DataFrame(schema={"event_id": pl.String, "other_id": pl.String})
    if pool.height == 0:
        return empty
    e, first, other = _overlapping(_keyed(pool))
    links = ctx.tables.get("event_sources")
    if links is not None and links.height and len(first):
        # Events that share a source are the coder's own split of that report, not a
        # duplicate.
        first, other = _split_by_source(e, links, first, other)
    pairs = pl.DataFrame({"_i": first, "_j": other})
    ids = e["event_id"]
    a, b = ids.gather(pairs["_i"]), ids.gather(pairs["_j"])
    return pl.DataFrame({"event_id": pl.concat([a, b]), "other_id": pl.concat([b, a])})


def _split_by_source(e, links, first, other):
    """The pairs (positions in ``e``) whose events cite no source in common.

    Most events cite one source: their pairs are compared as two arrays. Pairs where an
    event cites several are joined on (position, source) instead.
    """
    import numpy as np

    pl = _pl()
    cited = (links.select("event_id", pl.col("source_id").rank("dense").cast(pl.Int64).alias("_s")).drop_nulls()
             .unique().join(e.select("event_id").with_row_index("_i"), on="event_id")
             .select(pl.col("_i").cast(pl.Int64), "_s"))
    n = e.height
    count = np.bincount(cited["_i"].to_numpy(), minlength=n)
    one = np.full(n, -1, dtype=np.int64)
    alone = cited.filter(pl.col("_i").is_in(np.flatnonzero(count == 1)))
    one[alone["_i"].to_numpy()] = alone["_s"].to_numpy()
    simple = (count[first] <= 1) & (count[other] <= 1)
    shared = simple & (one[first] == one[other]) & (one[first] >= 0)
    many = ~simple
    if many.any():
        pairs = pl.DataFrame({"_i": first[many], "_j": other[many], "_k": np.flatnonzero(many)})
        both = (pairs.join(cited, on="_i").join(cited.rename({"_i": "_j"}), on=["_j", "_s"], how="semi")
                ["_k"].unique().to_numpy())
        shared[both] = True
    return first[~shared], other[~shared]


def check_possible_duplicate(df, ctx):
    pairs = duplicate_pairs(df, ctx)
    return ~df["event_id"].is_in(pairs["event_id"].implode()).fill_null(False)


def detail_possible_duplicate(df, ctx):
    pl = _pl()
    others = duplicate_pairs(df, ctx).group_by("event_id").agg(pl.col("other_id").unique().sort().str.join(", "))
    joined = df.select("event_id").join(others, on="event_id", how="left", maintain_order="left")
    return ("possibly the same event as " + joined["other_id"]).alias("detail")


def geo_check(name: str):
    """A check of :mod:`kachin_events.geometry`, imported when it runs (shapely loads lazily)."""
    def check(df, ctx):
        from . import geometry

        return getattr(geometry, name)(df, ctx)

    check.__name__ = name
    return check
