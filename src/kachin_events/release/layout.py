"""The layout of a release: the one module that knows where each file of a release lives.

A release ``X.Y.Z`` is a folder and a zip, side by side in a folder of releases::

    X.Y.Z/
      datapackage.json          Data Package v2 describing every file below
      SHA256SUMS                "<sha256>  <path>" for every other file, sorted by path
      CHANGELOG.md              release notes: the diff with the previous release
      csv/<table>.csv           every table
      parquet/<table>.parquet   the same rows, typed
      exports/acled.csv         the events in other layouts (EXPORT_FILES)
      exports/...
    kachin-events-X.Y.Z.zip     the same files under kachin-events-X.Y.Z/

Anything else in a folder of releases is not a release: a folder counts only when its
name is a version number and it holds a ``datapackage.json``, so the hidden staging
folders of builds (``.building-...``) and downloads are never taken for releases.

Published releases are kept in the repository under ``releases/`` and shipped inside
the wheel (``kachin_events/_bundled/releases/``): :func:`published_root` is that folder
and :func:`bundled_release` finds one release in it, so that a published release loads
without any network access.
"""

from __future__ import annotations

from pathlib import Path

from .semver import is_version, parse_version

#: The release's data package descriptor.
DESCRIPTOR = "datapackage.json"
#: The checksums of every other file of the release.
SUMS = "SHA256SUMS"
#: The release notes.
CHANGELOG = "CHANGELOG.md"
#: The prefix of the hidden staging folders builds write into (see :mod:`kachin_events.staging`).
STAGING = ".building-"
#: The folder of published releases, at the repository root and in the wheel's bundle.
PUBLISHED = "releases"
#: The file of each export, by the name of its resource in the release's descriptor.
EXPORT_FILES = {
    "acled-export": "exports/acled.csv",
    "ucdp-export": "exports/ucdp_ged.csv",
    "events-hxl": "exports/events_hxl.csv",
    "events-geojson": "exports/events.geojson",
    "deletions": "exports/deletions.csv",
    # The flat view (kachin_events.flat): one row per event with names joined in.
    "events-flat": "exports/events_flat.csv",
    "events-flat-parquet": "exports/events_flat.parquet",
}


def csv_path(table: str) -> str:
    """Where a table's CSV file is in a release.

    Examples
    --------
    >>> csv_path("events")
    'csv/events.csv'
    """
    return f"csv/{table}.csv"


def parquet_path(table: str) -> str:
    """Where a table's Parquet file is in a release.

    Examples
    --------
    >>> parquet_path("events")
    'parquet/events.parquet'
    """
    return f"parquet/{table}.parquet"


def parquet_resource(table: str) -> str:
    """The name of a table's Parquet resource in the release's descriptor.

    Examples
    --------
    >>> parquet_resource("events")
    'events-parquet'
    """
    return f"{table}-parquet"


def zip_top(version: str) -> str:
    """The folder a release's zip holds its files under.

    Examples
    --------
    >>> zip_top("0.1.0")
    'kachin-events-0.1.0'
    """
    return f"kachin-events-{version}"


def zip_name(version: str) -> str:
    """The file name of a release's zip, next to its folder.

    Examples
    --------
    >>> zip_name("0.1.0")
    'kachin-events-0.1.0.zip'
    """
    return f"{zip_top(version)}.zip"


def zip_version(name: str) -> str | None:
    """The version a zip's file name stands for (None when it is not a release's zip).

    Examples
    --------
    >>> zip_version("kachin-events-0.1.0.zip"), zip_version("notes.zip")
    ('0.1.0', None)
    """
    prefix, suffix = zip_top(""), ".zip"
    if not (name.startswith(prefix) and name.endswith(suffix)):
        return None
    version = name[len(prefix):-len(suffix)]
    return version if is_version(version) else None


def expected_files(tables=None) -> set[str]:
    """Every file a release holds (paths relative to its folder).

    Examples
    --------
    >>> sorted(expected_files(["events"]))[:4]
    ['CHANGELOG.md', 'SHA256SUMS', 'csv/events.csv', 'datapackage.json']
    """
    if tables is None:
        from ..schema import TABLES

        tables = TABLES
    files = {DESCRIPTOR, SUMS, CHANGELOG, *EXPORT_FILES.values()}
    return files | {csv_path(t) for t in tables} | {parquet_path(t) for t in tables}


def is_table_resource(resource) -> bool:
    """Whether a resource of a release's descriptor is one of its CSV tables (with its schema).

    Examples
    --------
    >>> is_table_resource({"name": "events", "path": "csv/events.csv", "schema": {"fields": []}})
    True
    >>> is_table_resource({"name": "acled-export", "path": "exports/acled.csv", "schema": {"fields": []}})
    False
    """
    return (isinstance(resource, dict) and isinstance(resource.get("path"), str)
            and resource["path"].startswith("csv/") and isinstance(resource.get("schema"), dict))


def files_in(folder: str | Path) -> dict[str, Path]:
    """Every plain file under ``folder``, by its path relative to it (``/``-separated), sorted.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as d:
    ...     (Path(d) / "csv").mkdir()
    ...     _ = (Path(d) / "csv" / "events.csv").write_text("x")
    ...     list(files_in(d))
    ['csv/events.csv']
    """
    folder = Path(folder)
    return {p.relative_to(folder).as_posix(): p for p in sorted(folder.rglob("*")) if p.is_file()}


def sums_text(digests: dict[str, str]) -> str:
    """The text of a ``SHA256SUMS`` file: ``<hex>  <path>`` per file, sorted by path.

    It reads with ``sha256sum --check SHA256SUMS``; parse it with
    :func:`kachin_events.integrity.parse_sha256sums`.

    Examples
    --------
    >>> print(sums_text({"b.csv": "b" * 64, "a.csv": "a" * 64}), end="")  # doctest: +ELLIPSIS
    aaaa...  a.csv
    bbbb...  b.csv
    """
    return "".join(f"{digests[rel]}  {rel}\n" for rel in sorted(digests))


# -- folders of releases -------------------------------------------------------------------


def release_versions(releases: str | Path) -> list[str]:
    """The versions released in a folder of releases, oldest first.

    A release is a sub-folder named like ``0.1.0`` holding a ``datapackage.json``;
    anything else (staging folders, zips, notes) is ignored.

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
             if p.is_dir() and is_version(p.name) and (p / DESCRIPTOR).is_file()]
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


def resolve_release(ref: str | Path, releases: str | Path | None = None) -> Path:
    """A release folder from a path, or from a version number in ``releases``.

    Raises
    ------
    FileNotFoundError
        When ``ref`` is neither a folder holding a ``datapackage.json`` nor a version
        released in ``releases``.

    Examples
    --------
    >>> resolve_release("9.9.9", "/nonexistent")
    Traceback (most recent call last):
    ...
    FileNotFoundError: no release 9.9.9 in /nonexistent (no folder /nonexistent/9.9.9 with a datapackage.json)
    """
    path = Path(ref)
    if (path / DESCRIPTOR).is_file():
        return path
    if releases is not None and is_version(str(ref)):
        candidate = Path(releases) / str(ref)
        if (candidate / DESCRIPTOR).is_file():
            return candidate
        msg = f"no release {ref} in {releases} (no folder {candidate} with a {DESCRIPTOR})"
        raise FileNotFoundError(msg)
    msg = f"{ref} is not a release folder (it has no {DESCRIPTOR}) nor a version number in the releases folder"
    raise FileNotFoundError(msg)


# -- the published releases ----------------------------------------------------------------


def published_root() -> Path:
    """The folder of the published releases shipped with the package.

    ``releases/`` at the root of a checkout; ``kachin_events/_bundled/releases/`` in an
    installed wheel (next to the data snapshot, see :mod:`kachin_events._paths`).

    Examples
    --------
    >>> published_root().name
    'releases'
    """
    from .. import _paths

    return _paths.snapshot_package().parent / PUBLISHED


def bundled_release(version: str) -> Path | None:
    """The folder of release ``version`` shipped with the package, or None when it has none.

    A folder found here is not yet verified: read it through
    :class:`kachin_events.fetch.Release` (``offline=True``), which checks every file
    against the registry before it is used.

    Examples
    --------
    >>> bundled_release("999.0.0") is None
    True
    """
    parse_version(str(version))
    folder = published_root() / str(version)
    return folder if (folder / DESCRIPTOR).is_file() and not folder.is_symlink() else None
