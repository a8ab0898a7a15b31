"""The home page's first screen, and the reference pages (CLI, Python API) a user copies from.

* The "Get the data" box links every file it offers to the copy of the latest published
  release on the site, and each link opens the very bytes the registry vouches for; its
  Python and DuckDB lines run as shown, its R line reads the published Parquet file; it
  cites the release's version and date.
* In a browser at 1280 px, the box is on the first screen with its four lines (Python, R,
  DuckDB, a spreadsheet) all shown at once, not behind tabs; its links answer, and the
  phone width shows it too.
* The CLI page shows each command once (usage and help, examples, then one table of its
  options); the API page's examples use public names only, and every public name has a
  summary; the maintainer guide does not link to itself.
"""

from __future__ import annotations

import hashlib
import html
import os
import re
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from test_docs import page_file, page_plain, page_text  # noqa: E402
from test_site_browser import _keep  # noqa: E402
from test_site_browser import browser, server, shots, site  # noqa: E402,F401  - fixtures

ROOT = Path(__file__).resolve().parent.parent


def _latest():
    from kachin_events.release.published import releases

    shipped = [r for r in releases() if r.folder is not None]
    if not shipped:
        pytest.skip("no release is published: the box says so instead")
    return shipped[-1]


def _box_html(site: Path) -> str:
    """The box's HTML, entities kept (``&lt;-`` in R code is not a tag)."""
    text = page_file(site, "").read_text(encoding="utf-8")
    start = text.find("Get the data: release")
    assert start > 0, "the home page has no 'Get the data' box"
    end = text.find('<h2 id="what-the-data-covers"', start)
    return text[start:end]


def _code_lines(box: str) -> list[str]:
    """The text of every code block in the box, tags removed, entities decoded."""
    return [html.unescape(re.sub(r"<[^>]+>", "", block)).strip()
            for block in re.findall(r"<code>(.*?)</code>", box, re.S)]


# -- the home page's box ----------------------------------------------------------------------
def test_box_links_the_latest_release_files(site):
    rel = _latest()
    box = _box_html(site)
    assert f"release {rel.version}" in box and (rel.created or "")[:10] in box
    links = re.findall(r'href="([^"#]+)"', box)
    published = [u for u in links if u.startswith("releases/")]
    wanted = {f"releases/{rel.version}/{p}" for p in
              ("exports/events_flat.csv", "parquet/events.parquet", "exports/acled.csv", "datapackage.json",
               "SHA256SUMS")}
    assert wanted <= set(published), sorted(set(published))
    assert rel.archive and f"releases/{rel.archive['path']}" in published
    # Every link opens the file the registry vouches for, byte for byte.
    for url in published:
        path = site / urllib.parse.unquote(url)
        assert path.is_file(), f"{url} is linked from the home page but not on the site"
        inside = url.removeprefix(f"releases/{rel.version}/")
        if inside in rel.files:
            assert hashlib.sha256(path.read_bytes()).hexdigest() == rel.files[inside], url
        else:
            assert hashlib.sha256(path.read_bytes()).hexdigest() == rel.archive["sha256"], url


def test_box_code_lines_run_as_shown(site):
    rel = _latest()
    lines = _code_lines(_box_html(site))
    python = [ln for ln in lines if "kachin_events.load(" in ln]
    r_line = [ln for ln in lines if "arrow::read_parquet(" in ln]
    sql = [ln for ln in lines if ln.startswith("SELECT")]
    assert len(python) == len(r_line) == len(sql) == 1, lines
    # Python: the line as shown loads the release (shipped with the package, no network).
    scope: dict = {}
    line = html.unescape(python[0])
    exec(line, scope)  # noqa: S102  - the page's own one-liner
    assert scope["events"].shape[0] == _events_in_release(rel)
    assert f'version="{rel.version}"' in line
    # DuckDB: the exact SQL, run where the site's releases/ folder is.
    duckdb = pytest.importorskip("duckdb")
    query = html.unescape(sql[0])
    con = duckdb.connect()
    try:
        here = os.getcwd()
        os.chdir(site)
        try:
            rows = con.execute(query).fetchall()
        finally:
            os.chdir(here)
    finally:
        con.close()
    assert sum(n for _type, n in rows) == _events_in_release(rel)
    # R: the path it reads is the published Parquet file.
    path = re.search(r'read_parquet\("(.+?)"\)', html.unescape(r_line[0])).group(1)
    assert (site / path).is_file(), path


def _events_in_release(rel) -> int:
    import csv

    with open(rel.folder / "csv" / "events.csv", encoding="utf-8", newline="") as fh:
        return sum(1 for _ in csv.DictReader(fh))


def test_box_cites_the_release(site):
    rel = _latest()
    plain = page_plain(site, "")
    start = plain.find("Get the data: release")
    box = plain[start:plain.find("What the data covers", start)]
    cite = re.search(r"Cite: (.+?)\[data set\]", box, re.S)
    assert cite, box[-600:]
    assert f"version {rel.version}" in cite.group(1) and (rel.created or "")[:10] in cite.group(1)
    assert 'href="#how-to-cite-it"' in _box_html(site)


def test_box_comes_from_the_release_not_from_the_page():
    """The Markdown holds a directive, never a hard-coded version or file name."""
    text = (ROOT / "docs" / "index.md").read_text(encoding="utf-8")
    assert "{{ke get-the-data}}" in text
    assert not re.search(r"releases/\d+\.\d+\.\d+", text)


def test_box_is_on_the_first_screen(browser, server, shots):
    try:
        for width, height in ((1280, 1000), (390, 844)):
            browser.cmd("POST", "/goog/cdp/execute", {"cmd": "Emulation.setDeviceMetricsOverride", "params": {
                "width": width, "height": height, "deviceScaleFactor": 1, "mobile": False}})
            browser.get(f"{server.url}/index.html")
            time.sleep(0.4)
            box = browser.script("""
                const t = Array.from(document.querySelectorAll('.admonition-title'))
                               .find(e => e.textContent.startsWith('Get the data'));
                if (!t) return null;
                const r = t.getBoundingClientRect();
                const links = Array.from(t.parentElement.querySelectorAll('a')).map(a => a.href);
                return {top: r.top, links, text: t.parentElement.innerText};
            """)
            assert box is not None, "no 'Get the data' box"
            assert box["top"] < height * 0.6, f"the box starts at {box['top']} px of {height} at {width} px"
            # One line each, all shown (innerText leaves out what is hidden, such as closed tabs).
            for tool, snippet in (("Python:", "kachin_events.load(version="), ("R:", "arrow::read_parquet("),
                                  ("DuckDB:", "SELECT event_type"), ("Spreadsheet:", "events_flat.csv")):
                line = next((ln for ln in box["text"].splitlines() if ln.startswith(tool)), "")
                assert snippet in line, f"at {width} px the box shows no {tool} line with {snippet}: {box['text']}"
            _keep(browser.screenshot(shots / f"home-first-screen-{width}.png", max_height=height))
            for url in box["links"]:
                if "/releases/" in url and url.startswith(server.url):
                    with urllib.request.urlopen(url, timeout=10) as resp:
                        assert resp.status == 200 and resp.read(1), url
    finally:
        browser.cmd("POST", "/goog/cdp/execute", {"cmd": "Emulation.clearDeviceMetricsOverride", "params": {}})


# -- the reference pages ----------------------------------------------------------------------
def _commands():
    sys.path.insert(0, str(ROOT / "docs" / "hooks"))
    try:
        import kedocs_ref
    finally:
        sys.path.pop(0)
    from kachin_events.cli import cli

    return list(kedocs_ref.walk_commands(cli))


def test_cli_page_shows_each_command_once_with_an_example(site):
    text = page_text(site, "cli")
    plain = page_plain(site, "cli")
    for path, cmd, _ctx in _commands():
        name = " ".join(path)
        anchor = "-".join(path)
        assert text.count(f'id="{anchor}"') == 1, name
        usage = f"Usage: {name} [OPTIONS]"
        assert plain.count(usage) == 1, f"{name}: its usage is shown {plain.count(usage)} times"
        section = text[text.find(f'id="{anchor}"'):]
        nxt = section.find("<h2 ", 10)
        section = section[:nxt if nxt > 0 else None]
        assert "<strong>Examples</strong>" in section, f"{name} has no examples"
        # The options are in one table, not also in the printed --help's "Options:" list.
        assert "Options:" not in re.sub(r"<[^>]+>", "", section), f"{name} lists its options twice"
        assert section.count("<table>") <= 1
        for p in cmd.params:
            if getattr(p, "opts", None) and p.param_type_name == "option":
                assert p.opts[0] in section, f"{name}: {p.opts[0]} missing"


def _public_names() -> set[str]:
    import kachin_events

    return set(kachin_events.__all__)


def test_api_examples_use_public_names_only(site):
    # Every example on the page, the public API's and those of the functions the
    # documentation itself uses ("Also used in this documentation"), can be copied.
    plain = page_plain(site, "api")
    assert plain.count(">>>") > 50, "the API reference lost its examples"
    private = []
    for line in plain.splitlines():
        if not line.lstrip().startswith((">>>", "...")):
            continue
        code = line.lstrip()[3:]
        # A private module or name: kachin_events._x, import _x, _x.attr (a bare "_ =" is fine).
        if re.search(r"kachin_events\._[a-z]|\bimport _[a-z]|(?<![\w.])_[a-z]\w*\.", code):
            private.append(line.strip())
    assert not private, "API examples use private names:\n" + "\n".join(private)


def test_api_every_public_name_has_a_summary(site):
    text = page_text(site, "api")
    rows = re.findall(r'<tr>\s*<td><a href="#([^"]+)"><code>([^<]+)</code></a></td>\s*<td>([^<]*)</td>\s*<td>(.*?)</td>',
                      text, re.S)
    names = {name for _a, name, _k, _s in rows}
    assert _public_names() <= names, sorted(_public_names() - names)
    empty = [name for _a, name, _k, summary in rows if not re.sub(r"<[^>]+>", "", summary).strip()]
    assert not empty, f"public names without a summary: {empty}"


def test_maintainer_guide_does_not_link_to_itself(site):
    text = page_text(site, "maintaining")
    own = page_file(site, "maintaining").name
    self_links = re.findall(rf'<a href="(?:{re.escape(own)})?#[^"]*">([^<]*guide[^<]*)</a>', text)
    assert not self_links, f"the maintainer guide links to itself: {self_links}"
    # Elsewhere the same quick start still points at the guide.
    assert re.search(r'href="maintaining(?:\.html|/)#releasing"', page_text(site, ""))
