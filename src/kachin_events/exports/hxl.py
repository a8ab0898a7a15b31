"""The HXL-tagged events CSV: the events table with a second header row of HXL hashtags.

Humanitarian data platforms read conflict events through HXL hashtags (the Humanitarian
Exchange Language): a row under the header that says what each column holds, such as
``#date+start`` or ``#affected+killed``. The tags follow those used for ACLED's data on
such platforms. The file is a resource of its own in a release
(``exports/events_hxl.csv``), so ``csv/events.csv`` stays a plain typed CSV.

Its columns are the events table's, in the schema's order and written as in
``csv/events.csv``, then :data:`HXL_EXTRA` (the actors' names and the sources'
publishers, which HXL tools expect by name). :data:`HXL_TAGS` gives every column's
hashtag; a field added to the events schema without a tag stops the export
(:func:`hxl_columns` raises), so the tags cannot fall behind the schema.

Examples
--------
>>> HXL_TAGS["date_start"], HXL_TAGS["fatalities_low"]
('#date+start', '#affected+killed+min')
>>> [n for n, _, _ in hxl_columns()][:3]
['event_id', 'date_start', 'date_end']
"""

from __future__ import annotations

from ..schema import get_schema

#: Our column -> its HXL hashtag.
HXL_TAGS: dict[str, str] = {
    "event_id": "#event+code",
    "date_start": "#date+start",
    "date_end": "#date+end",
    "date_precision": "#date+precision",
    "event_type": "#event+type",
    "sub_event_type": "#event+type+sub",
    "actor1": "#group+code+first",
    "actor2": "#group+code+second",
    "admin1_pcode": "#adm1+code",
    "admin2_pcode": "#adm2+code",
    "admin3_pcode": "#adm3+code",
    "location": "#loc+name",
    "location_pcode": "#loc+code",
    "latitude": "#geo+lat",
    "longitude": "#geo+lon",
    "geo_precision": "#geo+precision",
    "fatalities_best": "#affected+killed",
    "fatalities_low": "#affected+killed+min",
    "fatalities_high": "#affected+killed+max",
    "civilian_targeting": "#event+civilian_targeting",
    "event_clarity": "#event+clarity",
    "notes": "#description",
    "actor1_name": "#group+name+first",
    "actor2_name": "#group+name+second",
    "sources": "#meta+source",
}

#: Columns added after the events table's: (name, Table Schema type, description).
HXL_EXTRA: tuple[tuple[str, str, str], ...] = (
    ("actor1_name", "string", "The actors table's name of actor1."),
    ("actor2_name", "string", "The actors table's name of actor2; empty when there is none."),
    ("sources", "string", "The publishers of the event's sources, joined with '; '."),
)

#: The resource's CSV dialect: row 2 (the hashtags) is not data, so frictionless checks
#: the rows under it against the schema.
HXL_DIALECT = {"header": True, "commentRows": [2]}


def hxl_columns() -> list[tuple[str, str, str]]:
    """Every column of the HXL export: (name, type, hashtag), events fields first.

    Raises
    ------
    ValueError
        When a column has no hashtag in :data:`HXL_TAGS`, or a hashtag names no column.
    """
    fields = [(f.name, f.type) for f in get_schema("events").fields] + [(n, t) for n, t, _ in HXL_EXTRA]
    names = [n for n, _ in fields]
    missing = [n for n in names if n not in HXL_TAGS]
    unused = [n for n in HXL_TAGS if n not in names]
    if missing or unused:
        msg = (f"HXL_TAGS does not match the events schema: no hashtag for {missing}, "
               f"hashtags for columns that do not exist: {unused}; update kachin_events/exports/hxl.py")
        raise ValueError(msg)
    return [(n, t, HXL_TAGS[n]) for n, t in fields]


def hxl_schema() -> dict:
    """The Table Schema of the HXL export (the hashtag row is a comment row of its dialect).

    Examples
    --------
    >>> s = hxl_schema()
    >>> s["primaryKey"], s["fields"][0]["hxl"]
    (['event_id'], '#event+code')
    """
    events = get_schema("events")
    extra = {n: d for n, _, d in HXL_EXTRA}
    fields = []
    for name, type_, tag in hxl_columns():
        desc = events.field(name).description if name in events.field_names else extra[name]
        fields.append({"name": name, "type": type_, "description": desc, "hxl": tag})
    return {"fields": fields, "primaryKey": ["event_id"], "missingValues": [""]}


def hxl_description() -> str:
    """The release resource's description of the HXL export."""
    return ("The events table with a second header row of HXL hashtags (#event+code, #date+start, "
            "#affected+killed ...), for humanitarian data platforms and HXL tools; the hashtag row is the "
            "dialect's comment row 2, and each field's hashtag is also its 'hxl' property. Values are written "
            "as in csv/events.csv; the actors' names and the sources' publishers are added as the last columns.")


def hxl_csv(tables: dict) -> bytes:
    """The events as an HXL-tagged CSV: header row, hashtag row, then one row per event.

    A text cell a spreadsheet would run as a formula is written with ``'`` in front
    (:mod:`kachin_events.exports.safe`).

    Examples
    --------
    >>> from kachin_events.tables import read_tables
    >>> lines = hxl_csv(read_tables()).decode().splitlines()
    >>> lines[0].split(",")[:2], lines[1].split(",")[:2], lines[2].split(",")[0]
    (['event_id', 'date_start'], ['#event+code', '#date+start'], 'KE000001')
    """
    from ..tablefiles import csv_bytes, format_cell
    from .safe import safe_rows

    columns = hxl_columns()
    names = {r["actor_id"]: r["name"] for r in tables["actors"].iter_rows(named=True)}
    publishers = {r["source_id"]: r["publisher"] for r in tables["sources"].iter_rows(named=True)}
    by_event: dict[str, list[str]] = {}
    for link in tables["event_sources"].sort(["event_id", "source_id"]).iter_rows(named=True):
        pub = publishers.get(link["source_id"])
        if pub is not None and pub not in by_event.setdefault(link["event_id"], []):
            by_event[link["event_id"]].append(pub)
    rows = [[tag for _, _, tag in columns]]
    for ev in tables["events"].sort("event_id").iter_rows(named=True):
        row = dict(ev)
        row["actor1_name"] = names.get(ev["actor1"])
        row["actor2_name"] = names.get(ev["actor2"]) if ev["actor2"] else None
        row["sources"] = "; ".join(by_event.get(ev["event_id"], [])) or None
        rows.append([format_cell(row[n], t) for n, t, _ in columns])
    return csv_bytes([n for n, _, _ in columns], safe_rows(rows))
