"""Every page of the built site can be read at 1280 px and at 390 px: nothing is cut off.

On every HTML page, in headless Chromium at a desktop width (1280 px) and a phone width
(390 px), with scrollbars drawn as a desktop browser draws them, the browser measures the
rule of issue 13:

* **No table or code block wider than its column without a visible way to read it.** Each
  table, code block, table cell, admonition and content tab either fits the page's content
  column (``.md-content``), its text wrapping, or is read by scrolling sideways in a box
  that shows it: ``overflow-x: auto`` or ``scroll`` *and* a horizontal scrollbar the page
  draws (measured: the box's height minus its client height and borders), the box itself
  fitting the column. Reported, with the page, the element and the widths:

  - ``clipped``: cut by a box that hides its overflow (``overflow-x: hidden`` or ``clip``);
  - ``scrolls without a visible scrollbar``: a scroll box whose scrollbar is hidden
    (``scrollbar-width: none``, ``::-webkit-scrollbar { display: none }`` ...);
  - ``wider than the column``: running past the content column (and so off the screen or
    under the table of contents);
  - ``page scrolls sideways``: the page itself is wider than the window.
* **No text smaller than 11 px** (desktop): every visible piece of HTML text. Text inside
  figures (``img`` of ``figures/*.svg``) is not HTML; tests/test_site_figures.py measures it.
* **No squeezed text column** (desktop): a table cell holding a sentence (60 characters
  or more) is at least 100 px wide (about 15 characters a line), so definitions and fixes
  wrap in a readable column instead of one word a line.

A screenshot of the top of every page at both widths goes to the test's screenshot folder
(and to $KE_DOCS_SCREENSHOTS when set), and one of each element found cut off.
:func:`test_the_check_finds_what_cannot_be_read` runs the same measurement on a tiny page
built to break the rule in each way (and to keep it in two), so the check cannot be blind.
"""

from __future__ import annotations

import sys
import time
import urllib.parse
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from test_site_browser import Browser, _keep  # noqa: E402
from test_site_browser import server, shots, site  # noqa: E402,F401  - fixtures

WIDTHS = {"desktop": 1280, "phone": 390}
MIN_TEXT_PX = 11
#: A cell with at least this many characters must be at least SQUEEZE_PX wide (desktop).
SENTENCE_CHARS, SQUEEZE_PX = 60, 100

_MEASURE = r"""
const minText = arguments[0], sentence = arguments[1], squeeze = arguments[2], desktop = arguments[3];
const column = document.querySelector('.md-content');
const col = column.getBoundingClientRect();
const problems = [];
const name = el => {
  const id = el.id ? '#' + el.id : '';
  const cls = typeof el.className === 'string' && el.className ? '.' + el.className.trim().split(/\s+/).join('.') : '';
  return el.tagName.toLowerCase() + id + cls;
};
const where = el => {
  let anchor = '';
  for (let e = el; e && e !== column; e = e.parentElement) {
    if (e.id) { anchor = ' in #' + e.id; break; }
  }
  const text = (el.innerText || '').trim().replace(/\s+/g, ' ').slice(0, 60);
  return name(el) + anchor + (text ? ' "' + text + '"' : '');
};
const visible = el => {
  const r = el.getBoundingClientRect();
  if (r.width === 0 && r.height === 0) return false;
  const s = getComputedStyle(el);
  return s.visibility !== 'hidden' && s.display !== 'none';
};
// The left and right edges of what an element draws: its box, or its content where that
// spills out of a box that lets it (overflow visible).
const edges = el => {
  const r = el.getBoundingClientRect();
  const spills = getComputedStyle(el).overflowX === 'visible' && el.scrollWidth > el.clientWidth + 1;
  return {left: r.left, right: spills ? r.left + el.scrollWidth : r.right};
};
const scrollsSideways = s => s.overflowX === 'auto' || s.overflowX === 'scroll';
// A horizontal scrollbar the page draws takes room under the box: its height, less its
// client height and borders. A hidden scrollbar (scrollbar-width: none,
// ::-webkit-scrollbar { display: none }) takes none.
const scrollbarShown = box => {
  const s = getComputedStyle(box);
  const borders = parseFloat(s.borderTopWidth) + parseFloat(s.borderBottomWidth);
  return box.offsetHeight - box.clientHeight - borders >= 2;
};
let marked = 0;
const report = (el, problem) => {
  el.setAttribute('data-ke-clipped', String(++marked));
  problems.push({...problem, mark: marked});
};
// A box whose own content is wider than it: read by scrolling with a scrollbar shown, or not at all.
function ownOverflow(el) {
  if (el.scrollWidth <= el.clientWidth + 1) return true;
  const s = getComputedStyle(el);
  if (s.overflowX === 'visible') return true;  // it spills: its ancestors are checked with its content
  if (scrollsSideways(s) && scrollbarShown(el)) return true;
  report(el, {kind: scrollsSideways(s) ? 'scrolls without a visible scrollbar' : 'clipped',
              element: where(el), by: name(el), width: el.scrollWidth, box: el.clientWidth});
  return false;
}
function check(el) {
  if (!ownOverflow(el)) return;
  let {left, right} = edges(el);
  let via = el;
  for (let a = el.parentElement; a && a !== column; a = a.parentElement) {
    const r = a.getBoundingClientRect();
    if (right <= r.right + 1 && left >= r.left - 1) continue;
    const s = getComputedStyle(a);
    if (scrollsSideways(s)) {
      if (!scrollbarShown(a)) {
        report(el, {kind: 'scrolls without a visible scrollbar', element: where(el), by: name(a),
                    width: Math.round(right - left), box: Math.round(r.width)});
        return;
      }
      // The way to read it: this box scrolls and shows it. The box itself must fit in turn.
      via = a; left = r.left; right = r.right; continue;
    }
    if (s.overflowX !== 'visible') {
      report(el, {kind: 'clipped', element: where(el), by: name(a),
                  width: Math.round(right - left), box: Math.round(r.width)});
      return;
    }
  }
  if (right > col.right + 1 || left < col.left - 1) {
    report(el, {kind: 'wider than the column', element: where(el), via: name(via),
                left: Math.round(left), right: Math.round(right), column: [Math.round(col.left), Math.round(col.right)]});
  }
}
const targets = column.querySelectorAll('table, pre, pre > code, td, th, .highlight, .tabbed-set, .admonition, details');
for (const el of targets) if (visible(el)) check(el);
const page = document.documentElement;
if (page.scrollWidth > page.clientWidth + 1) {
  problems.push({kind: 'page scrolls sideways', width: page.scrollWidth, window: page.clientWidth});
}
if (desktop) {
  for (const cell of column.querySelectorAll('td')) {
    if (!visible(cell)) continue;
    const text = cell.innerText.trim();
    const w = cell.getBoundingClientRect().width;
    if (text.length >= sentence && w < squeeze) {
      problems.push({kind: 'squeezed cell', element: where(cell), width: Math.round(w), chars: text.length});
    }
  }
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const small = new Map();
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    if (!n.textContent.trim()) continue;
    const el = n.parentElement;
    if (!el || el.closest('svg, script, style, noscript, template')) continue;
    if (!visible(el)) continue;
    const range = document.createRange();
    range.selectNodeContents(n);
    const box = range.getBoundingClientRect();
    if (box.width === 0 || box.height === 0) continue;   // not drawn (a closed menu, an empty run)
    const size = parseFloat(getComputedStyle(el).fontSize);
    if (size < minText) {
      const key = name(el) + ' ' + size + 'px';
      if (!small.has(key)) small.set(key, n.textContent.trim().slice(0, 40));
    }
  }
  for (const [key, text] of small) problems.push({kind: 'text under ' + minText + ' px', element: key, text});
}
return problems;
"""


def pages(site: Path) -> list[str]:
    """Every HTML page of the site, as paths from its root (release downloads are not pages)."""
    out = []
    for path in sorted(site.rglob("*.html")):
        rel = path.relative_to(site).as_posix()
        if rel == "404.html" or rel.startswith(("releases/", "assets/", "search/")):
            continue
        out.append(rel)
    return out


@pytest.fixture(scope="module")
def browser(site, tmp_path_factory):
    """Chromium drawing its scrollbars: a scroll box that shows none is then measured as such."""
    b = Browser(tmp_path_factory.mktemp("chromium-profile-layout"), scrollbars=True)
    yield b
    b.close()


def resize(browser, width: int, height: int = 900) -> None:
    """A viewport exactly ``width`` CSS pixels wide (the window's frame does not count)."""
    browser.cmd("POST", "/goog/cdp/execute", {"cmd": "Emulation.setDeviceMetricsOverride", "params": {
        "width": width, "height": height, "deviceScaleFactor": 1, "mobile": False}})


def unresize(browser) -> None:
    browser.cmd("POST", "/goog/cdp/execute", {"cmd": "Emulation.clearDeviceMetricsOverride", "params": {}})


def measure(browser, url: str, width: int) -> list[dict]:
    browser.get(url)
    time.sleep(0.3)  # the theme's scripts wrap the tables
    got = browser.script("return window.innerWidth;")
    assert got == width, f"the viewport is {got} px wide, not {width}"
    args = (MIN_TEXT_PX, SENTENCE_CHARS, SQUEEZE_PX, width >= 1000)
    problems = browser.script(_MEASURE, *args)
    if problems:
        # On a loaded machine the theme's scripts may not have finished laying the page
        # out after 0.3 s (seen once in a full run, not reproducible alone): measure again
        # once the page has settled. A real problem is still there; a race is not.
        time.sleep(2)
        problems = browser.script(_MEASURE, *args)
    return problems


def test_site_has_the_pages_it_should(site):
    found = pages(site)
    assert "index.html" in found and len(found) >= 15, found
    assert {"codebook.html", "rules.html", "acled-ucdp-mappings.html"} <= set(found)


@pytest.mark.parametrize("label", list(WIDTHS))
def test_nothing_is_clipped_or_too_small(browser, server, site, shots, label):
    width = WIDTHS[label]
    resize(browser, width)
    report = []
    try:
        for page in pages(site):
            problems = measure(browser, f"{server.url}/{page}", width)
            slug = page.replace("/", "_").removesuffix(".html")
            _keep(browser.screenshot(shots / f"layout-{label}-{slug}.png", max_height=2500))
            for p in problems:
                report.append(f"{page}: {p}")
                if p.get("mark") and p["mark"] <= 3:  # a picture of the first few on each page
                    css = f"[data-ke-clipped='{p['mark']}']"
                    try:
                        _keep(browser.element_screenshot(css, shots / f"clipped-{label}-{slug}-{p['mark']}.png"))
                    except Exception:  # noqa: BLE001  - a picture is a help, not the test
                        pass
    finally:
        unresize(browser)
    assert not report, f"{len(report)} layout problems at {width} px:\n" + "\n".join(report[:80])


#: A page built to break the rule in every way, and to keep it in two: each element says
#: (data-expect) what the measurement must report about it, or "ok".
_TINY = """<!doctype html><html><head><meta charset="utf-8"><style>
body { margin: 0; font: 16px sans-serif; }
.md-content { width: 600px; margin-left: 20px; }
.wide { width: 900px; }
.hidden { overflow-x: hidden; }
.clip { overflow-x: clip; }
.scroll { overflow-x: auto; }
.noscrollbar { overflow-x: auto; scrollbar-width: none; }
.webkitnone::-webkit-scrollbar { display: none; }
pre { margin: 0; }
code.long { white-space: pre; }
code.spill { overflow: visible; display: block; }
code.wrap { white-space: pre-wrap; overflow-wrap: anywhere; }
</style></head><body><div class="md-content">
<div class="hidden"><table class="wide" data-expect="clipped"><tr><td>cut by overflow hidden</td></tr></table></div>
<div class="clip"><table class="wide" data-expect="clipped"><tr><td>cut by overflow clip</td></tr></table></div>
<div class="noscrollbar"><table class="wide" data-expect="scrolls without a visible scrollbar"><tr><td>a scroll box
  that shows no scrollbar</td></tr></table></div>
<pre class="scroll webkitnone" data-expect="scrolls without a visible scrollbar"><code class="long">a code block
whose scrollbar is hidden DOTS</code></pre>
<pre data-expect="wider than the column"><code class="long spill">a code block running out of the column DOTS</code></pre>
<div class="scroll"><table class="wide" data-expect="ok"><tr><td>a wide table in a box that scrolls and shows
  it</td></tr></table></div>
<table data-expect="ok"><tr><td>a long sentence in a table that wraps inside the column as a reader's browser
  wraps it, line after line after line after line after line after line</td></tr></table>
<pre data-expect="ok"><code class="wrap">a command's output that wraps DOTS</code></pre>
<p style="font-size: 8px">tiny text</p>
</div></body></html>"""


def test_the_check_finds_what_cannot_be_read(browser):
    """The measurement is not blind: on a tiny page, it reports each way of breaking the rule
    (cut by overflow hidden or clip, a scroll box without a scrollbar, running out of the
    column, text under 11 px), and not the ways of keeping it (a scroll box that shows its
    scrollbar, text that wraps)."""
    resize(browser, 1280)
    try:
        tiny = _TINY.replace("DOTS", "." * 150)
        problems = measure(browser, "data:text/html;charset=utf-8," + urllib.parse.quote(tiny), 1280)
        found = browser.script("""
            return Array.from(document.querySelectorAll('[data-expect]')).map(el => ({
                expect: el.getAttribute('data-expect'), mark: el.getAttribute('data-ke-clipped'),
                inner: Array.from(el.querySelectorAll('[data-ke-clipped]')).map(e => e.getAttribute('data-ke-clipped'))}));
        """)
    finally:
        unresize(browser)
    by_mark = {str(p["mark"]): p for p in problems if "mark" in p}
    for el in found:
        marks = [m for m in [el["mark"], *el["inner"]] if m]
        kinds = {by_mark[m]["kind"] for m in marks}
        if el["expect"] == "ok":
            assert not kinds, (el, [by_mark[m] for m in marks])
        else:
            assert el["expect"] in kinds, (el, problems)
    assert any(p["kind"] == f"text under {MIN_TEXT_PX} px" and p["text"] == "tiny text" for p in problems), problems
    assert any(p["kind"] == "page scrolls sideways" for p in problems), problems
