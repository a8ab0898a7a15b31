"""How big an input may be: the limits that keep a hostile or broken file from exhausting memory.

Each limit is a setting: a module constant with its default, which an environment
variable overrides (``KACHIN_EVENTS_MAX_FILE_MB=5000``, say). A file over a limit is
refused with a message that gives its size, the limit and the variable that changes it,
so that a maintainer with a genuinely larger file knows what to do.

The defaults are generous: far above any submission the project has seen, and below
what would exhaust a CI runner's memory (7 GB on GitHub's standard runners).
"""

from __future__ import annotations

import os
from pathlib import Path

#: Largest file read, in MB (10^6 bytes): about 3.5 million events as CSV. Larger files
#: are unreadable. Environment variable ``KACHIN_EVENTS_MAX_FILE_MB``.
MAX_FILE_MB = 2000
#: Largest JSON file read, in MB: Python builds a JSON document in memory at about ten
#: times its size, so JSON gets a lower limit than CSV; larger submissions belong in a
#: CSV file. Environment variable ``KACHIN_EVENTS_MAX_JSON_MB``.
MAX_JSON_MB = 256
#: Deepest nesting of lists and objects in a JSON document: a list of records is 2 levels
#: (``[{"notes": "..."}]``), a document of tables 3 (``{"events": [{...}]}``); a value
#: that is itself a list or an object adds its own. Deeper documents are unreadable (and
#: Python's own parser fails at about 1,000). Environment variable
#: ``KACHIN_EVENTS_MAX_JSON_DEPTH``.
MAX_JSON_DEPTH = 20
#: Most characters in one cell; longer is a ``cell-too-long`` error at the cell. The
#: longest notes in the data are under 2,000 characters, and Excel itself stops at
#: 32,767. Environment variable ``KACHIN_EVENTS_MAX_CELL_CHARS``.
MAX_CELL_CHARS = 100_000
#: Most named columns in a file or sheet's header; more is unreadable (the widest table
#: has 22). Environment variable ``KACHIN_EVENTS_MAX_COLUMNS``.
MAX_COLUMNS = 500

_ENV = {
    "MAX_FILE_MB": "KACHIN_EVENTS_MAX_FILE_MB",
    "MAX_JSON_MB": "KACHIN_EVENTS_MAX_JSON_MB",
    "MAX_JSON_DEPTH": "KACHIN_EVENTS_MAX_JSON_DEPTH",
    "MAX_CELL_CHARS": "KACHIN_EVENTS_MAX_CELL_CHARS",
    "MAX_COLUMNS": "KACHIN_EVENTS_MAX_COLUMNS",
}


def env_name(setting: str) -> str:
    """The environment variable that overrides a setting.

    Examples
    --------
    >>> env_name("MAX_FILE_MB")
    'KACHIN_EVENTS_MAX_FILE_MB'
    """
    return _ENV[setting]


def limit(setting: str) -> int:
    """A limit in force: the environment variable's value when it is a whole number, else the default.

    Examples
    --------
    >>> limit("MAX_COLUMNS") == MAX_COLUMNS or "KACHIN_EVENTS_MAX_COLUMNS" in os.environ
    True
    >>> import unittest.mock
    >>> with unittest.mock.patch.dict(os.environ, {"KACHIN_EVENTS_MAX_COLUMNS": "40"}):
    ...     limit("MAX_COLUMNS")
    40
    >>> with unittest.mock.patch.dict(os.environ, {"KACHIN_EVENTS_MAX_COLUMNS": "many"}):
    ...     limit("MAX_COLUMNS") == MAX_COLUMNS
    True
    """
    text = os.environ.get(_ENV[setting], "").strip()
    # An unusable value is ignored rather than fatal: a limit must never be the reason
    # nothing at all can be checked.
    return int(text) if text.isdigit() and int(text) > 0 else globals()[setting]


def _mb(n: int) -> str:
    return f"{n / 1e6:,.1f} MB" if n < 1e9 else f"{n / 1e9:,.2f} GB"


def check_file_size(path: Path, shown: str, setting: str = "MAX_FILE_MB") -> None:
    """Raise UnreadableError when ``path`` is larger than the limit ``setting`` (in MB).

    Examples
    --------
    >>> import tempfile, unittest.mock
    >>> path = Path(tempfile.mkdtemp()) / "events.csv"
    >>> _ = path.write_bytes(b"x" * 2_000_001)
    >>> check_file_size(path, "events.csv") is None
    True
    >>> from kachin_events.validation.read import UnreadableError
    >>> with unittest.mock.patch.dict(os.environ, {"KACHIN_EVENTS_MAX_FILE_MB": "1"}):
    ...     try:
    ...         check_file_size(path, "events.csv")
    ...     except UnreadableError as exc:
    ...         print(exc.message[:45])
    is 2.0 MB, more than the limit of 1 MB for fi
    """
    from .read import UnreadableError

    try:
        size = path.stat().st_size
    except OSError as exc:
        raise UnreadableError(shown, f"cannot be read ({exc.strerror or exc})") from None
    most = limit(setting)
    if size > most * 1_000_000:
        kind = "JSON files" if setting == "MAX_JSON_MB" else "files"
        hint = (" Split the data into several files, or give it as CSV" if setting == "MAX_JSON_MB"
                else " Split the data into several files (one per report, say)")
        msg = (f"is {_mb(size)}, more than the limit of {most:,} MB for {kind} (the setting "
               f"{_ENV[setting]}).{hint}; or, if a file this large is expected, set {_ENV[setting]} "
               "to a larger number of MB")
        raise UnreadableError(shown, msg)
