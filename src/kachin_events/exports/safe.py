"""Cells a spreadsheet would run as a formula, and how published files escape them.

A spreadsheet program that opens a CSV file runs a cell that begins with ``=``, ``+``,
``-``, ``@``, a tab or a carriage return as a formula (CSV or formula injection): a
cell like ``=HYPERLINK("http://example.com","click")`` becomes a live link, and worse
formulas can fetch data or run commands. A number such as ``-3`` or ``+5`` is not text
and is left alone, and so is a lone ``-`` (the schemas' "none", as in
``event_tags.detail``): neither runs.

Where each published file gets its guarantee
--------------------------------------------
* The release's tables (``csv/<table>.csv`` and the Parquet files) are the data
  itself: they are written byte for byte from the validated tables and never escaped,
  so the files stay byte-identical to the data. Their guarantee is validation: the
  ``formula-cell`` rule refuses a text cell that begins like a formula
  (:func:`kachin_events.validation.cells.formula_findings` uses :data:`FORMULA_START`
  and :data:`NUMBER` from here), and a release is only built from valid data.
* The exports (``exports/acled.csv``, ``ucdp_ged.csv``, ``events_hxl.csv``,
  ``deletions.csv`` and the string properties of ``events.geojson``, which GIS tools
  turn into spreadsheet columns) join and rename what the data holds, so every text
  cell they write goes through :func:`spreadsheet_safe`: a cell that would run is
  written with a single quote ``'`` in front (OWASP's advice), which spreadsheets take
  as "this is text". For valid data this changes nothing.
* The contribution template (``kachin-events template``): its XLSX cells are written
  as strings, never as formulas, and a string that begins like a formula carries the
  cell's "quote prefix" style, so that editing it does not turn it into one; its CSV
  files escape like the exports.

Examples
--------
>>> spreadsheet_safe('=HYPERLINK("http://example.com","click")')
'\\'=HYPERLINK("http://example.com","click")'
>>> spreadsheet_safe("-97.5"), spreadsheet_safe("-"), spreadsheet_safe("+/- 5")
('-97.5', '-', "'+/- 5")
"""

from __future__ import annotations

import re

#: What a formula cell begins with (followed by anything: a lone "-" is the schemas' "none").
FORMULA_START = r"(?s)^[=+\-@\t\r]."
#: A number as a CSV cell may spell it; numbers are values, not formulas.
NUMBER = r"^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$"
#: What is put in front of a cell that would run: spreadsheets read it as "text follows".
ESCAPE = "'"
_TRIGGERS = frozenset("=+-@\t\r")
_FORMULA = re.compile(FORMULA_START)
_NUMBER = re.compile(NUMBER)


def is_formula(text) -> bool:
    """True when a spreadsheet would run the cell ``text`` as a formula.

    Examples
    --------
    >>> is_formula("@SUM(1+1)"), is_formula("+1"), is_formula("1e-5"), is_formula(None)
    (True, False, False, False)
    """
    # The first-character test keeps this cheap on the millions of cells that pass.
    return (isinstance(text, str) and len(text) > 1 and text[0] in _TRIGGERS
            and _FORMULA.match(text) is not None and _NUMBER.match(text) is None)


def spreadsheet_safe(text):
    """``text`` as a spreadsheet shows it without running it: ``'`` in front of a formula.

    Anything that is not a formula (numbers, a lone ``-``, other text, None) comes back
    unchanged.

    Examples
    --------
    >>> spreadsheet_safe("@SUM(1+1)"), spreadsheet_safe("Bhamo"), spreadsheet_safe(None)
    ("'@SUM(1+1)", 'Bhamo', None)
    >>> spreadsheet_safe("\\tx")
    "'\\tx"
    """
    return ESCAPE + text if is_formula(text) else text


def safe_rows(rows):
    """Rows of text cells (lists) with every cell passed through :func:`spreadsheet_safe`.

    Examples
    --------
    >>> list(safe_rows([["KE000001", "-x", "-3"]]))
    [['KE000001', "'-x", '-3']]
    """
    for row in rows:
        yield [spreadsheet_safe(c) for c in row]


def safe_expr(name: str):
    """A polars expression: the text column ``name`` with :func:`spreadsheet_safe` applied.

    Examples
    --------
    >>> import polars as pl
    >>> pl.DataFrame({"a": ["=1+1", "-3", "-", None, "ok"]}).select(safe_expr("a"))["a"].to_list()
    ["'=1+1", '-3', '-', None, 'ok']
    """
    import polars as pl

    col = pl.col(name)
    runs = col.str.contains(FORMULA_START) & ~col.str.contains(NUMBER)
    return pl.when(runs).then(pl.lit(ESCAPE) + col).otherwise(col).alias(name)


def safe_frame(frame, schema: dict):
    """A typed frame whose string fields (per the Table Schema ``schema``) are spreadsheet-safe.

    Other types are left alone: a number, date or boolean is written as a value, never
    as text that runs.

    Examples
    --------
    >>> import polars as pl
    >>> schema = {"fields": [{"name": "a", "type": "string"}, {"name": "n", "type": "number"}]}
    >>> safe_frame(pl.DataFrame({"a": ["@x", "y"], "n": [-1.5, 2.0]}), schema).rows()
    [("'@x", -1.5), ('y', 2.0)]
    """
    names = [f["name"] for f in schema["fields"] if f.get("type", "string") == "string"]
    return frame.with_columns([safe_expr(n) for n in names]) if names else frame


def safe_json(value):
    """A JSON value with every string in it (nested too) passed through :func:`spreadsheet_safe`.

    Examples
    --------
    >>> safe_json({"notes": "=1+1", "n": -3, "tags": ["-x", "ok"]})
    {'notes': "'=1+1", 'n': -3, 'tags': ["'-x", 'ok']}
    """
    if isinstance(value, str):
        return spreadsheet_safe(value)
    if isinstance(value, dict):
        return {k: safe_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [safe_json(v) for v in value]
    return value


__all__ = ["ESCAPE", "FORMULA_START", "NUMBER", "is_formula", "safe_expr", "safe_frame", "safe_json", "safe_rows",
           "spreadsheet_safe"]
