"""kachin-events: a strict, documented, verifiable dataset of conflict events in Kachin State.

The public API is flat; heavy libraries (pandas, pandera, polars, frictionless) are only
imported when a function that needs them is called, so ``import kachin_events`` is fast.

Examples
--------
>>> import kachin_events
>>> kachin_events.get_schema("events").primary_key
('event_id',)
"""

from __future__ import annotations

from importlib import import_module

from .__about__ import __version__

# name -> module that defines it; resolved on first use (PEP 562).
_LAZY = {
    "validate": "validation",
    "Report": "validation.findings",
    "Finding": "validation.findings",
    "load_schemas": "schema",
    "get_schema": "schema",
    "TABLES": "schema",
    "pandera_schema": "validation.engines",
    "RULES": "rules",
    "Rule": "rules",
    "get_rule": "rules",
    "load": "loader",
    "load_all": "loader",
    "Dataset": "loader",
    "load_flat": "flat",
    "download": "loader",
    "DownloadError": "loader",
    "HashMismatchError": "loader",
    "ReleaseRefusedError": "loader",
    "UnregisteredReleaseError": "loader",
    "UnregisteredReleaseWarning": "loader",
    "CorruptedCacheWarning": "loader",
    "versions": "release.registry",
    "register_release": "release.registry",
    "build_release": "release.build",
    "verify_release": "release.verify",
    "diff_releases": "release.diff",
    "required_bump": "release.diff",
    "ReleaseDiff": "release.diff",
    "releases": "release.published",
    "history": "release.history",
    "resolve_names": "contrib.resolve",
    "resolve_submission": "contrib.resolve",
    "compare_with_base": "contrib.base",
    "diff_with_base": "contrib.changes",
    "locate": "geometry",
    "locate_frame": "geometry",
    "locate_points": "geometry",
    "import_acled": "importers.acled",
    "import_ucdp": "importers.ucdp",
    "write_export": "exports.write",
    "canonical_csv": "contrib.canonical",
    "write_canonical": "contrib.canonical",
    "format_package": "contrib.fmt",
    "FmtResult": "contrib.fmt",
    "write_template": "contrib.template",
    "retire_event": "contrib.retire",
    "correct_event": "contrib.retire",
    "add_submission": "contrib.add",
    "AddResult": "contrib.add",
}

__all__ = ["__version__", *_LAZY]


def __getattr__(name):
    if name in _LAZY:
        value = getattr(import_module(f".{_LAZY[name]}", __name__), name)
        globals()[name] = value
        return value
    msg = f"module 'kachin_events' has no attribute {name!r}"
    raise AttributeError(msg)


def __dir__():
    return sorted(__all__)
