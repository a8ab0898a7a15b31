"""The codebook page (``codebook.md``): generated from ``schemas/``, the rules and the data.

Rendering of the tables, fields, usage warnings and rules lives in
:mod:`kachin_events.codebook`; this module puts the page together for the site, with the
typed tables of the data (``SiteData.tables``) so that every field's example and every
warning's count of affected rows is computed while the site is built.
"""

from __future__ import annotations

from kachin_events import codebook

#: ``{{ke NAME}}`` directives of this module (merged into kedocs_content.all_directives).
DIRECTIVES: dict = {}


def generated(data) -> dict[str, str]:
    """The generated files of this module: docs path -> content."""
    from kachin_events.crosswalk import render_import_mappings

    page = codebook.render_codebook(
        data.schemas, data.rules, tables=data.tables,
        rule_href=lambda rid: f"contributing.md#{codebook.rule_anchor(rid)}") + (
        "\n## Importing ACLED and UCDP {#importing}\n\n"
        "How `kachin-events import-acled` and `import-ucdp` map each column of the other dataset, generated "
        "from `kachin_events.crosswalk`. See [ACLED and UCDP](acled-ucdp.md) for how to use them.\n\n"
        + render_import_mappings(data.root / "datapackage.json", level=3))
    return {"codebook.md": page}
