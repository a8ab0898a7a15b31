"""``kachin-events import-acled`` and ``import-ucdp``: another dataset's export as a submission."""

from __future__ import annotations

import sys

import click

from ._group import cli, needs_extra, today_option

_FORMAT = click.option("--format", "fmt", type=click.Choice(("text", "json")), default="text", show_default=True,
                       help="text for people, json for programs (the summary, on standard output).")
_OUT = click.option("-o", "--out", required=True, type=click.Path(), metavar="FOLDER",
                    help="The folder to write the submission to (one CSV per table, and CODING.md).")
_PACKAGE = click.option("--package", type=click.Path(), metavar="DATAPACKAGE", default=None,
                        help="The repository's datapackage.json "
                             "(default: the nearest one, else the package's snapshot).")
_FORCE = click.option("--force", is_flag=True, help="Replace FOLDER when it already exists.")


def _run(function, fmt: str, **kwargs) -> None:
    from ..importers.common import ImportInputError

    try:
        result = function(**kwargs)
    except ImportInputError as exc:
        if fmt == "json":
            import json

            click.echo(json.dumps({"written": False, "exit_code": exc.exit_code, "error": exc.message}, indent=2,
                                  ensure_ascii=False))
        else:
            click.echo(f"kachin-events: {exc.message}", err=True)
        sys.exit(exc.exit_code)
    click.echo(result.to_json() if fmt == "json" else result.to_text())


@cli.command("import-acled")
@click.argument("file", type=click.Path())
@_OUT
@click.option("--dataset-version", metavar="TEXT", default=None,
              help="Which ACLED data this is (default: 'ACLED data as of' the day of the latest timestamp).")
@_PACKAGE
@_FORCE
@_FORMAT
@today_option
@needs_extra
def import_acled(file, out, dataset_version, package, force, fmt, today):
    """Turn an ACLED export (CSV or XLSX, current or older layout) into a submission.

    Rows whose point lies in Kachin State become events, with their sources, actors and
    a link to ACLED's event id; the others are counted and skipped, and rows that
    cannot be mapped are listed with the reason. ACLED's terms forbid redistributing
    its data: the submission is for your own comparison and merging, and
    `kachin-events add` refuses it. Exit status: 0 written, 2 a usage error or an
    unreadable file.

    \b
    Examples:
      kachin-events import-acled acled_myanmar.csv -o acled-import
      kachin-events import-acled acled.xlsx -o acled-import --dataset-version "ACLED export of 2026-11-20"
      kachin-events import-acled acled_myanmar.csv -o acled-import --format json
    """
    from ..importers.acled import import_acled as run

    _run(run, fmt, path=file, out=out, package=package, dataset_version=dataset_version, today=today, force=force)


@cli.command("import-ucdp")
@click.argument("file", type=click.Path())
@_OUT
@click.option("--dataset", type=click.Choice(("ged", "candidate")), default=None,
              help="The layout (default: from UCDP's file name, GEDEvent_v25_1 or GEDEvent_v25_0_9).")
@click.option("--dataset-version", metavar="TEXT", default=None,
              help="Such as 'UCDP GED 25.1' (default: from UCDP's file name).")
@_PACKAGE
@_FORCE
@_FORMAT
@today_option
@needs_extra
def import_ucdp(file, out, dataset, dataset_version, package, force, fmt, today):
    """Turn a UCDP GED or Candidate events file into a submission that `add` can merge.

    Rows whose point lies in Kachin State become events (type_of_violence mapped to the
    closest ACLED event type by a documented rule), with UCDP's low/best/high deaths,
    their sources and a link to UCDP's event id; rows already linked in the repository
    are reported, not imported again, and events of ours that may be the same are
    reported as candidate links. UCDP's data is CC BY 4.0: UCDP and the version are
    named on every event. Exit status: 0 written, 2 a usage error or an unreadable file.

    \b
    Examples:
      kachin-events import-ucdp GEDEvent_v25_1.csv -o ucdp-import
      kachin-events add ucdp-import --source-id ucdp-ged-25-1
      kachin-events import-ucdp kachin.csv -o ucdp-import --dataset candidate --dataset-version "UCDP Candidate 25.0.9"
    """
    from ..importers.ucdp import import_ucdp as run

    _run(run, fmt, path=file, out=out, package=package, dataset=dataset, dataset_version=dataset_version,
         today=today, force=force)
