"""Content computed from the data at build time, and the ``{{ke ...}}`` directives.

Hand-written pages quote figures through directives, so a figure on the site is always
the data's figure: ``{{ke value KE000013 fatalities_best}}`` is replaced by that cell,
``{{ke report-events kng-2026-01-bhamo-bases}}`` by a table of the events coded from
that report, and so on (see :data:`DIRECTIVES`). An unknown directive, or one whose
argument does not exist in the data, stops the build: no page is published with a
figure nobody computed.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import importlib.util
import json
import os
import posixpath
import re
import subprocess
import sys
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import kachin_events
import kedocs_figures
import kedocs_ref
from kachin_events import codebook
from kachin_events.codebook import code, markdown_table
from kachin_events.codebook import escape_cell as esc


class DirectiveError(ValueError):
    """A directive that cannot be expanded (unknown name, missing data)."""


def has_module(name: str) -> bool:
    """True when ``kachin_events.<name>`` exists (it is then imported, never skipped)."""
    return importlib.util.find_spec(f"kachin_events.{name}") is not None


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
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


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
    p = d.package
    authors = " and ".join(c.get("title", "") for c in p.get("contributors", []) if c.get("title")) or p["name"]
    lic = ", ".join(x.get("name", "") for x in p.get("licenses", []))
    year = (p.get("created") or "")[:4]
    when = f" ({year})" if year else ""
    text = (f"{authors}{when}. *{p.get('title', p['name'])}* ({p['name']}), version {p['version']} "
            f"[data set].{' Licence: ' + lic + '.' if lic else ''}")
    bib = [f"@misc{{{p['name']}-{p['version']},",
           f"  author  = {{{{{authors}}}}},",
           f"  title   = {{{p.get('title', p['name'])}}},"]
    if year:
        bib.append(f"  year    = {{{year}}},")
    bib += [f"  version = {{{p['version']}}},",
            f"  note    = {{Data package {p['name']}, version {p['version']}{', licence ' + lic if lic else ''}}},",
            "}"]
    return "\n".join([
        "Cite the version you used. Built from `datapackage.json` (name, title, version, contributors, licence):",
        "", f"> {text}", "", "```bibtex", *bib, "```", "",
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


def has_build() -> bool:
    from kachin_events.cli import cli

    return "build" in cli.commands


def quickstart_release(d: SiteData) -> str:
    if not has_build():
        return ("Releases are built by `kachin-events build`, which this version of the package does not "
                "have yet; see [Releases](releases.md).\n")
    return "\n".join([
        "```bash",
        "kachin-events validate                                  # the data must be valid first",
        f"kachin-events build --version {d.package['version']} --out releases",
        "```", "",
        f"This writes `releases/{d.package['version']}/` with the data package (`datapackage.json`), CSV and "
        "Parquet files, the exports, `CHANGELOG.md` and `SHA256SUMS`. See the "
        "[maintainer guide](maintaining.md#releasing).",
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


def precision_counts(d: SiteData) -> str:
    ev = d.tables["events"]
    dp = Counter(ev["date_precision"].to_list())
    gp = Counter(ev["geo_precision"].to_list())
    cl = Counter(ev["event_clarity"].to_list())
    dates = ", ".join(f"{code(v)} {dp[v]}" for v in d.schemas["events"].field("date_precision").enum if dp[v])
    geo = ", ".join(f"{code(v)} {gp[v]}" for v in d.schemas["events"].field("geo_precision").enum if gp[v])
    clar = ", ".join(f"{code(v)} {cl[v]}" for v in d.schemas["events"].field("event_clarity").enum if cl[v])
    return (f"- date_precision: {dates}\n- geo_precision: {geo}\n- event_clarity: {clar} "
            "(2 = aggregated: a source summarises fighting over a period)\n")


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


def tag_rows(d: SiteData, page: str, report: Report) -> str:
    rows = [[event_link(d, page, r["event_id"]), code(r["tag"]), esc(r["detail"]), fmt(r["quantity"]),
             fmt(r["quantity_qualifier"])]
            for r in d.tables["event_tags"].to_dicts() if r["event_id"] in report.event_ids]
    return markdown_table(["Event", "tag", "detail", "quantity", "quantity_qualifier"], rows) + "\n" if rows else \
        "No tags.\n"


def claims_rows(d: SiteData, page: str, report: Report) -> str:
    rows = [[event_link(d, page, r["event_id"]), esc(r["claimant"]), code(r["claimant_type"]),
             code(r["claimant_actor_id"]) if r["claimant_actor_id"] else ""]
            for r in report.link_rows]
    return markdown_table(["Event", "claimant", "claimant_type", "claimant_actor_id"], rows) + "\n"


def report_page(d: SiteData, rep: Report) -> str:
    page = rep.page
    src = next((s for s in d.tables["sources"].to_dicts() if s["source_id"] == rep.id), None)
    parts = [f"# Report {rep.id}", ""]
    if src:
        pub = src["publication_date_earliest"], src["publication_date_latest"]
        when = str(pub[0]) if pub[0] == pub[1] else f"between {pub[0]} and {pub[1]}"
        parts += [
            f"- **Publisher:** {esc(src['publisher'])} ({src['source_type']}, {src['source_scale']}, "
            f"language `{src['language']}`)",
            f"- **Title:** {esc(src['title']) if src['title'] else 'none in the copy coded from'}",
            f"- **URL:** {src['url'] if src['url'] else 'unknown (never guessed)'}",
            f"- **Published:** {when}. {esc(src['publication_date_basis'])}",
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
    rows = []
    for rep in d.reports:
        rows.append([f"[{rep.id}]({rel(page, rep.page)})", len(rep.event_ids), len(rep.link_rows),
                     "yes" if rep.coding_md else "no"])
    return "\n".join([
        "# Coding notes", "",
        "One folder under `data/reports/` per coded report: its source row, its events, the claims it "
        "records (event_sources) and the coder's notes (`CODING.md`), which explain every judgement: date "
        "windows, places, claimants, and what was deliberately not coded.", "",
        markdown_table(["Report", "Events coded", "Claims recorded", "Coder's notes"], rows),
    ]) + "\n"


# -- contributor guide ---------------------------------------------------------------------------
def templates_list(d: SiteData, page: str) -> str:
    rows = []
    for t, s in d.schemas.items():
        req = sum(f.required for f in s.fields)
        rows.append([f"[{t}.csv]({rel(page, 'csv-templates/' + t + '.csv')})", len(s.fields), req,
                     f"[codebook]({rel(page, 'codebook.md#' + t)})"])
    return markdown_table(["Template", "Columns", "Required columns", "Field definitions"], rows) + "\n"


_EXAMPLE_EVENTS = [
    {"event_id": "KE000901", "date_start": "2026-02-05", "date_end": "2026-02-03", "date_precision": "days",
     "event_type": "Battles", "sub_event_type": "Air/drone strike", "actor1": "kia", "actor2": "myanmar_military",
     "admin1_pcode": "MMR001", "admin2_pcode": "MMR001D003", "admin3_pcode": "MMR001010", "location": "Bhamo",
     "location_pcode": "MMR001010701", "latitude": "24.25493", "longitude": "97.23441", "geo_precision": "1",
     "fatalities_best": "2", "fatalities_low": "3", "fatalities_high": "", "civilian_targeting": "false",
     "event_clarity": "1",
     "notes": "A made-up event for the documentation: fighting near Bhamo Town, with figures in the wrong order."},
]
_EXAMPLE_LINKS = [
    {"event_id": "KE000901", "source_id": None, "claimant": "KIA frontline sources",
     "claimant_type": "party_source", "claimant_actor_id": ""},
]
EXAMPLE_TODAY = dt.date(2026, 3, 1)


@contextlib.contextmanager
def _cwd(path: Path):
    old = os.getcwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(old)


def validate_example(d: SiteData) -> dict:
    """Validate a made-up two-file submission with kachin-events itself; its three outputs."""
    from kachin_events.validation import validate

    source_id = d.tables["sources"]["source_id"].to_list()[-1]
    with tempfile.TemporaryDirectory() as tmp:
        sub = Path(tmp) / "submission"
        sub.mkdir()
        files = {}
        for table, rows in (("events", _EXAMPLE_EVENTS), ("event_sources", _EXAMPLE_LINKS)):
            names = d.schemas[table].field_names
            path = sub / f"{table}.csv"
            with open(path, "w", encoding="utf-8", newline="") as fh:
                w = csv.DictWriter(fh, fieldnames=names, lineterminator="\n")
                w.writeheader()
                for r in rows:
                    w.writerow({k: (source_id if k == "source_id" and v is None else v) for k, v in r.items()})
            files[table] = path.read_text(encoding="utf-8")
        with _cwd(Path(tmp)):
            report = validate("submission/events.csv", "submission/event_sources.csv", today=EXAMPLE_TODAY)
    if report.valid or not report.findings:
        raise DirectiveError("the documentation's example submission was expected to be invalid")
    return {"files": files, "text": report.to_text(), "json": report.to_json(), "github": report.to_github(),
            "exit": report.exit_code, "rules": sorted(report.rules_hit())}


def validate_example_md(d: SiteData, page: str, which: str) -> str:
    ex = d._example = getattr(d, "_example", None) or validate_example(d)
    if which == "files":
        return "\n".join(
            f'`submission/{t}.csv`:\n\n```text\n{text.rstrip()}\n```\n' for t, text in ex["files"].items())
    if which == "rules":
        return ", ".join(f"[`{r}`](#{codebook.rule_anchor(r)})" for r in ex["rules"])
    if which == "exit":
        return str(ex["exit"])
    if which not in ("text", "json", "github"):
        raise DirectiveError(f"validate-example takes files, rules, exit, text, json or github, not {which!r}")
    lang = "json" if which == "json" else "text"
    cmd = "kachin-events validate submission/events.csv submission/event_sources.csv"
    cmd += f" --today {EXAMPLE_TODAY}" + ("" if which == "text" else f" --format {which}")
    return f"```console\n$ {cmd}\n```\n\n```{lang}\n{ex[which].rstrip()}\n```\n"


# -- releases ----------------------------------------------------------------------------------
def build_release(d: SiteData) -> dict | None:
    """Build the current data with ``kachin-events build`` into a temporary folder; None without it."""
    if not has_build():
        return None
    if d._release is not None:
        return d._release
    version = d.package["version"]
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "PYTHONWARNINGS": "ignore"}
        proc = subprocess.run([sys.executable, "-m", "kachin_events", "build", "--version", version, "--out", tmp],
                              cwd=d.root, capture_output=True, text=True, env=env, check=False)
        if proc.returncode != 0:
            msg = (f"`kachin-events build --version {version}` failed (exit {proc.returncode}) while building "
                   f"the docs:\n{proc.stdout}\n{proc.stderr}")
            raise DirectiveError(msg)
        out = Path(tmp) / version
        changelog = (out / "CHANGELOG.md").read_text(encoding="utf-8") if (out / "CHANGELOG.md").is_file() else None
        sums = (out / "SHA256SUMS").read_text(encoding="utf-8") if (out / "SHA256SUMS").is_file() else ""
        files = []
        for line in sums.splitlines():
            if line.strip():
                digest, _, name = line.partition("  ")
                p = out / name.strip().lstrip("*")
                files.append((name.strip().lstrip("*"), p.stat().st_size if p.is_file() else None, digest))
        d._release = {"version": version, "changelog": changelog, "files": files,
                      "command": f"kachin-events build --version {version} --out DIR"}
    return d._release


def registry_md() -> str:
    if not has_module("registry"):
        return "No release registry in this version of the package.\n"
    from kachin_events.registry import read_registry

    entries = read_registry()["versions"]
    if not entries:
        return ("No release has been published yet: the registry shipped with the package "
                "(`kachin_events/registry.json`) lists none, so `kachin_events.versions()` returns an empty list.\n")
    rows = [[code(e["version"]), esc(e.get("created", "")), esc(e.get("base_url") or "not hosted yet"),
             len(e.get("files", {}))] for e in entries]
    return markdown_table(["Version", "Created", "Hosted at", "Files"], rows) + "\n"


def releases_md(d: SiteData) -> str:
    rel_ = build_release(d)
    parts = []
    if rel_ is None:
        parts += ["This version of the package has no release builder (`kachin-events build`), so no release "
                  f"notes can be generated. The statistics below are those of the current data (version "
                  f"{d.package['version']} in `datapackage.json`).", ""]
    else:
        parts += [f"The current data, built at documentation time with `{rel_['command']}`. Its release notes "
                  "(`CHANGELOG.md`, written by the build):", ""]
        if rel_["changelog"]:
            notes = re.sub(r"^(#{1,4}) ", lambda m: "##" + m.group(1) + " ", rel_["changelog"], flags=re.M)
            parts += ['<div class="ke-changelog" markdown>', "", notes.strip(), "", "</div>", ""]
        rows = [[code(n), "" if s is None else f"{s:,}", f"`{h[:16]}…`"] for n, s, h in rel_["files"]]
        parts += ["Files of the release, from its `SHA256SUMS`:", "",
                  markdown_table(["File", "Bytes", "SHA-256 (first 16 hex digits)"], rows), ""]
    return "\n".join(parts) + "\n"


def module_doc(name: str) -> str:
    """A module's docstring as Markdown; a note when the module does not exist (yet)."""
    if not has_module(name):
        return f"*(The module `kachin_events.{name}` is not part of this version of the package.)*\n"
    import importlib

    mod = importlib.import_module(f"kachin_events.{name}")
    return kedocs_ref.render_docstring(mod.__doc__ or "", 3)


# -- the directives ------------------------------------------------------------------------------
#: The generated figures: name -> (alt text, function(d) -> SVG bytes).
FIGURES = {
    "events-per-month": (
        "Stacked bar chart of events per month of date_start, by event type; hatched bars are events "
        "whose date is known only to a month or a year",
        lambda d: kedocs_figures.events_per_month(d.tables["events"], _types(d)),
    ),
    "events-by-township": (
        "Horizontal bar chart of events per township of Kachin State, by event type",
        lambda d: kedocs_figures.events_by_township(d.tables["events"], d.tables["locations"], _types(d)),
    ),
    "event-map": (
        "Map of the points events are coded to, over Kachin State's MIMU towns and township reference points",
        lambda d: kedocs_figures.event_map(d.tables["events"], d.tables["locations"], _bbox(), _types(d)),
    ),
}


def _types(d: SiteData) -> list[str]:
    return kedocs_figures.event_types(d.schemas["events"].field("event_type"))


def _bbox() -> dict:
    from kachin_events.rules import KACHIN_BBOX

    return KACHIN_BBOX


def _figure(d: SiteData, page: str, name: str) -> str:
    if name not in FIGURES:
        raise DirectiveError(f"unknown figure {name!r}; the figures are {', '.join(FIGURES)}")
    alt, _ = FIGURES[name]
    return f"![{alt}]({rel(page, 'figures/' + name + '.svg')}){{ .ke-figure }}\n"


def level_count(d: SiteData, level: str) -> int:
    locs = d.tables["locations"]
    if level not in d.schemas["locations"].field("level").enum:
        raise DirectiveError(f"no location level {level!r}")
    return locs.filter((locs["level"] == level) & (locs["status"] == "active")).height


def township_table(d: SiteData) -> str:
    rows = [[esc(label), sum(c.values()), ", ".join(f"{esc(t)} {n}" for t, n in c.items())]
            for label, c in kedocs_figures.township_counts(d.tables["events"], d.tables["locations"], _types(d))]
    return markdown_table(["Township (admin3_pcode)", "Events", "By event type"], rows) + "\n"


def month_table(d: SiteData) -> str:
    months, counts = kedocs_figures.monthly_counts(d.tables["events"], _types(d))
    rows = []
    for i, m in enumerate(months):
        total = sum(v[i] for v in counts.values())
        coarse = sum(v[i] for (t, c), v in counts.items() if c)
        if total:
            rows.append([m, total, coarse])
    return markdown_table(["Month of date_start", "Events", "of which dated only to a month or a year"],
                          rows) + "\n"


def map_table(d: SiteData, page: str) -> str:
    names = d.names("locations", "location_pcode", "name")
    loc = {e["event_id"]: e["location_pcode"] for e in d.events()}
    rows = []
    for g in kedocs_figures.map_groups(d.tables["events"]):
        places = sorted({f"{names.get(loc[e], loc[e])} ({code(loc[e])})" for e in g["events"]})
        rows.append([f"{fmt(g['lat'])}, {fmt(g['lon'])}", esc(g["event_type"]), g["geo_precision"],
                     "; ".join(places), ", ".join(event_link(d, page, e) for e in g["events"])])
    return markdown_table(["Point (lat, lon)", "Event type", "geo_precision", "Coded place", "Events"], rows) + "\n"


DIRECTIVES = {
    "stats-summary": lambda d, page: stats_summary(d, page),
    "who": lambda d, page: who(d),
    "citation": lambda d, page: citation(d),
    "quickstart-python": lambda d, page: quickstart_python(d),
    "quickstart-release": lambda d, page: quickstart_release(d),
    "table-counts": lambda d, page: table_counts(d),
    "events-by-type": lambda d, page: events_by_type(d),
    "precision-counts": lambda d, page: precision_counts(d),
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
    "corroboration": lambda d, page: corroboration(d, page),
    "categories": lambda d, page, t, f: categories(d, t, f),
    "templates": lambda d, page: templates_list(d, page),
    "rules-guide": lambda d, page: codebook.render_rules_guide(
        d.rules, level=3, field_href=lambda t, f: rel(page, f"codebook.md#{codebook.field_anchor(t, f)}")),
    "rule-count": lambda d, page: str(len(d.rules)),
    "validate-example": lambda d, page, which: validate_example_md(d, page, which),
    "releases": lambda d, page: releases_md(d),
    "registry": lambda d, page: registry_md(),
    "module-doc": lambda d, page, name: module_doc(name),
    "figure": lambda d, page, name: _figure(d, page, name),
    "township-table": lambda d, page: township_table(d),
    "month-table": lambda d, page: month_table(d),
    "map-table": lambda d, page: map_table(d, page),
    "version": lambda d, page: d.package["version"],
    "count": lambda d, page, table: str(d.tables[table].height),
    "level-count": lambda d, page, level: str(level_count(d, level)),
    "township-ref-count": lambda d, page: str(sum(
        1 for t in kedocs_figures.township_reference_points(d.tables["locations"]) if t["town_pcode"])),
}

_DIRECTIVE = re.compile(r"\{\{ke\s+([a-z][a-z0-9-]*)((?:\s+[^\s}]+)*)\s*\}\}")


def expand(markdown: str, page: str, d: SiteData) -> str:
    """Replace every ``{{ke NAME ARGS}}`` in a page's Markdown; raise on any that fails."""

    def one(m):
        name, args = m.group(1), m.group(2).split()
        fn = DIRECTIVES.get(name)
        if fn is None:
            raise DirectiveError(f"{page}: unknown directive {{{{ke {name}}}}}; known: {', '.join(DIRECTIVES)}")
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
        except TypeError as exc:
            raise DirectiveError(f"{page}: {{{{ke {name} {' '.join(args)}}}}}: {exc}") from None
        except (KeyError, DirectiveError) as exc:
            raise DirectiveError(f"{page}: {{{{ke {name} {' '.join(args)}}}}}: {exc}") from None

    return _DIRECTIVE.sub(one, markdown)
