"""Protecting published records: compare a data package with its base.

The base is what a change starts from: a git ref (a branch, tag or commit of the
repository holding the package), a release folder written by ``kachin-events build``,
or a version number of a release in the package's ``releases/`` or ``build/releases/``
folder. :func:`compare_with_base` reports, as findings of
``kachin-events validate --base REF``:

* ``base-removed``: a record of the base (a row of any table, found by its primary key)
  is gone, and it is not an event retired in ``retractions`` (or a row of one);
  corrections and retractions are never removed;
* ``base-id-reused``: an event id of the base now names a different event, a retired
  id is in use again, or a new event has an id at or below the highest one of the base;
* ``base-uncorrected-edit``: a field of an event of the base changed without a
  corrections row (added since the base) giving the new value.

Rows are compared by primary key, never by position: reordering rows or columns is not
a change. Cells are compared by their typed value, so ``24.2549300`` equals ``24.25493``.
"""

from __future__ import annotations

import io
import json
import re
import subprocess
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from ..validation.findings import ERROR, Finding, Report
from ..validation.read import RawTable, UnreadableError, display_path, read_file
from ..schema import TABLES, get_schema

#: Tables whose rows are permanent records. Retractions are never removed; corrections
#: only go with their event when it is retired (their foreign key needs the event, and
#: the releases that published them keep them).
PERMANENT = ("corrections", "retractions")
#: Fields whose change all at once means an id now names another event.
IDENTITY = ("date_start", "event_type", "location")

_GIT_PATHS = ("datapackage.json", "schemas", "data")


class BaseError(UnreadableError):
    """A base that cannot be read: an unknown ref, no git repository, a broken release."""


@dataclass
class _Record:
    """One row: its key, its cells as canonical text, and where it is."""

    key: tuple
    values: dict[str, str]
    raw: dict[str, str]
    file: str  # relative to the package (or release) folder, with /
    line: int
    absent: frozenset  # columns its file lacks: not compared


@dataclass
class _Side:
    """The records of one package, per table and key, and the files of each table."""

    records: dict[str, dict[tuple, _Record]] = field(default_factory=dict)
    files: dict[str, list[str]] = field(default_factory=dict)


# -- reading ------------------------------------------------------------------------------


def _side(raws: dict[str, RawTable], files: dict[str, list[str]]) -> _Side:
    """Type each table with :func:`~kachin_events.validation.coerce.coerce` and index it by primary key."""
    from ..validation.coerce import coerce
    from ..tablefiles import format_cell

    out = _Side(files=files)
    for table in TABLES:
        schema = get_schema(table)
        raw = raws.get(table) or RawTable(table)
        typed, _, _ = coerce(raw, schema)
        names = schema.field_names
        cols = {f.name: typed[f.name].to_list() for f in schema.fields}
        types = {f.name: f.type for f in schema.fields}
        key_fields = schema.primary_key or tuple(names)
        index: dict[tuple, _Record] = {}
        for i, cells in enumerate(raw.rows):
            text = {n: "" if c is None else c for n, c in zip(names, cells)}
            canon = {n: text[n] if cols[n][i] is None else format_cell(cols[n][i], types[n]) for n in names}
            absent = frozenset(n for shown, n in raw.missing if shown == raw.files[i])
            key = tuple(canon[k] for k in key_fields)
            index.setdefault(key, _Record(key, canon, text, raw.files[i], raw.lines[i], absent))
        out.records[table] = index
    return out


def _read_source_package(desc: Path, error=UnreadableError) -> _Side:
    """A source package (every resource a table, multipart paths), read as the validator reads it."""
    from ..validation import package_resources

    root = desc.parent
    raws: dict[str, RawTable] = {}
    files: dict[str, list[str]] = {t: [] for t in TABLES}
    try:
        resources = package_resources(desc, display_path(desc))
    except UnreadableError as exc:
        raise error(exc.file, exc.message) from None
    for table, paths in resources.items():
        for path in paths:
            rel = path.relative_to(root).as_posix()
            try:
                parts, _ = read_file(path, rel, table=table)
            except UnreadableError as exc:
                raise error(exc.file, exc.message) from None
            raw = raws.setdefault(table, RawTable(table))
            for part in parts.values():
                raw.extend(part)
            files[table].append(rel)
    return _side(raws, files)


def _read_release(folder: Path, shown: str) -> _Side:
    """A release folder's CSV tables, through :func:`kachin_events.release.diff.load_release`."""
    from ..release.diff import load_release
    from ..validation.read import to_raw_table

    try:
        data = load_release(folder)
    except (OSError, ValueError) as exc:  # JSON and CSV errors are ValueErrors
        raise BaseError(shown, f"is not a readable release ({exc})") from None
    if not any(t in data.tables for t in TABLES):
        raise BaseError(shown, "has a datapackage.json with none of the tables; give a release folder "
                               "written by `kachin-events build` or a git ref")
    raws, files = {}, {t: [] for t in TABLES}
    for table in TABLES:
        if table in data.tables:
            t = data.tables[table]
            rel = f"csv/{table}.csv"
            records = [(1, list(t.header))] + [(n, list(r)) for n, r in enumerate(t.rows, start=2)]
            raws[table], _ = to_raw_table(table, rel, records)
            files[table].append(rel)
    return _side(raws, files)


def _read_folder(folder: Path, shown: str) -> _Side:
    """A base folder: a source package (a checkout) or a release."""
    from ..validation import PackageError

    desc = folder / "datapackage.json"
    try:
        doc = json.loads(desc.read_text(encoding="utf-8"))
        names = [r.get("name") for r in doc.get("resources", []) if isinstance(r, dict)]
    except (OSError, UnicodeDecodeError, ValueError, AttributeError) as exc:
        raise BaseError(shown, f"has no readable datapackage.json ({exc})") from None
    if names and all(n in TABLES for n in names):
        try:
            return _read_source_package(desc, BaseError)
        except PackageError as exc:
            raise BaseError(shown, exc.message) from None
    return _read_release(folder, shown)


def _git(args: list[str], cwd: Path, shown: str) -> subprocess.CompletedProcess:
    try:
        return subprocess.run(["git", *args], cwd=cwd, capture_output=True, check=False)
    except OSError as exc:
        raise BaseError(shown, f"cannot be read: git is not available ({exc}); give a release folder instead") from None


def _is_ref(ref: str, top: Path) -> bool:
    done = _git(["rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"], top, ref)
    return done.returncode == 0


@contextmanager
def _git_tree(ref: str, top: Path, prefix: str):
    """Write the package files of commit ``ref`` into a temporary folder; yield the package's folder there."""
    import tarfile

    wanted = [f"{prefix}{p}" for p in _GIT_PATHS]
    listed = _git(["ls-tree", "--name-only", ref, "--", *wanted], top, ref)
    present = listed.stdout.decode("utf-8", "replace").split("\n") if listed.returncode == 0 else []
    present = [p for p in present if p]
    if f"{prefix}datapackage.json" not in present:
        msg = f"has no {prefix}datapackage.json in that commit, so there is no base to compare with"
        raise BaseError(ref, msg)
    archive = _git(["archive", "--format=tar", ref, "--", *present], top, ref)
    if archive.returncode != 0:
        msg = f"cannot be read with git archive ({archive.stderr.decode('utf-8', 'replace').strip()})"
        raise BaseError(ref, msg)
    with tempfile.TemporaryDirectory(prefix="kachin-events-base-") as tmp:
        with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
            tar.extractall(tmp, filter="data")
        yield Path(tmp) / prefix


def _release_folders(root: Path) -> list[Path]:
    return [root / "releases", root / "build" / "releases"]


def _read_base(package: Path, base: str) -> tuple[_Side, str]:
    """The base's records and how to name it in messages."""
    from ..release.semver import is_version

    text = str(base)
    path = Path(text)
    if path.name == "datapackage.json" and path.is_file():
        path = path.parent
    if path.is_dir() and (path / "datapackage.json").is_file():
        return _read_folder(path, text), f"the base ({text})"
    if text.startswith("-") or not text.strip():
        raise BaseError(text, "is not a git ref nor a release folder")
    root = package.parent
    top_run = _git(["rev-parse", "--show-toplevel"], root, text)
    if top_run.returncode == 0:
        top = Path(top_run.stdout.decode("utf-8").strip())
        if _is_ref(text, top):
            rel = root.resolve().relative_to(top.resolve()).as_posix()
            prefix = "" if rel == "." else rel + "/"
            with _git_tree(text, top, prefix) as folder:
                return _read_source_package(folder / "datapackage.json", BaseError), f"the base ({text})"
        where = f"is not a branch, tag or commit of the git repository {top}"
    else:
        where = f"is not a folder with a datapackage.json, and {display_path(root)} is not in a git repository"
    if is_version(text):
        for releases in _release_folders(root):
            if (releases / text / "datapackage.json").is_file():
                return _read_folder(releases / text, text), f"the base (release {text})"
        where += f", nor a release in {' or '.join(display_path(r) for r in _release_folders(root))}"
    msg = (f"{where}; give a git ref (a branch such as main, a tag, a commit) or a release folder "
           "written by `kachin-events build` (e.g. releases/0.1.0)")
    raise BaseError(text, msg)


# -- comparing ----------------------------------------------------------------------------


def _id_number(event_id: str) -> int | None:
    m = re.fullmatch(r"[A-Za-z]*([0-9]+)", event_id)
    return int(m.group(1)) if m else None


def _key_text(table: str, rec: _Record) -> str:
    if table == "events":
        return rec.key[0]
    names = get_schema(table).primary_key
    cells = ", ".join(f"{n}={' '.join(v.split())}" for n, v in zip(names, rec.key))
    return f"{table} row ({cells})"


def _home(table: str, rec: _Record, base: _Side, now: _Side) -> str:
    """Where a removed record should be: its file if the package still lists it, else a best guess."""
    files = now.files.get(table, [])
    if rec.file in files:
        return rec.file
    if len(files) == 1:
        return files[0]
    sids = [rec.values["source_id"]] if rec.values.get("source_id") else []
    if "event_id" in rec.values:
        sids += [r.values["source_id"] for r in base.records["event_sources"].values()
                 if r.values["event_id"] == rec.values["event_id"]]
    for sid in sids:
        src = now.records["sources"].get((sid,))
        if src is not None:
            near = [f for f in files if PurePosixPath(f).parent == PurePosixPath(src.file).parent]
            if near:
                return near[0]
    return "datapackage.json"


def _removed(base: _Side, now: _Side, label: str, root: Path) -> list[Finding]:
    retired = {k[0] for k in now.records["retractions"]}
    retractions = display_path(root / now.files["retractions"][0]) if now.files.get("retractions") else "retractions"
    gone: dict[str, list[tuple[str, _Record]]] = {}
    for table in TABLES:
        current = now.records[table]
        for key, rec in base.records[table].items():
            if key in current:
                continue
            if table != "retractions" and rec.values.get("event_id") in retired:
                continue
            gone.setdefault(_home(table, rec, base, now), []).append((table, rec))
    out = []
    for home, items in sorted(gone.items()):
        names = [_key_text(t, r) for t, r in items]
        shown = "; ".join(names[:6]) + (f" and {len(names) - 6} more" if len(names) > 6 else "")
        many = len(names) > 1
        msg = f"{shown} {'were' if many else 'was'} in {label} and {'are' if many else 'is'} gone"
        them = "them" if many else "it"
        if any(t in PERMANENT for t, _ in items):
            msg += (f"; corrections and retractions are permanent records (a correction goes only with its "
                    f"retired event): put {them} back")
        if any(t not in PERMANENT for t, _ in items):
            msg += (f"; put {them} back (moving rows is fine, removing them is not): to remove an event, retire "
                    f"it with a row in {retractions} (reason and a note) and remove its rows; to change an "
                    "event's id, keep the old one (ids never change)")
        value = ", ".join(r.key[0] if t == "events" else "|".join(r.key) for t, r in items)
        out.append(Finding(display_path(root / home), None, None, value, "base-removed", ERROR, msg))
    return out


def _new_corrections(base: _Side, now: _Side) -> dict[tuple[str, str], list[str]]:
    """(event_id, field) -> new values of the corrections rows added since the base."""
    out: dict[tuple[str, str], list[str]] = {}
    for key, rec in now.records["corrections"].items():
        if key not in base.records["corrections"]:
            out.setdefault((rec.values["event_id"], rec.values["field"]), []).append(rec.raw["new_value"].strip())
    return out


def _corrected(fixes: dict, event_id: str, name: str, rec: _Record) -> bool:
    return any(v in (rec.values[name], rec.raw[name].strip()) for v in fixes.get((event_id, name), []))


def _events(base: _Side, now: _Side, label: str, root: Path) -> list[Finding]:
    """base-id-reused and base-uncorrected-edit, event by event."""
    old = {k[0]: r for k, r in base.records["events"].items()}
    old_retired = {k[0]: r for k, r in base.records["retractions"].items()}
    numbers = [n for n in map(_id_number, [*old, *old_retired]) if n is not None]
    top = max(numbers, default=None)
    top_id = next((i for i in [*old, *old_retired] if _id_number(i) == top), None)
    fixes = _new_corrections(base, now)
    fields = [n for n in get_schema("events").field_names if n not in get_schema("events").primary_key]
    corr_files = now.files.get("corrections") or ["the corrections table"]
    out = []
    for key, rec in sorted(now.records["events"].items()):
        eid = key[0]
        file = display_path(root / rec.file)
        fresh = f"give it a new id above {top_id} (`kachin-events add` allocates ids); ids are never reused"
        if eid not in old:
            if eid in old_retired:
                why = old_retired[eid].values.get("reason") or "retired"
                msg = f"{eid} was retired in {label} ({why}) and is used again; {fresh}"
                out.append(Finding(file, rec.line, "event_id", eid, "base-id-reused", ERROR, msg))
            elif top is not None and (_id_number(eid) or 0) <= top:
                msg = (f"{eid} is a new event, but its id is not above {top_id}, the highest id of {label}, "
                       f"so it may have belonged to a removed event; {fresh}")
                out.append(Finding(file, rec.line, "event_id", eid, "base-id-reused", ERROR, msg))
            continue
        was = old[eid]
        both = [n for n in fields if n not in was.absent and n not in rec.absent]
        changed = [n for n in both if was.values[n] != rec.values[n]]
        if all(n in changed for n in IDENTITY) and not all(_corrected(fixes, eid, n, rec) for n in IDENTITY):
            before = ", ".join(f"{n} {was.values[n]!r}" for n in IDENTITY)
            after = ", ".join(f"{n} {rec.values[n]!r}" for n in IDENTITY)
            msg = (f"{eid} was another event in {label} ({before}; now {after}); put the old event back under "
                   f"{eid} and {fresh}")
            out.append(Finding(file, rec.line, "event_id", eid, "base-id-reused", ERROR, msg))
            continue
        for name in changed:
            if _corrected(fixes, eid, name, rec):
                continue
            msg = (f"{eid}'s {name} changed from {was.values[name]!r} in {label} to {rec.values[name]!r} "
                   f"with no correction; add a row to {display_path(root / corr_files[0])} (event_id {eid}, "
                   f"corrected_on (the date of the change), field {name}, old_value {was.values[name]!r}, new_value "
                   f"{rec.values[name]!r}, reason), or undo the edit")
            out.append(Finding(file, rec.line, name, rec.raw[name], "base-uncorrected-edit", ERROR, msg))
    return out


def compare_with_base(package: str | Path | None, base: str | Path) -> list[Finding]:
    """Findings about records of ``base`` that ``package`` removed, reused or edited.

    Parameters
    ----------
    package : path or None
        The current ``datapackage.json`` (or its folder); by default the nearest one.
    base : str or path
        A git ref of the repository holding the package (``main``, ``HEAD~1``, a tag or
        a commit), a release folder (``releases/0.1.0``) or a version number of a
        release in the package's ``releases/`` or ``build/releases/`` folder.

    Returns
    -------
    list of Finding
        ``base-removed``, ``base-id-reused`` and ``base-uncorrected-edit`` errors.

    Raises
    ------
    BaseError
        When the base cannot be found or read.
    UnreadableError
        When a file of the current package cannot be read.

    Examples
    --------
    Nothing published in release 0.1.0 was removed, or edited without a correction, in the
    repository's data (run from the repository's root folder):

    >>> import kachin_events
    >>> kachin_events.compare_with_base("datapackage.json", "releases/0.1.0")
    []
    """
    package, old, now, label = read_with_base(package, base)
    root = package.parent
    return _removed(old, now, label, root) + _events(old, now, label, root)


def read_with_base(package: str | Path | None, base: str | Path) -> tuple[Path, _Side, _Side, str]:
    """The package's descriptor path, the base's records, the package's records, and the base's label.

    Shared by :func:`compare_with_base` and :func:`kachin_events.contrib.changes.diff_with_base`,
    so that both read a base (and the nearest package when ``package`` is None) alike.
    """
    from .. import _paths

    if package is None:
        package = _paths.find_package()
        if package is None:
            raise UnreadableError(".", "no datapackage.json here or in any parent folder to compare with a base")
    package = Path(package)
    package = package / "datapackage.json" if package.is_dir() else package
    now = _read_source_package(package)
    old, label = _read_base(package, str(base))
    return package, old, now, label


def add_base_findings(report: Report, package: Path | None, base: str | Path) -> None:
    """Add :func:`compare_with_base`'s findings to a validation report (used by ``validate``).

    A base that cannot be read makes the report unreadable (exit status 2).
    """
    if package is None:
        report.unreadable = True
        msg = ("--base compares a data package with its base; give no PATHS (the repository's package) "
               "or a datapackage.json, not contributed files")
        report.add(Finding(str(base), None, None, None, "unreadable", ERROR, msg))
        return
    try:
        report.extend(compare_with_base(package, base))
    except UnreadableError as exc:
        if isinstance(exc, BaseError) or not report.unreadable:
            report.unreadable = True
            report.add(Finding(exc.file, None, None, None, "unreadable", ERROR, exc.message))
