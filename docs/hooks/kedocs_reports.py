"""The coding notes: the reports index and one page per report folder of ``data/reports/``.

Each report's page shows its source row in words (the schemas' definitions of
``source_type`` and ``source_scale``, the language's name), its events, the claims it
records and its tags, then the coder's ``CODING.md``. The index gives, for every
report: publisher, publication window, the events it reports and their date range, and
its claims counted by claimant type, with each type's definition from the schema.
"""

from __future__ import annotations

import re
from collections import Counter

from kedocs_content import Report, SiteData, claim_figures, event_link, fmt, rel, report_events

from kachin_events.codebook import code, markdown_table
from kachin_events.codebook import escape_cell as esc


def _labels(d: SiteData, table: str, name: str) -> dict:
    return {c["value"]: c.get("label", "") for c in d.schemas[table].field(name).categories}


def language_name(code_: str) -> str:
    """The English name of an ISO 639-1 code (Babel's CLDR data, installed with the site's theme)."""
    try:
        from babel import Locale

        return Locale.parse(code_).get_display_name("en") or code_
    except Exception:  # an unknown code, or no Babel: the code itself, said to be one
        return f"ISO 639-1 code {code_}"


def publisher_line(d: SiteData, src: dict) -> str:
    """The publisher in words: its name, what kind of document, its reach and the language."""
    kind = _labels(d, "sources", "source_type").get(src["source_type"], "").rstrip(".")
    reach = _labels(d, "sources", "source_scale").get(src["source_scale"], "").rstrip(".")
    reach = reach[:1].lower() + reach[1:]
    return (f"{esc(src['publisher'])}: {esc(kind)} (source_type {code(src['source_type'])}); "
            f"{esc(reach)} (source_scale {code(src['source_scale'])}); "
            f"in {esc(language_name(src['language']))} (language {code(src['language'])}).")


def publication_window(src: dict) -> str:
    first, last = src["publication_date_earliest"], src["publication_date_latest"]
    return str(first) if first == last else f"{first} to {last}"


def report_summary(d: SiteData, rep: Report) -> dict:
    """What the index says about one report: its events (coded here or cited), dates and claims."""
    cited = sorted({r["event_id"] for r in rep.link_rows})
    events = [d.event(e) for e in sorted(set(rep.event_ids) | set(cited))]
    return {
        "coded": len(rep.event_ids),
        "events": len(events),
        "first": min((e["date_start"] for e in events), default=None),
        "last": max((e["date_end"] for e in events), default=None),
        "claims": Counter(r["claimant_type"] for r in rep.link_rows),
    }


def tag_rows(d: SiteData, page: str, report: Report) -> str:
    rows = [[event_link(d, page, r["event_id"]), code(r["tag"]), esc(r["detail"]), fmt(r["quantity"]),
             fmt(r["quantity_qualifier"])]
            for r in d.tables["event_tags"].to_dicts() if r["event_id"] in report.event_ids]
    return markdown_table(["Event", "tag", "detail", "quantity", "quantity_qualifier"], rows) + "\n" if rows else \
        "No tags.\n"


def claims_rows(d: SiteData, page: str, report: Report) -> str:
    typed = {(r["event_id"], r["source_id"], r["claimant"]): r for r in d.tables["event_sources"].to_dicts()}
    rows = []
    for r in report.link_rows:
        claim = typed.get((r["event_id"], r["source_id"], r["claimant"]))
        rows.append([event_link(d, page, r["event_id"]), esc(r["claimant"]), code(r["claimant_id"]) if r.get("claimant_id") else "",
                     code(r["claimant_type"]), code(r["claimant_actor_id"]) if r["claimant_actor_id"] else "",
                     claim_figures(claim) if claim else ""])
    return markdown_table(["Event", "claimant", "claimant_id", "claimant_type", "claimant_actor_id",
                           "Figures claimed"], rows) + "\n"


def report_page(d: SiteData, rep: Report) -> str:
    page = rep.page
    src = next((s for s in d.tables["sources"].to_dicts() if s["source_id"] == rep.id), None)
    parts = [f"# Report {rep.id}", ""]
    if src:
        parts += [
            f"- **Publisher:** {publisher_line(d, src)}",
            f"- **Title:** {esc(src['title']) if src['title'] else 'none in the copy coded from'}",
            f"- **URL:** {src['url'] if src['url'] else 'unknown (never guessed)'}",
            f"- **Published:** {publication_window(src)}. {esc(src['publication_date_basis'])}",
        ]
        if src["document"]:
            parts.append(f"- **Archived copy:** `{src['document']}`, SHA-256 `{src['document_sha256']}`")
        parts += ["", esc(src["notes"] or ""), ""]
    parts += [
        "## Events coded from this report", "",
        "Generated from `data/reports/" + rep.id + "/events.csv`. Actors are given by their `actor_id` "
        f"(see the [list of actors]({rel(page, 'overview.md#actors')})). Fatalities: *unknown* means the cells "
        "are empty (not 0); `?` marks one empty figure among others.", "",
        report_events(d, page, rep.id, anchors=True), "",
        "## Claims recorded from this report", "",
        f"From `data/reports/{rep.id}/event_sources.csv`: who made each claim in this source.", "",
        claims_rows(d, page, rep), "",
        "## Tags", "",
        tag_rows(d, page, rep), "",
    ]
    if rep.coding_md:
        parts += ["## Coder's notes", "",
                  f"The coder's notes, `data/reports/{rep.id}/CODING.md`, as written (event ids are linked):", ""]
        notes = rep.coding_md
        notes = re.sub(r"^# .*\n", "", notes, count=1)  # the page has its own title
        notes = re.sub(r"^(#{2,5}) ", lambda m: "#" + m.group(1) + " ", notes, flags=re.M)
        notes = re.sub(r"\bKE\d{6}\b", lambda m: event_link(d, page, m.group(0)), notes)
        parts.append(notes)
    return "\n".join(parts).rstrip() + "\n"


def reports_index(d: SiteData) -> str:
    page = "reports/index.md"
    sources = {s["source_id"]: s for s in d.tables["sources"].to_dicts()}
    types = _labels(d, "event_sources", "claimant_type")
    rows, used = [], Counter()
    for rep in d.reports:
        s = report_summary(d, rep)
        src = sources.get(rep.id)
        used.update(s["claims"])
        events = f"{s['events']}" + (f" ({s['coded']} coded here)" if s["coded"] != s["events"] else "")
        dates = "" if s["first"] is None else f"{s['first']} to {s['last']}"
        claims = "<br>".join(f"{code(t)}: {n}" for t, n in sorted(s["claims"].items(), key=lambda x: (-x[1], x[0])))
        rows.append([f"[{rep.id}]({rel(page, rep.page)})",
                     esc(src["publisher"]) if src else "no source row",
                     publication_window(src) if src else "",
                     events, dates, f"{sum(s['claims'].values())}<br>{claims}" if claims else "0"])
    legend = [f"- {code(t)}: {esc(types.get(t, ''))}" for t in types if used.get(t)]
    return "\n".join([
        "# Coding notes", "",
        "One folder under `data/reports/` per coded report: its source row, its events, the claims it "
        "records (event_sources) and the coder's notes (`CODING.md`), which explain every judgement: date "
        "windows, places, claimants, and what was deliberately not coded.", "",
        "*Events* counts every event the report gives a claim for; an event first coded from an earlier "
        "report is counted too, and *coded here* says how many rows the report's own `events.csv` adds. "
        "*Event dates* run from the earliest `date_start` to the latest `date_end` of those events.", "",
        markdown_table(["Report", "Publisher", "Published", "Events", "Event dates",
                        "Claims, by claimant type"], rows), "",
        "The claimant types, as the schema defines them:", "",
        *legend,
    ]) + "\n"
