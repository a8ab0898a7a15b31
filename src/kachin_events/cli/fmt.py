"""``kachin-events fmt``: rewrite the data files in canonical form (layout only)."""

from __future__ import annotations

import sys

import click

from ._group import cli, needs_extra


@cli.command()
@click.argument("package", required=False, type=click.Path())
@click.option("--check", is_flag=True, default=False,
              help="Change nothing: list the files that are not in canonical form, and exit 1 if there are any.")
@needs_extra
def fmt(package, check):
    """Rewrite every data file of the data package in canonical form.

    Reads each file the nearest datapackage.json lists (or PACKAGE: a datapackage.json
    or its folder) and writes it in the one canonical layout: columns in the schema's
    order, rows sorted by the primary key, one spelling for numbers, dates and
    booleans, minimal quoting, UTF-8 without BOM, LF line ends. Values never change;
    data whose cells do not type is refused (run validate first) and nothing is
    written. datapackage.json itself is left as it is. Exit status: 0 done (or, with
    --check, every file canonical), 1 files differ (--check) or data refused, 2 an
    unreadable package or file.

    \b
    Examples:
      kachin-events fmt
      kachin-events fmt --check
      kachin-events fmt path/to/datapackage.json
    """
    from ..contrib.fmt import FmtRefusedError, format_package
    from ..validation.read import UnreadableError

    try:
        result = format_package(package, check=check)
    except UnreadableError as exc:
        click.echo(f"kachin-events fmt: {exc}", err=True)
        sys.exit(2)
    except FmtRefusedError as exc:
        click.echo(f"kachin-events fmt: {exc}", err=True)
        sys.exit(1)
    click.echo(result.to_text())
    sys.exit(result.exit_code)
