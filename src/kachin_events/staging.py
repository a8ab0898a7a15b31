"""All-or-nothing folders: written in a hidden staging folder next to their destination,
then renamed into place in one step.

A build or a download writes every file of a release into ``.building-...`` or
``.downloading-...`` inside the folder of releases, and only renames the finished,
verified release to ``X.Y.Z`` at the end (``os.rename`` within one file system is
atomic). Whatever stops it before that (an error, a refused file, a full disk, Ctrl-C,
``kill -9``) leaves no ``X.Y.Z`` folder behind, and never touches an existing one.

A process killed outright cannot clean up after itself, so its staging folder stays.
Each staging folder is locked (``flock``) by the process that uses it; the next build
or download in the same folder removes every staging folder of its kind whose lock it
can take, since the process that held it is gone. The folder of releases itself is
locked only for the moments that create a staging folder, remove stale ones, or rename
a release into place, so that these never race with another process. Where ``fcntl``
is missing (Windows), nothing is locked and stale staging folders are left for you to
delete; they are never mistaken for releases (their names are not version numbers).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from pathlib import Path

try:  # POSIX; without it nothing is locked and nothing stale is removed
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None


@contextlib.contextmanager
def locked(folder: Path):
    """Hold an exclusive lock on ``folder`` (waiting for it) for the ``with`` block.

    Examples
    --------
    >>> import tempfile
    >>> with locked(Path(tempfile.mkdtemp())):
    ...     pass
    """
    if fcntl is None:  # pragma: no cover - Windows
        yield
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def _try_lock(path: Path) -> int | None:
    """An open, exclusively locked descriptor of ``path``, or None when another process holds it."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        return None
    return fd


def remove_stale(parent: Path, prefix: str, recover=None) -> list[str]:
    """Remove the staging folders ``parent/prefix*`` that no running process holds.

    Call with ``parent`` locked (:func:`locked`). ``recover(path)``, when given, is
    called on each stale folder first, to finish what its process had committed to
    (see :func:`kachin_events.release.build.build_release`). Returns the names removed.

    Examples
    --------
    >>> import tempfile
    >>> d = Path(tempfile.mkdtemp())
    >>> (d / ".building-0.1.0-x").mkdir()
    >>> remove_stale(d, ".building-") if fcntl else [".building-0.1.0-x"]
    ['.building-0.1.0-x']
    """
    if fcntl is None or not parent.is_dir():  # pragma: no cover - Windows
        return []
    removed = []
    for path in sorted(parent.iterdir()):
        if not path.name.startswith(prefix) or path.is_symlink() or not path.is_dir():
            continue
        fd = _try_lock(path)
        if fd is None:
            continue  # another build or download is using it
        try:
            if recover is not None:
                recover(path)
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path.name)
        finally:
            os.close(fd)
    return removed


@contextlib.contextmanager
def staging_folder(parent: Path, kind: str, label: str = "", recover=None):
    """A new, locked, hidden folder ``parent/{kind}{label}...`` for the ``with`` block,
    removed at the end with whatever is still in it (move the finished result out first).

    Stale staging folders of the same ``kind`` (``.building-``, ``.downloading-``), left
    by killed processes, are removed first (see :func:`remove_stale`).

    Examples
    --------
    >>> import tempfile
    >>> d = Path(tempfile.mkdtemp())
    >>> with staging_folder(d, ".downloading-", "0.1.0-") as tmp:
    ...     _ = (tmp / "x").write_text("x")
    ...     tmp.name.startswith(".downloading-0.1.0-")
    True
    >>> list(d.iterdir())
    []
    """
    with locked(parent):
        remove_stale(parent, kind, recover)
        path = Path(tempfile.mkdtemp(prefix=kind + label, dir=parent))
        fd = _try_lock(path) if fcntl is not None else None
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)
        if fd is not None:
            os.close(fd)
