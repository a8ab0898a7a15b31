"""The ACLED-layout export: ACLED's 31-column CSV.

The ACLED layout lets anyone put these events next to ACLED's own Myanmar export: the
release's file can be appended to an ACLED download as it is. It is a translation, not
a copy of ACLED's coding: where our data says more than ACLED's columns can hold, the
export follows ACLED's conventions and loses detail, as listed in
:data:`ACLED_DIFFERENCES` (the codebook and the release's ``datapackage.json`` render
that list). The columns are built from the tables of the release and nothing else:

* ``event_id_cnty`` is our ``event_id`` (ACLED's own ids start with ``MMR``, ours with
  ``KE``, so the two never collide);
* ``event_date`` is ``date_start`` for an event known to the day, otherwise the middle
  of the range ``date_start``-``date_end`` (the earlier day when the middle falls
  between two), and ``time_precision`` comes from the ``date_precision`` category's
  ``acled_time_precision``;
* ``disorder_type`` comes from the ``sub_event_type`` category;
* actor names come from the actors table's ``acled_actor_name``, actor types
  (``inter1``/``inter2``) from its ``acled_inter``, written as the names of the
  actors schema's ``acled_inter`` categories (ACLED's actor types); ``assoc_actor_1``/
  ``assoc_actor_2`` are the ACLED names of the event's associated actors
  (event_actors), joined with ``"; "``;
* ``interaction`` is the lower actor type then the higher (``State forces-Rebel
  group``, code 12), ``<type> only`` for a one-sided event (code 10, 20 ...), and
  ``External/Other forces-Civilians`` for code 78, as ACLED writes it;
* ``civilian_targeting`` is ``Civilian targeting`` or empty (text, never a number);
* ``admin2``/``admin3`` are the gazetteer's names of the district and township;
* ``source`` is the publishers of the event's sources joined with ``"; "``, and
  ``source_scale`` their scales joined with ``"-"`` (ACLED writes ``Local-National``);
* ``fatalities`` is ``fatalities_best``, and 0 where it is unknown;
* ``tags`` renders the event_tags rows, like ``prisoners_taken=20 (approximate)``,
  then the export's own flags (below);
* ``timestamp`` is the release's ``created`` time (seconds since 1970).

Options
-------
Keyword arguments of :func:`acled_rows` and :func:`acled_csv`; a release uses the
defaults (:data:`RELEASE_OPTIONS`), described in :data:`OPTION_CHOICES`:

* ``inter="text"`` writes ``inter1``, ``inter2`` and ``interaction`` as text, as ACLED
  writes them today; ``"numeric"`` writes the codes of older exports (2, 12).
* ``long_ranges="drop"`` leaves out events whose date range is longer than a month
  (more than :data:`LONG_RANGE_DAYS` days from date_start to date_end: the longest
  range date_precision ``month`` allows). ACLED's ``time_precision`` 3 says "within a
  month", so such an event would land in one month of a monthly count when it may
  belong to another. ``"flag"`` keeps them, with time_precision 3 and the tag
  ``date_range_over_month: <date_start>/<date_end>``; ``"keep"`` keeps them untagged.
* ``in_acled="drop"`` leaves out events that the ``external_events`` table links to
  an ACLED event, so that appending the file to an ACLED download counts each event
  once; ``"mark"`` keeps them with the tag ``in_acled: <ACLED event_id_cnty>``;
  ``"keep"`` keeps them untagged.

Flags and marks never add a column: they go in the ``tags`` cell, which ACLED uses for
structured facts (``"; "``-separated, ``name: detail``), after the event's own tags.
Their names (:data:`LONG_RANGE_TAG`, :data:`IN_ACLED_TAG`) are not event_tags tags.

Examples
--------
>>> [name for name, _, _ in ACLED_COLUMNS][:4]
['event_id_cnty', 'event_date', 'year', 'time_precision']
>>> len(ACLED_COLUMNS)
31
>>> interaction(1, 2), interaction(2, 1), interaction(7, None), interaction(8, 7)
(12, 12, 70, 78)
>>> interaction_text(2, 1), interaction_text(7, None)
('State forces-Rebel group', 'Civilians only')
"""

from __future__ import annotations

import datetime as dt

from ..rules import PRECISION_MAX_SPAN
from ..schema import get_schema

#: The choices of each option, with what each does (the CLI's and the release's words).
OPTION_CHOICES: dict[str, dict[str, str]] = {
    "inter": {
        "text": "inter1, inter2 and interaction as text, as ACLED writes them today "
                "(State forces; State forces-Rebel group)",
        "numeric": "inter1, inter2 and interaction as the numbers of older ACLED exports (1; 12)",
    },
    "long_ranges": {
        "drop": "events known only to a date range longer than a month are left out, "
                "because ACLED's time_precision 3 says 'within a month'",
        "flag": "events known only to a date range longer than a month are kept with time_precision 3 "
                "and the tag 'date_range_over_month: <date_start>/<date_end>'",
        "keep": "events known only to a date range longer than a month are kept with time_precision 3, untagged",
    },
    "in_acled": {
        "drop": "events that external_events links to an ACLED event are left out, "
                "so that appending the file to an ACLED download counts each event once",
        "mark": "events that external_events links to an ACLED event are kept with the tag "
                "'in_acled: <ACLED event_id_cnty>'",
        "keep": "events that external_events links to an ACLED event are kept, untagged",
    },
}
#: The options a release's ``exports/acled.csv`` is written with (the defaults).
RELEASE_OPTIONS: dict[str, str] = {"inter": "text", "long_ranges": "drop", "in_acled": "drop"}
#: A range longer than this many days (date_end - date_start) is not "within a month":
#: the longest range that date_precision ``month`` allows (see kachin_events.rules).
LONG_RANGE_DAYS: int = PRECISION_MAX_SPAN["month"]
#: The tags the export adds to ``tags`` (with ``long_ranges="flag"`` and ``in_acled="mark"``).
LONG_RANGE_TAG, IN_ACLED_TAG = "date_range_over_month", "in_acled"

#: ACLED's export columns in order: (name, Table Schema type, description), with
#: ``inter="text"``; :func:`acled_columns` gives them for either choice.
ACLED_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("event_id_cnty", "string", "The event's id: our event_id (KE followed by six digits)."),
    ("event_date", "date", "The event's date: date_start when the day is known, else the middle of the range."),
    ("year", "integer", "The year of event_date."),
    ("time_precision", "integer",
     "1 the exact day, 2 a span of days or a week, 3 within a month (longer ranges: see the long_ranges option)."),
    ("disorder_type", "string", "ACLED's disorder type of the sub-event type."),
    ("event_type", "string", "ACLED event type."),
    ("sub_event_type", "string", "ACLED sub-event type."),
    ("actor1", "string", "ACLED name of the main actor."),
    ("assoc_actor_1", "string", "ACLED names of actors associated with actor1, joined with '; '."),
    ("inter1", "string", "ACLED actor type of actor1, as text (State forces, Rebel group ...)."),
    ("actor2", "string", "ACLED name of the other main actor; empty when there is none."),
    ("assoc_actor_2", "string", "ACLED names of actors associated with actor2, joined with '; '."),
    ("inter2", "string", "ACLED actor type of actor2, as text; empty when there is no actor2."),
    ("interaction", "string",
     "The two actor types, lower code first (State forces-Rebel group); '<type> only' for a one-sided event."),
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
    ("tags", "string", "Structured facts (event_tags), then the export's flags (date_range_over_month, in_acled), "
                       "joined with '; '."),
    ("timestamp", "integer", "When the release was created (seconds since 1970-01-01 UTC)."),
)

#: The three columns that ``inter="numeric"`` writes as numbers: (type, description).
_NUMERIC_INTER = {
    "inter1": ("integer", "ACLED actor type code of actor1 (1 State forces ... 8 External/Other forces)."),
    "inter2": ("integer", "ACLED actor type code of actor2; empty when there is no actor2."),
    "interaction": ("integer", "The two actor type codes, lower first (12); ten times inter1 for a one-sided event."),
}

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
     "'days' and 'week' both become 2, 'month' 3"),
    ("Ranges longer than a month",
     f"events known only to a range of more than {LONG_RANGE_DAYS + 1} days (date_precision 'year')",
     "time_precision 3 means 'within a month', so these events are left out by default (long_ranges='drop'), "
     "or kept with the tag date_range_over_month (long_ranges='flag'); the events table has them all"),
    ("Events already in ACLED",
     "external_events links our events to ACLED's event ids",
     "linked events are left out by default (in_acled='drop'), so the file can be appended to an ACLED "
     "download without counting an event twice, or kept with the tag in_acled (in_acled='mark')"),
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
     "one tags cell, like 'prisoners_taken=20 (approximate); aircraft_used: fighter jet', "
     "which also carries the export's flags"),
    ("Timestamp",
     "the release's created date",
     "timestamp, which in ACLED's data is when ACLED last changed the row, is the release's created time, "
     "the same for every row"),
)

#: Constant columns of every Kachin event in ACLED's export.
ISO, REGION, COUNTRY, ADMIN1 = 104, "Southeast Asia", "Myanmar", "Kachin"


def acled_columns(inter: str = "text") -> tuple[tuple[str, str, str], ...]:
    """The export's columns (name, type, description) for an ``inter`` choice.

    Examples
    --------
    >>> dict((n, t) for n, t, _ in acled_columns("numeric"))["interaction"]
    'integer'
    >>> acled_columns("text") == ACLED_COLUMNS
    True
    """
    _check_options(inter=inter)
    if inter == "text":
        return ACLED_COLUMNS
    return tuple((n, *_NUMERIC_INTER[n]) if n in _NUMERIC_INTER else (n, t, d) for n, t, d in ACLED_COLUMNS)


def _check_options(**options) -> None:
    for name, value in options.items():
        if value not in OPTION_CHOICES[name]:
            msg = f"{name}={value!r} is not one of: {', '.join(OPTION_CHOICES[name])}"
            raise ValueError(msg)


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


def actor_type_names() -> dict[int, str]:
    """ACLED's actor type names by code, from the actors schema's ``acled_inter`` categories.

    Examples
    --------
    >>> actor_type_names()[1]
    'State forces'
    """
    return {c["value"]: c["label"] for c in get_schema("actors").field("acled_inter").categories}


def interaction_text(inter1: int, inter2: int | None, names: dict[int, str] | None = None) -> str:
    """ACLED's interaction as text: ``State forces-Rebel group``, ``Rebel group only``.

    Examples
    --------
    >>> interaction_text(1, 7), interaction_text(2, None), interaction_text(7, 8)
    ('State forces-Civilians', 'Rebel group only', 'External/Other forces-Civilians')
    """
    names = actor_type_names() if names is None else names
    code = interaction(inter1, inter2)
    first, second = divmod(code, 10)
    if second == 0:
        return f"{names[first]} only"
    if code == 78:  # ACLED's exception: the external force is named first
        first, second = 8, 7
    return f"{names[first]}-{names[second]}"


def is_long_range(start: dt.date, end: dt.date) -> bool:
    """True when the range is longer than a month (ACLED's time_precision 3 cannot hold it).

    Examples
    --------
    >>> is_long_range(dt.date(2025, 1, 1), dt.date(2025, 1, 31))
    False
    >>> is_long_range(dt.date(2025, 1, 1), dt.date(2025, 2, 1))
    True
    """
    return (end - start).days > LONG_RANGE_DAYS


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


def acled_links(tables: dict) -> dict[str, list[str]]:
    """event_id -> the ACLED event ids (``event_id_cnty``) that external_events links it to, sorted.

    Examples
    --------
    >>> from kachin_events.tables import read_tables
    >>> acled_links(read_tables())
    {}
    """
    links = tables.get("external_events")
    out: dict[str, list[str]] = {}
    if links is None:
        return out
    for row in links.sort(["event_id", "external_id"]).iter_rows(named=True):
        if row["dataset"] == "acled" and row["external_id"] not in out.get(row["event_id"], []):
            out.setdefault(row["event_id"], []).append(row["external_id"])
    return out


def acled_omitted(tables: dict, *, long_ranges: str = "drop", in_acled: str = "drop") -> dict[str, list[str]]:
    """The event ids the options leave out, by reason (an event may have both), sorted.

    Examples
    --------
    >>> from kachin_events.tables import read_tables
    >>> out = acled_omitted(read_tables())
    >>> sorted(out), out["long_ranges"][:2], out["in_acled"]
    (['in_acled', 'long_ranges'], ['KE000002', 'KE000017'], [])
    >>> acled_omitted(read_tables(), long_ranges="flag")["long_ranges"]
    []
    """
    _check_options(long_ranges=long_ranges, in_acled=in_acled)
    links = acled_links(tables)
    events = tables["events"].sort("event_id")
    long = [e for e, s, t in zip(events["event_id"], events["date_start"], events["date_end"]) if is_long_range(s, t)]
    return {"long_ranges": long if long_ranges == "drop" else [],
            "in_acled": [e for e in events["event_id"] if e in links] if in_acled == "drop" else []}


def acled_rows(tables: dict, timestamp: int, *, inter: str = "text", long_ranges: str = "drop",
               in_acled: str = "drop") -> list[dict]:
    """The events in ACLED's layout, one dict per event in event_id order.

    Parameters
    ----------
    tables : dict of str to polars.DataFrame
        The release's typed tables (see :func:`kachin_events.tables.read_tables`).
    timestamp : int
        The release's created time, in seconds since 1970-01-01 UTC.
    inter : {"text", "numeric"}
        How ``inter1``, ``inter2`` and ``interaction`` are written (see the module's Options).
    long_ranges : {"drop", "flag", "keep"}
        What happens to events known only to a range longer than a month.
    in_acled : {"drop", "mark", "keep"}
        What happens to events that external_events links to an ACLED event.

    Raises
    ------
    ValueError
        When an option is not one of its choices.

    Examples
    --------
    >>> from kachin_events.tables import read_tables
    >>> rows = acled_rows(read_tables(), 0)
    >>> first = rows[0]
    >>> first["event_id_cnty"], first["interaction"], first["assoc_actor_1"]
    ('KE000001', 'State forces-Rebel group', "PDF: People's Defense Force")
    >>> list(first) == [c for c, _, _ in ACLED_COLUMNS]
    True
    >>> acled_rows(read_tables(), 0, inter="numeric")[0]["interaction"]
    12
    """
    _check_options(inter=inter, long_ranges=long_ranges, in_acled=in_acled)
    events = get_schema("events")
    precision = {c["value"]: c["acled_time_precision"] for c in events.field("date_precision").categories}
    disorder = {c["value"]: c["disorder_type"] for c in events.field("sub_event_type").categories}
    scale_order = [c["value"] for c in get_schema("sources").field("source_scale").categories]
    type_names = actor_type_names()
    actors = {r["actor_id"]: r for r in tables["actors"].iter_rows(named=True)}
    places = {r["location_pcode"]: r["name"] for r in tables["locations"].iter_rows(named=True)}
    sources = {r["source_id"]: r for r in tables["sources"].iter_rows(named=True)}
    linked = _by_event(tables["event_sources"].sort(["event_id", "source_id", "claimant"]))
    assoc = _by_event(tables["event_actors"].sort(["event_id", "actor_id"]))
    tags = _by_event(tables["event_tags"].sort(["event_id", "tag", "detail"]))
    in_acled_ids = acled_links(tables)

    def name(actor_id):
        return actors[actor_id]["acled_actor_name"] if actor_id else None

    out = []
    for ev in tables["events"].sort("event_id").iter_rows(named=True):
        eid = ev["event_id"]
        long = is_long_range(ev["date_start"], ev["date_end"])
        if (long and long_ranges == "drop") or (eid in in_acled_ids and in_acled == "drop"):
            continue
        flags = []
        if long and long_ranges == "flag":
            flags.append(render_tag(LONG_RANGE_TAG, f"{ev['date_start']}/{ev['date_end']}", None, None))
        if in_acled == "mark":
            flags += [render_tag(IN_ACLED_TAG, ext, None, None) for ext in in_acled_ids.get(eid, [])]
        day = event_date(ev["date_start"], ev["date_end"], ev["date_precision"])
        inter1 = actors[ev["actor1"]]["acled_inter"]
        inter2 = actors[ev["actor2"]]["acled_inter"] if ev["actor2"] else None
        side = {1: [], 2: []}
        for a in assoc.get(eid, []):
            side[a["side"]].append(name(a["actor_id"]))
        srcs = [sources[s["source_id"]] for s in linked.get(eid, []) if s["source_id"] in sources]
        scales = sorted(_unique(s["source_scale"] for s in srcs), key=scale_order.index)
        text = inter == "text"
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
            "inter1": type_names[inter1] if text else inter1,
            "actor2": name(ev["actor2"]),
            "assoc_actor_2": "; ".join(_unique(side[2])) or None,
            "inter2": (type_names[inter2] if text else inter2) if inter2 is not None else None,
            "interaction": interaction_text(inter1, inter2, type_names) if text else interaction(inter1, inter2),
            # ACLED writes the phrase or nothing: "no" and "unknown" both become empty text.
            "civilian_targeting": "Civilian targeting" if ev["civilian_targeting"] is True else None,
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
            "tags": "; ".join([render_tag(t["tag"], t["detail"], t["quantity"], t["quantity_qualifier"])
                               for t in tags.get(eid, [])] + flags) or None,
            "timestamp": int(timestamp),
        })
    return out


def acled_schema(inter: str = "text") -> dict:
    """The Table Schema of the ACLED-layout export (for the release's datapackage.json).

    Examples
    --------
    >>> s = acled_schema()
    >>> s["primaryKey"], s["fields"][1]["type"], s["fields"][9]["type"]
    (['event_id_cnty'], 'date', 'string')
    >>> acled_schema("numeric")["fields"][9]["type"]
    'integer'
    """
    return {
        "fields": [{"name": n, "type": t, "description": d} for n, t, d in acled_columns(inter)],
        "primaryKey": ["event_id_cnty"],
        "missingValues": [""],
    }


def acled_description(omitted: dict[str, list[str]] | None = None, **options: str) -> str:
    """What the ACLED-layout export is, the options it was written with, and what it loses.

    Generated from :data:`OPTION_CHOICES` and :data:`ACLED_DIFFERENCES`, for the release's
    ``datapackage.json``.

    Parameters
    ----------
    omitted : dict, optional
        :func:`acled_omitted`'s answer: the counts of events left out are then stated.
    **options : str
        ``inter``, ``long_ranges``, ``in_acled``; missing ones are the defaults.

    Examples
    --------
    >>> text = acled_description({"long_ranges": ["KE000002"], "in_acled": []})
    >>> "long_ranges=drop" in text and "1 event left out" in text and "Unknown fatalities" in text
    True
    """
    chosen = {**RELEASE_OPTIONS, **options}
    _check_options(**chosen)
    parts = [
        "The events in ACLED's 31-column export layout, in ACLED's column names and order, to be appended "
        "to an ACLED download of Myanmar without changes (our event ids start with KE, ACLED's with MMR).",
        "Options: " + "; ".join(f"{k}={v}: {OPTION_CHOICES[k][v]}" for k, v in chosen.items()) + ".",
    ]
    if omitted is not None:
        n_long, n_acled = len(omitted.get("long_ranges", [])), len(omitted.get("in_acled", []))
        total = len(set(omitted.get("long_ranges", [])) | set(omitted.get("in_acled", [])))
        parts.append(f"{total} event{'s' * (total != 1)} left out ({n_long} known only to a range longer than "
                     f"a month, {n_acled} already in ACLED); the events table has every event.")
    parts.append("Where the layout differs from our tables: "
                 + " ".join(f"{topic}: our tables, {ours}; this file, {theirs}." for topic, ours, theirs
                            in ACLED_DIFFERENCES))
    return " ".join(parts)


def acled_csv(tables: dict, timestamp: int, *, inter: str = "text", long_ranges: str = "drop",
              in_acled: str = "drop") -> bytes:
    """The ACLED-layout export as UTF-8 CSV bytes (LF line ends, header first).

    The options are those of :func:`acled_rows`. A text cell a spreadsheet would run as
    a formula is written with ``'`` in front (:mod:`kachin_events.exports.safe`).

    Examples
    --------
    >>> from kachin_events.tables import read_tables
    >>> data = acled_csv(read_tables(), 1770681600)
    >>> data.splitlines()[0].decode().split(",")[:3]
    ['event_id_cnty', 'event_date', 'year']
    """
    from ..tablefiles import csv_bytes, format_cell
    from .safe import safe_rows

    columns = acled_columns(inter)
    names = [c for c, _, _ in columns]
    types = {name: type_ for name, type_, _ in columns}
    rows = acled_rows(tables, timestamp, inter=inter, long_ranges=long_ranges, in_acled=in_acled)
    return csv_bytes(names, safe_rows([format_cell(row[c], types[c]) for c in names] for row in rows))
