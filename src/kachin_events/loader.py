"""Loading a table as a data frame: the snapshot shipped with the package, or any
published release, downloaded once, verified and cached.

With no version, :func:`load` reads the data snapshot inside the installed package and
never touches the network. With a version, the release's files are fetched with pooch
from ``{base_url}/{version}/`` into ``{cache}/{version}/`` and every file is checked
against a SHA-256 before it is used:

* for a version in the registry shipped with the package
  (:mod:`kachin_events.registry`), against the registry's hashes. These come with the
  installed package, not from the server, so a tampered or corrupted file is refused
  whatever the server says about it;
* for a version not in the registry (a newer release, or a private build), against the
  hashes in the release's own ``datapackage.json``, downloaded first. That proves the
  files arrived intact and are the ones that descriptor describes (no truncated
  download, no corrupted cache, no mix of two releases); it does *not* prove the
  release is authentic, since whoever controls the server (or the mirror you named)
  can serve a different descriptor with matching files. Register the release to get
  the stronger check.

Cached files are verified again on every load (a changed cached file is deleted and
refused, never used; the exception is an unregistered version's own ``datapackage.json``
and ``SHA256SUMS``, which nothing vouches for), and a load whose files are all cached
makes no request at all.

Environment variables: ``KACHIN_EVENTS_CACHE`` (cache folder; default the platform's
user cache folder), ``KACHIN_EVENTS_BASE_URL`` (a mirror: a URL under which releases
live as ``X.Y.Z/...``; overrides the registry's URL).
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from .registry import get_entry, parse_sha256sums, safe_relpath, sha256_file, versions  # noqa: F401
from .semver import parse_version
from .schema import TABLES, get_schema

#: The output formats of :func:`load`.
FORMATS = ("pandas", "polars", "arrow")

#: Seconds to wait for a server before giving up on it.
TIMEOUT = 30


class DownloadError(OSError):
    """A release file could not be fetched: no base URL, server down, file missing."""


class HashMismatchError(DownloadError):
    """A file whose SHA-256 is not the expected one; it has been refused and deleted."""


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


def _sha256_of(declared, where: str) -> str:
    """The hex digest of a Data Package ``hash`` (``"sha256:<hex>"``)."""
    algo, _, digest = str(declared).partition(":")
    # In Data Package a bare hex hash is MD5, which is no integrity check worth having.
    if algo.lower() != "sha256" or len(digest) != 64:
        msg = f"{where}: hash {declared!r} is not 'sha256:<64 hex digits>', so the file cannot be verified"
        raise DownloadError(msg)
    return digest.lower()


class _quiet_pooch:
    """Silence pooch's "Downloading file ..." log lines (progress bars say it better)."""

    def __enter__(self):
        import pooch

        self.logger = pooch.get_logger()
        self.level = self.logger.level
        self.logger.setLevel("WARNING")

    def __exit__(self, *exc):
        self.logger.setLevel(self.level)


class _HTTP:
    """pooch downloader: HTTP with friendly errors, and a record of what arrived.

    pooch hashes the temporary download and only says "does not match" when it is
    wrong; remembering the digest here lets the error name both hashes.
    """

    def __init__(self, release: Release):
        self.release = release
        self.got: dict[str, str] = {}

    def __call__(self, url, output_file, pooch_, check_only=False):
        import pooch
        import requests

        rel = self.release.current
        if self.release.base is None:
            raise DownloadError(self.release.not_hosted_message(rel))
        bar = False
        if self.release.progress:
            from tqdm.auto import tqdm

            # total=1, not None: pooch tests the bar's truth, which tqdm refuses without
            # a total; pooch then sets the real total from Content-Length.
            bar = tqdm(desc=rel, total=1, unit="B", unit_scale=True, leave=True, ncols=79, file=sys.stderr)
        try:
            pooch.HTTPDownloader(progressbar=bar, timeout=TIMEOUT)(url, output_file, pooch_, check_only)
        except requests.exceptions.HTTPError as exc:
            status = exc.response.status_code if exc.response is not None else "?"
            what = "is not on the server" if status == 404 else "could not be downloaded"
            msg = (f"{url}: {rel} of release {self.release.version} {what} (HTTP {status}); "
                   f"check that the base URL {self.release.base} holds the whole release")
            raise DownloadError(msg) from None
        except (requests.exceptions.ConnectionError, requests.exceptions.Timeout) as exc:
            kind = "timed out" if isinstance(exc, requests.exceptions.Timeout) else "could not connect"
            msg = (f"{url}: {kind} while downloading {rel} of release {self.release.version}; "
                   f"the server {self.release.base} is down or unreachable (are you offline? "
                   "files already cached load without a connection)")
            raise DownloadError(msg) from None
        except requests.exceptions.RequestException as exc:
            msg = f"{url}: downloading {rel} failed ({type(exc).__name__}: {exc})"
            raise DownloadError(msg) from None
        finally:
            if bar is not False:
                bar.close()
        self.got[rel] = sha256_file(output_file)


class Release:
    """The files of one release version in one local folder, fetched and verified.

    One ``pooch.Pooch`` per version (``allow_updates=False``: a release never changes,
    so a cached file that no longer matches is an error, not an update).

    Parameters
    ----------
    version : str
        ``X.Y.Z``.
    folder : path
        Where the files go (``{cache}/{version}`` for :func:`load`).
    base_url : str, optional
        Releases live at ``{base_url}/{version}/``; default ``$KACHIN_EVENTS_BASE_URL``,
        else the registry's URL for this version.
    progress : bool
        Show a progress bar per downloaded file.
    keep_bad : bool
        Refuse, but keep, a file already in ``folder`` that does not match (for folders
        the user chose); by default such a file is deleted (for the cache).
    """

    def __init__(self, version: str, folder: str | Path, base_url: str | None = None, *,
                 progress: bool = False, keep_bad: bool = False):
        import pooch

        parse_version(version)
        self.version = version
        self.folder = Path(folder)
        self.entry = get_entry(version)
        base = base_url or os.environ.get("KACHIN_EVENTS_BASE_URL") or (self.entry or {}).get("base_url")
        if base and not str(base).startswith(("http://", "https://")):
            msg = f"base URL {base!r} must start with http:// or https://"
            raise ValueError(msg)
        self.base = str(base).rstrip("/") if base else None
        self.progress = progress
        self.keep_bad = keep_bad
        self.current = ""
        self._desc: dict | None = None
        files = dict(self.entry["files"]) if self.entry else {"datapackage.json": None}
        self.pooch = pooch.Pooch(
            path=self.folder,
            base_url=f"{self.base}/{version}/" if self.base else "",
            registry={rel: (f"sha256:{h}" if h else None) for rel, h in files.items()},
            allow_updates=False,
        )
        self._http = _HTTP(self)

    @property
    def registered(self) -> bool:
        return self.entry is not None

    def not_hosted_message(self, rel: str) -> str:
        if self.registered:
            why = f"release {self.version} is registered but not hosted anywhere yet (its base URL is empty)"
        else:
            known = ", ".join(versions()) or "none yet"
            why = f"version {self.version} is not in the registry of published versions (registered: {known})"
        return (f"{why}, and {rel} is not already in {self.folder}; give the URL of a folder holding "
                f"{self.version}/datapackage.json: load(..., base_url='https://...'), the environment variable "
                "KACHIN_EVENTS_BASE_URL, or `kachin-events download --base-url URL`. "
                "With no version, load() returns the snapshot shipped with the package.")

    def _hash_of(self, rel: str) -> str | None:
        known = self.pooch.registry.get(rel)
        return known.split(":", 1)[1] if known else None

    def fetch(self, rel: str) -> Path:
        """Fetch one file (relative path) if not cached, verify it, return its local path."""
        safe_relpath(rel, f"release {self.version}")
        if rel not in self.pooch.registry:
            msg = f"release {self.version} has no file {rel!r}"
            raise DownloadError(msg)
        self.current = rel
        target = self.folder / rel
        want = self._hash_of(rel)
        if want and target.is_file():
            # pooch would only say "updates are disallowed"; check first to say which
            # file and which hashes, and make sure the bad copy is never used again.
            got = sha256_file(target)
            if got != want:
                kept = "It was kept (delete it yourself)" if self.keep_bad else "It has been deleted"
                if not self.keep_bad:
                    target.unlink()
                msg = (f"{target}: SHA-256 is {got} but release {self.version} says {want} "
                       f"for {rel}; the local copy was changed or corrupted. {kept}; run again to download it anew.")
                raise HashMismatchError(msg)
        parent = target.parent
        before = set(os.listdir(parent)) if parent.is_dir() else set()
        new_dirs = [d for d in (parent, *parent.parents) if d.is_relative_to(self.folder) and not d.exists()]
        ok = False
        try:
            with _quiet_pooch():
                path = Path(self.pooch.fetch(rel, downloader=self._http))
            ok = True
            return path
        except ValueError:
            got = self._http.got.get(rel, "unknown")
            msg = (f"{self.base}/{self.version}/{rel}: SHA-256 of the download is {got} but "
                   f"{'the registry' if self.registered else 'the release datapackage.json'} says {want} "
                   f"(release {self.version}); the file was refused and not cached. The server or mirror "
                   "serves a changed or corrupted file.")
            raise HashMismatchError(msg) from None
        finally:
            self._clean(target, before)
            if not ok:
                for d in new_dirs:  # deepest first; leave no empty folders behind a failure
                    try:
                        d.rmdir()
                    except OSError:
                        pass

    def _clean(self, target: Path, before: set) -> None:
        """Remove what a failed download left: temporary files and an unverified target."""
        parent = target.parent
        if not parent.is_dir():
            return
        for name in set(os.listdir(parent)) - before:
            p = parent / name
            # pooch downloads to NamedTemporaryFile names (tmp...) next to the target.
            if name.startswith("tmp") and p.is_file():
                p.unlink(missing_ok=True)
        want = self._hash_of(target.relative_to(self.folder).as_posix())
        if want and target.is_file() and target.name not in before and sha256_file(target) != want:
            target.unlink(missing_ok=True)

    def descriptor(self) -> dict:
        """The release's ``datapackage.json``; for an unregistered version its hashes
        become the ones every other file is checked against."""
        if self._desc is not None:
            return self._desc
        path = self.fetch("datapackage.json")
        try:
            desc = json.loads(path.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            if not self.registered:
                path.unlink(missing_ok=True)
            msg = f"{path}: the datapackage.json of release {self.version} is not valid JSON ({exc})"
            raise DownloadError(msg) from None
        if not isinstance(desc, dict) or not isinstance(desc.get("resources"), list):
            msg = f"{path}: the datapackage.json of release {self.version} has no resources list"
            raise DownloadError(msg)
        if str(desc.get("version", self.version)) != self.version:
            msg = f"{path}: says version {desc.get('version')!r}, but release {self.version} was asked for"
            raise DownloadError(msg)
        if not self.registered:
            for res in desc["resources"]:
                rel = safe_relpath(str(res.get("path")), str(path))
                where = f"{path}, resource {res.get('name')!r}"
                self.pooch.registry[rel] = "sha256:" + _sha256_of(res.get("hash"), where)
        self._desc = desc
        return desc

    def table_path(self, table: str) -> Path:
        """Fetch the file of one table: its Parquet resource if any, else its CSV."""
        resources = {r.get("name"): r for r in self.descriptor()["resources"]}
        res = resources.get(f"{table}-parquet") or resources.get(table)
        if res is None:
            msg = f"release {self.version} has no resource {table!r} or {table + '-parquet'!r}"
            raise DownloadError(msg)
        return self.fetch(safe_relpath(str(res.get("path")), f"release {self.version} datapackage.json"))

    def all_files(self) -> list[str]:
        """Every file of the release (relative paths), with its hash known."""
        self.descriptor()
        if self.registered:
            return sorted(self.pooch.registry)
        # Unregistered: SHA256SUMS names the files the descriptor does not (changelog,
        # exports). It is unverified itself, so it must agree with the descriptor.
        self.pooch.registry.setdefault("SHA256SUMS", None)
        sums_path = self.fetch("SHA256SUMS")
        try:
            listed = parse_sha256sums(sums_path.read_text(encoding="utf-8"), str(sums_path))
        except (ValueError, UnicodeDecodeError) as exc:
            sums_path.unlink(missing_ok=True)
            raise DownloadError(str(exc)) from None
        listed_dp = listed.get("datapackage.json")
        got_dp = sha256_file(self.folder / "datapackage.json")
        if listed_dp != got_dp:
            sums_path.unlink(missing_ok=True)
            msg = (f"{sums_path}: lists datapackage.json with SHA-256 {listed_dp} but the downloaded one has "
                   f"{got_dp}; release {self.version} is inconsistent")
            raise HashMismatchError(msg)
        for rel, digest in listed.items():
            known = self._hash_of(rel)
            if known and known != digest:
                msg = (f"{sums_path}: lists {rel} with SHA-256 {digest} but datapackage.json says {known}; "
                       f"release {self.version} is inconsistent")
                raise HashMismatchError(msg)
            self.pooch.registry[rel] = f"sha256:{digest}"
        return sorted(self.pooch.registry)


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
         base_url: str | None = None, cache_dir: str | Path | None = None):
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

    Returns
    -------
    pandas.DataFrame, polars.DataFrame or pyarrow.Table
        The table's rows with the schema's columns and types.

    Raises
    ------
    ValueError
        Unknown table, format or version string.
    DownloadError
        The release is not hosted (no base URL), the server is down, or a file is
        missing on it; :class:`HashMismatchError` (a subclass) when a file does not
        match its SHA-256: it is refused, and nothing of it stays in the cache.

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
    release = Release(version, default_cache_dir(cache_dir) / version, base_url)
    path = release.table_path(table)
    if path.suffix == ".parquet":
        import pyarrow.parquet as pq

        data = pq.read_table(path)
    else:
        data = _read_csv(path, table)
    return _convert(data, table, format)


def download(version: str, dest: str | Path, *, base_url: str | None = None, progress: bool = True) -> Path:
    """Download every file of a release into ``dest/X.Y.Z/``, each one verified.

    Files already there with the right SHA-256 are not downloaded again; a file
    already there with another one is refused (and kept: the folder is yours).
    The release's zip archive (the same files in one) is not downloaded.
    Verification is as for :func:`load` (see the module documentation).

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

    Returns
    -------
    pathlib.Path
        ``dest/X.Y.Z``.

    Raises
    ------
    DownloadError
        As for :func:`load`.
    """
    version = str(version)
    folder = Path(dest).expanduser() / version
    release = Release(version, folder, base_url, progress=progress, keep_bad=True)
    for rel in release.all_files():
        release.fetch(rel)
    return folder
