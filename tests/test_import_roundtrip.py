"""Round trips: our ACLED-layout export through ``import-acled``, and our UCDP-layout export
through ``import-ucdp``, give back the fields both layouts share, unchanged.

What each layout cannot carry is not compared: the ACLED layout has one date (so only
events known to the day keep their exact dates; the others come back as a range that
holds the original and has the same ACLED time_precision), no event_clarity and one
fatalities figure; the UCDP layout has no event type (type_of_violence is mapped back by
rule) and puts the state first in state-based violence (so the actors come back as a pair).
"""

from __future__ import annotations

import datetime as dt
import importlib.util

import pytest

from kachin_events.crosswalk.acled import time_precision_codes
from kachin_events.importers import import_acled, import_ucdp
from kachin_events.tables import read_tables

TODAY = dt.date(2026, 11, 22)
PLACE = ("location", "latitude", "longitude", "admin1_pcode", "admin2_pcode", "admin3_pcode", "location_pcode",
         "geo_precision")


def _text(value):
    return value.isoformat() if isinstance(value, dt.date) else value


def _originals(result) -> dict[str, tuple[dict, dict]]:
    """external id (our own event id, as the export writes it) -> (original, imported) events."""
    ours = {e["event_id"]: e for e in read_tables()["events"].to_dicts()}
    links = {e["event_id"]: e["external_id"] for e in result.tables["external_events"]}
    return {links[e["event_id"]]: (ours[links[e["event_id"]]], e) for e in result.tables["events"]}


def _assoc(actors_rows, event_id):
    return sorted((a["actor_id"], a["side"]) for a in actors_rows if a["event_id"] == event_id)


def test_our_acled_export_comes_back(tmp_path):
    from kachin_events.exports import acled_csv

    tables = read_tables()
    path = tmp_path / "acled.csv"
    path.write_bytes(acled_csv(tables, 1770681600))
    exported = [line.split(",", 1)[0] for line in path.read_text(encoding="utf-8").splitlines()[1:]]
    result = import_acled(path, today=TODAY)
    assert result.summary.balanced and not result.summary.unmapped
    pairs = _originals(result)
    assert sorted(pairs) == sorted(exported)
    codes = time_precision_codes()
    assoc = [dict(r) for r in tables["event_actors"].to_dicts()]
    for ext, (ours, back) in pairs.items():
        for f in (*PLACE, "event_type", "sub_event_type", "actor1", "actor2"):
            assert _text(ours[f]) == back[f], (ext, f)
        assert _assoc(assoc, ext) == _assoc(result.tables["event_actors"], back["event_id"]), ext
        assert codes[back["date_precision"]] == codes[ours["date_precision"]], ext
        if ours["date_precision"] == "day":
            assert (back["date_start"], back["date_end"]) == (_text(ours["date_start"]), _text(ours["date_end"])), ext
        else:  # ACLED's one date stands for a range that holds ours
            assert back["date_start"] <= _text(ours["date_start"]) and _text(ours["date_end"]) <= back["date_end"], ext
        if ours["fatalities_best"]:
            assert back["fatalities_best"] == ours["fatalities_best"], ext


@pytest.mark.skipif(importlib.util.find_spec("kachin_events.exports.ucdp") is None,
                    reason="kachin_events.exports.ucdp (the UCDP-layout export) is not written yet")
def test_our_ucdp_export_comes_back(tmp_path):
    from kachin_events import validate
    from kachin_events.exports.ucdp import ucdp_csv

    tables = read_tables()
    path = tmp_path / "ucdp.csv"
    path.write_bytes(ucdp_csv(tables))
    out = tmp_path / "back"
    result = import_ucdp(path, out, dataset="ged", dataset_version="kachin-events UCDP-layout export", today=TODAY)
    assert result.summary.balanced and not result.summary.unmapped
    pairs = _originals(result)
    assert sorted(pairs) == sorted(tables["events"]["event_id"].to_list())
    for ext, (ours, back) in pairs.items():
        shared = (*PLACE, "date_start", "date_end", "date_precision", "event_clarity", "fatalities_low",
                  "fatalities_best", "fatalities_high")
        for f in shared:
            assert _text(ours[f]) == back[f], (ext, f)
        assert {ours["actor1"], ours["actor2"]} == {back["actor1"], back["actor2"]}, ext
    report = validate(*sorted(out.glob("*.csv")), today=TODAY)
    assert report.valid, report.to_text()
