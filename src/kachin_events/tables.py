"""Reading a data package's tables as typed frames (for building, exporting, loading).

Validation reads tables through :mod:`kachin_events.validation`, which reports problems;
this module is for data already known to be valid, and refuses anything else.
"""

from __future__ import annotations

from pathlib import Path

from . import _paths
from .validation.read import RawTable, read_file
from .schema import TABLES, get_schema


def read_tables(package: str | Path | None = None) -> dict:
    """Every table of a data package as a typed polars DataFrame.

    Parameters
    ----------
    package : path, optional
        A ``datapackage.json``; by default the snapshot shipped with the package.

    Returns
    -------
    dict of str to polars.DataFrame
        One frame per table (empty frames for tables the package lacks), with the
        schema's column order and types (dates as dates, integers as Int64).

    Raises
    ------
    ValueError
        When a cell does not type; validate the package first.

    Examples
    --------
    >>> tables = read_tables()
    >>> tables["events"].schema["date_start"]
    Date
    """
    from .validation import package_resources

    path = Path(package) if package else _paths.snapshot_package()
    raws = {t: RawTable(t) for t in TABLES}
    for table, paths in package_resources(path).items():
        for p in paths:
            parts, _ = read_file(p, table=table)
            for part in parts.values():
                raws[table].extend(part)
    return typed_tables(raws)


def typed_tables(raws: dict) -> dict:
    """Type every table read (``RawTable`` by name); a cell that does not type is a ValueError."""
    from .validation.coerce import coerce

    out = {}
    for table in TABLES:
        raw = raws.get(table) or RawTable(table)
        frame, findings, _ = coerce(raw, get_schema(table))
        if findings:
            first = findings[0]
            msg = (f"{first.file}, line {first.row}, field {first.field}: value {first.value!r} {first.message}; "
                   "run `kachin-events validate` first")
            raise ValueError(msg)
        out[table] = frame
    return out
