"""Checks of single text cells that no Table Schema constraint can state.

Formulas, invisible characters, Burmese in the Zawgyi encoding, personal data and text
not in Unicode NFC, in contributed rows. Every check is a function of one
:class:`~kachin_events.validation.table.RawTable` returning findings; :data:`CELL_CHECKS`
lists them all, in the order they run.

A cell that begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is run
as a formula by spreadsheet programs that open the published CSV files (CSV or formula
injection); a number such as ``-3`` is not text and is left alone, and neither is a lone
``-`` (what ``event_tags.detail`` holds when a tag needs no detail). What counts as a
formula is defined once, in :mod:`kachin_events.exports.safe`, whose escaping the
exports use: the release's tables rely on this rule instead (they are the data itself).
"""

from __future__ import annotations

import re

from ..exports.safe import FORMULA_START, NUMBER as _NUMBER
from ..schema import get_schema
from .findings import ERROR, WARNING, Finding
from .table import CHECKED, FILE, LINE, RawTable


def formula_findings(raw: RawTable) -> list[Finding]:
    """A ``formula-cell`` finding for every contributed text cell a spreadsheet would run.

    Examples
    --------
    >>> raw = RawTable("actor_aliases", rows=[["=HYPERLINK(1)", "kia", "-3"], ["KIA", "kia", "- ok"]],
    ...                files=["a.csv"] * 2, lines=[2, 3], checked=[True, True])
    >>> [(f.row, f.field) for f in formula_findings(raw)]
    [(2, 'alias'), (3, 'note')]
    """
    out = []
    for file, line, name, value in _text_cells(
            raw, lambda col: col.str.contains(FORMULA_START) & ~col.str.contains(_NUMBER)):
        msg = (f"begins with {value[:1]!r}, so a spreadsheet opening the published file would run it as a "
               "formula; rewrite the start of the text (for a list, write it as a sentence; for a link, "
               "give the address alone in the url column)")
        out.append(Finding(file, line, name, value, "formula-cell", ERROR, msg))
    return out


#: Characters a reader cannot see: zero-width spaces and joiners, direction marks and
#: overrides, the byte-order mark, and control characters other than tab and line breaks.
INVISIBLE = ("[\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff"
             "\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
#: Zawgyi probability (myanmartools) from which Burmese text is taken to be Zawgyi.
#: Sentences score near 0 (Unicode) or near 1 (Zawgyi); short words are less certain,
#: and a few of MIMU's Unicode place names score above 0.95, so the bar is higher
#: (tests/test_hostile_input.py checks it against the gazetteer and Zawgyi samples).
ZAWGYI_THRESHOLD = 0.99
_MYANMAR = "[\u1000-\u109f]"


def _text_cells(raw: RawTable, pattern, only: str | None = None):
    """(file, line, field, value) of contributed text cells matching ``pattern``, field by field.

    ``pattern`` is a regular expression, or a function of a column (a polars
    expression) giving True where a cell is a hit. With ``only`` (a regular
    expression), the cells that do not match it are left out first: a costly test runs
    on the few rows it can concern (the non-ASCII ones for NFC, say).
    """
    import polars as pl

    if not len(raw) or not raw.any_checked():
        return
    names = [f.name for f in get_schema(raw.table).fields if f.type == "string" and f.name in raw.fields]
    if not names:
        return
    # One query over every text column (polars runs the columns in parallel), not one per
    # column; the hits are few, and only they come back to Python.
    rows = raw.frame.lazy().filter(pl.col(CHECKED)).select(FILE, LINE, *names)
    if only:
        rows = rows.filter(pl.any_horizontal([pl.col(n).str.contains(only) for n in names]))
    flags = []
    for i, name in enumerate(names):
        col = pl.col(name)
        hit = pattern(col) if callable(pattern) else col.str.contains(pattern)
        if only:
            hit = hit & col.str.contains(only)
        flags.append(hit.fill_null(False).alias(f"\x00hit{i}"))
    hits = rows.with_columns(flags).filter(pl.any_horizontal([f.meta.output_name() for f in flags])).collect()
    for i, name in enumerate(names):
        for file, line, value in hits.filter(pl.col(f"\x00hit{i}")).select(FILE, LINE, name).iter_rows():
            yield file, line, name, value


def invisible_findings(raw: RawTable) -> list[Finding]:
    """An ``invisible-character`` warning for every contributed text cell holding one.

    Examples
    --------
    >>> raw = RawTable("actor_aliases", rows=[["K\\u200bIA", "kia", None]], files=["a.csv"], lines=[2], checked=[True])
    >>> [(f.field, f.rule) for f in invisible_findings(raw)]
    [('alias', 'invisible-character')]
    """
    import re
    import unicodedata

    out = []
    for file, line, field, value in _text_cells(raw, INVISIBLE):
        chars = sorted({c for c in re.findall(INVISIBLE, value)})
        names = ", ".join(f"U+{ord(c):04X} {unicodedata.name(c, 'control character')}" for c in chars)
        msg = (f"holds characters a reader cannot see ({names}); delete them (retype the text, or paste it "
               "as plain text)")
        shown = re.sub(INVISIBLE, lambda m: f"<U+{ord(m.group()):04X}>", value)  # visible where it is
        out.append(Finding(file, line, field, shown, "invisible-character", WARNING, msg))
    return out


def zawgyi_findings(raw: RawTable) -> list[Finding]:
    """A ``zawgyi`` error for every contributed Burmese text cell typed in the Zawgyi encoding.

    Zawgyi reuses the Myanmar Unicode code points for other letters: the text displays
    right only in the Zawgyi font, and searches and sorting get it wrong. Each distinct
    value is scored once (myanmartools).

    Examples
    --------
    >>> raw = RawTable("actor_aliases", rows=[["\\u1017\\u1014\\u1039\\u1038\\u1031\\u1019\\u102c\\u1039", "kia", None]],
    ...                files=["a.csv"], lines=[2], checked=[True])
    >>> [(f.field, f.rule) for f in zawgyi_findings(raw)]
    [('alias', 'zawgyi')]
    """
    cells = list(_text_cells(raw, _MYANMAR))
    if not cells:
        return []
    import warnings

    with warnings.catch_warnings():
        # myanmartools 1.2 loads its model with a deprecated importlib.resources call.
        warnings.simplefilter("ignore", DeprecationWarning)
        from myanmartools import ZawgyiDetector

        detector = ZawgyiDetector()
    score = {v: detector.get_zawgyi_probability(v) for v in {c[3] for c in cells}}
    msg = ("is Burmese typed in the Zawgyi encoding, not Unicode; convert it to Unicode (for example with "
           "Rabbit or the Parabaik converter, or retype it with a Unicode keyboard) and paste it back")
    return [Finding(file, line, field, value, "zawgyi", ERROR, msg)
            for file, line, field, value in cells if score[value] >= ZAWGYI_THRESHOLD]


# -- personal data -------------------------------------------------------------------------

_DIGIT = "[0-9\u1040-\u1049]"  # Latin or Burmese digits
_LETTER = "[A-Za-z\u1000-\u103f\u1050-\u109f]"  # Latin or Myanmar letters and signs
_WORD = "0-9\u1040-\u1049A-Za-z_"
# Spaces spelled out rather than \s, whose meaning differs between polars' and Python's regex engines.
_SPACE = "[ \u00a0]"
_GAP = "[ \u00a0()-]{0,2}"  # what people put between the digits of a phone number
#: What each kind of personal data looks like (the match without its edges; see _pattern).
PERSONAL_DATA: dict[str, str] = {
    # +95 9 123 456 789, 0095..., +66 81 234 5678 (7 to 14 digits after the country's
    # first digit), and Myanmar's mobile numbers 09 123 456 789 (7 to 9 digits after 09).
    "a phone number": rf"(?:(?:\+|00){_SPACE}?[1-9\u1041-\u1049](?:{_GAP}{_DIGIT}){{6,13}}"
                      rf"|[0\u1040][9\u1049](?:{_GAP}{_DIGIT}){{7,9}})",
    "an e-mail address": r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}",
    # A National Registration Card number: 12/OuKaMa(N)123456, 12/ukm(n)123456, or in
    # Burmese ၁၂/ဥကမ(နိုင်)၁၂၃၄၅၆: state, township, citizenship, six digits.
    "a National Registration Card number": rf"{_DIGIT}{{1,2}}{_SPACE}?/{_SPACE}?{_LETTER}{{2,12}}{_SPACE}?\("
                                           rf"{_SPACE}?{_LETTER}{{1,12}}{_SPACE}?\){_SPACE}?{_DIGIT}{{5,6}}",
}
#: Left out before looking: web addresses and ISO dates, whose digits and @ are not personal data.
NOT_PERSONAL = r"(?:[A-Za-z][A-Za-z0-9+.-]*://|www\.)[^ \t\r\n\u00a0]*|[0-9]{4}-[0-9]{2}-[0-9]{2}"
#: What the warning says the policy is.
PERSONAL_DATA_POLICY = ("the dataset publishes no contact details or identity card numbers of private people "
                        "(victims, witnesses, sources); remove it and describe the person by role (for example "
                        "'a resident' or 'a local source'), as the contributor guide's policy on people says")


def _pattern(core: str, engine: str) -> str:
    """``core`` with word edges: consumed characters for polars (its regex engine has no
    look-around), look-around for Python's ``re``; both match the same cells."""
    if engine == "polars":
        return rf"(?:^|[^{_WORD}])(?:{core})(?:$|[^{_WORD}])"
    return rf"(?<![{_WORD}])(?:{core})(?![{_WORD}])"


def free_text_fields(table: str) -> list[str]:
    """The table's free-text fields: strings without allowed values, a pattern or a format.

    Examples
    --------
    >>> free_text_fields("event_sources")
    ['claimant']
    >>> "notes" in free_text_fields("events") and "event_id" not in free_text_fields("events")
    True
    """
    return [f.name for f in get_schema(table).fields
            if f.type == "string" and not f.enum and "pattern" not in f.constraints
            and f.format in (None, "default")]


def _mask(kind: str, text: str) -> str:
    """The found text with most of it hidden, so a report does not publish it again."""
    if kind == "an e-mail address":
        local, _, domain = text.partition("@")
        return f"{local[:1]}***@{domain}"
    digits = [i for i, c in enumerate(text) if re.match(_DIGIT, c)]
    if kind == "a phone number":
        hide = set(digits[2:-2])
    else:  # the card's own number: every digit after the brackets
        hide = {i for i in digits if i > text.rfind(")")}
    return "".join("*" if i in hide else c for i, c in enumerate(text))


def personal_data(text: str) -> list[tuple[str, str, str]]:
    """Every phone number, e-mail address and NRC number in ``text``: (kind, found, masked).

    Web addresses are skipped; dates, figures, P-codes and ids are not matched.

    Examples
    --------
    >>> personal_data("Call 09 123 456 789 or write to aung@example.org")
    [('a phone number', '09 123 456 789', '09 *** *** *89'), ('an e-mail address', 'aung@example.org', 'a***@example.org')]
    >>> personal_data("12/OuKaMa(N)123456")
    [('a National Registration Card number', '12/OuKaMa(N)123456', '12/OuKaMa(N)******')]
    >>> personal_data("On 2026-02-04 at MMR001010 (KE000012), 120 killed; https://x.org/0912345678")
    []
    """
    text = re.sub(NOT_PERSONAL, " ", text)
    out = []
    for kind, core in PERSONAL_DATA.items():
        for m in re.finditer(_pattern(core, "python"), text):
            out.append((kind, m.group(), _mask(kind, m.group())))
    return out


def personal_data_findings(raw: RawTable) -> list[Finding]:
    """A ``personal-data`` warning for every contributed free-text cell holding personal data.

    Phone numbers, e-mail addresses and National Registration Card numbers in the
    fields :func:`free_text_fields` names; the finding shows the cell with them masked.

    Examples
    --------
    >>> raw = RawTable("actor_aliases", rows=[["KIA", "kia", "press: +95 9 4500 12345"], ["KIA", "kia", "2026-02-04"]],
    ...                files=["a.csv"] * 2, lines=[2, 3], checked=[True, True])
    >>> [(f.row, f.field, f.value) for f in personal_data_findings(raw)]
    [(2, 'note', 'press: +95 * **** ***45')]
    """
    import polars as pl

    if not len(raw) or not raw.any_checked():
        return []
    frame = raw.frame
    anything = "|".join(f"(?:{_pattern(core, 'polars')})" for core in PERSONAL_DATA.values())
    out = []
    for name in free_text_fields(raw.table):
        col = pl.col(name).str.replace_all(NOT_PERSONAL, " ")
        hits = frame.filter(pl.col(CHECKED) & col.str.contains(anything))
        for file, line, value in hits.select(FILE, LINE, name).iter_rows():
            found = personal_data(value)
            if not found:
                continue
            shown = value
            for _, text, masked in found:
                shown = shown.replace(text, masked)
            what = " and ".join(f"{kind} ({masked})" for kind, _, masked in found)
            msg = f"holds {what}; {PERSONAL_DATA_POLICY}"
            out.append(Finding(file, line, name, shown, "personal-data", WARNING, msg))
    return out


# -- Unicode normalisation -----------------------------------------------------------------

#: The Myanmar asat (U+103A) then dot below (U+1037): the order Burmese is typed in and
#: MIMU's gazetteer mostly writes. NFC swaps the two (a slip in the standard's combining
#: classes; SIL's "Representing Myanmar in Unicode" advises handling both orders), which
#: would change valid Burmese in the repository's data, so the normal form keeps them as
#: written.
ASAT_DOT_BELOW = "\u103a\u1037"
#: A noncharacter (reserved for a program's internal use) that holds the pair's place.
_HOLD = "\ufdd0"


def normal_text(text):
    """``text`` in the form the repository's files are written in: Unicode NFC, except
    that an asat and a dot below keep the order they are written in (:data:`ASAT_DOT_BELOW`).

    Examples
    --------
    >>> normal_text("Cafe\u0301"), normal_text(None)
    ('Café', None)
    >>> typed, nfc = "\u1014\u103a\u1037", "\u1014\u1037\u103a"  # both spellings of Burmese stay as written
    >>> normal_text(typed) == typed and normal_text(nfc) == nfc
    True
    """
    import unicodedata

    if not isinstance(text, str) or text.isascii():
        return text
    if _HOLD in text:  # never in real text; NFC alone then
        return unicodedata.normalize("NFC", text)
    return unicodedata.normalize("NFC", text.replace(ASAT_DOT_BELOW, _HOLD)).replace(_HOLD, ASAT_DOT_BELOW)


def normal_text_expr(expr):
    """:func:`normal_text` as a polars expression on a text column."""
    import polars as pl

    held = (expr.str.replace_all(ASAT_DOT_BELOW, _HOLD, literal=True).str.normalize("NFC")
            .str.replace_all(_HOLD, ASAT_DOT_BELOW, literal=True))
    return pl.when(expr.str.contains(_HOLD, literal=True)).then(expr.str.normalize("NFC")).otherwise(held)


def _not_nfc_parts(value: str) -> list[tuple[str, str]]:
    """(as written, in NFC) for each character and its marks that NFC writes otherwise."""
    import unicodedata

    clusters, current = [], ""
    for c in value:
        if current and unicodedata.combining(c) == 0:
            clusters.append(current)
            current = ""
        current += c
    clusters.append(current)
    parts = [(c, normal_text(c)) for c in clusters if normal_text(c) != c]
    # Characters that compose across clusters (Hangul jamo): name the whole text.
    return list(dict.fromkeys(parts)) or [(value, normal_text(value))]


def _spell(text: str) -> str:
    import unicodedata

    return " + ".join(f"U+{ord(c):04X} {unicodedata.name(c, '')}".rstrip() for c in text)


def nfc_findings(raw: RawTable) -> list[Finding]:
    """A ``not-nfc`` warning for every contributed text cell not in Unicode NFC.

    Decomposed letters (``e`` and a combining acute accent for ``é``) look the same as
    composed ones but are other characters to searches, sorting and joins. The
    Myanmar asat and dot below may come in either order (:data:`ASAT_DOT_BELOW`): what
    is flagged is exactly what :func:`normal_text` would change.

    Examples
    --------
    >>> raw = RawTable("actor_aliases", rows=[["Cafe\u0301", "kia", None], ["Caf\u00e9", "kia", None]],
    ...                files=["a.csv"] * 2, lines=[2, 3], checked=[True, True])
    >>> [(f.row, f.field) for f in nfc_findings(raw)]
    [(2, 'alias')]
    """
    out = []
    for file, line, name, value in _text_cells(raw, lambda col: normal_text_expr(col) != col, r"[^\x00-\x7f]"):
        parts = "; ".join(f"'{a}' ({_spell(a)}) is '{b}' ({_spell(b)}) in NFC" for a, b in _not_nfc_parts(value))
        msg = (f"is not in Unicode NFC: {parts}. It looks the same but searches and joins treat it as other "
               "text; nothing to retype: `kachin-events add` and `kachin-events fmt` write it in NFC")
        out.append(Finding(file, line, name, value, "not-nfc", WARNING, msg))
    return out


#: Every check of single cells, in the order they run (kachin_events.validation.api runs them all).
CELL_CHECKS = (formula_findings, invisible_findings, zawgyi_findings, personal_data_findings, nfc_findings)


def cell_findings(raw: RawTable) -> list[Finding]:
    """The findings of every check in :data:`CELL_CHECKS` on one table."""
    return [f for check in CELL_CHECKS for f in check(raw)]
