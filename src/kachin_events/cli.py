"""The ``kachin-events`` command line. Each command is a thin wrapper over one library
function; shared options are defined once below.
"""

from __future__ import annotations

import os
import sys

import click

from .__about__ import __version__

FORMATS = ("text", "json", "github")


def format_option(f):
    """``--format``: shared by every command that prints a report."""
    return click.option(
        "--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True,
        help="text for people, json for programs (on standard output), github for workflow annotations.",
    )(f)


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="kachin-events")
def cli():
    """Validate, build and load the kachin-events dataset of conflict events in Kachin State.

    \b
    Examples:
      kachin-events validate
      kachin-events validate my_events.csv --format json
    """


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path())
@format_option
@click.option("--today", metavar="YYYY-MM-DD", default=None,
              help="Judge 'in the future' from this date instead of today (for reproducible checks).")
def validate(paths, fmt, today):
    """Validate the repository's data, or contributed files, against the schema and rules.

    With no PATHS, validates the nearest datapackage.json (the repository you are in).
    With PATHS, validates CSV, XLSX or JSON files of events (or of any table), or a
    datapackage.json, against the schema and the repository's reference tables.
    Every finding is reported at once. Exit status: 0 valid (warnings allowed),
    1 invalid, 2 a usage error or an unreadable file.

    \b
    Examples:
      kachin-events validate
      kachin-events validate submission/events.csv submission/event_sources.csv
      kachin-events validate new_events.xlsx --format github
    """
    import datetime as dt

    from .validate import validate as run

    day = None
    if today:
        try:
            day = dt.date.fromisoformat(today)
        except ValueError:
            raise click.BadParameter(f"{today!r} is not a date written YYYY-MM-DD", param_hint="--today") from None
    report = run(*paths, today=day)
    if fmt == "json":
        click.echo(report.to_json())
    elif fmt == "github":
        click.echo(report.to_github())
    else:
        click.echo(report.to_text())
    sys.exit(report.exit_code)


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
