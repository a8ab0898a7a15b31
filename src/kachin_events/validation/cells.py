"""Checks of single text cells that no Table Schema constraint can state.

A cell that begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is run
as a formula by spreadsheet programs that open the published CSV files (CSV or formula
injection); a number such as ``-3`` is not text and is left alone, and neither is a lone
``-`` (what ``event_tags.detail`` holds when a tag needs no detail).
"""

from __future__ import annotations

from ..schema import get_schema
from .findings import ERROR, Finding
from .table import CHECKED, FILE, LINE, RawTable

#: What a formula cell begins with (followed by anything: a lone "-" is the schemas' "none").
FORMULA_START = r"(?s)^[=+\-@\t\r]."
_NUMBER = r"^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$"


def formula_findings(raw: RawTable) -> list[Finding]:
    """A ``formula-cell`` finding for every contributed text cell a spreadsheet would run.

    Examples
    --------
    >>> raw = RawTable("actor_aliases", rows=[["=HYPERLINK(1)", "kia", "-3"], ["KIA", "kia", "- ok"]],
    ...                files=["a.csv"] * 2, lines=[2, 3], checked=[True, True])
    >>> [(f.row, f.field) for f in formula_findings(raw)]
    [(2, 'alias'), (3, 'note')]
    """
    import polars as pl

    if not len(raw) or not raw.any_checked():
        return []
    frame = raw.frame
    out = []
    for fld in get_schema(raw.table).fields:
        if fld.type != "string":
            continue
        col = pl.col(fld.name)
        bad = frame.filter(pl.col(CHECKED) & col.str.contains(FORMULA_START) & ~col.str.contains(_NUMBER))
        for file, line, value in bad.select(FILE, LINE, fld.name).iter_rows():
            msg = (f"begins with {value[:1]!r}, so a spreadsheet opening the published file would run it as a "
                   "formula; rewrite the start of the text (for a list, write it as a sentence; for a link, "
                   "give the address alone in the url column)")
            out.append(Finding(file, line, fld.name, value, "formula-cell", ERROR, msg))
    return out
