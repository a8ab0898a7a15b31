"""``kachin-events import-ucdp``: a UCDP GED or Candidate events file as a submission.

UCDP's data is licensed CC BY 4.0: imported events may enter the dataset, with UCDP
and the version named on every one (its notes, its link in ``external_events``, and
the source standing for the release). The mapping of each column is
:mod:`kachin_events.crosswalk.ucdp`.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from ..crosswalk import acled as acled_cw
from ..crosswalk import ucdp as cw
from .assemble import Origin, Outlet, Parsed, dataset_source_id, entry_key, slug
from .common import ImportInputError, ImportResult, read_export, require_columns
from .pipeline import Unmapped, code, count, prepare, run

PUBLISHER = "Uppsala Conflict Data Program (UCDP)"
ROLE = ("The Uppsala Conflict Data Program, a research programme at Uppsala University that records organised "
        "violence; its event datasets give low, best and high death estimates per event.")
_RANGE = re.compile(r"(\d{4}-\d{2}-\d{2})\s*/\s*(\d{4}-\d{2}-\d{2})")
_DATES = (re.compile(r"\d{4}-\d{2}-\d{2}(?:[ T]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"),
          re.compile(r"\b\d{1,2} [A-Za-z]+ \d{4}\b"),
          re.compile(r"\b([A-Za-z]+) (\d{1,2}),? (\d{4})\b"))


def _entry_date(text: str) -> tuple[dt.date | None, dt.date | None, str]:
    """(earliest, latest, the entry with its date replaced by a comma) for the first date it gives."""
    m = _RANGE.search(text)
    first, last = (acled_cw.parse_date(m[1]), acled_cw.parse_date(m[2])) if m else (None, None)
    if first is not None and last is not None and first <= last:
        return first, last, f"{text[:m.start()]},{text[m.end():]}"
    for pattern in _DATES:
        for m in pattern.finditer(text):
            day = (acled_cw.parse_date(f"{m[2]} {m[1]} {m[3]}") if pattern is _DATES[2]
                   else acled_cw.parse_date(m[0]))
            if day is not None:
                # "Reuters 15 October 2023 'headline'": the date stands between outlet and headline.
                return day, day, f"{text[:m.start()]},{text[m.end():]}"
    return None, None, text


def parse_entry(entry: str) -> tuple[str | None, dt.date | None, dt.date | None, str | None]:
    """(publisher, earliest, latest, title) of one source_article entry ("outlet, date, headline").

    Examples
    --------
    >>> parse_entry("Irrawaddy,2023-10-15,Clashes near Laiza")
    ('Irrawaddy', datetime.date(2023, 10, 15), datetime.date(2023, 10, 15), 'Clashes near Laiza')
    >>> parse_entry("Kachin News Group (KNG), 2026-01-16/2026-01-22")[1:3]
    (datetime.date(2026, 1, 16), datetime.date(2026, 1, 22))
    >>> parse_entry("Reuters 15 October 2023 'Fighting in Kachin, again'")
    ('Reuters', datetime.date(2023, 10, 15), datetime.date(2023, 10, 15), 'Fighting in Kachin, again')
    >>> parse_entry("Mizzima")
    ('Mizzima', None, None, None)
    """
    earliest, latest, rest = _entry_date(entry)
    parts = [p.strip() for p in rest.split(",")]
    parts = [p for p in parts if p.strip(" '\"")]
    publisher = parts[0].strip(" '\"") if parts else None
    title = ", ".join(parts[1:]).strip(" '\"") or None
    return publisher, earliest, latest, title


def _outlets(cells: dict, line_warnings: list[str], today: dt.date) -> list[Outlet]:
    entries = [e.strip() for e in (cells.get("source_article") or "").split(";") if e.strip()]
    dates = [d.strip() for d in (cells.get("source_date") or "").split(";")]
    out, seen = [], set()
    for n, entry in enumerate(entries):
        publisher, earliest, latest, title = parse_entry(entry)
        if publisher is None:
            line_warnings.append(f"source_article entry {entry!r} names no outlet; it is left out")
            continue
        basis = "Stated in UCDP's source_article entry." if earliest else None
        if earliest is None and len(dates) == len(entries) and cw.parse_date(dates[n]):
            earliest = latest = cw.parse_date(dates[n])
            basis = "Stated in UCDP's source_date column."
        if latest is not None and latest > today:
            line_warnings.append(f"source_article entry {entry!r} is dated after today; its date is not used")
            earliest = latest = basis = None
        day = earliest.isoformat() if earliest else "undated"
        sid = f"ucdp-{slug(publisher, limit=30) or 'source'}-{day}-{entry_key(entry)}"
        if sid not in seen:
            seen.add(sid)
            out.append(Outlet(publisher, sid, title=title, earliest=earliest, latest=latest, basis=basis))
    return out


def _dates(c: dict, today: dt.date, warnings: list[str]) -> tuple[dt.date, dt.date, str]:
    start, end = cw.parse_date(c.get("date_start")), cw.parse_date(c.get("date_end"))
    if start is None or end is None or end < start:
        msg = (f"date_start {c.get('date_start')!r} and date_end {c.get('date_end')!r} are not a date range "
               "(2023-10-14 or 2023-10-14 00:00:00.000, the end on or after the start)")
        raise Unmapped("date", msg)
    if end > today:
        raise Unmapped("date-future", f"date_end {end} is after today ({today})")
    prec = code(c.get("date_prec"), "date_prec", sorted(cw.date_prec_codes().values()), "date")
    value = cw.date_precision(prec)
    fits = cw.fitting_precision((end - start).days)
    if fits is None:
        raise Unmapped("date", f"date_start {start} to date_end {end} is longer than a year")
    order = list(cw.date_prec_codes())
    if order.index(fits) > order.index(value):
        warnings.append(f"date_prec {prec} ({value}) is too narrow for {start} to {end}; date_precision {fits!r} used")
        value = fits
    return start, end, value


def _fatalities(c: dict, warnings: list[str]) -> tuple[tuple, tuple]:
    low, best, high = (count(c.get(k), k) for k in ("low", "best", "high"))
    if best is None and (low is not None or high is not None):
        msg = f"best is empty but low is {low} and high is {high}; a bound needs a best estimate"
        raise Unmapped("fatalities", msg)
    if best is None:  # unknown (a UCDP-layout export of data like ours); UCDP's own files always give best
        return (None, None, None), (None, None)
    if low is not None and low > best:
        warnings.append(f"low ({low}) is above best ({best}); low is left empty")
        low = None
    if high is not None and high < best:
        warnings.append(f"high ({high}) is below best ({best}); high is left empty")
        high = None
    return (low, best, high), (low, high)


def _parser(version: str, today: dt.date):
    def parse(line: int, c: dict) -> Parsed:
        ext, warnings = c["id"], []
        tov = code(c.get("type_of_violence"), "type_of_violence", sorted(cw.TYPE_OF_VIOLENCE), "event-type")
        rule = cw.TYPE_OF_VIOLENCE[tov]
        start, end, precision = _dates(c, today, warnings)
        codes = sorted({*cw.WHERE_PREC_ADMIN, *cw.WHERE_PREC_UNMAPPED})
        where = code(c.get("where_prec"), "where_prec", codes, "place")
        if where in cw.WHERE_PREC_UNMAPPED:
            raise Unmapped("place", f"where_prec is {where}: {cw.WHERE_PREC_UNMAPPED[where]}")
        clarity = code(c.get("event_clarity"), "event_clarity", (1, 2), "event-clarity")
        if not c.get("side_a"):
            raise Unmapped("actor", "side_a is empty")
        fatalities, claim = _fatalities(c, warnings)
        deaths = ", ".join(f"{k.removeprefix('deaths_').replace('_', ' ')} {c.get(k) or 'not given'}"
                           for k in ("deaths_a", "deaths_b", "deaths_civilians", "deaths_unknown"))
        notes = (f"Imported from {version} (UCDP event {ext}; UCDP data, CC BY 4.0). UCDP codes it as {rule['label']} "
                 f"(type_of_violence {tov}) between {c['side_a']} and {c.get('side_b') or 'no second side'}; event "
                 f"type {rule['event_type']} and sub-event type {rule['sub_event_type']} were chosen by the import's "
                 f"rule for that type, not read from the sources. UCDP's deaths by side: {deaths} (low "
                 f"{c.get('low')}, best {c.get('best')}, high {c.get('high')}).")
        if c.get("source_original"):
            notes += f" Original source according to UCDP: {c['source_original']}."
        return Parsed(
            line=line, external_id=ext, date_start=start, date_end=end, date_precision=precision,
            event_type=rule["event_type"], sub_event_type=rule["sub_event_type"], actor1=c["side_a"],
            actor2=c.get("side_b"), latitude=float(c["latitude"]), longitude=float(c["longitude"]),
            geo_precision=cw.geo_precision(where), admin_known=cw.WHERE_PREC_ADMIN[where][0], event_clarity=clarity,
            notes=notes, admin_names={"admin1": c.get("adm_1"), "admin2": c.get("adm_2")},
            place_names=[n for n in (c.get("where_coordinates"), c.get("where_description")) if n],
            location=c.get("where_description") or c.get("where_coordinates"),
            fatalities=fatalities, claim=claim if any(v is not None for v in claim) else None,
            civilian_targeting=rule["civilian_targeting"], outlets=_outlets(c, warnings, today), warnings=warnings,
            link_note=(f"Imported from {version} (CC BY 4.0). event_type and sub_event_type were chosen by the rule "
                       f"for type_of_violence {tov} ({rule['label']}): {rule['event_type']}, "
                       f"{rule['sub_event_type']}."))
    return parse


def dataset_and_version(path, dataset: str | None, dataset_version: str | None) -> tuple[str, str]:
    """The layout (ged or candidate) and version: as given, else from UCDP's file name."""
    from_name = cw.dataset_from_name(Path(path).name)
    if dataset is None and dataset_version and "candidate" in dataset_version.casefold():
        dataset = "candidate"
    dataset = dataset or (from_name[0] if from_name else None)
    version = dataset_version or (from_name[1] if from_name and from_name[0] == dataset else None)
    if dataset not in cw.DATASETS or not version:
        msg = (f"{Path(path).name}: the file name does not say which UCDP dataset and version this is (UCDP names "
               "them GEDEvent_v25_1 for GED 25.1 and GEDEvent_v25_0_9 for Candidate 25.0.9); give --dataset "
               "ged or candidate and --dataset-version (for example 'UCDP GED 25.1')")
        raise ImportInputError(msg)
    return dataset, version


def import_ucdp(path, out=None, *, package=None, dataset: str | None = None, dataset_version: str | None = None,
                today: dt.date | None = None, force: bool = False) -> ImportResult:
    """Turn a UCDP GED or Candidate events file into a submission that ``kachin-events add`` can merge.

    Parameters
    ----------
    path : str or Path
        A UCDP events CSV (GED or Candidate layout).
    out : str or Path, optional
        The folder to write the submission to (one CSV per table and CODING.md); by
        default nothing is written and the tables are only returned.
    package : path, optional
        The repository's ``datapackage.json``; by default the nearest one, else the
        snapshot shipped with the package.
    dataset : {"ged", "candidate"}, optional
        The layout; by default from UCDP's file name (or a version naming Candidate).
    dataset_version : str, optional
        Such as 'UCDP GED 25.1'; by default from UCDP's file name.
    today : datetime.date, optional
        The import day (``linked_on``; "in the future" is judged from it).
    force : bool
        Replace ``out`` when it exists.

    Returns
    -------
    ImportResult

    Raises
    ------
    ImportInputError
        When the file cannot be read, is not a UCDP events file, or the dataset or
        version cannot be told.

    Examples
    --------
    >>> dataset_and_version("GEDEvent_v25_1.csv", None, None)
    ('ged', 'UCDP GED 25.1')
    """
    from ..extras import require

    require("kachin_events.import_ucdp()")
    today = today or dt.date.today()
    layout, version = dataset_and_version(path, dataset, dataset_version)
    ref = prepare(out, force, package)
    export = read_export(path, cw.MISSING)
    require_columns(export, cw.REQUIRED, "UCDP GED or Candidate")
    origin = Origin(
        dataset=cw.DATASETS[layout][0], version=version, label="UCDP", publisher=PUBLISHER, claimant_id="ucdp",
        claimant_role=ROLE,
        source_notes=(f"The UCDP release the events were imported from ({version}), with UCDP's low, best and high "
                      "death estimates as claims. UCDP's data is licensed under CC BY 4.0 (Creative Commons "
                      "Attribution 4.0): UCDP and the version are named on every imported event."),
        undated_basis=("Not stated in UCDP's entry. The range runs from the event's first possible day (a report "
                       "cannot come before the event) to the day of the import."))
    folder = out or "OUT"
    sid = dataset_source_id(origin.label, version)
    steps = [f"check it with: kachin-events validate {folder}/*.csv",
             f"add it with: kachin-events add {folder} --source-id {sid} (the report folder is named after the "
             "source standing for the release)"]
    return run(export, "id", origin, _parser(version, today), ref=ref, out=out, today=today, force=force,
               next_steps=steps)

