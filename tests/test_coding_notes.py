"""The coder's notes (data/reports/*/CODING.md) render as their authors wrote them.

The site shows each ``CODING.md`` on its report page through python-markdown with the
extensions of ``mkdocs.yml``. A hard-wrapped line that happens to begin with ``3.`` or
``-`` is read by Markdown as a list marker: inside a list item it ends the item
mid-sentence and starts a new one; after a paragraph line it stays literal text
(python-markdown needs a blank line before a list). Either way the note no longer says
what its author wrote, so this test fails on any line that starts a list directly after
a non-blank line, unless it is the next item of a list already open there (same marker
kind and indentation) or a list nested under it (four more spaces, as python-markdown
requires).
"""

from __future__ import annotations

import re
from pathlib import Path

import markdown
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
NOTES = sorted((ROOT / "data" / "reports").glob("*/CODING.md"))

#: A list marker at the start of a line: ``3. ``, ``3) ``, ``- ``, ``* `` or ``+ ``.
MARKER = re.compile(r"^( *)(\d+[.)]|[-*+])[ \t]+\S")
FENCE = re.compile(r"^ *(```|~~~)")


class _AnyTagLoader(yaml.SafeLoader):
    """mkdocs.yml may hold ``!!python/name:`` or ``!ENV`` tags: read them as plain values."""


_AnyTagLoader.add_multi_constructor("", lambda loader, suffix, node: None)


def site_extensions() -> tuple[list[str], dict]:
    """The Markdown extensions (and their settings) that mkdocs.yml gives the site."""
    config = yaml.load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"), Loader=_AnyTagLoader)
    names, configs = [], {}
    for item in config.get("markdown_extensions") or []:
        if isinstance(item, dict):
            (name, settings), = item.items()
            names.append(name)
            if settings:
                configs[name] = settings
        else:
            names.append(item)
    return names, configs


def render(text: str) -> str:
    names, configs = site_extensions()
    return markdown.markdown(text, extensions=names, extension_configs=configs)


def _kind(marker: str) -> str:
    return "ordered" if marker[0].isdigit() else "bullet"


def mid_paragraph_lists(text: str) -> list[str]:
    """Lines that start a list straight after a non-blank line without being a sibling item.

    Returns one message per offending line (1-based line numbers). Code blocks are skipped.
    """
    problems = []
    open_items: list[tuple[int, str]] = []  # (indentation, kind) of the markers of the open list
    previous = ""
    in_fence = False
    for number, line in enumerate(text.splitlines(), start=1):
        if FENCE.match(line):
            in_fence = not in_fence
        if in_fence or FENCE.match(line):
            previous = line
            continue
        m = MARKER.match(line)
        if not line.strip():
            previous = ""
        elif m:
            indent, kind = len(m.group(1)), _kind(m.group(2))
            sibling = (indent, kind) in open_items
            nested = any(indent >= i + 4 and (indent - i) % 4 == 0 for i, _ in open_items)
            if previous.strip() and not sibling and not nested:
                problems.append(
                    f"line {number}: {line.strip()[:40]!r} starts a list directly after the line "
                    f"{previous.strip()[:40]!r}; Markdown then ends that sentence or shows the marker as text. "
                    "Rewrap the line so it does not start with a number and a dot or a dash, or put a "
                    "blank line before the list.")
            open_items.append((indent, kind))
            previous = line
        else:
            if not previous and not line.startswith(" "):
                open_items = []  # an unindented paragraph after a blank line ends any list
            previous = line
    return problems


def literal_markers(html: str) -> list[str]:
    """List markers the renderer left as text inside a paragraph or list item (a list that did not start)."""
    out = []
    for block in re.findall(r"<(?:p|li)>(.*?)</(?:p|li)>", html, flags=re.S):
        out += [line.strip()[:60] for line in block.split("\n")[1:] if re.match(r"(\d+[.)]|[-*+])\s", line.strip())]
    return out


# -- the check itself must catch the mistakes it is for -----------------------------------------
#: The wrapped line that made KE000004's note end mid-sentence (before the fix).
OLD_KE000004 = """\
- **KE000004**: from the spokesperson's statement. That is more than the 25 km allowed,
  so we coded the event to Bhamo Township at the town's point with geo_precision
  3. The KIA is actor1 because the article presents the new fighting as the KIA's.
- **KE000005**: from the spokesperson's remark.
"""


def test_the_check_fails_on_the_old_ke000004_note():
    problems = mid_paragraph_lists(OLD_KE000004)
    assert len(problems) == 1 and problems[0].startswith("line 3:"), problems
    # And the renderer really breaks it: the sentence about geo_precision ends inside an item.
    html = render(OLD_KE000004)
    assert re.search(r"geo_precision\s*</li>", html), html


def test_the_check_fails_on_a_list_glued_to_a_paragraph():
    text = "The notes say:\n- first point\n- second point\n\nAnd then:\n1. one\n2. two\n"
    assert [p.split(":")[0] for p in mid_paragraph_lists(text)] == ["line 2", "line 6"]
    assert literal_markers(render(text)) == ["- first point", "- second point", "1. one", "2. two"]


def test_the_check_accepts_proper_lists():
    text = ("Intro.\n\n- one item\n  wrapped here\n- two\n    - nested under two\n- three\n\n"
            "1. first\n2. second\n\n```text\nsome text\n- not a list in code\n```\n")
    assert mid_paragraph_lists(text) == []
    assert literal_markers(render(text)) == []


# -- every coder's note -----------------------------------------------------------------------
def test_there_are_notes_to_check():
    assert NOTES, "no data/reports/*/CODING.md found"


@pytest.mark.parametrize("path", NOTES, ids=lambda p: p.parent.name)
def test_coding_notes_start_no_list_mid_paragraph(path):
    text = path.read_text(encoding="utf-8")
    assert mid_paragraph_lists(text) == [], f"{path.relative_to(ROOT)}:\n" + "\n".join(mid_paragraph_lists(text))
    html = render(text)
    assert "<h2" in html  # it did render, with the site's extensions
    assert literal_markers(html) == [], f"{path.relative_to(ROOT)}: list markers shown as text"


@pytest.mark.parametrize("path", NOTES, ids=lambda p: p.parent.name)
def test_coding_notes_use_no_internal_words(path):
    """Published notes speak to readers: no references to a "brief" the coder was given."""
    assert not re.search(r"\bthe brief\b", path.read_text(encoding="utf-8"), flags=re.I)
