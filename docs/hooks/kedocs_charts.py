"""Charts people can read: the directives that show the figures and say the same in words.

The figures themselves are drawn by :mod:`kedocs_figures` (charts) and :mod:`kedocs_map`
(the map). This module's directives replace :mod:`kedocs_content`'s of the same name
(later modules win in :func:`kedocs_content.all_directives`):

* ``figure NAME``: the SVG, linked to itself so a reader on a small screen can open it
  at full size;
* ``precision-counts``: how precisely events are known, in the words of the schema's
  own definitions (``schemas/events.json``), with the number of events for each value;
* ``timeline-table``: the timeline's events and their date ranges;
* ``map-table`` and ``map-unplaced``: the map's points, and the events not drawn
  because they are known only to a district or the state.
"""

from __future__ import annotations

from collections import Counter

import kedocs_figures
import kedocs_map
from kedocs_content import DirectiveError, event_link, fmt, rel

from kachin_events.codebook import code, markdown_table
from kachin_events.codebook import escape_cell as esc

#: The events fields whose values say how precisely an event is known, in the order shown.
PRECISION_FIELDS = ("date_precision", "geo_precision", "event_clarity")


def figure(d, page: str, name: str) -> str:
    """The figure, as an image that links to itself (open at full size)."""
    if name not in kedocs_figures.FIGURES:
        raise DirectiveError(f"unknown figure {name!r}; the figures are {', '.join(kedocs_figures.FIGURES)}")
    alt, _ = kedocs_figures.FIGURES[name]
    src = rel(page, "figures/" + name + ".svg")
    return f'[![{alt}]({src}){{ .ke-figure }}]({src} "Open the figure at full size")\n'


def precision_counts(d, page: str) -> str:
    """One table per precision field: each value, its definition in the schema, and its events."""
    events = d.tables["events"]
    total = events.height
    out = []
    for name in PRECISION_FIELDS:
        f = d.schemas["events"].field(name)
        if not f.categories:
            raise DirectiveError(f"events.{name} has no categories to describe its values")
        counts = Counter(events[name].to_list())
        rows = [[code(c["value"]), esc(c.get("label", "")), counts.get(c["value"], 0)] for c in f.categories]
        unknown = set(counts) - {c["value"] for c in f.categories}
        if unknown:
            raise DirectiveError(f"events.{name} holds values the schema does not define: {sorted(unknown)}")
        out += [f"**{esc(f.title)}** ({code(name)}): {esc(f.description)}", "",
                markdown_table(["Value", "What it means", f"Events (of {total})"], rows), ""]
    return "\n".join(out)


def timeline_table(d, page: str) -> str:
    """The timeline's rows, in its order: the range each event may have happened in."""
    labels = {c["value"]: c.get("label", "") for c in d.schemas["events"].field("date_precision").categories}
    rows = []
    for r in kedocs_figures.timeline_rows(d.tables["events"]):
        dates = str(r["date_start"]) if r["days"] == 1 else f"{r['date_start']} to {r['date_end']}"
        rows.append([event_link(d, page, r["event_id"]), esc(r["location"]), dates, r["days"],
                     f"{code(r['date_precision'])}: {esc(labels.get(r['date_precision'], ''))}"])
    return markdown_table(["Event", "Location", "Dates (date_start to date_end)", "Days", "date_precision"],
                          rows) + "\n"


def map_table(d, page: str) -> str:
    """Every point drawn on the map: its events, their places, types and geo_precision."""
    names = d.names("locations", "location_pcode", "name")
    loc = {e["event_id"]: e["location_pcode"] for e in d.events()}
    rows = []
    for p in kedocs_map.points(d.tables["events"]):
        places = sorted({f"{esc(names.get(loc[e], loc[e]))} ({code(loc[e])})" for e in p["events"]})
        types = ", ".join(f"{esc(t)} {n}" for t, n in sorted(p["types"].items()))
        geo = ", ".join(f"{g}: {n}" for g, n in sorted(p["geo"].items()))
        rows.append([f"{fmt(p['lat'])}, {fmt(p['lon'])}", len(p["events"]), types, geo, "; ".join(places),
                     ", ".join(event_link(d, page, e) for e in sorted(p["events"]))])
    return markdown_table(["Point (lat, lon)", "Events", "Event types", "geo_precision: events", "Coded places",
                           "Event ids"], rows) + "\n"


def map_unplaced(d, page: str) -> str:
    """The events known only to a district or the state, which the map lists instead of drawing."""
    events = kedocs_map.unplaced(d.tables["events"]).sort("event_id").to_dicts()
    if not events:
        return "Every event is known at least to its township, so every event is on the map.\n"
    rows = []
    for e in events:
        area = (f"{esc(d.place_name(e['admin2_pcode']))} District ({code(e['admin2_pcode'])})"
                if e["admin2_pcode"] else f"the whole state ({code(e['admin1_pcode'])})")
        dates = str(e["date_start"]) if e["date_start"] == e["date_end"] else f"{e['date_start']} to {e['date_end']}"
        rows.append([event_link(d, page, e["event_id"]), esc(e["event_type"]), dates, esc(e["location"]), area])
    return markdown_table(["Event", "Event type", "Dates", "Location as coded", "Known only to"], rows) + "\n"


#: ``{{ke NAME}}`` directives of this module (merged into kedocs_content.all_directives).
DIRECTIVES: dict = {
    "figure": figure,
    "precision-counts": precision_counts,
    "timeline-table": timeline_table,
    "map-table": map_table,
    "map-unplaced": map_unplaced,
    "coarse-dates": lambda d, page: "{} of {}".format(*kedocs_figures.coarse_count(d.tables["events"])),
}


def generated(data) -> dict[str, str | bytes]:
    """The generated files of this module: docs path -> content (the figures are generate.py's)."""
    return {}
