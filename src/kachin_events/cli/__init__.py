"""The ``kachin-events`` command line.

Importing this package registers every command on :data:`cli`; :func:`main` is the
console-script entry point.
"""

from __future__ import annotations

import os
import sys

import click

from . import releases, validate  # noqa: F401  (registers the commands)
from . import fmt  # noqa: F401  (registers the command)
from . import template  # noqa: F401  (registers the command)
from . import corrections  # noqa: F401  (registers retire and correct)
from . import add  # noqa: F401  (registers the command)
from . import importers  # noqa: F401  (registers import-acled and import-ucdp)
from . import exports  # noqa: F401  (registers the command)
from . import published  # noqa: F401  (registers versions and history)
from . import verify  # noqa: F401  (registers the command)
from ._group import FORMATS, cli, format_option

__all__ = ["cli", "main", "format_option", "FORMATS"]


def main(argv=None):
    """Entry point: run the CLI, turning any unexpected error into a message, not a traceback."""
    try:
        cli.main(args=argv, prog_name="kachin-events", standalone_mode=True)
    except SystemExit:
        raise
    except ModuleNotFoundError as exc:
        from ..extras import MissingExtraError, extra_of, message

        extra = extra_of(exc.name)
        if extra is None or os.environ.get("KACHIN_EVENTS_DEBUG"):
            _internal_error(exc)
        # A part of a command (diff --base, say) that needs an extra not installed.
        args = sys.argv[1:] if argv is None else list(argv)
        what = " ".join(["kachin-events", *args[:1]])
        click.echo(str(exc) if isinstance(exc, MissingExtraError) else message(what, extra, [exc.name.split(".")[0]]),
                   err=True)
        sys.exit(2)
    except Exception as exc:  # noqa: BLE001 - the last line of defence for users
        _internal_error(exc)


def _internal_error(exc: Exception) -> None:
    """Say that an unexpected error is a bug, with status 2 (the traceback with KACHIN_EVENTS_DEBUG=1)."""
    if os.environ.get("KACHIN_EVENTS_DEBUG"):
        raise exc
    msg = (f"kachin-events: internal error: {type(exc).__name__}: {exc}\n"
           "This is a bug; please report it with the command you ran "
           "(set KACHIN_EVENTS_DEBUG=1 to see the traceback).")
    click.echo(msg, err=True)
    sys.exit(2)
