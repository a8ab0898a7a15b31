"""The canonical text of a table's CSV file: the one writer for the repository's data files.

The repository's data files are written exactly as a release writes its CSV files
(:func:`kachin_events.tablefiles.table_csv`): columns in the schema's order, rows sorted
by the primary key, every cell spelled by :func:`~kachin_events.tablefiles.format_cell`
(integers like ``12``, numbers as the shortest text that reads back as the same float,
dates ``YYYY-MM-DD``, booleans ``true``/``false``, an empty cell for no value), a cell
quoted only when it holds a comma, a quote or a line break (quotes doubled), UTF-8
without a byte-order mark, LF line ends and a final newline. Text is written in Unicode
NFC (:func:`normal_text`): ``e`` and a combining accent become the one character ``é``,
which looks the same and is the same text to searches and joins; an asat and a dot
below in Burmese keep the order they are written in, which NFC would swap
(:data:`kachin_events.validation.cells.ASAT_DOT_BELOW`).

Cells are formatted from their typed value, so the text is the same whatever spelling a
file used (``+5`` and ``05`` are both ``5``), and a cell that does not type is refused,
never rewritten: the layout changes, the values never do.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from ..validation.cells import normal_text, normal_text_expr  # noqa: F401 - normal_text: the writers' one form
from ..validation.read import RawTable, _cell_to_text
from ..schema import get_schema
from ..tablefiles import inline_schema, sorted_frame, table_csv


class CanonicalError(ValueError):
    """Rows that cannot be written in canonical form (an unknown column, a cell that does not type)."""


def _records(rows) -> list[dict]:
    """Records from a list of dicts or a polars DataFrame."""
    if hasattr(rows, "to_dicts"):  # a polars DataFrame
        return rows.to_dicts()
    records = list(rows)
    for pos, rec in enumerate(records, start=1):
        if not isinstance(rec, dict):
            msg = (f"record {pos} is a {type(rec).__name__}, not a dict; give a list of dicts mapping "
                   "column names to values, or a polars DataFrame")
            raise CanonicalError(msg)
    return records


def raw_from_records(table: str, rows, source: str = "the rows") -> RawTable:
    """Records as a :class:`~kachin_events.validation.read.RawTable` of text cells, ready for typing.

    Typed values (dates, numbers, booleans) become the text a CSV would hold; text stays
    as it is, to be typed (and checked) by :func:`~kachin_events.validation.coerce.coerce`. Rows are
    numbered from 1 under ``source`` in messages.

    Raises
    ------
    CanonicalError
        When a record names a column the table does not have.
    """
    names = get_schema(table).field_names
    raw = RawTable(table)
    for pos, rec in enumerate(_records(rows), start=1):
        unknown = [k for k in rec if k not in names]
        if unknown:
            msg = (f"{source}, row {pos}: the {table} table has no column {unknown[0]!r}; "
                   f"its columns are: {', '.join(names)}")
            raise CanonicalError(msg)
        raw.rows.append([_cell_to_text(rec.get(n)) for n in names])
        raw.files.append(source)
        raw.lines.append(pos)
        raw.checked.append(True)
    return raw


def typed_frame(table: str, rows, source: str = "the rows"):
    """Records typed by the table's schema, as a polars DataFrame in the schema's column order.

    Parameters
    ----------
    table : str
        One of :data:`kachin_events.schema.TABLES`.
    rows : list of dict or polars.DataFrame
        The records; missing columns are empty.
    source : str
        What to call the rows in messages.

    Returns
    -------
    polars.DataFrame

    Raises
    ------
    CanonicalError
        When a column is unknown or a cell does not type; nothing is guessed.

    Examples
    --------
    >>> typed_frame("event_actors", [{"event_id": "KE000001", "actor_id": "pdf", "side": "1"}])["side"].to_list()
    [1]
    """
    from ..validation.coerce import coerce

    frame, findings, _ = coerce(raw_from_records(table, rows, source), get_schema(table))
    if findings:
        first = findings[0]
        msg = (f"{first.file}, row {first.row}, field {first.field}: value {first.value!r} {first.message}"
               + (f" (and {len(findings) - 1} more cells)" if len(findings) > 1 else ""))
        raise CanonicalError(msg)
    return frame


def normal_frame(table: str, frame):
    """A frame typed by the table's schema with every text field in NFC (:func:`normal_text`).

    The one place where the repository's writers (``add``, ``fmt``, ``retire``,
    ``correct``, the gazetteer) normalise text: they all write through :func:`frame_text`.

    Examples
    --------
    >>> import polars as pl
    >>> normal_frame("actor_aliases", pl.DataFrame({"alias": ["Cafe\u0301"], "actor_id": ["kia"], "note": [None]}))["alias"][0]
    'Café'
    """
    import polars as pl

    # Columns of allowed values (categoricals) hold ASCII codes: only plain text can change.
    names = [f.name for f in get_schema(table).fields
             if f.type == "string" and frame.schema.get(f.name) == pl.Utf8]
    return frame.with_columns([normal_text_expr(pl.col(n)) for n in names]) if names else frame


def frame_text(table: str, frame) -> str:
    """The canonical CSV text of a frame already typed by the table's schema (text in NFC).

    Examples
    --------
    >>> from kachin_events.tables import read_tables
    >>> frame_text("claimants", read_tables()["claimants"]).splitlines()[0]
    'claimant_id,name,claimant_type,actor_id,role'
    """
    schema = inline_schema(table)
    return table_csv(schema, sorted_frame(normal_frame(table, frame), schema)).decode("utf-8")


def canonical_csv(table: str, rows) -> str:
    r"""The canonical CSV text of a table's rows: what ``kachin-events fmt`` writes.

    Parameters
    ----------
    table : str
        One of :data:`kachin_events.schema.TABLES`.
    rows : list of dict or polars.DataFrame
        Records mapping column names to values: typed values (dates, numbers,
        booleans, None) or their text as a CSV would hold it; or a frame typed by
        :func:`kachin_events.tables.read_tables`. Missing columns are empty.

    Returns
    -------
    str
        The header in the schema's order and one line per row, sorted by the primary
        key, cells spelled one way, text in NFC, LF line ends and a final newline.

    Raises
    ------
    CanonicalError
        (a ValueError) when a record has an unknown column or a cell does not type.

    Examples
    --------
    >>> rows = [{"event_id": "KE000002", "actor_id": "pdf", "side": 2.0},
    ...         {"event_id": "KE000001", "actor_id": "kia", "side": "+1"}]
    >>> print(canonical_csv("event_actors", rows), end="")
    event_id,actor_id,side
    KE000001,kia,1
    KE000002,pdf,2
    >>> canonical_csv("event_actors", [{"event_id": "KE000001", "side": "one"}])
    Traceback (most recent call last):
    ...
    kachin_events.contrib.canonical.CanonicalError: the rows, row 1, field side: value 'one' is not a whole number: write it like 12 (no decimals, no thousands separators)
    """
    return frame_text(table, typed_frame(table, rows))


def atomic_write_all(files) -> list[Path]:
    """Write several files as nearly at once as the file system allows, each atomically.

    Every file's bytes go to a temporary file in its own folder first; only when all are
    written are they moved into place with os.replace. An existing file keeps its
    permissions. When writing fails, no file is changed.

    Parameters
    ----------
    files : iterable of (path, bytes)

    Returns
    -------
    list of pathlib.Path
        The paths written.
    """
    temps: list[tuple[Path, Path]] = []
    try:
        for path, data in files:
            path = Path(path)
            tmp = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
            temps.append((tmp, path))
            with open(tmp, "xb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            if path.exists():
                os.chmod(tmp, path.stat().st_mode & 0o7777)
    except BaseException:
        for tmp, _ in temps:
            tmp.unlink(missing_ok=True)
        raise
    for tmp, path in temps:
        os.replace(tmp, path)
    return [path for _, path in temps]


def atomic_write(path: str | Path, data: bytes) -> Path:
    """Write bytes to a file atomically: a temporary file in the same folder, then os.replace.

    An existing file keeps its permissions; on any failure the file is left as it was.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as d:
    ...     atomic_write(Path(d) / "a.csv", b"x\\n").read_bytes()
    b'x\\n'
    """
    return atomic_write_all([(path, data)])[0]


def write_canonical(path: str | Path, table: str, rows) -> Path:
    r"""Write a table's rows to a CSV file in canonical form, atomically.

    Parameters
    ----------
    path : path
        The file to write (replaced if it exists); its folder must exist.
    table : str
        One of :data:`kachin_events.schema.TABLES`.
    rows : list of dict or polars.DataFrame
        As for :func:`canonical_csv`.

    Returns
    -------
    pathlib.Path
        The path written.

    Raises
    ------
    CanonicalError
        When the rows do not type; nothing is written.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as d:
    ...     out = write_canonical(Path(d) / "event_tags.csv", "event_tags",
    ...                           [{"event_id": "KE000003", "tag": "reinforcements_deployed", "detail": "-"}])
    ...     out.read_text(encoding="utf-8")
    'event_id,tag,detail,quantity,quantity_qualifier\nKE000003,reinforcements_deployed,-,,\n'
    """
    return atomic_write(path, canonical_csv(table, rows).encode("utf-8"))
