"""The published releases: their dates, sizes and hashes, and the check that they never change.

A published release is registered (:mod:`kachin_events.release.registry`) and kept whole
in the repository under ``releases/X.Y.Z/`` with its zip, and the wheel ships the same
folder (:func:`kachin_events.release.layout.bundled_release`). :func:`releases` lists
them; :func:`published_problems` is the immutability check: the registry, each
release's ``SHA256SUMS`` and ``datapackage.json``, and the files must all agree, and
nothing may be added to, changed in or removed from a published release.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from ..integrity import HashMismatchError, agreed_hashes, descriptor_hashes, parse_sha256sums, sha256_file
from .layout import DESCRIPTOR, SUMS, bundled_release, files_in, published_root, zip_name, zip_version
from .registry import get_entry, read_registry
from .semver import is_version, parse_version


@dataclass(frozen=True)
class PublishedRelease:
    """One published release, as the registry shipped with the package describes it.

    Attributes
    ----------
    version : str
        ``X.Y.Z``.
    created : str or None
        When the release is dated (its descriptor's ``created``).
    base_url : str or None
        Where it is hosted (files at ``{base_url}/X.Y.Z/...``); None when it is hosted nowhere.
    files : dict of str to str
        The SHA-256 of every file of the release folder, ``SHA256SUMS`` included.
    sizes : dict of str to int
        The size of every file in bytes (empty when neither the registry nor a local copy says).
    archive : dict or None
        The zip: ``{"path", "sha256", "bytes"}``.
    folder : pathlib.Path or None
        The copy shipped with the package, when there is one.
    """

    version: str
    created: str | None
    base_url: str | None
    files: dict = field(default_factory=dict)
    sizes: dict = field(default_factory=dict)
    archive: dict | None = None
    folder: Path | None = None

    @property
    def bytes(self) -> int | None:
        """The size of the release folder (every file), or None when unknown."""
        return sum(self.sizes.values()) if self.sizes and set(self.sizes) == set(self.files) else None

    @property
    def sums_sha256(self) -> str | None:
        """The SHA-256 of the release's ``SHA256SUMS``, which vouches for every other file."""
        return self.files.get(SUMS)

    def to_dict(self) -> dict:
        """The release as JSON-ready values."""
        return {"version": self.version, "created": self.created, "base_url": self.base_url,
                "bundled": self.folder is not None, "bytes": self.bytes, "sha256sums": self.sums_sha256,
                "archive": self.archive,
                "files": [{"path": p, "bytes": self.sizes.get(p), "sha256": h} for p, h in self.files.items()]}


def releases(registry_path: str | Path | None = None, root: str | Path | None = None) -> list[PublishedRelease]:
    """The published releases, oldest first, with their dates, sizes and hashes.

    :func:`kachin_events.versions` gives their version numbers only.

    Parameters
    ----------
    registry_path : path, optional
        The registry; by default the one shipped with the package.
    root : path, optional
        The folder of published releases; by default the one shipped with the package
        (:func:`kachin_events.release.layout.published_root`).

    Returns
    -------
    list of PublishedRelease

    Examples
    --------
    >>> import kachin_events
    >>> [r.version for r in releases()] == kachin_events.versions()
    True
    >>> all(len(r.sums_sha256) == 64 for r in releases())
    True
    """
    base = Path(root) if root is not None else published_root()
    out = []
    for entry in sorted(read_registry(registry_path)["versions"], key=lambda e: parse_version(e["version"])):
        version = entry["version"]
        folder = base / version if (base / version / DESCRIPTOR).is_file() else None
        sizes = dict(entry.get("bytes") or {})
        if not sizes and folder is not None:
            sizes = {rel: (folder / rel).stat().st_size for rel in entry["files"] if (folder / rel).is_file()}
        out.append(PublishedRelease(version, entry.get("created"), entry.get("base_url"), dict(entry["files"]),
                                    sizes, entry.get("archive"), folder))
    return out


def shipped_release(version: str, registry_path: str | Path | None = None) -> Path | None:
    """The folder of a published release inside the package: registered and shipped, else None.

    This is where :func:`kachin_events.load` reads a published release from, without a
    network; the folder is not yet verified, so read it through
    :class:`kachin_events.fetch.Release` with ``offline=True``, which checks every file
    against the registry first. A version that is not registered is never read from
    here, even when a folder of that name is there.

    Examples
    --------
    >>> import kachin_events
    >>> all(shipped_release(v) is not None for v in kachin_events.versions())
    True
    >>> shipped_release("999.0.0") is None
    True
    """
    folder = bundled_release(version)
    return folder if folder is not None and get_entry(str(version), registry_path) is not None else None


def _release_problems(folder: Path, entry: dict) -> list[str]:
    """How a published release folder differs from its registry entry."""
    version, registered = entry["version"], entry["files"]
    on_disk = files_in(folder)
    problems = [f"{folder / rel}: missing, but the registry lists it" for rel in sorted(set(registered) - set(on_disk))]
    problems += [f"{folder / rel}: not in the registry's list of the release's files; a published release "
                 "never changes" for rel in sorted(set(on_disk) - set(registered))]
    sizes = entry.get("bytes") or {}
    for rel in sorted(set(registered) & set(on_disk)):
        got = sha256_file(on_disk[rel])
        if got != registered[rel]:
            problems.append(f"{folder / rel}: SHA-256 {got}, but the registry says {registered[rel]}; "
                            "a published release never changes: publish the change as a new version")
        elif rel in sizes and on_disk[rel].stat().st_size != sizes[rel]:
            problems.append(f"{folder / rel}: {on_disk[rel].stat().st_size} bytes, but the registry says {sizes[rel]}")
    if problems or not {DESCRIPTOR, SUMS} <= set(on_disk):
        return problems
    try:
        desc = json.loads(on_disk[DESCRIPTOR].read_text(encoding="utf-8"))
        agreed_hashes(version, descriptor_hashes(desc, str(on_disk[DESCRIPTOR])),
                      parse_sha256sums(on_disk[SUMS].read_text(encoding="utf-8"), str(on_disk[SUMS])),
                      descriptor_sha=registered[DESCRIPTOR], sums_sha=registered[SUMS], registry=registered,
                      hint="a published release never changes")
    except (HashMismatchError, ValueError) as exc:  # JSON errors are ValueErrors
        return [str(exc)]
    if desc.get("version") != version:
        problems.append(f"{on_disk[DESCRIPTOR]}: says version {desc.get('version')!r}, but it is release {version}")
    return problems


def _archive_problems(base: Path, entry: dict) -> list[str]:
    version, archive = entry["version"], entry.get("archive")
    path = base / zip_name(version)
    if archive is None:
        return [f"{path}: the registry has no hash of this zip; register the release again"] if path.is_file() else []
    path = base / archive["path"]
    if not path.is_file():
        return [f"{path}: missing, but the registry lists it as the zip of release {version}"]
    got = sha256_file(path)
    if got != archive["sha256"]:
        return [f"{path}: SHA-256 {got}, but the registry says {archive['sha256']}; a published release never changes"]
    if "bytes" in archive and path.stat().st_size != archive["bytes"]:
        return [f"{path}: {path.stat().st_size} bytes, but the registry says {archive['bytes']}"]
    return []


def published_problems(root: str | Path | None = None, registry_path: str | Path | None = None) -> list[str]:
    """How the published releases differ from the registry: empty when every one is intact.

    Every registered version must be in ``root`` (``releases/X.Y.Z/`` and its zip) with
    exactly the files the registry lists and their SHA-256 and sizes, its own
    ``SHA256SUMS`` and ``datapackage.json`` must agree with the registry, and ``root``
    must hold nothing else: an unregistered release, a stray file or a build's staging
    folder is a problem too.

    Parameters
    ----------
    root : path, optional
        The folder of published releases; by default the one shipped with the package.
    registry_path : path, optional
        The registry; by default the one shipped with the package.

    Returns
    -------
    list of str
        Every problem, naming its file and what to do.

    Examples
    --------
    >>> published_problems()
    []
    """
    base = Path(root) if root is not None else published_root()
    entries = {e["version"]: e for e in read_registry(registry_path)["versions"]}
    problems = []
    for version, entry in entries.items():
        folder = base / version
        if not (folder / DESCRIPTOR).is_file():
            problems.append(f"{folder}: missing, but release {version} is registered; a published release is "
                            "kept in the repository")
            continue
        problems += _release_problems(folder, entry)
        problems += _archive_problems(base, entry)
    known = set(entries) | {zip_name(v) for v in entries}
    known |= {(e.get("archive") or {}).get("path") for e in entries.values()}
    for path in sorted(base.iterdir()) if base.is_dir() else []:
        if path.name in known:
            continue
        if is_version(path.name) or zip_version(path.name):
            problems.append(f"{path}: not in the registry; register it (kachin-events register) or remove it")
        else:
            problems.append(f"{path}: not a published release; {base} holds releases and their zips only")
    return problems
