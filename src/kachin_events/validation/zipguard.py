"""What an XLSX workbook holds, checked before anything is unpacked or parsed.

An XLSX file is a zip archive of XML parts. A hostile or broken one can make a reader
exhaust memory while the file itself stays tiny:

* a *zip bomb*: a part that inflates to gigabytes (deflate reaches about 1,000 to 1);
  parts that overlap in the archive; an archive of millions of entries;
* a *sparse sheet*: two cells, ``A1`` and ``XFD1048576``, in a file of 5 KB. calamine
  lays every sheet out as a dense grid, 17 billion cells here, and the process aborts
  (a Rust allocation failure cannot be caught).

:func:`check_workbook` reads the archive's directory (sizes, ratios, names) and
refuses such a file before calamine opens it; it also refuses workbooks carrying macros
or links to other workbooks. :func:`check_sheet_extent` refuses a sheet whose cells
span more than :data:`MAX_SHEET_CELLS`, or lie past Excel's last column or row, from
its XML, before calamine parses it.
The declared sizes can be trusted as upper bounds: Python's zipfile and calamine's zip
reader both stop with an error at a part larger than its declared size.
"""

from __future__ import annotations

import re
import struct
from pathlib import Path

#: Most entries in a workbook's archive (a workbook of ten sheets has about 30).
MAX_ZIP_ENTRIES = 10_000
#: Most bytes all of a workbook's parts may inflate to: a sheet of a million events is
#: about 1.3 GB of XML.
MAX_UNCOMPRESSED_BYTES = 4_000_000_000
#: Highest compression ratio of a part of at least :data:`RATIO_FROM_BYTES`. Sheets
#: written by Excel, LibreOffice, openpyxl and xlsxwriter compress 10 to 25 times; a zip
#: bomb's parts about 1,000 times.
MAX_COMPRESSION_RATIO = 100
#: Parts smaller than this are not held to the ratio (tiny parts compress oddly).
RATIO_FROM_BYTES = 10_000_000
#: Most cells a sheet's used range (from its first to its last row and column holding a
#: value) may span: a sheet of 1,048,576 rows (Excel's most) of the widest table, 22
#: columns, spans 23 million. calamine keeps 32 bytes per cell of the range.
MAX_SHEET_CELLS = 60_000_000

#: Parts that make a workbook carry code: VBA projects, Excel 4 macro sheets, ActiveX.
_MACRO_PARTS = re.compile(r"(^|/)vbaproject[^/]*\.bin$|(^|/)xl/(macrosheets|dialogsheets|activex)/", re.I)
_LINK_PARTS = re.compile(r"(^|/)xl/externallinks/[^/]+\.xml$", re.I)
_CFB = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # an OLE file: an old .xls, or an encrypted workbook


def _unreadable(shown: str, msg: str):
    from .read import UnreadableError

    return UnreadableError(shown, msg)


def _directory_size(path: Path) -> tuple[int, int] | None:
    """(entries the archive declares, bytes of its central directory), from its end record.

    Read before Python's zipfile builds an object per entry: an archive of millions of
    entries is refused without them. None when no end record is found (zipfile says why).
    """
    with open(path, "rb") as fh:
        fh.seek(0, 2)
        size = fh.tell()
        fh.seek(max(0, size - 65_557))  # the end record and its longest comment
        tail = fh.read()
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or len(tail) - at < 22:
        return None
    entries, cd_size = struct.unpack_from("<H", tail, at + 10)[0], struct.unpack_from("<I", tail, at + 12)[0]
    z64 = tail.rfind(b"PK\x06\x06", 0, at)
    if z64 >= 0 and len(tail) - z64 >= 56 and (entries == 0xFFFF or cd_size == 0xFFFFFFFF):
        entries, cd_size = struct.unpack_from("<QQ", tail, z64 + 32)[0], struct.unpack_from("<Q", tail, z64 + 40)[0]
    return entries, cd_size


def check_workbook(path: Path, shown: str) -> None:
    """Refuse a workbook whose archive could exhaust memory, or that carries macros or external links.

    Raises
    ------
    kachin_events.validation.read.UnreadableError
        With the reason and how to send the data instead.

    Examples
    --------
    >>> import tempfile, zipfile
    >>> path = Path(tempfile.mkdtemp()) / "events.xlsx"
    >>> with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
    ...     z.writestr("xl/worksheets/sheet1.xml", b"<c/>" * 10_000_000)
    >>> try:
    ...     check_workbook(path, "events.xlsx")
    ... except Exception as exc:
    ...     print(exc.message[:60])
    is a zip bomb, not a workbook to read: its part xl/worksheet
    """
    import zipfile

    try:
        with open(path, "rb") as fh:
            head = fh.read(8)
    except OSError as exc:
        raise _unreadable(shown, f"cannot be read ({exc.strerror or exc})") from None
    if head.startswith(_CFB):
        msg = ("is an encrypted (password-protected) workbook or an old Excel 97-2003 (.xls) file, not an XLSX "
               "workbook; remove the password (Excel: File > Info > Protect Workbook > Encrypt with Password, "
               "and clear it) or save it as \"Excel Workbook (.xlsx)\"")
        raise _unreadable(shown, msg)
    declared = _directory_size(path)
    if declared is not None:
        entries, cd_size = declared
        # Each entry of the central directory takes at least 46 bytes: its size bounds the
        # entries whatever count the end record states.
        if max(entries, cd_size // 46) > MAX_ZIP_ENTRIES:
            what = (f"declares {entries:,} entries" if entries > MAX_ZIP_ENTRIES else
                    f"has a directory of {cd_size:,} bytes, room for {cd_size // 46:,} entries")
            msg = (f"is not a workbook to read: its archive {what}, more than the {MAX_ZIP_ENTRIES:,} a workbook "
                   "may have; save the data again as a new workbook")
            raise _unreadable(shown, msg)
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            names = [i.filename for i in infos]
            links = [n for n in names if _LINK_PARTS.search(n)]
            targets = _link_targets(zf, links) if links else []
    except OSError as exc:
        raise _unreadable(shown, f"cannot be read ({exc.strerror or exc})") from None
    except Exception as exc:  # BadZipFile, and what a damaged directory raises
        raise _unreadable(shown, f"is not a readable XLSX workbook ({type(exc).__name__}: {exc})") from None
    _check_sizes(path, shown, infos)
    macros = [n for n in names if _MACRO_PARTS.search(n)]
    if macros:
        msg = (f"holds macros ({', '.join(macros[:3])}): a data file must not carry code a reviewer's "
               "spreadsheet could run; save a copy as \"Excel Workbook (.xlsx)\" (File > Save As), which leaves "
               "the macros out, and send that")
        raise _unreadable(shown, msg)
    if links:
        where = f" to {', '.join(repr(t) for t in targets[:3])}" if targets else ""
        msg = (f"holds {len(links)} link(s) to other workbooks{where}: its values may come from files that were "
               "not sent, and opening it asks to fetch them; break the links (Excel: Data > Edit Links > Break "
               "Link; LibreOffice: Edit > Links to External Files > Break Link), save, and send it again")
        raise _unreadable(shown, msg)


def _check_sizes(path: Path, shown: str, infos) -> None:
    file_size = path.stat().st_size
    if len(infos) > MAX_ZIP_ENTRIES:
        msg = (f"is not a workbook to read: its archive holds {len(infos):,} entries, more than the "
               f"{MAX_ZIP_ENTRIES:,} a workbook has; save the data again as a new workbook")
        raise _unreadable(shown, msg)
    total = sum(i.file_size for i in infos)
    packed = sum(i.compress_size for i in infos)
    bomb = next((i for i in infos if i.file_size >= RATIO_FROM_BYTES
                 and i.file_size > MAX_COMPRESSION_RATIO * max(1, i.compress_size)), None)
    if bomb is not None:
        ratio = bomb.file_size / max(1, bomb.compress_size)
        msg = (f"is a zip bomb, not a workbook to read: its part {bomb.filename} inflates from "
               f"{bomb.compress_size:,} to {bomb.file_size:,} bytes ({ratio:,.0f} times; workbooks compress 10 to "
               f"25 times, the limit is {MAX_COMPRESSION_RATIO}); save the data again as a new workbook, or as CSV UTF-8")
        raise _unreadable(shown, msg)
    if packed > file_size:
        # Parts that share their compressed bytes: the overlapping kind of zip bomb.
        msg = (f"is a zip bomb, not a workbook to read: its parts claim {packed:,} compressed bytes in a file of "
               f"{file_size:,} (they overlap); save the data again as a new workbook, or as CSV UTF-8")
        raise _unreadable(shown, msg)
    if total > MAX_UNCOMPRESSED_BYTES:
        msg = (f"inflates to {total / 1e9:,.1f} GB of XML, more than the limit of {MAX_UNCOMPRESSED_BYTES / 1e9:,.0f} "
               "GB for a workbook; save the data as CSV UTF-8 (a CSV of any size is read in chunks), or split it "
               "into several workbooks")
        raise _unreadable(shown, msg)


def _link_targets(zf, links: list[str]) -> list[str]:
    """Where a workbook's external links point (read from the links' relationships, small parts only)."""
    out = []
    names = {n.lower(): n for n in zf.namelist()}
    for link in links:
        folder, _, base = link.rpartition("/")
        rels = names.get(f"{folder}/_rels/{base}.rels".lower())
        if rels is None or zf.getinfo(rels).file_size > 65_536:
            continue
        text = zf.read(rels).decode("utf-8", "replace")
        out += re.findall(r'Target\s*=\s*"([^"]{1,200})"', text)
    return out


# --- The extent of a sheet, from its XML ------------------------------------------------

# What the fast path cannot vouch for, in one search (Rust's regex, through polars):
# a cell or row tag whose first attribute is not written exactly ` r="` (a cell without
# its place follows the one before it), a tag with a namespace prefix, or a place
# beyond column AZ (three letters, or two from B) or row 999,999. Any of them, and the
# extent is worked out tag by tag.
_IRREGULAR = r'<(?:c|row)(?:[/>\t\r\n]|  | [^r]| r[^=]| r=[^"])|[A-Za-z0-9_.-]:(?:c|row)[/>\s]'
_NOT_PLAIN = _IRREGULAR + r'| r="(?:[A-Za-z]{3}|[B-Zb-z][A-Za-z]|[A-Za-z]{0,2}[0-9]{7})'
_PLAIN_LETTERS = re.compile(rb' r="([A-Za-z]+)')
#: Excel's last column (XFD) and row. A place further out is no workbook a spreadsheet
#: wrote, and the readers would lay out every column or row up to it: a file of a few kB
#: could ask for hundreds of thousands of columns, or billions of rows.
EXCEL_COLUMNS, EXCEL_ROWS = 16_384, 1_048_576
_FAR_PLACE = re.compile(rb"""(?:^|\s)r\s*=\s*["']\s*([A-Za-z]{3,}[0-9]*|[A-Za-z]{0,2}[0-9]{7,})""")


def _past_excel(data: bytes) -> str | None:
    """The first place (``r="ZZZZ2"``, ``r="99999999999"``) beyond Excel's last column or row, or None.

    Examples
    --------
    >>> _past_excel(b'<row r="7"><c r="XFD1048576"/>'), _past_excel(b'<c r="XFE1"/>')
    (None, 'XFE1')
    >>> _past_excel(b'<row r="1048577"><c r="A1048577"/>'), _past_excel(b'<c r="XFD99999999999"/>')
    ('1048577', 'XFD99999999999')
    """
    for m in _FAR_PLACE.finditer(data):
        place = m.group(1).decode("ascii").upper()
        letters = place.rstrip("0123456789")
        digits = place[len(letters):]
        if _column_number(letters.encode()) > EXCEL_COLUMNS or (digits and int(digits) > EXCEL_ROWS):
            return place
    return None
_PLAIN_DIGITS = re.compile(rb' r="[A-Za-z]*([0-9]+)')
_FAST_BOUND = 999_999 * 52  # what the fast path proves: at most 999,999 rows of 52 columns
_TAG = re.compile(rb"<(?:[A-Za-z0-9_.-]+:)?(c|row)(?=[\s/>])([^>]*?)(/?)>")
_REF_ATTR = re.compile(rb"""(?:^|\s)r\s*=\s*["']\s*([A-Za-z]*)([0-9]*)""")


def _column_number(letters: bytes) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + ch - 64
    return n


def sheet_extent(data: bytes) -> tuple[int, int]:
    """(rows, columns) the cells holding a value span in a worksheet's XML, as calamine lays them out.

    A cell with its place (``r="C5"``) goes there; a cell without one goes in its row's
    row, in the column after the cell before it; a row without its number follows the
    row before it. Cells written empty (``<c r="Z9" s="1"/>``, formatting only) are not
    counted: calamine leaves them out. (Tests compare this with calamine's grids.)

    Examples
    --------
    >>> sheet_extent(b'<sheetData><row r="2"><c r="B2"><v>1</v></c><c><v>2</v></c></row>'
    ...              b'<row r="7"><c r="A7" s="1"/><c r="B7"><v>3</v></c></row></sheetData>')
    (6, 2)
    >>> sheet_extent(b'<sheetData/>')
    (0, 0)
    """
    tag_row, col = 0, 0
    lo_r = lo_c = None
    hi_r = hi_c = -1
    for m in _TAG.finditer(data):
        kind, attrs, empty = m.group(1), m.group(2), m.group(3)
        ref = _REF_ATTR.search(attrs)
        if kind == b"row":
            tag_row = int(ref.group(2)) if ref and ref.group(2) else tag_row + 1
            col = 0
            continue
        row = tag_row
        if ref and (ref.group(1) or ref.group(2)):
            col = _column_number(ref.group(1)) if ref.group(1) else col + 1
            row = int(ref.group(2)) if ref.group(2) else tag_row
        else:
            col += 1
        if empty:
            continue
        lo_r = row if lo_r is None else min(lo_r, row)
        lo_c = col if lo_c is None else min(lo_c, col)
        hi_r, hi_c = max(hi_r, row), max(hi_c, col)
    if lo_r is None:
        return 0, 0
    return hi_r - lo_r + 1, hi_c - lo_c + 1


def _plain_extent(data: bytes) -> tuple[int, int]:
    """(rows, columns) from the first to the last place written ` r="..."`, cells and rows alike.

    Examples
    --------
    >>> _plain_extent(b'<row r="3"><c r="C3"/><c r="BA9"><v>1</v></c></row>')
    (7, 51)
    """
    letters = {m.upper() for m in _PLAIN_LETTERS.findall(data)}
    digits = _PLAIN_DIGITS.findall(data)
    if any(d.startswith(b"0") for d in digits):
        digits = [d.lstrip(b"0") or b"0" for d in digits]  # "A007" is row 7: compare the numbers
    if not letters or not digits:
        return 0, 0
    cols = [_column_number(x) for x in letters]
    longest, shortest = max(map(len, digits)), min(map(len, digits))
    top = int(max(d for d in digits if len(d) == longest))
    bottom = int(min(d for d in digits if len(d) == shortest))
    return top - bottom + 1, max(cols) - min(cols) + 1


def check_sheet_extent(data: bytes, shown: str, sheet: str) -> None:
    """Raise UnreadableError when a sheet's cells span more than :data:`MAX_SHEET_CELLS`.

    Most sheets are proven small by one fast search (every cell and row tag starts
    ``r="``, and no place lies beyond column AZ or row 999,999: about 0.3 s for a sheet
    of 100,000 events); the others are measured tag by tag (:func:`sheet_extent`).

    Examples
    --------
    >>> check_sheet_extent(b'<sheetData><row r="1"><c r="A1"><v>1</v></c></row></sheetData>', "x.xlsx", "s")
    >>> try:
    ...     check_sheet_extent(b'<sheetData><row r="1"><c r="A1"><v>1</v></c></row><row r="1048576">'
    ...                        b'<c r="XFD1048576"><v>1</v></c></row></sheetData>', "x.xlsx", "s")
    ... except Exception as exc:
    ...     print(exc.message[:72])
    has a sheet 's' whose cells span 1,048,576 rows by 16,384 columns (from 
    """
    import polars as pl

    try:
        text = pl.Series([data], dtype=pl.Binary).cast(pl.String)
        plain = not text.str.contains(_NOT_PLAIN)[0]
        regular = plain or not text.str.contains(_IRREGULAR)[0]
        del text
    except Exception:  # not UTF-8 (a UTF-16 part, say): measured tag by tag
        plain = regular = False
    if plain and _FAST_BOUND <= MAX_SHEET_CELLS:
        return
    past = _past_excel(data)
    if past is not None:
        msg = (f"has a sheet {sheet!r} with a cell or row at {past}, past Excel's last column or row (XFD, row "
               f"{EXCEL_ROWS:,}): no spreadsheet program writes that, so the file is damaged or was made by hand; "
               "open it in a spreadsheet, save it again as .xlsx, and send that")
        raise _unreadable(shown, msg)
    if regular:
        # Every tag has its place: the places' extremes bound the extent (empty cells
        # included, so it may be more than calamine's), about 1 s for 100,000 events.
        rows, cols = _plain_extent(data)
        if rows * cols <= MAX_SHEET_CELLS:
            return
    rows, cols = sheet_extent(data)
    if rows * cols > MAX_SHEET_CELLS:
        msg = (f"has a sheet {sheet!r} whose cells span {rows:,} rows by {cols:,} columns (from the first to the "
               f"last cell holding a value), {rows * cols:,} cells, more than the limit of {MAX_SHEET_CELLS:,}; a "
               "stray value far below or right of the table does this: delete the rows and columns after the "
               "table (select them, Delete), save, and send the workbook again")
        raise _unreadable(shown, msg)
