"""Reading a CSV file straight into text columns, keeping the line each record starts on.

The file is read once into memory and parsed by pyarrow's multithreaded CSV reader,
every column as text. What pyarrow does not say, and a person fixing the file needs, is
worked out from the bytes with numpy, in bounded chunks: where each record starts
(records with line breaks inside quotes included), which lines are blank, and which
records have more or fewer cells than the header. Only those ragged records, if any,
are parsed one by one.

A file whose quoting is irregular (a quote inside an unquoted value, text after a
closing quote, a quote never closed) is read by Python's :mod:`csv` module instead,
which reports where the quoting breaks; such files are rare and small.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

_CHUNK = 1 << 24  # bytes scanned at a time: bounds the scan's temporary memory
_QUOTE, _NL, _CR, _COMMA = 34, 10, 13, 44


@dataclass
class CsvText:
    """A CSV file's cells as text.

    Attributes
    ----------
    header : list of str or None
        The first record's cells.
    header_line : int
        The line the header is on (1).
    frame : polars.DataFrame
        One text column per header cell, named by position ("0", "1", ...); one row per
        record that is not a blank line. Short records are padded with nulls.
    lines : list of int or polars.Series
        The line each row's record starts on.
    blank_lines : list of int
        Lines that are empty (skipped; a warning each).
    long_rows : dict
        Row index -> every cell of a record longer than the header.
    """

    header: list
    header_line: int
    frame: object
    lines: object
    blank_lines: list = field(default_factory=list)
    long_rows: dict = field(default_factory=dict)


def _unreadable(shown: str, msg: str):
    from .read import UnreadableError

    return UnreadableError(shown, msg)


def read_csv_text(path: Path, shown: str) -> CsvText:
    """Read ``path`` into text columns; raise UnreadableError when it cannot be read."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise _unreadable(shown, f"cannot be read ({exc.strerror or exc})") from None
    from .encoding import sniff

    reason = sniff(data)
    if reason:
        raise _unreadable(shown, reason)
    start = 3 if data.startswith(b"\xef\xbb\xbf") else 0
    try:
        scan = _scan(data, start)
    except _Irregular:
        return _read_with_csv_module(data, shown)
    held = [data]
    del data  # the reader frees the bytes as soon as it has the columns
    return _read_with_arrow(held, shown, scan)


class _Irregular(Exception):
    """Quoting the fast path does not read exactly as Python's csv module would."""


@dataclass
class _Scan:
    starts: object  # byte offset of each record
    ends: object  # byte offset where each record ends (its line break excluded)
    lines: object  # line each record starts on
    cells: object  # number of cells of each record (-1: not counted)


def _positions(buf, byte: int, lo: int, hi: int):
    import numpy as np

    return np.flatnonzero(buf[lo:hi] == byte) + lo


def _scan(data: bytes, start: int, count_cells: bool = False) -> _Scan:
    """Records and their lines (and, if asked, their cell counts) from the bytes, vectorised, in chunks.

    Counting cells costs as much as the rest of the scan; it is only needed when
    pyarrow found records of the wrong length, to say which ones.
    """
    import numpy as np

    buf = np.frombuffer(data, dtype=np.uint8)
    n = len(buf)
    term_parts, nl_parts, cr_parts, comma_parts = [], [], [], []
    quotes_before = 0
    for lo in range(start, max(n, start + 1), _CHUNK):
        hi = min(n, lo + _CHUNK)
        q = _positions(buf, _QUOTE, lo, hi)
        if len(q):
            _check_quotes(buf, q, quotes_before, start)
        nl = _positions(buf, _NL, lo, hi)
        inside = (quotes_before + np.searchsorted(q, nl)) % 2 == 1
        term_parts.append(nl[~inside])
        nl_parts.append(nl)
        # A carriage return alone is a line break too, for editors and the csv module.
        cr = _positions(buf, _CR, lo, hi)
        lone = cr[(cr + 1 >= n) | (buf[np.minimum(cr + 1, n - 1)] != _NL)] if len(cr) else cr
        if np.any((quotes_before + np.searchsorted(q, lone)) % 2 == 0):
            raise _Irregular  # a lone CR ends a record (an old Mac file): the csv module reads those
        cr_parts.append(lone)
        if count_cells:
            c = _positions(buf, _COMMA, lo, hi)
            comma_parts.append(c[(quotes_before + np.searchsorted(q, c)) % 2 == 0])
        quotes_before += len(q)
    if quotes_before % 2:
        raise _Irregular  # a quote is never closed: the csv module says where

    def joined(parts):
        return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)

    terms, commas = joined(term_parts), joined(comma_parts)
    starts = np.concatenate([[start], terms + 1]).astype(np.int64)
    ends = np.concatenate([terms, [n]]).astype(np.int64)
    if starts[-1] >= n:  # the file ends with a line break: no record after it
        starts, ends = starts[:-1], ends[:-1]
    lines = 1 + np.searchsorted(joined(nl_parts), starts) + np.searchsorted(joined(cr_parts), starts)
    # A CRLF file's records end with "\r": not part of the last cell.
    cr = (ends > starts) & (buf[np.maximum(ends - 1, 0)] == _CR)
    ends = ends - cr
    if count_cells:
        record = np.searchsorted(starts, commas, side="right") - 1
        cells = np.bincount(record, minlength=len(starts)) + 1
    else:  # unknown (-1), except that a blank line has none
        cells = np.full(len(starts), -1, dtype=np.int64)
    cells[ends == starts] = 0
    return _Scan(starts, ends, lines, cells)


def _check_quotes(buf, q, quotes_before: int, start: int) -> None:
    """Raise _Irregular unless every quote opens a field, closes one, or is doubled inside one."""
    import numpy as np

    k = quotes_before + np.arange(len(q))
    opening = k % 2 == 0
    n = len(buf)
    # An opening quote starts its field (or is the second of a doubled quote).
    prev = np.where(q > start, buf[np.maximum(q - 1, 0)], _NL)
    after_close = np.zeros(len(q), dtype=bool)
    after_close[1:] = q[1:] - 1 == q[:-1]
    starts_field = (prev == _COMMA) | (prev == _NL) | (prev == _CR) | (q == start)
    if np.any(opening & ~starts_field & ~after_close):
        raise _Irregular
    # A closing quote ends its field or is the first of a doubled quote.
    nxt = np.where(q + 1 < n, buf[np.minimum(q + 1, n - 1)], _NL)
    ends_field = (nxt == _COMMA) | (nxt == _NL) | (nxt == _CR) | (q + 1 >= n) | (nxt == _QUOTE)
    if np.any(~opening & ~ends_field):
        raise _Irregular


def line_breaks(text: str) -> int:
    r"""How many line breaks (CRLF, LF or a lone CR) a cell holds.

    Examples
    --------
    >>> line_breaks("a\r\nb\nc\rd")
    3
    """
    return text.count("\n") + text.count("\r") - text.count("\r\n")


def _parse_record(data: bytes, lo: int, hi: int) -> list:
    text = data[lo:hi].decode("utf-8")
    row = next(csv.reader(io.StringIO(text, newline=""), strict=True), [])
    return [c if c != "" else None for c in row]


def _not_utf8(data: bytes, shown: str):
    from .encoding import not_utf8

    reason = not_utf8(data)
    return _unreadable(shown, reason) if reason else None


def _arrow_read(body, names: list):
    """pyarrow's multithreaded read of CSV records, every cell as text ("" as null, nothing else)."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    return pacsv.read_csv(
        body,
        read_options=pacsv.ReadOptions(column_names=names),
        parse_options=pacsv.ParseOptions(newlines_in_values=True, ignore_empty_lines=True),
        convert_options=pacsv.ConvertOptions(column_types={c: pa.string() for c in names}, null_values=[""],
                                             strings_can_be_null=True, quoted_strings_can_be_null=True))


def _read_with_arrow(held: list, shown: str, scan: _Scan) -> CsvText:
    """The fast path; ``held`` holds the file's bytes alone, so they can be freed here."""
    import numpy as np
    import polars as pl
    import pyarrow as pa

    data = held.pop()
    if not len(scan.starts):
        return CsvText([], 1, pl.DataFrame(), pl.Series("lines", [], dtype=pl.Int64))
    try:
        header = _parse_record(data, int(scan.starts[0]), int(scan.ends[0]))
    except UnicodeDecodeError:
        raise _not_utf8(data, shown) from None
    width = len(header)
    names = [str(i) for i in range(width)]
    starts, ends, lines = scan.starts[1:], scan.ends[1:], scan.lines[1:]
    blank = scan.cells[1:] == 0
    if width == 0:
        return _read_with_csv_module(data, shown)
    good = ~blank
    if len(starts):
        body_start = int(starts[0])
        try:
            table = _arrow_read(pa.py_buffer(data)[body_start:], names)
        except pa.ArrowInvalid:
            err = _not_utf8(data, shown)
            if err is not None:
                raise err from None
            # Records of the wrong length: count every record's cells, and read the
            # others (the file minus those few records) with pyarrow again.
            cells = _scan(data, int(scan.starts[0]), count_cells=True).cells[1:]
            good = (cells == width) & ~blank
            bad = np.flatnonzero(~good & ~blank)
            if not len(bad):
                return _read_with_csv_module(data, shown)
            view, pieces, pos = memoryview(data), [], body_start
            for r in bad:
                pieces.append(view[pos:int(starts[r])])
                pos = int(starts[r + 1]) if r + 1 < len(starts) else len(data)
            pieces.append(view[pos:])
            rest = b"".join(pieces)  # one copy, without the odd records
            del pieces
            view.release()
            try:
                table = _arrow_read(pa.py_buffer(rest), names)
                del rest
            except pa.ArrowInvalid:
                return _read_with_csv_module(data, shown)
        if table.num_rows != int(good.sum()):
            # pyarrow read the records differently from the scan: trust the csv module.
            return _read_with_csv_module(data, shown)
    else:
        table = None
    kept = np.flatnonzero(~blank)
    long_rows: dict = {}
    odd = np.flatnonzero(~good & ~blank)
    parsed = []
    if len(odd):
        # Ragged records: few, read one by one and put back in their place.
        try:
            parsed = [_parse_record(data, int(starts[r]), int(ends[r])) for r in odd]
        except UnicodeDecodeError:
            raise _not_utf8(data, shown) from None
    # The bytes are not needed any more: let them go before polars copies the columns,
    # so the file, pyarrow's table and the frame are not all in memory at once.
    del data
    if table is not None:
        frame = pl.from_arrow(table)
        del table
        if not isinstance(frame, pl.DataFrame):  # pragma: no cover - a one-column table
            frame = frame.to_frame(names[0])
    else:
        frame = pl.DataFrame({c: pl.Series(c, [], dtype=pl.Utf8) for c in names})
    if len(odd):
        extra = pl.DataFrame({c: pl.Series(c, [(v[i] if i < len(v) else None) for v in parsed], dtype=pl.Utf8)
                              for i, c in enumerate(names)})
        order = np.concatenate([np.flatnonzero(good), odd])
        frame = pl.concat([frame, extra]).with_columns(pl.Series("__order", order)).sort("__order").drop("__order")
        position = np.searchsorted(kept, odd)  # each odd record's row among the kept ones
        long_rows = {int(p): v for p, v in zip(position, parsed) if len(v) > width}
    return CsvText(header, int(scan.lines[0]), frame, pl.Series("lines", lines[kept], dtype=pl.Int64),
                   lines[blank].tolist(), long_rows)


def _read_with_csv_module(data: bytes, shown: str) -> CsvText:
    """The careful path, for irregular quoting: Python's csv module, which says where it breaks."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise _not_utf8(data, shown) from None
    records = []
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        for record in reader:
            # reader.line_num is the line where the record ends; a record with an
            # embedded line break starts earlier, and people look for where it starts.
            start = reader.line_num - sum(line_breaks(c) for c in record)
            records.append((start, [c if c != "" else None for c in record]))
    except csv.Error as exc:
        msg = f"is not valid CSV near line {reader.line_num} ({exc}); check the quoting there"
        raise _unreadable(shown, msg) from None
    return records_text(records)


def records_text(records: list[tuple[int, list[str | None]]]):
    """(row number, cells) records, header first, as a :class:`~kachin_events.validation.csvfile.CsvText`."""
    import polars as pl

    if not records:
        return CsvText([], 1, pl.DataFrame(), pl.Series("lines", [], dtype=pl.Int64))
    (header_line, header), body = records[0], records[1:]
    width = len(header)
    blank = [line for line, v in body if not v]
    body = [(line, v) for line, v in body if v]
    frame = pl.DataFrame({str(i): pl.Series(str(i), [(v[i] if i < len(v) else None) for _, v in body],
                                            dtype=pl.Utf8) for i in range(width)})
    long_rows = {i: v for i, (_, v) in enumerate(body) if len(v) > width}
    return CsvText(list(header), header_line, frame, pl.Series("lines", [line for line, _ in body], dtype=pl.Int64),
                   blank, long_rows)
