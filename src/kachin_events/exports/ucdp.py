"""The UCDP GED-layout export: the columns of UCDP's Georeferenced Event Dataset that our
data can fill honestly, with GED's names, in GED's order.

GED's other columns hold UCDP's own coding (conflict, dyad and side ids, Gleditsch-Ward
numbers, ``active_year``, ``code_status``) or facts we do not record (deaths by side),
so they are left out rather than guessed. The columns (:data:`UCDP_COLUMNS`) are made
from the release's tables:

* ``id`` and ``relid`` are our ``event_id``; ``year`` is the year of ``date_start``;
* ``type_of_violence`` follows from the event type and the actors' ACLED actor types
  (:func:`type_of_violence`): 1 state-based, 2 non-state, 3 one-sided, empty when the
  event is not violence between organised actors or against civilians;
* ``side_a``/``side_b`` are our actor names; in state-based violence ``side_a`` is the
  state forces, as in GED, whichever side began the event;
* ``number_of_sources``, ``source_article``, ``source_date``, ``source_headline`` and
  ``source_original`` come from the event's sources (one entry per source, joined with
  ``"; "``) and its claimants (who the information comes from);
* ``date_prec`` and ``where_prec`` come from the ``ucdp_date_prec`` and
  ``ucdp_where_prec`` keys of the events schema's categories (:func:`where_prec`);
* ``low``/``best``/``high`` are ``fatalities_low``/``_best``/``_high``, and stay empty
  when unknown (never 0); we do not split deaths by side, so ``deaths_unknown`` is
  ``best`` and ``deaths_a``, ``deaths_b`` and ``deaths_civilians`` are empty;
* ``priogrid_gid`` is the PRIO-GRID cell (0.5 degrees, numbered from 1 at 90S 180W,
  west to east, then south to north) of the event's point.

Unlike GED, the export holds every event, with or without a known death: to compare
with GED, keep the rows with ``best`` of 1 or more and a ``type_of_violence``.
:data:`UCDP_DIFFERENCES` lists what else differs (the codebook renders it).

Examples
--------
>>> [name for name, _, _ in UCDP_COLUMNS][:4]
['id', 'relid', 'year', 'type_of_violence']
>>> priogrid_gid(10.51, 2.29)
145085
"""

from __future__ import annotations

import math

from ..crosswalk.ucdp import where_prec_codes  # one reading of the schema, shared with the importer
from ..schema import get_schema

#: GED's columns that the export writes, in GED's order: (name, Table Schema type, description).
UCDP_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("id", "string", "Our event_id (GED's id is a number; ours starts with KE)."),
    ("relid", "string", "Our event_id again (GED's relid is built from UCDP's own codes)."),
    ("year", "integer", "The year of date_start (our range can run into the next year; GED's cannot)."),
    ("type_of_violence", "integer",
     "1 state-based, 2 non-state, 3 one-sided, from the event type and the actor types; "
     "empty when the event is not violence between organised actors or against civilians."),
    ("side_a", "string", "Our name of the state actor in state-based violence, else of actor1."),
    ("side_b", "string", "Our name of the other side; empty when there is none."),
    ("number_of_sources", "integer", "How many sources the event is coded from."),
    ("source_article", "string", "Each source as 'publisher, publication date, title', joined with '; '."),
    ("source_date", "string", "Each source's publication date (earliest/latest when only a range is known), "
                              "joined with '; '."),
    ("source_headline", "string",
     "Each source's title (empty for a source without one), joined with '; '; empty when no source has one."),
    ("source_original", "string", "Who the information comes from (the distinct claimants), joined with '; '."),
    ("where_prec", "integer", "How precise the place is (UCDP's codes 1-7), from geo_precision and the place."),
    ("where_coordinates", "string", "The gazetteer's name of the place whose point is used."),
    ("where_description", "string", "The place as the source names it."),
    ("adm_1", "string", "The state, by the gazetteer's name."),
    ("adm_2", "string", "The district, by the gazetteer's name; empty when unknown."),
    ("latitude", "number", "WGS84 latitude of the event's point."),
    ("longitude", "number", "WGS84 longitude of the event's point."),
    ("geom_wkt", "string", "The point as WKT: POINT (longitude latitude)."),
    ("priogrid_gid", "integer", "The PRIO-GRID cell of the point."),
    ("country", "string", "Myanmar (Burma), as GED names it."),
    ("country_id", "integer", "Gleditsch-Ward number of Myanmar: 775."),
    ("region", "string", "Asia."),
    ("event_clarity", "integer", "1 an identifiable event, 2 aggregated information (same codes as ours)."),
    ("date_prec", "integer", "How precise the date is (UCDP's codes 1-5), from date_precision."),
    ("date_start", "date", "The earliest possible date."),
    ("date_end", "date", "The latest possible date."),
    ("deaths_a", "integer", "Empty: we do not split deaths by side."),
    ("deaths_b", "integer", "Empty: we do not split deaths by side."),
    ("deaths_civilians", "integer", "Empty: we do not split deaths by side."),
    ("deaths_unknown", "integer", "Every death, of whichever side: best; empty when unknown."),
    ("best", "integer", "Best estimate of people killed; empty when unknown."),
    ("high", "integer", "Highest credible figure; empty when unknown."),
    ("low", "integer", "Lowest credible figure; empty when unknown."),
)

#: Which of our fields (``table.field``) each column is made from; the codebook renders
#: this next to :data:`UCDP_COLUMNS`.
UCDP_SOURCES: dict[str, tuple[str, ...]] = {
    "id": ("events.event_id",),
    "relid": ("events.event_id",),
    "year": ("events.date_start",),
    "type_of_violence": ("events.event_type", "events.actor1", "events.actor2", "actors.acled_inter"),
    "side_a": ("events.actor1", "events.actor2", "actors.name", "actors.acled_inter"),
    "side_b": ("events.actor1", "events.actor2", "actors.name", "actors.acled_inter"),
    "number_of_sources": ("event_sources.source_id",),
    "source_article": ("event_sources.source_id", "sources.publisher", "sources.publication_date_earliest",
                       "sources.publication_date_latest", "sources.title"),
    "source_date": ("sources.publication_date_earliest", "sources.publication_date_latest"),
    "source_headline": ("sources.title",),
    "source_original": ("event_sources.claimant",),
    "where_prec": ("events.geo_precision", "locations.level", "events.admin2_pcode", "events.admin3_pcode"),
    "where_coordinates": ("events.location_pcode", "locations.name"),
    "where_description": ("events.location",),
    "adm_1": ("events.admin1_pcode", "locations.name"),
    "adm_2": ("events.admin2_pcode", "locations.name"),
    "latitude": ("events.latitude",),
    "longitude": ("events.longitude",),
    "geom_wkt": ("events.latitude", "events.longitude"),
    "priogrid_gid": ("events.latitude", "events.longitude"),
    "country": (),
    "country_id": (),
    "region": (),
    "event_clarity": ("events.event_clarity",),
    "date_prec": ("events.date_precision",),
    "date_start": ("events.date_start",),
    "date_end": ("events.date_end",),
    "deaths_a": (),
    "deaths_b": (),
    "deaths_civilians": (),
    "deaths_unknown": ("events.fatalities_best",),
    "best": ("events.fatalities_best",),
    "high": ("events.fatalities_high",),
    "low": ("events.fatalities_low",),
}

#: Where the UCDP GED layout differs from our tables and from GED itself:
#: (topic, what our tables hold, what this export holds).
UCDP_DIFFERENCES: tuple[tuple[str, str, str], ...] = (
    ("Which events",
     "every coded event, whether or not anyone is known to have died",
     "every event too; GED holds only events with at least one death, so keep best >= 1 and a type_of_violence "
     "to compare"),
    ("Unknown deaths",
     "fatalities_low/best/high are empty when no figure is reported",
     "low, best, high and deaths_unknown are empty too; GED always has numbers"),
    ("Deaths by side",
     "one figure for all the dead; claimed figures per side stay with each claim (event_sources)",
     "deaths_unknown holds best; deaths_a, deaths_b and deaths_civilians are empty"),
    ("UCDP's own codes",
     "actor ids and ACLED actor types",
     "no conflict, dyad or side ids, Gleditsch-Ward numbers, active_year or code_status: only UCDP assigns them"),
    ("Actor names",
     "our actor names",
     "side_a and side_b are our names, not UCDP's (such as 'Government of Myanmar (Burma)' or 'KIO')"),
    ("Years",
     "a date range may run into the next year (date_precision 'year')",
     "year is the year of date_start; GED's events never span two years"),
    ("Ids",
     "event_id (KE followed by six digits)",
     "id and relid are our event_id, not UCDP's numbers; external_events links our events to UCDP's ids"),
)

#: Constant columns of every Kachin event in GED.
COUNTRY, COUNTRY_ID, REGION = "Myanmar (Burma)", 775, "Asia"
#: ACLED actor types (actors.acled_inter) that are organised actors in UCDP's sense: state
#: forces, rebel groups, political and identity militias. 7 is civilians, 1 state forces.
ORGANISED, STATE, CIVILIANS = (1, 2, 3, 4), 1, 7
#: Event types whose events can be organised violence (the other types are protests,
#: riots and non-violent developments, which GED does not record).
VIOLENT_EVENT_TYPES = ("Battles", "Explosions/Remote violence", "Violence against civilians")
ONE_SIDED_EVENT_TYPE = "Violence against civilians"
#: For geo_precision 3 (a larger area), the UCDP where_prec by the kind of place the event
#: names (locations.level), as the geo_precision category's ucdp_where_prec describes:
#: a township or district 3, the state 4, a site (a base, checkpoint or road we could not
#: pin down) 5. Other places (towns, villages) coded to the area around them get 3 when the
#: township or district is known, else 4.
WHERE_PREC_BY_LEVEL = {"township": 3, "district": 3, "state": 4, "site": 5}


def type_of_violence(event_type: str, inter1: int, inter2: int | None) -> int | None:
    """UCDP's type of violence from the event type and the two ACLED actor types.

    Violence against civilians (a civilian side, or the event type) by an organised
    actor is one-sided (3); violence between the state and a non-state organised actor
    is state-based (1); between two non-state organised actors, non-state (2). Anything
    else (no second side, state against state, protests, non-violent events) is None.

    Examples
    --------
    >>> type_of_violence("Battles", 2, 1), type_of_violence("Battles", 2, 3)
    (1, 2)
    >>> type_of_violence("Explosions/Remote violence", 1, 7), type_of_violence("Strategic developments", 1, 2)
    (3, None)
    """
    if event_type not in VIOLENT_EVENT_TYPES:
        return None
    if CIVILIANS in (inter1, inter2) or event_type == ONE_SIDED_EVENT_TYPE:
        return 3 if inter1 in ORGANISED else None
    if inter2 is None or inter1 not in ORGANISED or inter2 not in ORGANISED:
        return None
    if (inter1 == STATE) != (inter2 == STATE):
        return 1
    return 2 if STATE not in (inter1, inter2) else None


def date_prec_codes() -> dict[str, int]:
    """Our date_precision -> UCDP's date_prec, from the events schema.

    Examples
    --------
    >>> date_prec_codes()["week"]
    3
    """
    return {c["value"]: c["ucdp_date_prec"] for c in get_schema("events").field("date_precision").categories}


def where_prec(geo_precision: int, level: str | None, area_known: bool, codes: dict | None = None) -> int:
    """UCDP's where_prec of an event: by geo_precision, and for a larger area by the place.

    Parameters
    ----------
    geo_precision : int
        The event's geo_precision.
    level : str or None
        The locations.level of the event's place.
    area_known : bool
        Whether the event's district or township is known.
    codes : dict, optional
        :func:`where_prec_codes` (computed when not given).

    Raises
    ------
    ValueError
        When the schema's categories no longer allow the code this rule gives.

    Examples
    --------
    >>> where_prec(1, "town", True), where_prec(3, "state", False), where_prec(3, "site", True)
    (1, 4, 5)
    >>> where_prec(3, "village", True), where_prec(3, "village", False)
    (3, 4)
    """
    allowed = (codes or where_prec_codes())[geo_precision]
    if len(allowed) == 1:
        return allowed[0]
    code = WHERE_PREC_BY_LEVEL.get(level, 3 if area_known else 4)
    if code not in allowed:
        msg = (f"geo_precision {geo_precision} of a {level} gives UCDP where_prec {code}, which the events "
               f"schema's ucdp_where_prec does not allow ({allowed}); update WHERE_PREC_BY_LEVEL")
        raise ValueError(msg)
    return code


def priogrid_gid(latitude: float, longitude: float) -> int:
    """The PRIO-GRID cell id (0.5-degree cells, 1 at 90S 180W, row by row northwards).

    Examples
    --------
    >>> priogrid_gid(-89.9, -179.9), priogrid_gid(-89.9, 179.9), priogrid_gid(-89.4, -179.9)
    (1, 720, 721)
    """
    row = min(int(math.floor((latitude + 90) * 2)), 359)
    col = min(int(math.floor((longitude + 180) * 2)), 719)
    return row * 720 + col + 1


def _by_event(frame) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for row in frame.iter_rows(named=True):
        out.setdefault(row["event_id"], []).append(row)
    return out


def _joined(values) -> str | None:
    seen: list = []
    for v in values:
        if v not in seen:
            seen.append(v)
    return "; ".join(seen) or None


def _pub_date(source: dict) -> str:
    first, last = source["publication_date_earliest"], source["publication_date_latest"]
    if first is None or last is None or first == last:
        return str(first or last or "")
    return f"{first}/{last}"


def ucdp_rows(tables: dict) -> list[dict]:
    """The events in UCDP GED's layout, one dict per event in event_id order.

    Examples
    --------
    >>> from kachin_events.tables import read_tables
    >>> rows = ucdp_rows(read_tables())
    >>> r = rows[0]
    >>> r["id"], r["type_of_violence"], r["side_a"], r["date_prec"], r["best"]
    ('KE000001', 1, 'Myanmar military (junta armed forces)', 4, None)
    >>> list(r) == [c for c, _, _ in UCDP_COLUMNS]
    True
    """
    from ..tablefiles import format_cell

    date_prec = date_prec_codes()
    where_codes = where_prec_codes()
    actors = {r["actor_id"]: r for r in tables["actors"].iter_rows(named=True)}
    places = {r["location_pcode"]: r for r in tables["locations"].iter_rows(named=True)}
    sources = {r["source_id"]: r for r in tables["sources"].iter_rows(named=True)}
    linked = _by_event(tables["event_sources"].sort(["event_id", "source_id", "claimant"]))

    def place_name(pcode):
        return places[pcode]["name"] if pcode in places else None

    out = []
    for ev in tables["events"].sort("event_id").iter_rows(named=True):
        eid = ev["event_id"]
        a1, a2 = actors[ev["actor1"]], actors.get(ev["actor2"]) if ev["actor2"] else None
        inter2 = a2["acled_inter"] if a2 else None
        tov = type_of_violence(ev["event_type"], a1["acled_inter"], inter2)
        side_a, side_b = (a2, a1) if tov == 1 and inter2 == STATE else (a1, a2)
        links = linked.get(eid, [])
        srcs = [sources[s] for s in dict.fromkeys(x["source_id"] for x in links) if s in sources]
        lat, lon = ev["latitude"], ev["longitude"]
        level = places[ev["location_pcode"]]["level"] if ev["location_pcode"] in places else None
        best = ev["fatalities_best"]
        out.append({
            "id": eid,
            "relid": eid,
            "year": ev["date_start"].year,
            "type_of_violence": tov,
            "side_a": side_a["name"],
            "side_b": side_b["name"] if side_b else None,
            "number_of_sources": len(srcs),
            # One entry per source, in the same order in each column (so not deduplicated).
            "source_article": "; ".join(", ".join(p for p in (s["publisher"], _pub_date(s), s["title"]) if p)
                                        for s in srcs) or None,
            "source_date": "; ".join(_pub_date(s) for s in srcs) or None,
            "source_headline": "; ".join(s["title"] or "" for s in srcs) if any(s["title"] for s in srcs) else None,
            "source_original": _joined(x["claimant"] for x in links if x["claimant"]),
            "where_prec": where_prec(ev["geo_precision"], level,
                                     bool(ev["admin2_pcode"] or ev["admin3_pcode"]), where_codes),
            "where_coordinates": place_name(ev["location_pcode"]),
            "where_description": ev["location"],
            "adm_1": place_name(ev["admin1_pcode"]),
            "adm_2": place_name(ev["admin2_pcode"]) if ev["admin2_pcode"] else None,
            "latitude": lat,
            "longitude": lon,
            "geom_wkt": f"POINT ({format_cell(lon, 'number')} {format_cell(lat, 'number')})",
            "priogrid_gid": priogrid_gid(lat, lon),
            "country": COUNTRY,
            "country_id": COUNTRY_ID,
            "region": REGION,
            "event_clarity": ev["event_clarity"],
            "date_prec": date_prec[ev["date_precision"]],
            "date_start": ev["date_start"],
            "date_end": ev["date_end"],
            # Unknown, not zero: we do not record deaths by side.
            "deaths_a": None,
            "deaths_b": None,
            "deaths_civilians": None,
            "deaths_unknown": best,
            "best": best,
            "high": ev["fatalities_high"],
            "low": ev["fatalities_low"],
        })
    return out


def ucdp_schema() -> dict:
    """The Table Schema of the UCDP GED-layout export.

    Examples
    --------
    >>> s = ucdp_schema()
    >>> s["primaryKey"], [f["name"] for f in s["fields"]][-3:]
    (['id'], ['best', 'high', 'low'])
    """
    return {
        "fields": [{"name": n, "type": t, "description": d} for n, t, d in UCDP_COLUMNS],
        "primaryKey": ["id"],
        "missingValues": [""],
    }


def ucdp_description() -> str:
    """What the UCDP GED-layout export is and how it differs, for the release's datapackage.json.

    Examples
    --------
    >>> "Which events" in ucdp_description()
    True
    """
    return ("The events in the layout of UCDP's Georeferenced Event Dataset (GED): the GED columns our data "
            "can fill honestly, with GED's names, in GED's order; UCDP's own codes are left out, and unknown "
            "death tolls stay empty. Where it differs: "
            + " ".join(f"{topic}: our tables, {ours}; this file, {theirs}." for topic, ours, theirs
                       in UCDP_DIFFERENCES))


def ucdp_csv(tables: dict) -> bytes:
    """The UCDP GED-layout export as UTF-8 CSV bytes (LF line ends, header first).

    A text cell a spreadsheet would run as a formula is written with ``'`` in front
    (:mod:`kachin_events.exports.safe`).

    Examples
    --------
    >>> from kachin_events.tables import read_tables
    >>> ucdp_csv(read_tables()).splitlines()[0].decode().split(",")[:3]
    ['id', 'relid', 'year']
    """
    from ..tablefiles import csv_bytes, format_cell
    from .safe import safe_rows

    names = [c for c, _, _ in UCDP_COLUMNS]
    types = {n: t for n, t, _ in UCDP_COLUMNS}
    return csv_bytes(names, safe_rows([format_cell(row[c], types[c]) for c in names] for row in ucdp_rows(tables)))
