"""Every published release of one event: when it appeared, what changed in each, and why.

:func:`history` walks the releases oldest first and compares each with the one before
(:func:`kachin_events.release.diff.diff_data`, on the ``events``, ``corrections`` and
``retractions`` tables only). For every release in which the event appears it says
whether the event was added, changed (field by field, old and new value, with the
reason each ``corrections`` row of that release gives) or unchanged, and in the release
that no longer has it, that it was retired, when and why (its ``retractions`` row), or
merged into another event. Events merged *into* this one are listed too.

By default the releases are the published ones shipped with the package, each file
read checked against the registry's SHA-256 first; give ``releases=`` to trace an event
through any folder of releases (such as one built with ``kachin-events build``).
"""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass, field
from pathlib import Path

from ..integrity import HashMismatchError, refused, sha256_file
from .diff import ReleaseData, diff_data, load_release
from .layout import DESCRIPTOR, csv_path, release_versions
from .published import releases as published_releases

#: The tables a history reads from each release.
TABLES = ("events", "corrections", "retractions")


class UnknownEventError(LookupError):
    """An event id that none of the releases has (nor retired)."""


@dataclass
class HistoryStep:
    """What happened to the event in one release.

    ``status`` is ``"added"`` (first release with it), ``"changed"``, ``"unchanged"``,
    ``"retired"`` (gone, with a retractions row saying why) or ``"removed"`` (gone, with
    no such row). ``changes`` maps each changed field to its (old, new) value;
    ``corrections`` are the corrections rows of the event new in this release,
    ``retirement`` its retractions row, and ``merged_in`` the retractions rows of events
    merged into this one in this release (all as dicts of text, None for empty).
    """

    version: str
    created: str | None
    status: str
    changes: dict[str, tuple] = field(default_factory=dict)
    corrections: list[dict] = field(default_factory=list)
    retirement: dict | None = None
    merged_in: list[dict] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {"version": self.version, "created": self.created, "status": self.status,
                "changes": {f: {"old": o, "new": n} for f, (o, n) in self.changes.items()},
                "corrections": self.corrections, "retirement": self.retirement, "merged_in": self.merged_in}


@dataclass
class EventHistory:
    """An event's history through the releases (see :func:`history`)."""

    event_id: str
    #: Every release looked at, oldest first.
    releases: list[str]
    #: One step per release in which something is said of the event, oldest first.
    steps: list[HistoryStep]

    @property
    def retired(self) -> HistoryStep | None:
        """The release in which the event was retired (or removed), if it was."""
        return next((s for s in self.steps if s.status in ("retired", "removed")), None)

    def to_dict(self) -> dict:
        return {"event_id": self.event_id, "releases": self.releases, "steps": [s.to_dict() for s in self.steps]}

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False)

    def to_text(self) -> str:
        shown = [s.version for s in self.steps if s.status not in ("retired", "removed")]
        lines = [f"{self.event_id}: in {len(shown)} of {len(self.releases)} releases ({', '.join(shown) or 'none'})"]
        for step in self.steps:
            lines += _step_lines(step)
        return "\n".join(lines)


def _value(v) -> str:
    return "(empty)" if v is None else json.dumps(v, ensure_ascii=False) if not isinstance(v, str) else repr(v)


def _why(row: dict) -> str:
    source = f" (source: {row['source_id']})" if row.get("source_id") else ""
    return f"corrected on {row.get('corrected_on')}: {row.get('reason')}{source}"


def _step_lines(step: HistoryStep) -> list[str]:
    when = f" ({step.created})" if step.created else ""
    lines = [f"{step.version}{when}: {step.status}"]
    for name, (old, new) in step.changes.items():
        lines.append(f"  {name}: {_value(old)} -> {_value(new)}")
        lines += [f"    {_why(r)}" for r in step.corrections if r.get("field") == name]
    changed = set(step.changes)
    for r in step.corrections:
        if r.get("field") not in changed:
            lines.append(f"  {r.get('field')}: {_value(r.get('old_value'))} -> {_value(r.get('new_value'))}, {_why(r)}")
    if step.retirement:
        r = step.retirement
        into = f", merged into {r['merged_into']}" if r.get("merged_into") else ""
        note = f": {r['note']}" if r.get("note") else ""
        lines.append(f"  retired on {r.get('retired_on')} ({r.get('reason')}{into}){note}")
    lines += [f"  {r.get('event_id')} was merged into it on {r.get('retired_on')}" for r in step.merged_in]
    return lines


def _ids(data: ReleaseData | None) -> set[str]:
    t = data.tables.get("events") if data else None
    if t is None or "event_id" not in t.header:
        return set()
    i = t.header.index("event_id")
    return {r[i] for r in t.rows}


def _step(event_id: str, old: ReleaseData | None, new: ReleaseData) -> HistoryStep | None:
    d = diff_data(old, new)
    was, is_ = event_id in _ids(old), event_id in _ids(new)
    retirement = next((r for r in d.retirements if r.get("event_id") == event_id), None)
    if not (was or is_ or retirement):
        return None
    if is_:
        changes = d.events.changed.get((event_id,), {}) if was else {}
        status = "changed" if changes else "unchanged" if was else "added"
    else:
        changes, status = {}, "retired" if retirement else "removed"
    return HistoryStep(new.version, new.created, status, dict(changes),
                       [r for r in d.corrections if r.get("event_id") == event_id], retirement,
                       [r for r in d.retirements if r.get("merged_into") == event_id])


def _closest(event_id: str, ids: set[str], n: int = 3) -> list[str]:
    """The ids most like ``event_id`` (difflib's ratio, as it is computed from ``event_id``).

    Examples
    --------
    >>> _closest("KE00001", {"KE000001", "KE000021", "KE000019"}, n=1)
    ['KE000001']
    """
    score = {i: difflib.SequenceMatcher(None, event_id, i).ratio() for i in ids}
    return sorted((i for i in ids if score[i] >= 0.6), key=lambda i: (-score[i], i))[:n]


def _published_folders() -> list[tuple[str, Path]]:
    """The published releases shipped with the package; the files read are checked against the registry."""
    out = []
    for rel in published_releases():
        if rel.folder is None:
            msg = (f"release {rel.version} is published but not shipped with this installation of kachin-events; "
                   "download it (kachin-events download) and give its folder of releases")
            raise FileNotFoundError(msg)
        for name in (DESCRIPTOR, *(csv_path(t) for t in TABLES)):
            want = rel.files.get(name)
            if want is not None and sha256_file(rel.folder / name) != want:
                msg = refused(rel.version, f"{rel.folder / name} does not have the SHA-256 the registry gives it "
                                           f"({want}); the installed copy was changed: reinstall kachin-events")
                raise HashMismatchError(msg)
        out.append((rel.version, rel.folder))
    return out


def history(event_id: str, *, releases: str | Path | None = None) -> EventHistory:
    """Every published release in which an event appears, and what changed in each.

    Parameters
    ----------
    event_id : str
        The event, such as ``"KE000003"``.
    releases : path, optional
        A folder of releases (``X.Y.Z/`` folders, as ``kachin-events build`` writes them);
        by default the published releases shipped with the package.

    Returns
    -------
    EventHistory
        ``steps``: one :class:`HistoryStep` per release that has the event, or retired
        it; ``to_text()`` and ``to_json()`` show them.

    Raises
    ------
    UnknownEventError
        No release has the event (with the closest ids).
    FileNotFoundError, ValueError
        A release cannot be read.
    kachin_events.HashMismatchError
        A published release shipped with the package was changed.

    Examples
    --------
    >>> h = history("KE000001")
    >>> h.steps[0].status, h.steps[0].version == h.releases[0]
    ('added', True)
    >>> history("KE00001")
    Traceback (most recent call last):
    ...
    kachin_events.release.history.UnknownEventError: event KE00001 is in none of the ... Did you mean KE000001 ...?
    """
    if releases is None:
        folders = _published_folders()
    else:
        if not Path(releases).is_dir():
            msg = f"{releases} is not a folder of releases (X.Y.Z/ folders written by `kachin-events build`)"
            raise FileNotFoundError(msg)
        folders = [(v, Path(releases) / v) for v in release_versions(releases)]
    steps, old, seen = [], None, set()
    for _, folder in folders:
        new = load_release(folder, tables=TABLES)
        step = _step(event_id, old, new)
        if step is not None:
            steps.append(step)
        seen |= _ids(new)
        old = new
    versions = [v for v, _ in folders]
    if not folders:
        where = f"in {releases}" if releases is not None else "has been published yet"
        msg = f"event {event_id} has no history: no release {where}"
        raise UnknownEventError(msg)
    if not steps:
        close = _closest(event_id, seen)
        hint = f" Did you mean {' or '.join(close)}?" if close else ""
        msg = (f"event {event_id} is in none of the {len(versions)} releases ({', '.join(versions)}), and none "
               f"retired it; an event added since the latest release appears in the next one.{hint}")
        raise UnknownEventError(msg)
    return EventHistory(event_id, versions, steps)
