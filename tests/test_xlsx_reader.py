"""The calamine XLSX reader reads every cell as the openpyxl reader did, row numbers included.

The reference below is the openpyxl reader that validation used before (read-only mode,
cached formula values), copied here so that these tests keep judging the new reader
against it whatever becomes of the old one. Workbooks are written by xlsxwriter and by
openpyxl, and a few by hand (XML that writers produce but these two libraries do not).
"""

from __future__ import annotations

import datetime as dt
import json
import random
import warnings
import zipfile
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kachin_events.validation.read import UnreadableError
from kachin_events.validation.xlsx import SheetText, _value_text, read_workbook

REPO = Path(__file__).resolve().parent.parent


# --- The reference: kachin_events.validation.read._read_xlsx and _cell_to_text as they were ---

def reference_cell_text(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return str(int(value))
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    text = str(value)
    return text if text != "" else None


def reference_sheets(path: Path) -> dict[str, list[tuple[int, list[str | None]]]]:
    import openpyxl

    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    sheets = {}
    try:
        for ws in wb.worksheets:
            if ws.title.startswith("_"):
                continue
            rows = [(n, [reference_cell_text(v) for v in values])
                    for n, values in enumerate(ws.iter_rows(values_only=True), start=1)]
            while rows and all(v is None for v in rows[-1][1]):
                rows.pop()
            sheets[ws.title] = rows
    finally:
        wb.close()
    return sheets


def same_width(records):
    """Records padded to one width, then without the columns that are empty in every row.

    openpyxl pads rows to the width the sheet declares (which counts formatted empty
    cells); the new reader stops at the last column holding a value.
    """
    width = max((len(cells) for _, cells in records), default=0)
    records = [(line, list(cells) + [None] * (width - len(cells))) for line, cells in records]
    while width and all(cells[width - 1] is None for _, cells in records):
        width -= 1
    return [(line, cells[:width]) for line, cells in records]


def assert_reads_as_reference(path: Path) -> dict[str, SheetText]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # openpyxl warns about what it does not support
        reference = reference_sheets(path)
    sheets = read_workbook(path, path.name, include_hidden=True)
    assert list(sheets) == list(reference)
    for name, records in reference.items():
        sheet = sheets[name]
        if all(all(v is None for v in cells) for _, cells in records):
            assert sheet.empty and sheet.records() == [], name
            continue
        # The header is the first row holding a value: the rows above it are empty.
        above = [cells for line, cells in records if line < sheet.header_line]
        assert above == [[None] * len(c) for c in above], name
        assert any(v is not None for v in sheet.header), name
        expected = same_width([r for r in records if r[0] >= sheet.header_line])
        assert same_width(sheet.records()) == expected, name
    return sheets


# --- Workbooks ---

def write_mixed(path: Path) -> dict:
    """A workbook with every kind of cell; returns where the formulas went."""
    import xlsxwriter

    wb = xlsxwriter.Workbook(path)
    date = wb.add_format({"num_format": "yyyy-mm-dd"})
    stamp = wb.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
    clock = wb.add_format({"num_format": "hh:mm"})
    hours = wb.add_format({"num_format": "[h]:mm"})
    ws = wb.add_worksheet("events")
    # The table starts at B3: two empty rows and an empty column before it.
    ws.write_row(2, 1, ["event_id", "when", "count", "share", "flag", "note"])
    ws.write_row(3, 1, ["KE000001", None, 5, 24.25493, True, "  spaced  "])
    ws.write_datetime(3, 2, dt.datetime(2024, 1, 2), date)
    ws.write_row(4, 1, ["KE000002", None, -0.0, 0.1 + 0.2, False, "line\nbreak"])
    ws.write_datetime(4, 2, dt.datetime(2024, 1, 2, 13, 5, 7), stamp)
    ws.write_row(5, 1, ["မြစ်ကြီးနား", None, 1e20, 1e-7, None, ""])
    ws.write_datetime(5, 2, dt.datetime(2024, 2, 3), stamp)  # midnight in a date-time format
    ws.write_row(6, 1, ["KE000004", None, 2.0**53, -12.5])
    ws.write_datetime(6, 2, dt.time(13, 5), clock)
    # Row 8 (index 7) is left empty: it stays, a blank row inside the table.
    ws.write_datetime(8, 2, dt.timedelta(hours=30), hours)
    ws.write_string(8, 1, "KE000006")
    formulas = {"events": set()}
    for row, col, formula, value in [(9, 1, '="KE"&"000007"', "KE000007"), (9, 3, "=D4*2", 10),
                                     (9, 5, "=TRUE()", True), (9, 6, "=NA()", "#N/A"),
                                     (10, 4, "=1/0", "#DIV/0!")]:
        ws.write_formula(row, col, formula, None, value)
        formulas["events"].add((row + 1, col))
    ws.write_array_formula(10, 1, 11, 1, "{=ROW(A1:A2)}", None, 1)
    formulas["events"] |= {(11, 1), (12, 1)}
    ws.write_string(11, 2, "KE000009")
    for row in range(12, 20):  # formatted, empty rows under the table
        ws.write_blank(row, 1, None, date)
    actors = wb.add_worksheet("actors")
    actors.write_row(0, 0, ["actor_id", "name"])
    actors.write_row(1, 0, ["A1", "Kachin Independence Army"])
    formulas["actors"] = set()
    hidden = wb.add_worksheet("hidden_events")
    hidden.write_row(0, 0, ["event_id"])
    hidden.write_row(1, 0, ["KE000099"])
    hidden.hide()
    formulas["hidden_events"] = set()
    wb.add_worksheet("_lists").write_column(0, 0, ["a", "b"])
    wb.add_worksheet("Sheet5")  # empty
    formulas["Sheet5"] = set()
    wb.close()
    return formulas


def write_with_openpyxl(path: Path) -> None:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "sources"
    ws.append(["source_id", "published", "stamp", "day", "clock", "span", "ok", "empty", "formula", "n"])
    ws.append(["S1", dt.datetime(2024, 3, 4), dt.datetime(2024, 3, 4, 5, 6, 7, 123000), dt.date(2024, 1, 1),
               dt.time(1, 2, 3), dt.timedelta(hours=30), True, None, "=1+1", 12345])
    ws["B6"] = "late"  # rows 3 to 5 empty, inside the table
    iso = wb.create_sheet("iso_dates")
    wb.iso_dates = True  # dates written as text (t="d"), as some writers do
    iso.append(["day", "stamp"])
    iso.append([dt.date(2024, 1, 1), dt.datetime(2024, 3, 4, 5, 6, 7)])
    wb.save(path)


def replace_sheet_xml(path: Path, sheet_xml: bytes) -> None:
    """A one-sheet workbook (sheet "data") whose worksheet part is ``sheet_xml``."""
    import xlsxwriter

    base = path.with_suffix(".base.xlsx")
    wb = xlsxwriter.Workbook(base)
    wb.add_worksheet("data")
    wb.close()
    with zipfile.ZipFile(base) as zin, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = sheet_xml if item.filename == "xl/worksheets/sheet1.xml" else zin.read(item.filename)
            zout.writestr(item, data)


MAIN = b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'


# --- Tests ---

def test_every_kind_of_cell_reads_as_before(tmp_path):
    path = tmp_path / "mixed.xlsx"
    write_mixed(path)
    assert_reads_as_reference(path)


def test_rows_keep_excel_numbers_when_the_table_starts_lower_and_further_right(tmp_path):
    path = tmp_path / "mixed.xlsx"
    write_mixed(path)
    sheet = read_workbook(path, "mixed.xlsx")["events"]
    assert sheet.header_line == 3
    assert sheet.header == [None, "event_id", "when", "count", "share", "flag", "note"]
    assert sheet.lines.to_list() == list(range(4, 13))  # the trailing formatted rows are gone
    assert sheet.frame["0"].null_count() == sheet.frame.height  # column A is empty
    rows = dict(zip(sheet.lines.to_list(), sheet.frame.rows()))
    assert rows[8] == (None,) * 7  # the blank row inside the table stays, as nulls
    assert rows[4][1:4] == ("KE000001", "2024-01-02", "5")
    assert rows[12][1:3] == ("0", "KE000009")  # an array formula's second cell, then text
    assert rows[11][4] == "#DIV/0!"  # calamine gives "", the workbook shows the error


def test_frame_is_text_columns_named_by_position(tmp_path):
    import polars as pl

    path = tmp_path / "mixed.xlsx"
    write_mixed(path)
    for sheet in read_workbook(path, "mixed.xlsx").values():
        if sheet.empty:
            continue
        assert sheet.frame.columns == [str(i) for i in range(len(sheet.header))]
        assert set(sheet.frame.dtypes) == {pl.Utf8}
        assert sheet.lines.dtype == pl.Int64 and len(sheet.lines) == sheet.frame.height
        assert (sheet.frame.select(pl.all() == "").sum_horizontal().fill_null(0) == 0).all()  # "" is null


def test_helper_and_hidden_sheets_are_skipped(tmp_path):
    path = tmp_path / "mixed.xlsx"
    write_mixed(path)
    assert list(read_workbook(path, "mixed.xlsx")) == ["events", "actors", "Sheet5"]
    assert list(read_workbook(path, "mixed.xlsx", include_hidden=True)) == [
        "events", "actors", "hidden_events", "Sheet5"]
    empty = read_workbook(path, "mixed.xlsx")["Sheet5"]
    assert empty.empty and empty.header == [] and empty.frame.height == 0 and len(empty.lines) == 0


def test_formula_cells_are_found(tmp_path):
    path = tmp_path / "mixed.xlsx"
    written = write_mixed(path)
    sheets = read_workbook(path, "mixed.xlsx", include_hidden=True)
    assert {name: set(sheet.formulas) for name, sheet in sheets.items()} == written


def test_a_workbook_written_by_openpyxl_reads_as_before(tmp_path):
    path = tmp_path / "openpyxl.xlsx"
    write_with_openpyxl(path)
    sheets = assert_reads_as_reference(path)
    # openpyxl stores no value for a formula: the cell is empty, but known as a formula.
    formula_column = sheets["sources"].header.index("formula")
    assert sheets["sources"].formulas == {(1 + 1, formula_column)}
    assert sheets["sources"].frame[str(formula_column)].to_list()[0] is None


@pytest.mark.parametrize("epoch_1904", [False, True])
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_sheets_read_as_before(tmp_path, seed, epoch_1904):
    import xlsxwriter

    rnd = random.Random(seed)
    path = tmp_path / f"random{seed}.xlsx"
    wb = xlsxwriter.Workbook(path, {"date_1904": epoch_1904})
    dates = [wb.add_format({"num_format": f}) for f in
             ("yyyy-mm-dd", "d/m/yyyy", "yyyy-mm-dd hh:mm", "hh:mm:ss", "[h]:mm", "d mmm yyyy", 14, 22)]
    numbers = [wb.add_format({"num_format": f}) for f in ("0.00", "0%", "@", "#,##0", '"Date:" 0', "[Red]0.00")]
    ws = wb.add_worksheet("events")
    top, left = rnd.randint(0, 3), rnd.randint(0, 3)
    ws.write_row(top, left, [f"col{i}" for i in range(8)])
    # Columns of one kind (text-only columns take a faster path), and mixed ones.
    kinds = ["text", "number", "date", "mixed", "mixed", "text", "bool", "mixed"]
    for r in range(top + 1, top + 200):
        for c, kind in enumerate(kinds):
            if rnd.random() < 0.15:
                continue
            pick = kind if kind != "mixed" else rnd.choice(["text", "number", "date", "bool", "empty"])
            if pick == "text":
                ws.write_string(r, left + c, rnd.choice(["", " ", "x", "KE000001", "Bhamo", "5", "1e3"]))
            elif pick == "number":
                ws.write_number(r, left + c, rnd.choice([rnd.randint(-10**6, 10**6), rnd.uniform(-1e3, 1e3),
                                                         rnd.random() / 1e6, 2**53 + 2, 1e17]),
                                rnd.choice([None, *numbers]))
            elif pick == "date":
                # Dates and times from 1900 to 2064 (out of that range the readers differ: see below).
                ws.write_number(r, left + c, rnd.uniform(0, 60000), rnd.choice(dates))
            elif pick == "bool":
                ws.write_boolean(r, left + c, rnd.random() < 0.5)
            else:
                ws.write_blank(r, left + c, None, dates[0])
    wb.close()
    assert_reads_as_reference(path)


def test_cells_without_their_place_and_prefixed_xml(tmp_path):
    # Some writers leave out the r attribute of rows and cells; others prefix the tags.
    plain = tmp_path / "no_refs.xlsx"
    replace_sheet_xml(plain, b'<?xml version="1.0" encoding="UTF-8"?><worksheet ' + MAIN + b"><sheetData>"
                      b'<row><c t="inlineStr"><is><t>a</t></is></c><c t="inlineStr"><is><t>b</t></is></c></row>'
                      b'<row><c><v>1</v></c><c t="e"><f>1/0</f><v>#DIV/0!</v></c></row>'
                      b'<row r="5"><c><f>1+1</f><v>2</v></c><c t="d"><v>2024-03-04T00:00:00</v></c></row>'
                      b"</sheetData></worksheet>")
    sheet = assert_reads_as_reference(plain)["data"]
    assert sheet.formulas == {(2, 1), (5, 0)}
    assert sheet.records()[1] == (2, ["1", "#DIV/0!"])
    prefixed = tmp_path / "prefixed.xlsx"
    replace_sheet_xml(prefixed, b'<?xml version="1.0" encoding="UTF-8"?><x:worksheet '
                      + MAIN.replace(b"xmlns=", b"xmlns:x=") + b"><x:sheetData>"
                      b'<x:row r="2"><x:c r="B2" t="inlineStr"><x:is><x:t>h1</x:t></x:is></x:c>'
                      b'<x:c r="C2" t="inlineStr"><x:is><x:t>h2</x:t></x:is></x:c></x:row>'
                      b'<x:row r="3"><x:c r="B3" t="e"><x:v>#N/A</x:v></x:c><x:c r="C3"><x:f>1+1</x:f><x:v>2</x:v></x:c></x:row>'
                      b'<x:row r="4"><x:c r="B4" t="d"><x:v>2024-03-04T05:06:07</x:v></x:c><x:c r="C4" t="b"><x:v>1</x:v></x:c></x:row>'
                      b"</x:sheetData></x:worksheet>")
    sheet = assert_reads_as_reference(prefixed)["data"]
    assert (sheet.header_line, sheet.formulas) == (2, {(3, 2)})
    assert sheet.records()[1:] == [(3, [None, "#N/A", "2"]), (4, [None, "2024-03-04 05:06:07", "true"])]


def test_a_sheet_of_empty_text_is_empty(tmp_path):
    import xlsxwriter

    path = tmp_path / "blank.xlsx"
    wb = xlsxwriter.Workbook(path)
    ws = wb.add_worksheet("events")
    ws.write_string(0, 0, "")
    ws.write_formula(1, 1, '=""', None, "")
    wb.close()
    sheet = read_workbook(path, "blank.xlsx")["events"]
    assert sheet.empty and sheet.formulas == {(2, 1)}
    assert_reads_as_reference(path)


def test_the_template_reads_as_before(tmp_path):
    from kachin_events.contrib.template import write_template
    from kachin_events.schema import TABLES

    path = write_template(tmp_path / "template.xlsx", package=REPO / "datapackage.json")
    sheets = assert_reads_as_reference(path)
    assert sheets and all(name in TABLES for name in sheets)  # no helper sheet among them
    assert all(sheet.header_line == 1 and not sheet.formulas for sheet in sheets.values())


@pytest.mark.parametrize("content", [b"", b"event_id,date_start\nKE000001,2024-01-02\n", bytes(range(256)) * 8])
def test_a_file_that_is_not_a_workbook_is_unreadable(tmp_path, content):
    path = tmp_path / "events.xlsx"
    path.write_bytes(content)
    with pytest.raises(UnreadableError) as caught:
        read_workbook(path, "shown/events.xlsx")
    assert caught.value.file == "shown/events.xlsx"
    assert "is not a readable XLSX workbook" in caught.value.message


def test_a_zip_without_a_workbook_or_cut_short_is_unreadable(tmp_path):
    other = tmp_path / "other.xlsx"
    with zipfile.ZipFile(other, "w") as z:
        z.writestr("notes.txt", "not a workbook")
    cut = tmp_path / "cut.xlsx"
    write_mixed(tmp_path / "whole.xlsx")
    whole = (tmp_path / "whole.xlsx").read_bytes()
    cut.write_bytes(whole[: len(whole) // 2])
    for path in (other, cut):
        with pytest.raises(UnreadableError, match="is not a readable XLSX workbook"):
            read_workbook(path, path.name)
    with pytest.raises(UnreadableError, match="cannot be read"):
        read_workbook(tmp_path / "missing.xlsx", "missing.xlsx")


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_numbers_read_as_the_reference_reads_them(x):
    text = _value_text(x)
    assert float(text) == x  # nothing lost
    if x.is_integer() and 2**53 <= abs(x) < 1e16:
        # openpyxl read these as int from the XML ("9007199254740992"); so do we.
        assert text == str(int(x))
    else:
        assert text == reference_cell_text(x)


@pytest.mark.parametrize("value", [True, False, "", "x", " ", dt.date(2024, 1, 2), dt.datetime(2024, 1, 2),
                                   dt.datetime(2024, 1, 2, 0, 0, 1), dt.datetime(2024, 1, 2, 3, 4, 5, 6000),
                                   dt.time(13, 5), dt.time(0, 0), dt.timedelta(hours=30), 7, None])
def test_other_values_read_as_the_reference_reads_them(value):
    assert _value_text(value) == reference_cell_text(value)


def test_a_cell_calamine_cannot_convert_does_not_lose_the_sheet(tmp_path):
    import xlsxwriter

    path = tmp_path / "durations.xlsx"
    wb = xlsxwriter.Workbook(path)
    ws = wb.add_worksheet("events")
    ws.write_row(0, 0, ["event_id", "span"])
    ws.write_row(1, 0, ["KE000001", 1.5])
    ws.write_number(2, 1, 1e12, wb.add_format({"num_format": "[h]:mm"}))  # a billion days and more
    ws.write_formula(3, 0, '="KE"&"000003"', None, "KE000003")
    wb.close()
    sheet = assert_reads_as_reference(path)["events"]
    assert sheet.records()[2] == (3, [None, "#VALUE!"])
    assert sheet.formulas == {(4, 0)}


# --- Sheets checked before calamine lays them out (see also tests/test_input_shapes.py) ---

FAR_SHEET = (b'<?xml version="1.0" encoding="UTF-8"?><worksheet ' + MAIN + b'><sheetData><row r="1">'
             b'<c r="A1" t="inlineStr"><is><t>event_id</t></is></c></row><row r="1048576"><c r="XFD1048576">'
             b"<v>1</v></c></row></sheetData></worksheet>")


def add_parts(path: Path, parts: dict) -> Path:
    """The workbook at ``path`` with more parts (replacing none)."""
    out = path.with_name("more_" + path.name)
    with zipfile.ZipFile(path) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            zout.writestr(item, zin.read(item.filename))
        for name, data in parts.items():
            zout.writestr(name, data)
    return out


def test_every_spelling_of_a_sheets_part_is_checked(tmp_path):
    """A part whose name differs from the relationship's target only in case may be the one a reader opens."""
    plain = tmp_path / "events.xlsx"
    replace_sheet_xml(plain, b'<?xml version="1.0" encoding="UTF-8"?><worksheet ' + MAIN + b"><sheetData>"
                      b'<row r="1"><c r="A1" t="inlineStr"><is><t>event_id</t></is></c></row></sheetData></worksheet>')
    assert read_workbook(plain, "events.xlsx")["data"].header == ["event_id"]
    with pytest.raises(UnreadableError, match="whose cells span"):
        read_workbook(add_parts(plain, {"xl/worksheets/SHEET1.xml": FAR_SHEET}), "events.xlsx")


def test_a_part_of_sheet_data_no_sheet_names_is_checked_too(tmp_path):
    plain = tmp_path / "events.xlsx"
    write_with_openpyxl(plain)
    with pytest.raises(UnreadableError, match="whose cells span"):
        read_workbook(add_parts(plain, {"xl/worksheets/orphan.xml": FAR_SHEET}), "events.xlsx")


def test_a_hidden_sheet_is_checked_only_when_it_is_read(tmp_path):
    import xlsxwriter

    path = tmp_path / "hidden.xlsx"
    wb = xlsxwriter.Workbook(path)
    wb.add_worksheet("events").write_row(0, 0, ["event_id", "notes"])
    hidden = wb.add_worksheet("old")
    hidden.write(0, 0, "event_id")
    hidden.write(1048575, 16383, 1)  # XFD1048576: a grid of 17 billion cells
    hidden.hide()
    wb.close()
    assert list(read_workbook(path, "hidden.xlsx")) == ["events"]
    with pytest.raises(UnreadableError, match="'old' whose cells span 1,048,576 rows by 16,384 columns"):
        read_workbook(path, "hidden.xlsx", include_hidden=True)


@pytest.mark.parametrize("seed", [1, 2])
def test_the_extent_the_fast_search_vouches_for_is_the_measured_one(tmp_path, seed):
    """Sheets the fast search passes are within the bound; measured tag by tag, they are the same size."""
    from kachin_events.validation.zipguard import _FAST_BOUND, _plain_extent, sheet_extent

    rnd = random.Random(seed)
    rows = []
    for r in sorted(rnd.sample(range(1, 5000), 300)):
        cols = sorted(rnd.sample(range(52), rnd.randint(1, 6)))
        cells = b"".join(b'<c r="%s%d"><v>1</v></c>' % (_letters(c).encode(), r, ) for c in cols)
        rows.append(b'<row r="%d">%s</row>' % (r, cells))
    xml = b"<sheetData>" + b"".join(rows) + b"</sheetData>"
    measured = sheet_extent(xml)
    assert measured == _plain_extent(xml)
    assert measured[0] * measured[1] <= _FAST_BOUND


def _letters(col: int) -> str:
    out = ""
    col += 1
    while col:
        col, rem = divmod(col - 1, 26)
        out = chr(65 + rem) + out
    return out


EXTENT_CASES = {
    "places": b'<row r="2"><c r="B2"><v>1</v></c><c r="D5"><v>2</v></c></row>',
    "placeless-cells": b'<row r="3"><c><v>1</v></c><c><v>2</v></c><c><v>3</v></c></row>',
    "placeless-rows": b'<row><c r="A1"><v>1</v></c></row><row><c><v>2</v></c></row><row><c><v>3</v></c></row>',
    "after-a-place": b'<row r="1"><c r="C40"><v>1</v></c><c><v>2</v></c></row>',
    "spaced-and-quoted": b'<row r="1"><c r = \'E9\'><v>1</v></c><c\tr="B2"><v>1</v></c></row>',
    "lower-case": b'<row r="1"><c r="c3"><v>1</v></c></row>',
    "formatting-only": b'<row r="1"><c r="A1"><v>1</v></c></row><row r="90"><c r="Q90" s="1"/></row>',
    "empty-text": b'<row r="70"><c r="H70" t="inlineStr"><is><t></t></is></c></row>',
    "foreign-attribute": (b'<row r="1"><c r="A1"><v>1</v></c></row>'
                          b'<row r="60"><c xmlns:x="urn:x" x:r="Z60"><v>1</v></c></row>'),
}


@pytest.mark.parametrize("name", sorted(EXTENT_CASES))
def test_the_extent_measured_is_the_grid_calamine_lays_out(tmp_path, name):
    """The tag-by-tag measure places cells as calamine does (compared on small sheets it reads safely)."""
    import python_calamine

    from kachin_events.validation.zipguard import sheet_extent

    xml = (b'<?xml version="1.0" encoding="UTF-8"?><worksheet ' + MAIN + b"><sheetData>" + EXTENT_CASES[name]
           + b"</sheetData></worksheet>")
    path = tmp_path / f"{name}.xlsx"
    replace_sheet_xml(path, xml)
    book = python_calamine.CalamineWorkbook.from_path(str(path))
    sheet = book.get_sheet_by_name("data")
    assert sheet_extent(xml) == (sheet.height, sheet.width)
