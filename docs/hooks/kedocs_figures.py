"""The charts of the data overview, drawn with matplotlib (Agg) as SVG bytes, and their tables.

Everything is drawn from the typed tables of :func:`kachin_events.tables.read_tables`;
nothing is fetched. The SVGs are deterministic (no date, fixed hash salt), so a build
of the same data gives the same files. The look (real SVG text, font sizes, colours) is
:mod:`kedocs_figstyle`'s; the map is :mod:`kedocs_map`'s. Each figure of :data:`FIGURES`
is shown on the site followed by a table that says the same in words.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

import kedocs_map
from kedocs_figstyle import COARSE, FONT, PRECISION_COLOURS, RC, WIDTH_IN, svg, title, type_colour
from kedocs_map import map_groups, township_reference_points  # noqa: F401  - used by kedocs_content
from matplotlib import dates as mdates
from matplotlib import pyplot as plt
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from kachin_events.codebook import escape_cell as esc
from kachin_events.codebook import markdown_table


def event_types(schema_field) -> list[str]:
    """The event types in the schema's order."""
    return list(schema_field.enum)


def _months(first, last) -> list[str]:
    out, (y, m) = [], (first.year, first.month)
    while (y, m) <= (last.year, last.month):
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def monthly_counts(events, types) -> tuple[list[str], dict]:
    """(months, {(event_type, coarse): [count per month]}) by the month of date_start."""
    rows = events.select(["date_start", "date_precision", "event_type"]).to_dicts()
    if not rows:
        return [], {}
    starts = [r["date_start"] for r in rows]
    months = _months(min(starts), max(starts))
    counts = {(t, c): [0] * len(months) for t in types for c in (False, True)}
    for r in rows:
        i = months.index(f"{r['date_start'].year:04d}-{r['date_start'].month:02d}")
        counts[(r["event_type"], r["date_precision"] in COARSE)][i] += 1
    return months, counts


def coarse_count(events) -> tuple[int, int]:
    """(events whose date is known only to a month or a year, all events)."""
    return int(events["date_precision"].is_in(list(COARSE)).sum()), events.height


def events_per_month(events, types) -> bytes:
    """Stacked bars: events per month of date_start, by event type; coarse ranges hatched."""
    months, counts = monthly_counts(events, types)
    coarse, total = coarse_count(events)
    with plt.rc_context(RC):
        fig, ax = plt.subplots(figsize=(WIDTH_IN, 4.6))
        bottom = [0] * len(months)
        present = []
        for t in types:
            for is_coarse in (False, True):
                vals = counts.get((t, is_coarse), [0] * len(months))
                if not any(vals):
                    continue
                if t not in present:
                    present.append(t)
                ax.bar(range(len(months)), vals, bottom=bottom, color=type_colour(t),
                       alpha=0.55 if is_coarse else 1.0, hatch="////" if is_coarse else None,
                       edgecolor="white", linewidth=0.6)
                bottom = [b + v for b, v in zip(bottom, vals)]
        ax.set_xticks(range(len(months)), months, rotation=60, ha="right")
        ax.set_xlabel("month of date_start (the earliest possible date)")
        ax.set_ylabel("events (count)")
        ax.yaxis.get_major_locator().set_params(integer=True)
        ax.set_xlim(-0.6, len(months) - 0.4)
        handles = [Patch(facecolor=type_colour(t), label=t) for t in present]
        handles.append(Patch(facecolor="#bbbbbb", hatch="////", edgecolor="white",
                             label="hatched: dated only to a month or a year"))
        ax.legend(handles=handles, frameon=False, loc="upper left")
        title(ax, "Events per month, by event type",
              f"Counted in the month of date_start; {coarse} of {total} events are dated only to a month or a "
              "year (see the timeline).")
        return svg(fig)


def township_counts(events, locations, types) -> list[tuple[str, dict]]:
    """[(label, {event_type: n})] for every township (zeros included), most events first."""
    names = {r["location_pcode"]: r["name"] for r in
             locations.filter(locations["level"] == "township").select(["location_pcode", "name"]).to_dicts()}
    per = {code: Counter() for code in names}
    none = Counter()
    for r in events.select(["admin3_pcode", "event_type"]).to_dicts():
        (per.setdefault(r["admin3_pcode"], Counter()) if r["admin3_pcode"] else none)[r["event_type"]] += 1
    rows = [(f"{names.get(code, code)} ({code})", dict(c)) for code, c in per.items()]
    rows.sort(key=lambda x: (-sum(x[1].values()), x[0]))
    if none:
        rows.append(("no township (district or state only)", dict(none)))
    return rows


def events_by_township(events, locations, types) -> bytes:
    """Horizontal stacked bars: events per township (all of them), by event type."""
    rows = township_counts(events, locations, types)
    with plt.rc_context(RC):
        fig, ax = plt.subplots(figsize=(WIDTH_IN, 0.32 * len(rows) + 1.6))
        y = list(range(len(rows)))[::-1]
        left = [0] * len(rows)
        present = []
        for t in types:
            vals = [c.get(t, 0) for _, c in rows]
            if not any(vals):
                continue
            present.append(t)
            ax.barh(y, vals, left=left, color=type_colour(t), edgecolor="white", linewidth=0.6)
            left = [a + b for a, b in zip(left, vals)]
        ax.set_yticks(y, [label for label, _ in rows])
        ax.xaxis.get_major_locator().set_params(integer=True)
        ax.set_xlabel("events (count)")
        ax.set_ylabel("township (admin3_pcode)")
        for yy, total in zip(y, left):
            ax.text(total + 0.1, yy, str(total), va="center", fontsize=FONT["note"], color="#333333")
        ax.legend(handles=[Patch(facecolor=type_colour(t), label=t) for t in present],
                  frameon=False, loc="lower right")
        title(ax, "Events by township, by event type", "All of Kachin State's townships, with zeros.")
        return svg(fig)


# -- the timeline: every event as the range of days it may have happened on ------------------------
def precision_styles(schema_field) -> dict:
    """date_precision value -> (colour, the schema's definition), in the schema's order."""
    labels = {c["value"]: c.get("label", "") for c in schema_field.categories or []}
    return {v: (PRECISION_COLOURS[i % len(PRECISION_COLOURS)], labels.get(v, ""))
            for i, v in enumerate(schema_field.enum)}


def timeline_rows(events) -> list[dict]:
    """The events in the order the timeline draws them: by date_start, then date_end, then id."""
    rows = events.select(["event_id", "date_start", "date_end", "date_precision", "location",
                          "sub_event_type"]).to_dicts()
    for r in rows:
        r["days"] = (r["date_end"] - r["date_start"]).days + 1
    return sorted(rows, key=lambda r: (r["date_start"], r["date_end"], r["event_id"]))


def event_timeline(events, precision_field) -> bytes:
    """One bar per event from date_start to the end of date_end, coloured by date_precision."""
    import textwrap

    rows = timeline_rows(events)
    styles = precision_styles(precision_field)
    coarse, total = coarse_count(events)
    used = Counter(r["date_precision"] for r in rows)
    with plt.rc_context(RC):
        fig, ax = plt.subplots(figsize=(WIDTH_IN, 0.3 * len(rows) + 3.2))
        y = list(range(len(rows)))[::-1]
        for yy, r in zip(y, rows):
            colour = styles.get(r["date_precision"], ("#777777", ""))[0]
            start = mdates.date2num(r["date_start"])
            # A bar covers every day of the range: to the end of date_end.
            ax.barh(yy, r["days"], left=start, height=0.62, color=colour, edgecolor="none")
            if r["days"] == 1:  # a one-day bar is too thin to see: mark the day
                ax.plot(start + 0.5, yy, marker="D", ms=6, color=colour, mec="white", mew=0.6)
        ax.set_yticks(y, [f"{r['event_id']} {r['location']}" for r in rows])
        ax.set_ylim(-0.7, len(rows) - 0.3)
        ax.xaxis.set_major_locator(mdates.MonthLocator(bymonth=(1, 4, 7, 10)))
        ax.xaxis.set_minor_locator(mdates.MonthLocator())
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y-%m"))
        first = min(r["date_start"] for r in rows)
        last = max(r["date_end"] for r in rows)
        ax.set_xlim(mdates.date2num(first.replace(day=1)) - 5,
                    mdates.date2num(last + dt.timedelta(days=1)) + 10)
        ax.grid(True, axis="x", which="major", color="#dddddd", lw=0.6)
        ax.set_axisbelow(True)
        ax.set_xlabel("date (a bar covers every day from date_start to date_end)")
        ax.set_ylabel("event (event_id, location)")
        handles = []
        for value, (colour, label) in styles.items():
            if used[value]:
                text = f"{value} ({used[value]} event{'s' * (used[value] != 1)}): {label}"
                handles.append(Patch(facecolor=colour, label="\n".join(textwrap.wrap(text, 78))))
        handles.append(Line2D([], [], ls="", marker="D", ms=6, color="#555555",
                              label="a diamond marks a single day, too short to show as a bar"))
        ax.legend(handles=handles, frameon=False, loc="upper left", bbox_to_anchor=(-0.02, -0.09),
                  title="Colour: date_precision (how precisely the date is known)", alignment="left")
        title(ax, "When each event happened: the range of possible dates",
              f"{coarse} of {total} events are known only to a month or a year (long bars).")
        return svg(fig)


# -- the figures of the site, and the tables that say the same in words ------------------------
# ``d`` is the build's kedocs_content.SiteData (its typed tables and schemas).
#: The generated figures: name -> (alt text, function(d) -> SVG bytes).
FIGURES = {
    "events-per-month": (
        "Stacked bar chart of events per month of date_start, by event type; hatched bars are events "
        "whose date is known only to a month or a year",
        lambda d: events_per_month(d.tables["events"], _types(d)),
    ),
    "event-timeline": (
        "Timeline with one bar per event from date_start to date_end, coloured by date_precision; "
        "long bars are events known only to a month or a year",
        lambda d: event_timeline(d.tables["events"], d.schemas["events"].field("date_precision")),
    ),
    "events-by-township": (
        "Horizontal bar chart of events per township of Kachin State, by event type",
        lambda d: events_by_township(d.tables["events"], d.tables["locations"], _types(d)),
    ),
    "event-map": (
        "Map of the points events are coded to, over Kachin State's townships, with a scale bar; "
        "events known only to a district or the state are listed under the map, not drawn",
        lambda d: kedocs_map.event_map(d, _bbox(), _types(d)),
    ),
}


def _types(d) -> list[str]:
    return event_types(d.schemas["events"].field("event_type"))


def _bbox() -> dict:
    from kachin_events.rules import KACHIN_BBOX

    return KACHIN_BBOX


def level_count(d, level: str) -> int:
    locs = d.tables["locations"]
    if level not in d.schemas["locations"].field("level").enum:
        raise KeyError(f"no location level {level!r}")
    return locs.filter((locs["level"] == level) & (locs["status"] == "active")).height


def township_table(d) -> str:
    rows = [[esc(label), sum(c.values()), ", ".join(f"{esc(t)} {n}" for t, n in c.items())]
            for label, c in township_counts(d.tables["events"], d.tables["locations"], _types(d))]
    return markdown_table(["Township (admin3_pcode)", "Events", "By event type"], rows) + "\n"


def month_table(d) -> str:
    months, counts = monthly_counts(d.tables["events"], _types(d))
    rows = []
    for i, m in enumerate(months):
        total = sum(v[i] for v in counts.values())
        coarse = sum(v[i] for (t, c), v in counts.items() if c)
        if total:
            rows.append([m, total, coarse])
    return markdown_table(["Month of date_start", "Events", "of which dated only to a month or a year"],
                          rows) + "\n"
