"""Which version a new release may take in a folder of releases.

What ``kachin-events build`` checks before it writes anything (the rules are in
:mod:`kachin_events.release.semver`):

* :func:`refuse_existing` -- the version is new: no folder and no zip of it;
* :func:`refuse_not_above` -- it is above every release already in the folder;
* :func:`check_version` -- it is greater than the previous release's, bumps at least
  what the changes since it need (:func:`kachin_events.release.diff.required_bump`),
  and brings back no event id that an earlier release had and a later one removed.

This module sits above :mod:`~kachin_events.release.semver` (numbers) and
:mod:`~kachin_events.release.diff` (changes), so that neither imports the other.
"""

from __future__ import annotations

from pathlib import Path

from .diff import ReleaseData, ReleaseDiff, diff_data, load_release, read_csv_text
from .layout import csv_path, previous_version, release_versions, resolve_release, zip_name
from .semver import VersionError, bump_kind, bump_rank, next_version, parse_version


class ReleaseError(Exception):
    """A release that cannot be built; the message says why and what to do."""


class ReleaseExistsError(ReleaseError):
    """The version is already in the releases folder."""


def refuse_existing(out: str | Path, version: str) -> None:
    """Refuse a version whose folder or zip is already in the folder of releases ``out``.

    Raises
    ------
    ReleaseExistsError
        Naming the folder or zip that is there.

    Examples
    --------
    >>> refuse_existing("/nonexistent", "0.1.0")
    """
    out = Path(out)
    for path in (out / version, out / zip_name(version)):
        if path.exists():
            msg = (f"release {version} already exists: {path}. A release is never overwritten; "
                   "build a new version, or remove the old one yourself if it was never published")
            raise ReleaseExistsError(msg)


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
    kachin_events.release.semver.VersionError: version 0.2.0 is already released in ...: a release is never rebuilt or replaced; build a version above 0.2.0
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


def check_version(version: str, out: Path, new: ReleaseData | None, previous=None) -> ReleaseDiff:
    """Compare the data about to be released with the previous release; refuse a wrong version.

    Parameters
    ----------
    version : str
        The version about to be built.
    out : Path
        The folder of releases; the previous release and the earlier ones are found there.
    new : kachin_events.release.diff.ReleaseData
        The data about to be released.
    previous : path or str, optional
        The release to compare with, instead of the highest version in ``out`` below
        ``version``.

    Returns
    -------
    kachin_events.release.diff.ReleaseDiff
        The diff with the previous release (with nothing, for a first release).

    Raises
    ------
    VersionError
        When ``version`` is not above every release in ``out`` (:func:`refuse_not_above`),
        is not greater than the previous release's, is a smaller bump than the changes
        need, or brings back an event id an earlier release retired.
    """
    out = Path(out)
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
    reasons = diff.bump_reasons()
    if reasons and bump_rank(reasons[0][0]) > bump_rank(kind):
        need = reasons[0][0]
        why = [r for b, r in reasons if bump_rank(b) > bump_rank(kind)]
        msg = (f"version {version} is a {kind} release after {old_version}, but the changes need a {need} "
               f"release: {'; '.join(why)}. Build {next_version(old_version, need)} instead")
        raise VersionError(msg)
    refuse_reuse(version, out, old, new)
    return diff


def _event_ids(data: ReleaseData | None) -> set[str]:
    t = data.tables.get("events") if data else None
    if t is None or "event_id" not in t.header:
        return set()
    i = t.header.index("event_id")
    return {r[i] for r in t.rows}


def refuse_reuse(version: str, out: Path, old: ReleaseData | None, new: ReleaseData) -> None:
    """Refuse event ids that are new since ``old`` but were in an earlier release of ``out``.

    An id is never reused: a retired event's id stays retired.

    Raises
    ------
    VersionError
        Naming the ids and the release that had them.
    """
    back = _event_ids(new) - _event_ids(old)
    if not back:
        return
    target = parse_version(version)
    for v in release_versions(out):
        if parse_version(v) >= target:
            continue
        path = Path(out) / v / csv_path("events")
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
