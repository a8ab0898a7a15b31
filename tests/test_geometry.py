"""Where a point is: MIMU's township and state polygons (kachin_events.geometry)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from kachin_events import geometry
from kachin_events.tables import read_tables


@pytest.fixture(scope="module")
def tables():
    return read_tables()


def test_there_are_18_townships_in_4_districts():
    b = geometry.boundaries()
    assert len(b.townships) == 18
    assert len({t["admin2_pcode"] for t in b.townships}) == 4
    assert {t["admin1_pcode"] for t in b.townships} == {"MMR001"}


def test_every_active_town_point_lies_in_its_township(tables):
    locs = tables["locations"]
    towns = locs.filter((locs["level"] == "town") & locs["latitude"].is_not_null() & (locs["status"] == "active"))
    assert towns.height > 10
    dist = geometry.distance_to_township_km(towns["latitude"].to_numpy(), towns["longitude"].to_numpy(),
                                            towns["admin3_pcode"].to_numpy())
    far = [(n, d) for n, d in zip(towns["name"].to_list(), dist) if not d <= geometry.TOLERANCE_KM]
    assert not far


def test_every_event_point_lies_in_its_township(tables):
    ev = tables["events"].filter(tables["events"]["admin3_pcode"].is_not_null())
    found = geometry.locate_frame(ev)
    assert found["admin3_pcode"].to_list() == ev["admin3_pcode"].to_list()
    assert found["admin2_pcode"].to_list() == ev["admin2_pcode"].to_list()


@pytest.mark.parametrize(("lat", "lon", "township"), [
    (24.25493, 97.23441, "MMR001010"),   # Bhamo Town
    (25.38749, 97.39036, "MMR001001"),   # Myitkyina Town
    (25.38749, 97.32, "MMR001001"),      # west of the Ayeyarwady, still Myitkyina
])
def test_locate_known_points(lat, lon, township):
    assert geometry.locate(lat, lon)["admin3_pcode"] == township


@pytest.mark.parametrize(("lat", "lon"), [(16.8, 96.15), (21.97, 96.08), (24.0, 96.0), (math.nan, 97.0)])
def test_points_outside_kachin_or_missing_give_none(lat, lon):
    assert geometry.locate(lat, lon) is None
    assert not geometry.in_state([lat], [lon])[0]


def test_tolerance_places_a_point_just_outside():
    # 2.4 km west of Waingmaw's border, in Myitkyina: nearest township within 5 km is Myitkyina itself.
    d = geometry.distance_to_township_km([25.38749], [97.32], ["MMR001002"])[0]
    assert 2.0 < d < 3.0
    # A point just outside the state's edge is placed only with a tolerance.
    b = geometry.boundaries()
    lon_min = b.state.bounds[0]
    lat_at = b.state.exterior.coords[int(np.argmin([c[0] for c in b.state.exterior.coords]))][1]
    assert geometry.locate(lat_at, lon_min - 0.002) is None
    assert geometry.locate(lat_at, lon_min - 0.002, tolerance_km=0.5) is not None


def test_locate_frame_for_polars_and_pandas_keeps_rows_in_order():
    import pandas as pd
    import polars as pl

    data = {"latitude": [16.8, 24.25493, None], "longitude": [96.15, 97.23441, 97.0]}
    out = geometry.locate_frame(pl.DataFrame(data))
    assert out["admin3_pcode"].to_list() == [None, "MMR001010", None]
    frame = pd.DataFrame(data, index=[7, 8, 9])
    out = geometry.locate_frame(frame)
    assert list(out.index) == [7, 8, 9] and out.loc[8, "admin3_name"] == "Bhamo"
    assert pd.isna(out.loc[7, "admin3_pcode"])


def test_the_boundaries_are_read_from_the_bundled_copy(monkeypatch, tmp_path):
    """The installed package reads _paths.boundaries_dir(), never ../shared."""
    import shutil

    from kachin_events import _paths

    folder = tmp_path / "mimu"
    folder.mkdir()
    for name in ("kachin_townships.geojson", "kachin_state.geojson"):
        shutil.copy(_paths.boundaries_dir() / name, folder / name)
    monkeypatch.setattr(_paths, "boundaries_dir", lambda: folder)
    geometry.boundaries.cache_clear()
    try:
        assert geometry.locate(24.25493, 97.23441)["admin3_name"] == "Bhamo"
    finally:
        geometry.boundaries.cache_clear()
