"""ACLED's export columns and codes, and how each becomes our fields.

Constants here describe the mapping (the codebook renders them, see
:func:`kachin_events.crosswalk.render_import_mappings`); the small functions apply the
parts that are computed. Precision codes are never restated: they come from the
``acled_time_precision`` keys of the events schema's ``date_precision`` categories, and
ACLED's ``geo_precision`` uses our own codes (1-3).

Examples
--------
>>> import datetime as dt
>>> parse_date("02 January 2021"), parse_date("2021-01-02T00:00:00Z")
(datetime.date(2021, 1, 2), datetime.date(2021, 1, 2))
>>> date_range(dt.date(2021, 1, 16), 3)
(datetime.date(2021, 1, 1), datetime.date(2021, 1, 31), 'month')
>>> actor_type_code("Rebel groups"), actor_type_code("2"), actor_type_code("Aliens")
(2, 2, None)
"""

from __future__ import annotations

import calendar
import datetime as dt
import re

from ..schema import get_schema

#: Cell values that mean "no value" in ACLED's files (older exports write NA).
MISSING = ("", "NA")

#: The dataset name in ``external_events.dataset``.
DATASET = "acled"

#: The columns every ACLED layout has and the import needs.
REQUIRED = ("event_id_cnty", "event_date", "time_precision", "event_type", "sub_event_type", "actor1",
            "location", "latitude", "longitude", "geo_precision", "fatalities")

#: Each imported column: (ACLED column, our fields, how it is mapped).
COLUMNS: tuple[tuple[str, tuple[str, ...], str], ...] = (
    ("event_id_cnty", ("external_events.external_id",),
     "ACLED's event id, kept as the link to ACLED (dataset acled, basis imported); the imported event gets a "
     "temporary id that `kachin-events add` would replace."),
    ("event_date", ("events.date_start", "events.date_end"),
     "Written 2021-01-02, 2021-01-02T00:00:00Z or 02 January 2021; with time_precision it becomes a date "
     "range (see the time_precision rule)."),
    ("time_precision", ("events.date_precision",),
     "The narrowest of our date_precision values with this acled_time_precision whose span holds the range."),
    ("event_type", ("events.event_type",), "Kept: ACLED's taxonomy is ours. Another value leaves the row unmapped."),
    ("sub_event_type", ("events.sub_event_type",),
     "Kept; it must belong to event_type in ACLED's taxonomy, else the row is unmapped."),
    ("actor1", ("events.actor1",), "Matched to our actors by name (see the actor matching rule); no match leaves "
                                   "the row unmapped and the name is reported with its row count."),
    ("assoc_actor_1", ("event_actors.actor_id", "event_actors.side"),
     "Each name (separated by ';') matched to our actors, side 1; a name with no match is reported, not invented."),
    ("inter1", (), "Read as a number (older layouts) or ACLED's text; a type other than the matched actor's "
                   "acled_inter is a warning."),
    ("actor2", ("events.actor2",), "As actor1; empty for a one-sided event."),
    ("assoc_actor_2", ("event_actors.actor_id", "event_actors.side"), "As assoc_actor_1, side 2."),
    ("inter2", (), "As inter1."),
    ("civilian_targeting", ("events.civilian_targeting",),
     "'Civilian targeting' is true. Empty (or the column missing, as in older layouts) is unknown, not false: "
     "ACLED writes nothing both when civilians were not the main target and when it did not say."),
    ("admin1", (), "Cross-checked: a name other than Kachin is a warning (the point decides)."),
    ("admin2", ("events.admin2_pcode",),
     "The district is the one the point lies in; an empty admin2 (and admin3) means only the state is known. "
     "The name is cross-checked through the gazetteer: a different district is a warning."),
    ("admin3", ("events.admin3_pcode",),
     "The township is the one the point lies in (MIMU polygons); an empty admin3 means the township is not "
     "known. The name is cross-checked through the gazetteer: a different township is a warning."),
    ("location", ("events.location", "events.location_pcode"),
     "Kept as location; location_pcode is the gazetteer place of that name (or alias) in the event's township "
     "or district, else the most specific admin unit known (the name is then reported as not matched)."),
    ("latitude", ("events.latitude",), "Kept. With longitude it decides whether the row is in Kachin State "
                                       "(MIMU state polygon, with geometry.TOLERANCE_KM)."),
    ("longitude", ("events.longitude",), "Kept."),
    ("geo_precision", ("events.geo_precision",), "Kept: ACLED's geo_precision uses our codes (1-3)."),
    ("source", ("sources", "event_sources"),
     "Each outlet (separated by ';') becomes a source (the outlet's reporting that ACLED cites for this event; "
     "ACLED names no article) and a claim by the outlet, deduplicated."),
    ("source_scale", ("sources.source_scale",),
     "Kept for an outlet when the event has one scale for all its outlets; ACLED's combined scales "
     "(Local-National) cannot be assigned to one outlet, so those sources take the scale of the same publisher's "
     "sources in the repository, else 'Other'."),
    ("notes", ("events.notes",), "Kept in quotes as ACLED's words, after a sentence saying where the row comes from."),
    ("fatalities", ("events.fatalities_low", "events.fatalities_best", "event_sources.claimed_fatalities_low"),
     "See the fatalities rule."),
    ("tags", ("event_tags",),
     "Tags in our own form (prisoners_taken=20 (approximate), as our ACLED-layout export writes them) become "
     "event_tags rows; other tags are kept in the notes."),
    ("timestamp", ("external_events.dataset_version",),
     "The day of the latest timestamp names the version ('ACLED data as of YYYY-MM-DD') when --dataset-version "
     "is not given."),
)

#: Columns that are read but not imported, and why.
NOT_IMPORTED: tuple[tuple[str, str], ...] = (
    ("data_id", "ACLED's row number in older layouts; event_id_cnty identifies the event."),
    ("event_id_no_cnty", "The number part of event_id_cnty in older layouts."),
    ("iso", "Myanmar's country code; rows are chosen by their point, not by country."),
    ("iso3", "As iso, in older layouts."),
    ("region", "ACLED's world region."),
    ("country", "Rows are chosen by their point, not by country."),
    ("year", "Follows from event_date."),
    ("disorder_type", "Follows from sub_event_type (the events schema's categories)."),
    ("interaction", "Follows from the actors' types."),
)

#: The event_clarity of every imported ACLED event (one identifiable event).
EVENT_CLARITY = 1
#: Our fields that no ACLED column holds: (field, value, why).
NO_COLUMN: tuple[tuple[str, str, str], ...] = (
    ("events.event_clarity", str(EVENT_CLARITY),
     "ACLED records one event per row (it splits a multi-day report into one event per "
                                  "day) and has no flag for aggregated rows."),
)

#: How an ACLED date and time_precision become our date range.
TIME_PRECISION_RULE: tuple[tuple[int, str], ...] = (
    (1, "The day itself: date_start = date_end = event_date."),
    (2, "ACLED codes a week or similar period to its middle day: the 7 days centred on event_date "
        "(event_date - 3 to event_date + 3)."),
    (3, "ACLED codes a month to its middle day: the calendar month when event_date is its 15th or 16th, "
        "otherwise the 31 days centred on event_date (the longest range date_precision 'month' allows)."),
)

#: The fatalities rule, in words.
FATALITIES_RULE = (
    "ACLED's fatalities is one conservative figure, and 0 both when no one was killed and when no figure was "
    "reported. A positive figure N becomes fatalities_low = fatalities_best = N with fatalities_high empty, and "
    "a claim by ACLED of at least N deaths (claimed_fatalities_low N, side all); 0 becomes empty (unknown) "
    "fatalities and no claimed figure, because a reported zero cannot be told from no report."
)

#: The text ACLED writes in civilian_targeting.
CIVILIAN_TARGETING = "Civilian targeting"

_MONTHS = {name.casefold(): n for n, name in enumerate(calendar.month_name) if name}
_MONTHS.update({name.casefold(): n for n, name in enumerate(calendar.month_abbr) if name})
_ISO = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:[ T]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?")
_DMY = re.compile(r"(\d{1,2})[ -]([A-Za-z]+)[ -](\d{4})")


def parse_date(text: str | None) -> dt.date | None:
    """An ACLED event_date as a date; None when it is not one of ACLED's forms.

    Examples
    --------
    >>> parse_date("2021-01-02"), parse_date("2 Jan 2021"), parse_date("2021-01-02 00:00:00")
    (datetime.date(2021, 1, 2), datetime.date(2021, 1, 2), datetime.date(2021, 1, 2))
    >>> parse_date("January 2021") is None, parse_date("2021-02-30") is None
    (True, True)
    """
    text = (text or "").strip()
    try:
        m = _ISO.fullmatch(text)
        if m:
            return dt.date(*map(int, m.groups()))
        m = _DMY.fullmatch(text)
        if m and m.group(2).casefold() in _MONTHS:
            return dt.date(int(m.group(3)), _MONTHS[m.group(2).casefold()], int(m.group(1)))
    except ValueError:
        return None
    return None


def time_precision_codes() -> dict[str, int]:
    """Our date_precision -> ACLED's time_precision, from the events schema.

    Examples
    --------
    >>> time_precision_codes()["week"]
    2
    """
    return {c["value"]: c["acled_time_precision"]
            for c in get_schema("events").field("date_precision").categories}


def date_precision_for(code: int, span_days: int) -> str | None:
    """The narrowest of our date_precision values with ACLED ``code`` whose span holds ``span_days``.

    Examples
    --------
    >>> date_precision_for(2, 6), date_precision_for(2, 4), date_precision_for(3, 30), date_precision_for(4, 0)
    ('week', 'days', 'month', None)
    """
    from ..rules import PRECISION_MAX_SPAN, PRECISION_MIN_SPAN

    for value, theirs in time_precision_codes().items():  # in the schema's order: narrowest first
        if theirs == code and PRECISION_MIN_SPAN[value] <= span_days <= PRECISION_MAX_SPAN[value]:
            return value
    return None


def date_range(event_date: dt.date, time_precision: int) -> tuple[dt.date, dt.date, str] | None:
    """The range (date_start, date_end, date_precision) an ACLED date stands for (:data:`TIME_PRECISION_RULE`).

    None when ``time_precision`` is not one of ACLED's codes.

    Examples
    --------
    >>> date_range(dt.date(2021, 1, 2), 1)
    (datetime.date(2021, 1, 2), datetime.date(2021, 1, 2), 'day')
    >>> date_range(dt.date(2021, 1, 10), 2)
    (datetime.date(2021, 1, 7), datetime.date(2021, 1, 13), 'week')
    >>> date_range(dt.date(2021, 1, 20), 3)
    (datetime.date(2021, 1, 5), datetime.date(2021, 2, 4), 'month')
    """
    try:
        return _date_range(event_date, time_precision)
    except OverflowError:  # a day within a month of year 1 or 9999: no range the calendar holds
        return None


def _date_range(event_date: dt.date, time_precision: int) -> tuple[dt.date, dt.date, str] | None:
    day = dt.timedelta(days=1)
    if time_precision == 1:
        start = end = event_date
    elif time_precision == 2:
        start, end = event_date - 3 * day, event_date + 3 * day
    elif time_precision == 3 and event_date.day in (15, 16):
        start = event_date.replace(day=1)
        end = event_date.replace(day=calendar.monthrange(event_date.year, event_date.month)[1])
    elif time_precision == 3:
        start, end = event_date - 15 * day, event_date + 15 * day
    else:
        return None
    precision = date_precision_for(time_precision, (end - start).days)
    return (start, end, precision) if precision else None


def _words(text: str) -> str:
    # "Rebel groups" (older tools) and "Rebel group" (the codebook) are the same type.
    return " ".join(w.rstrip("s") for w in text.casefold().split())


def actor_type_code(value: str | None) -> int | None:
    """ACLED's actor type (inter1/inter2) as its number, whether written as a number or as text.

    The names are those of the actors schema's ``acled_inter`` categories; a plural or a
    difference of case does not matter.

    Examples
    --------
    >>> actor_type_code("State Forces"), actor_type_code("7"), actor_type_code("0") is None
    (1, 7, True)
    """
    text = (value or "").strip()
    cats = get_schema("actors").field("acled_inter").categories
    if re.fullmatch(r"\d+(\.0+)?", text):
        code = int(float(text))
        return code if any(c["value"] == code for c in cats) else None
    return next((c["value"] for c in cats if _words(c["label"]) == _words(text)), None)
