"""The CI files another repository copies, written into the built site and shown in the guide.

:func:`ci_files` returns the files to add to the site (docs path -> text): the comment
workflow is this repository's own ``.github/workflows/pr-comment.yml``, served as it is,
so that the copy people take cannot differ from the one this project runs.
``docs/examples/kachin-events-data.yml`` is a hand-written file in the docs folder (the
data workflow with the action's published name instead of ``./``); the test suite checks
that it matches ``.github/workflows/data.yml`` and the workflow schema.
:func:`file_block` shows a repository file in a page as a fenced code block.
"""

from __future__ import annotations

from pathlib import Path

#: Files of the repository served by the site: docs path -> path in the repository.
COPIED = {"examples/pr-comment.yml": ".github/workflows/pr-comment.yml"}


def ci_files(root: str | Path) -> dict[str, str]:
    """The copied CI files for the site: {docs path: text}."""
    return {uri: (Path(root) / src).read_text(encoding="utf-8") for uri, src in COPIED.items()}


def file_block(root: str | Path, path: str) -> str:
    """A repository file (relative to ``root``) as a fenced code block, titled with its path."""
    file = Path(root) / path
    lang = {".yml": "yaml", ".yaml": "yaml", ".toml": "toml", ".json": "json"}.get(file.suffix, "text")
    text = file.read_text(encoding="utf-8").rstrip("\n")
    fence = "````" if "```" in text else "```"
    return f'{fence}{lang} title="{path}"\n{text}\n{fence}'
