"""Every page of the built site can be read at 1280 px and at 390 px: nothing is cut off.

On every HTML page, in headless Chromium at a desktop width (1280 px) and a phone width
(390 px), the browser measures:

* **No clipped table or code block.** Each table, code block and table cell either fits
  its column (the page's content column, ``.md-content``) or sits in a box that scrolls
  sideways (``overflow-x: auto`` or ``scroll``, with a scrollbar that is not hidden), and
  that box fits the column. Anything wider than a box that hides its overflow, or than
  the column itself, is reported with the page, the element and the widths.
* **No page wider than the window**: the page itself never scrolls sideways.
* **Tables whole, output wrapped** (desktop): no table needs sideways scrolling to show its
  last columns, and command output and plain-text blocks (a ``$``/``>>>`` prompt, or no
  highlighting) wrap instead of running off the right edge.
* **No squeezed text column** (desktop): a table cell holding a sentence (60 characters
  or more) is at least 100 px wide (about 15 characters a line), so definitions and fixes are
  not one word a line.
* **No text smaller than 11 px** (desktop): every visible piece of HTML text. Text
  inside figures (``img`` of ``figures/*.svg``) is not HTML and is not measured here.

A screenshot of the top of every page at both widths goes to the test's tmp folder
(and to $KE_DOCS_SCREENSHOTS when set), and one of each element found clipped.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from test_site_browser import _keep  # noqa: E402
from test_site_browser import browser, server, shots, site  # noqa: E402,F401  - fixtures

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
  const h = [];
  for (let e = el; e && e !== column; e = e.parentElement) {
    if (e.id) { h.push('#' + e.id); break; }
  }
  const text = (el.innerText || '').trim().replace(/\s+/g, ' ').slice(0, 60);
  return name(el) + (h.length ? ' in ' + h[0] : '') + (text ? ' "' + text + '"' : '');
};
const visible = el => {
  const r = el.getBoundingClientRect();
  if (r.width === 0 && r.height === 0) return false;
  const s = getComputedStyle(el);
  return s.visibility !== 'hidden' && s.display !== 'none';
};
// The right edge of what an element draws: its box, or its content when that spills out.
const rightEdge = el => {
  const r = el.getBoundingClientRect();
  const s = getComputedStyle(el);
  const spills = s.overflowX === 'visible' && el.scrollWidth > el.clientWidth + 1;
  return spills ? r.left + el.scrollWidth : r.right;
};
const scrolls = s => (s.overflowX === 'auto' || s.overflowX === 'scroll') && s.scrollbarWidth !== 'none';
let marked = 0;
function check(el) {
  let right = rightEdge(el), left = el.getBoundingClientRect().left, what = el;
  for (let a = el.parentElement; a && a !== column; a = a.parentElement) {
    const s = getComputedStyle(a);
    const r = a.getBoundingClientRect();
    if (right <= r.right + 1 && left >= r.left - 1) continue;
    if (scrolls(s)) {            // a sideways scroll box: it is the way to read it; it must fit
      what = a; right = r.right; left = r.left; continue;
    }
    if (s.overflowX !== 'visible') {
      el.setAttribute('data-ke-clipped', String(++marked));
      problems.push({kind: 'clipped', element: where(el), by: name(a),
                     width: Math.round(rightEdge(el) - el.getBoundingClientRect().left), box: Math.round(r.width),
                     mark: marked});
      return;
    }
  }
  if (right > col.right + 1 || left < col.left - 1) {
    el.setAttribute('data-ke-clipped', String(++marked));
    problems.push({kind: 'wider than the column', element: where(el), via: name(what),
                   left: Math.round(left), right: Math.round(right),
                   column: [Math.round(col.left), Math.round(col.right)], mark: marked});
  }
}
const targets = column.querySelectorAll('table, pre, pre > code, td, th, .highlight, .tabbed-set, .admonition');
for (const el of targets) if (visible(el)) check(el);
const page = document.documentElement;
if (page.scrollWidth > window.innerWidth + 1) {
  problems.push({kind: 'page scrolls sideways', width: page.scrollWidth, window: window.innerWidth});
}
if (desktop) {
  // A desktop has the room: a table is read whole, without scrolling to find its last
  // columns, and a command's output wraps rather than running off to the right.
  for (const box of column.querySelectorAll('.md-typeset__scrollwrap, table')) {
    if (visible(box) && box.scrollWidth > box.clientWidth + 1) {
      problems.push({kind: 'table scrolls sideways on a desktop', element: where(box.querySelector('table') || box),
                     width: box.scrollWidth, box: box.clientWidth});
    }
  }
  for (const code of column.querySelectorAll('pre > code')) {
    if (!visible(code) || !code.matches(':has(> .gp), :not(:has(span))')) continue;
    if (code.scrollWidth > code.clientWidth + 1) {
      problems.push({kind: 'command output scrolls sideways on a desktop', element: where(code),
                     width: code.scrollWidth, box: code.clientWidth});
    }
  }
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


def resize(browser, width: int, height: int = 900) -> None:
    """A viewport exactly ``width`` CSS pixels wide (the window's frame does not count)."""
    browser.cmd("POST", "/goog/cdp/execute", {"cmd": "Emulation.setDeviceMetricsOverride", "params": {
        "width": width, "height": height, "deviceScaleFactor": 1, "mobile": False}})


def measure(browser, server, page: str, width: int) -> list[dict]:
    browser.get(f"{server.url}/{page}")
    time.sleep(0.3)  # the theme's scripts wrap the tables
    got = browser.script("return window.innerWidth;")
    assert got == width, f"the viewport is {got} px wide, not {width}"
    return browser.script(_MEASURE, MIN_TEXT_PX, SENTENCE_CHARS, SQUEEZE_PX, width >= 1000)


def test_site_has_the_pages_it_should(site):
    found = pages(site)
    assert "index.html" in found and len(found) >= 15, found


@pytest.mark.parametrize("label", list(WIDTHS))
def test_nothing_is_clipped_or_too_small(browser, server, site, shots, label):
    width = WIDTHS[label]
    resize(browser, width)
    report = []
    try:
        for page in pages(site):
            problems = measure(browser, server, page, width)
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
        browser.cmd("POST", "/goog/cdp/execute", {"cmd": "Emulation.clearDeviceMetricsOverride", "params": {}})
    assert not report, f"{len(report)} layout problems at {width} px:\n" + "\n".join(report[:80])


def test_the_check_finds_a_clipped_table(browser, server, site):
    """The measurement is not blind: a table forced wider than a box that hides overflow is found."""
    resize(browser, 390)
    try:
        browser.get(f"{server.url}/index.html")
        time.sleep(0.3)
        browser.script("""
            const t = document.querySelector('.md-content table');
            const box = t.closest('.md-typeset__scrollwrap') || t.parentElement;
            box.style.overflowX = 'hidden';
            t.style.minWidth = '900px';
            const p = document.createElement('p');
            p.textContent = 'tiny text';
            p.style.fontSize = '8px';
            document.querySelector('.md-content article').appendChild(p);
        """)
        problems = browser.script(_MEASURE, MIN_TEXT_PX, SENTENCE_CHARS, SQUEEZE_PX, True)
    finally:
        browser.cmd("POST", "/goog/cdp/execute", {"cmd": "Emulation.clearDeviceMetricsOverride", "params": {}})
    kinds = {p["kind"] for p in problems}
    assert "clipped" in kinds, problems
    assert f"text under {MIN_TEXT_PX} px" in kinds, problems
