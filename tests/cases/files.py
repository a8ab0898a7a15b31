"""Builders of the files the cases of :mod:`cases.bad_input` are made of.

Standard library, openpyxl and xlsxwriter only (dependencies of the package), so that
the docs build can run them.
"""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path
from typing import Callable

HERE = Path(__file__).resolve().parent
TESTS = HERE.parent
BASIC = TESTS / "data" / "valid" / "basic"
MAIN = b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'


def basic_rows() -> list[list[str]]:
    """The rows of the basic valid fixture's events.csv, header first."""
    return list(csv.reader(io.StringIO((BASIC / "events.csv").read_text(encoding="utf-8"), newline="")))


def csv_bytes(rows) -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue().encode("utf-8")


def basic_with(field_name: str, value: str, rows=None) -> dict:
    """The basic fixture (events and their sources) with one cell of its first event changed."""
    rows = rows or basic_rows()
    rows[1][rows[0].index(field_name)] = value
    return {"events.csv": csv_bytes(rows), "event_sources.csv": (BASIC / "event_sources.csv").read_bytes()}


def swapped_coordinates() -> dict:
    rows = basic_rows()
    lat, lon = rows[0].index("latitude"), rows[0].index("longitude")
    rows[1][lat], rows[1][lon] = rows[1][lon], rows[1][lat]
    return basic_with("notes", "Fighting near the bridge reported by residents", rows)


def one(name: str, data: bytes) -> Callable[[], dict]:
    return lambda: {name: data}


HEADER = "event_id,date_start\n"
UTF8_ROWS = HEADER + "KE000001,2026-02-04\n"


def sheet_xml(rows: bytes) -> bytes:
    """A worksheet part holding ``rows`` (``<row>`` elements)."""
    head = b'<?xml version="1.0" encoding="UTF-8"?><worksheet ' + MAIN + b"><sheetData>"
    return head + rows + b"</sheetData></worksheet>"


HEADER_CELL = b'<c r="A1" t="inlineStr"><is><t>event_id</t></is></c>'
ONE_ROW = b'<row r="1">' + HEADER_CELL + b"</row>"


def workbook_bytes(sheet: bytes, extra: dict | None = None) -> bytes:
    """A one-sheet workbook ("events") whose worksheet part is ``sheet``, plus ``extra`` parts."""
    import xlsxwriter

    base = io.BytesIO()
    wb = xlsxwriter.Workbook(base, {"in_memory": True})
    wb.add_worksheet("events")
    wb.close()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(base.getvalue())) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            zout.writestr(item, sheet if item.filename == "xl/worksheets/sheet1.xml" else zin.read(item.filename))
        for name, data in (extra or {}).items():
            zout.writestr(name, data)
    return out.getvalue()


def workbook_of_rows(rows, formula: tuple | None = None) -> bytes:
    """A workbook whose sheet "events" holds ``rows``; ``formula`` is (row, column, formula) to set."""
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "events"
    for row in rows:
        ws.append(row)
    if formula:
        ws.cell(row=formula[0], column=formula[1]).value = formula[2]
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def formula_workbook() -> dict:
    rows = basic_rows()
    data = workbook_of_rows(rows, (2, rows[0].index("notes") + 1, '=CONCATENATE("Clash near ", "the bridge")'))
    return {"events.xlsx": data, "event_sources.csv": (BASIC / "event_sources.csv").read_bytes()}


EXTERNAL_LINK_RELS = (
    b'<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    b'externalLinkPath" Target="file:///C:/coding/other.xlsx" TargetMode="External"/></Relationships>')


def too_many_columns() -> dict:
    from kachin_events.validation.limits import MAX_COLUMNS

    rows = basic_rows()
    extra = MAX_COLUMNS + 1 - len(rows[0])
    return {"events.csv": csv_bytes([rows[0] + [f"extra_{i}" for i in range(extra)], rows[1] + [""] * extra])}


def noise(n: int) -> str:
    """``n`` hex digits that do not compress much (seeded, so a case is the same every time)."""
    import random

    return random.Random(n).randbytes(n // 2).hex()


def large_workbook() -> dict:
    import openpyxl

    text, wb = noise(2_400_000), openpyxl.Workbook()
    for k in range(0, len(text), 30_000):
        wb.active.append([text[k:k + 30_000]])
    out = io.BytesIO()
    wb.save(out)
    return {"events.xlsx": out.getvalue()}


def nested_json(depth: int) -> dict:
    """Records whose notes nest lists to ``depth`` levels in all (Python's parser fails at about 1,000)."""
    inner = depth - 2
    return {"events.json": ('[{"event_id": "KE000001", "notes": ' + "[" * inner + "]" * inner + "}]").encode()}


def max_json_depth() -> int:
    from kachin_events.validation.limits import MAX_JSON_DEPTH

    return MAX_JSON_DEPTH


def max_cell_chars() -> int:
    from kachin_events.validation.limits import MAX_CELL_CHARS

    return MAX_CELL_CHARS
