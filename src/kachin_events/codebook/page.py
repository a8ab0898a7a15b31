"""The whole codebook page, and the CSV templates, from the schemas, the rules and (optionally) the data.

Examples
--------
>>> text = render_codebook()
>>> text.index("### events") < text.index("### event_sources") < text.index("### locations")
True
"""

from __future__ import annotations

import re
from typing import Callable, Iterable

from ._defaults import rules_or_default, schemas_or_default
from .markdown import escape_cell, field_anchor, heading_id, markdown_table
from .mappings import (render_acled_columns, render_differences, render_precision_mappings, render_ucdp_columns,
                       render_violence_mapping)
from .rule_docs import render_rules_table
from .tables import render_table, table_groups
from .usage_warnings import check_warnings, render_warnings_table


def _tables_summary(schemas, groups, anchors: bool, tables) -> str:
    """Every table in the codebook's order: name, fields, rows in the data (when given), what a row is."""
    rows = []
    for _, _, names in groups:
        for name in names:
            s = schemas[name]
            rows.append([f"[{name}](#{name})" if anchors else name, len(s.fields),
                         *([f"{tables[name].height:,}"] if tables is not None else []), escape_cell(s.description)])
    header = ["Table", "Fields", *(["Rows"] if tables is not None else []), "What one row is"]
    return markdown_table(header, rows)


def _ucdp_section(schemas, field_href, anchors: bool) -> list[str]:
    from ..exports import UCDP_DIFFERENCES

    return [
        f"### UCDP GED columns{heading_id('ucdp-ged-columns', anchors)}", "",
        '!!! note "UCDP GED holds only events with at least one death"', "",
        "    GED records an event only when at least one person was killed. This dataset and its GED-layout "
        "export hold every coded event, with or without a known death (`fatalities_best` empty is *unknown*). "
        "To compare with GED, keep the rows with `best` of 1 or more and a `type_of_violence`.", "",
        "The columns of the UCDP GED-layout export, in GED's order, and the fields of ours each is made from. "
        "`date_prec` and `where_prec` come from the [precision codes](#precision-codes) mapped in this "
        "section, `type_of_violence` from the [rule that follows](#ucdp-type-of-violence).", "",
        render_ucdp_columns(schemas=schemas, field_href=field_href), "",
        f"### UCDP type_of_violence{heading_id('ucdp-type-of-violence', anchors)}", "",
        "How the export sets `type_of_violence` (1 state-based, 2 non-state, 3 one-sided) from our "
        "`event_type` and the ACLED actor types (`actors.acled_inter`) of `actor1` and `actor2`. The table is "
        "computed by running the export's own rule on every event type and actor type.", "",
        render_violence_mapping(schemas), "",
        f"### Where our data differs from UCDP GED's{heading_id('ucdp-differences', anchors)}", "",
        render_differences(UCDP_DIFFERENCES, "UCDP GED layout"), "",
    ]


def render_codebook(schemas=None, rules=None, *, anchors: bool = True, title: str | None = "Codebook",
                    rule_href: Callable[[str], str] | None = None,
                    acled_differences: Iterable[tuple[str, str, str]] | None = None,
                    tables: dict | None = None) -> str:
    """The full codebook: usage warnings, every table and field, the rules, the ACLED/UCDP mappings.

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
        _tables_summary(schemas, groups, anchors, tables), "",
        "Empty cells mean *unknown* or *not applicable*: a field that is not required may be left empty, "
        "and an empty cell is never the same as 0.", "",
        f"## Before you use the data{heading_id('usage-warnings', anchors)}", "",
        "What an analyst must know before using these tables"
        + (", with the number of rows each applies to in this release." if tables is not None else "."), "",
        render_warnings_table(tables, anchors=anchors, field_href=field_href), "",
    ]
    for gid, gtitle, names in groups:
        parts += [f"## {gtitle}{heading_id(gid, anchors)}", ""]
        for name in names:
            parts += [render_table(schemas[name], rules=rules, level=3, anchors=anchors, rule_href=rule_href,
                                   field_href=field_href, tables=tables), ""]
    from ..flat import render_flat_section

    parts += [render_flat_section(anchors=anchors, field_href=field_href), ""]
    parts += [
        f"## Validation rules{heading_id('validation-rules', anchors)}", "",
        "Every rule the validator applies, with its id (findings name it), its severity and the fix. "
        "Rules that apply to every table come from the schemas; the others are cross-field checks.", "",
        '<div class="ke-rules" markdown>', "", render_rules_table(rules, rule_href=rule_href), "", "</div>", "",
        f"## ACLED and UCDP{heading_id('acled-and-ucdp', anchors)}", "",
        f"### Precision codes{heading_id('precision-codes', anchors)}", "",
        render_precision_mappings(schemas, field_href=field_href), "",
        f"### ACLED columns{heading_id('acled-columns', anchors)}", "",
        "The columns of the ACLED-layout export, in ACLED's order, and the fields of ours each is made from.", "",
        render_acled_columns(schemas=schemas, field_href=field_href), "",
    ]
    from ..exports import ACLED_DIFFERENCES

    acled_differences = ACLED_DIFFERENCES if acled_differences is None else acled_differences
    if acled_differences:
        parts += [f"### Where our data differs from ACLED's{heading_id('acled-differences', anchors)}", "",
                  render_differences(acled_differences), ""]
    parts += _ucdp_section(schemas, field_href, anchors)
    return re.sub(r"\n{3,}", "\n\n", "\n".join(parts)).rstrip() + "\n"


def csv_template(table: str, schemas=None) -> str:
    """An empty CSV for one table: its header row, columns in the schema's order.

    Examples
    --------
    >>> csv_template("event_actors")
    'event_id,actor_id,side\\n'
    """
    return ",".join(schemas_or_default(schemas)[table].field_names) + "\n"

