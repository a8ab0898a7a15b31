"""Checks of single text cells that no Table Schema constraint can state.

Formulas, invisible characters and Burmese in the Zawgyi encoding, in contributed rows.

A cell that begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is run
as a formula by spreadsheet programs that open the published CSV files (CSV or formula
injection); a number such as ``-3`` is not text and is left alone, and neither is a lone
``-`` (what ``event_tags.detail`` holds when a tag needs no detail).
"""

from __future__ import annotations

from ..schema import get_schema
from .findings import ERROR, WARNING, Finding
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


#: Characters a reader cannot see: zero-width spaces and joiners, direction marks and
#: overrides, the byte-order mark, and control characters other than tab and line breaks.
INVISIBLE = ("[\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff"
             "\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
#: Zawgyi probability (myanmartools) from which Burmese text is taken to be Zawgyi.
#: Sentences score near 0 (Unicode) or near 1 (Zawgyi); short words are less certain,
#: and a few of MIMU's Unicode place names score above 0.95, so the bar is higher
#: (tests/test_hostile_input.py checks it against the gazetteer and Zawgyi samples).
ZAWGYI_THRESHOLD = 0.99
_MYANMAR = "[\u1000-\u109f]"


def _text_cells(raw: RawTable, pattern: str):
    """(file, line, field, value) of contributed text cells matching ``pattern``."""
    import polars as pl

    if not len(raw) or not raw.any_checked():
        return
    frame = raw.frame
    for fld in get_schema(raw.table).fields:
        if fld.type != "string":
            continue
        hits = frame.filter(pl.col(CHECKED) & pl.col(fld.name).str.contains(pattern))
        for file, line, value in hits.select(FILE, LINE, fld.name).iter_rows():
            yield file, line, fld.name, value


def invisible_findings(raw: RawTable) -> list[Finding]:
    """An ``invisible-character`` warning for every contributed text cell holding one.

    Examples
    --------
    >>> raw = RawTable("actor_aliases", rows=[["K\\u200bIA", "kia", None]], files=["a.csv"], lines=[2], checked=[True])
    >>> [(f.field, f.rule) for f in invisible_findings(raw)]
    [('alias', 'invisible-character')]
    """
    import re
    import unicodedata

    out = []
    for file, line, field, value in _text_cells(raw, INVISIBLE):
        chars = sorted({c for c in re.findall(INVISIBLE, value)})
        names = ", ".join(f"U+{ord(c):04X} {unicodedata.name(c, 'control character')}" for c in chars)
        msg = (f"holds characters a reader cannot see ({names}); delete them (retype the text, or paste it "
               "as plain text)")
        shown = re.sub(INVISIBLE, lambda m: f"<U+{ord(m.group()):04X}>", value)  # visible where it is
        out.append(Finding(file, line, field, shown, "invisible-character", WARNING, msg))
    return out


def zawgyi_findings(raw: RawTable) -> list[Finding]:
    """A ``zawgyi`` error for every contributed Burmese text cell typed in the Zawgyi encoding.

    Zawgyi reuses the Myanmar Unicode code points for other letters: the text displays
    right only in the Zawgyi font, and searches and sorting get it wrong. Each distinct
    value is scored once (myanmartools).

    Examples
    --------
    >>> raw = RawTable("actor_aliases", rows=[["\\u1017\\u1014\\u1039\\u1038\\u1031\\u1019\\u102c\\u1039", "kia", None]],
    ...                files=["a.csv"], lines=[2], checked=[True])
    >>> [(f.field, f.rule) for f in zawgyi_findings(raw)]
    [('alias', 'zawgyi')]
    """
    cells = list(_text_cells(raw, _MYANMAR))
    if not cells:
        return []
    import warnings

    with warnings.catch_warnings():
        # myanmartools 1.2 loads its model with a deprecated importlib.resources call.
        warnings.simplefilter("ignore", DeprecationWarning)
        from myanmartools import ZawgyiDetector

        detector = ZawgyiDetector()
    score = {v: detector.get_zawgyi_probability(v) for v in {c[3] for c in cells}}
    msg = ("is Burmese typed in the Zawgyi encoding, not Unicode; convert it to Unicode (for example with "
           "Rabbit or the Parabaik converter, or retype it with a Unicode keyboard) and paste it back")
    return [Finding(file, line, field, value, "zawgyi", ERROR, msg)
            for file, line, field, value in cells if score[value] >= ZAWGYI_THRESHOLD]
