"""Exports of a release in other layouts, one module each.

* :mod:`~kachin_events.exports.acled`: ACLED's 31-column CSV;
* :mod:`~kachin_events.exports.ucdp`: the columns of UCDP's GED that our data can fill;
* :mod:`~kachin_events.exports.hxl`: the events with a row of HXL hashtags;
* :mod:`~kachin_events.exports.geojson`: GeoJSON points;
* :mod:`~kachin_events.exports.deletions`: the retired event ids (ACLED's deletions feed);
* :mod:`~kachin_events.exports.safe`: escaping the text cells a spreadsheet would run as
  formulas, which every export above applies;
* :mod:`~kachin_events.exports.write`: any of them written from a data package to a file.

Every function that makes an export is pure: tables in, bytes out.
"""

from __future__ import annotations

from .acled import (
    ACLED_COLUMNS,
    ACLED_DIFFERENCES,
    OPTION_CHOICES,
    RELEASE_OPTIONS,
    acled_columns,
    acled_csv,
    acled_description,
    acled_omitted,
    acled_rows,
    acled_schema,
    event_date,
    interaction,
    interaction_text,
    render_tag,
)
from .deletions import DELETIONS_OMIT, deletions_csv, deletions_schema
from .geojson import events_geojson
from .hxl import HXL_DIALECT, HXL_TAGS, hxl_columns, hxl_csv, hxl_description, hxl_schema
from .safe import spreadsheet_safe
from .ucdp import UCDP_COLUMNS, UCDP_DIFFERENCES, UCDP_SOURCES, ucdp_csv, ucdp_description, ucdp_rows, ucdp_schema
from .write import EXPORTS, export_bytes, write_export

__all__ = [
    "ACLED_COLUMNS", "ACLED_DIFFERENCES", "DELETIONS_OMIT", "EXPORTS", "HXL_DIALECT", "HXL_TAGS", "OPTION_CHOICES",
    "RELEASE_OPTIONS", "UCDP_COLUMNS", "UCDP_DIFFERENCES", "UCDP_SOURCES", "acled_columns", "acled_csv",
    "acled_description", "acled_omitted", "acled_rows", "acled_schema", "deletions_csv", "deletions_schema",
    "event_date", "events_geojson", "export_bytes", "hxl_columns", "hxl_csv", "hxl_description", "hxl_schema",
    "interaction", "interaction_text", "render_tag", "spreadsheet_safe", "ucdp_csv", "ucdp_description",
    "ucdp_rows", "ucdp_schema", "write_export",
]
