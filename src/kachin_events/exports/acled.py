"""The ACLED-layout export: ACLED's 31-column CSV.

The ACLED layout lets anyone put these events next to ACLED's own Myanmar export. It is
a translation, not a copy of ACLED's coding: where our data says more than ACLED's
columns can hold, the export follows ACLED's conventions and loses detail, as listed in
:data:`ACLED_DIFFERENCES` (the documentation renders that list). The columns are built
from the tables of the release and nothing else:

* ``event_id_cnty`` is our ``event_id`` (ACLED's own ids start with ``MMR``, ours with
  ``KE``, so the two never collide);
* ``event_date`` is ``date_start`` for an event known to the day, otherwise the middle
  of the range ``date_start``-``date_end`` (the earlier day when the middle falls
  between two), and ``time_precision`` comes from the ``date_precision`` category's
  ``acled_time_precision``;
* ``disorder_type`` comes from the ``sub_event_type`` category;
* actor names and actor types (``inter1``/``inter2``) come from the actors table's
  ``acled_actor_name`` and ``acled_inter``; ``assoc_actor_1``/``assoc_actor_2`` are the
  ACLED names of the event's associated actors (event_actors), joined with ``"; "``;
* ``interaction`` is the lower actor type then the higher (12, 17 ...), or ten times the
  actor type of a one-sided event (10, 20 ...);
* ``admin2``/``admin3`` are the gazetteer's names of the district and township;
* ``source`` is the publishers of the event's sources joined with ``"; "``, and
  ``source_scale`` their scales joined with ``"-"`` (ACLED writes ``Local-National``);
* ``fatalities`` is ``fatalities_best``, and 0 where it is unknown;
* ``tags`` renders the event_tags rows, like ``prisoners_taken=20 (approximate)``;
* ``timestamp`` is the release's ``created`` time (seconds since 1970).

Examples
--------
>>> [name for name, _, _ in ACLED_COLUMNS][:4]
['event_id_cnty', 'event_date', 'year', 'time_precision']
>>> len(ACLED_COLUMNS)
31
>>> interaction(1, 2), interaction(2, 1), interaction(7, None), interaction(8, 7)
(12, 12, 70, 78)
"""

from __future__ import annotations

import datetime as dt

from ..schema import get_schema


#: ACLED's export columns in order: (name, Table Schema type, description).
ACLED_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("event_id_cnty", "string", "The event's id: our event_id (KE followed by six digits)."),
    ("event_date", "date", "The event's date: date_start when the day is known, else the middle of the range."),
    ("year", "integer", "The year of event_date."),
    ("time_precision", "integer", "1 the exact day, 2 a span of days or a week, 3 a month or longer."),
    ("disorder_type", "string", "ACLED's disorder type of the sub-event type."),
    ("event_type", "string", "ACLED event type."),
    ("sub_event_type", "string", "ACLED sub-event type."),
    ("actor1", "string", "ACLED name of the main actor."),
    ("assoc_actor_1", "string", "ACLED names of actors associated with actor1, joined with '; '."),
    ("inter1", "integer", "ACLED actor type of actor1."),
    ("actor2", "string", "ACLED name of the other main actor; empty when there is none."),
    ("assoc_actor_2", "string", "ACLED names of actors associated with actor2, joined with '; '."),
    ("inter2", "integer", "ACLED actor type of actor2; empty when there is no actor2."),
    ("interaction", "integer", "The two actor types, lower first (10 times inter1 for a one-sided event)."),
    ("civilian_targeting", "string", "'Civilian targeting' when civilians were the main target, else empty."),
    ("iso", "integer", "ISO 3166 numeric country code: 104 (Myanmar)."),
    ("region", "string", "ACLED region: Southeast Asia."),
    ("country", "string", "Myanmar."),
    ("admin1", "string", "State: Kachin."),
    ("admin2", "string", "District name from the gazetteer; empty when unknown."),
    ("admin3", "string", "Township name from the gazetteer; empty when unknown."),
    ("location", "string", "The place as the source names it."),
    ("latitude", "number", "WGS84 latitude of the point the event is coded to."),
    ("longitude", "number", "WGS84 longitude of the point the event is coded to."),
    ("geo_precision", "integer", "1 the named place, 2 near it or a small area, 3 a larger area."),
    ("source", "string", "Publishers of the event's sources, joined with '; '."),
    ("source_scale", "string", "Scales of those publishers, joined with '-'."),
    ("notes", "string", "What happened, in the project's words."),
    ("fatalities", "integer", "Best estimate of people killed; 0 when zero or unknown (ACLED's convention)."),
    ("tags", "string", "Structured facts (event_tags), joined with '; '."),
    ("timestamp", "integer", "When the release was created (seconds since 1970-01-01 UTC)."),
)

#: Where the ACLED-layout export loses or changes what our data says:
#: (topic, what our tables hold, what the ACLED layout holds).
ACLED_DIFFERENCES: tuple[tuple[str, str, str], ...] = (
    ("Unknown fatalities",
     "fatalities_best is empty when no figure is reported, and 0 only when a source says no one was killed; "
     "low and high figures are kept",
     "fatalities is 0 for both 'none' and 'unknown', and there is one figure only (our best estimate)"),
    ("Uncertain dates",
     "date_start and date_end give the earliest and latest possible day, with date_precision",
     "one event_date (the middle of the range when the day is unknown) and time_precision 1-3; "
     "'days' and 'week' both become 2, 'month' and 'year' both 3"),
    ("Associated actors",
     "one event_actors row per associated actor",
     "assoc_actor_1 and assoc_actor_2 hold the ACLED names in one cell, joined with '; '; "
     "actors sharing an ACLED name (the KIA and the KIO) appear once"),
    ("Actor names",
     "actor ids, with our own names and descriptions",
     "ACLED-style names; where acled_name_source is 'project' the name is ours, not confirmed against ACLED's list"),
    ("Sources and claimants",
     "every source of an event, and who made each claim (party, witness, outlet)",
     "the publishers only, joined with '; '; who made the claim is lost"),
    ("Civilian targeting",
     "true, false, or empty when the sources do not allow a judgement",
     "'Civilian targeting' or empty, so 'no' and 'unknown' look the same"),
    ("Event clarity",
     "event_clarity marks rows that aggregate fighting a source only summarises",
     "no such column; ACLED splits multi-day reports into one event per day instead"),
    ("Place codes",
     "MIMU P-codes for state, district, township and place, and the gazetteer's names",
     "names only (admin1-admin3, location)"),
    ("Structured facts",
     "event_tags rows with a tag, detail, quantity and how exact the quantity is",
     "one tags cell, like 'prisoners_taken=20 (approximate); aircraft_used: fighter jet'"),
    ("Timestamp",
     "the release's created date",
     "timestamp is when ACLED last changed the row; here it is the same for every row of a release"),
)

#: Constant columns of every Kachin event in ACLED's export.
ISO, REGION, COUNTRY, ADMIN1 = 104, "Southeast Asia", "Myanmar", "Kachin"


def interaction(inter1: int, inter2: int | None) -> int:
    """ACLED's interaction code of two actor types.

    The lower type comes first (12 = state forces and a rebel group, whichever is
    actor1); a one-sided event is ten times its actor's type (10 = state forces only).
    External/other forces against civilians is 78 (ACLED names it as an exception; the
    lower-first rule gives the same number).

    Examples
    --------
    >>> interaction(2, 2), interaction(3, None), interaction(7, 1)
    (22, 30, 17)
    """
    if inter2 is None:
        return 10 * inter1
    if {inter1, inter2} == {7, 8}:
        return 78
    low, high = sorted((inter1, inter2))
    return 10 * low + high


def event_date(start: dt.date, end: dt.date, precision: str) -> dt.date:
    """The one date ACLED's layout gives an event: the day, or the middle of the range.

    Examples
    --------
    >>> event_date(dt.date(2025, 1, 1), dt.date(2025, 1, 31), "month")
    datetime.date(2025, 1, 16)
    >>> event_date(dt.date(2025, 1, 1), dt.date(2025, 1, 4), "days")
    datetime.date(2025, 1, 2)
    """
    if precision == "day":
        return start
    return start + dt.timedelta(days=(end - start).days // 2)


def render_tag(tag: str, detail: str | None, quantity: int | None, qualifier: str | None) -> str:
    """One event_tags row as text for the ``tags`` cell.

    Examples
    --------
    >>> render_tag("prisoners_taken", "-", 20, "approximate")
    'prisoners_taken=20 (approximate)'
    >>> render_tag("aircraft_used", "fighter jet", None, None)
    'aircraft_used: fighter jet'
    >>> render_tag("positions_captured", "checkpoints", 4, "exact")
    'positions_captured=4 (exact): checkpoints'
    """
    out = tag
    if quantity is not None:
        out += f"={quantity}"
        if qualifier:
            out += f" ({qualifier})"
    if detail and detail != "-":
        out += f": {detail}"
    return out


def _by_event(frame, key: str = "event_id") -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for row in frame.iter_rows(named=True):
        out.setdefault(row[key], []).append(row)
    return out


def _unique(values) -> list:
    seen: list = []
    for v in values:
        if v is not None and v not in seen:
            seen.append(v)
    return seen


def acled_rows(tables: dict, timestamp: int) -> list[dict]:
    """The events in ACLED's layout, one dict per event in event_id order.

    Parameters
    ----------
    tables : dict of str to polars.DataFrame
        The release's typed tables (see :func:`kachin_events.tables.read_tables`).
    timestamp : int
        The release's created time, in seconds since 1970-01-01 UTC.

    Examples
    --------
    >>> from kachin_events.tables import read_tables
    >>> rows = acled_rows(read_tables(), 0)
    >>> first = rows[0]
    >>> first["event_id_cnty"], first["interaction"], first["assoc_actor_1"]
    ('KE000001', 12, "PDF: People's Defense Force")
    >>> list(first) == [c for c, _, _ in ACLED_COLUMNS]
    True
    """
    events = get_schema("events")
    precision = {c["value"]: c["acled_time_precision"] for c in events.field("date_precision").categories}
    disorder = {c["value"]: c["disorder_type"] for c in events.field("sub_event_type").categories}
    scale_order = [c["value"] for c in get_schema("sources").field("source_scale").categories]
    actors = {r["actor_id"]: r for r in tables["actors"].iter_rows(named=True)}
    places = {r["location_pcode"]: r["name"] for r in tables["locations"].iter_rows(named=True)}
    sources = {r["source_id"]: r for r in tables["sources"].iter_rows(named=True)}
    linked = _by_event(tables["event_sources"].sort(["event_id", "source_id", "claimant"]))
    assoc = _by_event(tables["event_actors"].sort(["event_id", "actor_id"]))
    tags = _by_event(tables["event_tags"].sort(["event_id", "tag", "detail"]))

    def name(actor_id):
        return actors[actor_id]["acled_actor_name"] if actor_id else None

    out = []
    for ev in tables["events"].sort("event_id").iter_rows(named=True):
        eid = ev["event_id"]
        day = event_date(ev["date_start"], ev["date_end"], ev["date_precision"])
        inter1 = actors[ev["actor1"]]["acled_inter"]
        inter2 = actors[ev["actor2"]]["acled_inter"] if ev["actor2"] else None
        side = {1: [], 2: []}
        for a in assoc.get(eid, []):
            side[a["side"]].append(name(a["actor_id"]))
        srcs = [sources[s["source_id"]] for s in linked.get(eid, []) if s["source_id"] in sources]
        scales = sorted(_unique(s["source_scale"] for s in srcs), key=scale_order.index)
        out.append({
            "event_id_cnty": eid,
            "event_date": day,
            "year": day.year,
            "time_precision": precision[ev["date_precision"]],
            "disorder_type": disorder[ev["sub_event_type"]],
            "event_type": ev["event_type"],
            "sub_event_type": ev["sub_event_type"],
            "actor1": name(ev["actor1"]),
            "assoc_actor_1": "; ".join(_unique(side[1])) or None,
            "inter1": inter1,
            "actor2": name(ev["actor2"]),
            "assoc_actor_2": "; ".join(_unique(side[2])) or None,
            "inter2": inter2,
            "interaction": interaction(inter1, inter2),
            "civilian_targeting": "Civilian targeting" if ev["civilian_targeting"] else None,
            "iso": ISO,
            "region": REGION,
            "country": COUNTRY,
            "admin1": ADMIN1,
            "admin2": places.get(ev["admin2_pcode"]) if ev["admin2_pcode"] else None,
            "admin3": places.get(ev["admin3_pcode"]) if ev["admin3_pcode"] else None,
            "location": ev["location"],
            "latitude": ev["latitude"],
            "longitude": ev["longitude"],
            "geo_precision": ev["geo_precision"],
            "source": "; ".join(_unique(s["publisher"] for s in srcs)) or None,
            "source_scale": "-".join(scales) or None,
            "notes": ev["notes"],
            # ACLED's convention: 0 means "zero or unknown".
            "fatalities": ev["fatalities_best"] if ev["fatalities_best"] is not None else 0,
            "tags": "; ".join(render_tag(t["tag"], t["detail"], t["quantity"], t["quantity_qualifier"])
                              for t in tags.get(eid, [])) or None,
            "timestamp": int(timestamp),
        })
    return out


def acled_schema() -> dict:
    """The Table Schema of the ACLED-layout export (for the release's datapackage.json).

    Examples
    --------
    >>> s = acled_schema()
    >>> s["primaryKey"], s["fields"][1]["type"]
    (['event_id_cnty'], 'date')
    """
    return {
        "description": "The events in ACLED's export layout (31 columns); see ACLED_DIFFERENCES for what is lost.",
        "fields": [{"name": n, "type": t, "description": d} for n, t, d in ACLED_COLUMNS],
        "primaryKey": ["event_id_cnty"],
        "missingValues": [""],
    }


def acled_csv(tables: dict, timestamp: int) -> bytes:
    """The ACLED-layout export as UTF-8 CSV bytes (LF line ends, header first).

    Examples
    --------
    >>> from kachin_events.tables import read_tables
    >>> data = acled_csv(read_tables(), 1770681600)
    >>> data.splitlines()[0].decode().split(",")[:3]
    ['event_id_cnty', 'event_date', 'year']
    """
    names = [c for c, _, _ in ACLED_COLUMNS]
    from ..tablefiles import csv_bytes, format_cell

    types = {name: type_ for name, type_, _ in ACLED_COLUMNS}
    return csv_bytes(names, ([format_cell(row[c], types[c]) for c in names] for row in acled_rows(tables, timestamp)))
