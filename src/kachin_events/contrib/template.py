"""A spreadsheet (or CSV) template for coding a report without hand-editing codes.

:func:`write_template` writes one workbook with a sheet per table a report needs, each
named after its table so that ``kachin-events validate`` reads the workbook as it is.
Every column has an input hint (the schema's description), every field with allowed
values a drop-down list of them, and the place, actor and claimant columns drop-down
lists of the names in the reference tables: contributors write names, and validation
resolves them to codes. Row 2 of each sheet is a worked example taken from the data,
written with names where the data holds codes.

Everything is derived from ``schemas/`` and the data package; nothing here lists a
field by hand. Sheets whose names start with ``_`` (the instructions and the hidden
drop-down lists) are skipped by the reader (:mod:`kachin_events.validation.read`).
Cells are written as values, never as formulas: a text cell that begins like a formula
(:func:`kachin_events.exports.safe.is_formula`) carries the "quote prefix" style in
the workbook, so editing it does not turn it into one, and is written with ``'`` in
front in the CSV files.

Examples
--------
>>> lists = name_lists()
>>> "Kachin Independence Army" in lists["actors"] and "KIA" in lists["actors"]
True
>>> example_rows()["events"][0]["location_pcode"] is None  # filled in from the name
True
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import tempfile
from pathlib import Path

from ..__about__ import __version__
from ..schema import Field, get_schema

#: The sheets of the template: the tables of one report's folder, then new claimants.
SHEETS = ("sources", "events", "event_sources", "event_actors", "event_tags", "claimants")
#: The formats :func:`write_template` writes.
FORMATS = ("xlsx", "csv")
#: The field that holds a place's name; the place's codes and coordinates come from it.
PLACE_FIELD = ("events", "location")
LISTS_SHEET = "_lists"
README_SHEET = "_README"
#: The reference tables whose names may stand for their codes, and what each name list is called.
NAME_TABLES = {"actors": "actors", "claimants": "claimants", "locations": "places"}
_LAST_ROW = 1_048_575  # a worksheet's last row (0-based): hints and lists cover whole columns
_CREATED = dt.datetime(2026, 1, 1)  # fixed, so that the same data gives the same file
_MAX_HINT = 255  # what spreadsheet programs allow in an input message


# -- what each column holds ---------------------------------------------------------------


def name_kind(table: str, field: str) -> str | None:
    """Which name list a column takes ("places", "actors", "claimants"), if any.

    Derived from the schemas' foreign keys: a column that refers to the actors or the
    claimants takes their names; :data:`PLACE_FIELD` takes place names.

    Examples
    --------
    >>> name_kind("events", "actor2"), name_kind("event_sources", "claimant_id")
    ('actors', 'claimants')
    >>> name_kind("events", "location"), name_kind("events", "notes")
    ('places', None)
    """
    if (table, field) == PLACE_FIELD:
        return "places"
    for fk in get_schema(table).foreign_keys:
        fields = fk["fields"] if isinstance(fk["fields"], list) else [fk["fields"]]
        ref = fk["reference"]["resource"] or table
        if fields == [field] and ref in NAME_TABLES and ref != "locations":
            return NAME_TABLES[ref]
    return None


def filled_from_place(table: str, field: str) -> bool:
    """Whether a column is filled in from the place's name (its codes and coordinates).

    These are the columns that refer to the gazetteer, and the gazetteer's coordinates.

    Examples
    --------
    >>> [f for f in get_schema("events").field_names if filled_from_place("events", f)]
    ['admin1_pcode', 'admin2_pcode', 'admin3_pcode', 'location_pcode', 'latitude', 'longitude']
    """
    if table != PLACE_FIELD[0]:
        return False
    for fk in get_schema(table).foreign_keys:
        if fk["reference"]["resource"] == "locations" and field in fk["fields"]:
            return True
    places = get_schema("locations")
    fld = get_schema(table).field(field)
    return fld.type == "number" and field in places.field_names and places.field(field).type == "number"


def allowed_values(fld: Field) -> list | None:
    """The values a drop-down offers for a field: its enum, or true/false for a boolean.

    Examples
    --------
    >>> allowed_values(get_schema("events").field("civilian_targeting"))
    ['true', 'false']
    >>> allowed_values(get_schema("events").field("notes")) is None
    True
    """
    if fld.enum:
        return list(fld.enum)
    if fld.type == "boolean":
        return ["true", "false"]
    return None


def _clip(text: str, limit: int = _MAX_HINT) -> str:
    """Shorten text to ``limit`` characters at a word boundary, ending with an ellipsis."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(" ,;:.(")
    return cut + "\u2026"


def hint(table: str, fld: Field) -> str:
    """The input hint of a column: required or not, how to fill it, and its description.

    Examples
    --------
    >>> hint("events", get_schema("events").field("location_pcode"))[:46]
    'Leave empty: filled in from the location name.'
    >>> hint("event_actors", get_schema("event_actors").field("actor_id"))[:60]
    'Required. Pick a name from the list, or type a name or code.'
    """
    parts = []
    if filled_from_place(table, fld.name):
        parts.append("Leave empty: filled in from the location name.")
    else:
        parts.append("Required." if fld.required else "Optional: leave empty when unknown.")
        if name_kind(table, fld.name):
            parts.append("Pick a name from the list, or type a name or code.")
        elif allowed_values(fld):
            parts.append("Pick a value from the list.")
        elif fld.type == "date":
            parts.append("A date, YYYY-MM-DD.")
    parts.append(fld.description)
    return _clip(" ".join(parts))


# -- names and the worked example -------------------------------------------------------


def _read(package) -> dict:
    from .. import _paths
    from ..tables import read_tables

    return read_tables(package or _paths.find_package() or _paths.snapshot_package())


def _name_index(tables: dict) -> dict[str, dict[str, set]]:
    """Each name list: name -> the codes it names (an ambiguous name names several)."""
    index: dict[str, dict[str, set]] = {"places": {}, "actors": {}, "claimants": {}}

    def add(kind, name, code):
        if name:
            index[kind].setdefault(name, set()).add(code)

    active = set()
    for row in tables["locations"].iter_rows(named=True):
        if row["status"] == "active":
            active.add(row["location_pcode"])
            add("places", row["name"], row["location_pcode"])
    for row in tables["location_aliases"].iter_rows(named=True):
        if row["location_pcode"] in active:
            add("places", row["alias"], row["location_pcode"])
    for row in tables["actors"].iter_rows(named=True):
        add("actors", row["name"], row["actor_id"])
    for row in tables["actor_aliases"].iter_rows(named=True):
        add("actors", row["alias"], row["actor_id"])
    for row in tables["claimants"].iter_rows(named=True):
        add("claimants", row["name"], row["claimant_id"])
    return index


def _sorted_names(names) -> list[str]:
    return sorted(names, key=lambda s: (s.casefold(), s))


def name_lists(package=None, tables: dict | None = None) -> dict[str, list[str]]:
    """The names contributors may write instead of codes, sorted as people look them up.

    Parameters
    ----------
    package : path, optional
        A ``datapackage.json``; by default the nearest one, else the package's snapshot.
    tables : dict, optional
        The package's tables as :func:`kachin_events.tables.read_tables` returns them.

    Returns
    -------
    dict
        ``places`` (names and aliases of active places), ``actors`` (names and aliases)
        and ``claimants`` (names), each a list without repeats.
    """
    index = _name_index(tables if tables is not None else _read(package))
    return {kind: _sorted_names(names) for kind, names in index.items()}


def _next_event_id(tables: dict) -> str:
    """The next free event id: above every id used by an event or a retraction."""
    used = list(tables["events"]["event_id"]) + list(tables["retractions"]["event_id"])
    numbers = [int(i[2:]) for i in used if i and i[2:].isdigit()]
    return f"KE{max(numbers, default=0) + 1:06d}"  # the form of events.event_id's pattern


def example_rows(package=None, names: bool = True, tables: dict | None = None) -> dict[str, list[dict]]:
    """One worked example row per sheet, taken from the data, as typed values.

    The event is the first (by id) that has claims, associated actors and tags; its
    first claim, actor and tag and its source come with it. It gets the next free
    event id and its source a new id (``<source_id>-example``), so that the example
    validates as a new submission.

    Parameters
    ----------
    package : path, optional
        A ``datapackage.json``; by default the nearest one, else the package's snapshot.
    names : bool
        Write place, actor and claimant names instead of their codes, and leave the
        columns filled in from the place empty (the default). With False, the codes
        are kept.
    tables : dict, optional
        The package's tables as :func:`kachin_events.tables.read_tables` returns them.

    Returns
    -------
    dict of str to list of dict
        For each sheet in :data:`SHEETS`, its rows (field -> value; None is empty).
        ``claimants`` has none: that sheet is only for claimants not yet registered.
    """
    tables = tables if tables is not None else _read(package)
    out: dict[str, list[dict]] = {t: [] for t in SHEETS}
    events = sorted(tables["events"].to_dicts(), key=lambda r: r["event_id"])
    if not events:
        return out
    linked = {t: {} for t in ("event_sources", "event_actors", "event_tags")}
    for table, by_event in linked.items():
        for row in tables[table].to_dicts():
            by_event.setdefault(row["event_id"], []).append(row)
    event = min(events, key=lambda e: tuple(e["event_id"] not in linked[t] for t in linked))
    old_id, new_id = event["event_id"], _next_event_id(tables)
    out["events"] = [dict(event, event_id=new_id)]
    for table, by_event in linked.items():
        out[table] = [dict(row, event_id=new_id) for row in by_event.get(old_id, [])[:1]]
    for claim in out["event_sources"]:
        source = next((s for s in tables["sources"].to_dicts() if s["source_id"] == claim["source_id"]), None)
        claim["source_id"] += "-example"
        if source:
            out["sources"] = [dict(source, source_id=claim["source_id"])]
    if names:
        _use_names(out, tables)
    return out


def _use_names(rows: dict[str, list[dict]], tables: dict) -> None:
    """Put names in place of codes where a name names just that code."""
    index = _name_index(tables)
    canonical = {
        "places": {r["location_pcode"]: r["name"] for r in tables["locations"].iter_rows(named=True)},
        "actors": {r["actor_id"]: r["name"] for r in tables["actors"].iter_rows(named=True)},
        "claimants": {r["claimant_id"]: r["name"] for r in tables["claimants"].iter_rows(named=True)},
    }

    def name_of(kind, code, *preferred):
        for name in (*preferred, canonical[kind].get(code)):
            if name and index[kind].get(name) == {code}:
                return name
        return None

    place_table, place_field = PLACE_FIELD
    for table, table_rows in rows.items():
        for row in table_rows:
            for field in list(row):
                kind = name_kind(table, field)
                if kind in ("actors", "claimants") and row[field]:
                    row[field] = name_of(kind, row[field]) or row[field]
            if table == place_table:
                pcode = row.get("location_pcode")
                name = name_of("places", pcode, row[place_field])
                if name:  # else the place keeps its codes, and its name as the source wrote it
                    row[place_field] = name
                    for field in row:
                        if filled_from_place(table, field):
                            row[field] = None


# -- writing ----------------------------------------------------------------------------


def write_template(path, format: str = "xlsx", *, force: bool = False, package=None) -> Path:  # noqa: A002
    """Write the contribution template: a workbook, or a folder of CSV files.

    Parameters
    ----------
    path : str or Path
        The workbook to write (``.xlsx``), or with ``format="csv"`` the folder to
        write ``<table>.csv`` files and a ``README.txt`` into.
    format : {"xlsx", "csv"}
        The workbook has drop-down lists and input hints; the CSV files only the
        header row and the example row, with the allowed values listed in README.txt.
    force : bool
        Replace ``path`` if it exists (a file by a file, a folder by a folder).
    package : path, optional
        The ``datapackage.json`` the names and the example come from; by default the
        nearest one, else the package's own data.

    Returns
    -------
    Path
        The path written.

    Raises
    ------
    FileExistsError
        When ``path`` exists and ``force`` is False.
    ValueError
        For an unknown format, a workbook name not ending in ``.xlsx``, or a path that
        cannot be written (its folder is missing, or it is of the other kind).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> write_template(folder / "template.xlsx").name
    'template.xlsx'
    >>> sorted(p.name for p in write_template(folder / "csv", format="csv").iterdir())[:3]
    ['README.txt', 'claimants.csv', 'event_actors.csv']
    >>> import shutil; shutil.rmtree(folder)
    """
    from ..extras import require

    require("kachin_events.write_template()")
    target = Path(path)
    _check_target(target, format, force)
    tables = _read(package)
    rows = example_rows(tables=tables)
    lists = name_lists(tables=tables)
    parent = target.parent
    if format == "xlsx":
        fd, tmp_name = tempfile.mkstemp(dir=parent, prefix=f".{target.name}.", suffix=".xlsx")
        os.close(fd)
        tmp = Path(tmp_name)
        try:
            _write_xlsx(tmp, rows, lists)
            _install(tmp, target)
        finally:
            tmp.unlink(missing_ok=True)
    else:
        tmp = Path(tempfile.mkdtemp(dir=parent, prefix=f".{target.name}."))
        try:
            _write_csv(tmp, rows)
            _install(tmp, target)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    return target


def _check_target(target: Path, format: str, force: bool) -> None:  # noqa: A002
    if format not in FORMATS:
        msg = f"unknown template format {format!r}; use one of: {', '.join(FORMATS)}"
        raise ValueError(msg)
    if not target.parent.is_dir():
        msg = f"cannot write {target}: the folder {target.parent} does not exist; create it first"
        raise ValueError(msg)
    if format == "xlsx" and target.suffix.lower() != ".xlsx":
        msg = f"cannot write {target}: a workbook's name must end in .xlsx (for example template.xlsx)"
        raise ValueError(msg)
    if target.exists() or target.is_symlink():
        if not force:
            msg = f"{target} already exists; give another name, or add --force to replace it"
            raise FileExistsError(msg)
        if target.is_dir() != (format == "csv"):
            kind = "a folder" if target.is_dir() else "a file"
            msg = (f"cannot replace {target}: it is {kind}, and the {format} template is "
                   f"{'a folder' if format == 'csv' else 'a file'}; give another path")
            raise ValueError(msg)


def _install(tmp: Path, target: Path) -> None:
    """Move a finished file or folder into place; the old one is removed only after."""
    mask = os.umask(0)
    os.umask(mask)
    os.chmod(tmp, (0o777 if tmp.is_dir() else 0o666) & ~mask)  # temp files are private
    if not target.is_dir():
        os.replace(tmp, target)
        return
    old = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}.old."))
    os.replace(target, old / "x")
    try:
        os.replace(tmp, target)
    except OSError:
        os.replace(old / "x", target)
        raise
    finally:
        if target.exists():
            shutil.rmtree(old, ignore_errors=True)


def _write_csv(folder: Path, rows: dict[str, list[dict]]) -> None:
    from ..exports.safe import safe_rows
    from ..tablefiles import csv_bytes, format_cell

    for table in SHEETS:
        schema = get_schema(table)
        body = [[format_cell(row.get(f.name), f.type) for f in schema.fields] for row in rows[table]]
        (folder / f"{table}.csv").write_bytes(csv_bytes(schema.field_names, safe_rows(body)))
    (folder / "README.txt").write_text(readme_text("csv"), encoding="utf-8")


def readme_text(format: str = "csv") -> str:  # noqa: A002
    """The instructions: how to fill the template, its tables, and the allowed values.

    Examples
    --------
    >>> "event_type: Battles | Protests" in readme_text()
    True
    """
    files = "file" if format == "csv" else "sheet"
    lines = [
        f"kachin-events contribution template (kachin-events {__version__})",
        "",
        f"Fill in one {files} per table. The first row holds the table's columns: do not rename,",
        "reorder or delete them. The second row is a worked example from the data: overwrite it",
        "or delete it. Leave a cell empty when the value is unknown.",
        "",
        "Write places, actors and claimants by name; their codes are filled in from the names",
        "(leave location_pcode, the admin codes, latitude and longitude empty). A name that",
        "is not in the reference tables, or that names several places, is reported.",
        "",
        "Check your files before sending them:",
        "  kachin-events validate " + ("FOLDER" if format == "csv" else "FILE.xlsx"),
        "",
        f"The {files}s:",
    ]
    for table in SHEETS:
        lines.append(f"  {table}: {get_schema(table).description}")
    lines += ["", "Allowed values (exactly as written):"]
    for table in SHEETS:
        for fld in get_schema(table).fields:
            values = allowed_values(fld)
            if values:
                lines.append(f"  {table}.{fld.name}: " + " | ".join(map(str, values)))
    lines += ["", "Names instead of codes:"]
    for table in SHEETS:
        for fld in get_schema(table).fields:
            kind = name_kind(table, fld.name)
            if kind:
                lines.append(f"  {table}.{fld.name}: the name of one of the {kind} (or its code)")
    return "\n".join(lines) + "\n"


def _write_xlsx(path: Path, rows: dict[str, list[dict]], lists: dict[str, list[str]]) -> None:
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False, "strings_to_formulas": False,
                                         "strings_to_urls": False})
    try:
        wb.set_properties({"title": "kachin-events contribution template", "created": _CREATED,
                           "comments": f"Written by kachin-events {__version__}; validate with "
                                       "`kachin-events validate FILE.xlsx`."})
        fmt = {
            "header": wb.add_format({"bold": True, "bg_color": "#DDEBF7", "bottom": 1}),
            "date": wb.add_format({"num_format": "yyyy-mm-dd", "valign": "top"}),
            "wrap": wb.add_format({"text_wrap": True, "valign": "top"}),
            "plain": wb.add_format({"valign": "top"}),
        }
        # Text that begins like a formula stays text when someone edits the cell.
        fmt |= {f"{k}-text": wb.add_format({**props, "quote_prefix": True})
                for k, props in (("wrap", {"text_wrap": True, "valign": "top"}), ("plain", {"valign": "top"}))}
        readme = wb.add_worksheet(README_SHEET)
        readme.set_column(0, 0, 100, fmt["wrap"])
        for number, line in enumerate(readme_text("xlsx").splitlines()):
            readme.write_string(number, 0, line, fmt["header"] if number == 0 else fmt["wrap"])
        sheets = {table: wb.add_worksheet(table) for table in SHEETS}
        refs = _write_lists(wb.add_worksheet(LISTS_SHEET), lists, fmt["plain-text"])
        for table, ws in sheets.items():
            _write_sheet(ws, table, rows[table], refs, fmt)
    finally:
        wb.close()


def _write_lists(ws, lists: dict[str, list[str]], text_format=None) -> dict[str, str]:
    """Write every drop-down list into a column of the hidden sheet; return their ranges.

    ``text_format`` (a quote-prefix format) is given to names that begin like a formula.
    """
    from xlsxwriter.utility import xl_col_to_name

    from ..exports.safe import is_formula

    columns: dict[str, list] = dict(lists)
    for table in SHEETS:
        for fld in get_schema(table).fields:
            values = allowed_values(fld)
            if values and not name_kind(table, fld.name):
                columns[f"{table}.{fld.name}"] = values
    refs = {}
    for col, (key, values) in enumerate(columns.items()):
        ws.write_string(0, col, key)
        for row, value in enumerate(values, start=1):
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                ws.write_number(row, col, value)
            else:
                text = str(value)
                ws.write_string(row, col, text, text_format if is_formula(text) else None)
        letter = xl_col_to_name(col)
        refs[key] = f"='{LISTS_SHEET}'!${letter}$2:${letter}${max(len(values), 1) + 1}"
    ws.hide()
    return refs


def _validation(table: str, fld: Field, refs: dict[str, str]) -> dict:
    """The data validation of a column: its input hint, and its list or type check."""
    out = {"input_title": fld.name[:32], "input_message": hint(table, fld), "ignore_blank": True}
    kind = name_kind(table, fld.name)
    if kind:
        return out | {"validate": "list", "source": refs[kind], "error_type": "information",
                      "error_title": f"Not one of the {kind}",
                      "error_message": _clip("This is not a name in the reference tables. Keep it if it is a code, "
                                             "or a new one you add in this submission; `kachin-events validate` "
                                             "checks it.")}
    if allowed_values(fld):
        return out | {"validate": "list", "source": refs[f"{table}.{fld.name}"], "error_type": "stop",
                      "error_title": "Not an allowed value",
                      "error_message": f"{fld.name} takes one of the values in the drop-down list."}
    low, high = fld.constraints.get("minimum"), fld.constraints.get("maximum")
    if fld.type == "date":
        return out | {"validate": "date", "criteria": ">=", "value": dt.date(1900, 1, 1),
                      "error_title": "Not a date", "error_message": "Write a date as YYYY-MM-DD."}
    if fld.type in ("integer", "number"):
        kind = "integer" if fld.type == "integer" else "decimal"
        what = "a whole number" if fld.type == "integer" else "a number"
        if low is not None and high is not None:
            check = {"criteria": "between", "minimum": low, "maximum": high}
            what += f" from {low} to {high}"
        elif low is not None:
            check = {"criteria": ">=", "value": low}
            what += f" of at least {low}"
        else:
            check = {"criteria": "between", "minimum": -(2**31), "maximum": 2**31 - 1}
        return out | {"validate": kind, **check, "error_title": "Not allowed",
                      "error_message": f"{fld.name} takes {what}; leave it empty when unknown."}
    return out | {"validate": "any"}


def _column_format(table: str, fld: Field) -> str:
    if fld.type == "date":
        return "date"
    plain_text = fld.type == "string" and not allowed_values(fld) and "pattern" not in fld.constraints
    return "wrap" if plain_text and not name_kind(table, fld.name) else "plain"


def _write_sheet(ws, table: str, rows: list[dict], refs: dict[str, str], fmt: dict) -> None:
    from ..exports.safe import is_formula

    schema = get_schema(table)
    ws.freeze_panes(1, 0)
    lines = 1
    for col, fld in enumerate(schema.fields):
        style = _column_format(table, fld)
        longest = max([len(fld.name)] + [len(str(r.get(fld.name) or "")) for r in rows])
        width = 12 if style == "date" else min(max(longest + 2, 10), 60 if style == "wrap" else 40)
        if style == "wrap":
            lines = max([lines] + [-(-len(str(r.get(fld.name) or "")) // width) for r in rows])
        ws.set_column(col, col, width, fmt[style])
        ws.write_string(0, col, fld.name, fmt["header"])
        ws.data_validation(1, col, _LAST_ROW, col, _validation(table, fld, refs))
        for number, row in enumerate(rows, start=1):
            value = row.get(fld.name)
            if value is None:
                continue
            if isinstance(value, dt.date):
                ws.write_datetime(number, col, dt.datetime.combine(value, dt.time()), fmt["date"])
            elif isinstance(value, bool):
                ws.write_string(number, col, "true" if value else "false", fmt[style])
            elif isinstance(value, (int, float)):
                ws.write_number(number, col, value, fmt[style])
            else:
                text = str(value)
                quoted = is_formula(text) and f"{style}-text" in fmt
                ws.write_string(number, col, text, fmt[f"{style}-text" if quoted else style])
    for number in range(1, len(rows) + 1):
        ws.set_row(number, 15 * min(lines, 10))
