"""The home page's first screen: what the data is, a "Get the data" box, and how to cite it."""

from __future__ import annotations

#: ``{{ke NAME}}`` directives of this module (merged into kedocs_content.all_directives).
DIRECTIVES: dict = {}


def generated(data) -> dict[str, str | bytes]:
    """The generated files of this module: docs path -> content."""
    return {}
