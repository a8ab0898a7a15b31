"""Every validation rule: its id, severity, description, fix and check.

This module and ``schemas/`` are the single source of truth for validation. The rules
whose ``check`` is None are derived from the Table Schemas and enforced by both
engines (frictionless and pandera); the others are vectorised polars checks that
:mod:`kachin_events.validation.engines` runs inside pandera. The documentation's list of rules,
and the codebook's, are generated from :data:`RULES`.

A check takes the table's typed frame and a :class:`Context` and returns a boolean
Series, True where the row passes. A check passes rows whose inputs are empty: the
``required`` rule speaks for empty cells, so nobody is told the same thing twice. The
checks themselves live in :mod:`kachin_events.rule_checks`; this module is where the
rest of the package finds them, with the registry.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Callable

from . import rule_checks as _checks
from .validation.findings import ERROR, WARNING
# Re-exported: the rest of the package imports them from here.
from .rule_checks import claims_span, duplicate_pairs, possible_duplicates

__all__ = ["BORDER_WARNING_KM", "KACHIN_BBOX", "PRECISION_MAX_SPAN", "PRECISION_MIN_SPAN", "RULES", "Context",
           "Rule", "claims_span", "duplicate_pairs", "get_rule", "possible_duplicates", "table_rules"]

#: A rectangle around Kachin State (WGS84), for drawing maps only; the rules use MIMU's
#: state and township polygons (:mod:`kachin_events.geometry`).
KACHIN_BBOX = {"lat_min": 23.5, "lat_max": 28.6, "lon_min": 95.8, "lon_max": 98.8}
#: A point outside its stated township by more than the border tolerance
#: (:data:`kachin_events.geometry.TOLERANCE_KM`) but by at most this many km is a
#: warning (a place near a border, coded to the township its people name); farther, an error.
BORDER_WARNING_KM = 5.0
#: Longest span (days, date_end - date_start) each date precision allows.
PRECISION_MAX_SPAN = {"day": 0, "days": 5, "week": 6, "month": 30, "year": 365}
PRECISION_MIN_SPAN = {"day": 0, "days": 1, "week": 1, "month": 1, "year": 1}


@dataclass
class Context:
    """What the cross-field checks may look at besides the table itself.

    Attributes
    ----------
    tables : dict
        Typed polars frames of every table known in this run: the input's and the
        repository's reference tables (actors, locations, sources ...).
    present : set of str
        Tables the input itself provides (a lone events file provides no
        event_sources, so "every event has a source" cannot be judged there).
    today : datetime.date
        The date "in the future" is measured from.
    """

    tables: dict = field(default_factory=dict)
    present: set = field(default_factory=set)
    today: dt.date = field(default_factory=dt.date.today)


@dataclass(frozen=True)
class Rule:
    """A validation rule.

    Attributes
    ----------
    id : str
        Stable id, used in reports and documentation. Never reused for another meaning.
    table : str
        The table it applies to, or ``"*"`` for rules derived from every schema.
    field : str or None
        The field a finding points at.
    severity : str
        ``"error"`` or ``"warning"``.
    description : str
        One line saying what the rule requires.
    fix : str
        How to fix a finding.
    check : callable or None
        ``check(frame, context) -> polars.Series`` of booleans; None for the
        schema-derived rules.
    inputs : tuple of str
        The fields a cross-field check reads. When one of them already has a
        field-level error in a row, the check's finding there is dropped: one cause,
        one finding.
    detail : callable or None
        ``detail(frame, context) -> polars.Series`` of strings added to a finding's
        message (for example the other event of a possible duplicate).
    reads : tuple of (str, tuple of str)
        The tables (and their fields) the check and its detail read from the context,
        besides the row's own cells: a rule that reads its own table compares rows with
        each other. A file read in chunks is checked by such a rule only once every
        chunk is read, on these fields of all its rows
        (:mod:`kachin_events.validation.chunked`); a test holds the declaration to what
        the check reads.
    """

    id: str
    table: str
    field: str | None
    severity: str
    description: str
    fix: str
    check: Callable | None = None
    inputs: tuple = ()
    detail: Callable | None = None
    reads: tuple = ()

    def read_tables(self) -> set:
        """The tables :attr:`reads` names."""
        return {table for table, _ in self.reads}


def _S(id, severity, description, fix):
    return Rule(id, "*", None, severity, description, fix)


#: Every validation rule (:class:`Rule`): its id, table, field, severity, what it requires and
#: how to fix a finding. :func:`get_rule` finds one by id.
RULES: tuple[Rule, ...] = (
    # Rules derived from the Table Schemas (both engines).
    _S("unreadable", ERROR, "The file can be read: it exists, is UTF-8 and is valid CSV, XLSX or JSON.",
       "Save the file as UTF-8 CSV (or XLSX/JSON) and check the path."),
    _S("empty-file", ERROR, "The file has a header row, and a submission has at least one row under its headers.",
       "Add the header row with the table's column names, and at least one row of data under it."),
    _S("missing-column", ERROR, "Every column of the table is present (an optional one missing is a warning).",
       "Add the column, with its exact name, even if its cells stay empty."),
    _S("unknown-column", ERROR, "Every column is one of the table's columns.",
       "Rename the column to the schema's name or remove it; propose new columns in an issue."),
    _S("duplicate-column", ERROR, "No column name appears twice.", "Remove or rename the second column."),
    _S("column-order", WARNING, "Columns are in the schema's order (the canonical form).",
       "Reorder the columns as the codebook lists them."),
    _S("blank-row", WARNING, "No row is empty.", "Delete the empty row."),
    _S("column-name", WARNING, "Each column name is written exactly as the schema writes it (lower case, no spaces around it); a name in another case or with stray spaces is read as its column.",
       "Rename the column to the name the finding gives."),
    _S("title-row", WARNING, "A file's or sheet's header is its first row; rows of a title or notes above it are skipped (row numbers stay the spreadsheet's).",
       "Nothing to fix if the skipped rows are a title; otherwise put the column names in the first row."),
    _S("instruction-sheet", WARNING, "A workbook's sheets hold tables; a sheet of instructions or notes (no row of column names in its first 20) is not read.",
       "Nothing to fix if the sheet is instructions (start its name with _ to skip it without a word); if it holds data, give it a header row."),
    _S("cell-too-long", ERROR, "No cell holds more than 100,000 characters (the setting KACHIN_EVENTS_MAX_CELL_CHARS).",
       "Shorten the cell: a summary, with the full text cited as a source."),
    _S("formula-cell", ERROR, "No text cell begins with =, +, -, @, a tab or a carriage return followed by more text (a spreadsheet would run it as a formula); numbers and a lone - are not formulas.",
       "Rewrite the start of the text so it begins with a letter, digit or quote."),
    _S("extra-cells", ERROR, "No row has more cells than the header.",
       "Quote values that contain commas, or remove the stray cells."),
    _S("type", ERROR, "Each cell has the field's type (integer, number, date YYYY-MM-DD, boolean true/false) and format (a web address with its scheme where the format is uri).",
       "Write the value in the type's form; leave the cell empty if the value is unknown."),
    _S("required", ERROR, "A required field is not empty.", "Fill in the cell; the codebook says what it holds."),
    _S("enum", ERROR, "The value is one of the field's allowed values.",
       "Use one of the allowed values exactly as written (case and punctuation matter)."),
    _S("pattern", ERROR, "The value matches the field's pattern (ids, P-codes).",
       "Write the id or code in the form the codebook gives, e.g. KE000123 or MMR001010."),
    _S("minimum", ERROR, "The number is not below the field's minimum (e.g. negative fatalities).",
       "Correct the number; leave the cell empty when the figure is unknown."),
    _S("maximum", ERROR, "The number is not above the field's maximum.", "Correct the number."),
    _S("min-length", ERROR, "The text is not shorter than the field's minimum length.",
       "Write a fuller value (notes need at least a sentence)."),
    _S("unique", ERROR, "The value is unique in its column.", "Give each row its own value."),
    _S("primary-key", ERROR, "The row's key (e.g. event_id) is unique, across the repository too.",
       "Use a new id; ids of removed events are never reused."),
    _S("foreign-key", ERROR, "The code refers to an existing row of the referenced table (actor, place, source, event).",
       "Use a code from the referenced table, or add the missing actor/place/source in the same submission."),
    _S("engine-error", ERROR, "Both validation engines could run on the table.",
       "Nothing to fix in the data: this is a bug in kachin-events; please report it."),
    _S("unlisted-file", ERROR, "Every data file under data/ is listed in datapackage.json.",
       "Add the file's path to its resource in datapackage.json, or remove the file."),
    _S("invisible-character", WARNING, "No text cell holds characters a reader cannot see (zero-width spaces, direction marks, control characters).",
       "Delete them: retype the text, or paste it as plain text."),
    _S("zawgyi", ERROR, "Burmese text is in Unicode, not the Zawgyi encoding (a myanmartools probability of 0.99 or more).",
       "Convert the text to Unicode (a Zawgyi-to-Unicode converter), or retype it with a Unicode keyboard."),
    _S("personal-data", WARNING, "No free-text cell (a text field without allowed values, a pattern or a format: notes, names, titles, claimants) holds a phone number, an e-mail address or a Myanmar National Registration Card number.",
       "Remove it: the dataset publishes no contact details or identity numbers of private people (victims, witnesses, sources); describe the person by role."),
    _S("not-nfc", WARNING, "Text is in Unicode NFC: composed characters (é as one character, not e and a combining accent); in Burmese, an asat and a dot below may come in either order.",
       "Nothing to retype: `kachin-events add` and `kachin-events fmt` write text in NFC."),
    _S("workbook-formula", ERROR, "No data cell of a submitted workbook holds a formula: values only.",
       "Copy the cells and paste them back as values only (Paste special, Values)."),
    _S("table-name", WARNING, "A contributed file, sheet or JSON key is named after the table it holds.",
       "Rename the file or sheet to the table's name (for example events.csv, or a sheet named event_sources)."),
    # Contributing: names instead of codes, the report folder, and the base a pull request starts from.
    _S("unknown-name", ERROR, "A name written instead of a code (a place, an actor, a claimant) is in the reference tables.",
       "Pick one of the names the finding suggests, write the code instead, or add the place, actor or claimant first."),
    _S("ambiguous-name", ERROR, "A name written instead of a code names exactly one place, actor or claimant.",
       "Write the code of the one you mean (the finding lists each candidate with its code and township)."),
    _S("descriptor", ERROR, "datapackage.json is a valid Data Package descriptor, and each Table Schema it names a valid Table Schema (checked by frictionless).",
       "Correct the property the finding names (the codebook and schemas/ show the valid forms)."),
    _S("coding-notes", ERROR, "Every report folder under data/reports/ has its coder's notes (CODING.md).",
       "Add a CODING.md to the folder saying how the report was coded: what is uncertain and why."),
    _S("base-removed", ERROR, "No record of the base (the branch or release a change starts from) is removed, unless its event is retired.",
       "Put the record back; to remove an event, retire it with a row in retractions (see the contributor guide)."),
    _S("base-id-reused", ERROR, "No event id that was ever published or retired is given to another event.",
       "Give the new event a new id (`kachin-events add` allocates them); ids are never reused."),
    _S("base-uncorrected-edit", ERROR, "A published event is changed only together with a corrections row for each changed field.",
       "Add a row to data/corrections.csv for each changed field (old value, new value, reason), or undo the edit."),
    # Cross-field rules (pandera dataframe checks).
    Rule("date-order", "events", "date_end", ERROR, "date_end is on or after date_start.",
         "Swap the dates or correct the one that is wrong.", _checks.check_date_order, inputs=('date_start', 'date_end')),
    Rule("date-precision-span", "events", "date_precision", ERROR,
         "The span date_start..date_end fits date_precision (day: same day; days: 2-6 days; week: up to 7; month: up to 31; year: up to 366).",
         "Choose the precision that matches the range, or correct the range.", _checks.check_date_precision_span, inputs=('date_start', 'date_end', 'date_precision')),
    Rule("date-future", "events", "date_end", ERROR, "The event does not end in the future.",
         "Correct the date; an event cannot be coded before it happens.", _checks.check_date_future, inputs=('date_end',)),
    Rule("date-after-publication", "events", "date_end", ERROR,
         "The event ends no later than the latest publication date of its latest source.",
         "Correct the dates, or the source's publication_date_latest; a source cannot report what happened after it was published.",
         _checks.check_date_after_publication, inputs=('event_id', 'date_end'), reads=(('event_sources', ('event_id', 'source_id')), ('sources', ('source_id', 'publication_date_latest')))),
    Rule("sub-event-type", "events", "sub_event_type", ERROR, "sub_event_type belongs to event_type in ACLED's taxonomy.",
         "Pick the sub-event type from the event type's own list (see the codebook), or change the event type.", _checks.check_sub_event_type, inputs=('event_type', 'sub_event_type')),
    Rule("fatalities-order", "events", "fatalities_best", ERROR, "fatalities_low <= fatalities_best <= fatalities_high.",
         "Reorder the figures: low is the smallest credible figure, high the largest.", _checks.check_fatalities_order, inputs=('fatalities_low', 'fatalities_best', 'fatalities_high')),
    Rule("fatalities-best", "events", "fatalities_best", ERROR, "When a low or high figure is given, a best figure is too.",
         "Give the best estimate (it may equal low or high).", _checks.check_fatalities_best, inputs=('fatalities_low', 'fatalities_best', 'fatalities_high')),
    Rule("coords-in-kachin", "events", "latitude", ERROR,
         "The point lies in Kachin State (MIMU's 1:250,000 state boundary, with a 0.5 km tolerance for its scale).",
         "Check the coordinates: latitude comes first, and both are decimal degrees (WGS84).", _checks.geo_check("check_in_state"), inputs=('latitude', 'longitude')),
    Rule("coords-in-township", "events", "admin3_pcode", ERROR,
         f"The point lies in the stated township (admin3_pcode), or at most {BORDER_WARNING_KM:.0f} km outside it "
         "(MIMU's 1:250,000 township boundaries).",
         "Check the point and admin3_pcode: the message names the township the point is in; correct whichever is wrong.",
         _checks.geo_check("check_in_township"), inputs=('latitude', 'longitude', 'admin3_pcode'), detail=_checks.geo_check("township_detail")),
    Rule("coords-township-border", "events", "admin3_pcode", WARNING,
         f"The point is not more than 0.5 km outside the stated township (a point up to {BORDER_WARNING_KM:.0f} km "
         "outside, in the neighbouring township, is flagged).",
         "A place near a border: check which township the source means; if the point and the township are both "
         "right, say so in notes.", _checks.geo_check("check_township_border"), inputs=('latitude', 'longitude', 'admin3_pcode'),
         detail=_checks.geo_check("township_detail")),
    Rule("admin-hierarchy", "events", "admin3_pcode", ERROR,
         "admin2_pcode is a district and admin3_pcode a township in that district (MIMU hierarchy).",
         "Take the township and its district from the gazetteer (data/locations.csv).", _checks.check_admin_hierarchy, inputs=('admin1_pcode', 'admin2_pcode', 'admin3_pcode'), reads=(('locations', ('location_pcode', 'level', 'admin2_pcode')),)),
    Rule("location-in-admin", "events", "location_pcode", ERROR,
         "The place (location_pcode) lies in the event's township and district.",
         "Correct location_pcode or the admin codes; the gazetteer gives each place's township.", _checks.check_location_in_admin, inputs=('location_pcode', 'admin2_pcode', 'admin3_pcode'), reads=(('locations', ('location_pcode', 'admin2_pcode', 'admin3_pcode')),)),
    Rule("location-inactive", "events", "location_pcode", ERROR, "The event's place and admin units are current (active) MIMU units.",
         "Use the unit that replaced it (see the gazetteer's notes).", _checks.check_location_active, inputs=('location_pcode', 'admin2_pcode', 'admin3_pcode'), reads=(('locations', ('location_pcode', 'status')),)),
    Rule("geo-precision-level", "events", "geo_precision", WARNING,
         "geo_precision 1 is used only for a point place (town, village, site), not a township or larger area.",
         "Use geo_precision 3 for an event known only to a township or larger area.", _checks.check_geo_precision_level, inputs=('location_pcode', 'geo_precision'), reads=(('locations', ('location_pcode', 'level')),)),
    Rule("actor-distinct", "events", "actor2", ERROR, "actor1 and actor2 differ.",
         "Leave actor2 empty for a one-sided event; put allies in event_actors.", _checks.check_actor_distinct, inputs=('actor1', 'actor2')),
    Rule("event-has-source", "events", "event_id", ERROR, "Every event has at least one row in event_sources.",
         "Add an event_sources row naming the source and the claimant.", _checks.check_event_has_source, inputs=('event_id',), reads=(('event_sources', ('event_id',)),)),
    Rule("claimant-actor", "event_sources", "claimant_actor_id", ERROR,
         "A party's claimant (spokesperson, source, statement) names the party's actor; other claimants name none.",
         "Fill claimant_actor_id for party claimants, empty it for others.", _checks.check_claimant_actor, inputs=('claimant_type', 'claimant_actor_id')),
    Rule("assoc-actor-distinct", "event_actors", "actor_id", ERROR, "An associated actor is not already the event's actor1 or actor2.",
         "Remove the row; the actor is already a main actor of the event.", _checks.check_assoc_actor_distinct, inputs=('event_id', 'actor_id'), reads=(('events', ('event_id', 'actor1', 'actor2')),)),
    Rule("tag-quantity", "event_tags", "quantity_qualifier", ERROR, "quantity_qualifier is given exactly when quantity is.",
         "Give both (e.g. 20, approximate) or neither.", _checks.check_tag_quantity, inputs=('quantity', 'quantity_qualifier')),
    Rule("publication-date-order", "sources", "publication_date_latest", ERROR,
         "publication_date_latest is on or after publication_date_earliest.", "Correct the range.", _checks.check_publication_order, inputs=('publication_date_earliest', 'publication_date_latest')),
    Rule("publication-date-future", "sources", "publication_date_latest", ERROR, "The source is not published in the future.",
         "Correct the date.", _checks.check_publication_future, inputs=('publication_date_latest',)),
    Rule("source-used", "sources", "source_id", WARNING, "Every source is cited by at least one event.",
         "Link the source from event_sources or remove it.", _checks.check_source_used, inputs=('source_id',), reads=(('event_sources', ('source_id',)),)),
    Rule("claims-span", "events", "fatalities_best", WARNING,
         "fatalities_best lies within what the event's claims span (from the smallest claimed figure to the sum of the largest per side).",
         "Check the event's figure against its claims (event_sources), or say in notes why it lies outside them.", _checks.check_claims_span, inputs=('event_id', 'fatalities_best'),
         detail=_checks.detail_claims_span,
         reads=(('event_sources', ('event_id', 'claimed_fatalities_low', 'claimed_fatalities_high',
                                   'claimed_fatalities_side')),)),
    Rule("possible-duplicate", "events", "event_id", WARNING,
         "No event from another source has overlapping dates, the same township, event type and pair of actors.",
         "If both rows are the same event, keep one id, link both sources to it and retire the other (reason duplicate).", _checks.check_possible_duplicate, inputs=('event_id', 'date_start', 'date_end', 'event_type', 'actor1', 'actor2', 'admin3_pcode'),
         detail=_checks.detail_possible_duplicate,
         reads=(('events', tuple(_checks.KEYED_FIELDS)), ('event_sources', ('event_id', 'source_id')))),
    Rule("claimant-registry", "event_sources", "claimant_type", ERROR,
         "claimant_type and claimant_actor_id agree with the claimant's row in the claimants registry.",
         "Copy the type and actor from data/claimants.csv, or leave both empty to have them filled in.", _checks.check_claimant_registry, inputs=('claimant_id', 'claimant_type', 'claimant_actor_id'), reads=(('claimants', ('claimant_id', 'claimant_type', 'actor_id')),)),
    Rule("claim-fatalities-order", "event_sources", "claimed_fatalities_high", ERROR,
         "claimed_fatalities_low <= claimed_fatalities_high.", "Reorder the claimed figures: low is the smaller.",
         _checks.check_claim_fatalities_order, inputs=('claimed_fatalities_low', 'claimed_fatalities_high')),
    Rule("claim-fatalities-side", "event_sources", "claimed_fatalities_side", ERROR,
         "claimed_fatalities_side is given exactly when a claimed death figure is.",
         "Say whose deaths the figures count (actor1, actor2, civilians, all, unspecified), or empty it when no figure is given.",
         _checks.check_claim_fatalities_side, inputs=('claimed_fatalities_low', 'claimed_fatalities_high', 'claimed_fatalities_side')),
    Rule("correction-field", "corrections", "field", ERROR, "A correction names a field of the events table.",
         "Write the events column's exact name (see the codebook).", _checks.check_correction_field, inputs=('field',)),
    Rule("retired-absent", "retractions", "event_id", ERROR, "A retired event no longer appears in events.",
         "Remove the event and its linked rows (kachin-events retire does it), or delete the retractions row.", _checks.check_retired_absent, inputs=('event_id',), reads=(('events', ('event_id',)),)),
    Rule("retraction-merge", "retractions", "merged_into", ERROR,
         "A duplicate names the event it was merged into (another event); other reasons name none.",
         "Fill merged_into for a duplicate with the id of the event that stays; empty it otherwise.", _checks.check_retraction_merge, inputs=('event_id', 'reason', 'merged_into')),
)

_BY_ID = {r.id: r for r in RULES}


def get_rule(rule_id: str) -> Rule:
    """The rule with this id.

    Examples
    --------
    >>> get_rule("date-order").severity
    'error'
    >>> get_rule("coords-township-border").severity
    'warning'
    """
    return _BY_ID[rule_id]


def table_rules(table: str) -> list[Rule]:
    """The cross-field rules of one table, in registry order."""
    return [r for r in RULES if r.table == table and r.check is not None]
