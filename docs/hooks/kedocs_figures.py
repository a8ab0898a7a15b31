"""Charts and the map of the data overview, drawn with matplotlib (Agg) as SVG bytes.

Everything is drawn from the typed tables of :func:`kachin_events.tables.read_tables`;
nothing is fetched. The SVGs are deterministic (no date, fixed hash salt), so a build
of the same data gives the same files.
"""

from __future__ import annotations

import io
import math
from collections import Counter, defaultdict

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402

from kachin_events.codebook import escape_cell as esc  # noqa: E402
from kachin_events.codebook import markdown_table  # noqa: E402

# Okabe-Ito colours (safe for colour-blind readers), one per ACLED event type.
TYPE_COLOURS = {
    "Battles": "#D55E00",
    "Explosions/Remote violence": "#0072B2",
    "Violence against civilians": "#CC79A7",
    "Strategic developments": "#009E73",
    "Protests": "#E69F00",
    "Riots": "#56B4E9",
}
#: Date precisions whose range may be longer than a week: "coarse" in the charts.
COARSE = ("month", "year")

_RC = {
    "svg.hashsalt": "kachin-events",
    "svg.fonttype": "path",
    "font.family": "DejaVu Sans",
    "font.size": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
}


def _svg(fig) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="svg", metadata={"Date": None}, bbox_inches="tight")
    plt.close(fig)
    return buf.getvalue()


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


def events_per_month(events, types) -> bytes:
    """Stacked bars: events per month of date_start, by event type; coarse ranges hatched."""
    months, counts = monthly_counts(events, types)
    with plt.rc_context(_RC):
        fig, ax = plt.subplots(figsize=(8, 3.8))
        bottom = [0] * len(months)
        present = []
        for t in types:
            for coarse in (False, True):
                vals = counts.get((t, coarse), [0] * len(months))
                if not any(vals):
                    continue
                if t not in present:
                    present.append(t)
                ax.bar(range(len(months)), vals, bottom=bottom, color=TYPE_COLOURS.get(t, "#777777"),
                       alpha=0.55 if coarse else 1.0, hatch="////" if coarse else None,
                       edgecolor="white", linewidth=0.6)
                bottom = [b + v for b, v in zip(bottom, vals)]
        ax.set_xticks(range(len(months)), months, rotation=60, ha="right")
        ax.set_ylabel("events (by month of date_start)")
        ax.yaxis.get_major_locator().set_params(integer=True)
        ax.set_xlim(-0.6, len(months) - 0.4)
        handles = [Patch(facecolor=TYPE_COLOURS.get(t, "#777777"), label=t) for t in present]
        handles.append(Patch(facecolor="#bbbbbb", hatch="////", edgecolor="white",
                             label="hatched: date range of a month or a year"))
        ax.legend(handles=handles, frameon=False, loc="upper left", fontsize=8)
        ax.set_title("Events per month (month of date_start), by event type", loc="left", fontsize=10)
        return _svg(fig)


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
    """Horizontal stacked bars: events per township (all 18), by event type."""
    rows = township_counts(events, locations, types)
    with plt.rc_context(_RC):
        fig, ax = plt.subplots(figsize=(8, 0.3 * len(rows) + 1.2))
        y = list(range(len(rows)))[::-1]
        left = [0] * len(rows)
        present = []
        for t in types:
            vals = [c.get(t, 0) for _, c in rows]
            if not any(vals):
                continue
            present.append(t)
            ax.barh(y, vals, left=left, color=TYPE_COLOURS.get(t, "#777777"), edgecolor="white", linewidth=0.6)
            left = [a + b for a, b in zip(left, vals)]
        ax.set_yticks(y, [label for label, _ in rows], fontsize=9)
        ax.xaxis.get_major_locator().set_params(integer=True)
        ax.set_xlabel("events")
        for yy, total in zip(y, left):
            ax.text(total + 0.1, yy, str(total), va="center", fontsize=7, color="#444444")
        ax.legend(handles=[Patch(facecolor=TYPE_COLOURS.get(t, "#777777"), label=t) for t in present],
                  frameon=False, loc="lower right", fontsize=8)
        ax.set_title("Events by township (admin3_pcode), by event type", loc="left", fontsize=10)
        return _svg(fig)


GEO_STYLES = {
    1: {"label": "geo_precision 1: the named place itself", "face": True, "alpha": 1.0, "ls": "-", "lw": 1.0},
    2: {"label": "geo_precision 2: near the place (within about 25 km)", "face": True, "alpha": 0.4,
        "ls": "--", "lw": 1.2},
    3: {"label": "geo_precision 3: a larger area (township, road, state)", "face": False, "alpha": 1.0,
        "ls": "-", "lw": 2.2},
}
#: Markers closer than this (degrees) are spread around their common centre.
CLUSTER_DEG = 0.15


def map_groups(events) -> list[dict]:
    """Event markers: one per (point, event type, geo_precision), with the events in it."""
    groups: dict = defaultdict(list)
    for r in events.select(["event_id", "latitude", "longitude", "event_type", "geo_precision"]).to_dicts():
        groups[(r["latitude"], r["longitude"], r["event_type"], r["geo_precision"])].append(r["event_id"])
    return [{"lat": k[0], "lon": k[1], "event_type": k[2], "geo_precision": k[3], "events": sorted(v)}
            for k, v in sorted(groups.items(), key=lambda kv: (kv[0][0], kv[0][1], kv[0][3], kv[0][2]))]


def _clusters(groups) -> list[list[dict]]:
    """Groups whose points lie within CLUSTER_DEG of each other (single linkage)."""
    clusters: list[list[dict]] = []
    for g in groups:
        near = [c for c in clusters
                if any(abs(g["lat"] - h["lat"]) < CLUSTER_DEG and abs(g["lon"] - h["lon"]) < CLUSTER_DEG for h in c)]
        merged = [g]
        for c in near:
            merged += c
            clusters.remove(c)
        clusters.append(merged)
    return clusters


def township_reference_points(locations) -> list[dict]:
    """Each township's reference point and the MIMU town it is taken from (same point)."""
    towns = locations.filter(locations["level"] == "town").to_dicts()
    out = []
    for t in locations.filter(locations["level"] == "township").sort("location_pcode").to_dicts():
        if t["latitude"] is None:
            continue
        town = next((w for w in towns if w["admin3_pcode"] == t["location_pcode"]
                     and (w["latitude"], w["longitude"]) == (t["latitude"], t["longitude"])), None)
        out.append({"pcode": t["location_pcode"], "name": t["name"], "lat": t["latitude"], "lon": t["longitude"],
                    "town_pcode": town["location_pcode"] if town else None,
                    "town": town["name"] if town else None})
    return out


_OFFSETS = [((4, -8), "left"), ((4, 3), "left"), ((-4, -8), "right"), ((-4, 3), "right"),
            ((0, 6), "center"), ((0, -12), "center")]


def _place_labels(fig, ax, labels, avoid) -> None:
    """Greedy label placement: each label takes the first offset that overlaps nothing placed."""
    from matplotlib.transforms import Bbox

    renderer = fig.canvas.get_renderer()
    boxes = []
    for x, y, half in avoid:
        px, py = ax.transData.transform((x, y))
        boxes.append(Bbox.from_extents(px - half, py - half, px + half, py + half))
    for x, y, text, kw in labels:
        best = None
        for (dx, dy), ha in _OFFSETS:
            t = ax.annotate(text, (x, y), xytext=(dx, dy), textcoords="offset points", ha=ha, **kw)
            bb = t.get_window_extent(renderer).expanded(1.05, 1.1)
            hit = any(bb.overlaps(b) for b in boxes)
            if not hit:
                best = t
                break
            t.remove()
        if best is None:
            (dx, dy), ha = _OFFSETS[0]
            best = ax.annotate(text, (x, y), xytext=(dx, dy), textcoords="offset points", ha=ha, **kw)
        boxes.append(best.get_window_extent(renderer))


def _draw_townships(fig, ax, events) -> None:
    """MIMU's township polygons shaded by their number of events, and the state outline."""
    from matplotlib.cm import ScalarMappable
    from matplotlib.colors import BoundaryNorm

    from kachin_events import geometry

    b = geometry.boundaries()
    counts = dict(events.group_by("admin3_pcode").len().iter_rows())
    top = max([counts.get(t["admin3_pcode"], 0) for t in b.townships] + [1])
    # Whole-number classes: a count of events is never fractional.
    norm = BoundaryNorm([-0.5, *[n + 0.5 for n in range(top + 1)]], 256)
    cmap = plt.get_cmap("YlOrBr")
    for props, poly in zip(b.townships, b.polygons):
        xs, ys = poly.exterior.xy
        ax.fill(xs, ys, facecolor=cmap(norm(counts.get(props["admin3_pcode"], 0))) if top else "white",
                edgecolor="#9a9a9a", lw=0.6, alpha=0.55, zorder=0)
    xs, ys = b.state.exterior.xy
    ax.plot(xs, ys, color="#333333", lw=1.3, zorder=1)
    bar = fig.colorbar(ScalarMappable(norm=norm, cmap=cmap), ax=ax, shrink=0.35, pad=0.02,
                       ticks=list(range(top + 1)) if top <= 10 else None)
    bar.solids.set_alpha(0.55)
    bar.set_label("events coded to the township (admin3_pcode)", fontsize=8)


def event_map(events, locations, bbox: dict, types) -> bytes:
    """Event points over Kachin's townships (MIMU polygons, shaded by events), towns and township points."""
    towns = locations.filter((locations["level"] == "town") & locations["latitude"].is_not_null()).to_dicts()
    tsp = township_reference_points(locations)
    tsp_towns = {t["town_pcode"] for t in tsp}
    groups = map_groups(events)
    mid_lat = (bbox["lat_min"] + bbox["lat_max"]) / 2
    kx = 1 / math.cos(math.radians(mid_lat))
    with plt.rc_context(_RC):
        fig, ax = plt.subplots(figsize=(8, 11.5))
        ax.set_aspect(kx)
        ax.set_xlim(bbox["lon_min"] - 0.3, bbox["lon_max"] + 0.3)
        ax.set_ylim(bbox["lat_min"] - 0.3, bbox["lat_max"] + 0.3)
        _draw_townships(fig, ax, events)
        labels = []
        for w in towns:
            if w["location_pcode"] in tsp_towns:
                continue
            ax.plot(w["longitude"], w["latitude"], marker="o", ms=3, color="#9a9a9a", zorder=2)
            labels.append((w["longitude"], w["latitude"], w["name"].removesuffix(" Town"),
                           {"fontsize": 6, "color": "#7a7a7a", "zorder": 2}))
        for t in tsp:
            ax.plot(t["lon"], t["lat"], marker="s", ms=4.5, mfc="white", mec="#222222", mew=1, zorder=3)
        # Township labels first, so they get the best places.
        labels = [(t["lon"], t["lat"], t["name"], {"fontsize": 7, "fontweight": "bold", "color": "#222222",
                                                    "zorder": 3}) for t in tsp] + labels
        # Markers close together are spread on a circle around their centre, each
        # joined to its true point by a thin line.
        marker_xy = []
        for cluster in _clusters(groups):
            n = len(cluster)
            clat = sum(g["lat"] for g in cluster) / n
            clon = sum(g["lon"] for g in cluster) / n
            r = 0.0 if n == 1 else 0.13 + 0.03 * n
            for i, g in enumerate(cluster):
                ang = math.pi / 2 + 2 * math.pi * i / n
                x, y = (g["lon"], g["lat"]) if n == 1 else (clon + r * math.cos(ang) * kx, clat + r * math.sin(ang))
                if n > 1:
                    ax.plot([g["lon"], x], [g["lat"], y], color="#555555", lw=0.6, zorder=4)
                    ax.plot(g["lon"], g["lat"], marker="+", ms=7, mew=1.2, color="#111111", zorder=6)
                style = GEO_STYLES.get(g["geo_precision"], GEO_STYLES[3])
                colour = TYPE_COLOURS.get(g["event_type"], "#777777")
                k = len(g["events"])
                ax.scatter([x], [y], s=45 + 30 * k, facecolors=colour if style["face"] else "white",
                           edgecolors="#222222" if style["ls"] == "--" else colour, linewidths=style["lw"],
                           linestyles=style["ls"], alpha=style["alpha"] if style["face"] else 1.0, zorder=5)
                if k > 1:
                    ax.annotate(str(k), (x, y), ha="center", va="center", fontsize=7, fontweight="bold",
                                color="#111111", zorder=7)
                # Half the marker's width in pixels (s is its area in points squared).
                marker_xy.append((x, y, math.sqrt(45 + 30 * k) / 2 * fig.dpi / 72 + 1))
        _place_labels(fig, ax, labels, marker_xy)
        present = [t for t in types if any(g["event_type"] == t for g in groups)]
        handles = [Line2D([], [], ls="", marker="o", ms=8, mfc=TYPE_COLOURS.get(t, "#777777"),
                          mec=TYPE_COLOURS.get(t, "#777777"), label=t) for t in present]
        for st in GEO_STYLES.values():
            handles.append(Line2D([], [], ls="", marker="o", ms=8, mew=st["lw"],
                                  mfc="#555555" if st["face"] else "white",
                                  mec="#222222", alpha=st["alpha"] if st["face"] else 1.0, label=st["label"]))
        handles += [
            Line2D([], [], ls="", marker="s", ms=5, mfc="white", mec="#222222",
                   label="township reference point (its namesake MIMU town)"),
            Line2D([], [], ls="", marker="o", ms=3, color="#9a9a9a", label="other MIMU town"),
            Line2D([], [], ls="-", lw=0.6, marker="+", ms=7, color="#111111",
                   label="true point of markers spread apart"),
        ]
        ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.06), ncol=2, fontsize=7,
                  frameon=False, title="Colour: event type. Style: geo_precision. Area and number: events at the point.",
                  title_fontsize=7)
        ax.set_xlabel("longitude (°E, WGS84)")
        ax.set_ylabel("latitude (°N, WGS84)")
        ax.grid(True, color="#eeeeee", lw=0.5, zorder=0)
        ax.set_title("Coded event points over Kachin State's townships and MIMU towns", loc="left", fontsize=10)
        return _svg(fig)


# -- the figures of the site, and the tables that say the same in words ------------------------
# ``d`` is the build's kedocs_content.SiteData (its typed tables and schemas).
#: The generated figures: name -> (alt text, function(d) -> SVG bytes).
FIGURES = {
    "events-per-month": (
        "Stacked bar chart of events per month of date_start, by event type; hatched bars are events "
        "whose date is known only to a month or a year",
        lambda d: events_per_month(d.tables["events"], _types(d)),
    ),
    "events-by-township": (
        "Horizontal bar chart of events per township of Kachin State, by event type",
        lambda d: events_by_township(d.tables["events"], d.tables["locations"], _types(d)),
    ),
    "event-map": (
        "Map of the points events are coded to, over Kachin State's MIMU towns and township reference points",
        lambda d: event_map(d.tables["events"], d.tables["locations"], _bbox(), _types(d)),
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
