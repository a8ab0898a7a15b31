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
>>> flat = load_flat()
>>> list(flat.columns[:3])
['event_id', 'event_date', 'date_start']
>>> len(flat) == len(load("events"))
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
# pandas, because the light install has pandas alone (kachin_events.extras); polars
# tables (a release build) are converted on the way in and out of flat_events.
def _lookup(frame, key: str, value: str):
    """``frame[value]`` indexed by ``frame[key]``, for ``Series.map``; the key must be unique."""
    if frame[key].duplicated().any():
        msg = f"the flat view would not have one row per event: {key} is not unique in its table"
        raise ValueError(msg)
    return frame.set_index(key)[value]


def _joined(values, keys):
    """Per key, the distinct non-missing values sorted and joined with ``"; "`` (a Series indexed by key)."""
    import pandas as pd

    pairs = pd.DataFrame({"k": keys.to_numpy(dtype=object), "v": values.to_numpy(dtype=object)})
    pairs = pairs[pairs["v"].notna() & (pairs["v"] != "")].drop_duplicates().sort_values(["k", "v"])
    return pairs.groupby("k", sort=False)["v"].agg("; ".join)


def _party_roots(actors) -> dict[str, str]:
    """Each actor's top organisation, following parent_actor_id (an actor without a parent is its own)."""
    parent = {a: p for a, p in zip(actors["actor_id"].tolist(), actors["parent_actor_id"].tolist())
              if isinstance(p, str)}
    roots = {}
    for actor in actors["actor_id"].tolist():
        seen, a = {actor}, actor
        while parent.get(a) and parent[a] not in seen:  # a cycle stops where it closes
            a = parent[a]
            seen.add(a)
        roots[actor] = a
    return roots


def _claims(tables, ev_ids, names):
    """The per-event claim columns: sources, claimants, claiming parties, single_party_claims."""
    import pandas as pd

    es = tables["event_sources"]
    claimant = es["claimant_id"].map(_lookup(tables["claimants"], "claimant_id", "name"))
    claimant = claimant.astype(object).where(claimant.notna(), es["claimant"].astype(object))
    party = es["claimant_actor_id"].map(names)
    roots = pd.Series(_party_roots(tables["actors"]), dtype=object)
    root = es["claimant_actor_id"].map(roots).astype(object)
    root = root.where(root.notna(), es["claimant_actor_id"].astype(object))
    by_event = pd.DataFrame({"event_id": es["event_id"].to_numpy(dtype=object), "root": root.to_numpy()})
    grouped = by_event.groupby("event_id")["root"]
    single = (grouped.count() == grouped.size()) & (grouped.nunique() == 1)
    return {
        "source_ids": ev_ids.map(_joined(es["source_id"], es["event_id"])),
        "claimants": ev_ids.map(_joined(claimant, es["event_id"])),
        "claim_parties": ev_ids.map(_joined(party, es["event_id"])),
        "single_party_claims": ev_ids.map(single),
    }


def _own_columns(tables) -> dict:
    """The flat view's own columns (name -> Series aligned with ``tables["events"]``)."""
    import pandas as pd

    ev, actors = tables["events"], tables["actors"]
    labels = {c["value"]: c.get("label", str(c["value"])) for c in get_schema("actors").field("acled_inter").categories}
    start, end = ev["date_start"], ev["date_end"]
    middle = start + pd.to_timedelta((end - start).dt.days // 2, unit="D")
    out = {"event_date": start.where((ev["date_precision"] == "day").fillna(False), middle)}
    names, inter = _lookup(actors, "actor_id", "name"), _lookup(actors, "actor_id", "acled_inter")
    assoc = tables["event_actors"]
    assoc_names = assoc["actor_id"].map(names)
    for n in (1, 2):
        out[f"actor{n}_name"] = ev[f"actor{n}"].map(names)
        out[f"actor{n}_type"] = ev[f"actor{n}"].map(inter).map(labels)
        side = (assoc["side"] == n).fillna(False)
        out[f"actor{n}_associates"] = ev["event_id"].map(_joined(assoc_names[side], assoc["event_id"][side]))
    places = _lookup(tables["locations"], "location_pcode", "name")
    out["district"] = ev["admin2_pcode"].map(places)
    out["township"] = ev["admin3_pcode"].map(places)
    out.update(_claims(tables, ev["event_id"], names))
    return out


def _is_polars(frame) -> bool:
    return type(frame).__module__.split(".")[0] == "polars"


def flat_events(tables: Mapping):
    """The flat view made from typed tables: one row per event, sorted by event_id.

    Parameters
    ----------
    tables : mapping of str to pandas.DataFrame or polars.DataFrame
        The tables (at least :func:`source_tables`) as :func:`kachin_events.load_all`
        gives them in pandas, or as :func:`kachin_events.tables.read_tables` gives them
        in polars (a release build calls it on the tables it validated, and writes the
        result with the flat view's schema, :func:`flat_descriptor`).

    Returns
    -------
    pandas.DataFrame or polars.DataFrame
        The same kind of frame as given: the columns of ``schemas/flat/events_flat.json``,
        in its order and types.

    Raises
    ------
    ValueError
        The schema declares a column this function cannot make, or the other way round.

    Examples
    --------
    >>> from kachin_events import load_all
    >>> flat = flat_events(load_all())
    >>> flat[["event_id", "actor1_name", "actor1_type"]].iloc[0].tolist()
    ['KE000001', 'Kachin Independence Army', 'Rebel group']
    """
    import pandas as pd

    from .frames import PANDAS_DTYPES

    given = {t: tables[t] for t in source_tables()}
    polars_in = any(_is_polars(f) for f in given.values())
    if polars_in:
        from .frames import pandas_frame

        given = {t: pandas_frame(f.to_arrow()) for t, f in given.items()}
    ev = given["events"].reset_index(drop=True)
    given["events"] = ev
    own = _own_columns(given)
    schema = flat_descriptor()
    columns, used = {}, set()
    ev_fields = set(get_schema("events").field_names)
    tagged = given["event_tags"][["event_id", "tag"]]
    for f in schema["fields"]:
        name, refs = f["name"], f["derivedFrom"]
        if name in own:
            col = own[name]
            used.add(name)
        elif refs == [f"events.{name}"] and name in ev_fields:
            col = ev[name]
        elif f.get("eachValueOf") == "event_tags.tag":
            col = ev["event_id"].isin(tagged["event_id"][(tagged["tag"] == f["value"]).fillna(False)])
        else:
            msg = f"{flat_schema_path()}: column {name!r} is declared, but flat_events cannot make it"
            raise ValueError(msg)
        columns[name] = col.astype(PANDAS_DTYPES[f.get("type", "string")])
    unused = sorted(set(own) - used)
    if unused:
        msg = f"flat_events makes columns that {flat_schema_path()} does not declare: {', '.join(unused)}"
        raise ValueError(msg)
    flat = pd.DataFrame(columns).sort_values("event_id", kind="stable").reset_index(drop=True)
    return _to_polars(flat) if polars_in else flat


def _to_polars(flat):
    """The flat view (pandas) as polars, with the flat schema's polars types."""
    import polars as pl
    import pyarrow as pa

    from .validation.coerce import polars_dtype

    frame = pl.from_arrow(pa.Table.from_pandas(flat, preserve_index=False))
    return frame.select(pl.col(f.name).cast(polars_dtype(f.type)) for f in flat_schema().fields)


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
    tables, info = read_tables_of(source_tables(), version=version, format=format, base_url=base_url,
                                  cache_dir=cache_dir, unregistered=unregistered)
    flat = flat_events(tables)
    attrs = frame_info(FLAT_TABLE, **info)
    if format == "pandas":
        flat.attrs = attrs
        return flat
    import pyarrow as pa

    return to_format(conform(pa.Table.from_pandas(flat, preserve_index=False), flat_schema(), attrs), format)


# -- documenting it --------------------------------------------------------------------------
def render_flat_columns(field_href: Callable[[str, str], str] | None = None) -> str:
    """The flat view's columns as a Markdown table: name, type, fields it is made from, description.

    Examples
    --------
    >>> render_flat_columns().splitlines()[0]
    '| Column | Type | Made from our fields | What it holds |'
    """
    from .codebook import code, describe_type, escape_cell, field_refs, markdown_table

    rows = [[code(f.name), escape_cell(describe_type(f)), field_refs(desc["derivedFrom"], field_href),
             escape_cell(f.description)]
            for f, desc in zip(flat_schema().fields, flat_descriptor()["fields"])]
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
