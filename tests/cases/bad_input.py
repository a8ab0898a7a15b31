"""Every class of bad input the test suite tries, and what the library must do with it.

One registry, read by the tests that run the cases and by the docs hook
``docs/hooks/kedocs_tried.py``, which writes the page "Bad input tried" from it: the page
cannot list a case no test runs, nor miss one that a test does.

* :data:`CASES`: files (written here as bytes) with the outcome they must have: the
  exit status, the rule of the finding, where it is, words its message holds. Run by
  ``tests/test_hostile_input.py`` and ``tests/test_input_shapes.py`` (through
  :func:`run_cli`), and by the docs hook, which shows the message the library gives.
* :data:`TRIED`: the other tests of those two files, whose inputs need more than a file
  (a patched limit, a release, a whole package) or whose check is of a piece of the
  reader: what each tries and what the library does, with the test that checks it.
  ``tests/test_contract.py`` checks that every test of the two files is here or runs
  :data:`CASES`, and that every test named here exists.
* :data:`FUZZ_CLASSES`: the classes of generated input of ``tests/test_fuzz.py``;
  :data:`REGRESSIONS`: inputs the fuzzer found that once broke the contract.
* Lists the tests parametrize over (:data:`FAR_CELLS`, :data:`INSTRUCTION_SHEETS`, ...).

The files are built by :mod:`cases.files` (standard library, openpyxl and xlsxwriter
only: dependencies of the package, so that the docs build can run them).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from kachin_events.validation.limits import MAX_CELL_CHARS, MAX_COLUMNS, MAX_JSON_DEPTH

from .files import (EXTERNAL_LINK_RELS, HEADER, ONE_ROW, UTF8_ROWS, basic_with, formula_workbook, large_workbook,
                    max_cell_chars, max_json_depth, nested_json, noise, one, sheet_xml, swapped_coordinates,
                    too_many_columns, workbook_bytes)

#: The day "in the future" is judged from, in every case.
TODAY = "2026-11-22"


# -- what a case is ------------------------------------------------------------------------

@dataclass(frozen=True)
class Case:
    """A bad input written as files, and the outcome the library must give.

    Attributes
    ----------
    id : str
        Short name (a pytest id).
    group : str
        The section of the page (a key of :data:`GROUPS`).
    what : str
        The input, in words.
    build : callable
        Returns the files: {file name: bytes}; they are written into one folder.
    exit_code : int
        The exit status of ``kachin-events validate`` on the files.
    rule : str or None
        The rule of the finding the input must get (None: it must be read as valid).
    words : tuple of str
        Words the finding's message must hold.
    at : tuple, optional
        (row, field) of the one finding of ``rule``.
    alone : bool
        The finding is the only error (the cause, without its follow-ons).
    absent : tuple of str
        Rules that must not be found.
    env : dict
        Environment variables set for the run (a limit lowered, say).
    early : bool
        A workbook refused from its archive, before calamine opens it.
    """

    id: str
    group: str
    what: str
    build: Callable[[], dict]
    exit_code: int
    rule: str | None
    words: tuple = ()
    at: tuple | None = None
    alone: bool = False
    absent: tuple = ()
    env: dict = field(default_factory=dict)
    early: bool = False


@dataclass(frozen=True)
class Tried:
    """A bad input tried by one test (or a few) that a file alone cannot state.

    ``test`` is ``file::function``; ``variants`` names the inputs the test
    parametrizes over, when it does.
    """

    test: str
    group: str
    what: str
    outcome: str
    variants: tuple = ()


#: The sections of the page, in order: key -> (title, introduction).
GROUPS = {
    "encoding": ("Encodings and file formats",
                 "Files that are not UTF-8 text of the format their name says. Each is one `unreadable` "
                 "finding (exit status 2) that names what the file is and how to save it as UTF-8."),
    "workbook": ("Workbooks",
                 "XLSX workbooks that are hostile or broken. The archive is checked before any sheet is "
                 "unpacked: nothing is read into memory that a small file can blow up."),
    "shape": ("Shape and limits",
              "Files with no rows, too many columns, cells or documents over a limit, titles above the "
              "header, sheets of instructions, column names written another way. Each limit is a setting "
              "(an environment variable) and its message names it."),
    "cells": ("Cell values",
              "Values a spreadsheet would run, Burmese typed in the Zawgyi font encoding, invisible "
              "characters, Excel date numbers, swapped coordinates, place names where a P-code belongs."),
    "trust": ("Published files and packages",
              "What other commands do with bad input, and what a release may hold."),
    "fuzz": ("Found by fuzzing",
             "Inputs the fuzzer (tests/test_fuzz.py) generated that once broke the contract (a traceback), "
             "kept as regression tests with the outcome they have now."),
}


ZAWGYI = {
    "zawgyi-word": "\u103b\u1019\u1014\u1039\u1019\u102c\u1005\u102c",
    "zawgyi-sentence": ("\u1017\u1014\u1039\u1038\u1031\u1019\u102c\u1039\u1019\u103d\u102c \u1010\u102d\u102f\u1000"
                        "\u1039\u1015\u103c\u1032\u1019\u103a\u102c\u1038 \u1016\u103c\u1005\u1039\u1015\u103d\u102c"
                        "\u1038\u1001\u1032\u1037\u101e\u100a\u1039"),
}

FORMULAS = {
    "hyperlink-in-notes": ("notes", '=HYPERLINK("http://example.com","click")'),
    "at-sign-in-location": ("location", "@SUM(1+1)"),
    "plus-phone-number": ("notes", "+95 9 000 000 000 called the office and gave the figures"),
    "tab-then-formula": ("notes", "\t=1+1 hidden behind a tab"),
    "minus-arithmetic": ("notes", "-2+3 looks like arithmetic to a spreadsheet"),
}
NOT_FORMULAS = {"a-minus-inside-text": ("notes", "Fighting near the bridge; the town's -2 C night"),
                "minus-at-the-end": ("location", "Mong Nar -")}


# -- the cases -----------------------------------------------------------------------------

def _cases() -> list[Case]:
    out = [
        Case("utf16-with-bom", "encoding", "A CSV saved as UTF-16 with a byte-order mark (Excel's \"Unicode text\")",
             one("events.csv", UTF8_ROWS.encode("utf-16")), 2, "unreadable", ("UTF-16", "byte-order mark", "UTF-8"),
             alone=True),
        Case("utf16le-without-bom", "encoding", "A CSV in UTF-16LE without a byte-order mark",
             one("events.csv", UTF8_ROWS.encode("utf-16-le")), 2, "unreadable", ("UTF-16LE", "UTF-8"), alone=True),
        Case("utf16be-without-bom", "encoding", "A CSV in UTF-16BE without a byte-order mark",
             one("events.csv", UTF8_ROWS.encode("utf-16-be")), 2, "unreadable", ("UTF-16BE", "UTF-8"), alone=True),
        Case("windows-1252", "encoding", "A CSV in Windows-1252 (a spreadsheet's default on many computers)",
             one("events.csv", (HEADER + "KE000001,caf\u00e9\n").encode("cp1252")), 2, "unreadable",
             ("not UTF-8", "line 2", "Windows-1252", "iconv"), alone=True),
        Case("zip-named-csv", "encoding", "A zip archive (a workbook) named .csv",
             one("events.csv", b"PK\x03\x04\x14\x00\x00\x00rest of a workbook"), 2, "unreadable",
             ("zip archive", ".xlsx"), alone=True),
        Case("xls-named-csv", "encoding", "An Excel 97-2003 workbook named .csv",
             one("events.csv", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(1024)), 2, "unreadable",
             ("Excel 97-2003", "CSV UTF-8"), alone=True),
        Case("xls-named-json", "encoding", "An Excel 97-2003 workbook named .json",
             one("events.json", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(1024)), 2, "unreadable",
             (".xls", "JSON"), alone=True),
        Case("html-error-page", "encoding", "A download's HTML error page saved as .csv",
             one("events.csv", b"<!DOCTYPE html><html><body>404 Not Found</body></html>"), 2, "unreadable",
             ("HTML page",), alone=True),
        Case("nul-bytes", "encoding", "A CSV holding NUL bytes (a binary or damaged file)",
             one("events.csv", UTF8_ROWS.encode() + b"\x00\x00garbage"), 2, "unreadable", ("NUL byte",), alone=True),
        Case("json-in-utf16", "encoding", "A JSON document in UTF-16",
             one("events.json", json.dumps([{"event_id": "KE000001"}]).encode("utf-16")), 2, "unreadable",
             ("UTF-16", "JSON"), alone=True),
        Case("semicolons", "encoding", "A \"CSV\" separated by semicolons (Excel in many locales)",
             one("events.csv", "event_id;date_start;notes\nKE000001;2026-02-04;x\n".encode()), 2, "unreadable",
             ("semicolons", "comma"), alone=True),
        Case("tabs", "encoding", "A tab-separated file named .csv",
             one("events.csv", "event_id\tdate_start\tnotes\nKE000001\t2026-02-04\tx\n".encode()), 2, "unreadable",
             ("tabs", "comma"), alone=True),
        # -- workbooks
        Case("zip-bomb", "workbook", "A workbook of a few kB whose sheet inflates to 20 MB (about 1,000 to 1)",
             lambda: {"events.xlsx": workbook_bytes(sheet_xml(b'<row r="1">' + b"<c/>" * 5_000_000 + b"</row>"))},
             2, "unreadable", ("zip bomb", "xl/worksheets/sheet1.xml"), alone=True, early=True),
        Case("far-cell", "workbook",
             "A workbook of a few kB with one cell at XFD1048576: a grid of 17 billion cells to a reader",
             lambda: {"events.xlsx": workbook_bytes(sheet_xml(
                 ONE_ROW + b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'))},
             2, "unreadable", ("whose cells span", "1,048,576 rows"), alone=True),
        Case("encrypted-workbook", "workbook", "A password-protected (encrypted) workbook",
             one("events.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(4096)), 2, "unreadable", ("password",),
             alone=True, early=True),
        Case("external-link", "workbook", "A workbook linked to another workbook (an external link)",
             lambda: {"events.xlsx": workbook_bytes(sheet_xml(ONE_ROW), {
                 "xl/externalLinks/externalLink1.xml": b"<externalLink/>",
                 "xl/externalLinks/_rels/externalLink1.xml.rels": EXTERNAL_LINK_RELS})},
             2, "unreadable", ("link(s) to other workbooks", "file:///C:/coding/other.xlsx", "Break Link"),
             alone=True, early=True),
        Case("formula-without-value", "workbook",
             "A workbook cell holding a formula with no computed value (as a library writes it)",
             formula_workbook, 1, "workbook-formula", ("holds a formula", "Paste special"), at=(2, "notes"),
             alone=True),
        # -- shape and limits
        Case("header-only-csv", "shape", "A CSV of a header and no rows", one("events.csv", HEADER.encode()), 1,
             "empty-file", ("no rows",)),
        Case("empty-json-list", "shape", "A JSON document of no records (`[]`)", one("events.json", b"[]"), 1,
             "empty-file", ("no rows",)),
        Case("too-many-columns", "shape", "A header of one named column more than the limit", too_many_columns, 2,
             "unreadable", (f"{MAX_COLUMNS + 1:,} named columns", "KACHIN_EVENTS_MAX_COLUMNS"), alone=True),
        Case("json-too-deep", "shape", "A JSON record nesting lists one level deeper than the limit",
             lambda: nested_json(max_json_depth() + 1), 2, "unreadable",
             (f"more than {MAX_JSON_DEPTH} levels", "KACHIN_EVENTS_MAX_JSON_DEPTH"), alone=True),
        Case("json-100000-deep", "shape", "A JSON record nesting lists 100,000 levels deep",
             lambda: nested_json(100_000), 2, "unreadable", ("levels", "KACHIN_EVENTS_MAX_JSON_DEPTH"), alone=True),
        Case("workbook-over-size-limit", "shape", "A 1.3 MB workbook with the size limit set to 1 MB",
             large_workbook, 2, "unreadable", ("more than the limit of 1 MB", "KACHIN_EVENTS_MAX_FILE_MB"),
             alone=True, env={"KACHIN_EVENTS_MAX_FILE_MB": "1"}),
        Case("json-over-size-limit", "shape", "A 1.2 MB JSON document with the JSON size limit set to 1 MB",
             lambda: {"events.json": json.dumps([{"event_id": "KE000001", "notes": noise(1_200_000)}]).encode()},
             2, "unreadable", ("more than the limit of 1 MB", "KACHIN_EVENTS_MAX_JSON_MB"), alone=True,
             env={"KACHIN_EVENTS_MAX_JSON_MB": "1"}),
        Case("cell-over-limit", "shape", "A notes cell 30% longer than the cell limit",
             lambda: basic_with("notes", "Fighting near the bridge. " * (max_cell_chars() // 20)), 1,
             "cell-too-long", (f"{MAX_CELL_CHARS:,}", "KACHIN_EVENTS_MAX_CELL_CHARS"), at=(2, "notes")),
        # -- cell values
        Case("excel-date-number", "cells", "An Excel date serial (46085) where a date belongs",
             lambda: basic_with("date_start", "46085"), 1, "type", ("2026-03-04",), at=(2, "date_start")),
        Case("swapped-coordinates", "cells", "Latitude and longitude swapped", swapped_coordinates, 1, "maximum",
             ("swapped", "write latitude 25.35099 and longitude 97.44281"), at=(2, "latitude")),
        Case("invisible-characters", "cells", "A zero-width space and a right-to-left override in the notes",
             lambda: basic_with("notes", "Fighting near the\u200b bridge, reported by residents\u202e"), 0,
             "invisible-character", ("U+200B", "U+202E"), at=(2, "notes")),
        Case("a-lone-dash", "cells", "A lone dash in the notes (a placeholder, not a formula)",
             lambda: basic_with("notes", "-"), 1, "min-length", ("shorter than",), at=(2, "notes"),
             absent=("formula-cell",)),
    ]
    out += [Case(f"formula-{key}", "cells", f"A cell a spreadsheet would run: {value!r} in {fld}",
                 lambda fld=fld, value=value: basic_with(fld, value), 1, "formula-cell", ("formula",), at=(2, fld))
            for key, (fld, value) in FORMULAS.items()]
    out += [Case(f"no-formula-{key}", "cells", f"Text that only looks like a formula: {value!r} in {fld}",
                 lambda fld=fld, value=value: basic_with(fld, value), 0, None, absent=("formula-cell",))
            for key, (fld, value) in NOT_FORMULAS.items()]
    out += [Case(key, "cells", "Burmese typed in the Zawgyi font encoding in the notes",
                 lambda value=value: basic_with("notes", value), 1, "zawgyi", ("Zawgyi", "Unicode"), at=(2, "notes"))
            for key, value in ZAWGYI.items()]
    for part, words in (("xl/vbaProject.bin", ("macros", "xl/vbaProject.bin", "Excel Workbook (.xlsx)")),
                        ("xl/macrosheets/sheet1.xml", ("macros", "macrosheets"))):
        for suffix in (".xlsx", ".xlsm"):
            out.append(Case(f"macros-{part.split('/')[1]}-{suffix[1:]}", "workbook",
                            f"A {suffix} workbook carrying macros ({part})",
                            lambda part=part, suffix=suffix: {
                                f"events{suffix}": workbook_bytes(sheet_xml(ONE_ROW), {part: b"\x00macro code"})},
                            2, "unreadable", words, alone=True, early=True))
    return out


#: Files with the outcome they must have, shown on the page with the message they get.
CASES: list[Case] = _cases()

#: Inputs found by fuzzing that once broke the contract.
REGRESSIONS: list[Case] = [
    Case("csv-blank-header-line", "fuzz", "A CSV whose header line is empty and whose next line is one comma "
         "(`\\n,\\n`): the reader raised a polars error", one("events.csv", b"\n,\n"), 1, "missing-column",
         ("is missing",)),
    Case("json-5000-digit-number", "fuzz", "A JSON record holding an integer of 5,000 digits: Python's parser "
         "raised ValueError (integers over 4,300 digits)",
         one("events.json", b'[{"event_id": "KE000001", "fatalities_best": ' + b"1" * 5000 + b"}]"), 2,
         "unreadable", ("4300 digits", "write the value as text"), alone=True),
    Case("xlsx-column-past-xfd", "fuzz", "A workbook of a few kB with a cell in column ZZZZ, past Excel's last "
         "column: each column up to it became one of the reader's, and the process ran out of memory (24 GB)",
         lambda: {"events.xlsx": workbook_bytes(sheet_xml(ONE_ROW + b'<row r="2"><c r="ZZZZ2"><v>1</v></c></row>'))},
         2, "unreadable", ("ZZZZ2", "past Excel's last column or row"), alone=True),
    Case("xlsx-row-past-excel", "fuzz", "A workbook of a few kB with a row numbered 99,999,999 holding a cell at "
         "B0: calamine refused the sheet, and the openpyxl reader it fell back on laid out every row up to it "
         "(out of memory, or minutes)",
         lambda: {"events.xlsx": workbook_bytes(sheet_xml(
             b'<row r="99999999"><c r="B0"><v>1</v></c></row>' + ONE_ROW))},
         2, "unreadable", ("99999999", "past Excel's last column or row"), alone=True),
]


# -- lists the tests parametrize over ------------------------------------------------------

#: A sheet's far cell, written in every way the extent check must see through.
FAR_CELLS = {
    "far-cell": b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>',
    "spaced-attribute": b'<row r="1048576"><c r = \'XFD1048576\'><v>1</v></c></row>',
    "lower-case": b'<row r="1048576"><c r="xfd1048576"><v>1</v></c></row>',
    "prefixed": b'<row r="1048576"><x:c r="XFD1048576" xmlns:x="urn:x"><v>1</v></x:c></row>',
    "placeless-after-far": b'<row r="1048576"><c r="XFC1048576"><v>1</v></c><c><v>2</v></c></row>',
    "place-not-first": b'<row r="2"><c s="1" r="XFD1048576"><v>1</v></c></row>',
}

#: Sheets that look large and are not: they must be read.
LOOK_LARGE = {
    "formatted-empty-far-cell": b'<row r="1048576"><c r="XFD1048576" s="1"/></row>',
    "past-column-AZ": b"".join(b'<row r="%d"><c r="BA%d"><v>1</v></c></row>' % (i, i) for i in range(2, 200)),
    "a-million-rows-of-one-column": b'<row r="1048576"><c r="A1048576"><v>1</v></c></row>',
}

#: (title rows above the header, the column the table starts in) of the titled workbooks.
TITLE_ROWS = [(1, 1), (2, 1), (2, 3)]

#: (sheet name, its first rows, whether it is a sheet of instructions).
INSTRUCTION_SHEETS = [
    ("README", [["Everything in this workbook was coded from one report."], ["Ask before changing it."]], True),
    ("Sheet3", [["column", "what it holds"], ["event_id", "The event's id, KE and six digits, never reused."]], True),
    ("README", [["event_id", "date_start"], ["KE000001", "2026-03-01"]], False),  # a table, whatever its name
    ("Sheet1", [["Event", "Day", "Place", "Dead"], ["a", "b", "c", "d"]], False),  # a table with wrong names
    ("Notes", [["Event", "Day", "Place", "Dead"], ["a", "b", "c", "d"]], False),  # ... whatever its name
    ("Instructions", [["column", "type", "meaning"], ["event_id", "text", "KE and six digits"]], True),
    ("Sheet1", [[None, None], [None, None]], False),
]

#: (first rows of a file, the index of its header row; 0 when none is found below a title).
HEADER_BELOW_TITLE = [
    ([["Title"], [], ["event_id", "date_start", "notes"]], 2),
    ([[None, "Title", None], ["", "event_id", "date_start"]], 1),
    ([["event_id", "date_start"], ["KE000001", "2026-01-01"]], 0),
    ([["A title", "and its date", "x"], ["event_id", "date_start", "notes"]], 0),  # as wide as half the header
    ([["Title"], ["Subtitle"], ["Still no header"]], 0),
    ([["Title"]] + [[None]] * 30 + [["event_id", "date_start"]], 0),  # too far down to be the header
]

#: (a header cell as written, the events column it names, or None).
COLUMN_SPELLINGS = [("Event_ID ", "event_id"), ("EVENT_TYPE", "event_type"), ("\u00a0notes\u200b", "notes"),
                    ("date-start", None), ("Event ID", None), ("eventid", None)]

#: (P-code field, a place's name written in it, the level of the place meant).
PLACE_NAMES = [("admin3_pcode", "Bhamo", "township"), ("admin3_pcode", "Waingmaw", "township"),
               ("admin2_pcode", "Bhamo", "district")]


# -- the other tests -----------------------------------------------------------------------

_H, _S, _F = "test_hostile_input.py", "test_input_shapes.py", "test_fuzz.py"

TRIED: list[Tried] = [
    Tried(f"{_S}::test_a_workbook_over_the_uncompressed_limit_is_refused", "workbook",
          "A workbook whose parts inflate to more than the limit", "unreadable, from the archive's directory: "
          "\"inflates to\" more than the limit"),
    Tried(f"{_S}::test_an_archive_of_too_many_entries_is_refused", "workbook",
          "A workbook archive of more entries than the limit", "unreadable, naming how many entries it has"),
    Tried(f"{_S}::test_parts_that_overlap_are_refused", "workbook",
          "An archive whose directory points 200 parts at the same compressed bytes (an overlapping zip bomb)",
          "unreadable: \"they overlap\""),
    Tried(f"{_S}::test_a_part_larger_than_its_declared_size_is_unreadable", "workbook",
          "A sheet part larger than the size its archive declares", "unreadable (exit status 2), not unpacked"),
    Tried(f"{_S}::test_a_sheet_spanning_billions_of_cells_is_measured", "workbook",
          "A far cell written in ways a byte search could miss", "unreadable: the extent check reads every "
          "cell place, whatever its spelling", tuple(FAR_CELLS)),
    Tried(f"{_S}::test_sheets_that_only_look_large_are_read", "workbook",
          "Sheets that look large and are not", "read as usual", tuple(LOOK_LARGE)),
    Tried(f"{_S}::test_the_sparse_workbook_that_aborts_calamine_is_refused_with_exit_2", "workbook",
          "The far-cell workbook, in a process of its own (were the guard to fail, the reader would abort it)",
          "exit status 2, no traceback"),
    Tried(f"{_S}::test_a_title_above_the_header_is_skipped_and_rows_keep_their_numbers", "shape",
          "A workbook with one or two title rows above the header, from column A or C",
          "a `title-row` warning; rows keep the numbers Excel shows",
          tuple(f"{n} title row{'s' * (n > 1)}, from column {'ABC'[c - 1]}" for n, c in TITLE_ROWS)),
    Tried(f"{_S}::test_an_instruction_sheet_is_not_read_and_said_once", "shape",
          "A sheet of instructions beside the data", "set aside with one `instruction-sheet` warning"),
    Tried(f"{_S}::test_instruction_sheets_are_told_from_tables", "shape",
          "Sheets of prose and sheets of data under misleading names", "prose set aside, tables read",
          tuple(f"{name} ({'instructions' if yes else 'a table'})" for name, _, yes in INSTRUCTION_SHEETS)),
    Tried(f"{_S}::test_a_table_with_wrong_column_names_is_still_read_and_reported", "shape",
          "A sheet of data whose column names are all wrong", "read: `unknown-column` and `missing-column` errors"),
    Tried(f"{_S}::test_the_header_is_found_below_a_title", "shape",
          "Titles, blank rows and subtitles above the header", "the header found when it is near the top",
          tuple(str(len(rows)) + " rows: header at " + (f"row {k + 1}" if k else "row 1 or none")
                for rows, k in HEADER_BELOW_TITLE)),
    Tried(f"{_S}::test_header_cells_in_another_case_or_spaced_are_read_as_their_column", "shape",
          "Header cells in capitals, with stray spaces or a no-break space", "read as their column with a "
          "`column-name` warning"),
    Tried(f"{_S}::test_a_column_written_twice_in_two_spellings_is_a_duplicate", "shape",
          "A column written twice, once in capitals", "`duplicate-column`"),
    Tried(f"{_S}::test_json_keys_and_a_workbook_formula_in_another_case_are_matched", "shape",
          "JSON keys and workbook headers in capitals", "matched to their columns"),
    Tried(f"{_S}::test_column_names_match_their_column", "shape", "Column names written another way",
          "matched when only case and spaces differ", tuple(repr(w) for w, _ in COLUMN_SPELLINGS)),
    Tried(f"{_S}::test_a_cell_over_the_default_limit_is_an_error_at_its_cell", "shape",
          "A cell over the default length limit", "`cell-too-long` at its cell, quoting only its start"),
    Tried(f"{_S}::test_the_cell_limit_is_a_setting", "shape", "Cells over a lowered length limit",
          "`cell-too-long`: the limit is the setting KACHIN_EVENTS_MAX_CELL_CHARS"),
    Tried(f"{_S}::test_the_cell_limit_in_the_rules_registry_is_the_setting", "shape",
          "The rules registry's description of the limit", "states the limit in force"),
    Tried(f"{_S}::test_json_nested_within_the_limit_is_read", "shape", "A JSON value nested within the limit",
          "read, the value kept as JSON text"),
    Tried(f"{_S}::test_a_place_name_in_a_pcode_field_is_told_its_code", "cells",
          "A place's name where its P-code belongs", "`pattern`, the message giving the P-code",
          tuple(f"{name} in {fld}" for fld, name, _ in PLACE_NAMES)),
    Tried(f"{_S}::test_a_town_in_admin3_pcode_is_told_its_township", "cells",
          "A town's name in admin3_pcode", "`pattern`, naming the town's township and its P-code"),
    Tried(f"{_S}::test_a_place_name_in_location_pcode_lists_the_places", "cells",
          "A name of several places in location_pcode", "`pattern`, listing every place of that name"),
    Tried(f"{_S}::test_a_value_that_is_no_place_gets_no_hint", "cells", "A value that is no place in a P-code field",
          "`pattern`, with no guess"),
    Tried(f"{_H}::test_the_zawgyi_threshold_passes_the_gazetteer_and_catches_zawgyi", "cells",
          "Every Burmese name of the gazetteer, and Zawgyi samples", "the names below the Zawgyi threshold, "
          "the samples above"),
    Tried(f"{_H}::test_an_unreadable_file_comes_alone_without_the_foreign_keys_it_breaks", "trust",
          "A data package whose actors.csv is UTF-16", "one `unreadable` finding, without the foreign-key "
          "findings it would cause"),
    Tried(f"{_H}::test_no_published_file_holds_a_cell_a_spreadsheet_would_run", "trust",
          "Every CSV file of a built release, exports included", "no cell a spreadsheet would run"),
    Tried(f"{_H}::test_register_with_a_sha256sums_not_in_utf8_exits_2_naming_the_file", "trust",
          "`kachin-events register` given a SHA256SUMS that is not UTF-8", "exit status 2, naming the file"),
]


#: The classes of generated input of tests/test_fuzz.py: name -> what is generated.
FUZZ_CLASSES = {
    "csv-random-bytes": "random bytes named .csv",
    "csv-mutated": "the valid basic events.csv with bytes flipped, inserted (NUL, quotes, line breaks, a BOM, "
                   "broken UTF-8), deleted, duplicated or cut off",
    "csv-encodings": "valid events re-encoded as UTF-16 (with and without BOM, odd length), UTF-32, "
                     "Windows-1252, Latin-1, Shift-JIS, GB18030, KOI8-R, Mac Roman, UTF-7, EBCDIC, Big5",
    "csv-quoting": "records whose cells hold quotes, NULs and line breaks, quoted or not, with LF, CRLF or CR "
                   "line ends",
    "csv-odd-header": "headers of 0 to 700 columns: duplicated, empty, in capitals, spaced, 20,000 "
                      "characters long, formulas; with a BOM or a title above",
    "csv-ragged-grid": "rows of nasty cells (formulas, NUL, 3,000-character cells, dates that do not exist) "
                       "shorter or longer than the header, blank lines, mixed line ends",
    "xlsx-random-bytes": "random bytes named .xlsx",
    "xlsx-mutated-zip": "a valid workbook with bytes of its zip archive flipped, inserted, deleted or cut off",
    "xlsx-truncated": "a valid workbook cut off at any byte",
    "xlsx-random-sheet-xml": "a workbook whose sheet is generated XML: cells at far or invalid places, every "
                             "cell type, formulas, error values, bad entities, shared strings out of range, "
                             "cut off mid-element",
    "xlsx-parts-changed": "a workbook with parts removed, emptied, replaced by random bytes, re-encoded as "
                          "UTF-16, or added (macros, external links, a path outside the archive)",
    "json-random-structure": "any JSON value: nested lists and objects of numbers, text, booleans, null",
    "json-mutated": "the valid JSON submission with bytes flipped, inserted, deleted or cut off",
    "json-deep": "lists or objects nested 1 to 5,000 levels, at the top, in a record or as a table",
    "json-wrong-types": "records whose values are lists, objects, NaN, infinities; records that are not "
                        "objects; tables that are not lists",
    "json-numbers": "NaN, Infinity, 1e400, 5,000-digit numbers, duplicated keys",
    "wrong-extension": "a generated CSV, JSON or workbook saved under another format's extension",
    "submission-folder": "a folder of one to three generated files of any format, validated together",
}


def run_cli(case: Case, folder: Path) -> tuple[int, dict, str]:
    """Write a case's files into ``folder`` and run ``kachin-events validate`` on them.

    Returns the exit status, the JSON report and the name of the case's first file (the
    one its finding is about).

    Raises AssertionError when the run ends in an exception (a traceback).
    """
    from click.testing import CliRunner

    from kachin_events.cli import cli

    files = case.build()
    for name, data in files.items():
        (folder / name).write_bytes(data)
    args = ["validate", *(str(folder / name) for name in files), "--format", "json", "--today", TODAY]
    result = CliRunner(env=case.env).invoke(cli, args)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, json.loads(result.stdout), next(iter(files))


def the_findings(case: Case, doc: dict) -> list[dict]:
    """The findings of a case's rule in a JSON report."""
    return [f for f in doc["errors"] + doc["warnings"] if f["rule"] == case.rule]


def check_case(case: Case, code: int, doc: dict, file: str) -> None:
    """Assert that a run of ``case`` (:func:`run_cli`) gave its outcome; ``file`` is the file it is about."""
    assert code == case.exit_code, (case.id, code, doc["errors"])
    rules = {f["rule"] for f in doc["errors"] + doc["warnings"]}
    assert not rules & set(case.absent), (case.id, rules)
    if case.rule is None:
        return
    found = the_findings(case, doc)
    assert found, (case.id, doc["errors"], doc["warnings"])
    assert file in found[0]["file"], (file, found[0])
    if case.at:
        assert [(f["row"], f["field"]) for f in found] == [case.at], (case.id, found)
    if case.alone:
        assert [f["rule"] for f in doc["errors"]] == [case.rule], (case.id, doc["errors"])
    for word in case.words:
        assert word in found[0]["message"], (case.id, word, found[0]["message"])
