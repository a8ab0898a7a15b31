"""Changing published events: ``retire`` (and merge) and ``correct``."""

from __future__ import annotations

import sys

import click

from ..schema import get_schema
from ._group import cli, echo_report, format_option, needs_extra

_REASONS = tuple(get_schema("retractions").field("reason").enum)
_NOTE_MIN = get_schema("retractions").field("note").constraints.get("minLength", 1)
_REASON_MIN = get_schema("corrections").field("reason").constraints.get("minLength", 1)


def _day(value):
    import datetime as dt

    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date written YYYY-MM-DD", param_hint="--date") from None


def _run(name: str, fmt: str, make):
    """Run a change; print what it did, or the findings and why it was refused."""
    import json

    from ..contrib.retire import ChangeRefused
    from ..validation.read import UnreadableError
    from ..validation import PackageError

    try:
        change = make()
    except ChangeRefused as exc:
        report = exc.report
        if report is not None:
            echo_report(report, fmt)
        click.echo(f"kachin-events {name}: {exc}", err=True)
        sys.exit(1)
    except (UnreadableError, PackageError, OSError) as exc:
        click.echo(f"kachin-events {name}: {exc}", err=True)
        sys.exit(2)
    if fmt == "json":
        click.echo(json.dumps({"summary": change.summary, "files": [str(p) for p in change.files]}, indent=2))
    else:
        click.echo(str(change))


_package_option = click.option(
    "--package", type=click.Path(), default=None,
    help="The datapackage.json to change (default: the nearest one, as for validate).")
_date_option = click.option(
    "--date", "day", metavar="YYYY-MM-DD", default=None, help="The day to record (default: today).")


@cli.command()
@click.argument("event_id")
@click.option("--reason", required=True, type=click.Choice(_REASONS),
              help="Why the event is retired: " + "; ".join(
                  f"{c['value']} ({c['label'].rstrip('.')})"
                  for c in get_schema("retractions").field("reason").categories) + ".")
@click.option("--note", required=True, metavar="TEXT",
              help=f"What was found, in a sentence or two ({_NOTE_MIN} characters or more).")
@click.option("--merged-into", "merged_into", metavar="KE000000", default=None,
              help="For --reason duplicate (and only then): the event that stays and takes over the claims.")
@_date_option
@_package_option
@format_option
@needs_extra
def retire(event_id, reason, note, merged_into, day, package, fmt):
    """Retire published event EVENT_ID: remove it and its linked rows, and record why.

    Removes the event's row from its report's events.csv and its rows from
    event_sources, event_actors, event_tags and corrections, and adds a row to
    data/retractions.csv. The id is never used again; releases list it in their
    deletions (exports/deletions.csv).

    To MERGE two events that are one, retire the one to drop with --reason duplicate
    and --merged-into the one that stays: its claims (event_sources rows) move to that
    event, except a claim it already has (the same source and claimant).

    Other rows keep their bytes; the result is validated first and refused, with the
    findings, if invalid; nothing is written then. Exit status: 0 done, 1 refused (an
    unknown or retired event, or a result that does not validate), 2 a usage error or
    an unreadable file.

    \b
    Examples:
      kachin-events retire KE000005 --reason false --note "No other source reports this clash."
      kachin-events retire KE000012 --reason duplicate --merged-into KE000004 --note "The same clash, twice."
    """
    from ..contrib.retire import retire_event

    when = _day(day)
    _run("retire", fmt, lambda: retire_event(event_id, reason, note, merged_into=merged_into, package=package,
                                             today=when))


@cli.command()
@click.argument("event_id")
@click.argument("field")
@click.argument("new_value")
@click.option("--reason", required=True, metavar="TEXT",
              help=f"Why the value changes, in a sentence ({_REASON_MIN} characters or more); the change log lists it.")
@click.option("--source-id", "source_id", default=None, metavar="ID",
              help="The source the correction rests on (sources.source_id); leave it out for a coding error.")
@_date_option
@_package_option
@format_option
@needs_extra
def correct(event_id, field, new_value, reason, source_id, day, package, fmt):
    """Correct FIELD of published event EVENT_ID to NEW_VALUE, and record the correction.

    The documented way to correct a published event that keeps its id: the event's row
    changes and a row in data/corrections.csv records the old and new value, the day,
    the reason and the source; the next release's change log lists it with its reason.
    An empty NEW_VALUE ("") empties the field. To drop an event instead, or merge it
    into another, use `kachin-events retire`.

    The result is validated first and refused, with the findings, if invalid; nothing
    is written then. Exit status: 0 done, 1 refused, 2 a usage error or an unreadable
    file.

    \b
    Examples:
      kachin-events correct KE000003 fatalities_best 5 --reason "A later KNG report gives five dead."
      kachin-events correct KE000007 geo_precision 3 --reason "The site is not known." --source-id kng-2026-01-bhamo-bases
    """
    from ..contrib.retire import correct_event

    when = _day(day)
    _run("correct", fmt, lambda: correct_event(event_id, field, new_value, reason, source_id=source_id,
                                               package=package, today=when))
