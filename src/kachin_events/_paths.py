"""Where the schemas and the data snapshot live.

An installed wheel carries them under ``kachin_events/_bundled``; a source checkout
(an editable install, or running the tests from the repository) has them at the
repository root. Both layouts are the same files, so nothing else needs to know which
one is in use.
"""

from __future__ import annotations

from pathlib import Path

_HERE = Path(__file__).resolve().parent
_BUNDLED = _HERE / "_bundled"
_REPO = _HERE.parent.parent  # src/kachin_events -> repository root


def _root() -> Path:
    if (_BUNDLED / "datapackage.json").is_file():
        return _BUNDLED
    return _REPO


def schema_dir() -> Path:
    """Folder holding the Table Schemas (one JSON file per table)."""
    return _root() / "schemas"


def snapshot_package() -> Path:
    """The ``datapackage.json`` of the data snapshot shipped with the package."""
    return _root() / "datapackage.json"


def find_package(start: Path | None = None) -> Path | None:
    """Find the nearest ``datapackage.json`` in ``start`` or one of its parents.

    This is how ``kachin-events validate`` with no path finds the repository it is run
    in. Returns None outside a checkout.
    """
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        candidate = folder / "datapackage.json"
        if candidate.is_file():
            return candidate
    return None


def boundaries_dir() -> Path:
    """Folder holding MIMU's Kachin township and state boundaries (GeoJSON)."""
    return _root() / "reference" / "mimu"
