"""The codebook page (``codebook.md``) and the two references it links to, generated from
``schemas/``, the rules and the data.

Rendering of the tables, fields, usage warnings and rules lives in
:mod:`kachin_events.codebook`; this module puts the pages together for the site, with the
typed tables of the data (``SiteData.tables``) so that every field's example and every
warning's count of affected rows is computed while the site is built:

* ``codebook.md``: the data tables, events first, then claims and sources, then the
  reference tables; the usage warnings; the flat view;
* ``rules.md``: every validation rule in one table (each links to its section in the
  contributor guide);
* ``acled-ucdp-mappings.md``: how the ACLED- and UCDP-layout exports and the importers map
  our fields to the other datasets' columns and codes.
"""

from __future__ import annotations

from kachin_events import codebook

#: ``{{ke NAME}}`` directives of this module (merged into kedocs_content.all_directives).
DIRECTIVES: dict = {}

RULES_PAGE = "rules.md"
#: Material's page settings for a page of wide tables: no navigation sidebar, to give them room.
_WIDE = ["---", "hide:", "  - navigation", "---", ""]
MAPPINGS_PAGE = "acled-ucdp-mappings.md"


def _rule_href(rule_id: str) -> str:
    return f"contributing.md#{codebook.rule_anchor(rule_id)}"


def _field_href(table: str, field: str) -> str:
    return f"codebook.md#{codebook.field_anchor(table, field)}"


def rules_page(data) -> str:
    """``rules.md``: every rule the validator applies, in two tables (every file and table; cross-field)."""
    every = [r for r in data.rules if r.table == "*"]
    cross = [r for r in data.rules if r.table != "*"]
    return "\n".join([
        *_WIDE, "# Validation rules", "",
        "Every rule the validator applies, with its id (findings name it), its severity, what it requires and "
        "how to fix a finding; generated from `kachin_events.rules.RULES`. Each id links to its section in the "
        "[contributor guide](contributing.md#messages), which says what a finding means.", "",
        "## Every file and table {#every-file-and-table}", "",
        "Checks of every file and table against its Table Schema, made by both validation engines: the "
        "[codebook](codebook.md) gives each field's type, whether it is required and its allowed values.", "",
        '<div class="ke-rules" markdown>', "", codebook.render_rules_table(every, rule_href=_rule_href, scope=False),
        "", "</div>", "",
        "## Cross-field checks {#cross-field-checks}", "",
        "Checks of one table's rows (or of a row against the other tables), named in the codebook beside the "
        "fields they check.", "",
        '<div class="ke-rules" markdown>', "", codebook.render_rules_table(cross, rule_href=_rule_href), "",
        "</div>", "",
    ])


def mappings_page(data) -> str:
    """``acled-ucdp-mappings.md``: the exports' columns and codes, and the importers' mappings."""
    from kachin_events.crosswalk import render_import_mappings

    return "\n".join([
        *_WIDE, "# ACLED and UCDP: columns and codes", "",
        "How our fields map to ACLED's and UCDP GED's columns and codes, generated from the exporters "
        "(`kachin_events.exports`), the importers' crosswalk (`kachin_events.crosswalk`) and the schemas. "
        "Field names link to their rows in the [codebook](codebook.md); see [ACLED and UCDP](acled-ucdp.md) "
        "for how to use the exports and the importers.", "",
        codebook.render_mappings(data.schemas, level=2, field_href=_field_href),
        "## Importing ACLED and UCDP {#importing}", "",
        "How `kachin-events import-acled` and `import-ucdp` map each column of the other dataset, generated "
        "from `kachin_events.crosswalk`.", "",
        render_import_mappings(data.root / "datapackage.json", level=3),
    ])


def generated(data) -> dict[str, str]:
    """The generated files of this module: docs path -> content."""
    page = codebook.render_codebook(data.schemas, data.rules, tables=data.tables, rule_href=_rule_href,
                                    rules_page=RULES_PAGE, mappings_page=MAPPINGS_PAGE)
    return {"codebook.md": page, RULES_PAGE: rules_page(data), MAPPINGS_PAGE: mappings_page(data)}
