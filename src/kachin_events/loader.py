"""Loading a table as a data frame: the snapshot shipped with the package, or any
published release, downloaded once, verified and cached.

With no version, :func:`load` reads the data snapshot inside the installed package and
never touches the network. With a version, the release's files are fetched with pooch
from ``{base_url}/{version}/`` into ``{cache}/{version}/`` (:mod:`kachin_events.fetch`),
and nothing is used before it is verified (:mod:`kachin_events.integrity`):

* the release's ``datapackage.json`` and ``SHA256SUMS`` come first, and must agree: the
  hash of every resource in the descriptor is the one ``SHA256SUMS`` lists, and
  ``SHA256SUMS`` lists the descriptor's own hash. Every hash must be a SHA-256;
* for a version in the registry shipped with the package
  (:mod:`kachin_events.registry`), both must also agree with the registry, which holds
  the hash of every file. These hashes come with the installed package, not from the
  server, so a changed file is refused even when the server also changes the
  descriptor and ``SHA256SUMS`` to match it;
* for a version not in the registry (a newer release, or a private build), the release
  is verified against its own descriptor only, and :class:`UnregisteredReleaseWarning`
  says so. That proves the files arrived intact and agree with each other (no
  truncated download, no corrupted cache, no mix of two releases); it does *not*
  prove the release is authentic, since whoever controls the server (or the mirror
  you named) can serve other files with matching lists. Pass
  ``unregistered="error"`` to refuse such versions before anything is downloaded;
* then each file is checked against the agreed SHA-256: a download before it is kept,
  a cached file before it is read.

A cached file that no longer matches is deleted and downloaded again in the same call
(:class:`CorruptedCacheWarning`); a load whose files are all cached and intact makes no
request at all. :func:`download` writes a whole release into a hidden staging folder
and renames it into place only once every file is verified (:mod:`kachin_events.staging`),
so a refused or interrupted download leaves nothing behind. ``docs/integrity.md``
explains what these checks prove.

Environment variables: ``KACHIN_EVENTS_CACHE`` (cache folder; default the platform's
user cache folder), ``KACHIN_EVENTS_BASE_URL`` (a mirror: a URL under which releases
live as ``X.Y.Z/...``; overrides the registry's URL).
"""

from __future__ import annotations

import os
from pathlib import Path

from .fetch import TIMEOUT, CorruptedCacheWarning, Release  # noqa: F401 - re-exported
from .integrity import (  # noqa: F401 - re-exported: the loader's errors and warning
    DownloadError,
    HashMismatchError,
    ReleaseRefusedError,
    UnregisteredReleaseError,
    UnregisteredReleaseWarning,
)
from .registry import versions  # noqa: F401
from .schema import TABLES, get_schema

#: The output formats of :func:`load`.
FORMATS = ("pandas", "polars", "arrow")

def default_cache_dir(cache_dir: str | Path | None = None) -> Path:
    """The cache folder: ``cache_dir``, else ``$KACHIN_EVENTS_CACHE``, else the user cache.

    Examples
    --------
    >>> str(default_cache_dir("/tmp/ke-cache"))
    '/tmp/ke-cache'
    """
    if cache_dir:
        return Path(cache_dir).expanduser()
    env = os.environ.get("KACHIN_EVENTS_CACHE")
    if env:
        return Path(env).expanduser()
    import platformdirs

    return Path(platformdirs.user_cache_dir("kachin-events"))


def _check_args(table: str, format: str) -> None:
    if table not in TABLES:
        import difflib

        close = difflib.get_close_matches(str(table), TABLES, n=1)
        hint = f" Did you mean {close[0]!r}?" if close else ""
        msg = f"unknown table {table!r}; the tables are: {', '.join(TABLES)}.{hint}"
        raise ValueError(msg)
    if format not in FORMATS:
        msg = f"unknown format {format!r}; use one of: {', '.join(FORMATS)}"
        raise ValueError(msg)


# -- reading -------------------------------------------------------------------------
def _arrow_type(type_: str):
    """The Arrow type of a schema type, as a release stores it (coded strings as plain strings)."""
    from .tablefiles import arrow_type

    return arrow_type({"name": type_, "type": type_})


def _conform(arrow_table, table: str):
    """Cast to the schema's types (strings as ``string``, whatever wrote the file)."""
    import pyarrow as pa

    schema = get_schema(table)
    known = set(schema.field_names)
    fields = []
    for f in arrow_table.schema:
        t = _arrow_type(schema.field(f.name).type) if f.name in known else f.type
        fields.append(pa.field(f.name, t))
    try:
        return arrow_table.cast(pa.schema(fields))
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
        msg = (f"the {table} table does not fit the schema of the installed kachin-events ({exc}); "
               "a newer release may need a newer kachin-events")
        raise ValueError(msg) from None


def _read_csv(path: Path, table: str):
    from .validation.coerce import coerce
    from .validation.findings import ERROR
    from .validation.read import read_file

    parts, findings = read_file(path, table=table)
    errors = [f for f in findings if f.severity == ERROR]
    frame, type_findings, _ = coerce(parts[table], get_schema(table))
    if errors or type_findings:
        first = (errors or type_findings)[0]
        msg = (f"{path}, line {first.row}: {first.message}; this release's {table} table does not fit the "
               "schema of the installed kachin-events (upgrade it?)")
        raise ValueError(msg)
    return frame.to_arrow()


def _pandas(arrow_table):
    import pandas as pd
    import pyarrow as pa

    # Nullable pandas types, so missing integers stay integers (not floats) and
    # dates stay dates (pandas has no date dtype of its own; an Arrow date is one).
    mapping = {pa.int64(): pd.Int64Dtype(), pa.float64(): pd.Float64Dtype(), pa.bool_(): pd.BooleanDtype(),
               pa.string(): pd.StringDtype(), pa.large_string(): pd.StringDtype(),
               pa.date32(): pd.ArrowDtype(pa.date32())}
    return arrow_table.to_pandas(types_mapper=mapping.get)


def _convert(arrow_table, table: str, format: str):
    arrow_table = _conform(arrow_table, table)
    if format == "arrow":
        return arrow_table
    if format == "polars":
        import polars as pl

        return pl.from_arrow(arrow_table)
    return _pandas(arrow_table)


def load(table: str = "events", version: str | None = None, format: str = "pandas", *,
         base_url: str | None = None, cache_dir: str | Path | None = None, unregistered: str = "warn"):
    """Load one table of the dataset as a data frame.

    Parameters
    ----------
    table : str
        One of the tables: ``events`` (default), ``event_sources``, ``event_actors``,
        ``event_tags``, ``sources``, ``actors``, ``locations``, ``location_aliases``.
    version : str, optional
        A published release ``X.Y.Z`` (see :func:`versions`), downloaded on first use,
        verified against its SHA-256 and cached. By default, the data snapshot shipped
        with the installed package, read without any network access. Either way rows
        come sorted by the table's primary key.
    format : {"pandas", "polars", "arrow"}
        A pandas DataFrame (nullable dtypes: ``Int64``, ``Float64``, ``boolean``,
        ``string``, dates as Arrow ``date32``), a polars DataFrame (``Date``,
        ``Int64``...) or a pyarrow Table (``date32``, ``int64``...).
    base_url : str, optional
        Where releases are hosted, as ``{base_url}/X.Y.Z/...`` (a mirror). Default
        ``$KACHIN_EVENTS_BASE_URL``, else the registry's URL for the version.
    cache_dir : path, optional
        Default ``$KACHIN_EVENTS_CACHE``, else the user cache folder
        (``platformdirs.user_cache_dir("kachin-events")``); files go to
        ``{cache_dir}/{version}/``.
    unregistered : {"warn", "error"}
        For a version not in the registry shipped with the package: ``"warn"`` loads
        it, verified against its own descriptor only, with an
        :class:`UnregisteredReleaseWarning`; ``"error"`` refuses it
        (:class:`UnregisteredReleaseError`) before anything is downloaded.

    Returns
    -------
    pandas.DataFrame, polars.DataFrame or pyarrow.Table
        The table's rows with the schema's columns and types.

    Raises
    ------
    ValueError
        Unknown table, format, version string or ``unregistered`` value.
    DownloadError
        The release is not hosted (no base URL), the server is down, or a file is
        missing on it. :class:`ReleaseRefusedError` (a subclass) when the release is
        refused: :class:`HashMismatchError` when a file does not match its SHA-256 or
        the descriptor, ``SHA256SUMS`` and registry disagree (nothing that failed is
        kept in the cache), :class:`UnregisteredReleaseError` for an unregistered
        version with ``unregistered="error"``, or a hash that is not a SHA-256.

    Warns
    -----
    UnregisteredReleaseWarning
        The version is not in the registry (with ``unregistered="warn"``).
    CorruptedCacheWarning
        A cached file had changed; it was downloaded again.

    Examples
    --------
    >>> events = load()
    >>> events["date_start"].dtype
    date32[day][pyarrow]
    >>> load("actors", format="polars").schema["actor_id"]
    String
    >>> load("events", format="arrow").schema.field("fatalities_best").type
    DataType(int64)
    >>> load("event")
    Traceback (most recent call last):
    ...
    ValueError: unknown table 'event'; the tables are: ... Did you mean 'events'?
    """
    _check_args(table, format)
    if version is None:
        if base_url is not None:
            msg = f"base_url={base_url!r} needs a version: the snapshot shipped with the package is not downloaded"
            raise ValueError(msg)
        from .tables import read_tables

        # Rows by primary key, as a release holds them (kachin_events.build), so that
        # the snapshot and a release built from it load as equal frames.
        frame = read_tables()[table]
        return _convert(frame.sort(list(get_schema(table).primary_key)).to_arrow(), table, format)
    version = str(version)
    release = Release(version, default_cache_dir(cache_dir) / version, base_url, unregistered=unregistered)
    path = release.table_path(table)
    if path.suffix == ".parquet":
        import pyarrow.parquet as pq

        data = pq.read_table(path)
    else:
        data = _read_csv(path, table)
    return _convert(data, table, format)


def download(version: str, dest: str | Path, *, base_url: str | None = None, progress: bool = True,
             unregistered: str = "warn") -> Path:
    """Download every file of a release into ``dest/X.Y.Z/``, each one verified.

    Verification is as for :func:`load` (see the module documentation). The files are
    downloaded into a hidden staging folder in ``dest`` and the folder is renamed to
    ``X.Y.Z`` only when every file has arrived and matches: a refused or interrupted
    download leaves no ``X.Y.Z`` folder (and no staging folder, unless the process
    was killed; the next download into ``dest`` removes that one). When
    ``dest/X.Y.Z`` already exists, nothing is downloaded: it is verified where it is,
    and a missing or changed file is refused and left as it is (the folder is yours).
    The release's zip archive (the same files in one) is not downloaded.

    Parameters
    ----------
    version : str
        A release ``X.Y.Z``.
    dest : path
        The folder to download into; the release goes to ``dest/X.Y.Z/``.
    base_url : str, optional
        As for :func:`load`.
    progress : bool
        Show a progress bar per file (on standard error).
    unregistered : {"warn", "error"}
        As for :func:`load`.

    Returns
    -------
    pathlib.Path
        ``dest/X.Y.Z``.

    Raises
    ------
    DownloadError
        As for :func:`load`; also when ``dest/X.Y.Z`` exists but is incomplete.
    """
    from .fetch import registry_entry
    from .integrity import check_no_links
    from .semver import parse_version
    from .staging import locked, remove_stale, staging_folder

    version = str(version)
    parse_version(version)
    registry_entry(version, unregistered)  # refuse before anything is written
    dest = Path(dest).expanduser()
    folder = dest / version
    try:
        check_no_links(dest, version)
    except ValueError as exc:
        raise ReleaseRefusedError(str(exc)) from None
    if dest.is_dir():
        with locked(dest):  # what killed downloads left, whatever this one does next
            remove_stale(dest, ".downloading-")
    if folder.exists():
        return _verify_existing(version, folder, unregistered)
    made = [d for d in (dest, *dest.parents) if not d.exists()]
    dest.mkdir(parents=True, exist_ok=True)
    try:
        with staging_folder(dest, ".downloading-", f"{version}-") as tmp:
            stage = tmp / version
            release = Release(version, stage, base_url, progress=progress, keep_bad=True,
                              unregistered=unregistered)
            for rel in release.all_files():
                release.fetch(rel)
            with locked(dest):
                if folder.exists():
                    msg = f"{folder} appeared while release {version} was being downloaded; it was left as it is"
                    raise DownloadError(msg)
                os.rename(stage, folder)
    except BaseException:
        for d in made:  # deepest first: the folders made for this download, if still empty
            try:
                d.rmdir()
            except OSError:
                break
        raise
    return folder


def _verify_existing(version: str, folder: Path, unregistered: str) -> Path:
    """Verify a release folder already downloaded; change nothing in it."""
    if not folder.is_dir():
        msg = f"{folder} exists and is not a folder; remove it, or download into another folder"
        raise DownloadError(msg)
    release = Release(version, folder, keep_bad=True, offline=True, unregistered=unregistered)
    try:
        files = release.all_files()
    except DownloadError as exc:
        if isinstance(exc, ReleaseRefusedError):
            raise
        msg = (f"{exc}. {folder} already exists but is not a complete release; it was left as it is: "
               "delete it, or download into another folder")
        raise DownloadError(msg) from None
    missing = [rel for rel in files if not (folder / rel).is_file()]
    if missing:
        msg = (f"{folder} already exists but is not a complete copy of release {version} (missing: "
               f"{', '.join(missing)}); it was left as it is: delete it, or download into another folder")
        raise DownloadError(msg)
    for rel in files:
        release.fetch(rel)
    return folder
