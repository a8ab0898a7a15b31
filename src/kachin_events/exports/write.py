"""Writing one export of a data package to a file (what ``kachin-events export`` does).

:func:`export_bytes` is pure (tables in, bytes out); :func:`write_export` reads and
validates a data package first, and writes the file atomically, so a failed export
leaves an existing file as it was.
"""

from __future__ import annotations

from pathlib import Path

#: The exports that can be written, by name.
EXPORTS = ("acled", "ucdp", "hxl", "geojson")


def export_bytes(kind: str, tables: dict, *, timestamp: int = 0, **acled_options: str) -> bytes:
    """One export of the tables as bytes.

    Parameters
    ----------
    kind : {"acled", "ucdp", "hxl", "geojson"}
    tables : dict of str to polars.DataFrame
        Typed tables (see :func:`kachin_events.tables.read_tables`).
    timestamp : int
        The ACLED export's ``timestamp`` column (seconds since 1970).
    **acled_options : str
        ``inter``, ``long_ranges``, ``in_acled`` (see :mod:`kachin_events.exports.acled`);
        only the ACLED export takes them.

    Raises
    ------
    ValueError
        An unknown kind or option, or options given to an export other than ACLED's.

    Examples
    --------
    >>> from kachin_events.tables import read_tables
    >>> export_bytes("ucdp", read_tables())[:9]
    b'id,relid,'
    >>> export_bytes("hxl", read_tables(), inter="numeric")
    Traceback (most recent call last):
    ...
    ValueError: the options inter apply to the acled export only, not to hxl
    """
    from .acled import acled_csv
    from .geojson import events_geojson
    from .hxl import hxl_csv
    from .ucdp import ucdp_csv

    if kind not in EXPORTS:
        msg = f"unknown export {kind!r}; the exports are: {', '.join(EXPORTS)}"
        raise ValueError(msg)
    if kind == "acled":
        return acled_csv(tables, timestamp, **acled_options)
    if acled_options:
        msg = f"the options {', '.join(acled_options)} apply to the acled export only, not to {kind}"
        raise ValueError(msg)
    return {"ucdp": ucdp_csv, "hxl": hxl_csv, "geojson": events_geojson}[kind](tables)


def write_export(kind: str, out: str | Path, package: str | Path | None = None, **acled_options: str) -> Path:
    """Validate a data package and write one of its exports to ``out``, atomically.

    Parameters
    ----------
    kind : {"acled", "ucdp", "hxl", "geojson"}
    out : path
        The file to write (replaced if it exists); its folder must exist.
    package : path, optional
        A ``datapackage.json`` or its folder; by default the data shipped with the package.
    **acled_options : str
        For ``acled``: ``inter``, ``long_ranges``, ``in_acled``.

    Returns
    -------
    pathlib.Path
        ``out``.

    Raises
    ------
    kachin_events.release.build.InvalidDataError
        The package does not validate (``.report`` holds the findings); nothing is written.
    ValueError, OSError
        A bad option, or ``out`` cannot be written; nothing is written.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as d:
    ...     path = write_export("acled", Path(d) / "acled.csv", long_ranges="flag")
    ...     "date_range_over_month" in path.read_text(encoding="utf-8")
    True
    """
    from ..release.build import InvalidDataError, source_package as _source_package, release_created
    from ..contrib.canonical import atomic_write
    from ..tables import read_tables
    from ..validation import validate

    if kind not in EXPORTS:  # before the slow part
        msg = f"unknown export {kind!r}; the exports are: {', '.join(EXPORTS)}"
        raise ValueError(msg)
    target = Path(out)
    if target.is_dir():
        msg = f"{target} is a folder; give the file to write, such as {target / (kind + '.csv')}"
        raise OSError(msg)
    if not target.parent.is_dir():
        msg = f"cannot write {target}: the folder {target.parent} does not exist; create it first"
        raise OSError(msg)
    source = _source_package(package)
    report = validate(source)
    if not report.valid:
        raise InvalidDataError(report, source, f"exporting it; nothing was written to {target}")
    tables = read_tables(source)
    data = export_bytes(kind, tables, timestamp=int(release_created(tables).timestamp()), **acled_options)
    return atomic_write(target, data)
