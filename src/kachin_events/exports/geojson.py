"""The GeoJSON export: one Point feature per event, with every events column as a
property and the actors' names added."""

from __future__ import annotations

import datetime as dt
import json

from ..schema import get_schema
from .safe import safe_json


def _json_value(value):
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def events_geojson(tables: dict) -> bytes:
    """The events as a GeoJSON FeatureCollection of points, as UTF-8 bytes.

    Each feature's ``id`` is the event id and its geometry the event's point
    ``[longitude, latitude]``; its properties are every column of the events table
    (dates as ISO text, empty cells as null) plus ``actor1_name`` and ``actor2_name``.
    Keys are sorted and features are in event_id order, so the bytes are reproducible.
    GIS tools turn properties into spreadsheet columns, so a string property a
    spreadsheet would run as a formula is written with ``'`` in front
    (:mod:`kachin_events.exports.safe`).

    Examples
    --------
    >>> from kachin_events.tables import read_tables
    >>> doc = json.loads(events_geojson(read_tables()))
    >>> doc["type"], doc["features"][0]["geometry"]
    ('FeatureCollection', {'coordinates': [97.23441, 24.25493], 'type': 'Point'})
    """
    names = {r["actor_id"]: r["name"] for r in tables["actors"].iter_rows(named=True)}
    fields = get_schema("events").field_names
    features = []
    for ev in tables["events"].sort("event_id").iter_rows(named=True):
        props = {f: _json_value(ev[f]) for f in fields}
        props["actor1_name"] = names.get(ev["actor1"])
        props["actor2_name"] = names.get(ev["actor2"]) if ev["actor2"] else None
        features.append({
            "type": "Feature",
            "id": ev["event_id"],
            "geometry": {"type": "Point", "coordinates": [ev["longitude"], ev["latitude"]]},
            "properties": safe_json(props),
        })
    doc = {"type": "FeatureCollection", "features": features}
    return (json.dumps(doc, sort_keys=True, ensure_ascii=False, indent=1, allow_nan=False) + "\n").encode("utf-8")
