"""Rebuild a published release from its sources and compare it with the files, one by one.

A release is verifiable when anyone can make it again: :func:`reproduce_release` builds
the release's version from the data it was built from (the repository at the git tag
``vX.Y.Z`` when there is one, else at the commit that published the release, else the
data as it stands, which the report says) into a
temporary folder, beside the releases published before it so its change log is the
same, and compares every file. CSV files must match byte for byte anywhere; Parquet
bytes depend on the versions of pyarrow and its compression library, so they are
expected to match in the pinned release environment (``requirements/release.lock``,
``scripts/release-env``) and elsewhere must hold the same rows and values.
"""

from __future__ import annotations

import hashlib
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

#: What a file of the rebuild can be, compared with the published one.
SAME, SAME_VALUES, DIFFERS, MISSING, EXTRA = "same bytes", "same rows and values", "differs", "missing", "extra"


@dataclass
class Reproduction:
    """The outcome of :func:`reproduce_release`.

    Attributes
    ----------
    version : str
        The release rebuilt.
    source : str
        What it was rebuilt from (a git tag, or the data as it stands).
    files : dict
        Published file (relative path) -> one of :data:`SAME`, :data:`SAME_VALUES`,
        :data:`DIFFERS`, :data:`MISSING` (in the rebuild only) or :data:`EXTRA`.
    unpinned : list of str
        Installed versions that differ from the release lock (``name installed, locked``).
    """

    version: str
    source: str
    files: dict = field(default_factory=dict)
    unpinned: list = field(default_factory=list)

    @property
    def identical(self) -> bool:
        return all(v == SAME for v in self.files.values())

    @property
    def ok(self) -> bool:
        """Byte-identical; or, outside the pinned environment, CSV identical and the rest same values."""
        if self.identical:
            return True
        if not self.unpinned:
            return False
        return all(v in (SAME, SAME_VALUES) or _follows_parquet(p) for p, v in self.files.items())

    def to_text(self) -> str:
        lines = [f"release {self.version}, rebuilt from {self.source}:"]
        lines += [f"  {status:<22} {path}" for path, status in sorted(self.files.items())]
        if self.unpinned:
            lines.append("not the pinned release environment (bash scripts/release-env): " + "; ".join(self.unpinned[:5])
                         + (f" and {len(self.unpinned) - 5} more" if len(self.unpinned) > 5 else ""))
            lines.append("so Parquet files are compared by their rows and values, and what lists their hashes "
                         "may differ")
        verdict = ("byte-identical" if self.identical else "reproduced (same CSV bytes, same Parquet values)"
                   if self.ok else "NOT reproduced")
        lines.append(f"{verdict}: {sum(v == SAME for v in self.files.values())} of {len(self.files)} files "
                     "have the same bytes")
        return "\n".join(lines)


def _follows_parquet(path: str) -> bool:
    """Files that list or hold the Parquet files' bytes: they differ when those do."""
    name = Path(path).name
    return name in ("SHA256SUMS", "datapackage.json") or name.endswith(".zip")


def lock_file() -> Path | None:
    """The repository's release lock, when kachin-events runs from a checkout."""
    from . import _paths

    pkg = _paths.find_package()
    lock = pkg.parent / "requirements" / "release.lock" if pkg else None
    return lock if lock is not None and lock.is_file() else None


def unpinned_versions(lock: Path | None = None) -> list[str]:
    """Installed packages whose version is not the lock's (all of them unknown without a lock)."""
    import re
    from importlib.metadata import PackageNotFoundError, version

    lock = lock or lock_file()
    if lock is None:
        return ["no requirements/release.lock found (run from a checkout of the repository)"]
    out = []
    for name, pinned in re.findall(r"^([A-Za-z0-9_.\-]+)==([^\s\\]+)", lock.read_text(encoding="utf-8"), flags=re.M):
        try:
            have = version(name)
        except PackageNotFoundError:
            have = "not installed"
        if have != pinned:
            out.append(f"{name} {have}, locked {pinned}")
    return out


def _git(repo: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True)


def _source_at(repo: Path, ref: str, into: Path) -> Path:
    """The repository's files at ``ref`` (git archive), unpacked into ``into``; its datapackage.json."""
    import io
    import tarfile

    proc = subprocess.run(["git", "-C", str(repo), "archive", "--format=tar", ref], capture_output=True)
    if proc.returncode:
        msg = f"cannot read git ref {ref!r} in {repo}: {proc.stderr.decode(errors='replace').strip()}"
        raise ValueError(msg)
    with tarfile.open(fileobj=io.BytesIO(proc.stdout)) as tar:
        tar.extractall(into, filter="data")  # the data filter refuses links and paths outside
    return into / "datapackage.json"


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _same_values(a: Path, b: Path) -> bool:
    import pyarrow.parquet as pq

    try:
        return pq.read_table(a).equals(pq.read_table(b), check_metadata=False)
    except Exception:  # noqa: BLE001 - an unreadable file is simply not the same
        return False


def compare_folders(published: Path, rebuilt: Path) -> dict:
    """Published file -> how its rebuilt counterpart compares (see :data:`SAME` ...)."""
    out = {}
    mine = {p.relative_to(published).as_posix(): p for p in published.rglob("*") if p.is_file()}
    theirs = {p.relative_to(rebuilt).as_posix(): p for p in rebuilt.rglob("*") if p.is_file()}
    for rel, path in mine.items():
        other = theirs.get(rel)
        if other is None:
            out[rel] = MISSING
        elif _sha(path) == _sha(other):
            out[rel] = SAME
        elif rel.endswith(".parquet") and _same_values(path, other):
            out[rel] = SAME_VALUES
        else:
            out[rel] = DIFFERS
    out.update({rel: EXTRA for rel in theirs if rel not in mine})
    return out


def release_ref(root: Path, release_dir: Path) -> tuple[str | None, str]:
    """The git ref a published release was built from, and how it was found.

    The tag ``vX.Y.Z`` when the repository has it; else the commit that published the
    release (the one that added its ``datapackage.json``), which holds the code and the
    data it was built from; else None (not a git checkout, or the release is not
    committed yet), and the data as it stands is used.
    """
    version = release_dir.name
    tag = f"v{version}"
    if not _git(root, "rev-parse", "--verify", "--quiet", f"refs/tags/{tag}").returncode:
        return tag, f"git tag {tag}"
    try:
        rel = (release_dir / "datapackage.json").resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return None, f"the data as it stands in {root} (no tag {tag}; the release is outside the repository)"
    proc = _git(root, "log", "--diff-filter=A", "--format=%H", "-1", "--", rel)
    commit = proc.stdout.strip() if proc.returncode == 0 else ""
    if commit:
        return commit, f"the commit that published it, {commit[:12]} (no tag {tag})"
    return None, f"the data as it stands in {root} (no tag {tag}, and {rel} is not committed)"


def reproduce_release(release_dir: str | Path, ref: str | None = None, repo: str | Path | None = None) -> Reproduction:
    """Rebuild the release in ``release_dir`` and compare it with the published files.

    Parameters
    ----------
    release_dir : path
        A published release folder (``releases/X.Y.Z``).
    ref : str, optional
        The git ref to rebuild from; default :func:`release_ref` (the tag ``vX.Y.Z``, else
        the commit that published the release, else the data as it stands).
    repo : path, optional
        The repository (default: the one the current folder is in).

    Returns
    -------
    Reproduction
    """
    from . import _paths
    from .release.build import build_release
    from .release.layout import previous_version

    release_dir = Path(release_dir).resolve()
    version = release_dir.name
    package = Path(repo) / "datapackage.json" if repo else _paths.find_package()
    if package is None or not package.is_file():
        raise ValueError("no repository here: run this in a checkout of kachin-events, or give --repo")
    root = package.parent
    with tempfile.TemporaryDirectory(prefix="kachin-reproduce-") as tmp:
        tmp = Path(tmp)
        if ref is None:
            ref, source = release_ref(root, release_dir)
        else:
            source = f"git ref {ref}"
        if ref is not None:
            package = _source_at(root, ref, tmp / "source")
        before = previous_version(release_dir.parent, version)
        previous = release_dir.parent / before if before else None
        # The lock the release was built with: the source's, which a later lock may differ from.
        lock = package.parent / "requirements" / "release.lock"
        unpinned = unpinned_versions(lock if lock.is_file() else None)
        rebuilt = build_release(version, tmp / "out", package, previous=previous)
        files = compare_folders(release_dir, rebuilt)
        # The zip of the release sits beside its folder.
        for zipped in rebuilt.parent.glob("*.zip"):
            mine = release_dir.parent / zipped.name
            if mine.is_file():
                files[f"../{zipped.name}"] = SAME if _sha(mine) == _sha(zipped) else DIFFERS
    return Reproduction(version, source, files, unpinned)
