"""Finding things on the site: field names by their bare name, and the site opened from disk.

* The search splits words on "." but not on "_" (``search.separator`` in mkdocs.yml): a
  field name such as ``fatalities_best`` is one word, found on its own and inside
  ``events.fatalities_best``; typing it in the search box lists the codebook first, and
  the result for the field's table opens the section holding the field's row, with the
  word highlighted.
* Opened from ``file://`` (a copy of the site on a disk or a USB stick), the home page
  renders, its links open pages rather than folder listings, and the search answers
  (Material's offline plugin inlines the index; the Web Worker shim is the site's own
  copy, so nothing is fetched from outside).

Screenshots go to the test's tmp folder (and to $KE_DOCS_SCREENSHOTS when set).
"""

from __future__ import annotations

import json
import re
import sys
import time
import urllib.parse
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from test_site_browser import _keep, _local  # noqa: E402
from test_site_browser import browser, server, shots, site  # noqa: E402,F401  - fixtures

#: Field names an analyst types, and the table whose section must come up.
FIELDS = {"fatalities_best": "events", "date_start": "events", "civilian_targeting": "events",
          "quantity_qualifier": "event_tags"}


def _element(browser, css: str) -> str:
    found = browser.cmd("POST", "/element", {"using": "css selector", "value": css})
    return next(iter(found.values()))


_RESULTS = """
const meta = document.querySelector('.md-search-result__meta');
return {meta: meta ? meta.textContent.trim() : '',
        links: Array.from(document.querySelectorAll('.md-search-result__item a.md-search-result__link'))
                    .map(a => a.href)};
"""


def search(browser, query: str, timeout: float = 20) -> dict:
    """Type ``query`` in the search box of the open page; the result list once it has answered."""
    browser.script("document.querySelector('label[for=__search]').click()")
    box = _element(browser, "input.md-search__input")
    browser.cmd("POST", f"/element/{box}/clear", {})
    browser.cmd("POST", f"/element/{box}/value", {"text": query})
    deadline = time.monotonic() + timeout
    while True:
        seen = browser.script(_RESULTS)
        if seen["links"] or time.monotonic() > deadline:
            return seen
        time.sleep(0.2)


def _page(url: str) -> str:
    return urllib.parse.urlsplit(url).path.rsplit("/", 1)[-1]


def test_the_separator_splits_on_dots_not_on_underscores(site):
    config = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))["config"]
    sep = re.compile(config["separator"])

    def words(text):
        return [w for w in sep.split(text) if w]

    assert words("events.fatalities_best") == ["events", "fatalities_best"]
    assert words("fatalities_best") == ["fatalities_best"]
    assert words("codebook.html#events-date_start") == ["codebook", "html#events", "date_start"]
    assert words("`quantity_qualifier`, (civilian_targeting)") == ["quantity_qualifier", "civilian_targeting"]
    assert words("release 0.1.0") == ["release", "0.1.0"]  # a version stays one word
    # The offline plugin wrote the index as a script too, which file:// pages load.
    assert (site / "search" / "search_index.js").read_text(encoding="utf-8").startswith("var __index = ")


@pytest.mark.parametrize("field", sorted(FIELDS))
def test_a_field_name_finds_its_codebook_entry(browser, server, shots, field):
    table = FIELDS[field]
    browser.get(f"{server.url}/index.html")
    seen = search(browser, field)
    assert seen["links"], f"no result for {field!r}: {seen['meta']}"
    assert _page(seen["links"][0]) == "codebook.html", f"{field}: the codebook is not the first result: {seen}"
    target = next((u for u in seen["links"] if _page(u) == "codebook.html" and u.endswith(f"#{table}")), None)
    assert target, f"{field}: no result opens the codebook's {table} section: {seen['links']}"
    shot = browser.screenshot(shots / f"search-{field}.png", max_height=1000)
    _keep(shot)

    # Open the result as a reader does, by clicking it.
    browser.script("Array.from(document.querySelectorAll('a.md-search-result__link'))"
                   ".find(a => a.href === arguments[0]).click()", target)
    time.sleep(1.0)
    facts = browser.script("""
        const row = document.getElementById(arguments[0]);
        const section = document.getElementById(arguments[1]);
        const next = Array.from(document.querySelectorAll('article h2, article h3'))
            .find(h => section.compareDocumentPosition(h) & Node.DOCUMENT_POSITION_FOLLOWING);
        const inside = !!row && !!(section.compareDocumentPosition(row) & Node.DOCUMENT_POSITION_FOLLOWING)
            && (!next || !!(row.compareDocumentPosition(next) & Node.DOCUMENT_POSITION_FOLLOWING));
        const marks = Array.from(document.querySelectorAll('article mark')).map(m => m.textContent);
        return {url: location.href, inside: inside, marks: marks,
                top: section.getBoundingClientRect().top};
    """, f"{table}-{field}", table)
    assert facts["url"] == target, facts["url"]
    assert facts["inside"], f"the row of {table}.{field} is not in the section the result opened"
    assert field in facts["marks"], f"{field} is not highlighted on the opened page: {facts['marks'][:5]}"
    assert 0 <= facts["top"] < 400, "the page did not scroll to the section"
    shot = browser.screenshot(shots / f"search-{field}-opened.png", max_height=3000)
    _keep(shot)


def test_a_dotted_name_finds_the_same_entry(browser, server):
    browser.get(f"{server.url}/index.html")
    seen = search(browser, "events.fatalities_best")
    assert any(_page(u) == "codebook.html" and u.endswith("#events") for u in seen["links"]), seen


def test_the_site_works_opened_from_disk(browser, site, shots):
    home = site / "index.html"
    browser.logs("browser")
    browser.logs("performance")
    browser.get(home.as_uri())
    time.sleep(1.0)
    facts = browser.script("""
        return {h1: (document.querySelector('article h1') || {}).textContent || '',
                links: Array.from(document.querySelectorAll('a[href]')).map(a => a.href)};
    """)
    assert facts["h1"].strip(), "the home page has no heading from file://"
    # Every link into the site names a file that exists: no folder (which a browser shows as a listing).
    local = {u.split("#")[0].split("?")[0] for u in facts["links"] if u.startswith("file://")}
    assert len(local) > 10, local
    for url in sorted(local):
        path = Path(urllib.parse.unquote(urllib.parse.urlsplit(url).path))
        assert path.is_file(), f"a link on the home page opens {path}, which is not a file"
    shot = browser.screenshot(shots / "file-home.png", max_height=3000)
    _keep(shot)

    # Follow a link as a reader does: the codebook opens as a page.
    codebook = (site / "codebook.html").as_uri()
    assert codebook in local
    browser.script("Array.from(document.querySelectorAll('a[href]')).find(a => a.href === arguments[0]).click()",
                   codebook)
    time.sleep(1.0)
    page = browser.script("return {url: location.href, h1: document.querySelector('article h1').textContent,"
                          " rows: document.querySelectorAll('a.ke-field').length};")
    assert page["url"] == codebook and page["h1"].startswith("Codebook") and page["rows"] > 50, page

    # The search answers from disk (it does not hang on "Initializing search").
    seen = search(browser, "quantity_qualifier")
    assert seen["links"], f"no search results from file://: {seen['meta']!r}"
    assert any(u.startswith(codebook) and u.endswith("#event_tags") for u in seen["links"]), seen["links"]
    shot = browser.screenshot(shots / "file-search.png", max_height=1000)
    _keep(shot)

    errors = [e for e in browser.logs("browser") if e.get("level") in ("SEVERE", "ERROR")]
    assert not errors, f"console errors from file://: {errors}"
    requests = []
    for entry in browser.logs("performance"):
        msg = json.loads(entry["message"])["message"]
        if msg.get("method") == "Network.requestWillBeSent":
            requests.append(msg["params"]["request"]["url"])
    assert any(u.startswith("file://") for u in requests), requests
    remote = [u for u in requests if not _local(u, _NoServer)]
    assert not remote, f"opened from disk, the site requested {remote}"


class _NoServer:
    """No test server: only the browser's own URLs (data:, about: ...) count as local."""

    url = "file://"
