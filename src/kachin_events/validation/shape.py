"""The shape of a table as people lay it out: where its header is, what its columns are called.

People who fill a table in a spreadsheet write a title above it ("Kachin events
submission, March 2026", merged across the columns), keep a sheet of instructions
beside the data, and type column names in their own case, with a stray space. None of
that is data, and none of it should bury the findings that are:

* :func:`header_index` finds the header among a table's first rows: a title above it
  is skipped (row numbers stay the spreadsheet's), with one ``title-row`` warning;
* :func:`is_instruction_sheet` tells a sheet of prose from a table: it is not read,
  with one ``instruction-sheet`` warning;
* :func:`column_key` matches ``"Event_ID "`` or ``"EVENT_TYPE"`` to its column, with
  a ``column-name`` warning rather than an unknown and a missing column.
"""

from __future__ import annotations

import re
from functools import lru_cache

from .findings import ERROR, WARNING, Finding

#: How many rows from the top a header may be found in (below a title, notes, a logo's row).
HEADER_SEARCH_ROWS = 20
#: Sheet names that say a sheet holds instructions, not data (compared without case,
#: spaces or punctuation, as a whole name or its first word).
INSTRUCTION_NAMES = ("instructions", "instruction", "readme", "read me", "howtofill", "how to fill", "help",
                     "guide", "guidance", "about", "notes", "introduction", "intro", "codebook", "explanations")

#: Characters around a header cell that are not part of its name: spaces (a no-break
#: space too), and the invisible ones a copy and paste brings (zero-width space, a BOM).
_AROUND = " \t\r\n\u00a0\u200b\ufeff"


def column_key(name) -> str:
    """A header cell as a column name is written: nothing around it, lower case.

    Only the case and what surrounds the name are forgiven: a name spelt otherwise
    ("Event ID", "date-start") stays unknown, and its finding says which column it
    probably means.

    Examples
    --------
    >>> [column_key(n) for n in ["Event_ID ", "EVENT_TYPE", "\u00a0notes\u200b", "Event ID"]]
    ['event_id', 'event_type', 'notes', 'event id']
    >>> column_key(None)
    ''
    """
    if name is None:
        return ""
    return str(name).strip(_AROUND).casefold()


def match_column(name, fields) -> str | None:
    """The field a header cell names, written exactly or as :func:`column_key` makes it; else None.

    Examples
    --------
    >>> match_column("EVENT_ID ", ["event_id", "notes"]), match_column("Notes", ["event_id", "notes"])
    ('event_id', 'notes')
    >>> match_column("eventid", ["event_id"]) is None
    True
    """
    if name in fields:
        return name
    key = column_key(name)
    return key if key and key in fields else None


@lru_cache(maxsize=1)
def _all_fields() -> frozenset:
    from ..schema import TABLES, get_schema

    return frozenset(f for t in TABLES for f in get_schema(t).field_names)


def _filled(row) -> list:
    return [c for c in row if c is not None and str(c).strip() != ""]


def _known(row) -> int:
    fields = _all_fields()
    return sum(1 for c in _filled(row) if match_column(c, fields) is not None)


def is_header_like(row) -> bool:
    """Whether a row looks like a header: two or more of its cells name columns.

    One is not enough: a title may be a single word that happens to be a column's name
    ("Notes", "Title"), and a codebook's rows name one column each.

    Examples
    --------
    >>> is_header_like(["event_id", "date_start", "Fighting"]), is_header_like(["Kachin events, March 2026"])
    (True, False)
    >>> is_header_like(["event_id", "Stable identifier of the event"]), is_header_like(["Title"])
    (False, False)
    """
    return _known(row) >= 2


def header_index(rows: list) -> int:
    """The index of the header among a table's first rows (cells as text, None when empty).

    The header is the first row holding a value, unless that row names no column and
    a row below it (within :data:`HEADER_SEARCH_ROWS`) does, every row between holding
    at most half as many cells: a title and notes above the header.

    Examples
    --------
    >>> header_index([["Kachin events submission, March 2026", None, None], [None, None, None],
    ...               ["event_id", "date_start", "notes"], ["KE000001", "2026-03-01", "x"]])
    2
    >>> header_index([["event_id", "date_start"], ["KE000001", "2026-03-01"]])
    0
    >>> header_index([["Event", "Date"], ["event_id", "date_start"]])  # a full row above: not a title
    0
    >>> header_index([])
    0
    """
    first = next((i for i, r in enumerate(rows) if _filled(r)), None)
    if first is None or is_header_like(rows[first]):
        return first or 0
    for i in range(first + 1, min(len(rows), first + HEADER_SEARCH_ROWS)):
        if not is_header_like(rows[i]):
            continue
        width = len(_filled(rows[i]))
        if all(len(_filled(r)) <= max(1, width // 2) for r in rows[first:i]):
            return i
        break
    return first


def is_instruction_sheet(name: str, rows: list) -> bool:
    """Whether a sheet holds instructions rather than a table, from its name or its first rows.

    A sheet is instructions when no row among its first :data:`HEADER_SEARCH_ROWS`
    looks like a header and either its name says so (:data:`INSTRUCTION_NAMES`) and it
    is narrow (at most three cells a row: text, or a small codebook), or its rows are
    prose (at most two cells a row, sentences among them). A wide sheet is a table,
    whatever its name: its column names are reported, not skipped.

    Examples
    --------
    >>> is_instruction_sheet("Instructions", [["Fill in one row per event."], ["Dates as YYYY-MM-DD."]])
    True
    >>> is_instruction_sheet("Sheet2", [["Fill in one row per event, as the codebook says."]])
    True
    >>> is_instruction_sheet("README", [["event_id", "date_start"], ["KE000001", "2026-03-01"]])
    False
    >>> is_instruction_sheet("Sheet1", [["Event", "Date", "Place"], ["a", "b", "c"]])
    False
    >>> is_instruction_sheet("Notes", [["Event", "Date", "Place", "Dead"], ["a", "b", "c", "1"]])
    False
    """
    head = rows[:HEADER_SEARCH_ROWS]
    if not any(_filled(r) for r in head) or any(is_header_like(r) for r in head):
        return False
    filled = [_filled(r) for r in head if _filled(r)]
    words = re.sub(r"[^a-z0-9]+", " ", str(name).casefold()).split()
    squeezed = "".join(words)
    named = any(squeezed == n.replace(" ", "") or (words and words[0] == n) for n in INSTRUCTION_NAMES)
    if named and all(len(cells) <= 3 for cells in filled):
        return True
    prose = any(len(str(c).split()) >= 4 for cells in filled for c in cells)
    return prose and all(len(cells) <= 2 for cells in filled)


def title_finding(where: str, title_rows: list[tuple[int, list]], header_line: int) -> Finding:
    """The ``title-row`` warning for rows skipped above a header, naming them and the header's row."""
    lines = [line for line, _ in title_rows]
    text = next((str(c) for _, cells in title_rows for c in _filled(cells)), "")
    one = len(lines) == 1
    span = f"row {lines[0]}" if one else f"rows {lines[0]} to {lines[-1]}"
    msg = (f"{span} above the header {'holds' if one else 'hold'} a title or notes ({text[:60]!r}), not data: "
           f"{'it was' if one else 'they were'} skipped, and the header was read from row {header_line}. Nothing "
           "to fix if that is right; otherwise put the column names in the first row")
    return Finding(where, lines[0], None, text[:200] or None, "title-row", WARNING, msg)


def instruction_finding(where: str, name: str) -> Finding:
    """The ``instruction-sheet`` warning for a sheet that was not read."""
    msg = (f"the sheet {name!r} holds instructions or notes, not a table (none of its first "
           f"{HEADER_SEARCH_ROWS} rows names the columns), so it was not read. If it holds data, put the "
           "column names in its first row; to have such a sheet skipped without a word, start its name with _")
    return Finding(where, None, None, name, "instruction-sheet", WARNING, msg)


def column_name_finding(where: str, line: int, written: str, field: str) -> Finding:
    """The ``column-name`` warning for a header cell matched to its column despite its spelling."""
    msg = (f"the column {written!r} was read as {field!r}; write the name exactly so (lower case, no spaces "
           "around it), as the codebook does")
    return Finding(where, line, field, written, "column-name", WARNING, msg)


def long_cell_findings(where: str, frame, fields: list, lines_col: str, most: int) -> list[Finding]:
    """A ``cell-too-long`` error for every cell of ``fields`` longer than ``most`` characters (vectorised).

    Examples
    --------
    >>> import polars as pl
    >>> frame = pl.DataFrame({"notes": ["short", "x" * 12], "line": [2, 3]})
    >>> [(f.row, f.field, f.rule) for f in long_cell_findings("e.csv", frame, ["notes"], "line", 10)]
    [(3, 'notes', 'cell-too-long')]
    """
    import polars as pl

    out = []
    # Bytes are at least characters: only the cells over the limit in bytes are counted.
    wide = frame.select([(pl.col(f).str.len_bytes() > most).any().alias(f) for f in fields]).row(0)
    for field, any_wide in zip(fields, wide):
        if not any_wide:
            continue
        hits = frame.filter(pl.col(field).str.len_chars() > most).select(lines_col, field)
        for line, value in hits.iter_rows():
            msg = (f"holds {len(value):,} characters, more than the limit of {most:,} for a cell (the setting "
                   "KACHIN_EVENTS_MAX_CELL_CHARS); a cell this long is most likely a whole document or a file "
                   "pasted by mistake: shorten it (a summary, with the source cited in event_sources)")
            out.append(Finding(where, int(line), field, value[:60] + "...", "cell-too-long", ERROR, msg))
    return out


def head_rows(text, count: int = HEADER_SEARCH_ROWS) -> list[list]:
    """A sheet's first ``count`` rows, header first, as lists of cells (None when empty)."""
    return [list(text.header)] + [list(r) for r in text.frame.head(max(0, count - 1)).rows()]


def header_at(sheet, index: int):
    """A :class:`~kachin_events.validation.xlsx.SheetText` whose header is its row ``index`` (0: as it is).

    The rows above are dropped; every row keeps its number as the spreadsheet shows it.

    Examples
    --------
    >>> import polars as pl
    >>> from kachin_events.validation.xlsx import SheetText
    >>> sheet = SheetText("events", ["Title", None], 1, pl.DataFrame({"0": ["event_id", "KE000001"],
    ...                   "1": ["notes", "x"]}), pl.Series("lines", [3, 4], dtype=pl.Int64))
    >>> moved = header_at(sheet, 1)
    >>> moved.header, moved.header_line, moved.lines.to_list(), moved.frame.rows()
    (['event_id', 'notes'], 3, [4], [('KE000001', 'x')])
    """
    import dataclasses

    if index <= 0:
        return sheet
    j = index - 1
    return dataclasses.replace(sheet, header=list(sheet.frame.row(j)), header_line=int(sheet.lines[j]),
                               frame=sheet.frame.slice(j + 1), lines=sheet.lines.slice(j + 1))
