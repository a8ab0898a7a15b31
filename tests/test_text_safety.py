"""Text safety: formula cells, personal data and Unicode NFC, in what is checked and what is written.

The exports' escaping of formula cells is tested on whole exports in tests/test_exports.py;
here are the pieces: the one definition of a formula shared by the validator and the
exports, the ``personal-data`` and ``not-nfc`` warnings, and the writers' NFC.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kachin_events import add_submission, validate
from kachin_events.contrib.canonical import canonical_csv
from kachin_events.contrib.fmt import format_package
from kachin_events.exports.safe import is_formula, safe_expr, spreadsheet_safe
from kachin_events.schema import TABLES, get_schema
from kachin_events.tables import read_tables
from kachin_events.validation.cells import (
    ASAT_DOT_BELOW,
    CELL_CHECKS,
    formula_findings,
    free_text_fields,
    nfc_findings,
    normal_text,
    normal_text_expr,
    personal_data,
    personal_data_findings,
)
from kachin_events.validation.table import RawTable

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "datapackage.json"
NEW_REPORT = ROOT / "tests" / "data" / "valid" / "new_report"
TODAY = dt.date(2026, 11, 22)
PAYLOADS = ['=HYPERLINK("http://example.com","click")', "@SUM(1+1)", "+/- 5", "-x", "\tx", "\r=1"]


def one_cell(table: str, field: str, value: str) -> RawTable:
    """A contributed table of one row with ``value`` in ``field`` (other cells empty)."""
    row = [value if n == field else None for n in get_schema(table).field_names]
    return RawTable(table, rows=[row], files=["t.csv"], lines=[2], checked=[True])


# -- formulas: one definition ----------------------------------------------------------------
@pytest.mark.parametrize("text", PAYLOADS)
def test_formulas_are_escaped(text):
    assert is_formula(text)
    assert spreadsheet_safe(text) == "'" + text


@pytest.mark.parametrize("text", ["-97.5", "+5", "-3", "1e-5", "-", "KE000001", "Bhamo", "", "'=already text"])
def test_numbers_the_none_dash_and_plain_text_stay(text):
    assert not is_formula(text)
    assert spreadsheet_safe(text) == text


_CELL = st.text(alphabet=st.sampled_from("=+-@\t\r0123456789.eE xa'"), max_size=8)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.none(), _CELL), min_size=1, max_size=20))
def test_vectorised_escaping_and_the_validator_agree_with_spreadsheet_safe(cells):
    import polars as pl

    assert pl.DataFrame({"a": cells}, schema={"a": pl.Utf8}).select(safe_expr("a"))["a"].to_list() == \
        [spreadsheet_safe(c) for c in cells]
    # The formula-cell rule refuses exactly what the exports escape.
    raw = RawTable("actor_aliases", rows=[[c, "kia", None] for c in cells], files=["t.csv"] * len(cells),
                   lines=list(range(2, len(cells) + 2)), checked=[True] * len(cells))
    flagged = {f.row for f in formula_findings(raw) if f.field == "alias"}
    assert flagged == {i + 2 for i, c in enumerate(cells) if is_formula(c)}


# -- personal data -------------------------------------------------------------------------
def test_free_text_fields_follow_the_schema_files():
    """Read the JSON files themselves: string fields without enum, pattern or format."""
    for path in sorted((ROOT / "schemas").glob("*.json")):
        desc = json.loads(path.read_text(encoding="utf-8"))
        expected = [f["name"] for f in desc["fields"] if f.get("type", "string") == "string"
                    and not {"enum", "pattern"} & set(f.get("constraints", {}))
                    and f.get("format", "default") == "default"]
        assert free_text_fields(path.stem) == expected, path.name
    assert "notes" in free_text_fields("events") and "claimant" in free_text_fields("event_sources")
    assert "event_id" not in free_text_fields("events") and "url" not in free_text_fields("sources")


FOUND = [
    ("a phone number", "Reached on +95 9 4500 12345 that night", "4500 12345"),
    ("a phone number", "call 09 450 012 345.", "450 012 345"),
    ("a phone number", "call 09-450012345", "450012345"),
    ("a phone number", "ဖုန်း ၀၉၄၅၀၀၁၂၃၄၅ ကို", "၄၅၀၀၁၂၃၄၅"),
    ("a phone number", "office in Bangkok, +66 81 234 5678", "234 5678"),
    ("a phone number", "dial 0095 9 4500 12345", "4500 12345"),
    ("an e-mail address", "wrote from witness.mongnar@example.org", "witness.mongnar"),
    ("an e-mail address", "mailto:aung.aung@mail.example.com", "aung.aung"),
    ("a National Registration Card number", "card 12/OuKaMa(N)123456 was shown", "123456"),
    ("a National Registration Card number", "12/ukm (n) 123456", "123456"),
    ("a National Registration Card number", "ကတ် ၁၂/ဥကမ(နိုင်)၁၂၃၄၅၆", "၁၂၃၄၅၆"),
]


@pytest.mark.parametrize("kind, text, secret", FOUND)
def test_personal_data_is_found_and_masked(kind, text, secret):
    found = personal_data(text)
    assert [k for k, _, _ in found] == [kind]
    (_, _, masked), = found
    assert secret not in masked and "*" in masked
    (finding,) = personal_data_findings(one_cell("events", "notes", text))
    assert (finding.row, finding.field, finding.rule, finding.severity) == (2, "notes", "personal-data", "warning")
    # The report must not publish what it warns about.
    assert secret not in finding.value and secret not in finding.message
    assert masked in finding.message and kind in finding.message
    assert "private people" in finding.message  # the policy


NOT_FOUND = [
    "Fighting from 2026-02-04 to 2026-02-10; 120 killed, 35 wounded, 1,200 displaced (KE000012, KE000013).",
    "Township MMR001010, place MMR001010701, district MMR001D003.",
    "https://www.kachinnews.com/2026/02/04/0945001234567/ and https://medium.com/@kng/report-0912345678",
    "Point 24.25493, 97.23441; +24.25493; figures -3 and +5; 09:30 in the morning; batch 0912345",
    "sha256 0912345678abcdef0912345678abcdef; source kng-2026-02-four-fronts; file kng_2026_02_04.pdf",
    "dates 04/02/2026 and 1/2/2026; @kachinnews on social media; LIB 389 (N) 12 soldiers",
    "+2026-02-04, ၂၀၂၆-၀၂-၀၄",
]


@pytest.mark.parametrize("text", NOT_FOUND)
def test_dates_figures_codes_and_urls_are_not_personal_data(text):
    assert personal_data(text) == []
    assert personal_data_findings(one_cell("events", "notes", text)) == []


_TOKENS = list("0912345 +-()/@.:abNn_") + ["\u1040", "\u1049", "\u1041", "\u1014", "\u00a0", "\t", "http://", ".org",
                                          "2026-02-04", "09", "+95", "4500", "12345", "a@b", "12/ab(n)", "\u1041\u1042"]
_NOISY = st.lists(st.sampled_from(_TOKENS), max_size=25).map("".join)


@settings(max_examples=400, deadline=None)
@given(st.lists(_NOISY, min_size=1, max_size=10))
def test_the_vectorised_search_and_the_exact_one_agree(texts):
    """polars' regex engine has no look-around, so the column search is written otherwise: same cells."""
    import polars as pl

    from kachin_events.validation.cells import NOT_PERSONAL, PERSONAL_DATA, _pattern

    anything = "|".join(f"(?:{_pattern(core, 'polars')})" for core in PERSONAL_DATA.values())
    col = pl.col("a").str.replace_all(NOT_PERSONAL, " ")
    hits = pl.DataFrame({"a": texts}).select(col.str.contains(anything))["a"].to_list()
    assert hits == [bool(personal_data(t)) for t in texts]


def test_personal_data_is_looked_for_in_free_text_only():
    # A claimant is free text; an id with a pattern is not (its own rule speaks for it).
    assert personal_data_findings(one_cell("event_sources", "claimant", "a witness, 09 450 012 345"))
    assert not personal_data_findings(one_cell("event_sources", "claimant_id", "a witness, 09 450 012 345"))


def test_repository_data_holds_no_personal_data():
    tables = read_tables(PACKAGE)
    cells = [v for t in TABLES for f in free_text_fields(t) for v in tables[t][f].drop_nulls().to_list()]
    assert len(cells) > 1000
    assert [c for c in cells if personal_data(c)] == []
    report = validate(PACKAGE, today=TODAY)
    assert report.valid
    assert not [f for f in report.findings if f.rule in ("personal-data", "not-nfc")], report.to_text()


def test_a_submission_with_a_phone_number_is_valid_with_a_warning(tmp_path):
    folder = tmp_path / "sub"
    shutil.copytree(NEW_REPORT, folder)
    events = folder / "events.csv"
    text = events.read_text(encoding="utf-8")
    events.write_text(text.replace("written for the validator's tests.", "a resident, reached on 09 450 012 345."),
                      encoding="utf-8")
    report = validate(folder, today=TODAY, reference=PACKAGE)
    assert report.valid and report.exit_code == 0, report.to_text()
    (finding,) = [f for f in report.warnings if f.rule == "personal-data"]
    assert (Path(finding.file).name, finding.row, finding.field) == ("events.csv", 2, "notes")
    assert "450 012 345" not in report.to_text()


# -- NFC -------------------------------------------------------------------------------------
def test_decomposed_latin_is_not_nfc_and_named():
    decomposed = "Mong Nar cafe\u0301"
    assert unicodedata.normalize("NFC", decomposed) != decomposed
    (finding,) = nfc_findings(one_cell("events", "location", decomposed))
    assert (finding.field, finding.rule, finding.severity) == ("location", "not-nfc", "warning")
    assert "U+0301 COMBINING ACUTE ACCENT" in finding.message and "U+00E9" in finding.message
    assert nfc_findings(one_cell("events", "location", unicodedata.normalize("NFC", decomposed))) == []


def test_nfc_would_swap_asat_and_dot_below_and_the_normal_form_does_not():
    typed = "\u1014\u1019\u103a\u1037"  # as typed and as MIMU writes it: asat, then dot below
    assert unicodedata.normalize("NFC", typed) != typed  # the slip in the standard
    for text in (typed, unicodedata.normalize("NFC", typed)):
        assert normal_text(text) == text
        assert nfc_findings(one_cell("locations", "name_mmr", text)) == []


def test_the_normal_form_does_not_change_the_repositorys_burmese():
    tables = read_tables(PACKAGE)
    burmese = [v for t in TABLES for f in get_schema(t).fields if f.type == "string"
               for v in tables[t][f.name].drop_nulls().cast(str).to_list() if re.search("[\u1000-\u109f]", v)]
    assert len(burmese) > 100
    assert [v for v in burmese if normal_text(v) != v] == []


_TEXT = st.text(alphabet=st.sampled_from(["e", "a", "\u0301", "\u0308", "\u00e9", "\u212b", "A", "\u030a",
                                          "\u1014", "\u1019", "\u103a", "\u1037", "\u1038", "\ufdd0", " "]),
                max_size=12)


@settings(max_examples=300, deadline=None)
@given(st.lists(_TEXT, min_size=1, max_size=10))
def test_normal_form_is_nfc_up_to_the_pair_and_polars_agrees(texts):
    import polars as pl

    assert pl.DataFrame({"a": texts}).select(normal_text_expr(pl.col("a")))["a"].to_list() == \
        [normal_text(t) for t in texts]
    for t in texts:
        n = normal_text(t)
        assert normal_text(n) == n  # idempotent
        assert unicodedata.normalize("NFC", n) == unicodedata.normalize("NFC", t)  # the same text
        if ASAT_DOT_BELOW not in t:
            assert n == unicodedata.normalize("NFC", t)


def test_writers_write_nfc():
    rows = [{"alias": "Cafe\u0301", "actor_id": "kia", "note": "re\u0301sume\u0301"}]
    text = canonical_csv("actor_aliases", rows)
    assert "Café" in text and "résumé" in text and "\u0301" not in text


def test_fmt_composes_decomposed_text_and_says_why(tmp_path):
    root = tmp_path / "repo"
    root.mkdir()
    shutil.copy(PACKAGE, root / "datapackage.json")
    shutil.copytree(ROOT / "data", root / "data")
    path = next((root / "data" / "reports").glob("*/events.csv"))
    original = path.read_text(encoding="utf-8")
    decomposed = original.replace("Bhamo", "Bha\u0300mo", 1) if "Bhamo" in original else None
    assert decomposed and decomposed != original
    path.write_text(decomposed, encoding="utf-8")
    result = format_package(root / "datapackage.json", check=True)
    (change,) = result.files
    assert any("NFC" in r for r in change.reasons), change.reasons
    format_package(root / "datapackage.json")
    assert path.read_text(encoding="utf-8") == unicodedata.normalize("NFC", decomposed)
    report = validate(root / "datapackage.json", today=TODAY)
    assert not [f for f in report.findings if f.rule == "not-nfc"]


def test_add_writes_nfc(tmp_path, monkeypatch):
    repo = tmp_path / "repo"
    repo.mkdir()
    shutil.copy(PACKAGE, repo / "datapackage.json")
    shutil.copytree(ROOT / "data", repo / "data")
    sub = tmp_path / "sub"
    shutil.copytree(NEW_REPORT, sub)
    events = sub / "events.csv"
    text = events.read_text(encoding="utf-8")
    events.write_text(text.replace("a clash at Mong Nar", "a clash at Mong Nar cafe\u0301"), encoding="utf-8")
    monkeypatch.chdir(repo)
    before = validate(sub, today=TODAY, reference=repo / "datapackage.json")
    assert "not-nfc" in {f.rule for f in before.warnings}
    result = add_submission(sub, today=TODAY)
    assert result.valid and result.written, result.to_text()
    written = [p for p in (repo / "data" / "reports").glob("*/events.csv") if "café" in p.read_text(encoding="utf-8")]
    assert len(written) == 1 and "\u0301" not in written[0].read_text(encoding="utf-8")


def test_every_cell_check_runs_in_validate():
    """The checks the validator runs are the ones cells.py lists (the new ones included)."""
    names = {c.__name__ for c in CELL_CHECKS}
    assert {"personal_data_findings", "nfc_findings", "formula_findings"} <= names
    report = validate(ROOT / "tests" / "data" / "warning" / "not-nfc__decomposed_accent", today=TODAY,
                      reference=PACKAGE)
    assert "not-nfc" in {f.rule for f in report.warnings}
