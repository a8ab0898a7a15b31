"""Content computed from the data at build time, and the directives that quote it.

Hand-written pages quote figures through directives, so a figure on the site is always
the data's figure: ``{{ke value KE000013 fatalities_best}}`` is replaced by that cell,
``{{ke report-events kng-2026-01-bhamo-bases}}`` by a table of the events coded from
that report, and so on (see :data:`DIRECTIVES`, and :data:`kedocs_contrib.DIRECTIVES`
for the contributor guide's and the release pages'). A directive may also be written
as an HTML comment, ``<!-- ke: rules-guide -->``: GitHub hides comments, so a page
written that way reads cleanly on GitHub too, and the site shows the generated
Markdown in its place. An unknown directive, or one whose argument does not exist in
the data, stops the build: no page is published with a figure nobody computed.

This module holds the data the pages are made from (:class:`SiteData`), the directive
machinery (:func:`expand`) and the pages about the data (home, overview, methodology).
The others, by concern: :mod:`kedocs_contrib` (the contributor guide and each report's
coding notes), :mod:`kedocs_figures` (charts, map and their tables), :mod:`kedocs_ref`
(CLI, API, releases).
"""

from __future__ import annotations

import json
import posixpath
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import kachin_events
import kedocs_figures
from kachin_events import codebook
from kachin_events.codebook import code, markdown_table
from kachin_events.codebook import escape_cell as esc


class DirectiveError(ValueError):
    """A directive that cannot be expanded (unknown name, missing data)."""


@dataclass
class Report:
    """One coded report: a folder of data/reports/ with its CSV files and CODING.md."""

    id: str
    folder: Path
    event_ids: list[str]
    link_rows: list[dict]
    coding_md: str | None

    @property
    def page(self) -> str:
        return f"reports/{self.id}.md"


@dataclass
class SiteData:
    """Everything the generated pages are made from, read once per build."""

    root: Path
    package: dict
    tables: dict
    schemas: dict
    rules: tuple
    reports: list[Report] = field(default_factory=list)
    _release: dict | None = None

    @classmethod
    def load(cls, root: Path) -> SiteData:
        from kachin_events.rules import RULES
        from kachin_events.schema import load_schemas
        from kachin_events.tables import read_tables

        desc_path = root / "datapackage.json"
        package = json.loads(desc_path.read_text(encoding="utf-8"))
        tables = read_tables(desc_path)
        reports = []
        for folder in sorted((root / "data" / "reports").iterdir()):
            if not folder.is_dir():
                continue
            ev = folder / "events.csv"
            ids = [r["event_id"] for r in _csv_rows(ev)] if ev.is_file() else []
            links = _csv_rows(folder / "event_sources.csv") if (folder / "event_sources.csv").is_file() else []
            notes = folder / "CODING.md"
            reports.append(Report(folder.name, folder, ids, links,
                                  notes.read_text(encoding="utf-8") if notes.is_file() else None))
        return cls(root, package, tables, load_schemas(), RULES, reports)

    # -- lookups ---------------------------------------------------------------------------
    def events(self) -> list[dict]:
        return self.tables["events"].to_dicts()

    def event(self, event_id: str) -> dict:
        for e in self.events():
            if e["event_id"] == event_id:
                return e
        raise DirectiveError(f"no event {event_id!r} in the data")

    def report_of(self, event_id: str) -> Report | None:
        return next((r for r in self.reports if event_id in r.event_ids), None)

    def report(self, report_id: str) -> Report:
        for r in self.reports:
            if r.id == report_id:
                return r
        raise DirectiveError(f"no report folder data/reports/{report_id}")

    def names(self, table: str, key: str, value: str) -> dict:
        return {r[key]: r[value] for r in self.tables[table].select([key, value]).to_dicts()}

    def place_name(self, pcode: str | None) -> str:
        return self.names("locations", "location_pcode", "name").get(pcode, pcode or "")


def _csv_rows(path: Path) -> list[dict]:
    """A CSV file's rows as dicts of text ("" for an empty cell), read by the package's reader."""
    from kachin_events.validation.read import _read_csv

    records = _read_csv(path, str(path))
    header = [h or "" for h in records[0][1]] if records else []
    return [{k: v or "" for k, v in zip(header, values)} for _, values in records[1:] if values]


def rel(page: str, target: str) -> str:
    """A link from the page ``page`` (a docs path) to ``target`` (a docs path, maybe #anchor)."""
    path, _, anchor = target.partition("#")
    out = posixpath.relpath(path, posixpath.dirname(page) or ".") if path else ""
    return out + (f"#{anchor}" if anchor else "")


def event_anchor(event_id: str) -> str:
    return event_id.lower()


def event_link(d: SiteData, page: str, event_id: str) -> str:
    rep = d.report_of(event_id)
    if rep is None:
        return code(event_id)
    return f"[{event_id}]({rel(page, rep.page + '#' + event_anchor(event_id))})"


def fmt(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:.5f}".rstrip("0").rstrip(".")
    return str(value)


def fatalities(e: dict) -> str:
    """low / best / high, with 'unknown' for empty cells (never shown as 0)."""
    vals = [e["fatalities_low"], e["fatalities_best"], e["fatalities_high"]]
    if all(v is None for v in vals):
        return "unknown"
    return " / ".join("?" if v is None else str(v) for v in vals)


# -- home ----------------------------------------------------------------------------------
def stats(d: SiteData) -> dict:
    ev = d.tables["events"]
    townships = d.tables["locations"].filter(d.tables["locations"]["level"] == "township")
    used = sorted(set(ev["admin3_pcode"].drop_nulls().to_list()))
    return {
        "events": ev.height,
        "first": min(ev["date_start"].to_list()) if ev.height else None,
        "last": max(ev["date_end"].to_list()) if ev.height else None,
        "townships_used": used,
        "townships_total": townships.height,
        "sources": d.tables["sources"].height,
        "publishers": sorted(set(d.tables["sources"]["publisher"].to_list())),
        "claims": d.tables["event_sources"].height,
        "actors": d.tables["actors"].height,
        "reports": len(d.reports),
        "no_township": ev.filter(ev["admin3_pcode"].is_null()).height,
    }


def stats_summary(d: SiteData, page: str) -> str:
    s = stats(d)
    names = ", ".join(d.place_name(t) for t in s["townships_used"])
    return "\n".join([
        f"- **{s['events']} events**, coded from **{s['reports']} reports** "
        f"([coding notes]({rel(page, 'reports/index.md')})).",
        f"- **Dates:** from {s['first']} (earliest date_start) to {s['last']} (latest date_end). "
        "Many events are known only to a range of days, a month or a year; see "
        f"[Methodology]({rel(page, 'methodology.md#dates')}).",
        f"- **Places:** {len(s['townships_used'])} of Kachin State's {s['townships_total']} townships have "
        f"events ({names}); {s['no_township']} events are known only to a district or to the state.",
        f"- **Sources:** {s['sources']} source documents from {len(s['publishers'])} publisher"
        f"{'s' * (len(s['publishers']) != 1)} ({', '.join(s['publishers'])}), "
        f"with {s['claims']} recorded claims (event, source and claimant).",
        f"- **Actors:** {s['actors']} actors, each with the name and actor type to use in ACLED's layout.",
    ]) + "\n"


def who(d: SiteData) -> str:
    contributors = ", ".join(c.get("title", "?") for c in d.package.get("contributors", [])) or "the contributors"
    lines = [f"The data is coded by **{contributors}** from published reports; every event links to the "
             "sources that report it and to who made each claim. The package's own list of sources:", ""]
    lines += [f"- {esc(s.get('title', ''))}" for s in d.package.get("sources", [])]
    return "\n".join(lines) + "\n"


def citation(d: SiteData) -> str:
    """How to cite the data: the latest published release (its version and date), else the current data."""
    import kedocs_releases

    released = kedocs_releases.latest_descriptor()
    p = released or d.package
    authors = " and ".join(c.get("title", "") for c in p.get("contributors", []) if c.get("title")) or p["name"]
    lic = ", ".join(x.get("name", "") for x in p.get("licenses", []))
    day = (p.get("created") or "")[:10]
    year = day[:4]
    when = f" ({year})" if year else ""
    dated = f", released {day}" if released and day else ""
    text = (f"{authors}{when}. *{p.get('title', p['name'])}* ({p['name']}), version {p['version']}{dated} "
            f"[data set].{' Licence: ' + lic + '.' if lic else ''}")
    bib = [f"@misc{{{p['name']}-{p['version']},",
           f"  author  = {{{{{authors}}}}},",
           f"  title   = {{{p.get('title', p['name'])}}},"]
    if year:
        bib.append(f"  year    = {{{year}}},")
    bib += [f"  version = {{{p['version']}}},",
            f"  note    = {{Data package {p['name']}, version {p['version']}{dated}"
            f"{', licence ' + lic if lic else ''}}},",
            "}"]
    if released:
        lead = (f"Cite the version you used. The latest published release is **{p['version']}**, dated {day} "
                f"([its files](releases.md#release-{p['version'].replace('.', '-')})); this citation is built "
                "from its `datapackage.json`, as are the repository's `CITATION.cff` (GitHub's \"Cite this "
                "repository\") and `.zenodo.json` (for archiving a release on Zenodo):")
    else:
        lead = ("Cite the version you used. No release is published yet; built from the current "
                "`datapackage.json` (name, title, version, contributors, licence):")
    return "\n".join([
        lead, "", f"> {text}", "", "```bibtex", *bib, "```", "",
        "There is no DOI or permanent URL yet; none is given here rather than one invented. "
        "When you quote an event, quote its `event_id` and its sources (the `event_sources` and `sources` "
        "tables): they are the provenance of every claim.",
    ]) + "\n"


def quickstart_python(d: SiteData) -> str:
    if hasattr(kachin_events, "load"):
        events = kachin_events.load("events")
        shape = f"{events.shape[0]} rows and {events.shape[1]} columns"
        return "\n".join([
            "```python", "import kachin_events", "",
            "events = kachin_events.load()              # events, as a pandas DataFrame",
            'claims = kachin_events.load("event_sources", format="polars")',
            "kachin_events.versions()                   # published releases",
            "```", "",
            f"With no version, `load()` reads the data shipped inside the installed package, with no network "
            f"access (today: {shape}). Pass `version=\"X.Y.Z\"` for a published release, downloaded once "
            "and checked against its SHA-256. See the [Python API](api.md#kachin_events-load).",
        ]) + "\n"
    from kachin_events.tables import read_tables

    events = read_tables()["events"]
    return "\n".join([
        "```python", "from kachin_events.tables import read_tables", "",
        "tables = read_tables()          # every table, as typed polars DataFrames",
        'events = tables["events"]', "```", "",
        f"This reads the data shipped inside the installed package (today: {events.height} events).",
    ]) + "\n"


# -- tables of the data ----------------------------------------------------------------------
def table_counts(d: SiteData) -> str:
    rows = [[f"[{t}](codebook.md#{t})", d.tables[t].height, esc(d.schemas[t].description)] for t in d.schemas]
    return markdown_table(["Table", "Rows", "What one row is"], rows) + "\n"


def events_by_type(d: SiteData) -> str:
    ev = d.tables["events"]
    c = Counter(zip(ev["event_type"].to_list(), ev["sub_event_type"].to_list()))
    rows = [[esc(t), esc(s), n] for (t, s), n in sorted(c.items(), key=lambda x: (-x[1], x[0]))]
    return markdown_table(["Event type", "Sub-event type", "Events"], rows) + "\n"


def fatality_counts(d: SiteData) -> str:
    ev = d.events()
    unknown = [e for e in ev if e["fatalities_best"] is None]
    zero = [e for e in ev if e["fatalities_best"] == 0]
    some = [e for e in ev if e["fatalities_best"]]
    total = sum(e["fatalities_best"] for e in some)
    def n(k, one, many):
        return f"{k} {one if k == 1 else many}"

    return (f"- {len(unknown)} of {len(ev)} events: **unknown** fatalities (empty cells);\n"
            f"- {n(len(zero), 'event', 'events')}: a reported **0** (a source said no one was killed);\n"
            f"- {n(len(some), 'event', 'events')}: a best estimate above 0, adding up to {total}.\n")


def actors_table(d: SiteData) -> str:
    from kachin_events.schema import get_schema

    labels = {c["value"]: c.get("label", "") for c in get_schema("actors").field("acled_inter").categories}
    ev = d.tables["events"]
    n = Counter(ev["actor1"].to_list() + [a for a in ev["actor2"].to_list() if a])
    rows = [[code(a["actor_id"]), esc(a["name"]), esc(a["acled_actor_name"]),
             f"{a['acled_inter']} {esc(labels.get(a['acled_inter'], ''))}".strip(), n.get(a["actor_id"], 0)]
            for a in d.tables["actors"].to_dicts()]
    return markdown_table(["actor_id", "Name", "ACLED-style name", "ACLED actor type", "Events as actor1/actor2"],
                          rows) + "\n"


def report_events(d: SiteData, page: str, report_id: str, anchors: bool = False) -> str:
    """The events coded from one report, one row each, with the fields a reader checks first."""
    rep = d.report(report_id)
    claims = Counter()
    types: dict = {}
    for r in d.tables["event_sources"].to_dicts():
        claims[r["event_id"]] += 1
        types.setdefault(r["event_id"], set()).add(r["claimant_type"])
    assoc: dict = {}
    for r in d.tables["event_actors"].to_dicts():
        assoc.setdefault(r["event_id"], []).append(f"{code(r['actor_id'])} (side {r['side']})")
    rows = []
    for eid in rep.event_ids:
        e = d.event(eid)
        ident = f"**{eid}**{{#{event_anchor(eid)}}}" if anchors else event_link(d, page, eid)
        dates = e["date_start"].isoformat() if e["date_start"] == e["date_end"] else \
            f"{e['date_start']} to {e['date_end']}"
        who_ = code(e["actor1"]) + (f" vs {code(e['actor2'])}" if e["actor2"] else "")
        if eid in assoc:
            who_ += "; with " + ", ".join(assoc[eid])
        kind = esc(e["sub_event_type"]) + (" (aggregated)" if e["event_clarity"] == 2 else "")
        place = f"{esc(e['location'])} ({code(e['location_pcode'])}); geo {e['geo_precision']}"
        rows.append([ident, f"{dates} ({code(e['date_precision'])})", kind, who_, place, fatalities(e),
                     f"{claims[eid]}: " + ", ".join(sorted(types.get(eid, ())))])
    return markdown_table(
        ["Event", "Dates (date_precision)", "Sub-event type", "actor1 vs actor2", "Place (code); geo_precision",
         "Fatalities low / best / high", "Claims: claimant types"], rows) + "\n"


def value(d: SiteData, event_id: str, fieldname: str) -> str:
    e = d.event(event_id)
    if fieldname not in e:
        raise DirectiveError(f"events has no field {fieldname!r}")
    v = e[fieldname]
    return "empty" if v is None else fmt(v)


def source_value(d: SiteData, source_id: str, fieldname: str) -> str:
    for s in d.tables["sources"].to_dicts():
        if s["source_id"] == source_id:
            if fieldname not in s:
                raise DirectiveError(f"sources has no field {fieldname!r}")
            return "empty" if s[fieldname] is None else fmt(s[fieldname])
    raise DirectiveError(f"no source {source_id!r} in the data")


def tag_value(d: SiteData, event_id: str, tag: str) -> str:
    """A tag of an event as text: 'prisoners_taken: 20 (approximate)'."""
    d.event(event_id)
    rows = [r for r in d.tables["event_tags"].to_dicts() if r["event_id"] == event_id and r["tag"] == tag]
    if not rows:
        raise DirectiveError(f"event {event_id} has no tag {tag!r}")
    out = []
    for r in rows:
        text = f"`{tag}`" + ("" if r["detail"] == "-" else f" “{r['detail']}”")
        if r["quantity"] is not None:
            text += f", quantity {r['quantity']} ({r['quantity_qualifier']})"
        out.append(text)
    return "; ".join(out)


def claimant_summary(d: SiteData) -> str:
    es = d.tables["event_sources"].to_dicts()
    by_type = Counter(r["claimant_type"] for r in es)
    events_with = {t: len({r["event_id"] for r in es if r["claimant_type"] == t}) for t in by_type}
    from kachin_events.schema import get_schema

    f = get_schema("event_sources").field("claimant_type")
    rows = [[code(c["value"]), esc(c.get("label", "")), by_type.get(c["value"], 0), events_with.get(c["value"], 0)]
            for c in f.categories]
    return markdown_table(["claimant_type", "Definition", "Claims", "Events"], rows) + "\n"


#: The figures a claim can carry, in the order they are shown.
CLAIM_FIGURES = ("claimed_fatalities_low", "claimed_fatalities_high", "claimed_fatalities_side", "claimed_wounded",
                 "claimed_prisoners")


def claimant_registry(d: SiteData) -> str:
    """The claimant registry, with how many claims and events each claimant has, and their spellings."""
    es = d.tables["event_sources"].to_dicts()
    rows = []
    for c in d.tables["claimants"].to_dicts():
        mine = [r for r in es if r["claimant_id"] == c["claimant_id"]]
        spellings = sorted({r["claimant"] for r in mine})
        rows.append([code(c["claimant_id"]), esc(c["name"]), code(c["claimant_type"]),
                     code(c["actor_id"]) if c["actor_id"] else "", len(mine), len({r["event_id"] for r in mine}),
                     "; ".join(esc(s) for s in spellings)])
    return markdown_table(["claimant_id", "Name", "claimant_type", "actor_id", "Claims", "Events",
                           "Spelled in the sources"], rows) + "\n"


def claim_figures(r: dict) -> str:
    """A claim's figures in words; empty cells are figures the claimant did not give."""
    low, high = r["claimed_fatalities_low"], r["claimed_fatalities_high"]
    parts = []
    if low is not None or high is not None:
        deaths = str(low) if low == high else f"{'?' if low is None else low} to {'?' if high is None else high}"
        parts.append(f"{deaths} killed ({r['claimed_fatalities_side']})")
    parts += [f"{r[k]} {w}" for k, w in (("claimed_wounded", "wounded"), ("claimed_prisoners", "captured"))
              if r[k] is not None]
    return ", ".join(parts) or "no figure given"


def claims_side_by_side(d: SiteData, page: str) -> str:
    """Every event with more than one claim: each claim's figures next to the event's own."""
    fields = d.schemas["event_sources"].field_names
    missing = [f for f in CLAIM_FIGURES if f not in fields]
    if missing:
        raise DirectiveError(f"event_sources has no field {', '.join(missing)}")
    by_event: dict = {}
    for r in d.tables["event_sources"].to_dicts():
        by_event.setdefault(r["event_id"], []).append(r)
    given = sum(1 for rs in by_event.values() for r in rs if claim_figures(r) != "no figure given")
    total = sum(len(rs) for rs in by_event.values())
    rows = []
    for eid in sorted(e for e, rs in by_event.items() if len(rs) > 1):
        claims = "<br>".join(f"{code(r['claimant_id'] or r['claimant'])} in {code(r['source_id'])}: "
                             f"{claim_figures(r)}" for r in by_event[eid])
        rows.append([event_link(d, page, eid), fatalities(d.event(eid)), claims])
    head = (f"{given} of the {total} claims in the data give a figure" if given else
            f"None of the {total} claims in the data gives a figure yet") + (
        ". The events with more than one claim, each claim next to the event's own figures:")
    return head + "\n\n" + markdown_table(["Event", "Fatalities low / best / high", "Claims"], rows) + "\n"


def corroboration(d: SiteData, page: str) -> str:
    es = d.tables["event_sources"].to_dicts()
    pub = d.names("sources", "source_id", "publisher")
    party = {"party_spokesperson", "party_source", "party_statement"}
    per: dict = {}
    for r in es:
        p = per.setdefault(r["event_id"], {"sources": set(), "publishers": set(), "types": set()})
        p["sources"].add(r["source_id"])
        p["publishers"].add(pub.get(r["source_id"]))
        p["types"].add(r["claimant_type"])
    n = len(d.events())
    multi_src = sorted(e for e, p in per.items() if len(p["sources"]) > 1)
    multi_pub = sorted(e for e, p in per.items() if len(p["publishers"]) > 1)
    party_only = sorted(e for e, p in per.items() if p["types"] <= party)
    independent = sorted(e for e, p in per.items() if p["types"] & {"independent", "witness"})
    links = lambda ids: ", ".join(event_link(d, page, i) for i in ids) or "none"  # noqa: E731
    return "\n".join([
        f"- Events reported by more than one source document: {len(multi_src)} of {n} ({links(multi_src)}).",
        f"- Events reported by more than one publisher: {len(multi_pub)} of {n} ({links(multi_pub)}).",
        f"- Events whose only claimants are a party to the conflict: {len(party_only)} of {n}.",
        f"- Events with an independent or eyewitness claimant: {len(independent)} of {n} ({links(independent)}).",
    ]) + "\n"


def categories(d: SiteData, table: str, fieldname: str) -> str:
    try:
        f = d.schemas[table].field(fieldname)
    except KeyError as exc:
        raise DirectiveError(str(exc)) from None
    out = codebook.categories_table(f)
    if not out:
        raise DirectiveError(f"{table}.{fieldname} has no allowed values")
    return out + "\n"


DIRECTIVES = {
    "stats-summary": lambda d, page: stats_summary(d, page),
    "who": lambda d, page: who(d),
    "citation": lambda d, page: citation(d),
    "quickstart-python": lambda d, page: quickstart_python(d),
    "table-counts": lambda d, page: table_counts(d),
    "events-by-type": lambda d, page: events_by_type(d),
    "fatality-counts": lambda d, page: fatality_counts(d),
    "actors": lambda d, page: actors_table(d),
    "report-events": lambda d, page, rid: report_events(d, page, rid),
    "report-link": lambda d, page, rid: f"[{d.report(rid).id}]({rel(page, d.report(rid).page)})",
    "event": lambda d, page, eid: event_link(d, page, d.event(eid)["event_id"]),
    "value": lambda d, page, eid, f: value(d, eid, f),
    "fatalities": lambda d, page, eid: fatalities(d.event(eid)),
    "span-days": lambda d, page, eid: str((d.event(eid)["date_end"] - d.event(eid)["date_start"]).days + 1),
    "source-value": lambda d, page, sid, f: source_value(d, sid, f),
    "tag": lambda d, page, eid, tag: tag_value(d, eid, tag),
    "claimants": lambda d, page: claimant_summary(d),
    "claimant-registry": lambda d, page: claimant_registry(d),
    "claims-side-by-side": lambda d, page: claims_side_by_side(d, page),
    "corroboration": lambda d, page: corroboration(d, page),
    "categories": lambda d, page, t, f: categories(d, t, f),
    "township-table": lambda d, page: kedocs_figures.township_table(d),
    "month-table": lambda d, page: kedocs_figures.month_table(d),
    "version": lambda d, page: d.package["version"],
    "count": lambda d, page, table: str(d.tables[table].height),
    "level-count": lambda d, page, level: str(kedocs_figures.level_count(d, level)),
    "township-ref-count": lambda d, page: str(sum(
        1 for t in kedocs_figures.township_reference_points(d.tables["locations"]) if t["town_pcode"])),
}

#: ``{{ke NAME ARGS}}``, or ``<!-- ke: NAME ARGS -->`` (hidden on GitHub).
_DIRECTIVE = re.compile(r"\{\{ke\s+([a-z][a-z0-9-]*)((?:\s+[^\s}]+)*)\s*\}\}"
                        r"|<!--\s*ke:\s*([a-z][a-z0-9-]*)((?:\s+(?!-->)\S+)*)\s*-->")


def all_directives() -> dict:
    """Every directive: this module's and :mod:`kedocs_contrib`'s (imported here, as it imports this one)."""
    import kedocs_charts
    import kedocs_codebook
    import kedocs_contrib
    import kedocs_home

    # Later modules' entries win: a module that redraws a directive replaces it here.
    return {**DIRECTIVES, **kedocs_contrib.DIRECTIVES, **kedocs_codebook.DIRECTIVES, **kedocs_charts.DIRECTIVES,
            **kedocs_home.DIRECTIVES}


def expand(markdown: str, page: str, d: SiteData) -> str:
    """Replace every directive in a page's Markdown; raise on any that fails."""
    directives = all_directives()

    def one(m):
        name, args = (m.group(1), m.group(2).split()) if m.group(1) else (m.group(3), m.group(4).split())
        shown = f"{{{{ke {' '.join([name, *args])}}}}}"
        fn = directives.get(name)
        if fn is None:
            raise DirectiveError(f"{page}: unknown directive {shown}; known: {', '.join(directives)}")
        # A directive alone on an indented line (in a tab, a list, an admonition):
        # every line of its output gets that indentation.
        line_start = markdown.rfind("\n", 0, m.start()) + 1
        indent = markdown[line_start:m.start()]
        try:
            out = fn(d, page, *args)
            if indent and not indent.strip():
                out = out.replace("\n", "\n" + indent).rstrip(" ")
                out = re.sub(r"\n[ \t]+\n", "\n\n", out)
            return out
        except (TypeError, KeyError, DirectiveError) as exc:
            raise DirectiveError(f"{page}: {shown}: {exc}") from None

    return _DIRECTIVE.sub(one, markdown)
