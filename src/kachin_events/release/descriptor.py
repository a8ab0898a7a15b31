"""A release's ``datapackage.json``: every file of the release, with its size and hash.

Every resource has ``bytes`` and ``hash`` (``sha256:<hex>``), so that
``frictionless validate DIR/X.Y.Z/datapackage.json`` checks every file:

* the CSV tables (named ``<table>``), the ACLED and UCDP exports (``acled-export``,
  ``ucdp-export``), the HXL export (``events-hxl``, whose hashtag row is its dialect's
  comment row) and the deletions list (``deletions``) are ``"type": "table"`` with their
  Table Schema inline, so frictionless also checks every cell, the keys and the foreign
  keys; each export's ``description`` says what it is, the options it was written with
  and where it differs from the tables (generated from :mod:`kachin_events.exports`);
* the GeoJSON export (``events-geojson``) has no ``type``, which Data Package v2 defines
  as a non-specific file: frictionless checks its bytes and hash;
* the Parquet files (``<table>-parquet``) are ``"type": "file"``, with the table's
  schema inline for readers. frictionless 5.21 opens any resource with format parquet
  (declared or guessed from the ``.parquet`` name) as a table unless its type says
  otherwise, and then cannot check a declared ``bytes``/``hash`` (it reads the file with
  pyarrow, not through its byte stream, and reports "actual is None"); it also reads
  empty integer cells as NaN. Declared as files, their bytes and hash are checked.
  ``"file"`` is frictionless' own resource type: the v2 profile itself only defines
  ``"table"``, so a validator applying that JSON Schema strictly would flag these four
  words. Their rows and values are checked by :func:`kachin_events.verify_release`
  instead: the same rows and values as the CSV files, the Arrow types, and the hashes.

The descriptor's ``version`` is the release's: it is how a CSV reader knows which
release a file belongs to (the Parquet files carry it in their own metadata).
"""

from __future__ import annotations

import datetime as dt
import hashlib

from ..exports import (
    HXL_DIALECT,
    RELEASE_OPTIONS,
    acled_description,
    acled_omitted,
    acled_schema,
    deletions_schema,
    hxl_description,
    hxl_schema,
    ucdp_description,
    ucdp_schema,
)
from ..flat import flat_descriptor
from ..schema import TABLES
from ..tablefiles import inline_schema
from .layout import EXPORT_FILES, csv_path, parquet_path, parquet_resource

#: What the flat view's resource is, for its description in a release.
FLAT_DESCRIPTION = ("The events with their actors' names and types, township and district names, one "
                    "representative date beside the range and its precision, the claimants, and the tags as "
                    "columns: made from the tables of this release by kachin_events.flat_events; each column's "
                    "derivedFrom names the fields it is made from.")
DP_V2 = "https://datapackage.org/profiles/2.0/datapackage.json"
PARQUET_MEDIATYPE = "application/vnd.apache.parquet"
#: Package properties carried over from the source datapackage.json, in this order.
CARRIED = ("title", "homepage", "licenses", "sources", "contributors", "keywords")
_CSV = {"format": "csv", "mediatype": "text/csv", "encoding": "utf-8"}


def created_text(created: dt.datetime) -> str:
    """A release's ``created`` as its descriptor writes it (UTC, whole seconds).

    Examples
    --------
    >>> created_text(dt.datetime(2026, 2, 10, tzinfo=dt.timezone.utc))
    '2026-02-10T00:00:00Z'
    """
    return created.strftime("%Y-%m-%dT%H:%M:%SZ")


def _description(source: dict, version: str) -> str:
    first = source.get("description", "").split(". ")[0].rstrip(".")
    lead = f"{first}. " if first else ""
    return (f"{lead}Release {version}: every table as CSV and as Parquet, the events in ACLED's and UCDP GED's "
            "layouts, with HXL hashtags and as GeoJSON, a flat view of the events (one row per event, names "
            "joined in), and the list of retired event ids, with their schemas, "
            "sizes and SHA-256 hashes.")


def _table_resources(source: dict, stats) -> list[dict]:
    titles = {r.get("name"): r.get("title") for r in source.get("resources", []) if isinstance(r, dict)}
    out = []
    for t in TABLES:
        path = csv_path(t)
        out.append({"name": t, "title": titles.get(t) or t, "type": "table", "path": path, **_CSV,
                    **stats(path), "schema": inline_schema(t)})
    for t in TABLES:
        path = parquet_path(t)
        out.append({
            "name": parquet_resource(t), "title": f"{titles.get(t) or t} (Parquet)",
            "description": f"The rows of the {t} resource, typed, in Parquet. Declared as a file so that "
                           "frictionless checks its bytes and hash; its rows are checked against the CSV "
                           "by kachin_events.verify_release.",
            "type": "file", "path": path, "format": "parquet", "mediatype": PARQUET_MEDIATYPE, **stats(path),
            "schema": inline_schema(t)})
    return out


def _export_resources(tables: dict, stats) -> list[dict]:
    omitted = acled_omitted(tables, long_ranges=RELEASE_OPTIONS["long_ranges"], in_acled=RELEASE_OPTIONS["in_acled"])
    files = EXPORT_FILES
    flat_schema = flat_descriptor()

    def table(name, title, description, schema, **extra):
        return {"name": name, "title": title, "type": "table", **({"description": description} if description else {}),
                "path": files[name], **_CSV, **stats(files[name]), **extra, "schema": schema}

    return [
        table("acled-export", "Events in ACLED's export layout", acled_description(omitted, **RELEASE_OPTIONS),
              acled_schema(RELEASE_OPTIONS["inter"])),
        table("ucdp-export", "Events in UCDP GED's layout", ucdp_description(), ucdp_schema()),
        table("events-hxl", "Events with HXL hashtags", hxl_description(), hxl_schema(), dialect=dict(HXL_DIALECT)),
        {"name": "events-geojson", "title": "Events as GeoJSON points", "path": files["events-geojson"],
         "format": "geojson", "mediatype": "application/geo+json", "encoding": "utf-8",
         **stats(files["events-geojson"])},
        table("deletions", "Retired event ids (deletions)", None, deletions_schema()),
        table("events-flat", "Events, flat (one row per event, names joined in)", FLAT_DESCRIPTION, flat_schema),
        {"name": "events-flat-parquet", "title": "Events, flat (Parquet)",
         "description": "The rows of the events-flat resource, typed, in Parquet. Declared as a file so that "
                        "frictionless checks its bytes and hash.",
         "type": "file", "path": files["events-flat-parquet"], "format": "parquet", "mediatype": PARQUET_MEDIATYPE,
         **stats(files["events-flat-parquet"]), "schema": flat_schema},
    ]


def release_descriptor(source: dict, version: str, created: dt.datetime, files: dict[str, bytes],
                       tables: dict) -> dict:
    """The ``datapackage.json`` of a release.

    Parameters
    ----------
    source : dict
        The source package's descriptor (its title, licences, sources ... are carried over).
    version : str
        The release's version.
    created : datetime.datetime
        When the release is dated (:func:`kachin_events.release.build.release_created`).
    files : dict of str to bytes
        Every data file of the release by its path (the CSV, Parquet and export files).
    tables : dict of str to polars.DataFrame
        The typed tables (for the ACLED export's description of what it leaves out).

    Returns
    -------
    dict
        The descriptor, keys in a fixed order.
    """
    def stats(path):
        return {"bytes": len(files[path]), "hash": f"sha256:{hashlib.sha256(files[path]).hexdigest()}"}

    desc = {"$schema": DP_V2, "name": source.get("name", "kachin-events")}
    desc["title"] = source.get("title", "kachin-events")
    desc["description"] = _description(source, version)
    desc["version"] = version
    desc["created"] = created_text(created)
    for key in CARRIED[1:]:
        if key in source:
            desc[key] = source[key]
    desc["resources"] = _table_resources(source, stats) + _export_resources(tables, stats)
    return desc
