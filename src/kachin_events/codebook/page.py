"""The whole codebook page, the pages it links to, and the CSV templates.

The codebook proper (:func:`render_codebook`) is the data tables, events first, with the
usage warnings and the flat view. The two long references it links to can be rendered on
pages of their own: the validation rules (:func:`~kachin_events.codebook.render_rules_table`)
and the ACLED and UCDP mappings (:func:`render_mappings`); without a page to link to, the
codebook holds them in full.

Examples
--------
>>> text = render_codebook()
>>> text.index("### events") < text.index("### event_sources") < text.index("### locations")
True
>>> short = render_codebook(rules_page="rules.md", mappings_page="acled-ucdp-mappings.md")
>>> "| `date-order` |" in text, "| `date-order` |" in short
(True, False)
"""

from __future__ import annotations

import re
from typing import Callable, Iterable

from ._defaults import rules_or_default, schemas_or_default
from .fields import type_legend
from .markdown import escape_cell, field_anchor, heading_id, markdown_table, plural
from .mappings import (render_acled_columns, render_differences, render_precision_mappings, render_ucdp_columns,
                       render_violence_mapping)
from .rule_docs import render_rules_table
from .tables import render_table, table_groups
from .usage_warnings import check_warnings, render_warnings_table


def _first_sentence(text: str) -> str:
    """The first sentence of a table's description: what one row is."""
    m = re.match(r"(.+?\.)(\s|$)", text)
    return m.group(1) if m else text


def _tables_summary(schemas, groups, anchors: bool, tables) -> str:
    """Every table in the codebook's order: name, fields, rows in the data (when given), what a row is."""
    rows = []
    for _, _, names in groups:
        for name in names:
            s = schemas[name]
            rows.append([f"[{name}](#{name})" if anchors else name, len(s.fields),
                         *([f"{tables[name].height:,}"] if tables is not None else []),
                         escape_cell(_first_sentence(s.description))])
    header = ["Table", "Fields", *(["Rows"] if tables is not None else []), "What one row is"]
    return markdown_table(header, rows)


def _flat_section(anchors: bool, field_href) -> str:
    """The flat view's section (:func:`kachin_events.flat.render_flat_section`); on the site its list
    of columns, which repeats the descriptions of the fields each is made from, is folded away
    under a line that opens it (the columns' ids and text stay in the page and its search)."""
    from ..flat import render_flat_section

    text = render_flat_section(anchors=anchors, field_href=field_href)
    if not anchors:
        return text
    lines = text.rstrip("\n").split("\n")
    start = next(i for i, line in enumerate(lines) if line.startswith("| "))
    folded = ['??? info "The columns of the flat view: where each comes from and what it holds (select to open)"', ""]
    folded += [f"    {line}" if line else "" for line in lines[start:]]
    return "\n".join(['<div class="ke-flat" markdown>', "", *lines[:start], *folded, "", "</div>"])


def _ucdp_section(schemas, field_href, anchors: bool, level: int) -> list[str]:
    from ..exports import UCDP_DIFFERENCES

    h = "#" * level
    return [
        f"{h} UCDP GED columns{heading_id('ucdp-ged-columns', anchors)}", "",
        '!!! note "UCDP GED holds only events with at least one death"', "",
        "    GED records an event only when at least one person was killed. This dataset and its GED-layout "
        "export hold every coded event, with or without a known death (`fatalities_best` empty is *unknown*). "
        "To compare with GED, keep the rows with `best` of 1 or more and a `type_of_violence`.", "",
        "The columns of the UCDP GED-layout export, in GED's order, and the fields of ours each is made from. "
        "`date_prec` and `where_prec` come from the [precision codes](#precision-codes) mapped in this "
        "section, `type_of_violence` from the [rule that follows](#ucdp-type-of-violence).", "",
        render_ucdp_columns(schemas=schemas, field_href=field_href), "",
        f"{h} UCDP type_of_violence{heading_id('ucdp-type-of-violence', anchors)}", "",
        "How the export sets `type_of_violence` (1 state-based, 2 non-state, 3 one-sided) from our "
        "`event_type` and the ACLED actor types (`actors.acled_inter`) of `actor1` and `actor2`. The table is "
        "computed by running the export's own rule on every event type and actor type.", "",
        render_violence_mapping(schemas), "",
        f"{h} Where our data differs from UCDP GED's{heading_id('ucdp-differences', anchors)}", "",
        render_differences(UCDP_DIFFERENCES, "UCDP GED layout"), "",
    ]


def render_mappings(schemas=None, *, anchors: bool = True, level: int = 3,
                    field_href: Callable[[str, str], str] | None = None,
                    acled_differences: Iterable[tuple[str, str, str]] | None = None) -> str:
    """How the ACLED- and UCDP-layout exports are made: precision codes, columns, type_of_violence, differences.

    Parameters
    ----------
    schemas : dict, optional
        Table schemas keyed by name (default: :func:`kachin_events.load_schemas`).
    anchors : bool
        Give every section an id (``precision-codes``, ``acled-columns``, ``ucdp-type-of-violence`` ...).
    level : int
        The heading level of the sections (3 gives ``###``).
    field_href : callable, optional
        ``field_href(table, field) -> str``: where a field of ours links to (its row in the codebook).
    acled_differences : sequence of (topic, ours, ACLED's), optional
        Default :data:`kachin_events.exports.ACLED_DIFFERENCES`.

    Examples
    --------
    >>> text = render_mappings(anchors=False, level=2)
    >>> [line for line in text.splitlines() if line.startswith("## ")][:2]
    ['## Precision codes', '## ACLED columns']
    """
    from ..exports import ACLED_DIFFERENCES

    schemas = schemas_or_default(schemas)
    h = "#" * level
    parts = [
        f"{h} Precision codes{heading_id('precision-codes', anchors)}", "",
        render_precision_mappings(schemas, field_href=field_href), "",
        f"{h} ACLED columns{heading_id('acled-columns', anchors)}", "",
        "The columns of the ACLED-layout export, in ACLED's order, and the fields of ours each is made from.", "",
        render_acled_columns(schemas=schemas, field_href=field_href), "",
    ]
    acled_differences = ACLED_DIFFERENCES if acled_differences is None else acled_differences
    if acled_differences:
        parts += [f"{h} Where our data differs from ACLED's{heading_id('acled-differences', anchors)}", "",
                  render_differences(acled_differences), ""]
    parts += _ucdp_section(schemas, field_href, anchors, level)
    return "\n".join(parts).rstrip() + "\n"


def _rules_summary(rules, rules_page: str, anchors: bool) -> list[str]:
    errors = sum(r.severity == "error" for r in rules)
    cross = sum(r.check is not None for r in rules)
    return [
        f"## Validation rules{heading_id('validation-rules', anchors)}", "",
        f"The validator applies {plural(len(rules), 'rule')} ({errors} errors, {len(rules) - errors} warnings): "
        f"{len(rules) - cross} checks of every file and table against its schema, and {cross} cross-field checks "
        "named in the rows of the fields they check above. "
        f"[Every rule, with what it requires and how to fix a finding]({rules_page}).", "",
    ]


def _mappings_summary(mappings_page: str, anchors: bool) -> list[str]:
    return [
        f"## ACLED and UCDP{heading_id('acled-and-ucdp', anchors)}", "",
        "The ACLED- and UCDP-layout exports and the importers map these fields to the other datasets' "
        f"columns and codes: [precision codes]({mappings_page}#precision-codes), "
        f"[ACLED columns]({mappings_page}#acled-columns), [UCDP GED columns]({mappings_page}#ucdp-ged-columns) "
        f"(GED holds only events with at least one death), [UCDP type_of_violence]({mappings_page}"
        f"#ucdp-type-of-violence), and [how each importer maps the other dataset]({mappings_page}#importing).", "",
    ]


def render_codebook(schemas=None, rules=None, *, anchors: bool = True, title: str | None = "Codebook",
                    rule_href: Callable[[str], str] | None = None,
                    acled_differences: Iterable[tuple[str, str, str]] | None = None,
                    tables: dict | None = None, rules_page: str | None = None,
                    mappings_page: str | None = None) -> str:
    """The codebook: usage warnings, every table and field, the flat view, the rules, the ACLED/UCDP mappings.

    Parameters
    ----------
    schemas : dict, optional
        Table schemas keyed by name (default: :func:`kachin_events.load_schemas`).
    rules : sequence of Rule, optional
        Default: :data:`kachin_events.RULES`.
    anchors : bool
        Give every table, field and section an id (Python-Markdown's attr_list and raw HTML
        ids); turn off for plain Markdown.
    title : str or None
        The page's first heading; None for none.
    rule_href : callable, optional
        ``rule_href(rule_id) -> str``: where a rule's id links to.
    acled_differences : sequence of (topic, ours, ACLED's), optional
        Rendered as a table of what the ACLED layout loses; default
        :data:`kachin_events.exports.ACLED_DIFFERENCES`.
    tables : dict, optional
        The typed tables of the data (:func:`kachin_events.tables.read_tables`): the
        examples in the field tables and the counts of the usage warnings come from them.
        Without them the codebook has neither.
    rules_page, mappings_page : str, optional
        Where the table of every rule (:func:`~kachin_events.codebook.render_rules_table`) and the
        ACLED and UCDP mappings (:func:`render_mappings`) are: the codebook then says what they hold
        and links there instead of holding them.

    Returns
    -------
    str
        Markdown.
    """
    schemas = schemas_or_default(schemas)
    rules = rules_or_default(rules)
    check_warnings(schemas)
    field_href = (lambda t, f: f"#{field_anchor(t, f)}") if anchors else None
    groups = table_groups(schemas)
    parts = []
    if anchors:
        # Material's page settings: the page is wide tables, so the navigation sidebar is hidden
        # to give them room; and the search ranks this page first, since it defines every field.
        parts += ["---", "hide:", "  - navigation", "search:", "  boost: 3", "---", ""]
    parts += [f"# {title}", ""] if title else []
    parts += [
        "Generated from the Table Schemas in `schemas/` and the rules in `kachin_events.rules`; "
        "it cannot differ from what the validator checks."
        + (" Examples and counts come from this release's data." if tables is not None else ""), "",
        f"## Tables{heading_id('tables', anchors)}", "",
        *(['<div class="ke-summary" markdown>', ""] if anchors else []),
        _tables_summary(schemas, groups, anchors, tables), "",
        *(["</div>", ""] if anchors else []),
        f"## Before you use the data{heading_id('usage-warnings', anchors)}", "",
        render_warnings_table(tables, anchors=anchors, field_href=field_href), "",
        "Empty cells mean *unknown* or *not applicable*: a field that is not required may be left empty, "
        "and an empty cell is never the same as 0. " + type_legend()
        + " *Required* `key` marks a field of the table's key: required, and unique together with the key's "
        "other fields.", "",
    ]
    shared: dict = {}
    for gid, gtitle, names in groups:
        parts += [f"## {gtitle}{heading_id(gid, anchors)}", ""]
        for name in names:
            parts += [render_table(schemas[name], rules=rules, level=3, anchors=anchors, rule_href=rule_href,
                                   field_href=field_href, tables=tables, shared=shared,
                                   schemas=schemas), ""]
    parts += [_flat_section(anchors, field_href), ""]
    if rules_page:
        parts += _rules_summary(rules, rules_page, anchors)
    else:
        parts += [
            f"## Validation rules{heading_id('validation-rules', anchors)}", "",
            "Every rule the validator applies, with its id (findings name it), its severity and the fix. "
            "Rules that apply to every table come from the schemas; the others are cross-field checks.", "",
            '<div class="ke-rules" markdown>', "", render_rules_table(rules, rule_href=rule_href), "", "</div>", "",
        ]
    if mappings_page:
        parts += _mappings_summary(mappings_page, anchors)
    else:
        parts += [f"## ACLED and UCDP{heading_id('acled-and-ucdp', anchors)}", "",
                  render_mappings(schemas, anchors=anchors, level=3, field_href=field_href,
                                  acled_differences=acled_differences), ""]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(parts)).rstrip() + "\n"


def csv_template(table: str, schemas=None) -> str:
    """An empty CSV for one table: its header row, columns in the schema's order.

    Examples
    --------
    >>> csv_template("event_actors")
    'event_id,actor_id,side\\n'
    """
    return ",".join(schemas_or_default(schemas)[table].field_names) + "\n"
