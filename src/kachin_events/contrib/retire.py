"""Retiring and correcting published events: the two changes that rewrite rows in place.

An event's id is permanent. When a published event turns out to be wrong, it is either

* **corrected** (:func:`correct_event`): one field of its row changes, and a row in
  ``corrections`` records the old and the new value, the day, the reason and the source
  the correction rests on. The event keeps its id; the next release's change log lists
  the correction with its reason. Or it is
* **retired** (:func:`retire_event`): its row leaves ``events`` together with its rows in
  ``event_sources``, ``event_actors``, ``event_tags`` and ``corrections``, and a row in
  ``retractions`` says when and why (``duplicate``, ``false``, ``out_of_scope``,
  ``coding_error``). Its id is never used again; releases publish the retractions as
  their deletions list.

**Merging** two events is retiring one as a ``duplicate`` with ``merged_into`` naming
the event that stays: the duplicate's claims (its ``event_sources`` rows) move to that
event, except a claim that event already has (the same source and claimant). A
retraction that named the retired event as its ``merged_into`` is pointed on to the new
one, so no deletion points at a retired event.

Both functions rewrite the files they change with the canonical CSV writer
(:mod:`kachin_events.contrib.canonical`); the repository's files are canonical, so every
other row keeps its bytes. The result is validated before
anything is written, and refused with the findings if it is invalid; the files are then
replaced atomically (temporary files in the same folder, then ``os.replace``), so a
refused or failed change leaves every file as it was.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from .. import _paths
from ..validation.read import UnreadableError, display_path
from ..schema import get_schema
from ..tablefiles import format_cell
from .canonical import atomic_write_all

#: The tables whose rows belong to one event, besides ``events`` itself.
LINKED = ("event_sources", "event_actors", "event_tags", "corrections")


class ChangeRefused(Exception):
    """A retirement or correction that was not made; nothing was written.

    ``report`` holds the validation findings when the change would leave the data
    invalid, and is None otherwise.
    """

    def __init__(self, message: str, report=None):
        super().__init__(message)
        self.report = report


@dataclass
class Change:
    """What a retirement or correction did: a summary line and the files it rewrote."""

    summary: str
    files: list[Path] = field(default_factory=list)

    def __str__(self) -> str:
        shown = ", ".join(display_path(p) for p in self.files)
        return f"{self.summary}\nfiles rewritten: {shown}" if shown else self.summary


# -- CSV files ------------------------------------------------------------------------------


@dataclass
class _Record:
    cells: list[str | None]
    line: int  # where it starts in the file (the header is line 1)


class CsvFile:
    r"""A CSV data file as text records, written back in canonical form when changed.

    The repository's files are canonical (``kachin-events fmt``), so rewriting one
    changes only the rows that change: every other row keeps its bytes.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as d:
    ...     p = Path(d) / "event_actors.csv"
    ...     _ = p.write_bytes(b"event_id,actor_id,side\nKE000002,pdf,1\nKE000009,kia,2\n")
    ...     f = CsvFile(p, "event_actors")
    ...     f.set(f.find("event_id", "KE000009")[0], "side", "1")
    ...     f.append({"event_id": "KE000001", "actor_id": "kia", "side": "2"})
    ...     print(f.render().decode(), end="")
    event_id,actor_id,side
    KE000001,kia,2
    KE000002,pdf,1
    KE000009,kia,1
    """

    def __init__(self, path: Path, table: str):
        self.path, self.table = Path(path), table
        self.shown = display_path(self.path)
        if self.path.suffix.lower() != ".csv":
            msg = (f"only CSV data files can be changed by this command; convert the {table} file to CSV "
                   "(UTF-8) and list it in datapackage.json")
            raise UnreadableError(self.shown, msg)
        try:
            text = self.path.read_bytes().decode("utf-8-sig")
        except OSError as exc:
            raise UnreadableError(self.shown, f"cannot be read ({exc.strerror or exc})") from None
        except UnicodeDecodeError as exc:
            msg = f"is not UTF-8 (byte {exc.start}); save it as UTF-8 CSV and try again"
            raise UnreadableError(self.shown, msg) from None
        reader = csv.reader(io.StringIO(text, newline=""), strict=True)
        records = []
        try:
            for cells in reader:
                start = reader.line_num - sum(c.count("\n") for c in cells)
                records.append(_Record([c if c != "" else None for c in cells], start))
        except csv.Error as exc:
            msg = f"is not valid CSV near line {reader.line_num} ({exc}); check the quoting there"
            raise UnreadableError(self.shown, msg) from None
        if not records:
            raise UnreadableError(self.shown, "is empty; a data file has at least its header row")
        self.header = [c or "" for c in records[0].cells]
        self.records = [r for r in records[1:] if r.cells]
        self.dirty = False

    def get(self, record: _Record, name: str) -> str | None:
        i = self.header.index(name) if name in self.header else None
        return record.cells[i] if i is not None and i < len(record.cells) else None

    def find(self, name: str, value: str) -> list[_Record]:
        """The records whose column ``name`` holds ``value``."""
        return [r for r in self.records if self.get(r, name) == value]

    def require(self, name: str) -> None:
        if name not in self.header:
            self.header.append(name)  # the canonical writer writes every column of the schema

    def set(self, record: _Record, name: str, value: str | None) -> None:
        self.require(name)
        record.cells += [None] * (len(self.header) - len(record.cells))
        record.cells[self.header.index(name)] = value
        self.dirty = True

    def remove(self, record: _Record) -> None:
        self.records.remove(record)
        self.dirty = True

    def append(self, values: dict) -> None:
        for name in values:
            self.require(name)
        self.records.append(_Record([values.get(h) for h in self.header], 0))
        self.dirty = True

    def render(self) -> bytes:
        """The file's new bytes, written by the canonical CSV writer."""
        from .canonical import CanonicalError, canonical_csv

        rows = [{h: c for h, c in zip(self.header, r.cells) if h} for r in self.records]
        try:
            return canonical_csv(self.table, rows).encode("utf-8")
        except CanonicalError as exc:
            msg = (f"{self.shown} cannot be rewritten: {exc}. Run `kachin-events validate` and fix the file "
                   "first; nothing was written")
            raise ChangeRefused(msg) from None


# -- the package ----------------------------------------------------------------------------


class _Package:
    """The data files of a package, opened lazily, and the writing of the changed ones."""

    def __init__(self, package):
        from ..validation import package_resources

        path = Path(package) if package is not None else _paths.find_package()
        if path is None:
            raise UnreadableError(".", "no datapackage.json here or in any parent folder; run this in the "
                                       "repository or give --package")
        self.descriptor = path / "datapackage.json" if path.is_dir() else path
        if not self.descriptor.is_file():
            raise UnreadableError(display_path(self.descriptor), "does not exist; give the repository's "
                                                                 "datapackage.json")
        self.root = self.descriptor.parent
        self.paths = package_resources(self.descriptor)
        self._files: dict[Path, CsvFile] = {}

    def files(self, table: str) -> list[CsvFile]:
        out = []
        for p in self.paths.get(table, []):
            if p not in self._files:
                self._files[p] = CsvFile(p, table)
            out.append(self._files[p])
        return out

    def first(self, table: str) -> CsvFile:
        files = self.files(table)
        if not files:
            msg = f"{display_path(self.descriptor)} lists no file for the {table} table; add data/{table}.csv to it"
            raise ChangeRefused(msg)
        return files[0]

    def event(self, event_id: str) -> tuple[CsvFile, _Record]:
        for f in self.files("events"):
            hits = f.find("event_id", event_id)
            if hits:
                return f, hits[0]
        for f in self.files("retractions"):
            for r in f.find("event_id", event_id):
                msg = (f"event {event_id} was already retired on {f.get(r, 'retired_on')} "
                       f"({f.get(r, 'reason')}; {f.shown}, line {r.line}); a retired event cannot be changed")
                raise ChangeRefused(msg)
        shown = ", ".join(f.shown for f in self.files("events"))
        msg = f"there is no event {event_id} in {shown}; check the id (KE and six digits, as in events.csv)"
        raise ChangeRefused(msg)

    def changed(self) -> list[CsvFile]:
        return [f for f in self._files.values() if f.dirty]

    def check_and_write(self) -> list[Path]:
        """Validate the package as it would be, refuse if invalid, then replace the files."""
        files = self.changed()
        report = self._validate(files)
        if not report.valid:
            n = len(report.errors)
            msg = (f"the change would leave the data invalid ({n} error{'s' * (n != 1)}, listed above); "
                   "nothing was written. Fix those first, or choose another value")
            raise ChangeRefused(msg, report)
        atomic_write_all([(f.path, f.render()) for f in files])
        return [f.path for f in files]

    def _validate(self, files: list[CsvFile]):
        """The validation report of the package with ``files`` changed, from a copy."""
        from ..validation import validate

        with tempfile.TemporaryDirectory(prefix="kachin-events-check-") as tmp:
            shadow = Path(tmp) / "package"
            data = self.root / "data"
            if data.is_dir():
                shutil.copytree(data, shadow / "data")
            for paths in self.paths.values():
                for p in paths:
                    target = shadow / p.relative_to(self.root)
                    if not target.exists():
                        target.parent.mkdir(parents=True, exist_ok=True)
                        shutil.copyfile(p, target)
            shutil.copyfile(self.descriptor, shadow / self.descriptor.name)
            for f in files:
                (shadow / f.path.relative_to(self.root)).write_bytes(f.render())
            report = validate(shadow / self.descriptor.name)
            return _relocate(report, shadow, self.root)


def _relocate(report, shadow: Path, root: Path):
    """The report with the copy's paths shown as the real files' paths."""
    prefixes = sorted({str(shadow), str(shadow.resolve()), display_path(shadow)}, key=len, reverse=True)
    shown_root = display_path(root)

    def real(shown):
        if shown is None:
            return shown
        for prefix in prefixes:
            if str(shown).startswith(prefix + os.sep):
                return display_path(root / str(shown)[len(prefix) + 1:])
        return shown

    def text(message):
        for prefix in prefixes:
            message = message.replace(prefix, shown_root)
        return message

    report.findings = [dataclasses.replace(f, file=real(f.file), message=text(f.message)) for f in report.findings]
    report.files = [real(f) for f in report.files]
    report.columns = {real(k): v for k, v in report.columns.items()}
    return report


def _day(today) -> dt.date:
    if today is None:
        return dt.date.today()
    if isinstance(today, dt.date):
        return today
    try:
        return dt.date.fromisoformat(str(today))
    except ValueError:
        msg = f"the date {today!r} is not a date written YYYY-MM-DD"
        raise ChangeRefused(msg) from None


# -- retiring -------------------------------------------------------------------------------


def retire_event(event_id: str, reason: str, note: str, merged_into: str | None = None,
                 package=None, today=None) -> Change:
    """Retire a published event: remove it and its linked rows, and record why.

    Parameters
    ----------
    event_id : str
        The event to retire.
    reason : str
        One of the ``reason`` values of the retractions schema (``duplicate``, ``false``,
        ``out_of_scope``, ``coding_error``).
    note : str
        What was found, in a sentence or two.
    merged_into : str, optional
        For a duplicate (and only then): the event that stays. The duplicate's claims
        move to it, except those it already has (same source and claimant).
    package : path, optional
        The ``datapackage.json`` (or its folder); by default the nearest one.
    today : datetime.date or str, optional
        The day of the retirement (default: today).

    Returns
    -------
    Change

    Raises
    ------
    ChangeRefused
        An unknown or already retired event, a wrong reason or merge target, or a result
        that does not validate (``report`` holds the findings). Nothing is written.
    kachin_events.validation.read.UnreadableError
        A data file that cannot be read.
    """
    reasons = get_schema("retractions").field("reason").enum
    if reason not in reasons:
        msg = f"the reason {reason!r} is not one of {', '.join(reasons)}; pick the one that says why"
        raise ChangeRefused(msg)
    merged_into = merged_into or None
    if (reason == "duplicate") != (merged_into is not None):
        msg = ("a duplicate needs --merged-into, the id of the event that stays"
               if reason == "duplicate" else
               f"--merged-into is only for a duplicate; retire {event_id} with reason duplicate to merge it")
        raise ChangeRefused(msg)
    if merged_into == event_id:
        msg = f"{event_id} cannot be merged into itself; give the id of the event that stays"
        raise ChangeRefused(msg)
    day = _day(today)
    pkg = _Package(package)
    events, row = pkg.event(event_id)
    if merged_into is not None:
        pkg.event(merged_into)  # refuses an unknown or retired target
    events.remove(row)
    counts: dict[str, int] = {}
    moved = _move_claims(pkg, event_id, merged_into) if merged_into else 0
    for table in LINKED:
        for f in pkg.files(table):
            for r in f.find("event_id", event_id):
                f.remove(r)
                counts[table] = counts.get(table, 0) + 1
    for f in pkg.files("retractions"):
        for r in f.find("merged_into", event_id):
            if merged_into is None:
                msg = (f"{f.get(r, 'event_id')} was merged into {event_id} ({f.shown}, line {r.line}); "
                       f"retire {event_id} as a duplicate of another event, so that its duplicates "
                       "point on to that one, or re-code them first")
                raise ChangeRefused(msg)
            f.set(r, "merged_into", merged_into)
            counts["retractions repointed"] = counts.get("retractions repointed", 0) + 1
    pkg.first("retractions").append({"event_id": event_id, "retired_on": day.isoformat(), "reason": reason,
                                     "merged_into": merged_into, "note": note or None})
    written = pkg.check_and_write()
    done = [f"{n} {t} row{'s' * (n != 1)} removed" for t, n in counts.items() if t != "retractions repointed"]
    if moved:
        done.append(f"{moved} claim{'s' * (moved != 1)} moved to {merged_into}")
    if counts.get("retractions repointed"):
        done.append(f"{counts['retractions repointed']} earlier retraction(s) now point to {merged_into}")
    into = f", merged into {merged_into}" if merged_into else ""
    summary = f"retired {event_id} ({reason}{into}) on {day.isoformat()}" + (f": {'; '.join(done)}" if done else "")
    return Change(summary, written)


def _move_claims(pkg: _Package, event_id: str, target: str) -> int:
    """Give the duplicate's claims to ``target``, except those it already has; the count moved."""
    key = [k for k in get_schema("event_sources").primary_key if k != "event_id"]
    files = pkg.files("event_sources")
    have = {tuple(f.get(r, k) for k in key) for f in files for r in f.find("event_id", target)}
    moved = 0
    for f in files:
        for r in f.find("event_id", event_id):
            claim = tuple(f.get(r, k) for k in key)
            if claim not in have:
                f.set(r, "event_id", target)
                have.add(claim)
                moved += 1
    return moved


# -- correcting -----------------------------------------------------------------------------


def canonical_value(table: str, name: str, text: str | None) -> str | None:
    """A value as its field's canonical text (a number that reads back the same, ...).

    Raises
    ------
    ChangeRefused
        When the text does not fit the field's type.

    Examples
    --------
    >>> canonical_value("events", "latitude", "24.2549300"), canonical_value("events", "civilian_targeting", "TRUE")
    ('24.25493', 'true')
    >>> canonical_value("events", "fatalities_best", "") is None
    True
    >>> canonical_value("events", "fatalities_best", "about 5")
    Traceback (most recent call last):
    ...
    kachin_events.contrib.retire.ChangeRefused: the new fatalities_best 'about 5' is not a whole number: write it like 12 (no decimals, no thousands separators)
    """
    from ..validation.coerce import _EXPECT, FALSE_VALUES, TRUE_VALUES

    if text is None or text.strip() == "":
        return None
    type_ = get_schema(table).field(name).type
    try:
        if type_ == "integer":
            return format_cell(int(text), type_)
        if type_ == "number":
            return format_cell(float(text), type_)
        if type_ == "date":
            return format_cell(dt.date.fromisoformat(text), type_)
        if type_ == "boolean":
            if text not in TRUE_VALUES + FALSE_VALUES:
                raise ValueError(text)
            return format_cell(text in TRUE_VALUES, type_)
    except ValueError:
        msg = f"the new {name} {text!r} {_EXPECT[type_]}"
        raise ChangeRefused(msg) from None
    return text


def correct_event(event_id: str, field: str, new_value: str | None, reason: str, source_id: str | None = None,
                  package=None, today=None) -> Change:
    """Correct one field of a published event and record the correction.

    The event keeps its id; a ``corrections`` row records the old and new value, the
    day, the reason and the source the correction rests on, and the next release's
    change log lists it with its reason.

    Parameters
    ----------
    event_id : str
        The event to correct.
    field : str
        A column of the events table (not ``event_id``: an id never changes).
    new_value : str or None
        The new value as text; empty or None empties the field.
    reason : str
        Why the value changes, in a sentence.
    source_id : str, optional
        The source the correction rests on (empty for a coding error).
    package : path, optional
        The ``datapackage.json`` (or its folder); by default the nearest one.
    today : datetime.date or str, optional
        The day of the correction (default: today).

    Returns
    -------
    Change

    Raises
    ------
    ChangeRefused
        An unknown or retired event, an unknown field, an unchanged value, a second
        correction of the field on the same day, or a result that does not validate
        (``report`` holds the findings). Nothing is written.
    kachin_events.validation.read.UnreadableError
        A data file that cannot be read.
    """
    from ..validation.findings import did_you_mean

    names = get_schema("events").field_names
    if field not in names:
        hint = did_you_mean(field, names)
        msg = (f"the events table has no field {field!r}" + (f"; did you mean {hint}?" if hint else "")
               + " (see the codebook for the columns)")
        raise ChangeRefused(msg)
    key = get_schema("events").primary_key
    if field in key:
        msg = (f"{field} is the event's id, which never changes; to replace the event, retire it "
               "(kachin-events retire) and add the new one")
        raise ChangeRefused(msg)
    day = _day(today)
    pkg = _Package(package)
    events, row = pkg.event(event_id)
    old = events.get(row, field)
    new = canonical_value("events", field, new_value)
    if new == old:
        msg = f"{event_id} already has {field} = {old!r} ({events.shown}, line {row.line}); nothing to correct"
        raise ChangeRefused(msg)
    log = pkg.first("corrections")
    for f in pkg.files("corrections"):
        for r in f.find("event_id", event_id):
            if f.get(r, "field") == field and f.get(r, "corrected_on") == day.isoformat():
                msg = (f"{field} of {event_id} was already corrected on {day.isoformat()} ({f.shown}, line "
                       f"{r.line}); edit that row and the event together, or give another --date")
                raise ChangeRefused(msg)
    events.set(row, field, new)
    log.append({"event_id": event_id, "corrected_on": day.isoformat(), "field": field, "old_value": old,
                "new_value": new, "reason": reason or None, "source_id": source_id or None})
    written = pkg.check_and_write()
    return Change(f"corrected {event_id}: {field} {old!r} -> {new!r} on {day.isoformat()}", written)
