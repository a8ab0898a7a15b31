"""The flat view of the events: one row per event, with names joined in, for analysis.

The tables are normalised: an event names its actors by id, its township by P-code, and
its claims live in ``event_sources``. Most questions need two to four joins. The flat view
makes them once: actor names and types, associated actors, district and township
names, one representative date next to the range and its precision, the claimants and
whether every claim comes from one party, and the tags as columns.

Its columns are declared in ``schemas/flat/events_flat.json`` and nowhere else: each
says which fields it is made from (``derivedFrom``); a column that is only an events
field is that field, copied (type, title and description come from
``schemas/events.json``); the ``tag_{tag}`` entry stands for one column per value of
``event_tags.tag``. :func:`flat_descriptor` spells them all out, :func:`flat_events`
makes exactly those columns (it refuses a schema that declares a column it cannot make,
and the other way round), and the codebook renders them (:func:`render_flat_columns`).

Examples
--------
>>> from kachin_events import load, load_flat
>>> flat = load_flat(format="polars")
>>> flat.columns[:3]
['event_id', 'event_date', 'date_start']
>>> flat.height == load("events", format="polars").height
True
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Callable, Mapping

from . import _paths
from .arguments import keyword_only
from .frames import frame_info
from .schema import Field, TableSchema, get_schema, load_schemas

#: The flat view's name: the ``table`` of its ``attrs``, and its resource name in a release.
FLAT_TABLE = "events_flat"


def flat_schema_path() -> Path:
    """``schemas/flat/events_flat.json`` (inside the installed package for a wheel)."""
    return _paths.schema_dir() / "flat" / f"{FLAT_TABLE}.json"


def _split_ref(ref: str, where: str) -> tuple[str, str]:
    table, _, field = str(ref).partition(".")
    schemas = load_schemas()
    if table not in schemas or field not in schemas[table].field_names:
        msg = f"{where}: {ref!r} is not a field of the schemas (write table.field, for example events.actor1)"
        raise ValueError(msg)
    return table, field


def _expand(entry: dict, where: str) -> list[dict]:
    """One entry of ``events_flat.json`` as the columns it stands for."""
    name = entry.get("name")
    refs = entry.get("derivedFrom")
    if not name or not isinstance(refs, list) or not refs:
        msg = f"{where}: every column needs a name and a derivedFrom list of table.field"
        raise ValueError(msg)
    for ref in refs:
        _split_ref(ref, where)
    if "eachValueOf" in entry:
        table, field = _split_ref(entry["eachValueOf"], where)
        source = get_schema(table).field(field)
        cats = source.categories or tuple({"value": v} for v in source.enum or ())
        cols = []
        for cat in cats:
            words = {field: cat["value"], "label": cat.get("label", "")}
            col = {k: v.format(**words) if isinstance(v, str) and k != "eachValueOf" else v for k, v in entry.items()}
            cols.append({**col, "value": cat["value"]})  # which value of eachValueOf the column is for
        return cols
    if set(entry) <= {"name", "derivedFrom"}:
        # A copy: the events field itself, described where it is defined.
        table, field = _split_ref(refs[0], where)
        if len(refs) != 1 or table != "events" or field != name:
            msg = (f"{where}: column {name!r} has no type or description of its own, so it must be a copy of the "
                   f"events field of the same name (derivedFrom [\"events.{name}\"])")
            raise ValueError(msg)
        return [{**_field_descriptor("events", name), "derivedFrom": refs}]
    missing = [k for k in ("type", "description") if not entry.get(k)]
    if missing:
        msg = f"{where}: column {name!r} needs a {' and a '.join(missing)}"
        raise ValueError(msg)
    return [dict(entry)]


def _field_descriptor(table: str, name: str) -> dict:
    for f in get_schema(table).descriptor["fields"]:
        if f["name"] == name:
            return dict(f)
    msg = f"table {table!r} has no field {name!r}"
    raise KeyError(msg)


@lru_cache(maxsize=None)
def _descriptor(path: str) -> str:
    p = Path(path)
    try:
        raw = json.loads(p.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        msg = f"{p}: the flat view's Table Schema cannot be read ({exc})"
        raise ValueError(msg) from None
    fields = []
    for i, entry in enumerate(raw.get("fields", [])):
        fields += _expand(entry, f"{p}, field {i + 1}")
    names = [f["name"] for f in fields]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        msg = f"{p}: columns declared twice: {', '.join(twice)}"
        raise ValueError(msg)
    return json.dumps({**raw, "fields": fields})


def flat_descriptor() -> dict:
    """The flat view's Table Schema with every column spelled out.

    Copies take the events field's definition, and ``tag_{tag}`` becomes one column per
    tag (keeping ``eachValueOf``, with the tag in ``value``); ``derivedFrom`` stays on
    each column. This is the schema a release would inline for the flat view's CSV and
    Parquet resources.

    Raises
    ------
    ValueError
        The file names a field the schemas lack, or a column has no type or description.

    Examples
    --------
    >>> d = flat_descriptor()
    >>> d["name"], d["primaryKey"]
    ('events_flat', ['event_id'])
    >>> [f["type"] for f in d["fields"] if f["name"] in ("date_start", "tag_withdrawal")]
    ['date', 'boolean']
    """
    return json.loads(_descriptor(str(flat_schema_path())))


def flat_schema() -> TableSchema:
    """The flat view's schema as a :class:`~kachin_events.schema.TableSchema` (see :func:`flat_descriptor`).

    Examples
    --------
    >>> flat_schema().field("event_date").type
    'date'
    """
    d = flat_descriptor()
    fields = tuple(Field(name=f["name"], type=f.get("type", "string"), title=f.get("title", f["name"]),
                         description=f.get("description", ""), constraints=dict(f.get("constraints", {})),
                         categories=tuple(f.get("categories", ())), format=f.get("format"))
                   for f in d["fields"])
    pk = d.get("primaryKey", [])
    return TableSchema(name=d.get("name", FLAT_TABLE), description=d.get("description", ""), fields=fields,
                       primary_key=tuple([pk] if isinstance(pk, str) else pk), foreign_keys=(), descriptor=d,
                       path=flat_schema_path())


def source_tables() -> list[str]:
    """The tables the flat view is made from (every table its columns name), in dependency order.

    Examples
    --------
    >>> source_tables()
    ['locations', 'actors', 'claimants', 'events', 'event_sources', 'event_actors', 'event_tags']
    """
    from .schema import TABLES

    named = {ref.partition(".")[0] for f in flat_descriptor()["fields"] for ref in f["derivedFrom"]}
    return [t for t in TABLES if t in named]


# -- making it -------------------------------------------------------------------------------
def _joined(col: str):
    """Distinct non-empty values of a column in a group, sorted and joined with ``"; "`` (null when none)."""
    import polars as pl

    text = pl.col(col).drop_nulls().unique().sort().str.join("; ")
    return pl.when(text == "").then(None).otherwise(text)


def _party_roots(actors) -> dict[str, str]:
    """Each actor's top organisation, following parent_actor_id (an actor without a parent is its own)."""
    parent = dict(zip(actors["actor_id"].to_list(), actors["parent_actor_id"].to_list()))
    roots = {}
    for actor in parent:
        seen, a = {actor}, actor
        while parent.get(a) and parent[a] not in seen:  # a cycle stops where it closes
            a = parent[a]
            seen.add(a)
        roots[actor] = a
    return roots


def _columns() -> dict:
    """The flat view's own columns: name -> polars expression over :func:`_joined_frame`."""
    import polars as pl

    labels = {c["value"]: c.get("label", str(c["value"])) for c in get_schema("actors").field("acled_inter").categories}
    start, end = pl.col("date_start"), pl.col("date_end")
    middle = start + pl.duration(days=(end - start).dt.total_days() // 2)
    out = {"event_date": pl.when(pl.col("date_precision") == "day").then(start).otherwise(middle)}
    for n in (1, 2):
        out[f"actor{n}_name"] = pl.col(f"_actor{n}_name")
        out[f"actor{n}_type"] = pl.col(f"_actor{n}_inter").replace_strict(labels, default=None, return_dtype=pl.Utf8)
        out[f"actor{n}_associates"] = pl.col(f"_assoc{n}")
    out["district"] = pl.col("_admin2_name")
    out["township"] = pl.col("_admin3_name")
    for name in ("source_ids", "claimants", "claim_parties", "single_party_claims"):
        out[name] = pl.col(f"_{name}")
    return out


def _joined_frame(tables: Mapping):
    """The events with every other table's contribution joined in as ``_``-prefixed columns."""
    import polars as pl

    ev = tables["events"]
    actors = tables["actors"]
    ids = ev.select("event_id")
    for n in (1, 2):
        ev = ev.join(actors.select(pl.col("actor_id").alias(f"actor{n}"), pl.col("name").alias(f"_actor{n}_name"),
                                   pl.col("acled_inter").alias(f"_actor{n}_inter")), on=f"actor{n}", how="left")
    assoc = tables["event_actors"].join(actors.select("actor_id", "name"), on="actor_id", how="left")
    for n in (1, 2):
        side = assoc.filter(pl.col("side") == n).group_by("event_id").agg(_joined("name").alias(f"_assoc{n}"))
        ev = ev.join(side, on="event_id", how="left")
    places = tables["locations"].select("location_pcode", "name")
    for level in (2, 3):
        ev = ev.join(places.rename({"location_pcode": f"admin{level}_pcode", "name": f"_admin{level}_name"}),
                     on=f"admin{level}_pcode", how="left")
    roots = _party_roots(actors)
    claims = (tables["event_sources"]
              .join(tables["claimants"].select("claimant_id", pl.col("name").alias("_claimant_name")),
                    on="claimant_id", how="left")
              .join(actors.select(pl.col("actor_id").alias("claimant_actor_id"), pl.col("name").alias("_party")),
                    on="claimant_actor_id", how="left")
              .with_columns(pl.col("claimant_actor_id").replace_strict(roots, default=None, return_dtype=pl.Utf8)
                            .fill_null(pl.col("claimant_actor_id")).alias("_root"),
                            pl.coalesce("_claimant_name", "claimant").alias("_claimant_name")))
    per_event = claims.group_by("event_id").agg(
        _joined("source_id").alias("_source_ids"),
        _joined("_claimant_name").alias("_claimants"),
        _joined("_party").alias("_claim_parties"),
        (pl.col("_root").is_not_null().all() & (pl.col("_root").n_unique() == 1)).alias("_single_party_claims"),
    )
    ev = ev.join(per_event, on="event_id", how="left")
    tags = tables["event_tags"].select("event_id", "tag").unique()
    ev = ev.join(tags.group_by("event_id").agg(pl.col("tag").alias("_tags")), on="event_id", how="left")
    # Joins keep every event once (each joined table is unique on its key); check, not assume.
    if ev.height != ids.height:
        msg = "the flat view would not have one row per event: a joined table is not unique on its key"
        raise ValueError(msg)
    return ev


def flat_events(tables: Mapping):
    """The flat view made from typed tables: one row per event, sorted by event_id.

    Parameters
    ----------
    tables : mapping of str to polars.DataFrame
        The tables as :func:`kachin_events.tables.read_tables` gives them (at least
        :func:`source_tables`). A release build can call it on the tables it validated
        and write the result with the flat view's schema (:func:`flat_descriptor`).

    Returns
    -------
    polars.DataFrame
        The columns of ``schemas/flat/events_flat.json``, in its order and types.

    Raises
    ------
    ValueError
        The schema declares a column this function cannot make, or the other way round.

    Examples
    --------
    >>> from kachin_events.tables import read_tables
    >>> flat = flat_events(read_tables())
    >>> flat.select("event_id", "actor1_name", "actor1_type").row(0)
    ('KE000001', 'Kachin Independence Army', 'Rebel group')
    """
    import polars as pl

    from .validation.coerce import polars_dtype

    schema = flat_descriptor()
    own = _columns()
    exprs, used = [], set()
    ev_fields = set(get_schema("events").field_names)
    for f in schema["fields"]:
        name, refs = f["name"], f["derivedFrom"]
        if name in own:
            expr = own[name]
            used.add(name)
        elif refs == [f"events.{name}"] and name in ev_fields:
            expr = pl.col(name)
        elif f.get("eachValueOf") == "event_tags.tag":
            expr = pl.col("_tags").list.contains(pl.lit(f["value"])).fill_null(False)
        else:
            msg = f"{flat_schema_path()}: column {name!r} is declared, but flat_events cannot make it"
            raise ValueError(msg)
        exprs.append(expr.cast(polars_dtype(f.get("type", "string"))).alias(name))
    unused = sorted(set(own) - used)
    if unused:
        msg = f"flat_events makes columns that {flat_schema_path()} does not declare: {', '.join(unused)}"
        raise ValueError(msg)
    return _joined_frame(tables).select(exprs).sort("event_id")


# -- loading it ------------------------------------------------------------------------------
def _guess(value):
    from .loader import guess_keyword

    return guess_keyword(value)


@keyword_only(_guess)
def load_flat(*, version: str | None = None, format: str = "pandas", base_url: str | None = None,
              cache_dir: str | Path | None = None, unregistered: str = "warn"):
    """Load the flat view of the events: one row per event, with names joined in.

    The columns, documented one by one in the codebook (section "events_flat"), are
    those of ``schemas/flat/events_flat.json``: the event's fields, ``event_date`` (one
    representative date: the day when it is known, else the middle of the range),
    actor names and ACLED types, associated actors, district and township names, the
    sources, the claimants, ``single_party_claims`` and one boolean column per tag.
    A release's flat view is made from that release's tables, as the installed
    package defines it. Same as ``load("events", flat=True, ...)``.

    Parameters
    ----------
    version, format, base_url, cache_dir, unregistered
        As for :func:`kachin_events.load` (keyword-only).

    Returns
    -------
    pandas.DataFrame, polars.DataFrame or pyarrow.Table
        With ``attrs`` (or Arrow schema metadata) whose ``table`` is ``events_flat``.

    Examples
    --------
    >>> flat = load_flat()
    >>> flat.attrs["table"], str(flat["event_date"].dtype)
    ('events_flat', 'datetime64[ns]')
    >>> per_month = flat.groupby(["township", flat.event_date.dt.to_period("M")]).size()
    >>> int(per_month.sum()) == int(flat["township"].notna().sum())
    True
    """
    from .frames import conform, to_format
    from .loader import check_format, read_tables_of

    check_format(format)
    tables, info = read_tables_of(source_tables(), version=version, base_url=base_url, cache_dir=cache_dir,
                                  unregistered=unregistered)
    data = flat_events(tables).to_arrow()
    return to_format(conform(data, flat_schema(), frame_info(FLAT_TABLE, **info)), format)


# -- documenting it --------------------------------------------------------------------------
def render_flat_columns(field_href: Callable[[str, str], str] | None = None) -> str:
    """The flat view's columns as a Markdown table: name, type, fields it is made from, description.

    Examples
    --------
    >>> render_flat_columns().splitlines()[0]
    '| Column | Type | Made from our fields | What it holds |'
    """
    from .codebook import code, describe_type, escape_cell, markdown_table

    rows = []
    for f, desc in zip(flat_schema().fields, flat_descriptor()["fields"]):
        refs = []
        for ref in desc["derivedFrom"]:
            table, _, name = ref.partition(".")
            refs.append(f"[{code(ref)}]({field_href(table, name)})" if field_href else code(ref))
        rows.append([code(f.name), escape_cell(describe_type(f)), ", ".join(refs), escape_cell(f.description)])
    return markdown_table(["Column", "Type", "Made from our fields", "What it holds"], rows)


def render_flat_section(*, anchors: bool = True, field_href: Callable[[str, str], str] | None = None) -> str:
    """The codebook's section on the flat view: what it is, how to load it, every column.

    Examples
    --------
    >>> "| `event_date` | date (YYYY-MM-DD) |" in render_flat_section(anchors=False)
    True
    """
    anchor = f" {{#{FLAT_TABLE}}}" if anchors else ""
    return "\n".join([
        f"## The flat view: {FLAT_TABLE}{anchor}", "",
        flat_schema().description, "",
        "Load it with `kachin_events.load_flat()` or `kachin_events.load(\"events\", flat=True)`. "
        "Its columns, in order:", "",
        render_flat_columns(field_href=field_href), "",
    ])
