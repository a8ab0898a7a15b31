"""The site's charts and map can be read: real text at readable sizes, honest geography and dates.

* The SVGs hold their text as ``<text>`` (searchable, selectable), with titles and axis
  labels, and no text is under 11 CSS pixels where the overview page shows it at
  1280 px (measured in headless Chromium: the font size in the SVG times the scale the
  page draws the picture at).
* Every figure on the overview is followed by a table that says the same in words.
* The timeline's headline number (events known only to a month or a year) is the
  data's; the precision breakdown uses the schema's definitions, not bare codes.
* The map draws no event known only to a district or the state, lists those instead,
  has a scale bar (and one in its inset), and no label overlaps a marker, another label or
  a leader line; no leader passes through another marker or label or crosses another
  leader; every point with events and every township point is labelled (only a town there
  to orient the reader may go unnamed, never one with events). The geometry is checked here,
  independently of the placement code, and the check is shown to catch a label on a leader.
* The reports index gives publisher, publication window, events, date range and claims
  by claimant type, and report pages give the publisher in words.

Pages are looked up as ``page/index.html`` or ``page.html``, so the tests hold with or
without ``use_directory_urls``.
"""

from __future__ import annotations

import html
import re
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).parent))
from test_site_browser import _keep, _require_browser, visit  # noqa: E402
from test_site_browser import browser, server, shots  # noqa: E402,F401  - fixtures
from test_docs import build_site  # noqa: E402

FIGURES = ["events-per-month", "event-timeline", "events-by-township", "event-map"]
#: The smallest text, in CSS pixels, a figure may show on a desktop.
MIN_PX = 11


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    return build_site(tmp_path_factory.mktemp("docs") / "site")


def built(site: Path, page: str) -> Path:
    """The built file of a page ("overview", "reports/index"), with or without directory URLs."""
    page = page.strip("/")
    candidates = [site / page / "index.html", site / f"{page}.html"]
    if page.endswith("/index") or page == "index":
        candidates.append(site / f"{page}.html")
    for path in candidates:
        if path.is_file():
            return path
    raise AssertionError(f"{page} was not built (looked for {[str(c) for c in candidates]})")


def url_of(site: Path, page: str) -> str:
    return built(site, page).relative_to(site).as_posix()


def plain(site: Path, page: str) -> str:
    text = built(site, page).read_text(encoding="utf-8")
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", text)))


def svg_texts(data: str) -> list[tuple[float, str]]:
    """(font size in SVG user units, text) of every <text> element."""
    out = []
    for m in re.finditer(r"<text\b([^>]*)>(.*?)</text>", data, flags=re.S):
        size = re.search(r"font-size:\s*([\d.]+)px", m.group(1)) or re.search(r"font:[^;\"]*?([\d.]+)px", m.group(1))
        assert size, f"a text without a font size: {m.group(0)[:200]}"
        out.append((float(size.group(1)), html.unescape(re.sub(r"<[^>]+>", "", m.group(2)))))
    return out


@pytest.fixture(scope="module")
def site_data():
    sys.path.insert(0, str(ROOT / "docs" / "hooks"))
    import kedocs_content

    return kedocs_content.SiteData.load(ROOT)


# -- the SVG files --------------------------------------------------------------------------------
@pytest.mark.parametrize("name", FIGURES)
def test_figures_hold_real_text_with_a_title_and_axis_labels(site, name):
    data = (site / "figures" / f"{name}.svg").read_text(encoding="utf-8")
    texts = svg_texts(data)
    words = " ".join(t for _, t in texts)
    assert len(texts) >= 10, f"{name}: text drawn as shapes? only {len(texts)} <text> elements"
    assert "DejaVuSans-" not in data, f"{name}: glyphs embedded as paths"
    assert re.search(r"\(count\)|°E|date", words), f"{name}: no axis label with a unit: {words[:300]}"
    sizes = [s for s, _ in texts]
    assert min(sizes) >= 9, f"{name}: text at {min(sizes)} units"


def test_timeline_counts_the_coarse_dates_from_the_data(site):
    from kachin_events.tables import read_tables

    events = read_tables()["events"]
    coarse = events.filter(events["date_precision"].is_in(["month", "year"])).height
    words = " ".join(t for _, t in svg_texts((site / "figures" / "event-timeline.svg").read_text("utf-8")))
    assert f"{coarse} of {events.height} events are known only to a month or a year" in words
    for event_id in events["event_id"].to_list():  # one row per event
        assert event_id in words, f"{event_id} missing from the timeline"


def test_map_lists_district_and_state_events_instead_of_drawing_them(site, site_data):
    import kedocs_map

    events = site_data.tables["events"]
    unplaced = kedocs_map.unplaced(events)["event_id"].to_list()
    drawn = {e for p in kedocs_map.points(events) for e in p["events"]}
    assert not set(unplaced) & drawn
    assert drawn | set(unplaced) == set(events["event_id"].to_list())
    words = " ".join(t for _, t in svg_texts((site / "figures" / "event-map.svg").read_text("utf-8")))
    for event_id in unplaced:
        assert event_id in words, f"{event_id} is not listed beside the map"
    assert "100 km" in words and "10 km" in words, "no scale bar (on the map and in its inset)"
    # Markers sit where the data puts them: one per distinct coordinate pair, none moved.
    coords = {(r["latitude"], r["longitude"]) for r in events.filter(events["admin3_pcode"].is_not_null()).to_dicts()}
    assert {(p["lat"], p["lon"]) for p in kedocs_map.points(events)} == coords
    overview = plain(site, "overview")
    for event_id in unplaced:
        assert event_id in overview


def _hits(p0, p1, box) -> bool:
    """Does the segment p0-p1 pass through the box (x0, y0, x1, y1)? Sampled every half pixel."""
    x0, y0, x1, y1 = box
    n = max(2, int(((p1[0] - p0[0]) ** 2 + (p1[1] - p0[1]) ** 2) ** 0.5 * 2))
    for k in range(n + 1):
        x, y = p0[0] + (p1[0] - p0[0]) * k / n, p0[1] + (p1[1] - p0[1]) * k / n
        if x0 < x < x1 and y0 < y < y1:
            return True
    return False


def _overlap(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _cross(p, q) -> bool:
    def side(a, b, c):
        return (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0])
    (a, b), (c, d) = p, q
    return side(a, b, c) * side(a, b, d) < 0 and side(c, d, a) * side(c, d, b) < 0


def map_conflicts(placed: list[dict], markers: dict) -> list[str]:
    """Everything on the map that is drawn over something else, from the labels' and markers' pixel boxes."""
    out = []
    for m in sorted({p["map"] for p in placed}):
        labels = [p for p in placed if p["map"] == m and not p["omitted"]]
        for p in labels:
            if p["overlaps"]:
                out.append(f"{m}: {p['text']} found no free spot")
            own = [b for b in markers[m] if b[0] <= p["point"][0] <= b[2] and b[1] <= p["point"][1] <= b[3]]
            for b in markers[m]:
                if _overlap(p["box"], b):
                    out.append(f"{m}: label {p['text']!r} covers a marker at {b}")
            for q in labels:
                if q is p:
                    continue
                if _overlap(p["box"], q["box"]) and p["text"] < q["text"]:
                    out.append(f"{m}: labels {p['text']!r} and {q['text']!r} overlap")
                if q["segment"] and _hits(*q["segment"], p["box"]):
                    out.append(f"{m}: label {p['text']!r} lies on the leader line of {q['text']!r}")
                if p["segment"] and q["segment"] and _cross(p["segment"], q["segment"]) and p["text"] < q["text"]:
                    out.append(f"{m}: the leaders of {p['text']!r} and {q['text']!r} cross")
            if p["segment"]:
                for b in markers[m]:
                    if b not in own and _hits(*p["segment"], b):
                        out.append(f"{m}: the leader of {p['text']!r} passes through a marker at {b}")
    return out


@pytest.fixture(scope="module")
def drawn_map(site_data):
    import kedocs_figures
    import kedocs_map

    kedocs_figures.FIGURES["event-map"][1](site_data)
    return kedocs_map.event_map.placed, kedocs_map.event_map.markers


def test_map_labels_overlap_nothing(drawn_map, site_data):
    placed, markers = drawn_map
    assert placed and markers["main"], "no labels or markers placed"
    assert any(p["segment"] for p in placed), "no leader lines: the check below would check nothing"
    conflicts = map_conflicts(placed, markers)
    assert not conflicts, "\n".join(conflicts)
    # Every point with events and every township point keeps its name; only towns there to
    # orient the reader may go unnamed when there is no room beside them.
    import kedocs_map

    f = kedocs_map._features(site_data)
    must = {p["name"] for p in f["pts"]} | {t["name"] for t in f["tsp"]}
    named = {p["text"].rsplit(" (", 1)[0] for p in placed if not p["omitted"]}
    assert must <= named, sorted(must - named)
    towns = {w["name"].removesuffix(" Town") for w in f["towns"]}
    assert {p["text"] for p in placed if p["omitted"]} <= towns


def test_the_map_check_catches_a_label_on_a_leader_line(drawn_map):
    """The check above can fail: a label moved onto another label's leader line is reported."""
    placed, markers = drawn_map
    leader = next(p for p in placed if p["segment"])
    other = next(p for p in placed if p is not leader and p["map"] == leader["map"] and not p["omitted"])
    (ax, ay), (bx, by) = leader["segment"]
    mx, my = (ax + bx) / 2, (ay + by) / 2
    w, h = other["box"][2] - other["box"][0], other["box"][3] - other["box"][1]
    moved = [dict(p) for p in placed]
    moved[placed.index(other)]["box"] = (mx - w / 2, my - h / 2, mx + w / 2, my + h / 2)
    conflicts = map_conflicts(moved, markers)
    assert any(f"lies on the leader line of {leader['text']!r}" in c for c in conflicts), conflicts


def test_precision_breakdown_uses_the_schema_words(site, site_data):
    text = plain(site, "overview")
    assert not re.search(r"date_precision: (?:day|month) \d", text)
    for name in ("date_precision", "geo_precision", "event_clarity"):
        f = site_data.schemas["events"].field(name)
        used = set(site_data.tables["events"][name].to_list())
        for c in f.categories:
            if c["value"] in used:
                assert c["label"] in text, f"{name} {c['value']}: its definition is not on the overview"


# -- the reports index and pages -------------------------------------------------------------------
def test_reports_index_summarises_every_report(site, site_data):
    text = plain(site, "reports/index")
    claims = site_data.tables["event_sources"]
    for s in site_data.tables["sources"].to_dicts():
        assert s["publisher"] in text
        assert str(s["publication_date_earliest"]) in text and str(s["publication_date_latest"]) in text
        mine = claims.filter(claims["source_id"] == s["source_id"])
        for t in set(mine["claimant_type"].to_list()):
            n = mine.filter(mine["claimant_type"] == t).height
            assert re.search(rf"\b{t}\s*:\s*{n}\b", text), f"{s['source_id']}: no count of {t} claims"
    assert "Coder's notes yes" not in text


def test_report_pages_give_the_publisher_in_words(site, site_data):
    labels = {c["value"]: c["label"] for c in site_data.schemas["sources"].field("source_type").categories}
    for s in site_data.tables["sources"].to_dicts():
        text = plain(site, f"reports/{s['source_id']}")
        assert labels[s["source_type"]].rstrip(".") in text
        assert f"({s['source_type']}, {s['source_scale']}, language" not in text


# -- in the browser ---------------------------------------------------------------------------------
_FIGURE_FACTS = """
return Array.from(document.querySelectorAll('article img.ke-figure')).map(img => {
  // The figure's block, then everything after it up to the next figure or section heading.
  let block = img.closest('p') || img;
  let table = false;
  for (let el = block.nextElementSibling; el; el = el.nextElementSibling) {
    if (el.querySelector('img.ke-figure') || /^H[12]$/.test(el.tagName)) break;
    if (el.tagName === 'TABLE' || el.querySelector('table')) { table = true; break; }
  }
  const r = img.getBoundingClientRect();
  return {src: img.currentSrc || img.src, width: r.width, table: table};
});
"""


def test_figures_are_readable_on_a_desktop_and_followed_by_a_table(site, browser, server, shots):  # noqa: F811
    _require_browser()
    browser.cmd("POST", "/window/rect", {"width": 1280, "height": 1000})
    seen = visit(browser, server, url_of(site, "overview"))
    assert not seen["errors"], seen["errors"]
    facts = browser.script(_FIGURE_FACTS)
    names = sorted(f["src"].rsplit("/", 1)[-1] for f in facts)
    assert names == sorted(f"{n}.svg" for n in FIGURES)
    for f in facts:
        name = f["src"].rsplit("/", 1)[-1]
        assert f["table"], f"{name} is not followed by its table"
        data = (site / "figures" / name).read_text(encoding="utf-8")
        view_width = float(re.search(r'viewBox="[\d.]+ [\d.]+ ([\d.]+) [\d.]+"', data).group(1))
        scale = f["width"] / view_width
        smallest = min(s for s, _ in svg_texts(data)) * scale
        assert smallest >= MIN_PX, f"{name}: text shown at {smallest:.1f} px (drawn {view_width:.0f} wide, shown " \
                                   f"{f['width']:.0f} px)"
        shot = browser.element_screenshot(f"img[src$='{name}']", shots / f"figure-{name}.png")
        assert shot.stat().st_size > 10_000
        _keep(shot)
    time.sleep(0.1)
    shot = browser.screenshot(shots / "overview-figures.png", max_height=16000)
    _keep(shot)


def test_reports_index_in_the_browser(site, browser, server, shots):  # noqa: F811
    _require_browser()
    browser.cmd("POST", "/window/rect", {"width": 1280, "height": 1000})
    seen = visit(browser, server, url_of(site, "reports/index"))
    assert not seen["errors"], seen["errors"]
    assert seen["tables"] >= 1
    shot = browser.screenshot(shots / "reports-index.png")
    _keep(shot)
