"""The validation rules in words: one table for the codebook, one section per rule for contributors.

Examples
--------
>>> from kachin_events.rules import get_rule
>>> rule_scope(get_rule("date-order"))
'events.date_end'
"""

from __future__ import annotations

from typing import Callable, Iterable

from ._defaults import rules_or_default
from .markdown import code, escape_cell, heading_id, markdown_table, rule_anchor


def rule_ref(rule_id: str, rule_href: Callable[[str], str] | None) -> str:
    """A rule's id as code, linked when ``rule_href`` says where."""
    return f"[{code(rule_id)}]({rule_href(rule_id)})" if rule_href else code(rule_id)


def rule_scope(rule) -> str:
    """Where a rule applies, in words.

    Examples
    --------
    >>> from kachin_events.rules import get_rule
    >>> rule_scope(get_rule("enum"))
    'every file and table'
    """
    if rule.table == "*":
        return "every file and table"
    return f"{rule.table}.{rule.field}" if rule.field else rule.table


def render_rules_table(rules: Iterable | None = None, *, rule_href: Callable[[str], str] | None = None,
                       scope: bool = True) -> str:
    """Every rule in one table: id, where (unless ``scope`` is false), severity, description and fix.

    Examples
    --------
    >>> render_rules_table(scope=False).splitlines()[0]
    '| Rule | Severity | What it requires | How to fix a finding |'
    """
    rows = [
        [rule_ref(r.id, rule_href), *([escape_cell(rule_scope(r))] if scope else []), r.severity,
         escape_cell(r.description), escape_cell(r.fix)]
        for r in rules_or_default(rules)
    ]
    header = ["Rule", *(["Applies to"] if scope else []), "Severity", "What it requires", "How to fix a finding"]
    return markdown_table(header, rows)


def render_rules_guide(rules: Iterable | None = None, *, level: int = 3, anchors: bool = True,
                       field_href: Callable[[str, str], str] | None = None) -> str:
    """One section per rule id, for contributors: what a finding means and how to fix it.

    Examples
    --------
    >>> text = render_rules_guide(anchors=False)
    >>> "### date-order" in text and "### unreadable" in text
    True
    """
    h = "#" * level
    parts = []
    for r in rules_or_default(rules):
        kind = ("A check of every file and table against its Table Schema, made by both validation engines."
                if r.check is None else "A cross-field check, made on every row of the table.")
        where = rule_scope(r)
        if field_href and r.table != "*" and r.field:
            where = f"[{where}]({field_href(r.table, r.field)})"
        label = "Error: the data is invalid until it is fixed." if r.severity == "error" else \
            "Warning: worth a look; the data stays valid."
        parts += [
            f"{h} {r.id}{heading_id(rule_anchor(r.id), anchors)}", "",
            f"- **Severity:** {label}",
            f"- **Applies to:** {where}. {kind}",
            f"- **What it means:** {r.description}",
            f"- **How to fix it:** {r.fix}", "",
        ]
    return "\n".join(parts).rstrip() + "\n"
