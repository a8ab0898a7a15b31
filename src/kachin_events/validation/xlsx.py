"""Reading an XLSX workbook's sheets straight into text columns, with python-calamine.

python-calamine (a Rust reader) parses a 100,000-row sheet several times faster than
openpyxl in read-only mode. Each sheet becomes a :class:`SheetText`: the header row,
the rows below it as polars text columns named by position, and the row number Excel
shows for each row, so that every finding can point at the cell a person sees.

Cells become the text a CSV would hold, as :func:`kachin_events.validation.read._cell_to_text`
makes it from openpyxl's values: ``True`` is ``"true"``, a date ``"2024-01-02"``, a
date and time ``"2024-01-02 13:05:00"``, a whole number ``"5"`` (never ``"5.0"``),
another number its shortest exact form (``"24.25493"``), an empty cell None.

Two things calamine does not say are read from the sheet's XML, which is scanned for
them with plain byte searches (a small part of the time calamine takes): which cells
hold a formula, and the text of error cells (``#N/A``, ``#DIV/0!``), which calamine
returns as empty although the workbook shows, and openpyxl reads, the error.

Before calamine sees a workbook, :mod:`kachin_events.validation.zipguard` checks its
archive (zip bombs, macros, links to other workbooks) and, sheet by sheet, the extent
of its cells: calamine lays a sheet out as a dense grid, so two cells far apart would
exhaust memory (the process would abort, with no message a contributor can act on).

Where the two readers differ: a date-formatted number past 9999-12-31 reads as the
number (openpyxl made it ``#VALUE!``); a negative number in a date format reads as
``00:00:00`` (openpyxl gave a date in 1899); a whole number from 2**53 to 10**16 reads
as digits, as openpyxl read it from the XML (``kachin_events.validation.read._cell_to_text`` would
add ".0" to the float). A sheet calamine cannot convert at all (a duration of a billion
days) is read by openpyxl instead.
"""

from __future__ import annotations

import datetime as dt
import posixpath
import re
from dataclasses import dataclass, field
from pathlib import Path

# Integral numbers below this print without an exponent in Python (repr switches to
# "1e+16" there), so they are written as integers: 5.0 is "5", 2**53 "9007199254740992".
_PLAIN_LIMIT = 1e16


@dataclass
class SheetText:
    """One sheet's cells as text, laid out as :class:`kachin_events.validation.csvfile.CsvText` is.

    Attributes
    ----------
    name : str
        The sheet's name.
    header : list of str or None
        The cells of the header row, the first row holding any value, from column A
        (so a sheet starting at column B has None first).
    header_line : int
        The header's row number as Excel shows it (1 for a sheet starting in row 1).
    frame : polars.DataFrame
        One Utf8 column per column from A to the last one holding a value, named by
        position ("0" is column A); one row per sheet row below the header down to the
        last row holding a value. Rows between that are empty stay, as rows of nulls.
    lines : polars.Series
        Int64, the Excel row number of each row of ``frame``.
    formulas : frozenset of (int, int), or None
        The cells holding a formula, as (Excel row number, column position), anywhere
        in the sheet (above the header and in trailing empty rows too); None when the
        workbook's XML could not be scanned for them.
    blank_lines : list
        Always empty: blank rows stay in ``frame`` (kept for CsvText's layout).
    long_rows : dict
        Always empty: every row is as wide as the header (kept for CsvText's layout).
    """

    name: str
    header: list
    header_line: int
    frame: object
    lines: object
    formulas: frozenset | None = None
    blank_lines: list = field(default_factory=list)
    long_rows: dict = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        """Whether the sheet holds no value at all (no header either)."""
        return not self.header

    def records(self) -> list[tuple[int, list[str | None]]]:
        """The sheet as (row number, cells) records, header first, every row from column A."""
        if not self.header:
            return []
        names = [str(i) for i in range(len(self.header))]
        rows = self.frame.select(names).rows()
        return [(self.header_line, list(self.header))] + [
            (line, list(row)) for line, row in zip(self.lines.to_list(), rows)
        ]


def read_workbook(path: Path, shown: str, *, include_hidden: bool = False) -> dict[str, SheetText]:
    """Read every data sheet of an XLSX workbook into text columns.

    Sheets whose name starts with ``_`` are skipped (a template's instructions and
    drop-down lists), as are hidden sheets unless ``include_hidden`` is set, chart
    sheets and macro sheets. A sheet with no value at all is returned with
    ``empty`` True. Trailing empty rows are dropped; rows above the header hold nothing
    (the header is the first row holding a value), so none are lost.

    Parameters
    ----------
    path : Path
        The workbook (``.xlsx`` or ``.xlsm``).
    shown : str
        The path as findings and errors show it.
    include_hidden : bool
        Also read hidden (and "very hidden") sheets.

    Returns
    -------
    dict of str to SheetText
        By sheet name, in the workbook's order.

    Raises
    ------
    kachin_events.validation.read.UnreadableError
        When the file is not a readable workbook, or a sheet of it cannot be read; when
        it is refused (a zip bomb, macros, links to other workbooks: see
        :func:`kachin_events.validation.zipguard.check_workbook`); when a sheet's cells
        span too large a grid (:func:`kachin_events.validation.zipguard.check_sheet_extent`).

    Examples
    --------
    >>> import tempfile, pathlib, datetime, xlsxwriter
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "report.xlsx"
    >>> wb = xlsxwriter.Workbook(path, {"default_date_format": "yyyy-mm-dd"})
    >>> ws = wb.add_worksheet("events")
    >>> _ = ws.write_row(2, 1, ["event_id", "date_start", "fatalities"])
    >>> _ = ws.write_row(3, 1, ["KE000001", datetime.date(2024, 1, 2), 5.0])
    >>> _ = wb.add_worksheet("_lists").write(0, 0, "helper")
    >>> wb.close()
    >>> sheets = read_workbook(path, "report.xlsx")
    >>> list(sheets)
    ['events']
    >>> sheet = sheets["events"]
    >>> sheet.header_line, sheet.header
    (3, [None, 'event_id', 'date_start', 'fatalities'])
    >>> sheet.records()[1]
    (4, [None, 'KE000001', '2024-01-02', '5'])
    """
    from concurrent.futures import ThreadPoolExecutor

    from .read import UnreadableError

    try:
        import python_calamine as calamine
    except ImportError:  # pragma: no cover - python-calamine is a dependency
        raise UnreadableError(shown, "reading XLSX needs python-calamine (pip install python-calamine)") from None
    from .zipguard import check_workbook

    # Zip bombs, macros and external links are refused before calamine unpacks anything.
    check_workbook(path, shown)
    try:
        book = calamine.CalamineWorkbook.from_path(str(path))
    except OSError as exc:
        raise UnreadableError(shown, f"cannot be read ({exc.strerror or exc})") from None
    except Exception as exc:  # calamine raises several kinds for a broken file
        msg = f"is not a readable XLSX workbook ({type(exc).__name__}: {exc})"
        raise UnreadableError(shown, msg) from None
    sheets: dict[str, SheetText] = {}
    pool = scanner = None
    try:
        wanted = [meta.name for meta in book.sheets_metadata
                  # Skipped: helper sheets (instructions, drop-down lists), chart and macro sheets.
                  if not meta.name.startswith("_") and meta.typ == calamine.SheetTypeEnum.WorkSheet
                  and (include_hidden or meta.visible == calamine.SheetVisibleEnum.Visible)]
        # Each sheet's XML is unzipped and its extent checked before calamine parses it
        # (calamine lays a sheet out as a dense grid: two far-apart cells would exhaust
        # memory). The formula scan of a sheet and the check of the next one run in a
        # thread while calamine parses: unzipping releases the GIL, and calamine's parse too.
        pool = ThreadPoolExecutor(max_workers=1)
        scanner = _XmlScanner(path, shown)
        scanner.check_others()
        ready = pool.submit(scanner.prepare, wanted[0]) if wanted else None
        scans = {}
        for k, name in enumerate(wanted):
            data = ready.result()  # raises UnreadableError for a sheet too large to lay out
            scans[name] = pool.submit(scanner.scan_data, data)
            del data
            ready = pool.submit(scanner.prepare, wanted[k + 1]) if k + 1 < len(wanted) else None
            try:
                sheet = book.get_sheet_by_name(name)
                rows = sheet.to_python()
                start = sheet.start
            except Exception as exc:
                # calamine fails on a whole sheet for one cell it cannot convert (a
                # duration of a billion days); openpyxl reads such a cell as #VALUE!.
                rows, start = _openpyxl_rows(path, name)
                if rows is None:
                    msg = f"has a sheet {name!r} that cannot be read ({type(exc).__name__}: {exc})"
                    raise UnreadableError(shown, msg) from None
            sheets[name] = _sheet_text(name, rows, start, scans[name].result())
            del rows  # the next sheet's cells need the memory more
    finally:
        if pool is not None:
            pool.shutdown(cancel_futures=True)
        if scanner is not None:
            scanner.close()
        book.close()
    return sheets


def _openpyxl_rows(path: Path, name: str) -> tuple[list[list] | None, tuple[int, int]]:
    """Sheet ``name`` as calamine would give it (rows from A1, "" when empty), read by openpyxl."""
    import warnings

    import openpyxl

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "outside the limits for dates": read as #VALUE!
            book = openpyxl.load_workbook(path, read_only=True, data_only=True)
            try:
                sheet = book[name]
                # The sheet's declared dimension may be anything: rows padded to it could
                # be 16,384 cells wide. Read the rows as they are (padded below).
                sheet.reset_dimensions()
                rows = [["" if v is None else v for v in row] for row in sheet.iter_rows(values_only=True)]
            finally:
                book.close()
    except Exception:
        return None, (0, 0)
    width = max(map(len, rows), default=0)
    return [row + [""] * (width - len(row)) for row in rows], (0, 0)


def _value_text(value) -> str | None:
    """A calamine cell value as the text a CSV would hold (None for an empty cell).

    Examples
    --------
    >>> [_value_text(v) for v in (5.0, -0.0, 24.25493, 1e-07, 2.0**53, 1e20, True, "", " x ")]
    ['5', '0', '24.25493', '1e-07', '9007199254740992', '1e+20', 'true', None, ' x ']
    >>> _value_text(dt.datetime(2024, 1, 2)), _value_text(dt.datetime(2024, 1, 2, 13, 5))
    ('2024-01-02', '2024-01-02 13:05:00')
    >>> _value_text(dt.date(2024, 1, 2)), _value_text(dt.time(13, 5)), _value_text(dt.timedelta(hours=30))
    ('2024-01-02', '13:05:00', '1 day, 6:00:00')
    """
    kind = value.__class__
    if kind is str:
        return value or None
    if kind is float:
        # Spreadsheets store every number as a float; 5.0 means 5.
        return str(int(value)) if value.is_integer() and -_PLAIN_LIMIT < value < _PLAIN_LIMIT else repr(value)
    if kind is bool:
        return "true" if value else "false"
    if kind is dt.datetime:
        # A date cell whose time is midnight is a date; a time of day would be a mistake.
        return value.date().isoformat() if value.time() == dt.time(0, 0) else value.isoformat(sep=" ")
    if kind is dt.date:
        return value.isoformat()
    if value is None:
        return None
    text = str(value)  # int (other formats), time ("13:05:00"), timedelta ("1 day, 6:00:00")
    return text or None


def _column_texts(values) -> list[str | None]:
    """A column's values as text: texts and numbers inline, the rarer kinds by :func:`_value_text`."""
    limit = _PLAIN_LIMIT
    return [
        (v or None) if v.__class__ is str
        else (str(int(v)) if v.is_integer() and -limit < v < limit else repr(v)) if v.__class__ is float
        else _value_text(v)
        for v in values
    ]


def _filled(row) -> bool:
    return any(v != "" for v in row)  # calamine gives "" for an empty cell; False and 0.0 are values


def _empty_sheet(name: str, formulas) -> SheetText:
    import polars as pl

    return SheetText(name, [], 1, pl.DataFrame(), pl.Series("lines", [], dtype=pl.Int64), formulas)


def _sheet_text(name: str, rows: list[list], start, scan) -> SheetText:
    """Lay calamine's rows (from ``start``, the top-left cell holding a value) out as a SheetText."""
    import polars as pl

    formulas, errors = scan if scan is not None else (None, {})
    if not rows or start is None:
        return _empty_sheet(name, formulas)
    top, left = start  # 0-based; calamine leaves out the empty rows and columns before them
    for (row, col), text in errors.items():
        i, j = row - 1 - top, col - left
        if 0 <= i < len(rows) and 0 <= j < len(rows[i]):
            rows[i][j] = text
    first = next((i for i, r in enumerate(rows) if _filled(r)), None)
    if first is None:
        return _empty_sheet(name, formulas)
    # Spreadsheet editors leave empty rows below the data: not worth a warning.
    last = next(i for i in range(len(rows) - 1, first - 1, -1) if _filled(rows[i]))
    width = len(rows[first])
    header = [None] * left + [_value_text(v) for v in rows[first]]
    body = rows[first + 1:last + 1]
    n = len(body)
    columns = [pl.Series(str(j), [None] * n, dtype=pl.Utf8) for j in range(left)]
    texts = []
    for k, col in enumerate(zip(*body) if n else [()] * width):
        if set(map(type, col)) <= {str}:
            texts.append(str(left + k))  # polars takes text as it is; "" becomes null below
            columns.append(pl.Series(str(left + k), col, dtype=pl.Utf8))
        else:
            columns.append(pl.Series(str(left + k), _column_texts(col), dtype=pl.Utf8))
    frame = pl.DataFrame(columns).with_columns(pl.when(pl.col(c) != "").then(pl.col(c)).alias(c) for c in texts)
    lines = pl.Series("lines", range(top + first + 2, top + last + 2), dtype=pl.Int64)
    return SheetText(name, header, top + first + 1, frame, lines, formulas)


# --- What calamine does not say: formula cells and error values, from the sheet's XML ---

_SHEET_DATA = re.compile(rb"<([A-Za-z_][\w.-]*:)?sheetData[\s/>]")
_CELL_REF = re.compile(rb"""\sr\s*=\s*["']([A-Z]{1,3})([0-9]+)["']""")
_TYPE_BEFORE = re.compile(rb"\st\s*=\s*$")  # what precedes "e" in the attribute t="e"
_SPACE = (b" ", b"\t", b"\r", b"\n")
_SPANNING = re.compile(rb"""\st\s*=\s*["'](?:array|dataTable)["']""")
_RANGE = re.compile(rb"""\sref\s*=\s*["']\$?([A-Z]{1,3})\$?([0-9]+)(?::\$?([A-Z]{1,3})\$?([0-9]+))?["']""")


class _NoReference(Exception):
    """A cell without its ``r`` attribute: its place must be counted (slow path)."""


class _XmlScanner:
    """Reads each sheet's XML: checks its extent, finds its formula cells and error values."""

    def __init__(self, path: Path, shown: str):
        import zipfile

        from .read import UnreadableError

        self.path, self.shown = path, shown
        self.members: dict[str, list[str]] | None = None
        self.all_checked = False
        try:
            self.zip = zipfile.ZipFile(path)
        except Exception as exc:  # checked by zipguard already: a file changed under us
            raise UnreadableError(shown, f"is not a readable XLSX workbook ({type(exc).__name__}: {exc})") from None
        try:
            self.members = _sheet_members(self.zip)
        except Exception:  # calamine read it; every part that may be a sheet is checked instead
            self.members = None

    def close(self) -> None:
        self.zip.close()

    def _read(self, member: str) -> bytes:
        from .read import UnreadableError

        try:
            return self.zip.read(member)  # bounded by the part's declared size (zipguard checked those)
        except Exception as exc:
            msg = f"is not a readable XLSX workbook (its part {member}: {type(exc).__name__}: {exc})"
            raise UnreadableError(self.shown, msg) from None

    def prepare(self, name: str) -> bytes | None:
        """Sheet ``name``'s XML, after checking its extent (None when its part cannot be told)."""
        from .zipguard import check_sheet_extent

        parts = (self.members or {}).get(name)
        if not parts:
            # Without the workbook's relationships, any XML part may be the sheet calamine reads.
            if not self.all_checked:
                for member in self.zip.namelist():
                    if member.lower().endswith(".xml"):
                        check_sheet_extent(self._read(member), self.shown, name)
                self.all_checked = True
            return None
        data = None
        for member in parts:
            # Every part the sheet may resolve to (calamine's reading of the path, and
            # other spellings of it) is checked; the first is the one scanned for formulas.
            part = self._read(member)
            check_sheet_extent(part, self.shown, name)
            data = part if data is None else data
        return data

    def check_others(self) -> None:
        """Check the extent of the XML parts that no sheet resolves to but that hold sheet data.

        calamine finds a sheet's part through the workbook's relationships, as
        :func:`_sheet_members` does; should the two ever disagree, a part holding sheet
        data is still checked. Only the first 64 KB of each other part is unzipped to tell.
        (The parts of sheets that are not read, hidden ones say, are left alone.)
        """
        from .zipguard import check_sheet_extent

        if self.members is None:
            return
        mapped = {m.lower() for parts in self.members.values() for m in parts}
        for info in self.zip.infolist():
            if not info.filename.lower().endswith(".xml") or info.filename.lower() in mapped:
                continue
            try:
                with self.zip.open(info) as fh:
                    head = fh.read(65_536)
            except Exception:
                continue  # calamine cannot read it either
            if b"sheetData" in head:
                check_sheet_extent(self._read(info.filename), self.shown, info.filename)

    def scan_data(self, data: bytes | None) -> tuple[frozenset, dict] | None:
        """(formula cells, {cell: error text}) of a sheet's XML, or None if unknown."""
        if data is None:
            return None
        try:
            try:
                return _scan_sheet_xml(data)
            except _NoReference:
                return _scan_sheet_xml_counting(data)
        except Exception:
            return None


def _sheet_members(zf) -> dict[str, list[str]]:
    """Sheet name -> the parts of the zip it may resolve to, from the workbook's relationships.

    The first part is where the relationship's target leads, relative to the workbook
    part and whatever the case of its letters; the others are where a reader that
    joins the target to ``xl/`` as written, or matches case exactly, would look.
    """
    import xml.etree.ElementTree as ET

    names = {n.lower(): n for n in zf.namelist()}

    def read(member: str) -> bytes:
        return zf.read(names[member.lower()])

    def local(tag: str) -> str:
        return tag.rsplit("}", 1)[-1]

    book = "xl/workbook.xml"
    for rel in ET.fromstring(read("_rels/.rels")):
        if rel.get("Type", "").endswith("/officeDocument"):
            book = rel.get("Target", book).lstrip("/")
    base = posixpath.dirname(book)
    rels = ET.fromstring(read(posixpath.join(base, "_rels", posixpath.basename(book) + ".rels")))
    targets = {rel.get("Id"): rel.get("Target", "") for rel in rels}
    variants: dict[str, list[str]] = {}
    for n in zf.namelist():
        variants.setdefault(n.lower(), []).append(n)
    out = {}
    for el in ET.fromstring(read(book)).iter():
        if local(el.tag) != "sheet":
            continue
        rid = next((v for k, v in el.attrib.items() if local(k) == "id"), None)
        target = targets.get(rid)
        if not target:
            out[el.get("name")] = []
            continue
        member = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(base, target))
        plain = target.lstrip("/") if target.startswith("/") else (
            target if target.startswith("xl/") else f"xl/{target}")
        parts = [names[member.lower()]] if member.lower() in names else []
        for candidate in (member, plain):
            parts += [v for v in variants.get(candidate.lower(), []) if v not in parts]
        out[el.get("name")] = parts
    return out


def _column_index(letters: bytes) -> int:
    """0-based column of Excel column letters.

    Examples
    --------
    >>> _column_index(b"A"), _column_index(b"Z"), _column_index(b"AA"), _column_index(b"XFD")
    (0, 25, 26, 16383)
    """
    n = 0
    for ch in letters:
        n = n * 26 + ch - 64
    return n - 1


def _scan_sheet_xml(data: bytes) -> tuple[frozenset, dict]:
    """Formula cells and error values of a worksheet part, by byte searches.

    Examples
    --------
    >>> xml = (b'<worksheet><sheetData><row r="2"><c r="B2" t="e"><f>1/0</f><v>#DIV/0!</v></c>'
    ...        b'<c r="C2"><v>5</v></c><c r="D2"><f t="array" ref="D2:D3">ROW()</f><v>2</v></c>'
    ...        b'</row></sheetData></worksheet>')
    >>> formulas, errors = _scan_sheet_xml(xml)
    >>> sorted(formulas), errors
    ([(2, 1), (2, 3), (3, 3)], {(2, 1): '#DIV/0!'})
    """
    found = _SHEET_DATA.search(data)
    if found is None:
        return frozenset(), {}
    if data[found.end() - 1:found.end()] == b"/":
        return frozenset(), {}  # <sheetData/>: no cells
    prefix = found.group(1) or b""
    lo = found.start()
    hi = data.find(b"</" + prefix + b"sheetData>", lo)
    hi = len(data) if hi < 0 else hi
    cell_open = b"<" + prefix + b"c"
    formula_tag = re.compile(re.escape(b"<" + prefix + b"f") + rb"[\s/>]")
    formulas: set[tuple[int, int]] = set()
    for hit in formula_tag.finditer(data, lo, hi):
        # A formula is its cell's first child: the nearest cell tag before it is its cell.
        row, col = _cell_place(data, data.rfind(cell_open, lo, hit.start()), cell_open)
        formulas.add((row, col))
        tag = data[hit.start():data.find(b">", hit.start())]
        spans = _RANGE.search(tag) if _SPANNING.search(tag) else None
        if spans and spans.group(3):
            # An array formula is written in its top-left cell only but fills its range.
            r1, r2 = int(spans.group(2)), int(spans.group(4))
            c1, c2 = _column_index(spans.group(1)), _column_index(spans.group(3))
            if (r2 - r1 + 1) * (c2 - c1 + 1) <= 1_000_000:
                formulas.update((r, c) for r in range(r1, r2 + 1) for c in range(c1, c2 + 1))
    errors: dict[tuple[int, int], str] = {}
    for quoted in (b'"e"', b"'e'"):  # literal searches: a regex would stop at every byte
        at = data.find(quoted, lo, hi)
        while at >= 0:
            start = data.rfind(b"<", lo, at)
            is_type = _TYPE_BEFORE.search(data, max(start, at - 16), at) is not None
            if is_type and data.startswith(cell_open, start) and data[start + len(cell_open):start + len(cell_open) + 1] in _SPACE:
                text = _error_value(data, start, prefix, hi)
                if text is not None:
                    errors[_cell_place(data, start, cell_open)] = text
            at = data.find(quoted, at + 3, hi)
    return frozenset(formulas), errors


def _cell_place(data: bytes, start: int, cell_open: bytes) -> tuple[int, int]:
    """(Excel row, 0-based column) of the cell tag at ``start``, from its ``r`` attribute."""
    if start < 0 or data[start + len(cell_open):start + len(cell_open) + 1] not in (*_SPACE, b">"):
        raise _NoReference
    ref = _CELL_REF.search(data[start:data.find(b">", start)])
    if ref is None:
        raise _NoReference
    return int(ref.group(2)), _column_index(ref.group(1))


def _error_value(data: bytes, start: int, prefix: bytes, hi: int) -> str | None:
    """The text of the ``<v>`` of the error cell whose tag starts at ``start`` (None if it has none)."""
    end = data.find(b">", start)
    if data[end - 1:end] == b"/":
        return None  # <c r="A1" t="e"/>
    close = data.find(b"</" + prefix + b"c>", end)
    value = data.find(b"<" + prefix + b"v>", end, close if close >= 0 else hi)
    if value < 0:
        return None
    value += len(prefix) + 3
    return _xml_text(data[value:data.find(b"<", value)])


def _xml_text(raw: bytes) -> str:
    from xml.sax.saxutils import unescape

    return unescape(raw.decode("utf-8"), {"&quot;": '"', "&apos;": "'"})


def _scan_sheet_xml_counting(data: bytes) -> tuple[frozenset, dict]:
    """As :func:`_scan_sheet_xml`, for the rare sheet whose cells leave out their ``r``.

    Rows and cells without ``r`` follow the previous one, as Excel reads them.

    Examples
    --------
    >>> xml = b'<worksheet><sheetData><row><c><v>1</v></c><c t="e"><f>NA()</f><v>#N/A</v></c></row></sheetData></worksheet>'
    >>> _scan_sheet_xml_counting(xml)
    (frozenset({(1, 1)}), {(1, 1): '#N/A'})
    """
    import io
    import xml.etree.ElementTree as ET

    formulas: set[tuple[int, int]] = set()
    errors: dict[tuple[int, int], str] = {}
    row, col = 0, -1
    for event, el in ET.iterparse(io.BytesIO(data), events=("start", "end")):
        tag = el.tag.rsplit("}", 1)[-1]
        if event == "start" and tag == "row":
            row = int(el.get("r") or row + 1)
            col = -1
        elif event == "start" and tag == "c":
            ref = re.fullmatch(r"\$?([A-Z]{1,3})\$?([0-9]+)", el.get("r") or "")
            row, col = (int(ref.group(2)), _column_index(ref.group(1).encode())) if ref else (row, col + 1)
        elif event == "end" and tag == "c":
            children = {child.tag.rsplit("}", 1)[-1]: child for child in el}
            if "f" in children:
                formulas.add((row, col))
            if el.get("t") == "e" and "v" in children:
                errors[(row, col)] = children["v"].text or ""
            el.clear()
    return frozenset(formulas), errors
