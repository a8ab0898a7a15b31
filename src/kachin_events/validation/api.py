"""Validate the repository's data package, or a contributed file, with both engines.

:func:`validate` is what ``kachin-events validate`` calls. It reads every input (CSV,
XLSX, JSON, or a ``datapackage.json``), types the cells, runs pandera (field
constraints and cross-field rules) and frictionless (structure, constraints, keys),
and merges their findings into one :class:`~kachin_events.validation.findings.Report`.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from .. import _paths
from .findings import ERROR, WARNING, Finding, Report
from .table import CHECKED, RawTable
from .read import UnreadableError, display_path, read_file
from .chunked import Plan, Stream, chunk_bytes, is_large
from ..schema import TABLES, get_schema


class PackageError(UnreadableError):
    """A datapackage.json that cannot be used."""


def _unreadable(report: Report, exc: UnreadableError, tables: dict | None = None, table: str | None = None,
                suffix: str = "") -> None:
    """Report a file that cannot be read; mark its table as incomplete (its keys are not all known)."""
    report.unreadable = True
    report.add(Finding(exc.file, None, None, None, "unreadable", ERROR, exc.message + suffix))
    if tables is not None and table is not None:
        tables.setdefault(table, RawTable(table)).incomplete = True


def package_resources(package: Path, shown: str | None = None) -> dict[str, list[Path]]:
    """The data files of each table in a ``datapackage.json``.

    Raises
    ------
    PackageError
        When the descriptor cannot be read or names an unknown table.
    """
    shown = shown or display_path(package)
    try:
        desc = json.loads(package.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise PackageError(shown, f"cannot be read ({exc})") from None
    except json.JSONDecodeError as exc:
        raise PackageError(shown, f"is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})") from None
    if not isinstance(desc, dict) or not isinstance(desc.get("resources"), list):
        raise PackageError(shown, 'is not a data package: it needs a "resources" list')
    out: dict[str, list[Path]] = {}
    for pos, res in enumerate(desc["resources"], start=1):
        name = res.get("name") if isinstance(res, dict) else None
        if name not in TABLES:
            msg = f"resource {pos} is named {name!r}, which is not one of the tables: {', '.join(TABLES)}"
            raise PackageError(shown, msg)
        paths = res.get("path")
        paths = [paths] if isinstance(paths, str) else paths
        if not isinstance(paths, list) or not all(isinstance(p, str) for p in paths):
            raise PackageError(shown, f'resource {name!r} needs a "path" (a string or a list of strings)')
        for p in paths:
            if p.startswith("/") or ".." in Path(p).parts or "://" in p:
                raise PackageError(shown, f"resource {name!r} has an unsafe or remote path {p!r}; use relative paths")
        out.setdefault(name, []).extend(package.parent / p for p in paths)
    return out


def _read_package(package: Path, report: Report, checked: bool, plan=None) -> dict[str, RawTable]:
    """Every table of a package; with a ``plan``, its large files' headers only (read in chunks later)."""
    tables: dict[str, RawTable] = {}
    for table, paths in package_resources(package).items():
        raw = tables.setdefault(table, RawTable(table))
        for path in paths:
            shown = display_path(path)
            large = plan is not None and is_large(path, plan.chunk)
            try:
                parts, findings = read_file(path, shown, table=table, header_only=large)
            except UnreadableError as exc:
                _unreadable(report, exc, tables, table)
                continue
            if checked:
                report.files.append(shown)
                report.extend(findings)
            for part in parts.values():
                raw.extend(part, checked=checked)
            if plan is not None:
                plan.sources.setdefault(table, []).append(Stream(table, path, shown) if large else
                                                          tuple(part.file_names()))
    return tables


def _unlisted_files(package: Path) -> list[Finding]:
    """CSV files under the package's data/ folder that no resource lists."""
    data = package.parent / "data"
    if not data.is_dir():
        return []
    listed = {p.resolve() for paths in package_resources(package).values() for p in paths}
    out = []
    for path in sorted(data.rglob("*.csv")):
        if path.resolve() not in listed:
            out.append(Finding(display_path(path), None, None, None, "unlisted-file", ERROR,
                               f"is not listed in {display_path(package)}; add it to its table's resource paths"))
    return out


def _missing_coding_notes(package: Path) -> list[Finding]:
    """Report folders (under data/reports/, holding listed files) without a CODING.md."""
    reports = (package.parent / "data" / "reports").resolve()
    folders = set()
    for paths in package_resources(package).values():
        for p in paths:
            folder = p.resolve().parent
            if folder.parent == reports:
                folders.add(folder)
    out = []
    for folder in sorted(folders):
        if not (folder / "CODING.md").is_file():
            msg = ("this report folder has no CODING.md (the coder's notes); add one saying how the report "
                   "was coded: what is uncertain and why")
            out.append(Finding(display_path(folder), None, None, None, "coding-notes", ERROR, msg))
    return out


def _resolve(paths) -> tuple[Path | None, list[Path]]:
    """Split the inputs into a package descriptor or a list of contributed files."""
    if not paths:
        found = _paths.find_package()
        if found is None:
            raise UnreadableError(".", "no datapackage.json here or in any parent folder; run this in the "
                                  "repository or give the files to check")
        return found, []
    files: list[Path] = []
    for p in map(Path, paths):
        if p.name == "datapackage.json" or (p.is_dir() and (p / "datapackage.json").is_file()):
            if len(paths) > 1:
                raise UnreadableError(str(p), "give a datapackage.json on its own, not with other files")
            return (p if p.name == "datapackage.json" else p / "datapackage.json"), []
        if p.is_dir():
            found = sorted(q for q in p.iterdir() if q.suffix.lower() in (".csv", ".xlsx", ".json"))
            if not found:
                raise UnreadableError(str(p), "is a folder with no .csv, .xlsx or .json files")
            files.extend(found)
        else:
            files.append(p)
    return None, files


#: Contributed rows up to which frictionless also checks every cell (its own report,
#: found again by the columnar path); above it, frictionless is skipped and the report
#: says so. The environment variable KACHIN_EVENTS_FRICTIONLESS_MAX_ROWS overrides it.
FRICTIONLESS_MAX_ROWS = 100_000


def frictionless_max_rows(value: int | None = None) -> int:
    """The frictionless limit in force: ``value``, else the environment's, else the default.

    Examples
    --------
    >>> frictionless_max_rows(10)
    10
    """
    import os

    if value is not None:
        return max(0, int(value))
    env = os.environ.get("KACHIN_EVENTS_FRICTIONLESS_MAX_ROWS", "").strip()
    return max(0, int(env)) if env.isdigit() else FRICTIONLESS_MAX_ROWS


def validate(*paths, today: dt.date | None = None, reference: str | Path | None = None,
             base: str | Path | None = None, keep_tables: bool = False,
             frictionless_rows: int | None = None, chunk_mb: float | None = None) -> Report:
    """Validate data against the schemas and rules; return every finding at once.

    Parameters
    ----------
    *paths : str or Path
        Nothing, to validate the repository's data package (the nearest
        ``datapackage.json`` from the working folder); a ``datapackage.json``; or
        contributed CSV, XLSX or JSON files (or a folder of them). Contributed files are
        checked against the repository's reference tables (actors, locations, sources,
        events), or, outside a repository, against the package's own snapshot.
    today : datetime.date, optional
        The date "in the future" is measured from (default: today).
    reference : path, optional
        A ``datapackage.json`` to take reference tables from.
    base : str or path, optional
        A git ref or release folder; its records may not be removed, reused or edited
        without a correction (see :mod:`kachin_events.contrib.base`).
    frictionless_rows : int, optional
        Run frictionless's own cell-by-cell check too when the input has at most this
        many contributed rows (default :data:`FRICTIONLESS_MAX_ROWS`; 0 never). Every
        rule is checked either way; frictionless is a second opinion.
    chunk_mb : float, optional
        CSV files larger than this many MB are read in chunks of about this size, so
        files larger than memory can be checked (default
        :data:`~kachin_events.validation.chunked.CHUNK_MB`; see
        :mod:`kachin_events.validation.chunked`). Every rule is checked either way.
    keep_tables : bool
        Keep the tables checked on ``report.tables`` (table -> RawTable; contributed rows
        have ``checked`` True and names replaced by codes, see
        :func:`kachin_events.contrib.resolve.resolve_submission`). The tables are then
        read whole, whatever their size.

    Returns
    -------
    Report
        ``report.valid`` is True when no error was found (warnings are allowed).

    Examples
    --------
    Run in a checkout of the repository, ``validate()`` checks its ``datapackage.json``
    (the nearest one, as ``kachin-events validate`` does); pass paths to check
    contributed files instead.

    >>> import kachin_events
    >>> report = kachin_events.validate()
    >>> report.valid, report.exit_code
    (True, 0)
    """
    from ..extras import require

    require("kachin_events.validate()")
    report = Report()
    try:
        package, files = _resolve([str(p) for p in paths])
    except UnreadableError as exc:
        _unreadable(report, exc)
        return report.finish()
    plan = None if keep_tables else Plan(chunk=chunk_bytes(chunk_mb), contribution=package is None)
    try:
        if package is not None:
            tables = _read_package(package, report, checked=True, plan=plan)
            report.extend(_unlisted_files(package))
            report.extend(_missing_coding_notes(package))
            from .descriptor import descriptor_findings

            report.extend(descriptor_findings(package))
            present = set(tables)
        else:
            from ..contrib.ids import IdState, highest_event_number, provisional_ids

            tables, present = read_contribution(files, report, reference, plan)
            # New events may come without ids: check them under the ids `add` gives.
            if plan is not None and plan.streamed:
                # Numbers go on from chunk to chunk; linked rows follow once all are given.
                plan.id_state = IdState(highest_event_number(tables))
                provisional_ids(tables, plan.id_state, link="events" not in plan.streamed)
            else:
                provisional_ids(tables)
    except PackageError as exc:
        _unreadable(report, exc)
        return report.finish()
    today = today or dt.date.today()
    if plan is not None and plan.streamed:
        from .chunked import check_in_chunks, file_note

        _columns(tables, report)
        held = check_in_chunks(tables, plan, present, report, today)
        report.notes.append(file_note(plan))
        report.findings = _without_follow_ons(_one_cause_one_finding(report.findings), held)
    else:
        _check(tables, present, report, today, frictionless_max_rows(frictionless_rows))
    if keep_tables:
        report.tables = tables
    if base is not None:
        from ..contrib.base import add_base_findings
        add_base_findings(report, package, base)
    return report.finish()


def read_contribution(files: list[Path], report: Report, reference=None, plan=None) -> tuple[dict[str, RawTable], set]:
    """Read contributed files and the reference package's tables (the first stage).

    Returns every table (reference rows unchecked, contributed rows checked) and the set
    of tables the contribution provides. Findings about reading go into ``report``.
    With a ``plan``, files larger than its chunk size are only opened at their header
    here, and listed in the plan to be read in chunks.
    """
    contributed: dict[str, RawTable] = {}
    for path in files:
        shown = display_path(path)
        large = plan is not None and is_large(path, plan.chunk)
        try:
            parts, findings = read_file(path, shown, header_only=large)
        except UnreadableError as exc:
            from .read import match_table

            _unreadable(report, exc, contributed, match_table(path.name, [])[0])
            continue
        report.files.append(shown)
        report.extend(findings)
        for table, raw in parts.items():
            contributed.setdefault(table, RawTable(table)).extend(raw)
            if plan is not None:
                plan.sources.setdefault(table, []).append(Stream(table, path, shown) if large else
                                                          tuple(raw.file_names()))
    streamed = plan.streamed if plan is not None else set()
    if (report.files and not report.unreadable and not streamed
            and not any(len(raw) for raw in contributed.values())):
        # Headers with nothing under them would otherwise pass as "valid". A template's
        # header-only files beside filled ones are fine: only a submission of no rows is not.
        for shown in report.files:
            report.add(Finding(shown, None, None, None, "empty-file", ERROR,
                               "has no rows of data under its header, and neither has any other file of the "
                               "submission; fill in at least one row (an event, a claim ...)"))
    ref_pkg = Path(reference) if reference else (_paths.find_package() or _paths.snapshot_package())
    # Reference rows take part in keys and rules but are not reported on; a contributed
    # file that is itself part of the reference package replaces its rows there.
    own = {p.resolve() for p in files}
    tables: dict[str, RawTable] = {}
    for table, paths in package_resources(ref_pkg).items():
        raw = tables.setdefault(table, RawTable(table))
        for path in paths:
            if path.resolve() in own:
                continue
            try:
                parts, _ = read_file(path, display_path(path), table=table)
            except UnreadableError as exc:
                # Without its reference tables a submission cannot be judged.
                _unreadable(report, exc, tables, table, f" (a reference table of {display_path(ref_pkg)})")
                continue
            for part in parts.values():
                raw.extend(part, checked=False)
    for table, raw in contributed.items():
        tables.setdefault(table, RawTable(table)).extend(raw, checked=True)
        # RawTable.extend marks every contributed row as checked.
    for table in TABLES:
        tables.setdefault(table, RawTable(table))
    resolve_contributed_names(tables, report)
    present = set(contributed)
    if ("events" in contributed and "event_sources" not in contributed
            and (len(contributed["events"]) or "events" in streamed)):
        first = contributed["events"]
        if len(first):
            shown = first.where(0)[0]
        else:  # read in chunks: its file is the plan's
            src = plan.sources["events"][0]
            shown = src.shown if isinstance(src, Stream) else src[0]
        report.add(Finding(shown, None, "event_id", None, "event-has-source", WARNING,
                           "this submission has events but no event_sources rows, so their sources cannot be "
                           "checked; add an event_sources file (event_id, source_id, claimant ...) before merging"))
    return tables, present


def resolve_contributed_names(tables: dict[str, RawTable], report: Report) -> None:
    """Names written instead of codes in the contributed rows (:mod:`kachin_events.contrib.resolve`).

    A file that gives places or claimants by name needs no code columns: their
    ``missing-column`` findings are withdrawn.
    """
    from ..contrib.resolve import resolve_names

    before = {pair for raw in tables.values() for pair in raw.missing}
    report.extend(resolve_names(tables))
    gone = before - {pair for raw in tables.values() for pair in raw.missing}
    report.findings = [f for f in report.findings if not (f.rule == "missing-column" and (f.file, f.field) in gone)]


def _check(tables: dict[str, RawTable], present: set, report: Report, today: dt.date,
           frictionless_rows: int = FRICTIONLESS_MAX_ROWS) -> None:
    from ..rules import Context

    _columns(tables, report)
    typed, skip = coerce_tables(tables, report)
    check_cells(tables, report)
    ctx = Context(tables=typed, present=present, today=today)
    check_with_pandera(tables, typed, skip, ctx, report)
    check_keys(tables, skip, report)
    rows = sum(int(raw.frame[CHECKED].sum()) for raw in tables.values() if len(raw))
    if rows <= frictionless_rows:
        check_with_frictionless(tables, skip, report)
    else:
        report.notes.append(f"frictionless's cell-by-cell check was skipped: the input has {rows:,} rows, more "
                            f"than its limit of {frictionless_rows:,} (set KACHIN_EVENTS_FRICTIONLESS_MAX_ROWS "
                            "or --frictionless-max-rows to change it); every rule was checked by the columnar "
                            "validator")
    report.findings = _without_follow_ons(_one_cause_one_finding(report.findings), tables)


def _columns(tables: dict[str, RawTable], report: Report) -> None:
    """Every table present, and each file's columns (findings are sorted in their order)."""
    for table in TABLES:
        tables.setdefault(table, RawTable(table))
    report.columns.update({f: get_schema(t).field_names for t, raw in tables.items()
                           for f in {*raw.file_names(), *(shown for shown, _ in raw.missing)}})


def _without_follow_ons(findings: list[Finding], tables: dict[str, RawTable]) -> list[Finding]:
    """Drop the foreign-key findings into a table one of whose files could not be read.

    Its codes are not all known, so "not an existing code" would be a guess; the
    ``unreadable`` finding is the cause, and comes alone.
    """
    incomplete = {t for t, raw in tables.items() if raw.incomplete}
    if not incomplete:
        return findings
    table_of = {f: t for t, raw in tables.items() if len(raw) for f in raw.file_names()}

    def target(f: Finding) -> str | None:
        table = table_of.get(f.file)
        for fk in get_schema(table).foreign_keys if table else ():
            if f.field in fk["fields"]:
                return fk["reference"].get("resource") or table
        return None

    return [f for f in findings if not (f.rule == "foreign-key" and target(f) in incomplete)]


# The checking stages, in the order _check runs them (benchmarks/ times each one).
def coerce_tables(tables: dict[str, RawTable], report: Report) -> tuple[dict, dict]:
    """Type every table; type errors go into ``report``. Returns typed frames and failed cells."""
    from .coerce import coerce

    typed, skip = {}, {}
    for table in TABLES:
        frame, findings, failed = coerce(tables[table], get_schema(table))
        typed[table], skip[table] = frame, failed
        report.extend(findings)
    return typed, skip


def check_cells(tables: dict[str, RawTable], report: Report) -> None:
    """The cell checks (formulas, invisible characters, Zawgyi, personal data, NFC) of every table's checked rows."""
    from .cells import CELL_CHECKS

    for raw in tables.values():
        for check in CELL_CHECKS:
            report.extend(check(raw))


def check_with_pandera(tables: dict[str, RawTable], typed: dict, skip: dict, ctx, report: Report) -> None:
    """Field constraints and cross-field rules of every table with checked rows."""
    for table in TABLES:
        if tables[table].any_checked():
            report.extend(run_rules(tables[table], typed[table], ctx, skip[table]))


def run_rules(raw: RawTable, typed, ctx, skip, rules=None, field_checks: bool = True) -> list[Finding]:
    """One table's field constraints (unless ``field_checks`` is False) and cross-field ``rules``, by pandera."""
    from .engines import run_pandera

    return run_pandera(raw, typed, ctx, skip, rules=rules, field_checks=field_checks)


def check_keys(tables: dict[str, RawTable], skip: dict, report: Report) -> None:
    """Primary keys, unique fields and foreign keys, as column operations."""
    from .keys import check_keys as run

    report.extend(run(tables, skip))


def check_with_frictionless(tables: dict[str, RawTable], skip: dict, report: Report) -> None:
    """Structure, constraints, primary and foreign keys, cell by cell (a second opinion)."""
    from .engines import run_frictionless

    report.extend(run_frictionless(tables, skip))


def _one_cause_one_finding(findings: list[Finding]) -> list[Finding]:
    """Drop findings that only follow from another finding on the same row.

    A code that breaks its pattern also fails its foreign key, and a wrong district
    code also breaks the hierarchy rules that read it; the contributor needs to hear
    about the cell, once. A name that names no place, actor or claimant (or several)
    is reported once too: not again as a broken pattern or foreign key of its cell, nor
    as the empty code cells it would have filled.
    """
    from ..contrib.resolve import NAME_RULES, filled_by
    from ..rules import get_rule

    def is_field_rule(f):
        try:
            return get_rule(f.rule).check is None
        except KeyError:
            return False

    field_errors = {(f.file, f.row, f.field) for f in findings
                    if f.severity == ERROR and f.field and is_field_rule(f) and f.rule != "foreign-key"}
    key_errors = field_errors | {(f.file, f.row, f.field) for f in findings if f.rule == "foreign-key"}
    named = {(f.file, f.row, f.field) for f in findings if f.rule in NAME_RULES}
    # A workbook cell holding a formula may read as empty or stale, and a cell too long to
    # be a value is not worth quoting again: their other findings follow.
    formulas = {(f.file, f.row, f.field) for f in findings if f.rule in ("workbook-formula", "cell-too-long")}
    unfilled = {(file, row, code) for file, row, name in named for code in filled_by(name)}
    out = []
    for f in findings:
        cell = (f.file, f.row, f.field)
        if cell in formulas and f.rule not in ("workbook-formula", "cell-too-long"):
            continue
        if f.rule == "foreign-key" and cell in field_errors:
            continue
        if f.rule not in NAME_RULES and is_field_rule(f) and (
                cell in named or (cell in unfilled and f.rule == "required")):
            continue
        try:
            rule = get_rule(f.rule)
        except KeyError:
            rule = None
        if rule is not None and rule.check is not None and f.row is not None:
            if any((f.file, f.row, name) in key_errors for name in rule.inputs):
                continue
        out.append(f)
    return out
