"""How other datasets' columns and codes map to ours: ACLED (:mod:`.acled`) and UCDP (:mod:`.ucdp`).

The mappings are constants with descriptions, so the importers
(:mod:`kachin_events.importers`) apply them and the codebook renders them
(:func:`render_import_mappings`) from the same place. Precision codes are never
restated here: they are read from the mapping keys of the events schema's categories.

Examples
--------
>>> text = render_import_mappings()
>>> "type_of_violence" in text and "time_precision" in text and "Government of Myanmar (Burma)" in text
True
"""

from __future__ import annotations

from . import acled, ucdp

#: How a name in another dataset becomes one of our actors.
ACTOR_MATCHING = (
    "A name is matched, ignoring case and spaces, first against the aliases in data/actor_aliases.csv (the "
    "names ACLED, UCDP and news reports use, kept as data), then against the actors table's actor_id, name and "
    "acled_actor_name. A name that matches no actor, or several, is not matched: it is reported with the number "
    "of rows that use it, and never invented; a row whose actor1 or actor2 is not matched is listed as unmapped."
)

#: How a place becomes codes.
PLACES_RULE = (
    "Only rows whose point lies in Kachin State (MIMU's state polygon, within geometry.TOLERANCE_KM) are "
    "imported, whatever the file's admin names say; the others are counted and skipped. The district and "
    "township are those of the MIMU township polygon holding the point, down to the level the row says is "
    "known. The file's own admin names are looked up in the gazetteer (names and aliases): a name of another "
    "unit is a warning, a name the gazetteer lacks is reported as a place not matched. The place name is kept "
    "as location."
)

#: How sources and claims are made.
SOURCES_RULE = (
    "Every imported event cites a source standing for the dataset release (publisher ACLED or UCDP, claimant "
    "registered as an independent organisation) that carries the dataset's death figures as a claim, and one "
    "source per outlet or article the row cites, claimed by the outlet (claimant type outlet, registered in "
    "data/claimants.csv when new). A publication date is stated only where the row gives one; otherwise the "
    "range runs from the event's start (a report cannot come before the event) to the import day, and the "
    "basis says so. No URL is ever guessed. The language and kind of document are those of a source of the same "
    "publisher already in the repository, else 'en' (the language of the dataset's reference) and 'other', "
    "said in the source's notes."
)

#: Links, re-imports and licences.
PROVENANCE_RULE = (
    "Each imported event gets an external_events row: the dataset (acled, ucdp_ged, ucdp_candidate), its id, "
    "the dataset version, basis 'imported' and the import day. A row whose id the repository already links is "
    "reported as already linked and not imported again. An event of ours in the same township (or district), "
    "with overlapping dates, the same event type and the same pair of actors (an actor and its parent "
    "organisation count as one party) is reported as a candidate link for a reviewer, never linked "
    "automatically. UCDP's data is CC BY 4.0: the dataset and version are recorded on every imported event "
    "(notes, link and source). ACLED's terms forbid redistributing its rows: an ACLED import is for the user's "
    "own comparison and merging, and `kachin-events add` refuses events imported from ACLED."
)


def _cells(*values) -> list[str]:
    from ..codebook import escape_cell

    return [escape_cell(v) for v in values]


def _columns_table(columns, not_imported, theirs: str) -> str:
    from ..codebook import code, markdown_table

    rows = [[code(col), ", ".join(code(f) for f in ours) or "(checked only)", *_cells(how)]
            for col, ours, how in columns]
    rows += [[code(col), "(not imported)", *_cells(why)] for col, why in not_imported]
    return markdown_table([f"{theirs} column", "Our fields", "How"], rows)


def _acled_precision_table() -> str:
    from ..codebook import code, markdown_table

    ours = acled.time_precision_codes()
    rows = [[code(n), ", ".join(code(v) for v, c in ours.items() if c == n), *_cells(rule)]
            for n, rule in acled.TIME_PRECISION_RULE]
    return markdown_table(["ACLED time_precision", "Our date_precision (narrowest that holds the range)",
                           "Date range"], rows)


def _ucdp_precision_tables() -> str:
    from ..codebook import code, markdown_table

    date_rows = [[code(theirs), code(ours)] for ours, theirs in ucdp.date_prec_codes().items()]
    where_rows = []
    for w in sorted({*ucdp.WHERE_PREC_ADMIN, *ucdp.WHERE_PREC_UNMAPPED}):
        geo = ucdp.geo_precision(w)
        if w in ucdp.WHERE_PREC_ADMIN:
            where_rows.append([code(w), code(geo), *_cells(ucdp.WHERE_PREC_ADMIN[w][1])])
        else:
            where_rows.append([code(w), "(row unmapped)", *_cells(f"Not imported: {ucdp.WHERE_PREC_UNMAPPED[w]}.")])
    return "\n\n".join([
        markdown_table(["UCDP date_prec", "Our date_precision"], date_rows),
        markdown_table(["UCDP where_prec", "Our geo_precision", "Admin units known"], where_rows),
    ])


def _violence_table() -> str:
    from ..codebook import code, markdown_table

    rows = []
    for n, m in sorted(ucdp.TYPE_OF_VIOLENCE.items()):
        target = {True: "true", False: "false", None: "empty (unknown)"}[m["civilian_targeting"]]
        rows.append([code(n), *_cells(m["label"]), code(m["event_type"]), code(m["sub_event_type"]), target,
                     *_cells(m["why"])])
    return markdown_table(["type_of_violence", "UCDP type", "Our event_type", "Our sub_event_type",
                           "civilian_targeting", "Why"], rows)


def _aliases_table(package) -> str:
    from ..codebook import code, markdown_table
    from ..tables import read_tables

    tables = read_tables(package)
    rows = [[*_cells(r["alias"]), code(r["actor_id"]), *_cells(r["note"])]
            for r in tables["actor_aliases"].sort("alias").iter_rows(named=True)]
    return markdown_table(["Alias", "Actor", "Where the name is used"], rows)


def render_import_mappings(package=None, *, level: int = 3) -> str:
    """Every import mapping as Markdown: columns, codes, rules, and the actor aliases.

    Parameters
    ----------
    package : path, optional
        The ``datapackage.json`` whose actor aliases are listed (default: the snapshot
        shipped with the package).
    level : int
        The heading level of the sections (3 gives ``###``).

    Returns
    -------
    str
        Markdown, ending with a newline.
    """
    h = "#" * level
    parts = [
        f"{h} Importing ACLED", "",
        "`kachin-events import-acled` reads ACLED's current and older export layouts (CSV or XLSX; actor types "
        "as numbers or text; dates as 2021-01-02, 2021-01-02T00:00:00Z or 02 January 2021; NA or an empty cell "
        "for no value).", "",
        _columns_table(acled.COLUMNS, acled.NOT_IMPORTED, "ACLED"), "",
        *(f"`{f}` is {v}: {why}" for f, v, why in acled.NO_COLUMN), "",
        f"{h}# ACLED dates", "", _acled_precision_table(), "",
        f"{h}# ACLED fatalities", "", acled.FATALITIES_RULE, "",
        f"{h} Importing UCDP", "",
        "`kachin-events import-ucdp` reads UCDP's GED and Candidate event files (CSV; dates as 2023-10-14 or "
        "2023-10-14 00:00:00.000). Both hold only events with at least one death: an event of ours without a "
        "known death may have no UCDP counterpart at all.", "",
        _columns_table(ucdp.COLUMNS, ucdp.NOT_IMPORTED, "UCDP"), "",
        f"{h}# UCDP type_of_violence", "",
        "UCDP records no event type; each type_of_violence is mapped to the closest ACLED event type by this "
        "rule, and the imported event's notes and link say the types were chosen by it.", "",
        _violence_table(), "",
        f"{h}# UCDP precision codes", "", _ucdp_precision_tables(), "",
        f"{h}# UCDP fatalities", "", ucdp.FATALITIES_RULE, "",
        f"{h} Places, actors, sources and links", "",
        PLACES_RULE, "", ACTOR_MATCHING, "", SOURCES_RULE, "", PROVENANCE_RULE, "",
        f"{h}# Actor aliases", "", _aliases_table(package), "",
    ]
    return "\n".join(parts).rstrip() + "\n"


__all__ = ["ACTOR_MATCHING", "PLACES_RULE", "PROVENANCE_RULE", "SOURCES_RULE", "acled", "render_import_mappings",
           "ucdp"]
