"""Exports of a release in other layouts, one module each.

* :mod:`~kachin_events.exports.acled`: ACLED's 31-column CSV;
* :mod:`~kachin_events.exports.geojson`: GeoJSON points;
* :mod:`~kachin_events.exports.deletions`: the retired event ids (ACLED's deletions feed).
"""

from __future__ import annotations

from .acled import (
    ACLED_COLUMNS,
    ACLED_DIFFERENCES,
    acled_csv,
    acled_rows,
    acled_schema,
    event_date,
    interaction,
    render_tag,
)
from .deletions import DELETIONS_OMIT, deletions_csv, deletions_schema
from .geojson import events_geojson

__all__ = [
    "ACLED_COLUMNS", "ACLED_DIFFERENCES", "DELETIONS_OMIT", "acled_csv", "acled_rows", "acled_schema",
    "deletions_csv", "deletions_schema", "event_date", "events_geojson", "interaction", "render_tag",
]
