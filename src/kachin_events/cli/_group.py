"""The ``kachin-events`` command group, the options several commands share, and the one
place where errors become exit statuses.

Each command lives in the module of its concern (``validate``, ``releases``, and so on)
and is a thin wrapper over one library function.
"""

from __future__ import annotations

import click

from ..__about__ import __version__

FORMATS = ("text", "json", "github", "markdown")


def format_option(f):
    """``--format``: shared by every command that prints a report."""
    return click.option(
        "--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True,
        help="text for people, json for programs (on standard output), github for workflow annotations, "
        "markdown for a job summary or pull-request comment (rule links use $KACHIN_EVENTS_DOCS_URL).",
    )(f)


def needs_extra(f, extra: str = "validate"):
    """Refuse to run the command, with status 2 and what to install, when ``extra`` is missing.

    ``--help`` still works: click answers it before the command runs.
    """
    import functools

    @functools.wraps(f)
    def run(*args, **kwargs):
        import sys

        from ..extras import MissingExtraError, require

        try:
            require(click.get_current_context().command_path, extra)
        except MissingExtraError as exc:
            click.echo(str(exc), err=True)
            sys.exit(2)
        return f(*args, **kwargs)

    return run


def _parse_day(ctx, param, value):
    import datetime as dt

    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        msg = f"{value!r} is not a date written YYYY-MM-DD"
        raise click.BadParameter(msg) from None


def today_option(f):
    """``--today``: the date "in the future" is judged from, as a ``datetime.date``."""
    return click.option(
        "--today", metavar="YYYY-MM-DD", default=None, callback=_parse_day,
        help="Judge 'in the future' from this date instead of today (for reproducible checks).",
    )(f)


def echo_report(report, fmt: str) -> None:
    """Print anything with ``to_text``, ``to_json`` and ``to_github`` in the chosen format.

    ``markdown`` uses ``to_markdown`` when the object has one (rule ids link to the
    documentation at ``$KACHIN_EVENTS_DOCS_URL`` when set), and ``to_text`` otherwise.
    """
    if fmt == "markdown":
        import inspect
        import os

        render = getattr(report, "to_markdown", None)
        if render is None:
            render = report.to_text
        elif "docs_url" in inspect.signature(render).parameters:
            docs_url = os.environ.get("KACHIN_EVENTS_DOCS_URL") or None
            render = lambda: report.to_markdown(docs_url=docs_url)  # noqa: E731
    else:
        render = {"json": report.to_json, "github": report.to_github}.get(fmt, report.to_text)
    click.echo(render())


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="kachin-events")
def cli():
    """Validate, build and load the kachin-events dataset of conflict events in Kachin State.

    \b
    Examples:
      kachin-events validate
      kachin-events validate my_events.csv --format json
    """
