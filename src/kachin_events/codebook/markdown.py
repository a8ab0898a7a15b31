"""Small Markdown helpers shared by the codebook, the site's hooks and the crosswalk renderer.

Examples
--------
>>> print(markdown_table(["a", "b"], [["1", "2"]]))
| a | b |
| --- | --- |
| 1 | 2 |
>>> plural(1, "character"), plural(3, "character")
('1 character', '3 characters')
"""

from __future__ import annotations

from typing import Iterable


def escape_cell(text) -> str:
    """Text safe inside a Markdown table cell (pipes escaped, lines joined).

    Examples
    --------
    >>> escape_cell("a | b\\nc")
    'a \\\\| b c'
    """
    s = "" if text is None else str(text)
    return " ".join(s.split()).replace("|", "\\|")


def code(text) -> str:
    """``text`` as an inline code span (safe for values holding backticks)."""
    s = str(text)
    fence = "``" if "`" in s else "`"
    pad = " " if s.startswith("`") or s.endswith("`") else ""
    return f"{fence}{pad}{s}{pad}{fence}"


def markdown_table(header: Iterable, rows: Iterable[Iterable]) -> str:
    """A Markdown (pipe) table; cells are used as given, so escape them first.

    Examples
    --------
    >>> print(markdown_table(["a"], [[""]]))
    | a |
    | --- |
    |   |
    """
    header = list(header)
    lines = ["| " + " | ".join(header) + " |", "| " + " | ".join("---" for _ in header) + " |"]
    for row in rows:
        lines.append("| " + " | ".join(str(c) if str(c) != "" else " " for c in row) + " |")
    return "\n".join(lines)


def plural(n: int, word: str, words: str | None = None) -> str:
    """``n`` and the word, singular for exactly one (``1 character``, ``2 characters``)."""
    return f"{n} {word if n == 1 else (words or word + 's')}"


def heading_id(anchor: str | None, anchors: bool) -> str:
    """`` {#anchor}`` (attr_list) to end a heading with, or nothing."""
    return f" {{#{anchor}}}" if anchors and anchor else ""


def field_anchor(table: str, field: str) -> str:
    """The id of a field's row in the codebook, e.g. ``events-date_precision``."""
    return f"{table}-{field}"


def values_anchor(table: str, field: str) -> str:
    """The id of a field's table of values in the codebook, e.g. ``events-date_precision-values``."""
    return f"{field_anchor(table, field)}-values"


def rule_anchor(rule_id: str) -> str:
    """The id of a rule's section in the contributor guide, e.g. ``rule-date-order``."""
    return f"rule-{rule_id}"


def warning_anchor(warning_id: str) -> str:
    """The id of a usage warning in the codebook, e.g. ``warning-dates-coarse``."""
    return f"warning-{warning_id}"


def field_refs(refs: Iterable[str], field_href=None) -> str:
    """``table.field`` references as code, each linked where ``field_href(table, field)`` says; "—" for none.

    Examples
    --------
    >>> field_refs(["events.actor1", "actors.name"])
    '`events.actor1`, `actors.name`'
    >>> field_refs(["events.notes"], lambda t, f: f"#{t}-{f}")
    '[`events.notes`](#events-notes)'
    >>> field_refs([])
    '—'
    """
    out = []
    for ref in refs:
        table, _, name = ref.partition(".")
        out.append(f"[{code(ref)}]({field_href(table, name)})" if field_href else code(ref))
    return ", ".join(out) or "—"
