"""``kachin-events validate``: check data against the schemas and rules."""

from __future__ import annotations

import sys

import click

from ._group import cli, format_option

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

    from ..validation import validate as run

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

