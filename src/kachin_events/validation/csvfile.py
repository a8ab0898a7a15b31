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
    #: (line, cells) of the records above the header: a title and notes, not data.
    title_rows: list = field(default_factory=list)


def _unreadable(shown: str, msg: str):
    from .read import UnreadableError

    return UnreadableError(shown, msg)


def read_csv_text(path: Path, shown: str) -> CsvText:
    """Read ``path`` into text columns; raise UnreadableError when it cannot be read."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise _unreadable(shown, f"cannot be read ({exc.strerror or exc})") from None
    held = [data]
    del data  # the reader frees the bytes as soon as it has the columns
    return read_csv_bytes(held, shown)


def read_csv_bytes(held: list, shown: str, line_offset: int = 0, byte_offset: int = 0) -> CsvText:
    """Read CSV bytes (``held``'s one item, taken out and freed early) into text columns.

    ``line_offset`` is added to the line of every record after the header, and
    ``byte_offset`` to a byte position a message gives: a chunk of a larger file is read
    as its header followed by the chunk's records (:func:`csv_chunks`), and its rows
    and messages keep the lines and bytes of the whole file.
    """
    from .encoding import sniff

    data = held[0]
    reason = sniff(data)
    if reason:
        raise _unreadable(shown, _shifted(reason, line_offset, byte_offset))
    start = 3 if data.startswith(b"\xef\xbb\xbf") else 0
    try:
        scan = _scan(data, start)
    except _Irregular:
        held.pop()
        return _read_with_csv_module(data, shown, line_offset, byte_offset)
    title = _title(data, scan) if not line_offset else []
    if title:
        k = len(title)
        scan = _Scan(scan.starts[k:], scan.ends[k:], scan.lines[k:], scan.cells[k:])
    del data
    if line_offset:
        scan.lines[1:] += line_offset
    text = _read_with_arrow(held, shown, scan, line_offset, byte_offset)
    text.title_rows = title
    return text


def _title(data: bytes, scan: _Scan) -> list:
    """The (line, cells) records above the header when a title sits over it (else none).

    Only the first records are parsed; :func:`~kachin_events.validation.shape.header_index`
    says where the header is. A chunk after the first is read under the real header.
    """
    from .shape import HEADER_SEARCH_ROWS, header_index

    first = []
    try:
        for i in range(min(len(scan.starts), HEADER_SEARCH_ROWS)):
            first.append(_parse_record(data, int(scan.starts[i]), int(scan.ends[i])))
    except (UnicodeDecodeError, csv.Error):
        return []  # the reader says what is wrong with these records
    k = header_index(first)
    return [(int(scan.lines[i]), first[i]) for i in range(k)]


def _shifted(msg: str, line_offset: int, byte_offset: int) -> str:
    """A message about a chunk, with its byte and line positions made the whole file's."""
    import re

    if not (line_offset or byte_offset):
        return msg
    msg = re.sub(r"\(byte ([0-9]+)", lambda m: f"(byte {int(m[1]) + byte_offset}", msg)
    return re.sub(r"\bline ([0-9]+)", lambda m: f"line {int(m[1]) + line_offset}", msg)


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


def _not_utf8(data: bytes, shown: str, line_offset: int = 0, byte_offset: int = 0):
    from .encoding import not_utf8

    reason = not_utf8(data)
    return _unreadable(shown, _shifted(reason, line_offset, byte_offset)) if reason else None


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


def _read_with_arrow(held: list, shown: str, scan: _Scan, line_offset: int = 0, byte_offset: int = 0) -> CsvText:
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
        raise _not_utf8(data, shown, line_offset, byte_offset) from None
    width = len(header)
    names = [str(i) for i in range(width)]
    starts, ends, lines = scan.starts[1:], scan.ends[1:], scan.lines[1:]
    blank = scan.cells[1:] == 0
    if width == 0:
        return _read_with_csv_module(data, shown, line_offset, byte_offset)
    good = ~blank
    if len(starts):
        body_start = int(starts[0])
        try:
            table = _arrow_read(pa.py_buffer(data)[body_start:], names)
        except pa.ArrowInvalid:
            err = _not_utf8(data, shown, line_offset, byte_offset)
            if err is not None:
                raise err from None
            # Records of the wrong length: count every record's cells, and read the
            # others (the file minus those few records) with pyarrow again.
            cells = _scan(data, int(scan.starts[0]), count_cells=True).cells[1:]
            good = (cells == width) & ~blank
            bad = np.flatnonzero(~good & ~blank)
            if not len(bad):
                return _read_with_csv_module(data, shown, line_offset, byte_offset)
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
                return _read_with_csv_module(data, shown, line_offset, byte_offset)
        if table.num_rows != int(good.sum()):
            # pyarrow read the records differently from the scan: trust the csv module.
            return _read_with_csv_module(data, shown, line_offset, byte_offset)
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
            raise _not_utf8(data, shown, line_offset, byte_offset) from None
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


def _read_with_csv_module(data: bytes, shown: str, line_offset: int = 0, byte_offset: int = 0) -> CsvText:
    """The careful path, for irregular quoting: Python's csv module, which says where it breaks."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise _not_utf8(data, shown, line_offset, byte_offset) from None
    records = []
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        for record in reader:
            # reader.line_num is the line where the record ends; a record with an
            # embedded line break starts earlier, and people look for where it starts.
            start = reader.line_num - sum(line_breaks(c) for c in record)
            records.append((start + (line_offset if records else 0), [c if c != "" else None for c in record]))
    except csv.Error as exc:
        msg = f"is not valid CSV near line {reader.line_num + line_offset} ({exc}); check the quoting there"
        raise _unreadable(shown, msg) from None
    from .shape import HEADER_SEARCH_ROWS, header_index

    k = header_index([cells for _, cells in records[:HEADER_SEARCH_ROWS]]) if not line_offset else 0
    text = records_text(records[k:])
    text.title_rows = records[:k]
    return text


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


# -- files larger than memory ---------------------------------------------------------------
def _record_end(data: bytes, at_least: int = 1) -> int:
    """Where the last whole record of ``data`` ends (after its line feed), or 0 if fewer than ``at_least`` do.

    ``data`` starts at the start of a record, outside quotes: a line feed ends a record
    when an even number of quotes come before it.
    """
    import numpy as np

    buf = np.frombuffer(data, dtype=np.uint8)
    nl = np.flatnonzero(buf == _NL)
    if not len(nl):
        return 0
    q = np.flatnonzero(buf == _QUOTE)
    outside = nl[np.searchsorted(q, nl) % 2 == 0]
    return int(outside[-1]) + 1 if len(outside) >= max(1, at_least) else 0


def _line_breaks(data: bytes) -> int:
    """Line feeds and lone carriage returns in ``data`` (how far a line count moves)."""
    return data.count(b"\n") + data.count(b"\r") - data.count(b"\r\n")


def _open(path: Path, shown: str):
    try:
        return open(path, "rb")
    except OSError as exc:
        raise _unreadable(shown, f"cannot be read ({exc.strerror or exc})") from None


def _pieces(path: Path, shown: str, chunk_bytes: int):
    """(bytes, byte offset, line breaks before) of runs of whole records of about ``chunk_bytes``."""
    from .shape import HEADER_SEARCH_ROWS

    with _open(path, shown) as f:
        carry, offset, breaks = b"", 0, 0
        while True:
            try:
                block = f.read(chunk_bytes)
            except OSError as exc:
                raise _unreadable(shown, f"cannot be read ({exc.strerror or exc})") from None
            data = carry + block if carry else block
            if not block:
                if data:
                    yield data, offset, breaks
                return
            # The first chunk holds the records a title above the header may take.
            cut = _record_end(data, HEADER_SEARCH_ROWS + 1 if not offset else 1)
            if not cut:  # one record longer than a chunk (or too few records yet): read on
                carry = data
                continue
            piece, carry = data[:cut], data[cut:]
            del data
            yield piece, offset, breaks
            offset += len(piece)
            breaks += _line_breaks(piece)


def read_csv_header(path: Path, shown: str, chunk_bytes: int = 1 << 20) -> CsvText:
    """The header of a CSV file (no rows), read from its first records only."""
    for piece, _, _ in _pieces(path, shown, chunk_bytes):
        text = read_csv_bytes([piece], shown)
        text.frame, text.lines = text.frame.head(0), text.lines.head(0)
        text.blank_lines, text.long_rows = [], {}
        return text
    return read_csv_bytes([b""], shown)


def csv_chunks(path: Path, shown: str, chunk_bytes: int):
    """Read a CSV file in chunks of about ``chunk_bytes``: one CsvText each, lines the file's.

    Each chunk holds whole records (a record with line breaks inside quotes is never
    split) and the file's header; the rows' lines, blank lines and the positions
    messages give are those of the whole file. Only one chunk's bytes and columns are
    in memory at a time.

    Examples
    --------
    >>> import tempfile
    >>> path = Path(tempfile.mkdtemp()) / "e.csv"
    >>> rows = b"".join(b"%d,x\\n" % i for i in range(1, 25))
    >>> _ = path.write_bytes(b'id,note\\n' + rows + b'25,"two\\nlines"\\n\\n27,b\\n28,c\\n')
    >>> chunks = list(csv_chunks(path, "e.csv", 12))
    >>> len(chunks) > 1, [x for c in chunks for x in c.lines.to_list()][-4:]
    (True, [25, 26, 29, 30])
    >>> [x for c in chunks for x in c.blank_lines], [c.header for c in chunks][-1]
    ([28], ['id', 'note'])
    """
    header = None
    for piece, offset, breaks in _pieces(path, shown, chunk_bytes):
        if header is None:
            text = read_csv_bytes([piece], shown)
            header = _header_bytes(text.header)
            yield text
            continue
        held = [header + piece]
        del piece
        # The chunk is read as header + records: its lines move by the breaks before it,
        # less the header's own.
        yield read_csv_bytes(held, shown, breaks - _line_breaks(header), offset - len(header))


def _header_bytes(header: list) -> bytes:
    """A header row written back as one CSV record (what each later chunk is read under)."""
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow(["" if h is None else h for h in header])
    return out.getvalue().encode("utf-8")
