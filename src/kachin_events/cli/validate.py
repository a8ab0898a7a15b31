"""``kachin-events validate``: check data against the schemas and rules."""

from __future__ import annotations

import sys

import click

from ._group import cli, echo_report, format_option, needs_extra, today_option

@cli.command()
@click.argument("paths", nargs=-1, type=click.Path())
@format_option
@today_option
@click.option("--base", "base", metavar="REF", default=None,
              help="A git ref or a release folder; records of the base may not be removed, reused or "
                   "edited without a correction.")
@click.option("--frictionless-max-rows", "frictionless_rows", type=click.IntRange(min=0), default=None,
              metavar="N", help="Also run frictionless's own cell-by-cell check when the input has at most N "
                                "contributed rows (default 100000, or KACHIN_EVENTS_FRICTIONLESS_MAX_ROWS; "
                                "0: never). Every rule is checked either way.")
@click.option("--chunk-mb", "chunk_mb", type=click.FloatRange(min=0, min_open=True), default=None, metavar="MB",
              help="Read CSV files larger than MB megabytes in chunks of about that size, so files larger "
                   "than memory can be checked (default 64, or KACHIN_EVENTS_CHUNK_MB). Every rule is "
                   "checked either way.")
@needs_extra
def validate(paths, fmt, today, base, frictionless_rows, chunk_mb):
    """Validate the repository's data, or contributed files, against the schema and rules.

    With no PATHS, validates the nearest datapackage.json (the repository you are in).
    With PATHS, validates CSV, XLSX or JSON files of events (or of any table), or a
    datapackage.json, against the schema and the repository's reference tables.
    Every finding is reported at once. With --base, the records of the base (the
    branch, tag or release the change starts from) must still be there, under the same
    ids, and each changed event field needs a corrections row. Large inputs are read
    in columns and checked with column operations; frictionless's own cell-by-cell
    report is added for inputs up to --frictionless-max-rows rows. CSV files larger
    than --chunk-mb are read in chunks: keys and the rules that compare rows are
    checked across all chunks, on the few columns they read. Exit status: 0 valid
    (warnings allowed), 1 invalid, 2 a usage error or an unreadable file (or base).

    \b
    Examples:
      kachin-events validate
      kachin-events validate submission/events.csv submission/event_sources.csv
      kachin-events validate new_events.xlsx --format github
      kachin-events validate --base origin/main
      kachin-events validate --base releases/0.1.0
      kachin-events validate archive/events.csv --frictionless-max-rows 0
      kachin-events validate all-myanmar/events.csv --chunk-mb 256
    """
    from ..validation import validate as run

    report = run(*paths, today=today, base=base, frictionless_rows=frictionless_rows, chunk_mb=chunk_mb)
    echo_report(report, fmt)
    sys.exit(report.exit_code)

