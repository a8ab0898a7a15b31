"""Checking that the files of a release are the ones it says they are.

Three lists of SHA-256 hashes describe a release, and :func:`agreed_hashes` requires
that they all agree before any file of it is used:

* the ``hash`` of each resource in the release's ``datapackage.json``;
* its ``SHA256SUMS`` (``<hex>  <path>`` for every file but itself);
* the registry shipped with the package (:mod:`kachin_events.release.registry`), when the
  version is registered: the hash of every file, ``SHA256SUMS`` included.

A hash is only ever a SHA-256 in one spelling: 64 lowercase hex digits, written
``sha256:<hex>`` in a descriptor and bare in ``SHA256SUMS`` and the registry. Anything
else (an MD5's 32 digits, a bare descriptor hash, which Data Package reads as MD5,
uppercase or short hex, another algorithm) is refused with a message saying what it
looks like, wherever a hash is read: a weaker hash would let a changed file pass.

Paths read from a release (a descriptor, ``SHA256SUMS``, the registry) must stay inside
the release folder (:func:`safe_relpath`), and nothing is written through a symbolic
link (:func:`check_no_links`).

See ``docs/integrity.md`` for what these checks prove (integrity) and what they do not
(authenticity).
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

#: What ``load(..., unregistered=...)`` accepts: warn and load, or refuse.
UNREGISTERED = ("warn", "error")

_HEX64 = re.compile(r"[0-9a-f]{64}")


class DownloadError(OSError):
    """A release file could not be fetched: no base URL, server down, file missing."""


class ReleaseRefusedError(DownloadError):
    """A release that was refused: its files, descriptor, SHA256SUMS and registry disagree,
    a hash is not a SHA-256, a path leaves the release folder, or the version is not
    registered and ``unregistered="error"`` was asked for."""


class HashMismatchError(ReleaseRefusedError):
    """A file whose SHA-256 is not the expected one, or two lists of hashes that disagree."""


class UnregisteredReleaseError(ReleaseRefusedError):
    """A version not in the registry, refused because ``unregistered="error"``."""


class UnregisteredReleaseWarning(UserWarning):
    """A version not in the registry was loaded: it is verified against its own descriptor only."""


class HashFormatError(ValueError):
    """A hash that is not a SHA-256 of 64 lowercase hex digits."""


def sha256_file(path: str | Path) -> str:
    """The SHA-256 of a file as lowercase hex, read in blocks (files may be large).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "x.txt"
    >>> _ = p.write_bytes(b"abc")
    >>> sha256_file(p)[:16]
    'ba7816bf8f01cfea'
    """
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def hash_problem(value) -> str | None:
    """Why ``value`` is not a SHA-256 written as 64 lowercase hex digits (None if it is).

    Examples
    --------
    >>> hash_problem("ab" * 32) is None
    True
    >>> hash_problem("d41d8cd98f00b204e9800998ecf8427e")
    '32 hex digits is the length of an MD5 hash, which cannot protect a file from being changed'
    >>> hash_problem("AB" * 32)
    'it has uppercase hex digits; SHA-256 hashes are written in lowercase, as sha256sum writes them'
    """
    if not isinstance(value, str):
        return f"it is {type(value).__name__}, not text"
    if _HEX64.fullmatch(value):
        return None
    if re.fullmatch(r"[0-9a-fA-F]{32}", value):
        return "32 hex digits is the length of an MD5 hash, which cannot protect a file from being changed"
    if re.fullmatch(r"[0-9a-fA-F]{64}", value):
        return "it has uppercase hex digits; SHA-256 hashes are written in lowercase, as sha256sum writes them"
    if re.fullmatch(r"[0-9a-fA-F]+", value):
        return f"it has {len(value)} hex digits; a SHA-256 has 64"
    if ":" in value:
        return f"it names the algorithm {value.partition(':')[0]!r}; here a bare SHA-256 (64 hex digits) is expected"
    return "it is not hexadecimal; a SHA-256 is 64 hex digits"


def check_sha256(value, where: str) -> str:
    """``value`` when it is a bare SHA-256 (64 lowercase hex digits), as in
    ``SHA256SUMS`` and the registry; otherwise :class:`HashFormatError` naming ``where``.

    Examples
    --------
    >>> check_sha256("0" * 64, "registry.json")[:4]
    '0000'
    >>> check_sha256("0" * 63, "registry.json")
    Traceback (most recent call last):
    ...
    kachin_events.integrity.HashFormatError: registry.json: hash '000000000000000000000000000000000000000000000000000000000000000' is not a SHA-256: it has 63 hex digits; a SHA-256 has 64
    """
    problem = hash_problem(value)
    if problem:
        msg = f"{where}: hash {value!r} is not a SHA-256: {problem}"
        raise HashFormatError(msg)
    return value


def descriptor_sha256(value, where: str) -> str:
    """The hex digest of a Data Package ``hash``, which must read ``sha256:<64 lowercase hex>``.

    In Data Package a hash without an algorithm prefix is an MD5, so a bare value is
    refused too.

    Examples
    --------
    >>> descriptor_sha256("sha256:" + "ab" * 32, "datapackage.json")[:4]
    'abab'
    >>> descriptor_sha256("md5:d41d8cd98f00b204e9800998ecf8427e", "datapackage.json, resource 'events'")
    Traceback (most recent call last):
    ...
    kachin_events.integrity.HashFormatError: datapackage.json, resource 'events': hash 'md5:d41d8cd98f00b204e9800998ecf8427e' is not 'sha256:<64 lowercase hex digits>': the algorithm 'md5' is not SHA-256
    """
    head = f"{where}: hash {value!r} is not 'sha256:<64 lowercase hex digits>'"
    if value is None:
        msg = f"{where}: has no hash, so the file cannot be verified; a release gives every file 'sha256:<hex>'"
        raise HashFormatError(msg)
    if not isinstance(value, str):
        msg = f"{head}: it is {type(value).__name__}, not text"
        raise HashFormatError(msg)
    algo, colon, digest = value.partition(":")
    if not colon:
        msg = f"{head}: a hash without an algorithm prefix is an MD5 in Data Package, which cannot protect a file"
        raise HashFormatError(msg)
    if algo != "sha256":
        why = "write the prefix in lowercase" if algo.lower() == "sha256" else f"the algorithm {algo!r} is not SHA-256"
        msg = f"{head}: {why}"
        raise HashFormatError(msg)
    problem = hash_problem(digest)
    if problem:
        msg = f"{head}: {problem}"
        raise HashFormatError(msg)
    return digest


def safe_relpath(path: str, where: str) -> str:
    """Check that a path from a release description stays inside the release folder.

    Descriptions may come from a server, so ``../``, absolute paths, drive letters,
    backslashes or control characters would let it write anywhere on the user's disk.

    Examples
    --------
    >>> safe_relpath("csv/events.csv", "SHA256SUMS")
    'csv/events.csv'
    >>> safe_relpath("../etc/passwd", "SHA256SUMS")
    Traceback (most recent call last):
    ...
    ValueError: SHA256SUMS: unsafe path '../etc/passwd'; release paths must be relative and stay inside the release folder
    """
    parts = str(path).split("/")
    if (not isinstance(path, str) or not path or path.startswith("/") or "\\" in path or ":" in path
            or any(ord(c) < 32 or ord(c) == 127 for c in path)
            or any(p in ("", ".", "..") for p in parts)):
        msg = f"{where}: unsafe path {path!r}; release paths must be relative and stay inside the release folder"
        raise ValueError(msg)
    return path


def check_no_links(folder: Path, rel: str) -> None:
    """Refuse to read or write ``folder/rel`` when a part of it below ``folder`` is a link.

    A link planted in a release or cache folder would send a write (or a read) outside
    it; the folder itself is the user's choice and may be a link.

    Examples
    --------
    >>> import tempfile, pathlib, os
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> os.symlink("/etc", d / "csv")
    >>> check_no_links(d, "csv/events.csv")
    Traceback (most recent call last):
    ...
    ValueError: .../csv is a symbolic link; nothing of a release is read or written through a link (remove it)
    """
    here = Path(folder)
    for part in safe_relpath(rel, str(folder)).split("/"):
        here = here / part
        if here.is_symlink():
            msg = f"{here} is a symbolic link; nothing of a release is read or written through a link (remove it)"
            raise ValueError(msg)


_SUMS_LINE = re.compile(r"^(\S+) [ *](.+)$")


def iter_sha256sums(text: str, where: str = "SHA256SUMS"):
    """Each line of a ``SHA256SUMS`` text as ``(line, path, hex, problem)``: ``problem`` is
    None for a good line, else the error (a :class:`HashFormatError` for a bad hash, a
    :class:`ValueError` for anything else), and ``hex`` is then None.

    Examples
    --------
    >>> [str(p) for *_, p in iter_sha256sums("{}  a.csv\\nnonsense\\n".format("ab" * 32))]
    ['None', "SHA256SUMS, line 2: expected '<64 hex digits>  <path>', got 'nonsense'"]
    """
    seen: set[str] = set()
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        at = f"{where}, line {number}"
        m = _SUMS_LINE.match(line)
        if not m:
            yield number, None, None, ValueError(f"{at}: expected '<64 hex digits>  <path>', got {line!r}")
            continue
        digest, path = m.group(1), m.group(2)
        try:
            check_sha256(digest, at)
            safe_relpath(path, at)
        except ValueError as exc:
            yield number, path, None, exc
            continue
        if path in seen:
            yield number, path, None, ValueError(f"{at}: {path!r} is listed twice")
            continue
        seen.add(path)
        yield number, path, digest, None


def parse_sha256sums(text: str, where: str = "SHA256SUMS") -> dict[str, str]:
    """Parse ``sha256sum`` output (``<hex>  <path>`` lines) into ``{path: hex}``; the first
    bad line raises :class:`ValueError` (a :class:`HashFormatError` for a bad hash).

    Examples
    --------
    >>> parse_sha256sums("{}  csv/events.csv\\n".format("ab" * 32))["csv/events.csv"][:4]
    'abab'
    >>> parse_sha256sums("nonsense")
    Traceback (most recent call last):
    ...
    ValueError: SHA256SUMS, line 1: expected '<64 hex digits>  <path>', got 'nonsense'
    >>> parse_sha256sums("d41d8cd98f00b204e9800998ecf8427e  csv/events.csv")
    Traceback (most recent call last):
    ...
    kachin_events.integrity.HashFormatError: SHA256SUMS, line 1: hash 'd41d8cd98f00b204e9800998ecf8427e' is not a SHA-256: 32 hex digits is the length of an MD5 hash, which cannot protect a file from being changed
    """
    out: dict[str, str] = {}
    for _, path, digest, problem in iter_sha256sums(text, where):
        if problem is not None:
            raise problem
        out[path] = digest
    return out


def descriptor_hashes(desc: dict, where: str = "datapackage.json") -> dict[str, str]:
    """``{path: hex}`` of every resource of a release descriptor, each hash checked.

    Examples
    --------
    >>> descriptor_hashes({"resources": [{"name": "a", "path": "a.csv", "hash": "sha256:" + "0" * 64}]})
    {'a.csv': '0000000000000000000000000000000000000000000000000000000000000000'}
    """
    out: dict[str, str] = {}
    for i, res in enumerate(desc.get("resources") or [], start=1):
        name = res.get("name", f"#{i}") if isinstance(res, dict) else f"#{i}"
        at = f"{where}, resource {name!r}"
        if not isinstance(res, dict) or not isinstance(res.get("path"), str):
            msg = f"{at}: a release resource has one file, named by a 'path' string"
            raise ValueError(msg)
        rel = safe_relpath(res["path"], at)
        digest = descriptor_sha256(res.get("hash"), at)
        if out.get(rel, digest) != digest:
            msg = f"{at}: {rel} is described twice with different hashes"
            raise ValueError(msg)
        out[rel] = digest
    return out


def refused(version: str, detail: str) -> str:
    """The message of a refused release.

    Examples
    --------
    >>> refused("0.1.0", "x")
    'release 0.1.0 was refused: x'
    """
    return f"release {version} was refused: {detail}"


#: Why a disagreement refuses a release, and what it means when the release came from a server.
AGREE = "a release's files, its datapackage.json, its SHA256SUMS and the registry must all agree"
SERVED = "the server or mirror serves a changed or corrupted release"


def agreed_hashes(version: str, descriptor: dict[str, str], sums: dict[str, str], *,
                  descriptor_sha: str, sums_sha: str, registry: dict[str, str] | None = None,
                  hint: str = SERVED) -> dict[str, str]:
    """The SHA-256 of every file of a release, once its three lists of hashes agree.

    Parameters
    ----------
    version : str
        The release, for messages.
    descriptor : dict
        ``{path: hex}`` from its ``datapackage.json`` (:func:`descriptor_hashes`).
    sums : dict
        ``{path: hex}`` from its ``SHA256SUMS`` (:func:`parse_sha256sums`).
    descriptor_sha, sums_sha : str
        The SHA-256 of the ``datapackage.json`` and ``SHA256SUMS`` files themselves.
    registry : dict, optional
        ``{path: hex}`` of the registry entry; None for a version not in the registry.
    hint : str
        What a disagreement means, ending the message.

    Returns
    -------
    dict
        ``{path: hex}`` for every file of the release, ``SHA256SUMS`` included.

    Raises
    ------
    HashMismatchError
        Naming the file and both hashes when two lists disagree, or a file one lists
        and another does not.

    Examples
    --------
    >>> a, b = "a" * 64, "b" * 64
    >>> sorted(agreed_hashes("0.1.0", {"x.csv": a}, {"x.csv": a, "datapackage.json": b},
    ...                      descriptor_sha=b, sums_sha=a))
    ['SHA256SUMS', 'datapackage.json', 'x.csv']
    >>> agreed_hashes("0.1.0", {"x.csv": b}, {"x.csv": a, "datapackage.json": b}, descriptor_sha=b, sums_sha=a)
    Traceback (most recent call last):
    ...
    kachin_events.integrity.HashMismatchError: release 0.1.0 was refused: datapackage.json gives x.csv the SHA-256 bbbb... but SHA256SUMS lists aaaa... ...
    """

    def fail(detail: str):
        raise HashMismatchError(refused(version, f"{detail}; {AGREE}: {hint}"))

    listed_dp = sums.get("datapackage.json")
    if listed_dp is None:
        fail("SHA256SUMS does not list datapackage.json")
    if listed_dp != descriptor_sha:
        fail(f"SHA256SUMS lists datapackage.json with SHA-256 {listed_dp} but the datapackage.json has {descriptor_sha}")
    if "SHA256SUMS" in sums:
        fail("SHA256SUMS lists itself")
    for rel, digest in descriptor.items():
        if registry is not None and rel in registry and registry[rel] != digest:
            fail(f"datapackage.json gives {rel} the SHA-256 {digest} but the registry says {registry[rel]}")
        if rel not in sums:
            fail(f"datapackage.json describes {rel}, which SHA256SUMS does not list")
        if sums[rel] != digest:
            fail(f"datapackage.json gives {rel} the SHA-256 {digest} but SHA256SUMS lists {sums[rel]}")
    files = {**sums, "SHA256SUMS": sums_sha}
    if registry is not None:
        for rel in sorted(set(files) | set(registry)):
            if rel not in registry:
                fail(f"SHA256SUMS lists {rel} ({files[rel]}), which the registry does not")
            if rel not in files:
                fail(f"the registry lists {rel} ({registry[rel]}), which SHA256SUMS does not")
            if files[rel] != registry[rel]:
                what = "the SHA256SUMS file has" if rel == "SHA256SUMS" else "SHA256SUMS lists"
                fail(f"{what} {'' if rel == 'SHA256SUMS' else rel + ' with '}SHA-256 {files[rel]} "
                     f"but the registry says {registry[rel]}")
    return dict(sorted(files.items()))
