"""Loading a table as a data frame: the snapshot shipped with the package, or any
published release, downloaded once, verified and cached.

:func:`load` returns one table (or, with ``flat=True``, the flat view of the events:
:mod:`kachin_events.flat`), :func:`load_all` every table of one release at once. What
each format holds (pandas dates as ``datetime64[ns]``, the version in ``attrs`` and in
Arrow metadata) is described in :mod:`kachin_events.frames`. pandas frames need pandas
alone: without pyarrow and polars (the light install) a release's tables are read from
its CSV files rather than its Parquet ones (:func:`_with_pandas_only`), with the same
result; ``format="polars"`` and ``format="arrow"`` need the ``polars`` and ``arrow``
extras (:mod:`kachin_events.extras`).

With no version, :func:`load` reads the data snapshot inside the installed package and
never touches the network. With a version, the release's files are fetched with pooch
from ``{base_url}/{version}/`` into ``{cache}/{version}/`` (:mod:`kachin_events.fetch`),
and nothing is used before it is verified (:mod:`kachin_events.integrity`):

* the release's ``datapackage.json`` and ``SHA256SUMS`` come first, and must agree: the
  hash of every resource in the descriptor is the one ``SHA256SUMS`` lists, and
  ``SHA256SUMS`` lists the descriptor's own hash. Every hash must be a SHA-256;
* for a version in the registry shipped with the package
  (:mod:`kachin_events.release.registry`), both must also agree with the registry, which holds
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
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from .arguments import check_choice, did_you_mean, keyword_only
from .fetch import TIMEOUT, CorruptedCacheWarning, Release  # noqa: F401 - re-exported
from .frames import FORMATS as _FORMATS
from .frames import conform, frame_info, to_format
from .integrity import (  # noqa: F401 - re-exported: the loader's errors and warning
    DownloadError,
    HashMismatchError,
    ReleaseRefusedError,
    UnregisteredReleaseError,
    UnregisteredReleaseWarning,
)
from .release.registry import versions  # noqa: F401
from .schema import TABLES, get_schema

#: The output formats of :func:`load` (see :mod:`kachin_events.frames` for what each holds).
FORMATS = _FORMATS


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


# -- arguments -----------------------------------------------------------------------
def guess_keyword(value) -> str | None:
    """The keyword a value given by position most likely belongs to, for the TypeError.

    Examples
    --------
    >>> guess_keyword("polars"), guess_keyword("0.1.0"), guess_keyword(True), guess_keyword(3)
    ('format', 'version', 'flat', None)
    """
    if isinstance(value, bool):
        return "flat"
    if isinstance(value, str):
        if value in FORMATS:
            return "format"
        if re.fullmatch(r"\d+\.\d+\.\d+", value):
            return "version"
    return None


def check_format(format: str) -> None:
    """ValueError unless ``format`` is one of :data:`FORMATS` (with the closest one)."""
    check_choice("format", format, FORMATS)


def _check_args(table: str, format: str) -> None:
    if table not in TABLES:
        msg = f"unknown table {table!r}; the tables are: {', '.join(TABLES)}.{did_you_mean(table, TABLES)}"
        raise ValueError(msg)
    check_format(format)


# -- reading -------------------------------------------------------------------------
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


def _snapshot_tables() -> dict:
    from .tables import read_tables

    # Rows by primary key, as a release holds them (kachin_events.release.build), so that
    # the snapshot and a release built from it load as equal frames.
    return {t: f.sort(list(get_schema(t).primary_key)) for t, f in read_tables().items()}


def _release_table(release: Release, table: str):
    """One table of a release as Arrow, and the field metadata its descriptor gives (for CSV)."""
    path = release.table_path(table)
    if path.suffix == ".parquet":
        import pyarrow.parquet as pq

        return pq.read_table(path), None
    schema = (release.table_resource(table) or {}).get("schema")
    fields = schema.get("fields", []) if isinstance(schema, dict) else []
    meta = {f["name"]: {"title": f.get("title"), "description": f.get("description")}
            for f in fields if isinstance(f, dict) and "name" in f}
    return _read_csv(path, table), meta


def _shipped(version: str, base_url) -> Path | None:
    """The folder of ``version`` shipped with the package, unless a mirror was asked for."""
    if base_url is not None or os.environ.get("KACHIN_EVENTS_BASE_URL"):
        return None
    from .release.layout import bundled_release

    return bundled_release(version)


def _release(version, base_url, cache_dir, unregistered) -> Release:
    version = str(version)
    shipped = _shipped(version, base_url)
    if shipped is not None:
        # Read where it is, with no network and nothing written: every file is still
        # checked against the registry first, as a download would be.
        return Release(version, shipped, offline=True, unregistered=unregistered)
    return Release(version, default_cache_dir(cache_dir) / version, base_url, unregistered=unregistered)


def _no_base_url_without_version(base_url) -> None:
    if base_url is not None:
        msg = f"base_url={base_url!r} needs a version: the snapshot shipped with the package is not downloaded"
        raise ValueError(msg)


def _info(release: Release | None) -> dict:
    """The keywords of :func:`~kachin_events.frames.frame_info` for the snapshot or a release."""
    if release is None:
        return {"version": None, "source": "snapshot"}
    created = release.descriptor().get("created")
    return {"version": release.version, "source": "release", "created": str(created) if created else None}


def _with_pandas_only() -> bool:
    """Whether pandas frames are read with pandas alone: when pyarrow or polars is missing.

    With both (the ``polars`` extra, or ``validate``), they are made from Arrow data: a
    release's Parquet files, the snapshot as the validator reads it. Without them (the
    light install) a release's tables are read from its CSV files and the snapshot's from
    its data files (:mod:`kachin_events.pandas_tables`). The frames are equal either way
    (tested on every table of the snapshot and of every published release).
    """
    from .extras import missing

    return bool(missing("polars"))


def _frames(tables, release: Release | None, format: str, *, pandas_only: bool | None = None) -> dict:
    """Some tables of the snapshot (``release`` None) or of a release, as frames of ``format``.

    pandas frames are read with pandas alone when :func:`_with_pandas_only` (or
    ``pandas_only``) says so; every other case goes through Arrow (:func:`conform`).
    """
    where = _info(release)
    if format == "pandas" and (_with_pandas_only() if pandas_only is None else pandas_only):
        from .pandas_tables import read_csv_table, snapshot_paths

        paths = snapshot_paths() if release is None else None
        out = {}
        for t in tables:
            if release is None:
                frame = read_csv_table(paths.get(t, []), get_schema(t), all_fields=True, sort=True)
            else:
                frame = read_csv_table([release.table_path(t, csv=True)], get_schema(t))
            frame.attrs = frame_info(t, **where)
            out[t] = frame
        return out
    if release is None:
        snapshot = _snapshot_tables()
        read = {t: (snapshot[t].to_arrow(), None) for t in tables}
    else:
        read = {t: _release_table(release, t) for t in tables}
    return {t: to_format(conform(data, get_schema(t), frame_info(t, **where), meta), format)
            for t, (data, meta) in read.items()}


def _require_format(format: str) -> None:
    """The polars and Arrow forms need their extras (pyarrow, polars); pandas needs none."""
    if format != "pandas":
        from .extras import require

        require(f"Loading with format={format!r}", format)


def _release_or_snapshot(version, base_url, cache_dir, unregistered) -> Release | None:
    """The release ``version`` (verified as it is read), or None for the snapshot."""
    if version is None:
        _no_base_url_without_version(base_url)
        return None
    return _release(version, base_url, cache_dir, unregistered)


def read_tables_of(tables, *, version=None, format="pandas", base_url=None, cache_dir=None,
                   unregistered="warn"):
    """Some tables of the snapshot or of a release as pandas frames, and where they come from.

    ``format`` is the form the caller will return, checked here before anything is read
    (its extra must be installed).

    Returns
    -------
    (dict of str to pandas.DataFrame, dict)
        The frames, and the keywords of :func:`kachin_events.frames.frame_info` but the table.
    """
    _require_format(format)
    release = _release_or_snapshot(version, base_url, cache_dir, unregistered)
    return _frames(tables, release, "pandas"), _info(release)


# -- the public functions --------------------------------------------------------------
@keyword_only(guess_keyword)
def load(table: str = "events", *, version: str | None = None, format: str = "pandas", flat: bool = False,
         base_url: str | None = None, cache_dir: str | Path | None = None, unregistered: str = "warn"):
    """Load one table of the dataset as a data frame.

    Every argument after the table's name is keyword-only: ``load("events", "polars")``
    is a TypeError that says to write ``format="polars"``, and a misspelt keyword
    (``fromat=``), table or format gets the closest name.

    Parameters
    ----------
    table : str
        One of :data:`kachin_events.TABLES`: ``events`` (default), ``event_sources``,
        ``event_actors``, ``event_tags``, ``sources``, ``actors``, ``locations`` ...
    version : str, optional
        A published release ``X.Y.Z`` (see :func:`versions`), downloaded on first use,
        verified against its SHA-256 and cached. By default, the data snapshot shipped
        with the installed package, read without any network access. Either way rows
        come sorted by the table's primary key.
    format : {"pandas", "polars", "arrow"}
        A pandas DataFrame (nullable dtypes: ``Int64``, ``Float64``, ``boolean``,
        ``string``; dates as ``datetime64[ns]``, so string comparisons, ``.dt`` and
        ``resample`` work), a polars DataFrame (``Date``, ``Int64``...) or a pyarrow
        Table (``date32``, ``int64``..., with each field's title and description).
    flat : bool
        For ``events`` only: the flat view, one row per event with names joined in
        (:func:`load_flat`).
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
        The table's rows with the schema's columns and types. Where they come from is
        in pandas' ``df.attrs``, in an ``attrs`` attribute of the polars frame (polars
        frames have no metadata; operations on it return frames without it) and in the
        Arrow schema's metadata: ``table``, ``version`` (None for the snapshot, which is
        not a published release), ``source`` (``"release"`` or ``"snapshot"``),
        ``created`` (the release's build time) and ``kachin_events_version``.

    Raises
    ------
    TypeError
        An argument after the table given by position, or an unknown keyword.
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
    dtype('<M8[ns]')
    >>> events.attrs["table"], events.attrs["source"]
    ('events', 'snapshot')
    >>> load("actors", format="polars").schema["actor_id"]
    String
    >>> load("events", format="arrow").schema.field("fatalities_best").type
    DataType(int64)
    >>> load("event")
    Traceback (most recent call last):
    ...
    ValueError: unknown table 'event'; the tables are: ... Did you mean 'events'?
    >>> load("events", "polars")
    Traceback (most recent call last):
    ...
    TypeError: load() takes only table by position; write load('events', format='polars'). ...
    """
    _check_args(table, format)
    if flat:
        if table != "events":
            msg = f"flat=True gives the flat view of the events, not of {table!r}: write load('events', flat=True)"
            raise ValueError(msg)
        from .flat import load_flat

        return load_flat(version=version, format=format, base_url=base_url, cache_dir=cache_dir,
                         unregistered=unregistered)
    _require_format(format)
    release = _release_or_snapshot(version, base_url, cache_dir, unregistered)
    return _frames([table], release, format)[table]


@dataclass(frozen=True, eq=False)
class Dataset(Mapping):
    """Every table of one release (or of the snapshot), as :func:`load_all` returns them.

    A read-only mapping of table name to frame (``ds["events"]``, ``list(ds)``,
    ``ds.items()``), with where the tables come from.

    Attributes
    ----------
    version : str or None
        The release ``X.Y.Z``; None for the snapshot shipped with the package.
    source : {"release", "snapshot"}
        Where the tables come from.
    created : str or None
        When the release was built.
    format : {"pandas", "polars", "arrow"}
        The kind of frame each table is.
    tables : dict
        Table name -> frame, in :data:`kachin_events.TABLES` order.

    Examples
    --------
    >>> ds = load_all(format="polars")
    >>> ds.version is None, ds.source, list(ds)[:2]
    (True, 'snapshot', ['locations', 'location_aliases'])
    >>> ds["events"].height == load("events", format="polars").height
    True
    """

    version: str | None
    source: str
    created: str | None
    format: str
    tables: dict

    def __getitem__(self, name: str):
        if name not in self.tables:
            hint = did_you_mean(name, self.tables)
            msg = f"no table {name!r} in this dataset; it has: {', '.join(self.tables)}.{hint}"
            raise KeyError(msg)
        return self.tables[name]

    def __iter__(self):
        return iter(self.tables)

    def __len__(self) -> int:
        return len(self.tables)

    def __repr__(self) -> str:
        what = f"release {self.version}" if self.version else "snapshot"
        return f"<Dataset: {what}, {len(self.tables)} tables as {self.format}: {', '.join(self.tables)}>"


@keyword_only(guess_keyword)
def load_all(*, version: str | None = None, format: str = "pandas", base_url: str | None = None,
             cache_dir: str | Path | None = None, unregistered: str = "warn") -> Dataset:
    """Load every table of one release (or of the snapshot) at once.

    Parameters
    ----------
    version, format, base_url, cache_dir, unregistered
        As for :func:`load` (keyword-only). A release is verified once for all its tables.

    Returns
    -------
    Dataset
        A mapping of table name to frame with the release's ``version``, ``source`` and
        ``created``; each frame carries them too, as from :func:`load`. Tables that an
        older release does not have are left out.

    Examples
    --------
    >>> ds = load_all()
    >>> list(ds) == list(TABLES)
    True
    >>> ds["events"].attrs["table"]
    'events'
    """
    check_format(format)
    _require_format(format)
    release = _release_or_snapshot(version, base_url, cache_dir, unregistered)
    where = _info(release)
    present = [t for t in TABLES if release is None or release.table_resource(t) is not None]
    frames = _frames(present, release, format)
    return Dataset(version=where["version"], source=where["source"], created=where.get("created"),
                   format=format, tables=frames)


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
    from .release.semver import parse_version
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
            shipped = _shipped(version, base_url)
            # A release shipped with the package is copied from there, with no network.
            release = Release(version, stage, str(shipped.parent) if shipped else base_url, progress=progress,
                              keep_bad=True,
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
