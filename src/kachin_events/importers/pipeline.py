"""One import run, whatever the layout: choose the rows (point in Kachin State, id not yet
linked), parse each with the layout's function, assemble the submission, write it, and
account for every row in the summary.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from pathlib import Path
from typing import Callable

from ..validation.read import display_path
from .assemble import Assembler, Origin, Parsed
from .common import Export, ImportResult, ImportSummary, check_output, write_submission
from .reference import Reference


class Unmapped(Exception):
    """Raised by a layout's parser: this Kachin row cannot become an event (``reason``, ``message``)."""

    def __init__(self, reason: str, message: str):
        super().__init__(message)
        self.reason = reason
        self.message = message


def number(text: str | None) -> float:
    """A coordinate as a float (NaN when empty or not a number)."""
    try:
        value = float(text) if text is not None else math.nan
    except ValueError:
        return math.nan
    return value if math.isfinite(value) else math.nan


def count(text: str | None, column: str, reason: str = "fatalities") -> int | None:
    """A whole number of at least 0 (None when empty); :class:`Unmapped` otherwise."""
    if text is None:
        return None
    if not re.fullmatch(r"\d+(\.0+)?", text.strip()):
        raise Unmapped(reason, f"{column} is {text!r}, not a whole number of at least 0")
    return int(float(text))


def code(text: str | None, column: str, allowed, reason: str) -> int:
    """One of the ``allowed`` integer codes; :class:`Unmapped` otherwise."""
    value = None
    if text is not None and re.fullmatch(r"\d+(\.0+)?", text.strip()):
        value = int(float(text))
    if value not in allowed:
        allowed_text = ", ".join(str(a) for a in allowed)
        msg = f"{column} is {text!r}; {'one of ' if len(allowed) > 1 else ''}{allowed_text} was expected"
        raise Unmapped(reason, msg)
    return value


def run(export: Export, id_column: str, origin: Origin, parse: Callable[[int, dict], Parsed], *,
        ref: Reference, out=None, today: dt.date, force: bool = False, next_steps: list[str] = ()) -> ImportResult:
    """Import ``export``: every row ends imported, skipped, unmapped or already linked.

    Parameters
    ----------
    parse : callable
        ``parse(line, cells) -> Parsed`` for a Kachin row; raises :class:`Unmapped`.
    next_steps : list of str
        Notices for the end of the summary (what to run next).
    """
    from ..geometry import in_state
    from ..schema import get_schema

    summary = ImportSummary(origin.dataset, origin.version, export.shown)
    asm = Assembler(ref, origin, summary, today)
    lats = [number(c.get("latitude")) for _, c in export.rows]
    lons = [number(c.get("longitude")) for _, c in export.rows]
    # Only points that are numbers are located (the others are listed as unmapped below).
    usable = [n for n, (a, b) in enumerate(zip(lats, lons)) if not (math.isnan(a) or math.isnan(b))]
    inside = [False] * len(lats)
    for n, ok in zip(usable, in_state([lats[n] for n in usable], [lons[n] for n in usable])):
        inside[n] = bool(ok)
    pattern = get_schema("external_events").field("external_id").constraints["pattern"]
    seen: dict[str, int] = {}
    parsed: list[Parsed] = []
    for (line, cells), lat, lon, ins in zip(export.rows, lats, lons, inside):
        summary.rows_read += 1
        ext = cells.get(id_column)
        if math.isnan(lat) or math.isnan(lon):
            msg = (f"latitude {cells.get('latitude')!r} and longitude {cells.get('longitude')!r} are not both numbers, "
                   "so whether the event is in Kachin State cannot be told")
            asm.unmapped(line, ext, "coordinates", msg)
            continue
        if not ins:
            summary.skipped_outside += 1
            continue
        if ext is None or not re.fullmatch(pattern, ext):
            msg = f"{id_column} is {ext!r}; an id matching {pattern} is needed to link the event"
            asm.unmapped(line, ext, "id", msg)
            continue
        if ext in seen:
            msg = f"{id_column} {ext} is also on row {seen[ext]}; only that row is imported"
            asm.unmapped(line, ext, "duplicate-id", msg)
            continue
        seen[ext] = line
        ours = ref.linked(origin.dataset, ext)
        if ours is not None:
            summary.already_linked.append({"row": line, "external_id": ext, "event_id": ours})
            continue
        try:
            parsed.append(parse(line, cells))
        except Unmapped as exc:
            asm.unmapped(line, ext, exc.reason, exc.message)
    asm.add(parsed)
    tables = asm.finish()
    summary.notices += list(next_steps)
    if out is not None:
        summary.output = display_path(Path(out))
    notes = coding_notes(origin, summary, today)
    result = ImportResult(summary, tables, notes)
    if out is not None:
        write_submission(out, tables, notes, force=force)
        result.written = True
    return result


def prepare(out, force: bool, package) -> Reference:
    """Check the output folder before any work, and read the repository."""
    if out is not None:
        check_output(out, force)
    return Reference(package)


def coding_notes(origin: Origin, summary: ImportSummary, today: dt.date) -> str:
    """The submission's CODING.md: where the rows come from, the rules, and the run's summary."""
    from ..crosswalk import PLACES_RULE, PROVENANCE_RULE, SOURCES_RULE

    return "\n".join([
        f"# Coder's notes: import from {origin.version}", "",
        f"Imported by kachin-events on {today.isoformat()} from `{Path(summary.file).name}` ({origin.version}, "
        f"dataset `{origin.dataset}`). No event here was coded from its sources by a person: each is {origin.label}'s "
        "coding, translated by the import's documented rules (the codebook's import mappings). Every event cites "
        f"the source standing for the release, which carries {origin.label}'s death figures, and the outlets or "
        "articles the row names.", "",
        origin.source_notes, "",
        "## Rules", "", PLACES_RULE, "", SOURCES_RULE, "", PROVENANCE_RULE, "",
        "## What the import found", "", "```text", summary.to_text(), "```", "",
    ])
