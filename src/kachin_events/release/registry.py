"""The registry of published releases: which versions exist, where they are hosted and
the SHA-256 of every file of each, shipped inside the package as ``registry.json``.

The registry is what makes a download trustworthy: the hashes come with the installed
package, not from the server the files come from, so a tampered or corrupted file is
refused even when the server (or a mirror) serves it with a matching description.
Releases are immutable: once a version is registered its hashes never change; only its
URL may be set or moved.

The file looks like this (``base_url`` is null while a release is hosted nowhere;
files are fetched from ``{base_url}/{version}/{path}``; ``bytes`` gives each file's
size, and is optional when reading)::

    {"versions": [
      {"version": "0.1.0", "base_url": null, "created": "2026-03-01T12:00:00Z",
       "files": {"SHA256SUMS": "<hex>", "csv/events.csv": "<hex>", ...},
       "bytes": {"SHA256SUMS": 2929, "csv/events.csv": 12955, ...},
       "archive": {"path": "kachin-events-0.1.0.zip", "sha256": "<hex>", "bytes": 130512}}
    ]}

A release that is published is also kept whole in the repository and shipped with the
package (:func:`kachin_events.release.layout.bundled_release`); its entry needs no URL
for that. :mod:`kachin_events.release.published` lists the published releases with
their dates, sizes and hashes, and checks that they never change.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import tempfile
from pathlib import Path

from ..integrity import (  # noqa: F401 - sha256_file, safe_relpath and parse_sha256sums are used from here too
    agreed_hashes,
    check_sha256,
    descriptor_hashes,
    parse_sha256sums,
    safe_relpath,
    sha256_file,
)
from .layout import DESCRIPTOR, SUMS, files_in, zip_name
from .semver import parse_version

#: The registry shipped with the package (``kachin_events/registry.json``); tests point this elsewhere.
DEFAULT_PATH = Path(__file__).resolve().parent.parent / "registry.json"

class RegistryError(ValueError):
    """The registry cannot be read, or holds an entry that cannot be trusted (a bad
    version, an unsafe path, a hash that is not a SHA-256)."""


def read_registry(registry_path: str | Path | None = None) -> dict:
    """The registry as a dict ``{"versions": [entry, ...]}``.

    Examples
    --------
    >>> isinstance(read_registry()["versions"], list)
    True
    """
    path = Path(registry_path) if registry_path else DEFAULT_PATH
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {"versions": []}
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        msg = f"{path}: the release registry cannot be read ({exc})"
        raise RegistryError(msg) from None
    if not isinstance(doc, dict) or not isinstance(doc.get("versions"), list):
        msg = f'{path}: the release registry must be an object with a "versions" list'
        raise RegistryError(msg)
    for entry in doc["versions"]:
        try:
            _check_entry(entry, path)
        except ValueError as exc:
            raise RegistryError(str(exc)) from None
    return doc


def _check_entry(entry, path: Path) -> None:
    """Refuse a registry entry whose version, paths or hashes could not be trusted.

    The registry is what a download is checked against, so a weak or malformed hash
    in it (an MD5, uppercase or short hex) would silently weaken every check.
    """
    if not isinstance(entry, dict):
        msg = f"{path}: every entry of the release registry must be an object, not {entry!r}"
        raise ValueError(msg)
    try:
        version = str(entry.get("version"))
        parse_version(version)
    except ValueError as exc:
        msg = f"{path}: {exc}"
        raise ValueError(msg) from None
    files = entry.get("files")
    if not isinstance(files, dict):
        msg = f'{path}: version {version} has no "files" object of path -> SHA-256'
        raise ValueError(msg)
    for rel, digest in files.items():
        at = f"{path}, version {version}, file {rel!r}"
        safe_relpath(rel, at)
        check_sha256(digest, at)
    sizes = entry.get("bytes")
    if sizes is not None:
        if not isinstance(sizes, dict) or set(sizes) != set(files) or not all(_is_size(n) for n in sizes.values()):
            msg = (f'{path}: version {version}: "bytes" must give the size of every file of "files" '
                   "(a whole number of bytes), or be left out")
            raise ValueError(msg)
    archive = entry.get("archive")
    if archive is not None:
        if not isinstance(archive, dict) or not isinstance(archive.get("path"), str):
            msg = f'{path}: version {version}: "archive" must be null or {{"path": ..., "sha256": ...}}'
            raise ValueError(msg)
        safe_relpath(archive["path"], f"{path}, version {version}, archive")
        check_sha256(archive.get("sha256"), f"{path}, version {version}, archive {archive['path']!r}")
        if "bytes" in archive and not _is_size(archive["bytes"]):
            msg = f'{path}: version {version}: the archive\'s "bytes" must be a whole number of bytes'
            raise ValueError(msg)


def _is_size(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def versions(registry_path: str | Path | None = None) -> list[str]:
    """The registered (published) versions, oldest first.

    The data snapshot shipped with the package is not among them: load it with
    ``kachin_events.load()`` and no version.

    Examples
    --------
    >>> all(isinstance(v, str) for v in versions())
    True
    """
    return sorted((e["version"] for e in read_registry(registry_path)["versions"]), key=parse_version)


def get_entry(version: str, registry_path: str | Path | None = None) -> dict | None:
    """The registry entry of ``version``, or None when it is not registered.

    Examples
    --------
    >>> get_entry("999.0.0") is None
    True
    """
    parse_version(version)
    for entry in read_registry(registry_path)["versions"]:
        if entry.get("version") == version:
            return entry
    return None


def _check_url(url: str | None) -> str | None:
    if url is None:
        return None
    if not re.match(r"^https?://[^/\s]+", url):
        msg = f"base URL {url!r} must start with http:// or https:// and name a host"
        raise ValueError(msg)
    return url.rstrip("/")


def release_entry(release_dir: str | Path, url: str | None = None) -> dict:
    """Describe a built release folder ``<base>/X.Y.Z/`` as a registry entry.

    Every file listed in its ``SHA256SUMS`` is hashed and compared; a file that is
    missing, differs, or is present but unlisted, a hash that is not a SHA-256, a
    resource hash in ``datapackage.json`` that disagrees with ``SHA256SUMS``, and a
    symbolic link are refused, so only a complete, self-consistent release can be
    registered.
    """
    folder = Path(release_dir)
    version = folder.name
    parse_version(version)
    sums_path = folder / SUMS
    try:
        listed = parse_sha256sums(sums_path.read_text(encoding="utf-8"), str(sums_path))
    except OSError as exc:
        msg = f"{sums_path}: cannot be read ({exc.strerror or exc}); is {folder} a built release folder?"
        raise UnreadableReleaseError(msg) from None
    except UnicodeDecodeError as exc:
        msg = (f"{sums_path}: is not UTF-8 text (byte {exc.start}); a SHA256SUMS file written by "
               "`kachin-events build` is plain UTF-8: rebuild the release")
        raise UnreadableReleaseError(msg) from None
    links = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_symlink())
    if links:
        msg = f"{folder}: holds symbolic links ({', '.join(links)}); a release holds plain files only: rebuild it"
        raise ValueError(msg)
    for rel, want in listed.items():
        p = folder / rel
        if not p.is_file():
            msg = f"{sums_path} lists {rel!r}, but {p} does not exist"
            raise ValueError(msg)
        got = sha256_file(p)
        if got != want:
            msg = f"{p}: SHA-256 is {got} but {sums_path} says {want}; rebuild the release"
            raise ValueError(msg)
    present = set(files_in(folder))
    unlisted = sorted(present - set(listed) - {SUMS})
    if unlisted:
        msg = f"{folder}: files not listed in SHA256SUMS: {', '.join(unlisted)}; rebuild the release"
        raise ValueError(msg)
    if DESCRIPTOR not in listed:
        msg = f"{sums_path} does not list {DESCRIPTOR}; is {folder} a built release folder?"
        raise ValueError(msg)
    try:
        desc = json.loads((folder / DESCRIPTOR).read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        msg = f"{folder / 'datapackage.json'}: cannot be read as UTF-8 JSON ({exc}); rebuild the release"
        raise UnreadableReleaseError(msg) from None
    if not isinstance(desc, dict):
        msg = f"{folder / 'datapackage.json'}: is not a data package (a JSON object); rebuild the release"
        raise UnreadableReleaseError(msg)
    if desc.get("version") not in (None, version):
        msg = f"{folder / 'datapackage.json'} says version {desc.get('version')!r} but the folder is {version!r}"
        raise ValueError(msg)
    # The descriptor's hashes must agree with SHA256SUMS too (and be SHA-256s), or the
    # registry would vouch for a release that every load then refuses.
    files = agreed_hashes(version, descriptor_hashes(desc, str(folder / DESCRIPTOR)), listed,
                          descriptor_sha=sha256_file(folder / DESCRIPTOR), sums_sha=sha256_file(sums_path),
                          hint="rebuild the release")
    created = desc.get("created") or dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    archive = folder.parent / zip_name(version)
    return {
        "version": version,
        "base_url": _check_url(url),
        "created": created,
        "files": files,
        "bytes": {rel: (folder / rel).stat().st_size for rel in files},
        "archive": ({"path": archive.name, "sha256": sha256_file(archive), "bytes": archive.stat().st_size}
                    if archive.is_file() else None),
    }


def _write_atomic(path: Path, doc: dict) -> None:
    text = json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
    # A temporary file in the same folder, then os.replace: readers see the old or the
    # new registry, never half of one, even if this process is killed.
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".registry-", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class UnreadableReleaseError(ValueError):
    """A release whose SHA256SUMS or datapackage.json cannot be read (exit status 2 on the CLI)."""


def register_release(release_dir: str | Path, url: str | None = None,
                     registry_path: str | Path | None = None) -> dict:
    """Add a built release to the registry, or set the URL of a registered one.

    Parameters
    ----------
    release_dir : path
        The release folder ``<base>/X.Y.Z/`` written by
        ``kachin_events.release.build.build_release``; its ``SHA256SUMS`` is verified first.
    url : str, optional
        Base URL the release is published under (files at ``{url}/X.Y.Z/<path>``).
        None keeps the registered URL (or null for a new entry): never guess one.
    registry_path : path, optional
        The registry file; by default the one shipped with the package.

    Returns
    -------
    dict
        The entry as written.

    Raises
    ------
    ValueError
        When the release is incomplete or inconsistent, or when the version is
        already registered with different hashes (releases are immutable: publish a
        new version instead).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> base = pathlib.Path(tempfile.mkdtemp())
    >>> rel = base / "0.0.1"; rel.mkdir()
    >>> _ = (rel / "datapackage.json").write_text('{"version": "0.0.1", "created": "2026-01-01T00:00:00Z"}')
    >>> _ = (rel / "SHA256SUMS").write_text(sha256_file(rel / "datapackage.json") + "  datapackage.json\\n")
    >>> entry = register_release(rel, registry_path=base / "registry.json")
    >>> versions(base / "registry.json"), entry["base_url"]
    (['0.0.1'], None)
    >>> register_release(rel, url="https://example.org/kachin/", registry_path=base / "registry.json")["base_url"]
    'https://example.org/kachin'
    """
    path = Path(registry_path) if registry_path else DEFAULT_PATH
    new = release_entry(release_dir, url)
    doc = read_registry(path)
    entries = doc["versions"]
    for i, old in enumerate(entries):
        if old.get("version") != new["version"]:
            continue
        changed = sorted(k for k in set(old.get("files", {})) | set(new["files"])
                         if old.get("files", {}).get(k) != new["files"].get(k))
        if changed or (old.get("archive") and new["archive"] and old["archive"] != new["archive"]):
            msg = (f"{path}: version {new['version']} is already registered with different hashes for "
                   f"{', '.join(changed) or new['archive']['path']}; releases are immutable, "
                   "so publish the changes as a new version")
            raise ValueError(msg)
        new = {**old, "base_url": new["base_url"] or old.get("base_url"), "bytes": old.get("bytes") or new["bytes"],
               "archive": old.get("archive") or new["archive"]}
        entries[i] = new
        break
    else:
        entries.append(new)
    entries.sort(key=lambda e: parse_version(e["version"]))
    _write_atomic(path, doc)
    return new
