"""Reading tables from CSV, XLSX and JSON files, keeping where each row came from.

Every row keeps its file and the row number a person sees in that file (a CSV's line
number with the header as line 1, a spreadsheet's row number, a JSON record's position
from 1), so that every finding can point back to it. Cells are read as text; typing
happens in :mod:`kachin_events.validation.coerce`, where a bad cell becomes a finding, not an
exception.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

from .findings import ERROR, WARNING, Finding, did_you_mean
from .table import RawTable  # noqa: F401  (re-exported: readers' output)
from ..schema import TABLES, get_schema

#: Other names people give a table's file or sheet.
TABLE_NICKNAMES = {"claims": "event_sources", "claim": "event_sources", "gazetteer": "locations",
                   "places": "locations"}


class UnreadableError(Exception):
    """A file that cannot be read at all (missing, not UTF-8, not the format it claims)."""

    def __init__(self, file: str, message: str):
        super().__init__(f"{file}: {message}")
        self.file = file
        self.message = message


def display_path(path: Path, base: Path | None = None) -> str:
    """A path as short as it can be while still finding the file from ``base``/cwd."""
    base = (base or Path.cwd()).resolve()
    try:
        return path.resolve().relative_to(base).as_posix()
    except ValueError:
        return str(path)


def describe_files(files) -> str:
    """The distinct files of a table in a few words: one path, a glob, or the first few.

    Examples
    --------
    >>> describe_files(["data/actors.csv", "data/actors.csv"])
    'data/actors.csv'
    >>> describe_files(["data/reports/a/events.csv", "data/reports/b/events.csv"])
    'data/reports/*/events.csv'
    >>> describe_files(["data/reports/a/events.csv", "new/events.csv"])
    'data/reports/a/events.csv, new/events.csv'
    >>> describe_files([])
    ''
    """
    from pathlib import PurePosixPath

    seen = list(dict.fromkeys(files))
    if len(seen) <= 1:
        return "".join(seen)
    paths = [PurePosixPath(f.replace("\\", "/")) for f in seen]
    if len({p.name for p in paths}) == 1 and len({p.parent.parent for p in paths}) == 1:
        return str(paths[0].parent.parent / "*" / paths[0].name)
    return ", ".join(seen[:3]) + (" ..." if len(seen) > 3 else "")


def _cell_to_text(value) -> str | None:
    """Turn a spreadsheet or JSON value into the text a CSV would hold."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        # Spreadsheets store dates as datetimes; a time of day would be a mistake.
        if value.time() == dt.time(0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        # Spreadsheets and JSON store every number as a float; 5.0 means 5.
        return str(int(value))
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    text = str(value)
    return text if text != "" else None


def _read_csv(path: Path, shown: str) -> list[tuple[int, list[str | None]]]:
    """A CSV file as (line, cells) records, header first (for the importers)."""
    from .csvfile import read_csv_text

    return text_records(read_csv_text(path, shown))


def text_records(text) -> list[tuple[int, list[str | None]]]:
    """A :class:`~kachin_events.validation.csvfile.CsvText` as (line, cells) records, header first."""
    if not text.header and not len(text.lines):
        return []
    names = [str(i) for i in range(len(text.header))]
    rows = text.frame.select(names).rows() if names else [()] * len(text.lines)
    out = [(text.header_line, list(text.header))]
    out += [(line, list(text.long_rows.get(i, row))) for i, (line, row) in enumerate(zip(text.lines, rows))]
    return sorted(out + [(line, []) for line in text.blank_lines], key=lambda r: r[0])


def _json_depth(value, most: int) -> int:
    """How deeply ``value`` nests (a scalar is 0, ``[1]`` is 1), counted without recursion up to ``most + 1``.

    Examples
    --------
    >>> _json_depth(5, 20), _json_depth({"a": [1, {"b": 2}]}, 20), _json_depth([[[[]]]], 2)
    (0, 3, 3)
    """
    deepest = 0
    stack = [(value, 1)] if isinstance(value, (list, dict)) else []
    while stack:
        item, depth = stack.pop()
        deepest = max(deepest, depth)
        if deepest > most:
            break  # deep enough to refuse: the rest need not be walked
        children = item.values() if isinstance(item, dict) else item
        stack.extend((c, depth + 1) for c in children if isinstance(c, (list, dict)))
    return deepest


def _too_deep(shown: str, most: int) -> UnreadableError:
    from .limits import env_name

    msg = (f"nests lists and objects more than {most} levels deep (the setting {env_name('MAX_JSON_DEPTH')}); "
           'a submission is a list of flat records, e.g. [{"event_id": "KE000123", "notes": "..."}], or an '
           "object mapping table names to such lists")
    return UnreadableError(shown, msg)


def _read_json(path: Path, shown: str) -> dict[str, list[tuple[int, list[str | None]]]]:
    from .encoding import not_utf8
    from .limits import check_file_size, limit

    # Python holds a JSON document in memory at about ten times its size: the size is
    # checked before a byte is read.
    check_file_size(path, shown, "MAX_JSON_MB")
    most = limit("MAX_JSON_DEPTH")
    try:
        data = path.read_bytes()
        reason = not_utf8(data, "JSON")
        if reason:
            raise UnreadableError(shown, reason)
        doc = json.loads(data.decode("utf-8-sig"))
    except json.JSONDecodeError as exc:
        msg = f"is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"
        raise UnreadableError(shown, msg) from None
    except RecursionError:
        # Python's parser gives up at about 1,000 levels; the limit is far below that.
        raise _too_deep(shown, most) from None
    except ValueError as exc:
        # Python refuses to read an integer of more than 4,300 digits (a guard against
        # slow conversions); no count, coordinate or id is that long.
        msg = (f"holds a number that cannot be read ({exc.args[0].split(':')[0]}); no value of a submission is "
               "a number that long: check the file, or write the value as text in quotes")
        raise UnreadableError(shown, msg) from None
    except OSError as exc:
        raise UnreadableError(shown, f"cannot be read ({exc.strerror or exc})") from None
    del data
    # Records' values are nearly always scalars: only the containers among them are walked.
    top = 1 if isinstance(doc, list) else 2  # [records] or {"table": [records]}
    tables_of = [doc] if isinstance(doc, list) else list(doc.values()) if isinstance(doc, dict) else []
    for records in tables_of:
        for rec in records if isinstance(records, list) else ():
            if isinstance(rec, dict):
                nested = [v for v in rec.values() if isinstance(v, (list, dict))]
                if nested and top + 1 + max(_json_depth(v, most) for v in nested) > most:
                    raise _too_deep(shown, most)
    if isinstance(doc, list):
        doc = {"": doc}
    if not isinstance(doc, dict) or not all(isinstance(v, list) for v in doc.values()):
        msg = (
            "must hold a list of records (objects), or an object mapping table names "
            'to lists of records, e.g. {"events": [{"event_id": "KE000123", ...}]}'
        )
        raise UnreadableError(shown, msg)
    tables = {}
    for name, records in doc.items():
        header: list[str] = []
        for rec in records:
            if isinstance(rec, dict):
                header.extend(k for k in rec if k not in header)
        bad = [n for n, rec in enumerate(records, start=1) if not isinstance(rec, dict)]
        if bad:
            where = f"table {name!r}, " if name else ""
            msg = (f"has records that are not objects ({where}record {', '.join(map(str, bad[:5]))}"
                   f"{' ...' if len(bad) > 5 else ''}); each record must map column names to values, "
                   'e.g. {"event_id": "KE000123", "date_start": "2026-02-04", ...}')
            raise UnreadableError(shown, msg)
        rows = [(1, header)]
        for number, rec in enumerate(records, start=1):
            rows.append((number, [_cell_to_text(rec.get(k)) for k in header]))
        tables[name] = rows
    return tables


def guess_table(name: str, header: list[str | None]) -> str:
    """Which table a file or sheet holds: by its name, else by its columns.

    Examples
    --------
    >>> guess_table("my_events.csv", ["event_id", "date_start"])
    'events'
    >>> guess_table("submission.csv", ["event_id", "source_id", "claimant"])
    'event_sources'
    >>> guess_table("sheet1", ["event_id", "actor_id", "side"])
    'event_actors'
    >>> guess_table("data.csv", ["something", "else"])
    'events'
    """
    return match_table(name, header)[0]


def match_table(name: str, header: list[str | None]) -> tuple[str, str | None]:
    """The table a file or sheet holds, and how it was chosen when its name is not a table's.

    Returns ``(table, why)``: ``why`` is None when the name contains a table's name,
    else a sentence saying which name or which columns decided.

    Examples
    --------
    >>> match_table("new_events.csv", ["event_id"])
    ('events', None)
    >>> match_table("event_source", ["event_id"])[0]
    'event_sources'
    >>> table, why = match_table("claims", ["event_id"])
    >>> table, "event_sources" in why
    ('event_sources', True)
    >>> table, why = match_table("Sheet1", ["event_id", "actor_id", "side"])
    >>> table, "columns" in why
    ('event_actors', True)
    """
    stem = Path(name).stem.lower()
    named = [t for t in TABLES if t in stem]
    if named:
        return max(named, key=len), None  # "new_event_sources" is event_sources, not sources
    words = [w for w in re.split(r"[^a-z0-9]+", stem) if w]
    nick = next((w for w in words if w in TABLE_NICKNAMES), None)
    if nick:
        return TABLE_NICKNAMES[nick], f"was read as the {TABLE_NICKNAMES[nick]} table, which holds the {nick}"
    close = did_you_mean(stem, TABLES, cutoff=0.8)
    if close:
        return close, f"was read as the {close} table, the table whose name is closest"
    from .shape import column_key

    # Header cells as column names are written ("Event_ID " is event_id).
    cols = {column_key(h) for h in header if h} | {h for h in header if h}
    # Most shared columns wins; among equals, the table with the fewest missing ones.
    best = max(TABLES, key=lambda t: (len(cols & set(get_schema(t).field_names)),
                                      -len(set(get_schema(t).field_names) - cols)))
    # Nothing in common: most submissions are events, and its findings will say so.
    best = best if cols & set(get_schema(best).field_names) else "events"
    return best, (f"does not name a table, so it was read as the {best} table, whose columns it shares "
                  f"(the tables are: {', '.join(TABLES)})")


def _table_name_finding(where: str, kind: str, name: str, table: str, why: str) -> Finding:
    new = f"{table}{Path(name).suffix}" if kind == "file" else table
    msg = f"the {kind} name {name!r} {why}. If that is right, rename the {kind} to {new!r} so nobody has to guess"
    return Finding(where, None, None, name, "table-name", WARNING, msg)


def to_raw_table(table: str, shown: str, text, json_mode: bool = False) -> tuple[RawTable, list[Finding]]:
    """Map a file's header onto the schema's columns; report missing and unknown ones.

    ``text`` is a :class:`~kachin_events.validation.csvfile.CsvText` (or a list of (row number,
    cells) records, header first). Blank rows are dropped with a warning (none for JSON,
    whose records are sparse by nature); cells beyond the header are reported. A header
    cell in another case or with stray spaces is read as its column, with a
    ``column-name`` warning; a cell longer than the limit
    (:data:`~kachin_events.validation.limits.MAX_CELL_CHARS`) is a ``cell-too-long`` error.

    Raises
    ------
    UnreadableError
        When the header names more columns than the limit
        (:data:`~kachin_events.validation.limits.MAX_COLUMNS`).
    """
    import polars as pl

    from .limits import env_name, limit
    from .shape import column_name_finding, long_cell_findings, match_column
    from .table import CHECKED, FILE, LINE

    if isinstance(text, list):
        from .csvfile import records_text

        text = records_text(text)
    schema = get_schema(table)
    fields = schema.field_names
    findings: list[Finding] = []
    if not text.header and not len(text.lines):
        findings.append(
            Finding(shown, None, None, None, "empty-file", ERROR,
                    f"the file has no header row; the {table} table needs the columns: "
                    + ", ".join(fields))
        )
        return RawTable(table), findings
    header_line = text.header_line
    written = [(h or "").strip() for h in text.header]
    named, most = sum(1 for h in written if h), limit("MAX_COLUMNS")
    if named > most:
        msg = (f"has {named:,} named columns, more than the limit of {most:,} (the setting "
               f"{env_name('MAX_COLUMNS')}); the {table} table has {len(fields)}: {', '.join(fields)}. Keep those "
               "columns and delete the others")
        raise UnreadableError(shown, msg)
    # A header cell in another case or with stray spaces ("Event_ID ") names its column,
    # with a warning, rather than being an unknown column beside a missing one.
    header = [match_column(h, fields) or h for h in written]
    index: dict[str, int] = {}
    for pos, name in enumerate(header):
        if name == "" and json_mode:
            continue
        if name in index:
            findings.append(Finding(shown, header_line, name, written[pos], "duplicate-column", ERROR,
                                    f"column {name!r} appears twice; keep one"))
            continue
        if name not in fields:
            if name == "":
                continue
            close = did_you_mean(name, [f for f in fields if f not in header])
            hint = (f" Did you mean {close!r}? Rename the column to that." if close else
                    f" Rename it to one of the table's columns ({', '.join(fields)}) or remove it.")
            findings.append(Finding(shown, header_line, name, name, "unknown-column", ERROR,
                                    f"{name!r} is not a column of the {table} table.{hint}"))
            continue
        if (text.header[pos] or "") != name:
            findings.append(column_name_finding(shown, header_line, text.header[pos], name))
        index[name] = pos
    missing = set()
    for name in fields:
        if name not in index:
            fld = schema.field(name)
            sev = ERROR if fld.required else WARNING
            missing.add((shown, name))
            if json_mode and not fld.required:
                continue  # JSON records are sparse by nature: an absent optional key is an empty cell
            what = "a required" if fld.required else "an optional"
            findings.append(Finding(shown, header_line, name, None, "missing-column", sev,
                                    f"{what} column of the {table} table is missing; add a "
                                    f"column named {name!r} ({fld.description})"))
    present = [n for n in header if n in index]
    if not json_mode and present != [n for n in fields if n in index]:
        findings.append(Finding(shown, header_line, None, None, "column-order", WARNING,
                                "columns are not in the schema's order; the canonical order is: "
                                + ", ".join(fields)))
    if not json_mode:
        findings += [Finding(shown, line, None, None, "blank-row", WARNING, "the row is empty; delete it")
                     for line in text.blank_lines]
    n = len(text.lines)
    line = pl.Series(LINE, text.lines, dtype=pl.Int64)
    # A frame of no columns (a header line with no cell) has no height: the lines give the rows.
    cells = text.frame.with_columns(line) if text.frame.width else pl.DataFrame([line])
    # A row is blank when every cell is empty or spaces (cells past the header included).
    names = [str(i) for i in range(len(header))]
    blank = _blank_rows(cells, names, n)
    if text.long_rows:
        longer = [i for i, v in text.long_rows.items()
                  if any(c is not None and str(c).strip() != "" for c in v[len(header):])]
        if longer:
            blank = blank.scatter(longer, False)
    if blank.any():
        if not json_mode:
            findings += [Finding(shown, line, None, None, "blank-row", WARNING, "the row is empty; delete it")
                         for line in cells.filter(blank)[LINE].to_list()]
    known = set(index.values())
    for i, values in sorted(text.long_rows.items()):
        if json_mode or blank[i]:
            continue
        extra = [v for p, v in enumerate(values) if p not in known and v not in (None, "")]
        if extra:
            findings.append(Finding(shown, int(text.lines[i]), None, ", ".join(map(str, extra)), "extra-cells", ERROR,
                                    f"the row has {len(values)} cells but the header has {len(header)}; "
                                    "a value probably contains an unquoted comma"))
    columns = [pl.col(str(index[f])).alias(f) if f in index else pl.lit(None, dtype=pl.Utf8).alias(f)
               for f in fields]
    frame = cells.select([*columns, pl.lit(shown).alias(FILE), pl.col(LINE), pl.lit(True).alias(CHECKED)])
    if blank.any():
        frame = frame.filter(~blank)
    if index:
        findings += long_cell_findings(shown, frame, [f for f in fields if f in index], LINE,
                                       limit("MAX_CELL_CHARS"))
    return RawTable.from_frame(table, frame, missing=missing), findings


def _blank_rows(cells, names: list, n: int):
    """Rows whose every cell is empty or spaces, as a boolean Series.

    Only rows whose first cell is empty can be blank: the others are skipped before the
    (costlier) test of every cell.
    """
    import polars as pl

    if not names:
        return pl.Series("blank", [True] * n, dtype=pl.Boolean)

    def empty(c):
        return pl.col(c).is_null() | pl.col(c).str.contains(r"^\s*$")

    first = cells.select(empty(names[0]).alias("blank")).to_series()
    if not first.any():
        return first
    rows = first.arg_true()
    few = cells[rows].select(pl.all_horizontal([empty(c) for c in names]).alias("blank")).to_series()
    return first.scatter(rows, few)


_DELIMITERS = {";": "semicolons (;)", "\t": "tabs", "|": "vertical bars (|)"}


def _check_delimiter(shown: str, header: list) -> None:
    """Raise UnreadableError for a file whose header is one cell holding another delimiter.

    Spreadsheets in many locales save "CSV" with semicolons; a tab-separated export is
    common too. Read with commas, every row would be one long cell, and every column
    "missing": the delimiter is the one finding worth giving.
    """
    if len(header) != 1 or not header[0]:
        return
    for sep, words in _DELIMITERS.items():
        parts = [p.strip() for p in header[0].split(sep)]
        if len(parts) > 1 and all(parts):
            msg = (f"is separated by {words}, not commas (its header, line 1, is one cell: {header[0][:60]!r}); "
                   "save it as \"CSV UTF-8 (comma delimited)\", or in LibreOffice choose the comma as field "
                   "delimiter")
            raise UnreadableError(shown, msg)


def _formula_findings(where: str, table: str, sheet) -> list[Finding]:
    """A ``workbook-formula`` finding for every data cell of a sheet that holds a formula.

    A formula's value is whatever the spreadsheet last computed, and a file written by
    another program may hold none: the data must be the values themselves.
    """
    from .shape import match_column

    cells = getattr(sheet, "formulas", None)
    if not cells:
        return []
    fields = get_schema(table).field_names
    row_of = {int(line): i for i, line in enumerate(sheet.lines)}
    out = []
    for line, col in sorted(cells):
        i = row_of.get(line)
        name = match_column((sheet.header[col] or "").strip(), fields) if col < len(sheet.header) else None
        if i is None or name is None:
            continue
        value = sheet.frame[str(col)][i]
        msg = ("holds a formula, not a value: its value is whatever the spreadsheet last computed, and a file "
               "saved by another program may hold none; copy the cells and paste them back as values only "
               "(Paste special, Values)")
        out.append(Finding(where, line, name, value, "workbook-formula", ERROR, msg))
    return out


def _workbook_layout(shown: str, sheets: dict, empty: set) -> tuple[dict, list[Finding]]:
    """Sheets of instructions set aside (None), and each other sheet's header found below its title rows.

    A workbook's findings name the sheet, as :func:`read_file` does.
    """
    from .shape import head_rows, header_at, header_index, instruction_finding, is_instruction_sheet, title_finding

    out, findings = {}, []
    for name, sheet in sheets.items():
        if name in empty:
            out[name] = sheet
            continue
        where = f"{shown}[{name}]"
        head = head_rows(sheet)
        if is_instruction_sheet(name, head):
            findings.append(instruction_finding(where, name))
            out[name] = None
            continue
        at = header_index(head)
        if at > 0:
            # The rows above the header, with the numbers the spreadsheet shows them under.
            lines = [sheet.header_line] + sheet.lines.head(at - 1).to_list()
            above = [(line, cells) for line, cells in zip(lines, head[:at])
                     if any(v is not None and str(v).strip() for v in cells)]
            sheet = header_at(sheet, at)
            findings.append(title_finding(where, above, sheet.header_line))
        out[name] = sheet
    return out, findings


def read_file(path: Path, shown: str | None = None, table: str | None = None,
              header_only: bool = False) -> tuple[dict[str, RawTable], list[Finding]]:
    """Read one CSV, XLSX or JSON file into raw tables.

    An XLSX workbook may hold one sheet per table (named after the tables; sheets whose
    names start with ``_`` are skipped, as the template's helper sheets are); a JSON
    document may map table names to lists of records. A file of a single table is
    matched to a table by its name, or else by its columns.

    Raises
    ------
    UnreadableError
        When the file cannot be read at all.
    """
    shown = shown or display_path(path)
    if not path.exists():
        raise UnreadableError(shown, "does not exist; check the path")
    if path.is_dir():
        raise UnreadableError(shown, "is a folder, not a file")
    suffix = path.suffix.lower()
    findings: list[Finding] = []
    out: dict[str, RawTable] = {}
    if suffix in (".csv", ".txt"):
        from .csvfile import read_csv_header, read_csv_text

        # A file read in chunks is opened here at its header only (validation.chunked).
        text = read_csv_header(path, shown) if header_only else read_csv_text(path, shown)
        if text.title_rows:
            from .shape import title_finding

            findings.append(title_finding(shown, text.title_rows, text.header_line))
        _check_delimiter(shown, text.header)
        name, why = (table, None) if table else match_table(path.name, text.header)
        if why:
            findings.append(_table_name_finding(shown, "file", path.name, name, why))
        raw, f = to_raw_table(name, shown, text)
        out[name] = raw
        findings += f
        return out, findings
    from .csvfile import records_text

    if suffix in (".xlsx", ".xlsm"):
        from .limits import check_file_size
        from .xlsx import read_workbook

        check_file_size(path, shown)
        parts = {name: sheet for name, sheet in read_workbook(path, shown).items()}
        empty = {name for name, sheet in parts.items() if sheet.empty}
        parts, found = _workbook_layout(shown, parts, empty)
        findings += found
        empty |= {name for name, sheet in parts.items() if sheet is None}
        json_mode = False
    elif suffix == ".json":
        records = _read_json(path, shown)
        empty = {name for name, recs in records.items() if not recs or all(all(v is None for v in r) for _, r in recs)}
        parts = {name: records_text(recs) for name, recs in records.items() if name not in empty}
        parts.update({name: None for name in empty})
        json_mode = True
    else:
        msg = f"has an unsupported file type {suffix!r}; give a .csv, .xlsx or .json file, or a datapackage.json"
        raise UnreadableError(shown, msg)
    filled = len(set(parts) - empty)
    for part, text in parts.items():
        if part in empty:
            continue
        # A workbook's findings always name the sheet (a person opens the workbook at a
        # sheet); a JSON document's name its key only when it has several.
        where = f"{shown}[{part}]" if part and (len(parts) > 1 or not json_mode) else shown
        name, why = (table, None) if table else match_table(part or path.name, text.header)
        if why and part and filled == 1 and match_table(path.name, [])[1] is None:
            name, why = match_table(path.name, [])  # a lone sheet "Sheet1" of events.xlsx
        if why:
            kind = ("sheet" if not json_mode else "key") if part else "file"
            findings.append(_table_name_finding(where, kind, part or path.name, name, why))
        raw, f = to_raw_table(name, where, text, json_mode=json_mode)
        findings += f + _formula_findings(where, name, text)
        if name in out:
            out[name].extend(raw)
        else:
            out[name] = raw
    return out, findings
