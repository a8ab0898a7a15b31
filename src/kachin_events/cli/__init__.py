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
from ._group import FORMATS, cli, format_option

__all__ = ["cli", "main", "format_option", "FORMATS"]


def main(argv=None):
    """Entry point: run the CLI, turning any unexpected error into a message, not a traceback."""
    try:
        cli.main(args=argv, prog_name="kachin-events", standalone_mode=True)
    except SystemExit:
        raise
    except Exception as exc:  # noqa: BLE001 - the last line of defence for users
        if os.environ.get("KACHIN_EVENTS_DEBUG"):
            raise
        msg = (f"kachin-events: internal error: {type(exc).__name__}: {exc}\n"
               "This is a bug; please report it with the command you ran "
               "(set KACHIN_EVENTS_DEBUG=1 to see the traceback).")
        click.echo(msg, err=True)
        sys.exit(2)
