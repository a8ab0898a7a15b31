"""Charts people can read: real SVG text, a timeline of date ranges, and the precision in words."""

from __future__ import annotations

#: ``{{ke NAME}}`` directives of this module (merged into kedocs_content.all_directives).
DIRECTIVES: dict = {}


def generated(data) -> dict[str, str | bytes]:
    """The generated files of this module: docs path -> content."""
    return {}
