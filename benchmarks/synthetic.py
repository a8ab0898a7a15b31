"""Synthetic, valid event submissions for the benchmarks (shared by both scripts).

The rows follow the approach of ``tests/test_properties.py`` (valid by construction
against the repository's reference tables), drawn with :class:`random.Random` from a
fixed seed instead of hypothesis, so that the same arguments always give the same
bytes:

* ids ``KE<prefix><5 digits>`` (``KE9xxxxx`` for the validation benchmark,
  ``KE8xxxxx`` for the release benchmark), so they never meet the repository's own;
* every event cites the source ``kng-2026-02-four-fronts`` and ends on or before that
  source's latest possible publication date (read from the sources table);
* the date span fits the date precision (``rules.PRECISION_MIN_SPAN``/``MAX_SPAN``);
* places are active MIMU towns of ``data/locations.csv`` whose township and district
  are active and consistent, with the town's own admin codes and coordinates;
* actors come from ``data/actors.csv`` (actor1 != actor2), sub-event types from the
  events schema's categories;
* event_sources: one ``outlet`` claimant per event from the claimant registry, and for
  some events a second, the registry's ``party_spokesperson`` of actor1 where it has one.

:func:`event_row` draws one event at a time, for scripts that stream large files
(``bench_scale.py``, through ``inject_files.py``). Nothing here is timed.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import random
from dataclasses import dataclass
from pathlib import Path

from kachin_events import get_schema
from kachin_events.rules import PRECISION_MAX_SPAN, PRECISION_MIN_SPAN
from kachin_events.tables import read_tables

REPO = Path(__file__).resolve().parents[1]
#: The reference package the synthetic rows are checked against.
PACKAGE = REPO / "datapackage.json"
SOURCE = "kng-2026-02-four-fronts"
SEED = 20260210
#: How far back (days) from the source's latest publication date events may end.
DATE_WINDOW_DAYS = 5 * 365
#: Share of events with a second (party spokesperson) claimant.
SECOND_CLAIMANT = 0.2
#: The largest number of events one id prefix can hold (KE<prefix>00000-KE<prefix>99999).
MAX_EVENTS = 100_000

_WORDS = ("junta troops KIA resistance forces attacked advanced withdrew shelled village road base "
          "checkpoint outpost convoy drone air strike artillery fighting clash residents fled report "
          "spokesperson said according to local sources near the town township bridge camp").split()


@dataclass(frozen=True)
class Reference:
    """What valid rows may draw from, read once from the reference package."""

    source_latest: dt.date
    actors: tuple[str, ...]
    towns: tuple[tuple, ...]  # (admin1, admin2, admin3, location_pcode, name, lat, lon)
    sub_types: tuple[tuple[str, str], ...]  # (event_type, sub_event_type)
    precisions: tuple[str, ...]
    outlet: dict  # the registry's outlet claimant
    spokespeople: dict  # actor_id -> the registry's party spokesperson for it


def load_reference(package: Path = PACKAGE) -> Reference:
    tables = read_tables(package)
    src = tables["sources"].filter(tables["sources"]["source_id"] == SOURCE)
    if src.height != 1:
        raise SystemExit(f"the reference package has no source {SOURCE!r}; the benchmark cannot build valid rows")
    locs = tables["locations"]
    level = dict(zip(locs["location_pcode"].to_list(), locs["level"].to_list()))
    status = dict(zip(locs["location_pcode"].to_list(), locs["status"].to_list()))
    district_of = dict(zip(locs["location_pcode"].to_list(), locs["admin2_pcode"].to_list()))
    towns = []
    for row in locs.sort("location_pcode").iter_rows(named=True):
        if row["level"] != "town" or row["status"] != "active" or not str(row["source"] or "").startswith("MIMU"):
            continue
        a2, a3 = row["admin2_pcode"], row["admin3_pcode"]
        # Consistent admin codes: an active township of an active district, the town's own.
        if (level.get(a3) != "township" or level.get(a2) != "district" or district_of.get(a3) != a2
                or status.get(a3) != "active" or status.get(a2) != "active"
                or row["latitude"] is None or row["longitude"] is None):
            continue
        towns.append((row["admin1_pcode"], a2, a3, row["location_pcode"], row["name"],
                      row["latitude"], row["longitude"]))
    if not towns:
        raise SystemExit("no active MIMU town with consistent admin codes in data/locations.csv")
    events = get_schema("events")
    return Reference(
        source_latest=src["publication_date_latest"][0],
        actors=tuple(sorted(tables["actors"]["actor_id"].to_list())),
        towns=tuple(towns),
        sub_types=tuple((c["event_type"], c["value"]) for c in events.field("sub_event_type").categories),
        precisions=tuple(events.field("date_precision").enum),
        outlet=_registry_claimant(tables["claimants"], "outlet"),
        spokespeople={r["actor_id"]: r for r in tables["claimants"].filter(
            tables["claimants"]["claimant_type"] == "party_spokesperson").iter_rows(named=True)},
    )


def _registry_claimant(claimants, claimant_type: str) -> dict:
    rows = claimants.filter(claimants["claimant_type"] == claimant_type).sort("claimant_id")
    if rows.height == 0:
        raise SystemExit(f"the claimant registry has no {claimant_type} claimant; the benchmark cannot build claims")
    return rows.row(0, named=True)


def _notes(rng: random.Random) -> str:
    words = rng.choices(_WORDS, k=rng.randint(8, 24))
    text = " ".join(words).capitalize() + "."
    # Some cells that need CSV quoting, as real notes do.
    r = rng.random()
    if r < 0.15:
        text = text.replace(" ", ", ", 1)
    elif r < 0.2:
        text += ' The report says "about" this.'
    elif r < 0.22:
        text += "\nA second line."
    return text


def event_rows(n: int, ref: Reference, prefix: int = 9, seed: int = SEED) -> tuple[list[dict], list[dict]]:
    """``n`` valid events and their event_sources rows, the same for the same arguments."""
    if not 0 < n <= MAX_EVENTS:
        raise SystemExit(f"the number of events must be between 1 and {MAX_EVENTS} (ids KE{prefix}xxxxx)")
    rng = random.Random(f"{seed}-{prefix}-{n}")
    events, links = [], []
    for k in range(n):
        event, claims = event_row(rng, ref, f"KE{prefix}{k:05d}")
        events.append(event)
        links += claims
    return events, links


def event_row(rng: random.Random, ref: Reference, event_id: str, latest: dt.date | None = None) -> tuple[dict, list[dict]]:
    """One valid event drawn from ``rng``, and its event_sources rows.

    The event ends on or before ``latest`` (default: the source's latest publication
    date) and at most :data:`DATE_WINDOW_DAYS` before it.
    """
    latest = latest or ref.source_latest
    earliest = latest - dt.timedelta(days=DATE_WINDOW_DAYS)
    window = (latest - earliest).days
    precision = rng.choice(ref.precisions)
    span = rng.randint(PRECISION_MIN_SPAN[precision], PRECISION_MAX_SPAN[precision])
    end = earliest + dt.timedelta(days=rng.randint(span, window))
    start = end - dt.timedelta(days=span)
    event_type, sub = rng.choice(ref.sub_types)
    actor1, actor2 = rng.sample(ref.actors, 2)
    a1, a2, a3, pcode, name, lat, lon = rng.choice(ref.towns)
    fat = sorted(rng.randint(0, 500) for _ in range(3)) if rng.random() < 0.6 else None
    event = {
        "event_id": event_id, "date_start": start.isoformat(), "date_end": end.isoformat(),
        "date_precision": precision, "event_type": event_type, "sub_event_type": sub,
        "actor1": actor1, "actor2": actor2 if rng.random() < 0.8 else "",
        "admin1_pcode": a1, "admin2_pcode": a2, "admin3_pcode": a3,
        "location": name, "location_pcode": pcode, "latitude": f"{lat:.5f}", "longitude": f"{lon:.5f}",
        "geo_precision": str(rng.choice((1, 2, 3))),
        "fatalities_best": "" if fat is None else str(fat[1]),
        "fatalities_low": "" if fat is None else str(fat[0]),
        "fatalities_high": "" if fat is None else str(fat[2]),
        "civilian_targeting": rng.choice(("true", "false", "")),
        "event_clarity": str(rng.choice((1, 2))),
        "notes": _notes(rng),
    }
    claims = [_claim(event_id, ref.outlet)]
    # Claimants come from the registry: a party spokesperson only where actor1 has one.
    if rng.random() < SECOND_CLAIMANT and actor1 in ref.spokespeople:
        claims.append(_claim(event_id, ref.spokespeople[actor1]))
    return event, claims


def _claim(event_id: str, claimant: dict) -> dict:
    return {"event_id": event_id, "source_id": SOURCE, "claimant": claimant["name"],
            "claimant_type": claimant["claimant_type"], "claimant_actor_id": claimant["actor_id"] or "",
            "claimant_id": claimant["claimant_id"]}


def write_csv(path: Path, table: str, rows: list[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, get_schema(table).field_names, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)


def write_submission(folder: Path, events: list[dict], links: list[dict]) -> list[Path]:
    """Write ``events.csv`` and ``event_sources.csv`` into ``folder``; return their paths."""
    paths = [folder / "events.csv", folder / "event_sources.csv"]
    write_csv(paths[0], "events", events)
    write_csv(paths[1], "event_sources", links)
    return paths


def sha256_files(paths) -> str:
    """One SHA-256 over the files' bytes, so a run records exactly which data it timed."""
    h = hashlib.sha256()
    for p in paths:
        h.update(Path(p).read_bytes())
    return h.hexdigest()


def machine() -> dict:
    """The facts a reader needs to compare runs: interpreter, library versions, CPUs."""
    import os
    import platform
    import sys

    import frictionless
    import pandera
    import polars

    import kachin_events

    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        usable = os.cpu_count()
    return {
        "python": sys.version.split()[0],
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "machine": platform.machine(),
        "cpu_count": os.cpu_count(),
        "cpu_usable": usable,
        "polars": polars.__version__,
        "polars_threads": polars.thread_pool_size(),
        "pandera": pandera.__version__,
        "frictionless": frictionless.__version__,
        "kachin_events": getattr(kachin_events, "__version__", None),
    }


def parse_sizes(text: str, option: str = "--rows") -> list[int]:
    """Sizes given on the command line as "1000,10000": sorted, unique, in range."""
    import argparse

    try:
        sizes = sorted({int(x) for x in text.split(",") if x.strip()})
    except ValueError:
        raise argparse.ArgumentTypeError(f"{option} takes whole numbers separated by commas, not {text!r}") from None
    if not sizes or sizes[0] < 1 or sizes[-1] > MAX_EVENTS:
        raise argparse.ArgumentTypeError(f"each size must be between 1 and {MAX_EVENTS}")
    return sizes
