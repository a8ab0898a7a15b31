"""UCDP's GED and Candidate event columns and codes, and how each becomes our fields.

Constants here describe the mapping (the codebook renders them); the small functions
apply the parts that are computed. Precision codes are never restated: ``date_prec``
comes from the ``ucdp_date_prec`` keys of the events schema's ``date_precision``
categories, ``where_prec`` from the ``ucdp_where_prec`` keys of its ``geo_precision``
categories.

Examples
--------
>>> import datetime as dt
>>> parse_date("2023-10-14 00:00:00.000")
datetime.date(2023, 10, 14)
>>> date_precision(4), geo_precision(5), geo_precision(6)
('month', 3, None)
>>> TYPE_OF_VIOLENCE[3]["event_type"]
'Violence against civilians'
"""

from __future__ import annotations

import datetime as dt
import re

from ..schema import get_schema

#: Cell values that mean "no value".
MISSING = ("", "NA")

#: The two layouts: option value -> (external_events.dataset, the name used in versions).
DATASETS: dict[str, tuple[str, str]] = {"ged": ("ucdp_ged", "UCDP GED"),
                                         "candidate": ("ucdp_candidate", "UCDP Candidate")}

#: UCDP's file names: GEDEvent_v25_1 is GED 25.1; GEDEvent_v25_0_9 is Candidate 25.0.9.
FILE_NAME = re.compile(r"GEDEvent_v(\d+)_(\d+)(?:_(\d+))?", re.IGNORECASE)

#: The columns the import needs (both layouts have them).
REQUIRED = ("id", "type_of_violence", "side_a", "side_b", "latitude", "longitude", "date_prec", "date_start",
            "date_end", "where_prec", "best", "low", "high")

#: type_of_violence -> the closest ACLED event and sub-event type, and why.
#: ``civilian_targeting`` is what the type says about it (None: unknown).
TYPE_OF_VIOLENCE: dict[int, dict] = {
    1: {"label": "state-based violence", "event_type": "Battles", "sub_event_type": "Armed clash",
        "civilian_targeting": None,
        "why": "Fighting between the state and an organised armed group is a battle in ACLED's terms. UCDP does "
               "not record whether territory changed hands, so the sub-event type is Armed clash, ACLED's "
               "battle with no change of territory recorded; whether the event was a shelling or an air strike "
               "is not recorded either."},
    2: {"label": "non-state violence", "event_type": "Battles", "sub_event_type": "Armed clash",
        "civilian_targeting": None,
        "why": "Fighting between two organised non-state groups is also a battle in ACLED's terms; Armed clash "
               "for the same reason as state-based violence."},
    3: {"label": "one-sided violence", "event_type": "Violence against civilians", "sub_event_type": "Attack",
        "civilian_targeting": True,
        "why": "UCDP's one-sided violence is the deliberate use of armed force against civilians: ACLED's "
               "Violence against civilians, with civilians as the target. Attack is its general sub-event type; "
               "UCDP does not say whether the violence was sexual violence or an abduction."},
}

#: where_prec -> which admin units of the point are known, and why.
WHERE_PREC_ADMIN: dict[int, tuple[str, str]] = {
    1: ("township", "The exact place: the state, district and township of the point."),
    2: ("township", "Within about 25 km of a known point: the state, district and township of the point."),
    3: ("named", "Only the second-order unit: the township when where_coordinates names the point's township, "
                 "else only the district of the point."),
    4: ("state", "Only the state: no district or township."),
    5: ("named", "A linear feature or fuzzy area: the units of the gazetteer place where_coordinates names, "
                 "else only the district of the point."),
}
#: where_prec codes that cannot be an event of ours, and why (the row is listed as unmapped).
WHERE_PREC_UNMAPPED: dict[int, str] = {
    6: "only the country is known, so the point does not say where in Myanmar the event was",
    7: "the event was in international waters or airspace",
}

#: Each imported column: (UCDP column, our fields, how it is mapped).
COLUMNS: tuple[tuple[str, tuple[str, ...], str], ...] = (
    ("id", ("external_events.external_id",),
     "UCDP's event id, kept as the link (dataset ucdp_ged or ucdp_candidate, basis imported)."),
    ("type_of_violence", ("events.event_type", "events.sub_event_type", "events.civilian_targeting"),
     "Mapped by the type_of_violence rule; the event's notes and the link's note say the types were chosen "
     "by that rule."),
    ("side_a", ("events.actor1",),
     "Matched to our actors by name (see the actor matching rule). UCDP does not record who began the "
     "fighting: side_a (the state in state-based violence) becomes actor1."),
    ("side_b", ("events.actor2",), "As side_a; side_b becomes actor2."),
    ("source_article", ("sources", "event_sources"),
     "Each entry (separated by ';', usually 'outlet, date, headline') becomes a source (publisher, title, and "
     "the publication date when the entry gives one) and a claim by the outlet, deduplicated by the entry."),
    ("source_date", ("sources.publication_date_earliest", "sources.publication_date_latest"),
     "Used for an entry without a date when it holds as many dates as source_article holds entries."),
    ("where_prec", ("events.geo_precision", "events.admin2_pcode", "events.admin3_pcode"),
     "geo_precision from the events schema's ucdp_where_prec keys; which admin units are known by the "
     "where_prec rule. 6 and 7 leave the row unmapped."),
    ("where_coordinates", ("events.location_pcode",),
     "The gazetteer place of that name (or alias) in the event's units is location_pcode."),
    ("where_description", ("events.location",), "Kept as location (where_coordinates when it is empty)."),
    ("adm_1", (), "Cross-checked: a name other than Kachin is a warning (the point decides)."),
    ("adm_2", (), "Cross-checked through the gazetteer against the point's district: a difference is a warning."),
    ("latitude", ("events.latitude",), "Kept. With longitude it decides whether the row is in Kachin State "
                                       "(MIMU state polygon, with geometry.TOLERANCE_KM)."),
    ("longitude", ("events.longitude",), "Kept."),
    ("event_clarity", ("events.event_clarity",), "Kept: the same codes (1 identifiable, 2 aggregated)."),
    ("date_prec", ("events.date_precision",),
     "From the events schema's ucdp_date_prec keys; when date_start and date_end do not fit it, the narrowest "
     "precision that fits, with a warning."),
    ("date_start", ("events.date_start",), "Kept (2023-10-14 or 2023-10-14 00:00:00.000)."),
    ("date_end", ("events.date_end",), "Kept."),
    ("low", ("events.fatalities_low", "event_sources.claimed_fatalities_low"), "See the fatalities rule."),
    ("best", ("events.fatalities_best",), "See the fatalities rule."),
    ("high", ("events.fatalities_high", "event_sources.claimed_fatalities_high"), "See the fatalities rule."),
    ("deaths_a", ("events.notes",), "Kept in the notes (we record no deaths by side)."),
    ("deaths_b", ("events.notes",), "As deaths_a."),
    ("deaths_civilians", ("events.notes",), "As deaths_a."),
    ("deaths_unknown", ("events.notes",), "As deaths_a."),
    ("source_original", ("events.notes",), "Kept in the notes: who UCDP says the information comes from."),
)

#: Columns that are read but not imported, and why.
NOT_IMPORTED: tuple[tuple[str, str], ...] = (
    ("relid", "UCDP's own composite id; id identifies the event."),
    ("year", "Follows from date_start."),
    ("active_year", "UCDP's coding of the conflict-year."),
    ("code_status", "UCDP's coding status."),
    ("conflict_dset_id", "UCDP's conflict, dyad and side ids are UCDP's own coding."),
    ("conflict_new_id", "As conflict_dset_id."), ("conflict_name", "As conflict_dset_id."),
    ("dyad_dset_id", "As conflict_dset_id."), ("dyad_new_id", "As conflict_dset_id."),
    ("dyad_name", "As conflict_dset_id."), ("side_a_dset_id", "As conflict_dset_id."),
    ("side_a_new_id", "As conflict_dset_id."), ("side_b_dset_id", "As conflict_dset_id."),
    ("side_b_new_id", "As conflict_dset_id."),
    ("number_of_sources", "Follows from source_article."),
    ("source_office", "Not recorded in our tables."),
    ("source_headline", "The headlines are read from source_article's entries."),
    ("geom_wkt", "The same point as latitude and longitude."),
    ("priogrid_gid", "Follows from the point."),
    ("country", "Rows are chosen by their point, not by country."),
    ("country_id", "As country."), ("region", "As country."),
    ("gwnoa", "Gleditsch-Ward numbers are UCDP's coding."), ("gwnob", "As gwnoa."),
)

#: The fatalities rule, in words.
FATALITIES_RULE = (
    "low, best and high carry over as fatalities_low, fatalities_best and fatalities_high, and as a claim by "
    "UCDP (claimed_fatalities_low and _high, side all) in the source that stands for the dataset. A bound on the "
    "wrong side of best (UCDP's files break low <= best <= high in about 1% of rows) is left empty, with a "
    "warning. Empty low, best and high (UCDP's own files always have them; a UCDP-layout export of data like ours may "
    "not) are unknown deaths; a low or high without best leaves the row unmapped. deaths_a, deaths_b, "
    "deaths_civilians and deaths_unknown are kept in the notes."
)

_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:[ T]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?Z?)?")


def parse_date(text: str | None) -> dt.date | None:
    """A UCDP date (``2023-10-14`` or ``2023-10-14 00:00:00.000``) as a date; None otherwise.

    Examples
    --------
    >>> parse_date("2023-10-14"), parse_date("14/10/2023")
    (datetime.date(2023, 10, 14), None)
    """
    m = _DATE.fullmatch((text or "").strip())
    if not m:
        return None
    try:
        return dt.date(*map(int, m.groups()))
    except ValueError:
        return None


def date_prec_codes() -> dict[str, int]:
    """Our date_precision -> UCDP's date_prec, from the events schema.

    Examples
    --------
    >>> list(date_prec_codes().values())
    [1, 2, 3, 4, 5]
    """
    return {c["value"]: c["ucdp_date_prec"] for c in get_schema("events").field("date_precision").categories}


def date_precision(date_prec: int) -> str | None:
    """UCDP's date_prec -> our date_precision (None for a code the schema does not map).

    Examples
    --------
    >>> date_precision(1), date_precision(9)
    ('day', None)
    """
    return next((ours for ours, theirs in date_prec_codes().items() if theirs == date_prec), None)


def fitting_precision(span_days: int) -> str | None:
    """The narrowest of our date_precision values whose span holds ``span_days`` (None: over a year).

    Examples
    --------
    >>> fitting_precision(0), fitting_precision(3), fitting_precision(40), fitting_precision(400)
    ('day', 'days', 'year', None)
    """
    from ..rules import PRECISION_MAX_SPAN, PRECISION_MIN_SPAN

    return next((p for p in date_prec_codes() if PRECISION_MIN_SPAN[p] <= span_days <= PRECISION_MAX_SPAN[p]), None)


def where_prec_codes() -> dict[int, tuple[int, ...]]:
    """Our geo_precision -> the UCDP where_prec codes it stands for, from the events schema.

    A category whose ``ucdp_where_prec`` is a number maps to that code; one that
    describes a choice ("3, 4 or 5 by the place: ...") maps to the codes before its colon.

    Examples
    --------
    >>> where_prec_codes()
    {1: (1,), 2: (2,), 3: (3, 4, 5)}
    """
    out = {}
    for c in get_schema("events").field("geo_precision").categories:
        value = c["ucdp_where_prec"]
        out[c["value"]] = (value,) if isinstance(value, int) else tuple(
            int(n) for n in re.findall(r"\d+", str(value).split(":")[0]))
    return out


def geo_precision(where_prec: int) -> int | None:
    """UCDP's where_prec -> our geo_precision (None for 6 and 7, which no category maps).

    Examples
    --------
    >>> [geo_precision(w) for w in range(1, 8)]
    [1, 2, 3, 3, 3, None, None]
    """
    return next((ours for ours, codes in where_prec_codes().items() if where_prec in codes), None)


def dataset_from_name(name: str) -> tuple[str, str] | None:
    """(layout, version) from a UCDP file name, or None when the name does not say.

    Examples
    --------
    >>> dataset_from_name("GEDEvent_v25_1.csv"), dataset_from_name("GEDEvent_v25_0_9.csv")
    (('ged', 'UCDP GED 25.1'), ('candidate', 'UCDP Candidate 25.0.9'))
    >>> dataset_from_name("kachin.csv") is None
    True
    """
    m = FILE_NAME.search(name)
    if not m:
        return None
    major, minor, month = m.groups()
    if month is not None:
        return "candidate", f"{DATASETS['candidate'][1]} {int(major)}.{int(minor)}.{int(month)}"
    return "ged", f"{DATASETS['ged'][1]} {int(major)}.{int(minor)}"
