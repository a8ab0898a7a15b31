"""``kachin-events template``: a workbook (or CSV files) to code a report in."""

from __future__ import annotations

import sys

import click

from ..contrib.template import FORMATS
from ._group import cli, needs_extra


@cli.command()
@click.argument("out", type=click.Path())
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="xlsx", show_default=True,
              help="xlsx: one workbook with a sheet per table, drop-down lists and hints; "
                   "csv: a folder OUT with one CSV file per table and a README.txt of the allowed values.")
@click.option("--force", is_flag=True, help="Replace OUT if it already exists.")
@click.option("--package", type=click.Path(), default=None,
              help="The datapackage.json whose names and example row are used "
                   "(default: the nearest one, else the data shipped with kachin-events).")
@needs_extra
def template(out, fmt, force, package):
    """Write a template to code a report in: one sheet (or CSV file) per table.

    The workbook has a sheet per table a report needs (sources, events, event_sources,
    event_actors, event_tags, and claimants for new claimants), with an input hint on
    every column, drop-down lists of the allowed values and of place, actor and
    claimant names, and a worked example row taken from the data. Write names, not
    codes: validation fills in the codes. Check the filled-in file with
    `kachin-events validate`. Nothing is overwritten without --force. Exit status:
    0 written, 1 refused (OUT exists), 2 a usage error or unreadable data.

    \b
    Examples:
      kachin-events template my-report.xlsx
      kachin-events template --format csv my-report
      kachin-events template my-report.xlsx --force
    """
    from ..contrib.template import write_template
    from ..validation.read import UnreadableError

    try:
        path = write_template(out, format=fmt, force=force, package=package)
    except FileExistsError as exc:
        click.echo(f"kachin-events template: {exc}", err=True)
        sys.exit(1)
    except (ValueError, OSError, UnreadableError) as exc:
        click.echo(f"kachin-events template: {exc}", err=True)
        sys.exit(2)
    what = "workbook" if fmt == "xlsx" else "folder of CSV files"
    click.echo(f"wrote the template ({what}) to {path}; fill it in, then run: kachin-events validate {path}")
