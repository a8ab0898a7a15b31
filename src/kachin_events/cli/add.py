"""``kachin-events add``: add a contributor's submission to the repository as a report folder."""

from __future__ import annotations

import json
import sys

import click

from ._group import cli, echo_report, format_option, needs_extra, today_option


@cli.command()
@click.argument("submission", type=click.Path())
@click.option("--source-id", metavar="ID", default=None,
              help="The report folder's name, data/reports/ID/ (default: the one source_id in the sources sheet).")
@click.option("--notes", type=click.Path(), metavar="FILE", default=None,
              help="A markdown file of coder's notes, written as the folder's CODING.md "
                   "(default: the submission folder's CODING.md; without one, a stub to fill in).")
@click.option("--dry-run", is_flag=True, help="Check the submission and show what would be written; write nothing.")
@format_option
@today_option
@needs_extra
def add(submission, source_id, notes, dry_run, fmt, today):
    """Add a filled template (XLSX, a folder of CSVs, or JSON) to the repository.

    Names written instead of codes become codes; new events get the next free ids
    (leave event_id empty, or write a temporary id such as new-1 and repeat it in the
    linked rows); the submission is validated together with the repository. When it is
    valid, its rows are written in canonical form to data/reports/SOURCE_ID/ (a second
    batch from the same source adds rows to that folder), new claimants to
    data/claimants.csv, and the new files to datapackage.json, all at once. With any
    error nothing is written. Exit status: 0 added (warnings allowed), 1 invalid or
    refused, 2 a usage error or an unreadable file.

    \b
    Examples:
      kachin-events add my_report.xlsx --dry-run
      kachin-events add submission/ --notes submission/CODING.md
      kachin-events add events.json --source-id kng-2026-03-waingmaw --format json
    """
    from ..contrib.add import AddError, add_submission

    try:
        result = add_submission(submission, source_id=source_id, dry_run=dry_run, today=today, notes=notes)
    except AddError as exc:
        if fmt == "json":
            click.echo(json.dumps({"valid": False, "written": False, "exit_code": exc.exit_code,
                                   "error": exc.message}, indent=2, ensure_ascii=False))
        else:
            click.echo(f"kachin-events add: {exc.message}", err=True)
        sys.exit(exc.exit_code)
    echo_report(result, fmt)
    sys.exit(result.exit_code)
