"""The codebook as Markdown, rendered from ``schemas/`` and :data:`~kachin_events.rules.RULES`.

Every function here is pure: it takes schemas and rules (by default the package's own),
and optionally the typed tables of the data, and returns Markdown text. Nothing about a
field or a rule is written here a second time. The modules, by concern:

* :mod:`~kachin_events.codebook.markdown`: cells, code spans, tables, ids (``field_anchor``);
* :mod:`~kachin_events.codebook.fields`: one field in words (type, constraints, values, example);
* :mod:`~kachin_events.codebook.tables`: one data table as a dense table of its fields, in the
  codebook's order (events first, then claims and sources, then the reference tables);
* :mod:`~kachin_events.codebook.usage_warnings`: the warnings an analyst must know, counted in the data;
* :mod:`~kachin_events.codebook.rule_docs`: the validation rules, for the codebook and the contributor guide;
* :mod:`~kachin_events.codebook.mappings`: the ACLED and UCDP exports' columns and codes;
* :mod:`~kachin_events.codebook.page`: the whole page (:func:`render_codebook`), the ACLED and UCDP
  mappings it can link to instead of holding them (:func:`render_mappings`), and the CSV templates.

The flat view's columns come from its own schema (:mod:`kachin_events.flat`). The documentation
site renders its codebook, its list of validation messages and its CSV templates with these
functions, and they work the same from Python.

Examples
--------
>>> from kachin_events import codebook
>>> text = codebook.render_codebook()
>>> "date_precision" in text and "date-precision-span" in text
True
>>> codebook.csv_template("event_tags")
'event_id,tag,detail,quantity,quantity_qualifier\\n'
"""

from __future__ import annotations

from .fields import (MAPPING_TITLES, categories_table, describe_constraints, describe_type, example_value,
                     short_type, type_legend)
from .mappings import (ACLED_SOURCES, check_mapping, precision_mappings, render_acled_columns, render_differences,
                       render_export_columns, render_precision_mappings, render_ucdp_columns, render_violence_mapping,
                       violence_mapping)
from .markdown import (code, escape_cell, field_anchor, field_refs, markdown_table, plural, rule_anchor,
                       values_anchor, warning_anchor)
from .page import csv_template, render_codebook, render_mappings
from .rule_docs import render_rules_guide, render_rules_table, rule_scope
from .tables import TABLE_GROUPS, render_fields_table, render_keys, render_table, render_vocabularies, table_groups
from .usage_warnings import WARNINGS, UsageWarning, get_warning, render_warnings_table, warnings_for

__all__ = [
    "ACLED_SOURCES", "MAPPING_TITLES", "TABLE_GROUPS", "WARNINGS", "UsageWarning", "categories_table",
    "check_mapping", "code", "csv_template", "describe_constraints", "describe_type", "escape_cell",
    "example_value", "field_anchor", "field_refs", "get_warning", "markdown_table", "plural", "precision_mappings",
    "render_acled_columns", "render_codebook", "render_differences", "render_export_columns", "render_fields_table",
    "render_keys", "render_mappings", "render_precision_mappings", "render_rules_guide", "render_rules_table",
    "render_table",
    "render_ucdp_columns", "render_violence_mapping", "render_vocabularies", "render_warnings_table", "rule_anchor",
    "rule_scope", "short_type", "table_groups", "type_legend", "values_anchor", "violence_mapping",
    "warning_anchor", "warnings_for",
]
