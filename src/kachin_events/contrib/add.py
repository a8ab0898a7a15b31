"""Adding a contributor's submission to the repository: what ``kachin-events add`` does.

A submission is a filled template: an XLSX workbook with one sheet per table, a folder
of CSV files, or a JSON file (sources, events, event_sources, event_actors, event_tags
and, optionally, claimants). :func:`add_submission`

1. reads it, and turns the names written instead of codes into codes
   (:mod:`kachin_events.contrib.resolve`, when present);
2. gives each new event its id, after the highest id ever used (events, retractions,
   corrections): a submission writes a temporary id (``1``, ``new-1``, ``A`` ...) that
   its linked rows repeat, or, for one event, leaves ``event_id`` empty everywhere;
3. validates the result together with the repository, and stops at the first error
   with the whole report, changing nothing;
4. writes ``data/reports/<source_id>/`` in canonical form (or adds the rows of a
   second batch to that folder's files), new claimants to ``data/claimants.csv``, the
   coder's notes as ``CODING.md``, and the new paths to ``datapackage.json``: all at
   once, or nothing.

Existing records are never dropped, reordered or rewritten: new rows are added to a
file in its key order (the canonical order) when the file is canonical, at its end
otherwise.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from .. import _paths
from ..validation.findings import ERROR, WARNING, Finding, Report
from ..validation.read import RawTable, UnreadableError, display_path, read_file
from ..schema import TABLES, get_schema
from .template import SHEETS
from .transaction import package_with_paths, write_all_or_nothing

#: Tables of a report folder that only importers fill (not a sheet of the template); their
#: file is written only when the submission has rows for it.
OPTIONAL_TABLES = ("external_events",)
#: The tables a submission may hold: the template's sheets, and the importers' links.
ACCEPTED = SHEETS + OPTIONAL_TABLES
#: The tables of one report folder (the shared claimants registry is not one).
REPORT_TABLES = tuple(t for t in SHEETS if t != "claimants") + OPTIONAL_TABLES
_SUFFIXES = (".csv", ".xlsx", ".xlsm", ".json")


class AddError(Exception):
    """A submission that cannot be added at all (not a repository, no source id ...).

    Attributes
    ----------
    message : str
        What is wrong and how to fix it.
    exit_code : int
        1 for a refused submission, 2 for a usage error or an unreadable input.
    """

    def __init__(self, message: str, exit_code: int = 2):
        super().__init__(message)
        self.message = message
        self.exit_code = exit_code


@dataclass
class AddResult:
    """What :func:`add_submission` did, or would do, or why it did nothing.

    Attributes
    ----------
    report : Report
        Every finding on the submission (validated with the repository), pointing at
        the contributor's own file and row.
    source_id : str or None
        The report folder's name.
    folder : str or None
        The report folder, relative to the repository.
    ids : list of dict
        One per new event: ``file`` and ``row`` of its events row, the ``submitted``
        id (None when it was empty) and the ``event_id`` given to it.
    files : list of dict
        Each file written (or, on a dry run, to be written): ``path`` (relative to the
        repository) and ``action`` (``created``, ``added rows`` or ``updated``).
    notices : list of str
        Things the contributor should know (renumbered ids, rows already present).
    dry_run : bool
        True when nothing was to be written.
    written : bool
        True when the files were written.
    """

    report: Report
    source_id: str | None = None
    folder: str | None = None
    ids: list[dict] = field(default_factory=list)
    files: list[dict] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    dry_run: bool = False
    written: bool = False

    valid = property(lambda self: self.report.valid, doc="True when the submission has no error.")
    exit_code = property(lambda self: self.report.exit_code, doc="0 valid, 1 invalid, 2 unreadable.")

    def to_dict(self) -> dict:
        return {**self.report.to_dict(), "written": self.written, "dry_run": self.dry_run,
                "source_id": self.source_id, "folder": self.folder, "ids": self.ids,
                "files_written": self.files, "notices": self.notices}

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False)

    def summary(self) -> list[str]:
        """The lines saying what was (or would be) added; the report's come before them."""
        if not self.valid:
            return ["Nothing was written: fix the errors above and run `kachin-events add` again."]
        lines = [f"note: {n}" for n in self.notices]
        verb = "Would add" if self.dry_run else "Added"
        lines.append(f"{verb} {len(self.ids)} new event{'s' * (len(self.ids) != 1)} to {self.folder}/"
                     + (":" if self.ids else "."))
        for e in self.ids:
            given = f" (event_id {e['submitted']!r})" if e["submitted"] is not None else ""
            lines.append(f"  {e['file']}:{e['row']}{given} -> {e['event_id']}")
        lines.append("Files that would be written:" if self.dry_run else "Files written:")
        lines += [f"  {f['path']} ({f['action']})" for f in self.files]
        if self.dry_run:
            lines.append("Dry run: nothing was written.")
        return lines

    def to_text(self) -> str:
        return "\n".join([*self.report.to_text().splitlines(), *self.summary()])

    def to_github(self) -> str:
        return "\n".join([*self.report.to_github().splitlines(), *self.summary()])


# -- reading -----------------------------------------------------------------------------


def _package(package) -> Path:
    if package is None and _paths.find_package() is None:
        msg = ("no datapackage.json here or in any parent folder; run `kachin-events add` inside "
               "your copy of the kachin-events repository")
        raise AddError(msg)
    path = Path(package) if package is not None else _paths.find_package()
    path = path / "datapackage.json" if path.is_dir() else path
    if not path.is_file():
        raise AddError(f"{display_path(path)} does not exist; give the repository's datapackage.json")
    return path


def _read_submission(submission: Path, pkg: Path, report: Report) -> tuple[dict, dict]:
    """The submission's tables (names resolved to codes) and the repository's, apart.

    Reading findings go into ``report``.
    """
    from ..validation import read_contribution

    shown = display_path(submission)
    if submission.is_dir():
        files = sorted(p for p in submission.iterdir()
                       if p.suffix.lower() in _SUFFIXES and not p.name.startswith((".", "~$"))
                       and p.name != "datapackage.json")
        if not files:
            raise UnreadableError(shown, "is a folder with no .csv, .xlsx or .json files")
    else:
        files = [submission]
    tables, present = read_contribution(files, report, pkg)
    other = sorted(present - set(ACCEPTED))
    if other:
        where = ", ".join(f"{t} ({tables[t].files[tables[t].checked.index(True)]})" for t in other)
        msg = (f"{shown}: holds rows of tables that `kachin-events add` does not take: {where}. "
               f"A submission holds only {', '.join(ACCEPTED)}; propose new places and actors in an "
               "issue, and corrections or retractions in a pull request of their own")
        raise AddError(msg, exit_code=1)
    mine = {t: _subset(tables[t], [i for i, c in enumerate(tables[t].checked) if c]) for t in present}
    theirs = {t: _subset(raw, [i for i, c in enumerate(raw.checked) if not c]) for t, raw in tables.items()}
    return mine, theirs


def _column(table: str, name: str) -> int:
    return get_schema(table).field_names.index(name)


def _text(value) -> str | None:
    value = value.strip() if isinstance(value, str) else value
    return value or None


def _subset(raw: RawTable, keep: list[int]) -> RawTable:
    return RawTable(raw.table, [raw.rows[i] for i in keep], [raw.files[i] for i in keep],
                    [raw.lines[i] for i in keep], [raw.checked[i] for i in keep], set(raw.missing))


def _records(table: str, raw: RawTable) -> list[dict]:
    names = get_schema(table).field_names
    return [dict(zip(names, row)) for row in raw.rows]


def _read_table_file(path: Path, table: str) -> RawTable:
    parts, _ = read_file(path, display_path(path), table=table)
    out = RawTable(table)
    for part in parts.values():
        out.extend(part, checked=False)
    return out


@dataclass
class _Repo:
    """What add needs to know of the repository."""

    package: Path
    resources: dict[str, list[Path]]
    events: dict[str, str]  # event_id -> the file it is in
    retired: set[str]
    highest: int


def _read_repo(package: Path, tables: dict[str, RawTable]) -> _Repo:
    from ..validation import package_resources
    from .ids import highest_event_number

    events, retired = {}, set()
    for table in ("events", "retractions"):
        raw = tables.get(table, RawTable(table))
        for row, shown in zip(raw.rows, raw.files):
            value = _text(row[_column(table, "event_id")])
            if value and table == "events":
                events.setdefault(value, shown)
            elif value:
                retired.add(value)
    return _Repo(package, package_resources(package), events, retired, highest_event_number(tables))


# -- names, ids and the source ---------------------------------------------------------------


def _allocate(tables: dict[str, RawTable], repo: _Repo, report: Report, notices: list[str]) -> list[dict]:
    """Give every new event its id, in place; return the mapping, row by row."""
    events = tables.get("events")
    if events is None:
        return []
    pattern = get_schema("events").field("event_id").constraints["pattern"]
    col = _column("events", "event_id")
    mapping: dict[str, str] = {}
    ids, number, unnamed = [], repo.highest, []
    for i, row in enumerate(events.rows):
        given = _text(row[col])
        where = (events.files[i], events.lines[i])
        if given in repo.events:
            msg = (f"event {given} is already in the repository ({repo.events[given]}); a new event needs a new "
                   "id: write a temporary id such as new-1 (repeated in its linked rows), and `kachin-events add` gives it the next free id. To add a source to an existing "
                   "event, leave the event out of the events sheet and link it in event_sources only")
            report.add(Finding(*where, "event_id", given, "primary-key", ERROR, msg))
            continue
        if given in repo.retired:
            msg = (f"{given} is the id of a retired event (data/retractions.csv), and ids are never reused; "
                   "write a temporary id such as new-1 instead")
            report.add(Finding(*where, "event_id", given, "base-id-reused", ERROR, msg))
            continue
        if given is not None and given in mapping:
            row[col] = mapping[given]  # the same id twice: validation reports the duplicate
            continue
        number += 1
        new = f"KE{number:06d}"
        if not re.fullmatch(pattern, new):
            raise AddError(f"the next event id {new} does not match the events schema's pattern {pattern}")
        if given is not None:
            mapping[given] = new
            if re.fullmatch(pattern, given) and given != new:
                notices.append(f"{where[0]}:{where[1]}: event_id {given} is not in the repository, so it "
                               f"became {new}: ids are only given by `kachin-events add`")
        row[col] = new
        if given is None:
            unnamed.append(new)
        ids.append({"file": where[0], "row": where[1], "submitted": given, "event_id": new})
    if len(unnamed) == 1:
        mapping[None] = unnamed[0]  # the one event without an id: linked rows without one are its
    for table in REPORT_TABLES:
        if table == "events" or table not in tables or "event_id" not in get_schema(table).field_names:
            continue
        link = _column(table, "event_id")
        for row in tables[table].rows:
            given = _text(row[link])
            if given in mapping:
                row[link] = mapping[given]
    return ids


def _source_id(tables: dict[str, RawTable], source_id: str | None, shown: str) -> str:
    if source_id is None:
        sources = tables.get("sources")
        col = _column("sources", "source_id")
        found = list(dict.fromkeys(v for v in (_text(r[col]) for r in (sources.rows if sources else [])) if v))
        if len(found) != 1:
            what = "no source_id" if not found else f"{len(found)} source ids ({', '.join(found)})"
            msg = (f"{shown}: the sources table has {what}, so the report folder cannot be named; "
                   "give it with --source-id ID")
            raise AddError(msg)
        source_id = found[0]
    pattern = get_schema("sources").field("source_id").constraints["pattern"]
    if not re.fullmatch(pattern, source_id):
        msg = (f"the source id {source_id!r} is not a valid folder name; write it in lower case with "
               "hyphens, like kng-2026-02-four-fronts")
        raise AddError(msg)
    return source_id


def _same(table: str, a: dict, b: dict) -> bool:
    from .canonical import CanonicalError, canonical_csv

    try:
        return canonical_csv(table, [a]) == canonical_csv(table, [b])
    except CanonicalError:
        return False


def _drop_present(tables: dict[str, RawTable], repo: _Repo, folder: Path, report: Report, notices: list[str]) -> None:
    """Leave out sources and claimants rows the repository already holds, unchanged."""
    existing = {"sources": [folder / "sources.csv"] if (folder / "sources.csv").is_file() else [],
                "claimants": repo.resources.get("claimants", [])}
    for table, paths in existing.items():
        if table not in tables:
            continue
        key = _column(table, get_schema(table).primary_key[0])
        have: dict[str, tuple[dict, str]] = {}
        for path in paths:
            raw = _read_table_file(path, table)
            for rec, row in zip(_records(table, raw), raw.rows):
                have.setdefault(_text(row[key]), (rec, display_path(path)))
        raw, keep = tables[table], []
        for i, rec in enumerate(_records(table, raw)):
            value = _text(raw.rows[i][key])
            if value not in have:
                keep.append(i)
            elif _same(table, rec, have[value][0]):
                notices.append(f"{raw.files[i]}:{raw.lines[i]}: {table} row {value} is already in "
                               f"{have[value][1]}, unchanged; it is not added again")
            elif table == "sources":
                msg = (f"the source {value} is already in {have[value][1]} with other values; a second batch "
                       "from the same source repeats its sources row unchanged, or leaves it out. To change "
                       "the source, make that change in a pull request of its own")
                report.add(Finding(raw.files[i], raw.lines[i], "source_id", value, "primary-key", ERROR, msg))
            else:
                keep.append(i)  # validation reports the clash with the existing claimant
        tables[table] = _subset(raw, keep)


# -- validation on a staged copy ----------------------------------------------------------------


def _validate(tables: dict[str, RawTable], repo: _Repo, report: Report, today) -> None:
    """Validate the rows (ids given, names resolved) with the repository; findings point
    at the contributor's file and row."""
    import tempfile

    from ..tablefiles import csv_bytes
    from ..validation import validate

    with tempfile.TemporaryDirectory(prefix="kachin-events-add-") as tmp:
        staged: dict[str, tuple[str, RawTable, dict[int, int]]] = {}
        for table, raw in tables.items():
            if not raw.rows:
                continue
            path = Path(tmp) / f"{table}.csv"
            path.write_bytes(csv_bytes(get_schema(table).field_names,
                                       ([c if c is not None else "" for c in row] for row in raw.rows)))
            back = _read_table_file(path, table)
            staged[display_path(path)] = (table, raw, {line: i for i, line in enumerate(back.lines)})
        if not staged:
            report.add(Finding(report.files[0] if report.files else ".", None, None, None, "empty-file", ERROR,
                               "the submission has no rows to add; fill in the events sheet (and its "
                               "sources, event_sources, event_actors and event_tags)"))
            return
        found = validate(*staged, reference=repo.package, today=today)
    report.unreadable |= found.unreadable
    for f in found.findings:
        if f.file not in staged:
            report.add(f)
            continue
        table, raw, index = staged[f.file]
        i = index.get(f.row) if f.row is not None else None
        if i is None:
            report.add(dataclasses.replace(f, file=raw.files[0], row=None))
        elif (raw.files[i], f.field) not in raw.missing:  # a missing column was reported once
            report.add(dataclasses.replace(f, file=raw.files[i], row=raw.lines[i]))


# -- writing -------------------------------------------------------------------------------------


def _table_text(table: str, old: Path | None, new: list[dict]) -> str:
    """A report or claimants file with the new rows: in key order when the old file is
    canonical (old records keep their text and order), after the old ones otherwise."""
    from .canonical import canonical_csv

    if old is None or not old.exists():
        return canonical_csv(table, new)
    text = old.read_bytes().decode("utf-8")
    before = _records(table, _read_table_file(old, table))
    if canonical_csv(table, before) == text:
        return canonical_csv(table, before + new)
    if not new:
        return text
    added = canonical_csv(table, new).split("\n", 1)[1]
    return text + ("" if text.endswith("\n") or not text else "\n") + added


def _notes_text(source_id: str, submission: Path, notes: Path | None, today: dt.date) -> tuple[str, bool]:
    """CODING.md's text, and whether it is only a stub."""
    if notes is not None:
        try:
            return notes.read_text(encoding="utf-8-sig"), False
        except (OSError, UnicodeDecodeError) as exc:
            raise AddError(f"{display_path(notes)}: the coder's notes cannot be read ({exc})") from None
    stub = (f"# Coder's notes: {source_id}\n\n"
            f"Added by `kachin-events add` on {today.isoformat()} from `{submission.name}`.\n\n"
            "The coder's notes are still to be written. Before opening a pull request, replace this "
            "text with how the report was coded: where the dates and places come from, who makes each "
            "claim, and what is uncertain and why.\n")
    return stub, True


def _plan(tables, repo: _Repo, folder: Path, notes_text: str | None) -> list[tuple[Path, bytes, str]]:
    """Every file to write: (path, full content, action)."""
    plan = []
    for table in REPORT_TABLES:
        path = folder / f"{table}.csv"
        rows = _records(table, tables[table]) if table in tables else []
        if not rows and (path.exists() or table in OPTIONAL_TABLES):
            continue
        action = "added rows" if path.exists() else "created"
        plan.append((path, _table_text(table, path, rows).encode("utf-8"), action))
    if notes_text is not None:
        path = folder / "CODING.md"
        old = path.read_text(encoding="utf-8") if path.exists() else None
        if old is not None and notes_text.strip() not in old:  # a second batch's notes follow the first's
            plan.append((path, (old.rstrip("\n") + "\n\n" + notes_text).encode("utf-8"), "updated"))
        elif old is None:
            plan.append((path, notes_text.encode("utf-8"), "created"))
    claimants = tables.get("claimants")
    if claimants is not None and claimants.rows:
        listed = repo.resources.get("claimants") or [repo.package.parent / "data" / "claimants.csv"]
        path = listed[-1]
        plan.append((path, _table_text("claimants", path, _records("claimants", claimants)).encode("utf-8"),
                     "added rows" if path.exists() else "created"))
    return plan


# -- the whole ---------------------------------------------------------------------------------------


def add_submission(submission, package=None, source_id: str | None = None, dry_run: bool = False,
                   today: dt.date | None = None, notes=None) -> AddResult:
    """Add a contributor's submission to the repository as a report folder.

    Parameters
    ----------
    submission : str or Path
        A filled template: an XLSX workbook (one sheet per table), a folder of CSV files,
        or a JSON file.
    package : str or Path, optional
        The repository's ``datapackage.json`` (or its folder); by default the nearest one
        from the working folder.
    source_id : str, optional
        The report folder's name, ``data/reports/<source_id>/``; by default the one
        source_id of the submission's sources table.
    dry_run : bool
        Check and plan everything, write nothing.
    today : datetime.date, optional
        The date "in the future" is measured from, and the date in a CODING.md stub.
    notes : str or Path, optional
        A markdown file of coder's notes, written as the folder's CODING.md; by default
        the submission folder's CODING.md. Without either, CODING.md is a stub and the
        report warns that the notes are still to be written.

    Returns
    -------
    AddResult
        ``result.valid`` is False (and nothing was written) when the submission has an
        error; ``result.report`` then says where.

    Raises
    ------
    AddError
        When there is nothing to judge: no repository, no single source id, tables add
        does not take.

    Examples
    --------
    A report submitted twice is refused (in a copy of the repository, run from its root
    folder; ``dry_run=True`` writes nothing anyway):

    >>> import datetime as dt, shutil, tempfile
    >>> from pathlib import Path
    >>> import kachin_events
    >>> with tempfile.TemporaryDirectory() as d:
    ...     repo = Path(d)
    ...     _ = shutil.copy("datapackage.json", repo / "datapackage.json")
    ...     _ = shutil.copytree("data", repo / "data")
    ...     sub = repo / "sub"
    ...     _ = shutil.copytree(repo / "data" / "reports" / "kng-2026-01-bhamo-bases", sub)
    ...     result = kachin_events.add_submission(sub, repo, source_id="kng-2026-01-bhamo-bases",
    ...                                           dry_run=True, today=dt.date(2026, 3, 1))
    >>> result.valid, result.report.errors[0].rule
    (False, 'primary-key')
    """
    from ..extras import require

    require("kachin_events.add_submission()")
    submission = Path(submission)
    today = today or dt.date.today()
    report = Report()
    result = AddResult(report, dry_run=dry_run)
    pkg = _package(package)
    if submission.resolve().is_relative_to((pkg.parent / "data").resolve()):
        msg = (f"{display_path(submission)} is inside the repository's data/ folder; keep a submission "
               "elsewhere (for example submission/ at the repository's root): add writes data/ itself")
        raise AddError(msg)
    try:
        if not submission.exists():
            raise UnreadableError(display_path(submission), "does not exist; check the path")
        tables, theirs = _read_submission(submission, pkg, report)
        repo = _read_repo(pkg, theirs)
    except UnreadableError as exc:
        report.unreadable = True
        report.add(Finding(exc.file, None, None, None, "unreadable", ERROR, exc.message))
    if report.unreadable:
        report.finish()
        return result
    from ..importers.provenance import acled_refusal  # ACLED's terms forbid publishing its rows
    if (refusal := acled_refusal(tables)) is not None:
        raise AddError(refusal, exit_code=1)
    result.source_id = _source_id(tables, source_id, display_path(submission))
    folder = pkg.parent / "data" / "reports" / result.source_id
    result.folder = folder.relative_to(pkg.parent).as_posix()
    if not folder.exists() and not any(tables.get("sources", RawTable("sources")).rows):
        msg = (f"{display_path(submission)}: has no sources row, and {result.folder}/ does not exist yet; "
               "a new report folder needs its sources row (the report the events are coded from)")
        raise AddError(msg, exit_code=1)
    result.ids = _allocate(tables, repo, report, result.notices)
    _drop_present(tables, repo, folder, report, result.notices)
    _validate(tables, repo, report, today)  # after add's own findings, which win over validation's
    if not report.finish().valid:
        return result

    notes_path = Path(notes) if notes is not None else None
    if notes_path is None and submission.is_dir() and (submission / "CODING.md").is_file():
        notes_path = submission / "CODING.md"
    notes_text = None
    if notes_path is not None or not (folder / "CODING.md").exists():
        notes_text, stub = _notes_text(result.source_id, submission, notes_path, today)
        if stub:
            msg = ("CODING.md is only a stub: write the coder's notes there (how the report was coded, what "
                   "is uncertain and why) before opening a pull request, or give them with --notes FILE")
            report.add(Finding(f"{result.folder}/CODING.md", None, None, None, "coding-notes", WARNING, msg))
            report.finish()
    plan = _plan(tables, repo, folder, notes_text)
    root = pkg.parent
    new_paths: dict[str, list[str]] = {t: [] for t in TABLES}
    for path, _, action in plan:
        rel = path.relative_to(root).as_posix()
        result.files.append({"path": rel, "action": action})
        if path.suffix == ".csv" and path.stem in TABLES:
            new_paths[path.stem].append(rel)
    try:
        package_bytes = package_with_paths(pkg, new_paths, result.notices)
    except ValueError as exc:  # the package lacks a resource to list the new file in
        raise AddError(str(exc)) from None
    if package_bytes is not None:
        result.files.append({"path": pkg.relative_to(root).as_posix(), "action": "updated"})
    if not dry_run:
        write_all_or_nothing(plan, pkg, package_bytes)
        result.written = True
    return result
