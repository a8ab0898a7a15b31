"""Fetching the files of one release into one folder, each verified before it is used.

:class:`Release` is what :func:`kachin_events.load` and :func:`kachin_events.download`
use: one ``pooch.Pooch`` per version (``allow_updates=False``: a release never changes),
an HTTP downloader with errors that say what went wrong, and the checks of
:mod:`kachin_events.integrity`. Before any data file is fetched, the release's
``datapackage.json`` and ``SHA256SUMS`` are fetched and must agree with each other and,
for a registered version, with the registry; every file is then checked against the
agreed SHA-256 (a download before it is kept, a cached file before it is used).
"""

from __future__ import annotations

import json
import os
import sys
import warnings
from pathlib import Path

from .integrity import (
    SERVED,
    UNREGISTERED,
    DownloadError,
    HashMismatchError,
    ReleaseRefusedError,
    UnregisteredReleaseError,
    UnregisteredReleaseWarning,
    agreed_hashes,
    check_no_links,
    descriptor_hashes,
    parse_sha256sums,
    refused,
    safe_relpath,
    sha256_file,
)
from .release.registry import get_entry, versions
from .release.semver import parse_version

#: Seconds to wait for a server before giving up on it.
TIMEOUT = 30

_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))


class CorruptedCacheWarning(UserWarning):
    """A cached file no longer matched its SHA-256; it was deleted and downloaded again."""


def _outside_level() -> int:
    """The ``stacklevel`` of the first caller outside kachin-events, so that a warning
    points at the user's ``load(...)`` line rather than at this module."""
    frame, level = sys._getframe(1), 1
    while frame is not None and os.path.abspath(frame.f_code.co_filename).startswith(_PACKAGE_DIR):
        frame, level = frame.f_back, level + 1
    return level


def unregistered_message(version: str) -> str:
    """The warning given when a version that is not in the registry is used.

    Examples
    --------
    >>> "verified against its own descriptor only" in unregistered_message("9.9.9")
    True
    """
    from .__about__ import __version__

    return (f"release {version} is not in the registry of kachin-events {__version__}, so it is verified against "
            "its own descriptor only (its datapackage.json and SHA256SUMS): the files arrived intact and agree "
            "with each other, but nothing shows they are the published release, since whoever controls the "
            "server can serve other files with matching hashes. Use a registered version (upgrade kachin-events "
            "for newer ones), or pass unregistered='error' (`--unregistered error`) to refuse such releases.")


def registry_entry(version: str, unregistered: str = "warn") -> dict | None:
    """The registry entry of ``version`` (None when it is not registered), or
    :class:`UnregisteredReleaseError` when it is not and ``unregistered="error"``.

    Examples
    --------
    >>> registry_entry("999.0.0") is None
    True
    >>> registry_entry("999.0.0", "error")
    Traceback (most recent call last):
    ...
    kachin_events.integrity.UnregisteredReleaseError: release 999.0.0 was refused: it is not in the registry ...
    """
    if unregistered not in UNREGISTERED:
        msg = f"unregistered={unregistered!r}: use one of {', '.join(map(repr, UNREGISTERED))}"
        raise ValueError(msg)
    entry = get_entry(version)
    if entry is None and unregistered == "error":
        known = ", ".join(versions()) or "none yet"
        msg = refused(version, f"it is not in the registry of published versions (registered: {known}), and "
                               "unregistered='error' accepts registered versions only; without it, the release "
                               "would be verified against its own descriptor only, with a warning")
        raise UnregisteredReleaseError(msg)
    return entry


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
        if self.release.mirror is not None:
            self.got[rel] = _copy_from_folder(self.release, rel, output_file)
            return
        bar = False
        if self.release.progress:
            from tqdm.auto import tqdm

            # total=1, not None: pooch tests the bar's truth, which tqdm refuses without
            # a total; pooch then sets the real total from Content-Length.
            bar = tqdm(desc=rel, total=1, unit="B", unit_scale=True, leave=True, ncols=79, file=sys.stderr)
        version, base = self.release.version, self.release.base
        try:
            pooch.HTTPDownloader(progressbar=bar, timeout=TIMEOUT)(url, output_file, pooch_, check_only)
        except requests.exceptions.HTTPError as exc:
            status = exc.response.status_code if exc.response is not None else "?"
            what = "is not on the server" if status == 404 else "could not be downloaded"
            msg = (f"{url}: {rel} of release {version} {what} (HTTP {status}); "
                   f"check that the base URL {base} holds the whole release")
            raise DownloadError(msg) from None
        except (requests.exceptions.ConnectionError, requests.exceptions.Timeout) as exc:
            kind = "timed out" if isinstance(exc, requests.exceptions.Timeout) else "could not connect"
            msg = (f"{url}: {kind} while downloading {rel} of release {version}; "
                   f"the server {base} is down or unreachable (are you offline? "
                   "files already cached load without a connection)")
            raise DownloadError(msg) from None
        except requests.exceptions.ChunkedEncodingError:
            msg = (f"{url}: the server closed the connection before the whole of {rel} (release {version}) "
                   "arrived; nothing of it was kept. Try again, or use another mirror")
            raise DownloadError(msg) from None
        except requests.exceptions.RequestException as exc:
            msg = f"{url}: downloading {rel} failed ({type(exc).__name__}: {exc})"
            raise DownloadError(msg) from None
        finally:
            if bar is not False:
                bar.close()
        self.got[rel] = sha256_file(output_file)


def mirror_of(base) -> tuple[str | None, Path | None]:
    """A base URL as given, and the local folder it names, if it names one.

    ``base`` is an ``http://`` or ``https://`` address, a ``file://`` address, or the path
    of a folder (a copy of the site's ``releases/``, a USB stick, a network share).

    Examples
    --------
    >>> mirror_of("https://example.org/releases/")
    ('https://example.org/releases', None)
    >>> mirror_of(None)
    (None, None)
    """
    if not base:
        return None, None
    text = str(base)
    if text.startswith(("http://", "https://")):
        return text.rstrip("/"), None
    if text.startswith("file://"):
        from urllib.parse import unquote, urlparse
        from urllib.request import url2pathname

        parts = urlparse(text)
        if parts.netloc not in ("", "localhost"):
            msg = f"base URL {text!r}: a file:// address must name a folder on this machine (file:///path)"
            raise ValueError(msg)
        folder = Path(url2pathname(unquote(parts.path)))
    elif "://" in text:
        msg = f"base URL {text!r} must start with http://, https:// or file://, or be a folder"
        raise ValueError(msg)
    else:
        folder = Path(text).expanduser()
    if not folder.is_dir():
        msg = f"base URL {text!r}: {folder} is not a folder; give a folder holding X.Y.Z/datapackage.json"
        raise ValueError(msg)
    folder = folder.resolve()
    return folder.as_uri(), folder


def _copy_from_folder(release: Release, rel: str, output_file) -> str:
    """Copy ``rel`` of ``release`` from its local mirror to ``output_file``; its SHA-256."""
    import shutil

    source = release.mirror / release.version / rel
    try:
        # The mirror is someone else's folder: a link in it could point anywhere.
        check_no_links(release.mirror, f"{release.version}/{rel}")
        shutil.copyfile(source, output_file)
    except FileNotFoundError:
        msg = f"{source}: {rel} of release {release.version} is not in the folder {release.mirror}; copy the whole release there"
        raise DownloadError(msg) from None
    except (OSError, ValueError) as exc:
        msg = f"{source}: {rel} of release {release.version} could not be copied ({getattr(exc, 'strerror', None) or exc})"
        raise DownloadError(msg) from None
    return sha256_file(output_file)


class Release:
    """The files of one release version in one local folder, fetched and verified.

    Parameters
    ----------
    version : str
        ``X.Y.Z``.
    folder : path
        Where the files go (``{cache}/{version}`` for :func:`kachin_events.load`, a
        staging folder for :func:`kachin_events.download`).
    base_url : str, optional
        Releases live at ``{base_url}/{version}/``; default ``$KACHIN_EVENTS_BASE_URL``,
        else the registry's URL for this version.
    progress : bool
        Show a progress bar per downloaded file.
    keep_bad : bool
        Refuse, but keep, a file already in ``folder`` that does not match (for folders
        the user chose); by default such a file is deleted and downloaded again (the cache).
    unregistered : {"warn", "error"}
        A version not in the registry: verify it against its own descriptor and warn
        (:class:`UnregisteredReleaseWarning`), or refuse it before anything is fetched.
    offline : bool
        Never download: verify the files already in ``folder``.

    Raises
    ------
    UnregisteredReleaseError
        The version is not registered and ``unregistered="error"``.
    """

    def __init__(self, version: str, folder: str | Path, base_url: str | None = None, *,
                 progress: bool = False, keep_bad: bool = False, unregistered: str = "warn",
                 offline: bool = False):
        import pooch

        parse_version(version)
        self.version = version
        self.folder = Path(folder)
        self.entry = registry_entry(version, unregistered)
        base = base_url or os.environ.get("KACHIN_EVENTS_BASE_URL") or (self.entry or {}).get("base_url")
        self.base, self.mirror = mirror_of(base)
        self.progress = progress
        self.keep_bad = keep_bad
        self.offline = offline
        self.current = ""
        self.fresh: set[str] = set()  # files downloaded by this object (not found in the folder)
        self._hashes: dict[str, str] | None = None
        self._desc: dict | None = None
        self.pooch = pooch.Pooch(path=self.folder, base_url=f"{self.base}/{version}/" if self.base else "",
                                 registry={}, allow_updates=False)
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

    # -- one file ------------------------------------------------------------------
    def _fetch(self, rel: str, want: str | None) -> Path:
        """The local path of ``rel``, downloaded if missing; checked against ``want`` when known."""
        try:
            check_no_links(self.folder, rel)
        except ValueError as exc:
            raise ReleaseRefusedError(refused(self.version, str(exc))) from None
        target = self.folder / rel
        if target.exists() and not target.is_file():
            msg = refused(self.version, f"{target} is not a file")
            raise ReleaseRefusedError(msg)
        if target.is_file():
            if want is None:
                return target  # checked by the agreement of descriptor and SHA256SUMS
            got = sha256_file(target)
            if got == want:
                return target
            if self.keep_bad or self.offline:
                msg = (f"{target}: SHA-256 is {got} but release {self.version} says {want} for {rel}; the local "
                       "copy was changed or corrupted. It was kept: delete it yourself, or download into "
                       "another folder.")
                raise HashMismatchError(msg)
            # The cache is ours: a changed copy is never used, and fetched again now.
            target.unlink()
            msg = (f"{target}: the cached copy of {rel} (release {self.version}) had SHA-256 {got}, not {want}; "
                   "it was deleted and is downloaded again")
            warnings.warn(msg, CorruptedCacheWarning, stacklevel=_outside_level())
        if self.offline:
            msg = f"{target} is missing: the copy of release {self.version} in {self.folder} is incomplete"
            raise DownloadError(msg)
        self.pooch.registry[rel] = f"sha256:{want}" if want else None
        self.current = rel
        parent = target.parent
        before = set(os.listdir(parent)) if parent.is_dir() else set()
        new_dirs = [d for d in (parent, *parent.parents) if d.is_relative_to(self.folder) and not d.exists()]
        ok = False
        try:
            with _quiet_pooch():
                path = Path(self.pooch.fetch(rel, downloader=self._http))
            ok = True
        except ValueError:
            got = self._http.got.get(rel, "unknown")
            source = "the registry says" if self.registered else "the release's datapackage.json and SHA256SUMS say"
            msg = refused(self.version, f"{self.base}/{self.version}/{rel}: SHA-256 of the download is {got} but "
                                        f"{source} {want}; the file was not kept: {SERVED}")
            raise HashMismatchError(msg) from None
        finally:
            self._clean(target, before)
            if not ok:
                for d in new_dirs:  # deepest first; leave no empty folders behind a failure
                    try:
                        d.rmdir()
                    except OSError:
                        pass
        self.fresh.add(rel)
        return path

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
        want = (self.pooch.registry.get(target.relative_to(self.folder).as_posix()) or ":").split(":", 1)[1]
        if want and target.is_file() and target.name not in before and sha256_file(target) != want:
            target.unlink(missing_ok=True)

    # -- the release's own lists of hashes ------------------------------------------
    def _read_descriptor(self, path: Path) -> tuple[dict, dict[str, str]]:
        try:
            desc = json.loads(path.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            msg = refused(self.version, f"{path}: its datapackage.json is not UTF-8 JSON ({exc})")
            raise ReleaseRefusedError(msg) from None
        if not isinstance(desc, dict) or not isinstance(desc.get("resources"), list):
            msg = refused(self.version, f"{path}: its datapackage.json has no resources list")
            raise ReleaseRefusedError(msg)
        if str(desc.get("version", self.version)) != self.version:
            msg = refused(self.version, f"{path}: its datapackage.json says version {desc.get('version')!r}")
            raise ReleaseRefusedError(msg)
        try:
            return desc, descriptor_hashes(desc, str(path))
        except ValueError as exc:
            raise ReleaseRefusedError(refused(self.version, str(exc))) from None

    def _read_sums(self, path: Path) -> dict[str, str]:
        try:
            return parse_sha256sums(path.read_text(encoding="utf-8"), str(path))
        except UnicodeDecodeError as exc:
            msg = refused(self.version, f"{path}: is not UTF-8 text (byte {exc.start})")
            raise ReleaseRefusedError(msg) from None
        except ValueError as exc:
            raise ReleaseRefusedError(refused(self.version, str(exc))) from None

    def hashes(self) -> dict[str, str]:
        """The SHA-256 of every file of the release, once its descriptor, its ``SHA256SUMS``
        and (for a registered version) the registry agree."""
        if self._hashes is None:
            self._hashes = self._agree(retry=not (self.keep_bad or self.offline))
        return self._hashes

    def _agree(self, retry: bool) -> dict[str, str]:
        reg = dict(self.entry["files"]) if self.entry else None
        if reg is not None:
            missing = [n for n in ("datapackage.json", "SHA256SUMS") if n not in reg]
            if missing:
                msg = refused(self.version, f"its registry entry has no hash for {' and '.join(missing)}; the "
                                            "registry shipped with kachin-events is incomplete")
                raise ReleaseRefusedError(msg)
        dp = self._fetch("datapackage.json", reg and reg["datapackage.json"])
        sums_path = self._fetch("SHA256SUMS", reg and reg["SHA256SUMS"])
        try:
            desc, desc_hashes = self._read_descriptor(dp)
            hashes = agreed_hashes(self.version, desc_hashes, self._read_sums(sums_path), registry=reg,
                                   descriptor_sha=sha256_file(dp), sums_sha=sha256_file(sums_path))
        except ReleaseRefusedError:
            if reg is None and not (self.keep_bad or self.offline):
                # Nothing vouches for an unregistered release's own lists: never keep a
                # pair that disagrees, and if either came from the cache, fetch both anew once.
                cached = {"datapackage.json", "SHA256SUMS"} - self.fresh
                dp.unlink(missing_ok=True)
                sums_path.unlink(missing_ok=True)
                if retry and cached:
                    self.fresh -= {"datapackage.json", "SHA256SUMS"}
                    return self._agree(retry=False)
            raise
        if reg is None:
            warnings.warn(unregistered_message(self.version), UnregisteredReleaseWarning,
                          stacklevel=_outside_level())
        self._desc = desc
        return hashes

    def descriptor(self) -> dict:
        """The release's ``datapackage.json``, once verified."""
        self.hashes()
        return self._desc

    def fetch(self, rel: str) -> Path:
        """Fetch one file of the release (a relative path) if not there, verify it, return its path."""
        hashes = self.hashes()
        if rel not in hashes:
            msg = f"release {self.version} has no file {rel!r}"
            raise DownloadError(msg)
        return self._fetch(rel, hashes[rel])

    def table_resource(self, table: str, *, csv: bool = False) -> dict | None:
        """The descriptor's resource of one table: its Parquet resource if any (unless
        ``csv``), else its CSV; None if neither."""
        resources = {r.get("name"): r for r in self.descriptor()["resources"] if isinstance(r, dict)}
        return (None if csv else resources.get(f"{table}-parquet")) or resources.get(table)

    def table_path(self, table: str, *, csv: bool = False) -> Path:
        """Fetch the file of one table (:meth:`table_resource`)."""
        res = self.table_resource(table, csv=csv)
        if res is None:
            names = repr(table) if csv else f"{table!r} or {table + '-parquet'!r}"
            msg = f"release {self.version} has no resource {names}"
            raise DownloadError(msg)
        return self.fetch(safe_relpath(str(res.get("path")), f"release {self.version} datapackage.json"))

    def all_files(self) -> list[str]:
        """Every file of the release (relative paths), with its hash known."""
        return sorted(self.hashes())
