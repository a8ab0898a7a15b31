"""The ``kachin-events`` command group, the options several commands share, and the one
place where errors become exit statuses.

Each command lives in the module of its concern (``validate``, ``releases``, and so on)
and is a thin wrapper over one library function.
"""

from __future__ import annotations

import click

from ..__about__ import __version__

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
