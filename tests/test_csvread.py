"""The columnar CSV reader reads every file as Python's csv module does, lines included.

The fast path (pyarrow, with a numpy scan of the bytes for record lines, blank lines and
ragged rows) is compared with the careful path (the csv module) on generated files
with commas, quotes, line breaks inside values, CRLF, a BOM, blank lines, short and long
rows; and on hand-written files whose quoting sends them to the careful path.
"""

from __future__ import annotations

import csv
import io
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kachin_events.validation import csvfile as csvread
from kachin_events.validation.read import UnreadableError


def as_records(text: csvread.CsvText):
    """(line, cells) of every row, with the cells a long row really has."""
    names = [str(i) for i in range(len(text.header))]
    rows = text.frame.select(names).rows() if names else [()] * len(text.lines)
    out = []
    for i, (line, row) in enumerate(zip(list(text.lines), rows)):
        out.append((int(line), list(text.long_rows.get(i, row))))
    return text.header, out, list(text.blank_lines)


def reference(data: bytes):
    """The csv module's reading: header, (start line, cells) of rows, blank lines."""
    reader = csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), strict=True)
    records = []
    for rec in reader:
        start = reader.line_num - sum(len(re.findall(r"\r\n|\r|\n", c)) for c in rec)
        records.append((start, [c if c != "" else None for c in rec]))
    header = records[0][1]
    width = len(header)
    rows = [(line, v + [None] * (width - len(v))) for line, v in records[1:] if v]
    blank = [line for line, v in records[1:] if not v]
    return header, rows, blank


cell = st.one_of(st.none(), st.text(alphabet=st.sampled_from(list('ab ,"\n\rKE0\u1000')), max_size=8))


@st.composite
def csv_files(draw):
    width = draw(st.integers(min_value=1, max_value=5))
    header = [f"c{i}" for i in range(width)]
    rows = draw(st.lists(st.lists(cell, min_size=width, max_size=width), max_size=12))
    out = io.StringIO()
    ending = draw(st.sampled_from(["\n", "\r\n"]))
    writer = csv.writer(out, lineterminator=ending)
    writer.writerow(header)
    for row in rows:
        kind = draw(st.sampled_from(["row", "row", "row", "blank", "short", "long"]))
        if kind == "blank":
            out.write(ending)
        if kind == "short" and width > 1:
            row = row[:-1]
        if kind == "long":
            row = row + ["extra"]
        if all(c in (None, "") for c in row) and len(row) == 1:
            row = ["x"]  # a lone empty cell is written as a blank line: not what was drawn
        writer.writerow(["" if c is None else c for c in row])
    data = out.getvalue().encode("utf-8")
    if draw(st.booleans()):
        data = b"\xef\xbb\xbf" + data
    if draw(st.booleans()) and data.endswith(ending.encode()):
        data = data[: -len(ending)]
    return data


@settings(max_examples=300, deadline=None)
@given(data=csv_files())
def test_fast_path_reads_as_the_csv_module(tmp_path_factory, data):
    path = tmp_path_factory.mktemp("csv") / "t.csv"
    path.write_bytes(data)
    header, rows, blank = as_records(csvread.read_csv_text(path, "t.csv"))
    ref_header, ref_rows, ref_blank = reference(data)
    assert header == ref_header
    assert rows == ref_rows
    assert blank == ref_blank


def test_a_record_with_line_breaks_is_at_the_line_it_starts_on(tmp_path):
    path = tmp_path / "t.csv"
    path.write_bytes(b'a,b\n1,"two\nlines"\n2,x\n\n3,"three\r\nlines\nhere"\n4,y\n')
    header, rows, blank = as_records(csvread.read_csv_text(path, "t.csv"))
    assert [line for line, _ in rows] == [2, 4, 6, 9]
    assert blank == [5]


@pytest.mark.parametrize("data, reason", [
    (b'a,b\n"abc"def,x\n', "',' expected after '\"'"),
    (b'a,b\n"never closed,x\n', "unexpected end of data"),
])
def test_broken_quoting_is_unreadable_with_the_line(tmp_path, data, reason):
    path = tmp_path / "t.csv"
    path.write_bytes(data)
    with pytest.raises(UnreadableError) as err:
        csvread.read_csv_text(path, "t.csv")
    assert reason in err.value.message and "line" in err.value.message


def test_a_quote_inside_an_unquoted_value_is_kept(tmp_path):
    path = tmp_path / "t.csv"
    path.write_bytes(b'a,b\nab"c,x\n')
    _, rows, _ = as_records(csvread.read_csv_text(path, "t.csv"))
    assert rows == [(2, ['ab"c', "x"])]


def test_not_utf8_names_the_byte(tmp_path):
    path = tmp_path / "t.csv"
    path.write_bytes("a,b\n1,caf\u00e9\n".encode("latin-1"))
    with pytest.raises(UnreadableError) as err:
        csvread.read_csv_text(path, "t.csv")
    assert "not UTF-8 (byte 9, line 2)" in err.value.message  # the offset of the é


def test_values_pyarrow_would_call_null_stay_text(tmp_path):
    path = tmp_path / "t.csv"
    path.write_bytes(b"a,b\nNA,null\nN/A,-\n")
    _, rows, _ = as_records(csvread.read_csv_text(path, "t.csv"))
    assert rows == [(2, ["NA", "null"]), (3, ["N/A", "-"])]
