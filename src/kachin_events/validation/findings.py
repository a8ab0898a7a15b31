"""Findings and the validation report, and the ways of printing one.

A :class:`Finding` says where (file, row as a person sees it, field), what (value,
rule id, severity) and how to fix it (the message). A :class:`Report` holds all the
findings of one run, so a contributor sees every problem at once.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field

ERROR = "error"
WARNING = "warning"


def _loose(text) -> str:
    return re.sub(r"[\W_]+", "", str(text)).casefold()


def did_you_mean(value, choices, cutoff: float = 0.6) -> str | None:
    """The choice a mistyped ``value`` most likely means, or None.

    Case, spaces and punctuation are ignored first (``event source`` is
    ``event_source``); otherwise the closest choice by :mod:`difflib`, if close enough.

    Examples
    --------
    >>> did_you_mean("Battle", ["Battles", "Riots", "Protests"])
    'Battles'
    >>> did_you_mean("airstrike", ["Armed clash", "Air/drone strike", "Attack"])
    'Air/drone strike'
    >>> did_you_mean("Event ID", ["event_id", "date_start"])
    'event_id'
    >>> did_you_mean("zzz", ["Battles", "Riots"]) is None
    True
    """
    import difflib

    if value is None:
        return None
    choices = [str(c) for c in choices]
    key = _loose(value)
    for c in choices:
        if _loose(c) == key:
            return c
    loose = {}
    for c in choices:
        loose.setdefault(_loose(c), c)
    close = difflib.get_close_matches(key, list(loose), n=1, cutoff=cutoff) if key else []
    return loose[close[0]] if close else None


@dataclass(frozen=True, order=True)
class Finding:
    """One problem found in the data.

    Attributes
    ----------
    file : str
        The file, as given by the user or relative to the package.
    row : int or None
        The row as a person sees it: a CSV's line number (the header is line 1), a
        spreadsheet's row number, or a JSON record's position (from 1). None for a
        finding about the whole file.
    field : str or None
        The column, when the finding is about one.
    value : str or None
        The offending value, as written in the file.
    rule : str
        The rule id (see :mod:`kachin_events.rules`).
    severity : str
        ``"error"`` (the data is invalid) or ``"warning"`` (worth a look).
    message : str
        What is wrong and how to fix it.
    """

    file: str
    row: int | None
    field: str | None
    value: str | None
    rule: str
    severity: str
    message: str

    def sort_key(self, columns: dict | None = None) -> tuple:
        """File, row, then the field's position in its table (``columns`` maps a file
        to its table's field names; without it, fields sort by name), then rule.

        Examples
        --------
        >>> a = Finding("e.csv", 2, "notes", None, "required", "error", "...")
        >>> b = Finding("e.csv", 2, "date_end", None, "type", "error", "...")
        >>> [f.field for f in sorted([a, b], key=lambda f: f.sort_key({"e.csv": ["date_end", "notes"]}))]
        ['date_end', 'notes']
        >>> [f.field for f in sorted([a, b], key=lambda f: f.sort_key({"e.csv": ["notes", "date_end"]}))]
        ['notes', 'date_end']
        """
        order = (columns or {}).get(self.file)
        if self.field is None:
            pos = -1  # about the whole row or file: first
        elif order and self.field in order:
            pos = order.index(self.field)
        else:
            pos = len(order) if order else 0
        return (self.file, self.row or 0, pos, self.field or "", self.rule, self.message)

    def says_value(self) -> bool:
        """Whether the message already quotes the value (then it is not printed twice)."""
        return self.value is not None and repr(self.value) in self.message

    def location(self) -> str:
        where = self.file
        if self.row is not None:
            where += f":{self.row}"
        return where


@dataclass
class Report:
    """The result of one validation run.

    Examples
    --------
    >>> r = Report()
    >>> r.valid
    True
    >>> r.add(Finding("e.csv", 3, "date_end", "2020-01-01", "date-order", "error", "ends before it starts"))
    >>> r.valid, r.exit_code
    (False, 1)
    """

    findings: list[Finding] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    #: Set when a file could not be read at all (exit status 2).
    unreadable: bool = False
    #: file -> its table's field names, so that findings sort in column order.
    columns: dict = field(default_factory=dict, repr=False)
    #: One-line remarks about the run itself (a check skipped, and why).
    notes: list = field(default_factory=list)
    #: The tables checked (``validate(..., keep_tables=True)``): table -> RawTable.
    tables: dict | None = field(default=None, repr=False, compare=False)

    def add(self, finding: Finding) -> None:
        self.findings.append(finding)

    def extend(self, findings) -> None:
        self.findings.extend(findings)

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == ERROR]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == WARNING]

    @property
    def valid(self) -> bool:
        """True when there is no error (warnings are allowed)."""
        return not self.errors and not self.unreadable

    @property
    def exit_code(self) -> int:
        """0 valid, 1 invalid data, 2 an unreadable file."""
        if self.unreadable:
            return 2
        return 0 if self.valid else 1

    def finish(self) -> Report:
        """Drop exact duplicates (both engines may report one cell) and sort."""
        seen = {}
        for f in self.findings:
            seen.setdefault((f.file, f.row, f.field, f.rule), f)
        self.findings = sorted(seen.values(), key=lambda f: f.sort_key(self.columns))
        return self

    def rules_hit(self) -> set[str]:
        return {f.rule for f in self.findings}

    # -- output -----------------------------------------------------------------
    def to_dict(self) -> dict:
        """The report as plain data: errors and warnings apart, with counts.

        Examples
        --------
        >>> r = Report(files=["e.csv"])
        >>> r.add(Finding("e.csv", 3, "date_end", "2020-01-01", "date-order", "error", "ends before it starts"))
        >>> d = r.to_dict()
        >>> d["valid"], d["exit_code"], d["unreadable"], d["counts"]
        (False, 1, False, {'errors': 1, 'warnings': 0, 'files': 1})
        >>> d["errors"][0]["rule"], d["warnings"], d["files"]
        ('date-order', [], ['e.csv'])
        """
        errors, warnings = self.errors, self.warnings
        return {
            "valid": self.valid,
            "exit_code": self.exit_code,
            "unreadable": self.unreadable,
            "counts": {"errors": len(errors), "warnings": len(warnings), "files": len(self.files)},
            "errors": [asdict(f) for f in errors],
            "warnings": [asdict(f) for f in warnings],
            "files": list(self.files),
            "notes": list(self.notes),
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False)

    def to_text(self) -> str:
        lines = []
        for f in self.findings:
            col = f" [{f.field}]" if f.field else ""
            val = f" value {f.value!r}" if f.value not in (None, "") and not f.says_value() else ""
            lines.append(f"{f.location()}:{col} {f.severity} {f.rule}:{val} {f.message}")
        n_err, n_warn = len(self.errors), len(self.warnings)
        files = len(self.files)
        status = "valid" if self.valid else "INVALID"
        lines += [f"note: {n}" for n in self.notes]
        lines.append(
            f"{status}: {n_err} error{'s' * (n_err != 1)}, {n_warn} warning{'s' * (n_warn != 1)}"
            f" in {files} file{'s' * (files != 1)} checked"
        )
        return "\n".join(lines)

    def _ordered(self) -> list[Finding]:
        """Errors first (unreadable files first of all), then warnings; stable otherwise."""
        return sorted(self.findings, key=lambda f: (f.severity != ERROR, f.rule != "unreadable"))

    def to_markdown(self, max_rows: int = 200, docs_url: str | None = None) -> str:
        r"""A markdown report for a GitHub job summary or a pull-request comment.

        A heading with the verdict, the counts, then one table row per finding (errors
        first), at most ``max_rows`` of them, and a folded section that says, for each
        rule named, what it checks and how to fix a finding (from the rule registry).

        Parameters
        ----------
        max_rows : int
            The most findings shown in the table; the rest are counted.
        docs_url : str, optional
            The documentation's base URL: each rule id then links to its entry in the
            contributor guide (``<docs_url>/contributing/#rule-<id>``). Without it the
            rule id is shown plain.

        Examples
        --------
        >>> r = Report(files=["e.csv"])
        >>> r.add(Finding("e.csv", 3, "date_end", "2020|01", "date-order", "error", "ends before it starts"))
        >>> md = r.to_markdown(docs_url="https://example.org/docs/")
        >>> md.splitlines()[0]
        '## Validation: ❌ invalid'
        >>> print(md.splitlines()[6].replace("https://example.org/docs", "DOCS"))
        | e.csv | 3 | `date_end` | 2020\|01 | ❌ [`date-order`](DOCS/contributing/#rule-date-order) | ends before it starts |
        >>> print(Report(files=["e.csv"]).to_markdown())
        ## Validation: ✅ valid
        <BLANKLINE>
        **0** errors, **0** warnings in **1** file checked.
        <BLANKLINE>
        No findings.
        """
        n_err, n_warn, n_files = len(self.errors), len(self.warnings), len(self.files)
        verdict = "✅ valid" if self.valid else "❌ invalid"
        lines = [
            f"## Validation: {verdict}",
            "",
            f"**{n_err}** error{'s' * (n_err != 1)}, **{n_warn}** warning{'s' * (n_warn != 1)}"
            f" in **{n_files}** file{'s' * (n_files != 1)} checked.",
            "",
        ]
        lines += [f"> Note: {n}\n" for n in self.notes]
        if not self.findings:
            lines.append("No findings.")
            return "\n".join(lines)
        lines += ["| File | Row | Field | Value | Rule | Fix |", "|---|---|---|---|---|---|"]
        ordered = self._ordered()
        for f in ordered[: max(max_rows, 0)]:
            rule = f"`{f.rule}`"
            if docs_url:
                rule = f"[{rule}]({docs_url.rstrip('/')}/contributing/#rule-{f.rule})"
            mark = "❌" if f.severity == ERROR else "⚠️"
            cells = [
                _md_cell(f.file),
                "" if f.row is None else str(f.row),
                f"`{_md_cell(f.field)}`" if f.field else "",
                _md_cell(f.value),
                f"{mark} {rule}",
                _md_cell(f.message),
            ]
            lines.append("| " + " | ".join(cells) + " |")
        hidden = len(ordered) - max(max_rows, 0)
        if hidden > 0:
            lines += ["", f"{hidden} more finding{'s' * (hidden != 1)} not shown; "
                      "run `kachin-events validate` locally for all."]
        return "\n".join(lines + _md_rules(ordered, docs_url))

    def to_github(self, per_level: int = 9) -> str:
        """GitHub Actions workflow commands: one annotation per finding, within GitHub's limits.

        GitHub shows at most 10 error and 10 warning annotations per step, so at most
        ``per_level`` of each are written (errors first, unreadable files first of
        all), then one annotation counting the findings left out. A finding in a
        workbook sheet (``report.xlsx[events]``) or a JSON key is annotated on the file
        itself, with the sheet and row in the message and no line number.

        Examples
        --------
        >>> r = Report(files=["report.xlsx"])
        >>> r.add(Finding("report.xlsx[events]", 3, "date_end", None, "date-order", "error", "ends before it starts"))
        >>> print(r.to_github())
        ::error file=report.xlsx,title=date-order date_end::sheet events, row 3: ends before it starts
        INVALID: 1 error, 0 warnings in 1 file checked
        """
        out = []
        ordered = self._ordered()
        errors = [f for f in ordered if f.severity == ERROR]
        warnings = [f for f in ordered if f.severity != ERROR]
        shown = errors[:per_level] + warnings[:per_level]
        for f in shown:
            out.append(_gh_annotation(f))
        cut_err, cut_warn = len(errors) - len(errors[:per_level]), len(warnings) - len(warnings[:per_level])
        if cut_err or cut_warn:
            level = "error" if cut_err else "warning"
            n = cut_err + cut_warn
            msg = (f"{n} more finding{'s' * (n != 1)} {'are' if n != 1 else 'is'} not annotated; the full report "
                   "is in the job summary (kachin-events validate --format markdown)")
            out.append(f"::{level}::{_gh_escape_data(msg)}")
        out.append(self.to_text().splitlines()[-1])
        return "\n".join(out)


_PART = re.compile(r"^(?P<file>.+\.(?P<ext>xlsx|xlsm|json))\[(?P<part>[^\]]*)\]$", re.IGNORECASE)


def _gh_annotation(f: Finding) -> str:
    level = "error" if f.severity == ERROR else "warning"
    text = f.message
    m = _PART.match(f.file)
    if m:
        # A line number means nothing in a workbook (or a JSON record): say sheet and row instead.
        kind, unit = ("key", "record") if m["ext"].lower() == "json" else ("sheet", "row")
        where = f"{kind} {m['part']}" + (f", {unit} {f.row}" if f.row is not None else "")
        text = f"{where}: {text}"
        props = [f"file={_gh_escape_prop(m['file'])}"]
    elif f.file.lower().endswith((".xlsx", ".xlsm", ".json")):
        unit = "record" if f.file.lower().endswith(".json") else "row"
        text = f"{unit} {f.row}: {text}" if f.row is not None else text
        props = [f"file={_gh_escape_prop(f.file)}"]
    else:
        props = [f"file={_gh_escape_prop(f.file)}"]
        if f.row is not None:
            props.append(f"line={f.row}")
    props.append(f"title={_gh_escape_prop(f.rule + (' ' + f.field if f.field else ''))}")
    val = f" (value {f.value!r})" if f.value not in (None, "") and not f.says_value() else ""
    return f"::{level} {','.join(props)}::{_gh_escape_data(text + val)}"


def _md_rules(findings: list[Finding], docs_url: str | None) -> list[str]:
    """A folded section explaining each rule the findings name, from the rule registry.

    A pull-request comment may be read where the documentation is not linked (no
    ``docs_url``), so what each rule means and how to fix it travels with the report.
    """
    from ..rules import RULES

    known = {r.id: r for r in RULES}
    hit = [known[i] for i in dict.fromkeys(f.rule for f in findings) if i in known]
    if not hit:
        return []
    out = ["", f"<details><summary>What the {len(hit)} rule{'s' * (len(hit) != 1)} above check, and how to fix "
           "a finding</summary>", "", "| Rule | What it checks | How to fix it |", "|---|---|---|"]
    for r in hit:
        name = f"`{r.id}`"
        if docs_url:
            name = f"[{name}]({docs_url.rstrip('/')}/contributing/#rule-{r.id})"
        out.append(f"| {name} | {_md_cell(r.description)} | {_md_cell(r.fix)} |")
    return out + ["", "</details>"]


def _md_cell(value) -> str:
    """Text safe inside a markdown table cell: pipes escaped, newlines as ``<br>``."""
    if value is None:
        return ""
    s = str(value).replace("\\", "\\\\").replace("|", "\\|").replace("<", "&lt;").replace("`", "\\`")
    return s.replace("\r\n", "<br>").replace("\r", "<br>").replace("\n", "<br>")


def _gh_escape_data(s: str) -> str:
    # GitHub's documented escaping for workflow command data.
    return s.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _gh_escape_prop(s: str) -> str:
    return _gh_escape_data(s).replace(":", "%3A").replace(",", "%2C")
