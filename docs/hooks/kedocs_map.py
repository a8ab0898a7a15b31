"""The map of the data overview: where events are coded, drawn with matplotlib as SVG.

Every marker is drawn at the point the data gives (``latitude``, ``longitude``): nothing
is moved. Events at the same point share one marker, which shows their number and, as
pie slices, their event types. Events known only to a district or to the whole state
(no ``admin3_pcode``) are not points at all: they are listed under the map, never drawn
at the capital they borrow coordinates from. What ``geo_precision`` says about a point
is drawn as what it means: a dashed circle of the distance the schema's "near the place"
allows (``geo_precision`` 2), and a hatched township for events known only to their
township (``geo_precision`` 3). Labels are placed where they overlap no marker, no other
label, no scale bar and no leader line, joined to their point by a thin leader line when they
had to move away from it; a leader passes through no other marker or label and crosses no
other leader. The busiest area is enlarged in an inset with its own scale bar, outlined on
the main map (without connecting lines, which would cross the map's labels).
"""

from __future__ import annotations

import math
import re
import textwrap
from collections import Counter, defaultdict

from kedocs_figstyle import FONT, RC, WIDTH_IN, svg, title, type_colour
from matplotlib import pyplot as plt
from matplotlib.lines import Line2D
from matplotlib.patches import Circle, Patch, Rectangle, Wedge
from matplotlib.transforms import Affine2D

#: Kilometres per degree of latitude (mean), for the scale bar and the precision circles.
KM_PER_DEG = 111.32
#: Radius of an event marker, in points (1/72 inch).
MARKER_PT = 5.5


def placed(events):
    """The events drawn as points: those known at least to their township."""
    return events.filter(events["admin3_pcode"].is_not_null())


def unplaced(events):
    """The events known only to a district or the state: listed beside the map, not drawn."""
    return events.filter(events["admin3_pcode"].is_null())


def map_groups(events) -> list[dict]:
    """One entry per (point, event type, geo_precision) of the drawn events, with the events in it."""
    groups: dict = defaultdict(list)
    for r in placed(events).select(["event_id", "latitude", "longitude", "event_type", "geo_precision"]).to_dicts():
        groups[(r["latitude"], r["longitude"], r["event_type"], r["geo_precision"])].append(r["event_id"])
    return [{"lat": k[0], "lon": k[1], "event_type": k[2], "geo_precision": k[3], "events": sorted(v)}
            for k, v in sorted(groups.items(), key=lambda kv: (kv[0][0], kv[0][1], kv[0][3], kv[0][2]))]


def points(events) -> list[dict]:
    """One entry per drawn point: its events, their types and geo_precisions, the townships."""
    out: dict = {}
    for r in placed(events).select(["event_id", "latitude", "longitude", "event_type", "geo_precision",
                                    "admin3_pcode", "location"]).to_dicts():
        p = out.setdefault((r["latitude"], r["longitude"]), {
            "lat": r["latitude"], "lon": r["longitude"], "events": [], "types": Counter(), "geo": Counter(),
            "townships": set(), "locations": set()})
        p["events"].append(r["event_id"])
        p["types"][r["event_type"]] += 1
        p["geo"][r["geo_precision"]] += 1
        p["townships"].add(r["admin3_pcode"])
        p["locations"].add(r["location"])
    return [out[k] for k in sorted(out)]


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


def near_km(geo_field) -> float:
    """The distance "near the place" allows, read from the schema's definition of geo_precision 2."""
    label = next((c.get("label", "") for c in geo_field.categories or [] if c["value"] == 2), "")
    m = re.search(r"(\d+(?:\.\d+)?)\s*km", label)
    if not m:
        raise ValueError(f"the definition of geo_precision 2 gives no distance in km: {label!r}")
    return float(m.group(1))


# -- labels ---------------------------------------------------------------------------------------
#: Where a label may go around its point, in points: near first, then further out.
_DIRECTIONS = [(1, 0), (-1, 0), (0, 1), (0, -1), (1, 1), (-1, 1), (1, -1), (-1, -1),
               (0.5, 1), (-0.5, 1), (0.5, -1), (-0.5, -1), (1, 0.5), (-1, 0.5), (1, -0.5), (-1, -0.5)]
_RADII = (7, 16, 26, 38, 52, 68)


def _align(dx: float, dy: float) -> dict:
    return {"ha": "left" if dx > 0.2 else "right" if dx < -0.2 else "center",
            "va": "bottom" if dy > 0.2 else "top" if dy < -0.2 else "center"}


def _crosses(p0, p1, q0, q1) -> bool:
    """True when the segments p0-p1 and q0-q1 cross (touching ends do not count)."""
    def side(a, b, c):
        v = (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0])
        return int(v > 1e-9) - int(v < -1e-9)
    return side(p0, p1, q0) * side(p0, p1, q1) < 0 and side(q0, q1, p0) * side(q0, q1, p1) < 0


def segment_hits_box(p0, p1, box) -> bool:
    """True when the segment p0-p1 (pixels) passes through the box ``(x0, y0, x1, y1)`` (Liang-Barsky)."""
    x0, y0, x1, y1 = box
    dx, dy = p1[0] - p0[0], p1[1] - p0[1]
    lo, hi = 0.0, 1.0
    for p, q in ((-dx, p0[0] - x0), (dx, x1 - p0[0]), (-dy, p0[1] - y0), (dy, y1 - p0[1])):
        if abs(p) < 1e-12:
            if q < 0:
                return False
            continue
        t = q / p
        if p < 0:
            lo = max(lo, t)
        else:
            hi = min(hi, t)
        if lo > hi:
            return False
    return True


def _extents(bb) -> tuple:
    return (bb.x0, bb.y0, bb.x1, bb.y1)


def place_labels(fig, ax, labels, avoid, blocked=()) -> tuple[list[dict], list[tuple]]:
    """Greedy placement: each label takes the nearest spot that overlaps nothing placed so far.

    ``labels`` are ``(x, y, text, style, optional)`` in data coordinates, most important first;
    ``avoid`` are ``(x, y, half_width_px)`` squares (markers). A label that must move
    further than its first ring is joined to its point by a thin leader line; an optional
    label (a town that is only there to orient the reader) is placed beside its point or
    not at all, never with a leader, so the map does not fill with lines. A spot is
    free when the label's box overlaps no marker, no other label, nothing ``blocked`` and
    no leader line drawn before it; and, for a spot that needs a leader, when the leader
    passes through no other marker or label and crosses no other leader.

    Returns what was placed and the markers' boxes, in pixels: for each label its text,
    offset (points), whether it has a leader, whether it had to overlap something (no
    free spot), whether it was left out (optional, no free spot beside its point), its box
    ``(x0, y0, x1, y1)`` (None when left out), its point and its leader (a pair of points, or None).
    """
    from matplotlib.text import Text
    from matplotlib.transforms import Bbox

    renderer = fig.canvas.get_renderer()
    frame = ax.get_window_extent(renderer)
    px_per_pt = fig.dpi / 72
    markers = []
    for x, y, half in avoid:
        px, py = ax.transData.transform((x, y))
        markers.append((px, py, Bbox.from_extents(px - half, py - half, px + half, py + half)))
    fixed = [m[2] for m in markers] + list(blocked)

    def leader_of(bb, point):
        """The leader from the label's centre to the edge of the marker at ``point``."""
        cx, cy = (bb.x0 + bb.x1) / 2, (bb.y0 + bb.y1) / 2
        dist = math.hypot(point[0] - cx, point[1] - cy) or 1.0
        shrink = MARKER_PT * 0.6 * px_per_pt
        return (cx, cy), (point[0] - (point[0] - cx) * shrink / dist, point[1] - (point[1] - cy) * shrink / dist)

    def attempt(order):
        boxes, leaders, out = list(fixed), [], []

        def free(bb, point, leader: bool) -> bool:
            if not (frame.contains(bb.x0, bb.y0) and frame.contains(bb.x1, bb.y1)):
                return False
            if any(bb.overlaps(b) for b in boxes):
                return False
            if any(segment_hits_box(a, b, _extents(bb)) for a, b in leaders):
                return False
            if leader:
                a, b = leader_of(bb, point)
                own = [m[2] for m in markers if math.hypot(m[0] - point[0], m[1] - point[1]) < 1.0]
                if any(segment_hits_box(a, b, _extents(o)) for o in boxes if o not in own):
                    return False
                if any(_crosses(a, b, c, e) for c, e in leaders):
                    return False
            return True

        for i in order:
            x, y, text, style, optional = labels[i]
            point = tuple(float(v) for v in ax.transData.transform((x, y)))
            chosen = None
            for radius in _RADII[:1] if optional else _RADII:
                for dx, dy in _DIRECTIONS:
                    norm = math.hypot(dx, dy)
                    off = (radius * dx / norm, radius * dy / norm)
                    t = ax.annotate(text, (x, y), xytext=off, textcoords="offset points", **_align(dx, dy), **style)
                    bb = t.get_window_extent(renderer).expanded(1.04, 1.08)
                    if free(bb, point, radius > _RADII[0]):
                        chosen = (t, off, radius > _RADII[0])
                        break
                    t.remove()
                if chosen:
                    break
            if chosen is None and optional:  # a town with no room beside it: its dot stays, unnamed
                out.append({"i": i, "text": text, "offset": None, "leader": False, "overlaps": False,
                            "omitted": True, "box": None, "point": point, "segment": None, "artist": None})
                continue
            overlaps = chosen is None
            if chosen is None:  # nowhere free: the first spot, and say so in the result
                off = (_RADII[0], 0)
                chosen = (ax.annotate(text, (x, y), xytext=off, textcoords="offset points", ha="left",
                                      va="center", **style), off, False)
            t, off, leader = chosen
            segment = None
            if leader:
                t.remove()
                t = ax.annotate(text, (x, y), xytext=off, textcoords="offset points",
                                **_align(off[0], off[1]), **style,
                                arrowprops={"arrowstyle": "-", "color": "#666666", "lw": 0.7, "shrinkA": 0,
                                            "shrinkB": MARKER_PT * 0.6})
            t.update_positions(renderer)
            bb = Text.get_window_extent(t, renderer)  # the text alone, not its leader
            if leader:
                segment = leader_of(bb.expanded(1.04, 1.08), point)
                leaders.append(segment)
            boxes.append(bb)
            out.append({"i": i, "text": text, "offset": off, "leader": leader, "overlaps": overlaps,
                        "omitted": False, "box": _extents(bb), "point": point, "segment": segment, "artist": t})
        return out

    # Greedy in order of importance; the labels that found no room, or only far from their
    # point, go first in the next try. The best try wins: fewest labels without room, then
    # fewest towns left unnamed, then the shortest leaders.
    order, best, tried = list(range(len(labels))), None, set()
    for _ in range(8):
        tried.add(tuple(order))
        out = attempt(order)
        score = (sum(p["overlaps"] for p in out), sum(p["omitted"] for p in out),
                 round(sum(math.dist(*p["segment"]) for p in out if p["segment"])))
        if best is None or score < best[0]:
            if best is not None:
                _remove(best[1])
            best = (score, out)
        else:
            _remove(out)
        hard = [p["i"] for p in out if p["overlaps"]] or [p["i"] for p in out if p["leader"]]
        order = hard + [i for i in order if i not in hard]
        if tuple(order) in tried:
            break
    placed_out = [{k: v for k, v in p.items() if k not in ("i", "artist")} for p in best[1]]
    return placed_out, [_extents(m[2]) for m in markers]


def _remove(placed: list[dict]) -> None:
    for p in placed:
        if p["artist"] is not None:
            p["artist"].remove()


# -- drawing ----------------------------------------------------------------------------------------
def _draw_townships(fig, ax, events, geo3_townships, colorbar: bool = True) -> None:
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
        ax.fill(xs, ys, facecolor=cmap(norm(counts.get(props["admin3_pcode"], 0))),
                edgecolor="#9a9a9a", lw=0.6, alpha=0.55, zorder=0)
        if props["admin3_pcode"] in geo3_townships:
            ax.fill(xs, ys, facecolor="none", edgecolor="#6b4a2b", hatch="////", lw=1.4, zorder=1)
    xs, ys = b.state.exterior.xy
    ax.plot(xs, ys, color="#333333", lw=1.3, zorder=1)
    if not colorbar:
        return
    bar = fig.colorbar(ScalarMappable(norm=norm, cmap=cmap), ax=ax, shrink=0.3, pad=0.02, aspect=25,
                       ticks=list(range(top + 1)) if top <= 10 else None)
    bar.solids.set_alpha(0.55)
    bar.set_label("events coded to the township (count)", fontsize=FONT["label"])
    bar.ax.tick_params(labelsize=FONT["tick"])


def _pie(ax, x, y, types: Counter, order: list[str], kx: float, radius_deg: float) -> None:
    """A marker of fixed size at (x, y): one slice per event type, sized by its events."""
    total = sum(types.values())
    start = 90.0
    present = [t for t in order if types.get(t)] + [t for t in types if t not in order]
    for t in present:
        share = 360.0 * types[t] / total
        w = Wedge((0, 0), radius_deg, start, start + share, facecolor=type_colour(t), edgecolor="white", lw=0.8)
        # The map's x axis is stretched by kx: draw in degrees of latitude, then widen x.
        w.set_transform(Affine2D().scale(kx, 1).translate(x, y) + ax.transData)
        w.set_zorder(6)
        ax.add_patch(w)
        start += share


def _scale_bar(fig, ax, lon0: float, lat: float, km: float, labelled: tuple) -> list:
    """A bar ``km`` long from (lon0, lat), true at its own latitude, ticked at each of ``labelled``
    (kilometres; the last says "km"). Returns its pixel box, for the labels to keep clear of."""
    from matplotlib.transforms import Bbox

    deg = km / (KM_PER_DEG * math.cos(math.radians(lat)))
    tick = 0.012 * (ax.get_ylim()[1] - ax.get_ylim()[0])
    artists = ax.plot([lon0, lon0 + deg], [lat, lat], color="#111111", lw=2.4, solid_capstyle="butt", zorder=8)
    for k in labelled:
        x = lon0 + deg * k / km
        artists += ax.plot([x, x], [lat - tick, lat + tick], color="#111111", lw=1.2, zorder=8)
        artists.append(ax.annotate(f"{k:g} km" if k == labelled[-1] else f"{k:g}", (x, lat), xytext=(0, 5),
                                   textcoords="offset points", ha="center", va="bottom", fontsize=FONT["note"],
                                   zorder=8))
    renderer = fig.canvas.get_renderer()
    return [Bbox.union([a.get_window_extent(renderer) for a in artists]).expanded(1.1, 1.3)]


def unplaced_lines(d) -> list[str]:
    """One line per event known only to a district or the state, for the map's note and table."""
    out = []
    for e in unplaced(d.tables["events"]).sort("event_id").to_dicts():
        area = (f"{d.place_name(e['admin2_pcode'])} District" if e["admin2_pcode"]
                else f"{d.place_name(e['admin1_pcode'])} State (whole state)")
        dates = str(e["date_start"]) if e["date_start"] == e["date_end"] else f"{e['date_start']} to {e['date_end']}"
        out.append(f"{e['event_id']}: {e['event_type']}, {dates}, {e['location']}; known only to {area}")
    return out


#: Half the size of the inset around the busiest point, in degrees (latitude, longitude).
INSET_HALF = (0.2, 0.2)
#: Where the inset goes, in the main map's axes fraction: the empty north-west corner.
INSET_BOX = (0.0, 0.71, 0.37, 0.29)


def _features(d) -> dict:
    """What the map draws, with the names of its points."""
    events, locations = d.tables["events"], d.tables["locations"]
    towns = locations.filter((locations["level"] == "town") & locations["latitude"].is_not_null()).to_dicts()
    tsp = township_reference_points(locations)
    tsp_at = {(t["lat"], t["lon"]): t for t in tsp}
    town_at = {(w["latitude"], w["longitude"]): w for w in towns}
    pts = points(events)
    for p in pts:
        key = (p["lat"], p["lon"])
        p["name"] = (tsp_at[key]["name"] if key in tsp_at else
                     town_at[key]["name"].removesuffix(" Town") if key in town_at else " / ".join(sorted(p["locations"])))
    at_events = {(p["lat"], p["lon"]) for p in pts}
    return {"pts": pts, "tsp": tsp, "at_events": at_events,
            "towns": [w for w in towns if (w["latitude"], w["longitude"]) not in tsp_at]}


def _inside(region, lat, lon) -> bool:
    return region is not None and region[0] <= lat <= region[1] and region[2] <= lon <= region[3]


def _draw_points(fig, ax, f, types, km, *, labels_outside=None, scale=1.0, blocked=()) -> tuple[list, list]:
    """Towns, township points and event pies on ``ax``; labels for what lies outside ``labels_outside``.

    Returns :func:`place_labels`' labels and markers."""
    px_per_pt = fig.dpi / 72
    avoid, labels = [], []
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    shown = lambda lat, lon: x0 <= lon <= x1 and y0 <= lat <= y1  # noqa: E731
    for w in f["towns"]:
        if shown(w["latitude"], w["longitude"]):
            ax.plot(w["longitude"], w["latitude"], marker="o", ms=3.5 * scale, color="#8a8a8a", zorder=2)
            avoid.append((w["longitude"], w["latitude"], 2.5 * scale * px_per_pt))
    for t in f["tsp"]:
        if shown(t["lat"], t["lon"]):
            ax.plot(t["lon"], t["lat"], marker="s", ms=5 * scale, mfc="white", mec="#222222", mew=1, zorder=3)
            avoid.append((t["lon"], t["lat"], 3.5 * scale * px_per_pt))
    ya, yb = ax.transData.transform((x0, 0))[1], ax.transData.transform((x0, 1))[1]
    radius_deg = MARKER_PT * scale * px_per_pt / (yb - ya)
    kx = ax.get_aspect()
    # The busiest points are labelled first, so they get the nearest spots.
    for p in sorted(f["pts"], key=lambda p: -len(p["events"])):
        if not shown(p["lat"], p["lon"]):
            continue
        if p["geo"].get(2):
            ax.add_patch(Circle((0, 0), km / KM_PER_DEG, fill=False, ls=(0, (4, 3)), lw=1.1, edgecolor="#333333",
                                zorder=4, clip_on=True,
                                transform=_stretch(1 / math.cos(math.radians(p["lat"])), p["lon"], p["lat"])
                                + ax.transData))
        _pie(ax, p["lon"], p["lat"], p["types"], types, kx, radius_deg)
        avoid.append((p["lon"], p["lat"], MARKER_PT * scale * px_per_pt + 1))
        if not _inside(labels_outside, p["lat"], p["lon"]):
            n = len(p["events"])
            labels.append((p["lon"], p["lat"], f"{p['name']} ({n})",
                           {"fontsize": FONT["label"], "fontweight": "bold", "color": "#111111", "zorder": 9},
                           False))
    for t in f["tsp"]:
        if shown(t["lat"], t["lon"]) and (t["lat"], t["lon"]) not in f["at_events"] \
                and not _inside(labels_outside, t["lat"], t["lon"]):
            labels.append((t["lon"], t["lat"], t["name"], {"fontsize": FONT["tick"], "fontweight": "bold",
                                                         "color": "#222222", "zorder": 7}, False))
    for w in f["towns"]:
        if shown(w["latitude"], w["longitude"]) and (w["latitude"], w["longitude"]) not in f["at_events"] \
                and not _inside(labels_outside, w["latitude"], w["longitude"]):
            labels.append((w["longitude"], w["latitude"], w["name"].removesuffix(" Town"),
                           {"fontsize": FONT["note"], "color": "#555555", "zorder": 7}, True))
    return place_labels(fig, ax, labels, avoid, blocked)


def event_map(d, bbox: dict, types) -> bytes:
    """Event points over Kachin's townships (MIMU polygons, shaded by events), towns and township points."""
    events = d.tables["events"]
    f = _features(d)
    pts = f["pts"]
    km = near_km(d.schemas["events"].field("geo_precision"))
    geo3_townships = {t for p in pts if p["geo"].get(3) for t in p["townships"]}
    mid_lat = (bbox["lat_min"] + bbox["lat_max"]) / 2
    kx = 1 / math.cos(math.radians(mid_lat))
    busiest = max(pts, key=lambda p: (len(p["events"]), -p["lat"]), default=None)
    region = None
    if busiest is not None:
        # Centred on what is drawn near the busiest point, so its labels have room on both sides.
        near = [(p["lat"], p["lon"]) for p in pts] + [(t["lat"], t["lon"]) for t in f["tsp"]] + [
            (w["latitude"], w["longitude"]) for w in f["towns"]]
        near = [(a, o) for a, o in near if abs(a - busiest["lat"]) <= INSET_HALF[0]
                and abs(o - busiest["lon"]) <= INSET_HALF[1]]
        clat, clon = sum(a for a, _ in near) / len(near), sum(o for _, o in near) / len(near)
        region = (clat - INSET_HALF[0], clat + INSET_HALF[0], clon - INSET_HALF[1], clon + INSET_HALF[1])
    with plt.rc_context(RC):
        fig, ax = plt.subplots(figsize=(WIDTH_IN, 11.2))
        ax.set_aspect(kx)
        ax.set_xlim(bbox["lon_min"] - 0.3, bbox["lon_max"] + 0.3)
        ax.set_ylim(bbox["lat_min"] - 0.3, bbox["lat_max"] + 0.3)
        _draw_townships(fig, ax, events, geo3_townships)
        inset = None
        if region:
            # The busiest area, enlarged in the empty corner south-east of the state.
            fig.canvas.draw()  # the main map's final size, to give the inset the same scale on both axes
            main = ax.get_window_extent(fig.canvas.get_renderer())
            inset = ax.inset_axes(list(INSET_BOX))
            inset.set_aspect(kx)
            # Widen the area east-west to the box's shape, so the box keeps its size.
            half_lon = INSET_HALF[0] * (INSET_BOX[2] * main.width) / (INSET_BOX[3] * main.height) * kx
            clon = (region[2] + region[3]) / 2
            region = (region[0], region[1], clon - half_lon, clon + half_lon)
            inset.set_xlim(region[2], region[3])
            inset.set_ylim(region[0], region[1])
            _draw_townships(fig, inset, events, geo3_townships, colorbar=False)
            inset.set_xticks([])
            inset.set_yticks([])
            for s in inset.spines.values():
                s.set_visible(True)
                s.set_color("#333333")
            # The area's outline on the main map (no connecting lines: they would cross the map's labels).
            ax.add_patch(Rectangle((region[2], region[0]), region[3] - region[2], region[1] - region[0],
                                   fill=False, edgecolor="#333333", lw=1.0, zorder=8))
        fig.canvas.draw()  # fixes the axes' positions, so data -> pixels is final
        blocked = [inset.get_window_extent(fig.canvas.get_renderer()).expanded(1.03, 1.03)] if inset else []
        blocked += _scale_bar(fig, ax, bbox["lon_min"] - 0.1, bbox["lat_min"] + 0.15, 100, (0, 50, 100))
        placed_main, markers_main = _draw_points(fig, ax, f, types, km, labels_outside=region, blocked=blocked)
        placed_inset, markers_inset = [], []
        if inset is not None:
            # The inset's own scale: it is drawn larger than the main map.
            x0, x1 = inset.get_xlim()
            y0, y1 = inset.get_ylim()
            lat = y0 + (y1 - y0) * 0.06
            lon0 = x1 - (x1 - x0) * 0.08 - 10 / (KM_PER_DEG * math.cos(math.radians(lat)))
            bar = _scale_bar(fig, inset, lon0, lat, 10, (0, 10))
            placed_inset, markers_inset = _draw_points(fig, inset, f, types, km, scale=1.2, blocked=bar)
        # Kept for the tests: every label (box, point, leader) and marker, per map, in pixels.
        event_map.placed = [{**p, "map": "main"} for p in placed_main] + [{**p, "map": "inset"} for p in placed_inset]
        event_map.markers = {"main": markers_main, "inset": markers_inset}
        present = [t for t in types if any(p["types"].get(t) for p in pts)]
        handles = [Patch(facecolor=type_colour(t), label=t) for t in present]
        handles += [
            Line2D([], [], ls=(0, (4, 3)), lw=1.1, color="#333333",
                   label=f"{km:g} km around a point with events 'near the place' (geo_precision 2)"),
            Patch(facecolor="none", edgecolor="#6b4a2b", hatch="////",
                  label="township of events known only to the township (geo_precision 3)"),
            Line2D([], [], ls="", marker="s", ms=5, mfc="white", mec="#222222",
                   label="township reference point (its namesake MIMU town)"),
            Line2D([], [], ls="", marker="o", ms=3.5, color="#8a8a8a", label="other MIMU town"),
        ]
        if region:
            handles.append(Patch(facecolor="none", edgecolor="#333333",
                                 label=f"box: the area around {busiest['name']}, enlarged at the upper left"))
        legend = ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(-0.02, -0.07), ncol=1,
                           frameon=False, alignment="left",
                           title="A pie marks the exact point of its events; slices: event types.\nLabel: the place (number of events at the point).")
        notes = unplaced_lines(d)
        if notes:
            fig.canvas.draw()
            box = legend.get_window_extent().transformed(fig.transFigure.inverted())
            text = "Not drawn, known only to a district or the state:\n" + "\n".join(
                "\n".join(textwrap.wrap(line, 84, subsequent_indent="    ")) for line in notes)
            fig.text(box.x0 + 0.01, box.y0 - 0.01, text, fontsize=FONT["legend"], va="top", ha="left",
                     linespacing=1.35)
        ax.set_xlabel("longitude (°E, WGS84)")
        ax.set_ylabel("latitude (°N, WGS84)")
        ax.grid(True, color="#eeeeee", lw=0.5, zorder=0)
        title(ax, "Where events are coded in Kachin State",
              "Points as coded (latitude, longitude); townships shaded by their events.")
        return svg(fig)


def _stretch(kx: float, x: float, y: float):
    return Affine2D().scale(kx, 1).translate(x, y)
