"""Version numbers of data releases, and which changes need which bump.

Releases are numbered ``MAJOR.MINOR.PATCH`` (plain Semantic Versioning, no pre-release
or build suffix). For data, the public contract is the set of columns and what they
mean; the rules, applied by :func:`kachin_events.release.diff.required_bump`, are:

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

:func:`kachin_events.release.versioning.check_version` is what ``kachin-events build``
applies: the new version must be above every release already in the releases folder
(not equal to one: a release is never rebuilt), greater than the previous release's
(the highest in the folder below it, or the one given with ``--previous``), bump at
least what the changes need, and bring back no event id that an earlier release had
and a later one removed.

This module only knows version numbers: it reads no release and imports nothing of
the package, so that every other release module can use it.
"""

from __future__ import annotations

import re

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


def next_version(old: str, bump: str) -> str:
    """The smallest version after ``old`` with a ``bump`` (``"patch"``, ``"minor"`` or ``"major"``).

    Examples
    --------
    >>> next_version("0.1.3", "patch"), next_version("0.1.3", "minor"), next_version("0.1.3", "major")
    ('0.1.4', '0.2.0', '1.0.0')
    """
    major, minor, patch = parse_version(old)
    nxt = {"major": (major + 1, 0, 0), "minor": (major, minor + 1, 0), "patch": (major, minor, patch + 1)}[bump]
    return ".".join(map(str, nxt))
