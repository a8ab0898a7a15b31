"""``kachin-events export``: one export of the data (ACLED, UCDP GED, HXL or GeoJSON) to a file."""

from __future__ import annotations

import sys

import click

from ._group import cli, needs_extra

_EXPORTS = ("acled", "ucdp", "hxl", "geojson")  # kachin_events.exports.EXPORTS, without importing it here


@cli.command("export")
@click.argument("kind", type=click.Choice(_EXPORTS))
@click.option("-o", "--output", "output", required=True, type=click.Path(dir_okay=False),
              help="The file to write (replaced atomically if it exists).")
@click.option("--package", type=click.Path(), default=None,
              help="The datapackage.json (or its folder) to export (default: the nearest one, "
                   "else the data shipped with kachin-events).")
@click.option("--inter", type=click.Choice(("text", "numeric")), default=None,
              help="acled only: actor types and interaction as ACLED's text (default) or as older numbers.")
@click.option("--long-ranges", "long_ranges", type=click.Choice(("drop", "flag", "keep")), default=None,
              help="acled only: events known only to a range longer than a month are left out (default), "
                   "kept with the tag date_range_over_month, or kept untagged.")
@click.option("--in-acled", "in_acled", type=click.Choice(("drop", "mark", "keep")), default=None,
              help="acled only: events that external_events links to ACLED are left out (default), "
                   "kept with the tag in_acled, or kept untagged.")
@needs_extra
def export(kind, output, package, inter, long_ranges, in_acled):
    """Write the events in another layout: acled, ucdp (GED), hxl or geojson.

    The data package is validated first; invalid data is refused and nothing is
    written. acled is ACLED's 31-column CSV, to append to an ACLED download as it is;
    ucdp the columns of UCDP's GED that the data can fill (unknown deaths stay empty);
    hxl the events table with a row of HXL hashtags; geojson the events as points.
    These are the files of a release's exports/ folder. Exit status: 0 written, 1
    invalid data, 2 a usage error, unreadable data or a file that cannot be written.

    \b
    Examples:
      kachin-events export acled -o acled.csv
      kachin-events export acled --long-ranges flag --in-acled mark -o acled-all.csv
      kachin-events export acled --inter numeric -o acled-numeric.csv
      kachin-events export ucdp --package path/to/datapackage.json -o ucdp_ged.csv
      kachin-events export hxl -o events_hxl.csv
    """
    from .. import _paths
    from ..release.build import InvalidDataError
    from ..exports import write_export
    from ..validation.read import UnreadableError

    options = {k: v for k, v in (("inter", inter), ("long_ranges", long_ranges), ("in_acled", in_acled)) if v}
    if options and kind != "acled":
        flags = ", ".join("--" + k.replace("_", "-") for k in options)
        verb = "applies" if len(options) == 1 else "apply"
        raise click.UsageError(f"{flags} {verb} to the acled export only, not to {kind}")
    source = package or _paths.find_package() or _paths.snapshot_package()
    try:
        path = write_export(kind, output, source, **options)
    except InvalidDataError as exc:
        click.echo(exc.report.to_text(), err=True)
        click.echo(f"kachin-events export: {exc}", err=True)
        sys.exit(exc.report.exit_code)
    except (ValueError, OSError, UnreadableError) as exc:
        click.echo(f"kachin-events export: {exc}", err=True)
        sys.exit(2)
    click.echo(f"wrote the {kind} export of {source} to {path}")
