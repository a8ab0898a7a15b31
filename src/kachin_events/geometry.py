"""Where a point is: MIMU's Kachin township and state boundaries, with shapely 2.

The boundaries are the Kachin features of MIMU's 1:250,000 layers (P-code version 9.3,
``reference/mimu/*.geojson``), shipped with the package unsimplified. Every function
here is vectorised: points go in as arrays and are tested against the 18 township
polygons through one :class:`shapely.STRtree` query, never one point at a time.

Distances are in kilometres, measured in a local equirectangular projection centred on
the state (latitude 26°N): within Kachin (23.5-28.6°N) that is within about 2% of the
true distance, well inside what the 1:250,000 scale allows.

At 1:250,000 a line drawn 0.5 mm thick covers 125 m, and MIMU warns that a point within
a few hundred metres of a border can fall on the wrong side of it. :data:`TOLERANCE_KM`
is how far outside a polygon a point may lie and still count as in it, for the rules
``coords-in-kachin`` and ``coords-in-township``.

Examples
--------
>>> locate(25.38, 97.39)["admin3_pcode"]      # Myitkyina Town
'MMR001001'
>>> locate(16.8, 96.15) is None               # Yangon
True
"""

from __future__ import annotations

import functools
import json
import math
from dataclasses import dataclass

import numpy as np

#: How far (km) outside the state or a township polygon a point may lie and still count
#: as inside: the width of a border line at 1:250,000 plus the few hundred metres MIMU
#: warns about.
TOLERANCE_KM = 0.5

#: The latitude the projection to kilometres is centred on.
_LAT0 = 26.0
_KM_PER_DEG_LAT = 110.57
_KM_PER_DEG_LON = 111.32 * math.cos(math.radians(_LAT0))

#: The columns :func:`locate` and :func:`locate_frame` give for each point.
COLUMNS = ("admin1_pcode", "admin2_pcode", "admin3_pcode", "admin2_name", "admin3_name")


@dataclass(frozen=True)
class Boundaries:
    """The township polygons (degrees and km), their attributes, and the state outline."""

    townships: list[dict]       # one dict of properties per township, in P-code order
    polygons: np.ndarray        # shapely polygons, lon/lat degrees, same order
    polygons_km: np.ndarray     # the same in km
    state: object               # the state polygon, degrees
    state_km: object
    tree_km: object             # STRtree over polygons_km


def _km(geom):
    import shapely

    return shapely.transform(geom, lambda xy: xy * np.array([_KM_PER_DEG_LON, _KM_PER_DEG_LAT]))


def _read(path) -> list[dict]:
    with open(path, encoding="utf-8") as fh:
        doc = json.load(fh)
    return doc["features"]


@functools.lru_cache(maxsize=1)
def boundaries() -> Boundaries:
    """The shipped boundaries, read once per process."""
    import shapely
    from shapely.geometry import shape

    from ._paths import boundaries_dir

    folder = boundaries_dir()
    features = sorted(_read(folder / "kachin_townships.geojson"), key=lambda f: f["properties"]["admin3_pcode"])
    polys = np.array([shape(f["geometry"]) for f in features], dtype=object)
    state = shape(_read(folder / "kachin_state.geojson")[0]["geometry"])
    polys_km = np.array([_km(p) for p in polys], dtype=object)
    props = [dict(f["properties"]) for f in features]
    state_km = _km(state)
    # Prepared geometries answer "is this point inside" in microseconds rather than by
    # walking every vertex of the outline for every point.
    shapely.prepare(state_km)
    shapely.prepare(polys_km)
    return Boundaries(props, polys, polys_km, state, state_km, shapely.STRtree(polys_km))


def _points_km(lats, lons):
    import shapely

    lat = np.asarray(lats, dtype="float64")
    lon = np.asarray(lons, dtype="float64")
    return shapely.points(lon * _KM_PER_DEG_LON, lat * _KM_PER_DEG_LAT), np.isfinite(lat) & np.isfinite(lon)


def township_index(lats, lons, tolerance_km: float = 0.0) -> np.ndarray:
    """For each point, the index of its township in :func:`boundaries` (-1: none).

    A point on a shared border, or within ``tolerance_km`` of two townships, takes the
    one it is inside, else the nearest.
    """
    b = boundaries()
    pts, ok = _points_km(lats, lons)
    out = np.full(len(pts), -1, dtype=np.int64)
    if not len(pts):
        return out
    inside_pt, inside_poly = b.tree_km.query(pts, predicate="intersects")
    # Several hits only on a shared border: the lowest P-code wins, as sorted.
    order = np.lexsort((inside_poly, inside_pt))[::-1]
    out[inside_pt[order]] = inside_poly[order]
    if tolerance_km > 0:
        todo = np.flatnonzero((out < 0) & ok)
        if len(todo):
            pt_i, poly_i = b.tree_km.query_nearest(pts[todo], max_distance=tolerance_km, all_matches=False)
            out[todo[pt_i]] = poly_i
    out[~ok] = -1
    return out


def _columns(idx: np.ndarray) -> dict[str, np.ndarray]:
    """The township attributes for township indexes (-1 gives None), by array indexing."""
    b = boundaries()
    return {c: np.array([t[c] for t in b.townships] + [None], dtype=object)[idx] for c in COLUMNS}


def in_state(lats, lons, tolerance_km: float = TOLERANCE_KM) -> np.ndarray:
    """Whether each point lies in Kachin State, or within ``tolerance_km`` of it."""
    import shapely

    b = boundaries()
    pts, ok = _points_km(lats, lons)
    if not len(pts):
        return np.zeros(0, dtype=bool)
    out = np.zeros(len(pts), dtype=bool)
    # Only real points: a NaN coordinate (a missing cell) is outside, without a warning.
    out[ok] = shapely.intersects(b.state_km, pts[ok])
    near = ok & ~out
    if tolerance_km > 0 and near.any():
        out[near] = shapely.dwithin(b.state_km, pts[near], tolerance_km)
    return out


def _township_positions(pcodes) -> np.ndarray:
    """Each P-code's index in :func:`boundaries` (-1: not a township), looked up by polars."""
    import polars as pl

    codes = [t["admin3_pcode"] for t in boundaries().townships]  # 18 townships: a small reference
    return (pl.Series("p", pcodes, dtype=pl.String, strict=False)
            .replace_strict(codes, list(range(len(codes))), default=-1, return_dtype=pl.Int64).to_numpy())


def distance_to_township_km(lats, lons, pcodes) -> np.ndarray:
    """Distance (km) from each point to the polygon of the given township (0 inside; NaN: unknown code).

    Examples
    --------
    >>> distance_to_township_km([24.25493, 24.25493], [97.23441, 97.23441], ["MMR001010", "MMR001099"])
    array([ 0., nan])
    """

    b = boundaries()
    pts, ok = _points_km(lats, lons)
    out = np.full(len(pts), np.nan)
    pos = _township_positions(pcodes)
    have = (pos >= 0) & ok
    if have.any():
        out[have] = _distances(b.polygons_km[pos[have]], pts[have])
    return out


def _distances(polygons, points) -> np.ndarray:
    """Distance from each point to its polygon: 0 inside (a prepared test), else measured."""
    import shapely

    out = np.zeros(len(points))
    outside = ~shapely.intersects(polygons, points)
    if outside.any():
        out[outside] = shapely.distance(polygons[outside], points[outside])
    return out


def township_names(pcodes) -> np.ndarray:
    """The MIMU name of each township P-code (None for a code that is not a township)."""
    names = np.array([t["admin3_name"] for t in boundaries().townships] + [None], dtype=object)
    return names[_township_positions(pcodes)]


def locate_points(lats, lons, tolerance_km: float = 0.0) -> list[dict | None]:
    """:func:`locate` for many points at once: a list of dicts (None outside Kachin).

    Examples
    --------
    >>> [p and p["admin3_name"] for p in locate_points([24.25493, 16.8], [97.23441, 96.15])]
    ['Bhamo', None]
    """
    idx = township_index(lats, lons, tolerance_km)
    cols = _columns(idx)
    return [None if i < 0 else {c: cols[c][n] for c in COLUMNS} for n, i in enumerate(idx)]


def locate(lat: float, lon: float, tolerance_km: float = 0.0) -> dict | None:
    """The state, district and township P-codes (and names) of a point, or None outside Kachin.

    Parameters
    ----------
    lat, lon : float
        WGS84 degrees.
    tolerance_km : float
        Also place a point this close (km) outside a township in it (0 = strictly
        inside or on the border; :data:`TOLERANCE_KM` is what the rules use).

    Returns
    -------
    dict or None
        ``admin1_pcode``, ``admin2_pcode``, ``admin3_pcode``, ``admin2_name`` and
        ``admin3_name``.

    Examples
    --------
    >>> p = locate(24.25493, 97.23441)   # Bhamo Town
    >>> p["admin1_pcode"], p["admin2_pcode"], p["admin3_pcode"], p["admin3_name"]
    ('MMR001', 'MMR001D003', 'MMR001010', 'Bhamo')
    """
    from .extras import require

    require("kachin_events.locate()")
    return locate_points([lat], [lon], tolerance_km)[0]


def locate_frame(frame, lat: str = "latitude", lon: str = "longitude", tolerance_km: float = 0.0):
    """The P-codes of each row's point, as a new frame of :data:`COLUMNS` (nulls outside Kachin).

    ``frame`` is a polars or pandas DataFrame; the result is of the same kind, with one
    row per input row, in order.

    Examples
    --------
    >>> import polars as pl
    >>> df = pl.DataFrame({"latitude": [24.25493, 16.8], "longitude": [97.23441, 96.15]})
    >>> locate_frame(df)["admin3_pcode"].to_list()
    ['MMR001010', None]
    """
    lats = np.asarray(frame[lat], dtype="float64")
    lons = np.asarray(frame[lon], dtype="float64")
    cols = _columns(township_index(lats, lons, tolerance_km))
    if type(frame).__module__.startswith("pandas"):
        import pandas as pd

        return pd.DataFrame(cols, index=frame.index)
    import polars as pl

    return pl.DataFrame({c: pl.Series(c, v.tolist(), dtype=pl.String) for c, v in cols.items()})


# -- the checks of the rules coords-in-kachin, coords-in-township, coords-township-border ------
# (registered in kachin_events.rules; they take the events frame and the validation context)


def _polars():
    import polars as pl

    return pl


def _border_km() -> float:
    from .rules import BORDER_WARNING_KM

    return BORDER_WARNING_KM


def _on_distinct(df, cols: list, compute) -> np.ndarray:
    """``compute`` (a frame of ``cols`` -> an array) run once per distinct row, spread back to every row.

    Events cluster on a few thousand places: testing each distinct point once is what
    keeps a million rows cheap.
    """
    pl = _polars()

    keys = df.select(cols)
    uniq = keys.unique(maintain_order=True)
    if uniq.height == keys.height:
        return compute(keys)
    values = uniq.with_columns(pl.Series("__v", compute(uniq)))
    return keys.join(values, on=cols, how="left", nulls_equal=True, maintain_order="left")["__v"].to_numpy()


def check_in_state(df, ctx):
    """Rule ``coords-in-kachin``: True where the point is in the state (or a coordinate is missing)."""
    pl = _polars()

    def inside(points):
        return in_state(points["latitude"].cast(pl.Float64).to_numpy(),
                        points["longitude"].cast(pl.Float64).to_numpy(), TOLERANCE_KM)

    lat, lon = df["latitude"], df["longitude"]
    ok = _on_distinct(df, ["latitude", "longitude"], inside)
    return pl.Series("ok", ok, dtype=pl.Boolean) | lat.is_null() | lon.is_null()


def _township_distance(df):
    """km from each point to its stated township's polygon (NaN when either is missing).

    :func:`distance_to_township_km` for the rules' typed frames, once per distinct point.
    """
    pl = _polars()

    def distance(points):
        return distance_to_township_km(points["latitude"].cast(pl.Float64).to_numpy(),
                                       points["longitude"].cast(pl.Float64).to_numpy(), points["admin3_pcode"])

    return _on_distinct(df, ["latitude", "longitude", "admin3_pcode"], distance)


def check_in_township(df, ctx):
    """Rule ``coords-in-township``: False where the point lies more than BORDER_WARNING_KM outside its township."""
    pl = _polars()
    dist = _township_distance(df)
    # A point outside Kachin is coords-in-kachin's finding alone: one cause, one finding.
    outside = ~check_in_state(df, ctx).to_numpy()
    return pl.Series("ok", ~(dist > _border_km()) | outside, dtype=pl.Boolean)


def check_township_border(df, ctx):
    """Rule ``coords-township-border``: False where the point is just outside its township."""
    pl = _polars()

    dist = _township_distance(df)
    return pl.Series("ok", ~((dist > TOLERANCE_KM) & (dist <= _border_km())), dtype=pl.Boolean)


def township_detail(df, ctx):
    """Which township the point is in, and how far it is from the stated one."""
    pl = _polars()

    towns = boundaries().townships
    index = list(range(len(towns)))
    names = [t["admin3_name"] for t in towns]
    codes = [t["admin3_pcode"] for t in towns]
    dist = pl.Series("d", _township_distance(df)).round(1).cast(pl.String)
    there = pl.Series("i", _on_distinct(df, ["latitude", "longitude"], lambda points: township_index(
        points["latitude"].cast(pl.Float64).to_numpy(), points["longitude"].cast(pl.Float64).to_numpy())))
    stated = df["admin3_pcode"].cast(pl.String).replace_strict(codes, names, default=None, return_dtype=pl.String)
    frame = pl.DataFrame({"d": dist, "s": stated, "a3": df["admin3_pcode"],
                          "in": there.replace_strict(index, names, default=None, return_dtype=pl.String),
                          "inp": there.replace_strict(index, codes, default=None, return_dtype=pl.String)})
    where = (pl.when(pl.col("in").is_null()).then(pl.lit("the point is in no township of Kachin"))
             .otherwise(pl.lit("the point is in ") + pl.col("in") + " (" + pl.col("inp") + ")"))
    text = frame.select(where + ", " + pl.col("d") + " km from the stated township "
                        + pl.col("s").fill_null("?") + " (" + pl.col("a3") + ")")
    return text.to_series().alias("detail")
