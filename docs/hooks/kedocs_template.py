"""The contribution template, written into the built site.

:func:`template_files` returns the files to add to the site (docs path -> bytes), so
that pages can link ``template/kachin-events-template.xlsx``. The workbook is written by
:func:`kachin_events.write_template` from the site's own data package, so its name
lists and worked example match the data the site documents.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from kachin_events import write_template

#: Where the workbook goes in the site.
TEMPLATE_PATH = "template/kachin-events-template.xlsx"


def template_files(root: str | Path) -> dict[str, bytes]:
    """The template workbook for the site: {docs path: file content}.

    Parameters
    ----------
    root : str or Path
        The repository root (the folder of ``mkdocs.yml`` and ``datapackage.json``).
    """
    with tempfile.TemporaryDirectory() as tmp:
        path = write_template(Path(tmp) / "template.xlsx", package=Path(root) / "datapackage.json")
        return {TEMPLATE_PATH: path.read_bytes()}
