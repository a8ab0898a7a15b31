"""Version numbers of data releases, and which changes need which bump.

Releases are numbered ``MAJOR.MINOR.PATCH`` (plain Semantic Versioning, no pre-release
or build suffix). For data, the public contract is the set of columns and what they
mean; the rules, applied by :func:`kachin_events.diff.required_bump`, are:

* **MAJOR** -- a table or column is removed or renamed (a rename is a removal plus an
  addition), or a column's meaning changes: its type, its constraints (pattern,
  required, minimum ...), the table's keys, the column order, or allowed values or
  categories are removed or redefined.
* **MINOR** -- records are added, new columns or tables, new allowed values or
  categories; and records are *removed*. A removed event is a deletion whose id is
  retired, never reused (a release that brings a retired id back is refused), so
  nothing that worked on the old columns breaks: code keeps working, only counts
  change, which is what a minor release announces. A *retirement* (``kachin-events
  retire``: the event removed, a ``retractions`` row saying why, the id in the
  release's deletions list) is therefore minor, and so is a merge (a retirement as a
  duplicate).
* **PATCH** -- corrections only: changed values of existing records, or wording of
  descriptions and titles. A recorded correction (``kachin-events correct``: the value
  changed and a ``corrections`` row added) stays a patch: rows added to
  ``corrections`` only record changed values.

There is no exception for ``0.x`` versions: a breaking change needs a new major
version whatever the current one is, so ``0.1.0`` is as binding as ``1.0.0``.

:func:`check_version` is what ``kachin-events build`` applies: the new version must be
above every release already in the releases folder (not equal to one: a release is
never rebuilt), greater than the previous release's
(the highest in the folder below it, or the one given with ``--previous``),
bump at least what the changes need, and bring back no event id that an earlier
release had and a later one removed.
"""

from __future__ import annotations

import re
from pathlib import Path

#: Bump kinds from the smallest to the largest.
BUMPS = ("patch", "minor", "major")


class VersionError(ValueError):
    """A version number that does not fit the changes since the previous release."""


_VERSION = re.compile(r"(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)")


def parse_version(text: str) -> tuple[int, int, int]:
    """``"X.Y.Z"`` as a tuple of three integers.

    Raises
    ------
    ValueError
        When ``text`` is not three dot-separated whole numbers without leading zeros.

    Examples
    --------
    >>> parse_version("0.10.2")
    (0, 10, 2)
    >>> parse_version("1.0")
    Traceback (most recent call last):
    ...
    ValueError: version '1.0' is not of the form MAJOR.MINOR.PATCH, like 0.1.0
    """
    m = _VERSION.fullmatch(str(text).strip())
    if not m:
        msg = f"version {text!r} is not of the form MAJOR.MINOR.PATCH, like 0.1.0"
        raise ValueError(msg)
    return int(m.group(1)), int(m.group(2)), int(m.group(3))


def is_version(text: str) -> bool:
    """Whether ``text`` is a release version number.

    Examples
    --------
    >>> is_version("0.1.0"), is_version(".building-x"), is_version("01.2.3")
    (True, False, False)
    """
    return _VERSION.fullmatch(text) is not None


def bump_kind(old: str, new: str) -> str | None:
    """Which part of the version number goes up from ``old`` to ``new``.

    Returns None when ``new`` is not greater than ``old``.

    Examples
    --------
    >>> bump_kind("0.1.0", "0.1.1"), bump_kind("0.1.3", "0.2.0"), bump_kind("0.9.9", "1.0.0")
    ('patch', 'minor', 'major')
    >>> bump_kind("0.2.0", "0.1.9") is None
    True
    """
    a, b = parse_version(old), parse_version(new)
    if b <= a:
        return None
    if b[0] > a[0]:
        return "major"
    if b[1] > a[1]:
        return "minor"
    return "patch"


def bump_rank(kind: str | None) -> int:
    """Order bump kinds: None < patch < minor < major.

    Examples
    --------
    >>> sorted(["major", None, "patch"], key=bump_rank)
    [None, 'patch', 'major']
    """
    return 0 if kind is None else BUMPS.index(kind) + 1


def release_versions(releases: str | Path) -> list[str]:
    """The versions released in a folder of releases, oldest first.

    A release is a sub-folder named like ``0.1.0`` holding a ``datapackage.json``;
    anything else (temporary build folders, zips, notes) is ignored.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as d:
    ...     for v in ("0.10.0", "0.2.0", ".building-0.3.0"):
    ...         (Path(d) / v).mkdir()
    ...         _ = (Path(d) / v / "datapackage.json").write_text("{}")
    ...     release_versions(d)
    ['0.2.0', '0.10.0']
    """
    base = Path(releases)
    if not base.is_dir():
        return []
    found = [p.name for p in base.iterdir()
             if p.is_dir() and is_version(p.name) and (p / "datapackage.json").is_file()]
    return sorted(found, key=parse_version)


def previous_version(releases: str | Path, version: str) -> str | None:
    """The highest version released in ``releases`` below ``version`` (None if none).

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as d:
    ...     for v in ("0.1.0", "0.2.0", "1.0.0"):
    ...         (Path(d) / v).mkdir()
    ...         _ = (Path(d) / v / "datapackage.json").write_text("{}")
    ...     previous_version(d, "0.3.0"), previous_version(d, "0.1.0")
    ('0.2.0', None)
    """
    target = parse_version(version)
    below = [v for v in release_versions(releases) if parse_version(v) < target]
    return below[-1] if below else None


def _next_version(old: str, bump: str) -> str:
    major, minor, patch = parse_version(old)
    nxt = {"major": (major + 1, 0, 0), "minor": (major, minor + 1, 0), "patch": (major, minor, patch + 1)}[bump]
    return ".".join(map(str, nxt))


def refuse_not_above(version: str, out: str | Path) -> None:
    """Refuse a version that is not above every release already in the folder ``out``.

    Releases only go up: a version below one already in the folder would make "the
    latest release" ambiguous for everyone who downloads from it, and the same version
    again would replace a release that others may already hold.

    Raises
    ------
    VersionError
        When a release in ``out`` is equal to or above ``version``.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as d:
    ...     (Path(d) / "0.2.0").mkdir()
    ...     _ = (Path(d) / "0.2.0" / "datapackage.json").write_text("{}")
    ...     refuse_not_above("0.3.0", d)
    ...     refuse_not_above("0.2.0", d)
    Traceback (most recent call last):
    ...
    kachin_events.semver.VersionError: version 0.2.0 is already released in ...: a release is never rebuilt or replaced; build a version above 0.2.0
    """
    out = Path(out)
    target = parse_version(version)
    found = release_versions(out)
    if version in found:
        msg = (f"version {version} is already released in {out}: a release is never rebuilt or replaced; "
               f"build a version above {found[-1]}")
        raise VersionError(msg)
    above = [v for v in found if parse_version(v) > target]
    if above:
        msg = (f"version {version} is below the newest release {above[-1]} in {out}; releases only go up: "
               f"build a version above {above[-1]}")
        raise VersionError(msg)


def check_version(version: str, out: Path, new, previous=None):
    """Compare the data about to be released with the previous release; refuse a wrong version.

    Parameters
    ----------
    version : str
        The version about to be built.
    out : Path
        The folder of releases; the previous release and the earlier ones are found there.
    new : kachin_events.diff.ReleaseData
        The data about to be released.
    previous : path or str, optional
        The release to compare with, instead of the highest version in ``out`` below
        ``version``.

    Returns
    -------
    kachin_events.diff.ReleaseDiff
        The diff with the previous release (with nothing, for a first release).

    Raises
    ------
    VersionError
        When ``version`` is not above every release in ``out`` (:func:`refuse_not_above`),
        is not greater than the previous release's, is a smaller bump than the changes
        need, or brings back an event id an earlier release retired.
    """
    from .diff import bump_reasons, diff_data, load_release, resolve_release

    refuse_not_above(version, out)
    if previous is None:
        prev = previous_version(out, version)
        prev_dir = out / prev if prev else None
    else:
        prev_dir = resolve_release(previous, out)
    old = load_release(prev_dir) if prev_dir else None
    diff = diff_data(old, new)
    if old is None:
        return diff
    old_version = old.version or prev_dir.name
    kind = bump_kind(old_version, version)
    if kind is None:
        msg = f"version {version} is not greater than the previous release {old_version} ({prev_dir})"
        raise VersionError(msg)
    reasons = bump_reasons(diff)
    if reasons and bump_rank(reasons[0][0]) > bump_rank(kind):
        need = reasons[0][0]
        why = [r for b, r in reasons if bump_rank(b) > bump_rank(kind)]
        msg = (f"version {version} is a {kind} release after {old_version}, but the changes need a {need} "
               f"release: {'; '.join(why)}. Build {_next_version(old_version, need)} instead")
        raise VersionError(msg)
    _refuse_reuse(version, out, old, new)
    return diff


def _event_ids(data) -> set[str]:
    t = data.tables.get("events") if data else None
    if t is None or "event_id" not in t.header:
        return set()
    i = t.header.index("event_id")
    return {r[i] for r in t.rows}


def _refuse_reuse(version: str, out: Path, old, new) -> None:
    from .diff import read_csv_text

    back = _event_ids(new) - _event_ids(old)
    if not back:
        return
    target = parse_version(version)
    for v in release_versions(out):
        if parse_version(v) >= target:
            continue
        path = out / v / "csv" / "events.csv"
        if not path.is_file():
            continue
        header, rows = read_csv_text(path)
        if "event_id" not in header:
            continue
        i = header.index("event_id")
        reused = sorted(back & {r[i] for r in rows})
        if reused:
            msg = (f"event ids {', '.join(reused)} were in release {v} and removed since; an id is never "
                   "reused: give these events new ids")
            raise VersionError(msg)
