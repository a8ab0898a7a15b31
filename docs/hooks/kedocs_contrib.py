"""The pages about contributing: the contributor guide's examples, and each report's coding notes.

Everything a reader is shown as the output of a command is the output of that command,
run while the site is built:

* :class:`Walkthrough` copies the repository's data into a temporary git repository
  (the published data is its ``main`` branch) and runs the contributor guide's
  commands there, one after the other, as a local monitor would: ``template``, filling
  the workbook, ``validate`` (first with mistakes, then fixed), ``add``, ``fmt
  --check``, ``validate --base main``, then, once the report is "merged", ``correct``
  and ``retire``. The directive ``walkthrough STEP`` shows one step's command and
  output; ``walkthrough-rows STEP`` the rows written to the workbook or the data.
* ``validate-example`` validates a made-up two-file submission and shows the three
  output formats; ``rules-guide`` renders every rule with its fix; ``rule-findings``
  lists the current data's findings of one rule.
* ``reports/*.md``: one page per report folder, with its events, claims, tags and
  ``CODING.md``.

A command that is not part of this version of the package is reported as absent on the
page (like an optional module); a command that exists but does not do what the guide
says (an exit status or a rule other than expected) stops the build.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import os
import posixpath
import re
import shlex
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import kedocs_ci
import kedocs_ref
import kedocs_releases
from kachin_events import codebook
from kachin_events.codebook import code, markdown_table
from kachin_events.codebook import escape_cell as esc
from kedocs_content import DirectiveError, SiteData, fmt, rel
from kedocs_ref import has_module


def has_command(name: str) -> bool:
    """True when ``kachin-events NAME`` exists in this version of the package."""
    from kachin_events.cli import cli

    return name in cli.commands


@contextlib.contextmanager
def _cwd(path: Path):
    old = os.getcwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(old)


# -- templates and the validation example ---------------------------------------------------------
def templates_list(d: SiteData, page: str) -> str:
    rows = []
    for t, s in d.schemas.items():
        req = sum(f.required for f in s.fields)
        rows.append([f"[{t}.csv]({rel(page, 'csv-templates/' + t + '.csv')})", len(s.fields), req,
                     f"[codebook]({rel(page, 'codebook.md#' + t)})"])
    return markdown_table(["Template", "Columns", "Required columns", "Field definitions"], rows) + "\n"


_EXAMPLE_EVENTS = [
    {"event_id": "KE000901", "date_start": "2026-02-05", "date_end": "2026-02-03", "date_precision": "days",
     "event_type": "Battles", "sub_event_type": "Air/drone strike", "actor1": "kia", "actor2": "myanmar_military",
     "admin1_pcode": "MMR001", "admin2_pcode": "MMR001D003", "admin3_pcode": "MMR001010", "location": "Bhamo",
     "location_pcode": "MMR001010701", "latitude": "24.25493", "longitude": "97.23441", "geo_precision": "1",
     "fatalities_best": "2", "fatalities_low": "3", "fatalities_high": "", "civilian_targeting": "false",
     "event_clarity": "1",
     "notes": "A made-up event for the documentation: fighting near Bhamo Town, with figures in the wrong order."},
]
_EXAMPLE_LINKS = [
    {"event_id": "KE000901", "source_id": None, "claimant": "KIA frontline sources",
     "claimant_type": "party_source", "claimant_actor_id": ""},
]
EXAMPLE_TODAY = dt.date(2026, 3, 1)


def validate_example(d: SiteData) -> dict:
    """Validate a made-up two-file submission with kachin-events itself; its outputs in every format."""
    from kachin_events.validation import validate

    source_id = d.tables["sources"]["source_id"].to_list()[-1]
    with tempfile.TemporaryDirectory() as tmp:
        sub = Path(tmp) / "submission"
        sub.mkdir()
        files = {}
        for table, rows in (("events", _EXAMPLE_EVENTS), ("event_sources", _EXAMPLE_LINKS)):
            names = d.schemas[table].field_names
            path = sub / f"{table}.csv"
            with open(path, "w", encoding="utf-8", newline="") as fh:
                w = csv.DictWriter(fh, fieldnames=names, lineterminator="\n")
                w.writeheader()
                for r in rows:
                    w.writerow({k: (source_id if k == "source_id" and v is None else v) for k, v in r.items()})
            files[table] = path.read_text(encoding="utf-8")
        with _cwd(Path(tmp)):
            report = validate("submission/events.csv", "submission/event_sources.csv", today=EXAMPLE_TODAY)
    if report.valid or not report.findings:
        raise DirectiveError("the documentation's example submission was expected to be invalid")
    return {"files": files, "text": report.to_text(), "json": report.to_json(), "github": report.to_github(),
            "markdown": report.to_markdown(), "exit": report.exit_code, "rules": sorted(report.rules_hit())}


def validate_example_md(d: SiteData, page: str, which: str) -> str:
    ex = d._example = getattr(d, "_example", None) or validate_example(d)
    if which == "files":
        return "\n".join(
            f'`submission/{t}.csv`:\n\n```text\n{text.rstrip()}\n```\n' for t, text in ex["files"].items())
    if which == "rules":
        return ", ".join(f"[`{r}`](#{codebook.rule_anchor(r)})" for r in ex["rules"])
    if which == "exit":
        return str(ex["exit"])
    if which not in ("text", "json", "github", "markdown"):
        raise DirectiveError(f"validate-example takes files, rules, exit, text, json, github or markdown, not {which!r}")
    lang = {"json": "json", "markdown": "markdown"}.get(which, "text")
    cmd = "kachin-events validate submission/events.csv submission/event_sources.csv"
    cmd += f" --today {EXAMPLE_TODAY}" + ("" if which == "text" else f" --format {which}")
    return f"```console\n$ {cmd}\n```\n\n```{lang}\n{ex[which].rstrip()}\n```\n"


# -- the contributor guide's walk-through ------------------------------------------------------
#: The made-up report of the walk-through, as a local monitor fills the template: names,
#: not codes. Keys are checked against the schemas, so a renamed field stops the build.
WALK_SOURCE = {
    "source_id": "monitor-2026-02-bhamo-clash", "publisher": "A local monitor (a made-up example)",
    "publication_date_earliest": dt.date(2026, 2, 6), "publication_date_latest": dt.date(2026, 2, 6),
    "publication_date_basis": "stated", "source_type": "ngo_report", "source_scale": "Local", "language": "en",
    "notes": "A made-up report that the contributor guide codes to show the workflow; it is not part of the data.",
}
WALK_EVENT = {
    "event_id": None, "date_start": dt.date(2026, 2, 3), "date_end": dt.date(2026, 2, 3), "date_precision": "day",
    "event_type": "Battles", "sub_event_type": "Armed clash", "actor1": "Kachin Independance Army",
    "actor2": "Junta", "location": "Bhamo", "geo_precision": 2, "fatalities_low": 3, "fatalities_best": 3,
    "fatalities_high": 5, "civilian_targeting": False, "event_clarity": 1,
    "notes": "A made-up clash near Bhamo Town for the contributor guide: citing the KIA spokesperson, the "
             "monitor reports three to five junta soldiers killed.",
}
WALK_CLAIM = {
    "event_id": None, "source_id": "monitor-2026-02-bhamo-clash", "claimant": "Naw Bu, KIA spokesperson",
    "claimant_id": "Naw Bu", "claimed_fatalities_low": 3, "claimed_fatalities_high": 5,
    "claimed_fatalities_side": "actor2",
}
#: The fixes the monitor makes after the first validation: (sheet, column) -> new value.
WALK_FIXES = {("events", "actor1"): "Kachin Independence Army", ("events", "location"): "Bhamo Town",
              ("event_sources", "claimant_id"): "Colonel Naw Bu"}
WALK_NOTES = ("# Coding notes: monitor-2026-02-bhamo-clash\n\n"
              "A made-up report, coded for the contributor guide. The clash is dated to the day the report "
              "gives. It lies inside the week of fighting around Bhamo that KE000022 sums up; the report "
              "names a single clash near the town, so it is coded as an event of its own.\n")
WALK_CORRECTION = ("fatalities_best", "4", "A follow-up report by the monitor puts the most likely toll at four.")
WALK_RETIREMENT = ("duplicate", "KE000022", "The clash is part of the week of fighting around Bhamo that "
                                            "KE000022 already sums up.")


@dataclass
class Step:
    """One command of the walk-through: what was typed, its exit status and its output."""

    command: str
    exit: int | None = None
    output: str = ""

    @property
    def absent(self) -> bool:
        return self.exit is None


class Walkthrough:
    """The contributor guide's commands, run in a throwaway git repository holding the data."""

    def __init__(self, d: SiteData, folder: Path):
        self.d, self.root = d, folder / "kachin-events"
        self.root.mkdir()
        shutil.copy2(d.root / "datapackage.json", self.root / "datapackage.json")
        shutil.copytree(d.root / "data", self.root / "data")
        self.steps: dict[str, Step] = {}
        self.rows: dict[str, dict[str, list[dict]]] = {}
        self.new_id: str | None = None
        self.git("init", "-q", "-b", "main")
        self.commit("The published data")

    # -- running -------------------------------------------------------------------------------
    def git(self, *args: str) -> str:
        env = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
        proc = subprocess.run(["git", "-c", "user.name=kachin-events docs", "-c", "user.email=docs@invalid",
                               "-c", "commit.gpgsign=false", *args], cwd=self.root, env=env,
                              capture_output=True, text=True, check=False)
        if proc.returncode != 0:
            raise DirectiveError(f"the walk-through's `git {' '.join(args)}` failed: {proc.stderr.strip()}")
        return proc.stdout

    def commit(self, message: str) -> None:
        self.git("add", "-A")
        self.git("commit", "-q", "--allow-empty", "-m", message)

    def run(self, name: str, args: list[str], expect: int, rules: set | None = None) -> Step:
        """Run ``kachin-events ARGS`` in the repository; stop the build if it does not do as the guide says."""
        from click.testing import CliRunner
        from kachin_events.cli import cli

        step = Step("kachin-events " + shlex.join(args))
        self.steps[name] = step
        if not has_command(args[0]):
            return step
        with _cwd(self.root):
            result = CliRunner().invoke(cli, args, prog_name="kachin-events")
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            raise DirectiveError(f"the walk-through's `{step.command}` raised {result.exception!r}")
        step.exit, step.output = result.exit_code, result.output.replace(str(self.root) + os.sep, "")
        hit = set(re.findall(r"\[([a-z][a-z0-9-]*)\]", step.output)) | set(
            re.findall(r"\b(?:error|warning) ([a-z][a-z0-9-]+)\b", step.output))
        if step.exit != expect or (rules and not rules <= hit):
            msg = (f"the contributor guide expects `{step.command}` to exit {expect}"
                   + (f" with the rules {sorted(rules)}" if rules else "")
                   + f"; it exited {step.exit}:\n{step.output}")
            raise DirectiveError(msg)
        return step

    def shell(self, name: str, *args: str) -> None:
        """A git command of the walk-through, shown with its output."""
        self.steps[name] = Step("git " + shlex.join(args), 0, self.git(*args))

    # -- files ---------------------------------------------------------------------------------
    def fill(self, workbook: Path, rows: dict[str, list[dict]]) -> None:
        """Write rows into the template's sheets (below the header, replacing the worked example)."""
        import openpyxl

        wb = openpyxl.load_workbook(workbook)
        for ws in wb.worksheets:
            if ws.title.startswith("_"):
                continue
            if ws.max_row > 1:
                ws.delete_rows(2, ws.max_row - 1)
            header = [c.value for c in ws[1]]
            for r, row in enumerate(rows.get(ws.title, []), start=2):
                for key, value in row.items():
                    if key not in header:
                        raise DirectiveError(f"the template's {ws.title} sheet has no column {key!r}")
                    ws.cell(r, header.index(key) + 1, ("true" if value else "false") if isinstance(value, bool)
                            else value)
        wb.save(workbook)

    def table_rows(self, path: str, **match) -> list[dict]:
        with open(self.root / path, encoding="utf-8-sig", newline="") as fh:
            return [r for r in csv.DictReader(fh) if all(r.get(k) == v for k, v in match.items())]

    # -- the story -----------------------------------------------------------------------------
    def story(self) -> None:
        for table, row in (("sources", WALK_SOURCE), ("events", WALK_EVENT), ("event_sources", WALK_CLAIM)):
            unknown = set(row) - set(self.d.schemas[table].field_names)
            if unknown:
                raise DirectiveError(f"the walk-through's {table} row has fields the schema lacks: {sorted(unknown)}")
        draft = {"sources": [dict(WALK_SOURCE)], "events": [dict(WALK_EVENT)], "event_sources": [dict(WALK_CLAIM)]}
        fixed = {t: [dict(r) for r in rs] for t, rs in draft.items()}
        for (table, column), value in WALK_FIXES.items():
            fixed[table][0][column] = value
        self.rows = {"draft": draft, "fixed": fixed}
        workbook = self.root / "my-report.xlsx"
        if self.run("template", ["template", "my-report.xlsx"], 0).absent:
            return
        self.fill(workbook, draft)
        self.run("validate-draft", ["validate", "my-report.xlsx"], 1, {"unknown-name", "ambiguous-name"})
        self.fill(workbook, fixed)
        self.run("validate-fixed", ["validate", "my-report.xlsx"], 0)
        (self.root / "CODING.md").write_text(WALK_NOTES, encoding="utf-8")
        before = {r["event_id"] for r in self._events()}
        self.run("add-dry-run", ["add", "my-report.xlsx", "--notes", "CODING.md", "--dry-run"], 0)
        if self.run("add", ["add", "my-report.xlsx", "--notes", "CODING.md"], 0).absent:
            return
        workbook.unlink()
        (self.root / "CODING.md").unlink()
        added = [r for r in self._events() if r["event_id"] not in before]
        if len(added) != 1:
            raise DirectiveError(f"the walk-through's `kachin-events add` added {len(added)} events, not 1")
        self.new_id = added[0]["event_id"]
        self.rows["added"] = {"events": added}
        self.shell("status", "status", "--short")
        self.run("fmt-check", ["fmt", "--check"], 0)
        self.run("validate-base", ["validate", "--base", "main"], 0)
        self.commit("Merged: the monitor's report")
        self._edit_without_correction()
        field, value, reason = WALK_CORRECTION
        self.run("correct", ["correct", self.new_id, field, value, "--reason", reason], 0)
        self.rows["corrections"] = {"corrections": self.table_rows("data/corrections.csv", event_id=self.new_id)}
        self.run("validate-base-corrected", ["validate", "--base", "main"], 0)
        self.commit("Merged: the correction")
        why, into, note = WALK_RETIREMENT
        self.run("retire", ["retire", self.new_id, "--reason", why, "--merged-into", into, "--note", note], 0)
        self.rows["retractions"] = {"retractions": self.table_rows("data/retractions.csv", event_id=self.new_id)}
        self.run("validate-base-retired", ["validate", "--base", "main"], 0)

    def _events(self) -> list[dict]:
        from kachin_events.tables import read_tables

        return read_tables(self.root / "datapackage.json")["events"].to_dicts()

    def _edit_without_correction(self) -> None:
        """Change the new event's fatalities_best by hand: ``validate --base main`` refuses it."""
        field, value, _ = WALK_CORRECTION
        path = next(p for p in (self.root / "data" / "reports").glob("*/events.csv")
                    if self.table_rows(str(p.relative_to(self.root)), event_id=self.new_id))
        text = path.read_text(encoding="utf-8")
        with open(path, encoding="utf-8", newline="") as fh:
            rows = list(csv.reader(fh))
        col = rows[0].index(field)
        for row in rows[1:]:
            if row[0] == self.new_id:
                row[col] = value
        with open(path, "w", encoding="utf-8", newline="") as fh:
            csv.writer(fh, lineterminator="\n").writerows(rows)
        self.run("validate-base-edited", ["validate", "--base", "main"], 1, {"base-uncorrected-edit"})
        path.write_text(text, encoding="utf-8")


def walkthrough(d: SiteData) -> Walkthrough:
    """The walk-through, run once per build."""
    if getattr(d, "_walkthrough", None) is None:
        with tempfile.TemporaryDirectory(prefix="kedocs-") as tmp:
            w = Walkthrough(d, Path(tmp))
            w.story()
            w.root = Path("kachin-events")  # the folder is gone; nothing may read it any more
        d._walkthrough = w
    return d._walkthrough


def walkthrough_step(d: SiteData, name: str) -> str:
    """One step of the walk-through: the command as typed, and what it printed."""
    w = walkthrough(d)
    step = w.steps.get(name)
    if step is None:
        known = ("template", "validate-draft", "validate-fixed", "add-dry-run", "add", "status", "fmt-check",
                 "validate-base", "validate-base-edited", "correct", "validate-base-corrected", "retire",
                 "validate-base-retired")
        if name not in known:
            raise DirectiveError(f"no walk-through step {name!r}; the steps are {', '.join(known)}")
        return "*(Not run: an earlier command of the walk-through is not part of this version of the package.)*\n"
    if step.absent:
        return f"*(`{step.command.split(' ', 2)[1]}` is not part of this version of the package.)*\n"
    out = step.output.rstrip()
    return (f"```console\n$ {step.command}\n{out}\n```\n\n"
            f"Exit status {step.exit}.\n" if step.command.startswith("kachin-events") else
            f"```console\n$ {step.command}\n{out}\n```\n")


def walkthrough_rows(d: SiteData, key: str, table: str) -> str:
    """Rows of the walk-through: as filled in the workbook (draft, fixed) or as written to the data."""
    w = walkthrough(d)
    if key not in ("draft", "fixed", "added", "corrections", "retractions"):
        raise DirectiveError(f"walkthrough-rows takes draft, fixed, added, corrections or retractions, not {key!r}")
    rows = w.rows.get(key, {}).get(table)
    if rows is None:
        if key in ("draft", "fixed") and table in d.schemas:
            return "*(No rows for this sheet.)*\n"
        if key in ("draft", "fixed"):
            raise DirectiveError(f"no sheet {table!r} in the walk-through")
        return "*(Not run: a command of the walk-through is not part of this version of the package.)*\n"
    names = d.schemas[table].field_names
    if key in ("draft", "fixed", "added") and len(rows) == 1:
        row = rows[0]
        body = [[code(f), esc(fmt(row.get(f)))] for f in names if key == "added" or row.get(f) not in (None, "")]
        return markdown_table(["Column", "Cell"], body) + "\n"
    return markdown_table([code(f) for f in names], [[esc(fmt(r.get(f))) for f in names] for r in rows]) + "\n"


def walkthrough_fixes(d: SiteData) -> str:
    rows = [[code(t), code(c), esc(fmt(WALK_EVENT.get(c) if t == "events" else WALK_CLAIM.get(c))), esc(v)]
            for (t, c), v in WALK_FIXES.items()]
    return markdown_table(["Sheet", "Column", "First written", "Fixed"], rows) + "\n"


def template_download(d: SiteData, page: str) -> str:
    """The link to the template workbook in the site, when the site carries one."""
    import importlib.util

    if importlib.util.find_spec("kedocs_template") is None:
        return "*(This site carries no template workbook; write one with `kachin-events template`.)*\n"
    import kedocs_template

    path = kedocs_template.TEMPLATE_PATH
    return (f"**[Download the template ({posixpath.basename(path)})]({rel(page, path)})**: it was written by "
            "`kachin-events template` from the data this site documents, so its lists of names are current.\n")


def template_sheets(d: SiteData) -> str:
    """The template's sheets: what a row is, which columns take names, which are left empty."""
    if not has_module("contrib.template"):
        return "*(The template is not part of this version of the package.)*\n"
    from kachin_events.contrib.template import SHEETS, filled_from_place, name_kind

    rows = []
    for table in SHEETS:
        names = d.schemas[table].field_names
        named = [f"{code(f)} ({name_kind(table, f)})" for f in names if name_kind(table, f)]
        empty = [code(f) for f in names if filled_from_place(table, f)]
        rows.append([code(table), esc(d.schemas[table].description), ", ".join(named) or "none",
                     ", ".join(empty) or "none"])
    return markdown_table(["Sheet", "One row is", "Write a name in", "Leave empty (filled from the place)"],
                          rows) + "\n"


# -- findings of the current data ----------------------------------------------------------------
def current_findings(d: SiteData) -> list:
    """The findings of ``kachin-events validate`` on the repository's data (computed once)."""
    if getattr(d, "_findings", None) is None:
        from kachin_events.validation import validate

        with _cwd(d.root):
            d._findings = list(validate("datapackage.json").findings)
    return d._findings


def rule_findings(d: SiteData, page: str, rule_id: str) -> str:
    """The current data's findings of one rule, as a table; a sentence when there are none."""
    if rule_id not in {r.id for r in d.rules}:
        raise DirectiveError(f"no rule {rule_id!r}")
    found = [f for f in current_findings(d) if f.rule == rule_id]
    link = f"[`{rule_id}`]({rel(page, 'contributing.md#' + codebook.rule_anchor(rule_id))})"
    if not found:
        return f"The current data has no {link} finding.\n"
    rows = [[code(f.file), "" if f.row is None else f.row, esc(f.message)] for f in found]
    return (f"The current data has {len(found)} {link} finding{'s' * (len(found) != 1)}:\n\n"
            + markdown_table(["File", "Row", "Message"], rows) + "\n")


def table_rows(d: SiteData, table: str) -> str:
    """Every row of a (small) table of the data, or a sentence when it has none."""
    if table not in d.tables:
        raise DirectiveError(f"no table {table!r}")
    frame = d.tables[table]
    if not frame.height:
        return f"The `{table}` table has no rows yet.\n"
    names = d.schemas[table].field_names
    return markdown_table([code(f) for f in names], [[esc(fmt(r[f])) for f in names] for r in frame.to_dicts()]) + "\n"


# -- the coding notes: one page per report folder (kedocs_reports) ----------------------------
from kedocs_reports import report_page, reports_index  # noqa: E402,F401  - generate.py calls these


# -- the directives ------------------------------------------------------------------------------
DIRECTIVES = {
    "templates": lambda d, page: templates_list(d, page),
    "rules-guide": lambda d, page: codebook.render_rules_guide(
        d.rules, level=3, field_href=lambda t, f: rel(page, f"codebook.md#{codebook.field_anchor(t, f)}")),
    "rule-count": lambda d, page: str(len(d.rules)),
    "validate-example": lambda d, page, which: validate_example_md(d, page, which),
    "template-download": lambda d, page: template_download(d, page),
    "template-sheets": lambda d, page: template_sheets(d),
    "walkthrough": lambda d, page, step: walkthrough_step(d, step),
    "walkthrough-rows": lambda d, page, key, table: walkthrough_rows(d, key, table),
    "walkthrough-fixes": lambda d, page: walkthrough_fixes(d),
    "rule-findings": lambda d, page, rule: rule_findings(d, page, rule),
    "table-rows": lambda d, page, table: table_rows(d, table),
    "quickstart-release": lambda d, page: kedocs_ref.quickstart_release(d),
    "releases": lambda d, page: kedocs_ref.releases_md(d),
    "registry": lambda d, page: kedocs_releases.registry_md(),
    "module-doc": lambda d, page, name: kedocs_ref.module_doc(name),
    "file": lambda d, page, path: kedocs_ci.file_block(d.root, path),
}
