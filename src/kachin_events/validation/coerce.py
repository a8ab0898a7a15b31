"""Typing raw text cells by the Table Schema, reporting every cell that will not type.

Type errors are found and reported first, and the bad cells are set to null, so that
they cannot hide the other checks on their column (pandera's lazy validation stops
checking a column at its first failed coercion). Vectorised with polars.
"""

from __future__ import annotations

from .findings import ERROR, Finding
from .read import RawTable
from ..schema import TableSchema

# Table Schema defaults (https://datapackage.org/standard/table-schema/#boolean).
TRUE_VALUES = ["true", "True", "TRUE", "1"]
FALSE_VALUES = ["false", "False", "FALSE", "0"]

_EXPECT = {
    "integer": "is not a whole number: write it like 12 (no decimals, no thousands separators)",
    "number": "is not a number: write it like 24.25493 (a point for decimals)",
    "date": "is not a date: write it as YYYY-MM-DD, like 2026-02-04",
    "boolean": "is not true or false: write true or false",
}


def excel_serial_date(value) -> str | None:
    """The date a spreadsheet's day number stands for (None unless it looks like one, 1955-2119).

    Excel and LibreOffice count days from 1899-12-30; a date cell saved without its
    format arrives as that number.

    Examples
    --------
    >>> excel_serial_date("46085"), excel_serial_date("46085.0"), excel_serial_date("12")
    ('2026-03-04', '2026-03-04', None)
    """
    import datetime as dt
    import re

    m = re.fullmatch(r"([0-9]{5})(\.0+)?", str(value or "").strip())
    if not m or not 20000 <= int(m.group(1)) <= 80000:
        return None
    return (dt.date(1899, 12, 30) + dt.timedelta(days=int(m.group(1)))).isoformat()


def polars_dtype(type_: str):
    import polars as pl

    return {
        "integer": pl.Int64,
        "number": pl.Float64,
        "date": pl.Date,
        "boolean": pl.Boolean,
    }.get(type_, pl.Utf8)


#: Formats of string fields frictionless checks, as a pattern and what to write instead.
#: (frictionless reads a ``uri`` with rfc3986 and requires its scheme.)
FORMATS = {
    "uri": (r"^[A-Za-z][A-Za-z0-9+.\-]*:", "is not a web address: write the whole address with its scheme, "
            "like https://www.example.org/report, or leave the cell empty"),
}


def _kind(f) -> str | None:
    """What a field's cells must be beyond text: its type, or its string format."""
    if f.type in _EXPECT:
        return f.type
    return f"format:{f.format}" if f.type == "string" and f.format in FORMATS else None


def _expect(kind: str) -> str:
    return FORMATS[kind.split(":", 1)[1]][1] if kind.startswith("format:") else _EXPECT[kind]


def _cast(col, type_: str, format_: str | None = None):
    import polars as pl

    c = pl.col(col)
    if type_ == "string" and format_ in FORMATS:
        return pl.when(c.str.contains(FORMATS[format_][0])).then(c).otherwise(None)
    if type_ == "integer":
        ok = c.str.contains(r"^[+-]?[0-9]+$")
        return pl.when(ok).then(c.str.to_integer(strict=False)).otherwise(None)
    if type_ == "number":
        ok = c.str.contains(r"^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$")
        return pl.when(ok).then(c.cast(pl.Float64, strict=False)).otherwise(None)
    if type_ == "date":
        ok = c.str.contains(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
        return pl.when(ok).then(c.str.to_date("%Y-%m-%d", strict=False)).otherwise(None)
    if type_ == "boolean":
        mapping = {**{v: True for v in TRUE_VALUES}, **{v: False for v in FALSE_VALUES}}
        return c.replace_strict(mapping, default=None, return_dtype=pl.Boolean)
    return c


def coerce(raw: RawTable, schema: TableSchema):
    """Type a raw table; return the typed frame, type findings and the failed cells.

    Returns
    -------
    typed : polars.DataFrame
        One typed column per schema field; cells that failed to type are null.
    findings : list of Finding
        One ``type`` finding per failed cell (only for checked rows).
    failed : polars.DataFrame
        One boolean column per field, True where a cell failed to type or its column
        is missing from its file, so later checks can skip it.
    """
    import polars as pl

    from .table import CHECKED, FILE, LINE

    frame = raw.frame
    # A narrow table (a file read in chunks) holds some of the fields: those are typed.
    fields = [f for f in schema.fields if f.name in raw.fields]
    names = [f.name for f in fields]
    exprs = [_cast(f.name, f.type, f.format).alias(f.name) for f in fields]
    typed = frame.select(exprs) if names else frame
    bad = frame.select([(pl.col(f.name).is_not_null() & typed[f.name].is_null()).alias(f.name)
                        if _kind(f) else pl.repeat(False, frame.height).alias(f.name)
                        for f in fields])
    # A missing column was reported once for its file; its cells are not news.
    gone: dict[str, list] = {}
    for shown, name in raw.missing:
        gone.setdefault(name, []).append(shown)
    failed = bad.with_columns([(pl.col(n) | frame[FILE].is_in(files)).alias(n) for n, files in gone.items()
                               if n in names])
    findings = []
    for f in fields:
        if not _kind(f) or not bad[f.name].any():
            continue
        cells = frame.filter(bad[f.name] & frame[CHECKED]).select(FILE, LINE, f.name)
        for file, line, value in cells.iter_rows():
            msg = _expect(_kind(f))
            serial = excel_serial_date(value) if f.type == "date" else None
            if serial:
                msg += (f"; {value} looks like a spreadsheet's date number, which is {serial}: write {serial}, "
                        "or format the column as text before typing dates")
            elif f.type == "date" and value and len(value) >= 8:
                msg += "; if the day is unknown, give the range with date_start/date_end and set date_precision"
            findings.append(Finding(file, line, f.name, value, "type", ERROR, msg))
    typed = typed.with_columns([typed[f.name].cast(polars_dtype(f.type)) for f in fields])
    return typed, findings, failed
