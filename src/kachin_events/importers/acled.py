"""``kachin-events import-acled``: an ACLED export (CSV or XLSX, current or older layout) as a submission.

ACLED's terms of use forbid redistributing its data. The submission is for the user's
own comparison and merging: every event carries an ``external_events`` link with
dataset ``acled`` and basis ``imported``, and ``kachin-events add`` refuses such events
(:func:`kachin_events.importers.provenance.acled_refusal`). The mapping of each column
is :mod:`kachin_events.crosswalk.acled`.
"""

from __future__ import annotations

import datetime as dt
import re

from ..crosswalk import acled as cw
from ..gazetteer import _norm
from ..schema import get_schema, sub_event_types
from .assemble import Origin, Outlet, Parsed, slug
from .common import Export, ImportInputError, ImportResult, read_export, require_columns
from .pipeline import Unmapped, code, count, prepare, run

PUBLISHER = "Armed Conflict Location & Event Data (ACLED)"
ROLE = ("ACLED, an independent organisation that collects data on political violence and protest worldwide; its "
        "datasets give one conservative death figure per event.")
NOTICE = ("ACLED's terms of use forbid redistributing its data: this submission is for your own comparison and "
          "merging. `kachin-events add` refuses events imported from ACLED; to record that an event of ours is an "
          "ACLED event, link it in external_events with basis 'matched'.")
_TAG = re.compile(r"(?P<tag>[a-z_]+)(?:=(?P<q>\d+)(?: \((?P<qual>[a-z_]+)\))?)?(?:: (?P<detail>.+))?")


def version_from_timestamps(export: Export) -> str | None:
    """'ACLED data as of YYYY-MM-DD' from the latest ``timestamp`` (seconds since 1970), if any."""
    stamps = [int(float(c["timestamp"])) for _, c in export.rows
              if c.get("timestamp") and re.fullmatch(r"\d{1,11}(\.0+)?", c["timestamp"])]
    if not stamps:
        return None
    try:
        day = dt.datetime.fromtimestamp(max(stamps), tz=dt.timezone.utc).date()
    except (OverflowError, OSError, ValueError):
        return None  # not a time this machine can hold: the version must then be given
    return f"ACLED data as of {day.isoformat()}"


def _dates(cells: dict, today: dt.date) -> tuple[dt.date, dt.date, str]:
    raw = cells.get("event_date")
    day = cw.parse_date(raw)
    if day is None:
        what = f"is {raw!r}, not a date" if raw else "is empty"
        msg = f"event_date {what} (ACLED writes 2021-01-02, 2021-01-02T00:00:00Z or 02 January 2021)"
        raise Unmapped("date", msg)
    precision = code(cells.get("time_precision"), "time_precision", sorted(set(cw.time_precision_codes().values())),
                     "date")
    if day > today:
        raise Unmapped("date-future", f"event_date {day} is after today ({today})")
    span = cw.date_range(day, precision)
    start, end = span[:2] if span else (day, day)
    end = min(end, today)  # the range around ACLED's day may run past today; the event cannot
    value = cw.date_precision_for(precision, (end - start).days) if span else None
    if value is None:
        raise Unmapped("date", f"event_date {day} with time_precision {precision} gives no date range we can hold")
    return start, end, value


def _types(cells: dict) -> tuple[str, str]:
    event_type, sub = cells.get("event_type"), cells.get("sub_event_type")
    parents = sub_event_types()
    if event_type not in get_schema("events").field("event_type").enum:
        raise Unmapped("event-type", f"event_type {event_type!r} is not one of ACLED's current event types")
    if parents.get(sub) != event_type:
        msg = f"sub_event_type {sub!r} is not a sub-event type of {event_type!r} in ACLED's taxonomy"
        raise Unmapped("event-type", msg)
    return event_type, sub


def _names(text: str | None) -> list[str]:
    out: list[str] = []
    for name in (text or "").split(";"):
        name = name.strip()
        if name and _norm(name) not in {_norm(n) for n in out}:
            out.append(name)
    return out


def _tags(text: str | None) -> tuple[list[dict], list[str]]:
    """Tags in our export's form become event_tags rows; the rest is returned as text."""
    schema = get_schema("event_tags")
    allowed, qualifiers = schema.field("tag").enum, schema.field("quantity_qualifier").enum
    rows, rest = [], []
    for part in (text or "").split(";"):
        part = part.strip()
        if not part:
            continue
        m = _TAG.fullmatch(part)
        ok = m and m["tag"] in allowed and (m["q"] is None) == (m["qual"] is None) and m["qual"] in (None, *qualifiers)
        if ok:
            rows.append({"tag": m["tag"], "detail": m["detail"] or "-", "quantity": int(m["q"]) if m["q"] else None,
                         "quantity_qualifier": m["qual"]})
        else:
            rest.append(part)
    return rows, rest


def _outlets(cells: dict, ext: str) -> list[Outlet]:
    scales = get_schema("sources").field("source_scale").enum
    parts = {s.strip().casefold() for s in (cells.get("source_scale") or "").split("-") if s.strip()}
    # ACLED joins the scales of an event's outlets ("Local-National") without saying which is whose.
    scale = next((s for s in scales if {s.casefold()} == parts), None)
    return [Outlet(name, f"acled-{slug(ext)}-{slug(name) or 'outlet'}", scale=scale)
            for name in _names(cells.get("source"))]


def _parser(version: str, today: dt.date):
    def parse(line: int, c: dict) -> Parsed:
        ext = c["event_id_cnty"]
        start, end, precision = _dates(c, today)
        event_type, sub = _types(c)
        if not c.get("actor1"):
            raise Unmapped("actor", "actor1 is empty")
        geo = code(c.get("geo_precision"), "geo_precision", get_schema("events").field("geo_precision").enum, "place")
        n = count(c.get("fatalities"), "fatalities")
        warnings, inter = [], {}
        for side in (1, 2):
            raw = c.get(f"inter{side}")
            inter[side] = cw.actor_type_code(raw)
            if raw is not None and inter[side] is None:
                warnings.append(f"inter{side} {raw!r} is not an ACLED actor type")
        target = c.get("civilian_targeting")
        if target is not None and target.casefold() != cw.CIVILIAN_TARGETING.casefold():
            warnings.append(f"civilian_targeting {target!r} is not ACLED's {cw.CIVILIAN_TARGETING!r}; left unknown")
        tags, other_tags = _tags(c.get("tags"))
        known = "township" if c.get("admin3") else "district" if c.get("admin2") else "state"
        notes = (f"Imported from {version} (ACLED event {ext}): ACLED's coding, for the user's own comparison; "
                 "ACLED's terms do not allow redistributing it.")
        if c.get("notes"):
            notes += f' ACLED\'s notes: "{c["notes"]}"'
        if other_tags:
            notes += f" ACLED's tags: {'; '.join(other_tags)}."
        return Parsed(
            line=line, external_id=ext, date_start=start, date_end=end, date_precision=precision,
            event_type=event_type, sub_event_type=sub, actor1=c["actor1"], actor2=c.get("actor2"),
            latitude=float(c["latitude"]), longitude=float(c["longitude"]), geo_precision=geo,
            admin_known=known, event_clarity=cw.EVENT_CLARITY, notes=notes,
            assoc=[(a, s) for s in (1, 2) for a in _names(c.get(f"assoc_actor_{s}"))], inter=inter,
            admin_names={k: c.get(k) for k in ("admin1", "admin2", "admin3")},
            place_names=[c["location"]] if c.get("location") else [], location=c.get("location"),
            fatalities=(n, n, None) if n else (None, None, None), claim=(n, None) if n else None,
            civilian_targeting=True if target and target.casefold() == cw.CIVILIAN_TARGETING.casefold() else None,
            outlets=_outlets(c, ext), tags=tags, warnings=warnings,
            link_note=("Imported from ACLED for the user's own comparison; ACLED's terms forbid publishing its rows, "
                       "so `kachin-events add` refuses this event."))
    return parse


def import_acled(path, out=None, *, package=None, dataset_version: str | None = None,
                 today: dt.date | None = None, force: bool = False) -> ImportResult:
    """Turn an ACLED export into a submission (for the user's own use, see the module's note).

    Parameters
    ----------
    path : str or Path
        An ACLED export: CSV or XLSX, the current layout or an older one.
    out : str or Path, optional
        The folder to write the submission to (one CSV per table and CODING.md); by
        default nothing is written and the tables are only returned.
    package : path, optional
        The repository's ``datapackage.json`` (actors, gazetteer, links already made);
        by default the nearest one, else the snapshot shipped with the package.
    dataset_version : str, optional
        Which ACLED data this is (``external_events.dataset_version``); by default
        "ACLED data as of <day of the latest timestamp>".
    today : datetime.date, optional
        The import day (``linked_on``; "in the future" is judged from it).
    force : bool
        Replace ``out`` when it exists.

    Returns
    -------
    ImportResult
        The tables, the coder's notes and the summary.

    Raises
    ------
    ImportInputError
        When the file cannot be read, is not an ACLED export, or names no version.

    Examples
    --------
    The repository's test export (run from its root folder):

    >>> import datetime as dt
    >>> from pathlib import Path
    >>> import kachin_events
    >>> f = Path("tests/data/import/acled_current.csv")
    >>> r = kachin_events.import_acled(f, today=dt.date(2026, 11, 22)) if f.exists() else None
    >>> r is None or r.summary.balanced
    True
    """
    from ..extras import require

    require("kachin_events.import_acled()")
    today = today or dt.date.today()
    ref = prepare(out, force, package)
    export = read_export(path, cw.MISSING)
    require_columns(export, cw.REQUIRED, "ACLED")
    version = dataset_version or version_from_timestamps(export)
    if not version:
        msg = (f"{export.shown}: has no usable timestamp to date the data by; say which ACLED data this is with "
               "--dataset-version (for example 'ACLED export of 2026-11-20')")
        raise ImportInputError(msg)
    origin = Origin(
        dataset=cw.DATASET, version=version, label="ACLED", publisher=PUBLISHER, claimant_id="acled",
        claimant_role=ROLE,
        source_notes=("The ACLED data the events were imported from, with ACLED's death figure as a claim. " + NOTICE),
        undated_basis=("Not stated: ACLED names the outlet, not the article. The range runs from the event's first "
                       "possible day (a report cannot come before the event) to the day of the import."))
    steps = [NOTICE, f"check it with: kachin-events validate {out or 'OUT'}/*.csv"]
    return run(export, "event_id_cnty", origin, _parser(version, today), ref=ref, out=out, today=today, force=force,
               next_steps=steps)
