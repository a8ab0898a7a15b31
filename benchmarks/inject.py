"""Recipes that break one rule in a valid synthetic row (for ``bench_scale.py``).

A recipe takes a valid event from :func:`synthetic.event_row` and its claims, and
changes them so that exactly one rule is broken, at a row it knows: it returns the rows
to write, each with the findings it must get (field, rule, severity).
:mod:`inject_files` writes them into a submission and records where they went.

Which rules need a recipe is not written here: it is read from
:data:`kachin_events.rules.RULES` (every rule of the events and event_sources tables,
and every schema-derived rule, ``"*"``) and from the Table Schemas (which constraint
kinds and which field types the two tables have). :func:`coverage` lists each rule
with its recipes, or with the reason it cannot be injected (:data:`NOT_INJECTED`); a
rule with neither is *missing*, and ``bench_scale.py`` refuses to run.

Reading the rules' own code told which change breaks only the intended rule. For
example, a date in the future needs "today" before the cited source's publication, so
the run's ``today`` is the day before that source's latest publication date, and the
generated events end on or before it; a second, earlier source gives
date-after-publication and possible-duplicate. Nothing here is timed.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import synthetic
from kachin_events import get_schema
from kachin_events.rules import BORDER_WARNING_KM, RULES
from kachin_events.validation.limits import MAX_CELL_CHARS

TABLES = ("events", "event_sources")
FILES = {"events": "events.csv", "event_sources": "event_sources.csv"}
#: Event ids: KE and this many digits (checked against the schema's pattern).
ID_DIGITS = 6
#: A value of each field type that is not of that type.
BAD_TYPE = {"date": "2024-02-30", "number": "north", "integer": "2.5", "boolean": "yes"}
#: The text added to a valid row's notes before a broken row: a quoted line break.
SECOND_LINE = "\nA second line of notes, inside the quoted cell."
BLANK = None  # an empty line in the file (the blank-row recipe)

#: Rules that no row of a contributed events or event_sources file can break alone.
NOT_INJECTED = {
    "unreadable": "about a whole file (it cannot be read): no row of a readable file has it",
    "empty-file": "about a whole file (no header): the submission would have no rows",
    "missing-column": "about a file's header: a missing column changes every row",
    "unknown-column": "about a file's header: an extra column changes every row",
    "duplicate-column": "about a file's header: a doubled column changes every row",
    "column-order": "about a file's header (a warning on the whole file), not a row",
    "table-name": "about a file's name, not a row; the files are named after their tables",
    "workbook-formula": "about workbook cells; the benchmark writes CSV files",
    "engine-error": "a bug in kachin-events, not a property of data",
    "unlisted-file": "about the repository's data folder, not a contributed file",
    "coding-notes": "about the repository's report folders, not a contributed file",
    "descriptor": "about a datapackage.json and its Table Schemas, not a contributed file",
    "column-name": "about a file's header spelling (a warning on the header), not a row",
    "title-row": "about rows above a file's header, not a data row; the files start with their header",
    "instruction-sheet": "about workbook sheets; the benchmark writes CSV files",
    "base-removed": "needs --base (a git ref or release); this benchmark validates without one",
    "base-id-reused": "needs --base (a git ref or release); this benchmark validates without one",
    "base-uncorrected-edit": "needs --base (a git ref or release); this benchmark validates without one",
}


# -- what the recipes draw on, read from the reference package -------------------------
@dataclass
class Scenario:
    ref: synthetic.Reference
    today: dt.date                      # the run's --today: the generated events end by it
    fields: dict                        # table -> field names, in schema order
    early_source: tuple | None          # (source_id, publication_date_latest) before today
    locations: dict                     # location_pcode -> row (strings)
    repo_events: list                   # the repository's event rows (strings), for primary-key
    used_ids: set                       # event ids of the repository (events and retractions)
    names: set                          # lower-cased place names and aliases
    rule_inputs: dict                   # table -> fields some cross-field rule reads


def _read_resource(package: Path, name: str) -> list[dict]:
    meta = json.loads(package.read_text(encoding="utf-8"))
    res = next((r for r in meta["resources"] if r["name"] == name), None)
    paths = [] if res is None else ([res["path"]] if isinstance(res["path"], str) else res["path"])
    rows = []
    for p in paths:
        with open(package.parent / p, newline="", encoding="utf-8") as fh:
            rows += list(csv.DictReader(fh))
    return rows


def load_scenario(package: Path = synthetic.PACKAGE) -> Scenario:
    ref = synthetic.load_reference(package)
    # "Today" is the day before the cited source's latest publication date: an event may
    # then end after today (date-future) and still not after its source (date-after-publication).
    today = ref.source_latest - dt.timedelta(days=1)
    sources = [(r["source_id"], dt.date.fromisoformat(r["publication_date_latest"]))
               for r in _read_resource(package, "sources")
               if r["source_id"] != synthetic.SOURCE and r["publication_date_latest"]]
    earlier = sorted((s for s in sources if s[1] < today), key=lambda s: (s[1], s[0]))
    locations = {r["location_pcode"]: r for r in _read_resource(package, "locations")}
    names = {r["name"].strip().lower() for r in locations.values() if r["name"]}
    names |= {r["alias"].strip().lower() for r in _read_resource(package, "location_aliases") if r.get("alias")}
    repo_events = _read_resource(package, "events")
    used = {r["event_id"] for r in repo_events} | {r["event_id"] for r in _read_resource(package, "retractions")}
    inputs = {t: {f for r in RULES if r.table == t for f in r.inputs} for t in TABLES}
    return Scenario(ref=ref, today=today, fields={t: get_schema(t).field_names for t in TABLES},
                    early_source=earlier[-1] if earlier else None, locations=locations,
                    repo_events=repo_events, used_ids=used, names=names, rule_inputs=inputs)


# -- recipes -----------------------------------------------------------------------------
@dataclass
class Out:
    """One written row: ``row`` is a dict (schema order), a list (raw cells) or BLANK;
    ``expect`` the (field, rule, severity) findings it must get."""

    row: object
    expect: list = field(default_factory=list)


@dataclass(frozen=True)
class Recipe:
    name: str            # unique, e.g. "type-date"
    rule: str
    table: str           # the table whose row gets the finding
    field: str | None
    what: str            # how the valid row is broken
    apply: Callable      # (scenario, event, links, ids) -> (events Outs, links Outs)
    fresh_id: bool = True  # the row gets a new id (False: it reuses one, or has none)
    records: int = 1     # events records written

    @property
    def severity(self) -> str:
        return _severity(self.rule)


def _severity(rule: str) -> str:
    return next(r.severity for r in RULES if r.id == rule)


def _exp(recipe_field, rule):
    return (recipe_field, rule, _severity(rule))


def _one(table: str, fld: str | None, rule: str, change: Callable) -> Callable:
    """A recipe that changes the event (table events) or its first claim (event_sources)."""
    def apply(sc, ev, links, ids):
        target = ev if table == "events" else links[0]
        change(sc, target, ev, links)
        ev_out = Out(ev, [_exp(fld, rule)] if table == "events" else [])
        link_outs = [Out(l, [_exp(fld, rule)] if (table == "event_sources" and i == 0) else [])
                     for i, l in enumerate(links)]
        return [ev_out], link_outs
    return apply


def _set(**values) -> Callable:
    def change(sc, target, ev, links):
        target.update({k: v(sc, ev) if callable(v) else v for k, v in values.items()})
    return change


def _day(d: dt.date) -> dict:
    return {"date_precision": "day", "date_start": d.isoformat(), "date_end": d.isoformat()}


def _other_town(sc, ev):
    """A town in another township than the event's (location-in-admin)."""
    return next(t for t in sc.ref.towns if t[2] != ev["admin3_pcode"])


def _point(sc, ev, lo_km: float, hi_km: float, in_state: bool):
    """A point from the event's own, stepping out, lo_km < distance to its township <= hi_km."""
    import numpy as np

    from kachin_events import geometry

    lat0, lon0 = float(ev["latitude"]), float(ev["longitude"])
    steps = np.arange(1, 400) * 0.01
    dirs = [(1, 0), (0, 1), (-1, 0), (0, -1), (1, 1), (-1, 1), (-1, -1), (1, -1)]
    for dy, dx in dirs:
        lats = np.round(lat0 + dy * steps, 5)
        lons = np.round(lon0 + dx * steps, 5)
        d = geometry.distance_to_township_km(lats, lons, [ev["admin3_pcode"]] * len(lats))
        inside = geometry.in_state(lats, lons)
        ok = np.flatnonzero((d > lo_km) & (d <= hi_km) & (inside == in_state))
        if len(ok):
            i = ok[0]
            return f"{lats[i]:.5f}", f"{lons[i]:.5f}"
    raise SystemExit(f"no point {lo_km}-{hi_km} km from township {ev['admin3_pcode']} found")


def _no_fatalities(ev):
    ev.update(fatalities_low="", fatalities_best="", fatalities_high="")


def _claim_figures(low, high, side):
    def change(sc, target, ev, links):
        _no_fatalities(ev)  # the event's own figure cannot then fall outside the claims
        target.update(claimed_fatalities_low=low, claimed_fatalities_high=high, claimed_fatalities_side=side)
    return change


def _apply_pk_repo(sc, ev, links, ids):
    # An exact copy of a repository event: every other rule judges it as the repository's row.
    row = _repo_event(sc)
    return [Out(dict(row), [_exp("event_id", "primary-key")])], []


def _repo_event(sc):
    """A repository event that ends by --today (a copy of it breaks no date rule)."""
    return next((r for r in sc.repo_events if r["date_end"] and dt.date.fromisoformat(r["date_end"]) <= sc.today),
                None)


def _apply_pk_dup(sc, ev, links, ids):
    prev = ids.previous  # the valid row written just before: same id, same everything
    return [Out(dict(prev), [_exp("event_id", "primary-key")])], []


def _apply_pk_link(sc, ev, links, ids):
    outs = [Out(l) for l in links] + [Out(dict(links[0]), [_exp("event_id", "primary-key")])]
    return [Out(ev)], outs


def _apply_fk_event(sc, ev, links, ids):
    ghost = dict(links[0], event_id=ids.take())  # an id no event has
    return [Out(ev)], [Out(l) for l in links] + [Out(ghost, [_exp("event_id", "foreign-key")])]


def _apply_no_source(sc, ev, links, ids):
    return [Out(ev, [_exp("event_id", "event-has-source")])], []


def _apply_blank(sc, ev, links, ids):
    return [Out(BLANK, [_exp(None, "blank-row")]), Out(ev)], [Out(l) for l in links]


def _apply_extra_cells(sc, ev, links, ids):
    cells = [ev[f] for f in sc.fields["events"]] + ["an extra cell"]
    return [Out(cells, [_exp(None, "extra-cells")])], [Out(l) for l in links]


def _apply_after_publication(sc, ev, links, ids):
    source, latest = sc.early_source
    ev.update(_day(latest + dt.timedelta(days=1)))
    for link in links:
        link["source_id"] = source
    return [Out(ev, [_exp("date_end", "date-after-publication")])], [Out(l) for l in links]


def _apply_possible_duplicate(sc, ev, links, ids):
    # Two events alike but from different sources, ending by the earlier source's date.
    source, latest = sc.early_source
    ev.update(_day(latest - dt.timedelta(days=1)))
    twin = dict(ev, event_id=ids.take())
    twin_link = dict(links[0], event_id=twin["event_id"], source_id=source)
    warn = [_exp("event_id", "possible-duplicate")]
    return [Out(ev, warn), Out(twin, list(warn))], [Out(l) for l in links] + [Out(twin_link)]


def _apply_pattern_id(sc, ev, links, ids):
    # A digit short, a new one each time; with no claims (event-has-source is not
    # judged on a broken id).
    ids.short += 1
    ev["event_id"] = f"KE{ids.short:0{ID_DIGITS - 1}d}"
    return [Out(ev, [_exp("event_id", "pattern")])], []


def _unknown_name(sc):
    base = "Unnamed place"
    k = 0
    while f"{base} {k}".lower() in sc.names:
        k += 1
    return f"{base} {k}"


def _ambiguous_name(sc):
    active = {}
    for r in sc.locations.values():
        if r["status"] == "active" and r["name"]:
            active.setdefault(r["name"].strip().lower(), []).append(r["name"])
    shared = sorted(n for n, v in active.items() if len(v) > 1)
    return active[shared[0]][0] if shared else None


def _state_code(sc):
    return next((c for c, r in sc.locations.items()
                 if r["level"] == "state" and not r["admin2_pcode"] and not r["admin3_pcode"]), None)


def _other_district(sc, ev):
    return next(c for c, r in sorted(sc.locations.items())
                if r["level"] == "district" and r["status"] == "active" and c != ev["admin2_pcode"])


def _inactive_place(sc):
    """An inactive place in the township of a generated town, and that town."""
    for code, r in sorted(sc.locations.items()):
        if r["status"] == "active":
            continue
        town = next((t for t in sc.ref.towns if t[1] == r["admin2_pcode"] and t[2] == r["admin3_pcode"]), None)
        if town:
            return code, town
    return None


def _with_town(ev, town):
    a1, a2, a3, pcode, name, lat, lon = town
    ev.update(admin1_pcode=a1, admin2_pcode=a2, admin3_pcode=a3, location=name, location_pcode=pcode,
              latitude=f"{lat:.5f}", longitude=f"{lon:.5f}")


def _unknown_code(taken, stem: str, width: int = 0) -> str:
    """``stem`` and a number (``width`` digits, counting down from the largest), not in ``taken``."""
    numbers = range(10 ** width - 1, -1, -1) if width else range(1, 10 ** 6)
    return next(c for c in (f"{stem}{k:0{width}d}" for k in numbers) if c not in taken)


def _one_change(rule: str, table: str, fld: str | None, what: str, change: Callable, name: str | None = None) -> Recipe:
    return Recipe(name or rule, rule, table, fld, what, _one(table, fld, rule, change))


def _cross_field(sc: Scenario) -> tuple[list[Recipe], dict]:
    """A recipe for each cross-field rule it can break alone; else the reason."""
    from kachin_events.geometry import TOLERANCE_KM

    out, why = [], {}
    day = dt.timedelta(days=1)
    iso = dt.date.fromisoformat
    sub_parent = dict((s, t) for t, s in sc.ref.sub_types)
    types = sorted({t for t, _ in sc.ref.sub_types})
    R = _one_change
    out += [
        R("date-order", "events", "date_end", "date_end one day before date_start",
          _set(date_start=lambda sc, ev: ev["date_end"],
               date_end=lambda sc, ev: (iso(ev["date_end"]) - day).isoformat())),
        R("date-precision-span", "events", "date_precision", "precision day over a three-day range",
          _set(date_precision="day", date_start=lambda sc, ev: (iso(ev["date_end"]) - 2 * day).isoformat())),
        R("date-future", "events", "date_end", "one day ending the day after --today (before its source)",
          lambda sc, t, ev, links: ev.update(_day(sc.today + day))),
        R("sub-event-type", "events", "sub_event_type", "event_type of another family than sub_event_type",
          _set(event_type=lambda sc, ev: next(t for t in types if t != sub_parent[ev["sub_event_type"]]))),
        R("fatalities-order", "events", "fatalities_best", "low 5, best 3, high 10",
          _set(fatalities_low="5", fatalities_best="3", fatalities_high="10")),
        R("fatalities-best", "events", "fatalities_best", "low 1 and high 5 with no best figure",
          _set(fatalities_low="1", fatalities_best="", fatalities_high="5")),
        R("coords-in-kachin", "events", "latitude", f"a point outside Kachin, over {BORDER_WARNING_KM + 1:g} km from its township",
          lambda sc, t, ev, links: ev.update(zip(("latitude", "longitude"),
                                                 _point(sc, ev, BORDER_WARNING_KM + 1, float("inf"), False)))),
        R("coords-in-township", "events", "admin3_pcode", f"a point in Kachin over {BORDER_WARNING_KM + 1:g} km from its township",
          lambda sc, t, ev, links: ev.update(zip(("latitude", "longitude"),
                                                 _point(sc, ev, BORDER_WARNING_KM + 1, float("inf"), True)))),
        R("coords-township-border", "events", "admin3_pcode",
          f"a point {TOLERANCE_KM + 0.5:g}-{BORDER_WARNING_KM - 1:g} km outside its township, in Kachin",
          lambda sc, t, ev, links: ev.update(zip(("latitude", "longitude"),
                                                 _point(sc, ev, TOLERANCE_KM + 0.5, BORDER_WARNING_KM - 1, True)))),
        R("location-in-admin", "events", "location_pcode", "location_pcode a town of another township",
          _set(location_pcode=lambda sc, ev: _other_town(sc, ev)[3])),
        R("actor-distinct", "events", "actor2", "actor2 the same as actor1",
          _set(actor2=lambda sc, ev: ev["actor1"])),
        Recipe("event-has-source", "event-has-source", "events", "event_id", "an event with no event_sources row",
               _apply_no_source),
        R("claims-span", "events", "fatalities_best", "best 50 where the only claim gives 10 to 20 deaths",
          lambda sc, t, ev, links: (ev.update(fatalities_low="40", fatalities_best="50", fatalities_high="60"),
                                    links[0].update(claimed_fatalities_low="10", claimed_fatalities_high="20",
                                                    claimed_fatalities_side="all"))),
        R("claimant-actor", "event_sources", "claimant_actor_id", "the outlet's claim naming an actor",
          _set(claimant_actor_id=lambda sc, ev: ev["actor1"])),
        R("claim-fatalities-order", "event_sources", "claimed_fatalities_high", "claimed low 10, high 5",
          _claim_figures("10", "5", "all")),
        R("claim-fatalities-side", "event_sources", "claimed_fatalities_side", "claimed figures with no side",
          _claim_figures("3", "5", "")),
    ]
    state = _state_code(sc)
    if state:
        out.append(R("admin-hierarchy", "events", "admin3_pcode",
                     "admin2_pcode another district than the township's (the place: the whole state)",
                     _set(location_pcode=state, geo_precision="3", admin2_pcode=_other_district)))
    else:
        why["admin-hierarchy"] = "the gazetteer has no state row without district and township codes to place the event at"
    inactive = _inactive_place(sc)
    if inactive:
        code, town = inactive
        out.append(R("location-inactive", "events", "location_pcode", f"location_pcode an inactive place ({code})",
                     lambda sc, t, ev, links: (_with_town(ev, town), ev.update(location_pcode=code))))
    else:
        why["location-inactive"] = "the gazetteer has no inactive place in the township of an active town"
    if any(r["level"] == "township" for r in sc.locations.values()):
        out.append(R("geo-precision-level", "events", "geo_precision", "geo_precision 1 at the township's own code",
                     _set(location_pcode=lambda sc, ev: ev["admin3_pcode"], geo_precision="1")))
    else:
        why["geo-precision-level"] = "the gazetteer has no township rows"
    reg_types = [v for v in get_schema("event_sources").field("claimant_type").enum
                 if not v.startswith("party_") and v not in ("unknown", sc.ref.outlet["claimant_type"])]
    if reg_types:
        out.append(R("claimant-registry", "event_sources", "claimant_type",
                     f"the outlet's claim typed {reg_types[0]!r}, not as the registry says",
                     _set(claimant_type=reg_types[0])))
    else:
        why["claimant-registry"] = "claimant_type has no other non-party value than the outlet's"
    if sc.early_source:
        src = sc.early_source[0]
        out.append(Recipe("date-after-publication", "date-after-publication", "events", "date_end",
                          f"one day after the latest publication of its only source ({src})", _apply_after_publication))
        out.append(Recipe("possible-duplicate", "possible-duplicate", "events", "event_id",
                          f"two alike events, the second from another source ({src})", _apply_possible_duplicate,
                          records=2))
    else:
        for rule in ("date-after-publication", "possible-duplicate"):
            why[rule] = "the reference package has no second source published before --today"
    return out, why


# -- schema-derived recipes: which fields and kinds the schemas have decides which --------
_CONSTRAINT_RULE = {"required": "required", "enum": "enum", "pattern": "pattern", "minimum": "minimum",
                    "maximum": "maximum", "minLength": "min-length", "unique": "unique"}


def _pick(sc: Scenario, table: str, fields: list) -> object:
    """The field whose breakage touches least else: no rule reads it, no key, optional."""
    ts = get_schema(table)
    fks = {f for fk in ts.foreign_keys for f in fk["fields"]}
    order = {f.name: i for i, f in enumerate(ts.fields)}
    return min(fields, key=lambda f: (f.name in sc.rule_inputs[table], f.name in ts.primary_key,
                                      f.name in fks, bool(f.constraints.get("required")), order[f.name]))


def _bad_constraint_value(rule: str, f) -> str | None:
    c = f.constraints
    if rule == "required":
        return ""
    if rule == "enum":
        values = [str(v) for v in c["enum"]]
        if f.type == "integer":
            return str(max(int(v) for v in values) + 1)
        wrong = values[0].upper() if values[0].upper() not in values else values[0] + "x"
        return wrong
    if rule == "minimum" and f.type in ("integer", "number"):
        return str(c["minimum"] - 1)
    if rule == "maximum" and f.type in ("integer", "number"):
        return str(c["maximum"] + 1)
    if rule == "min-length":
        return "x" * (c["minLength"] - 1)
    return None


def _schema_derived(sc: Scenario) -> tuple[list[Recipe], dict, list]:
    """Recipes for the schema's constraints, per table; (recipes, reasons, units needed)."""
    out, why, units = [], {}, []
    for table in TABLES:
        ts = get_schema(table)
        for kind in sorted({f.type for f in ts.fields} - {"string", "any"}):
            unit = f"type:{table}:{kind}"
            units.append(unit)
            if kind not in BAD_TYPE:
                continue  # a missing unit: no value known that is not of this type
            f = _pick(sc, table, [x for x in ts.fields if x.type == kind])
            out.append(_one_change("type", table, f.name, f"{f.name} = {BAD_TYPE[kind]!r} (not of type {kind})",
                                   _set(**{f.name: BAD_TYPE[kind]}), name=f"type-{table}-{kind}"))
        for key, rule in _CONSTRAINT_RULE.items():
            # (0 is a real minimum: compare with False and None by identity)
            having = [f for f in ts.fields if f.constraints.get(key) is not None and f.constraints.get(key) is not False]
            if rule == "unique":
                having = [f for f in having if list(ts.primary_key) != [f.name]]
            if not having:
                continue
            units.append(f"{rule}:{table}")
            if rule in ("pattern", "unique"):
                continue  # pattern: below, per table; unique: no recipe (no such field today)
            candidates = [f for f in having if _bad_constraint_value(rule, f) is not None]
            if not candidates:
                continue
            f = _pick(sc, table, candidates)
            value = _bad_constraint_value(rule, f)
            out.append(_one_change(rule, table, f.name, f"{f.name} = {value!r}", _set(**{f.name: value}),
                                   name=f"{rule}-{table}"))
        units += [f"primary-key:{table}", f"foreign-key:{table}"]
    # Patterns, primary and foreign keys: chosen per table (which value breaks only one rule).
    actors = set(sc.ref.actors)
    site = _unknown_code(set(sc.locations), "KES", 3)
    if not re.fullmatch(get_schema("events").field("location_pcode").constraints["pattern"], site):
        raise SystemExit(f"the unknown site code {site!r} no longer matches location_pcode's pattern")
    out += [
        Recipe("pattern-events", "pattern", "events", "event_id", "event_id a digit short, with no claims",
               _apply_pattern_id, fresh_id=False),
        _one_change("pattern", "event_sources", "source_id", "source_id in capitals",
                    _set(source_id=lambda sc, ev: synthetic.SOURCE.upper()), name="pattern-event_sources"),
        Recipe("primary-key-events", "primary-key", "events", "event_id", "a copy of the row before",
               _apply_pk_dup, fresh_id=False),
        Recipe("primary-key-event_sources", "primary-key", "event_sources", "event_id",
               "a claim written twice", _apply_pk_link),
        _one_change("foreign-key", "events", "actor2", "actor2 an actor id not in the actors table",
                    _set(actor2=_unknown_code(actors, "no_such_actor_")), name="foreign-key-actor"),
        _one_change("foreign-key", "events", "location_pcode", "location_pcode a site code not in the gazetteer",
                    _set(location_pcode=site), name="foreign-key-location"),
        Recipe("foreign-key-event_sources", "foreign-key", "event_sources", "event_id",
               "a claim of an event id that no event has", _apply_fk_event),
    ]
    if _repo_event(sc):
        out.append(Recipe("primary-key-repository", "primary-key", "events", "event_id",
                          "a copy of a repository event (its id is taken)", _apply_pk_repo, fresh_id=False))
    return out, why, units


def _other_rules(sc: Scenario) -> tuple[list[Recipe], dict]:
    """Rules of every table (``"*"``) that one row can break: structure and names."""
    out, why = [
        Recipe("blank-row", "blank-row", "events", None, "an empty line before a valid row", _apply_blank),
        Recipe("extra-cells", "extra-cells", "events", None, "one cell more than the header", _apply_extra_cells),
        _one_change("invisible-character", "events", "notes", "a zero-width space inside notes",
                    _set(notes=lambda sc, ev: (ev["notes"] or "Reported") + "\u200b.")),
        _one_change("zawgyi", "events", "notes", "notes in Burmese typed in the Zawgyi encoding",
                    _set(notes="\u1017\u1014\u1039\u1038\u1031\u1019\u102c\u1039\u1019\u103d\u102c "
                               "\u1010\u102d\u102f\u1000\u1039\u1015\u103c\u1032\u1019\u103a\u102c\u1038")),
        _one_change("personal-data", "events", "notes", "notes giving a witness's phone number",
                    _set(notes=lambda sc, ev: (ev["notes"] or "Reported") + " A witness can be called on 09 421 234 567.")),
        _one_change("not-nfc", "events", "notes", "notes with an accent typed as a separate mark (not NFC)",
                    _set(notes=lambda sc, ev: (ev["notes"] or "Reported") + " Quoted from a re\u0301sume\u0301.")),
        _one_change("cell-too-long", "events", "notes", "notes longer than the cell limit (a document pasted in)",
                    _set(notes=lambda sc, ev: "Pasted report. " * (MAX_CELL_CHARS // 15 + 1))),
        _one_change("formula-cell", "events", "notes", "notes beginning with '=' (a spreadsheet formula)",
                    _set(notes='=HYPERLINK("http://example.invalid","the full report is here")')),
        _one_change("unknown-name", "events", "location", "location a name not in the gazetteer, no location_pcode",
                    _set(location=_unknown_name(sc), location_pcode="")),
    ], {}
    name = _ambiguous_name(sc)
    if name:
        out.append(_one_change("ambiguous-name", "events", "location",
                               f"location {name!r} (several active places), no location_pcode",
                               _set(location=name, location_pcode="")))
    else:
        why["ambiguous-name"] = "no name is shared by two active places of the gazetteer"
    return out, why


def recipes(sc: Scenario) -> list[Recipe]:
    return coverage(sc)["recipes"]


def coverage(sc: Scenario) -> dict:
    """Every rule of the two tables and every kind the schemas have: recipes, or why none.

    Returns a dict: ``recipes`` (the list), ``units`` (one per rule, per table and
    constraint, per table and field type: the recipes covering it, or the reason
    there is none) and ``missing`` (units with neither).
    """
    cross, why1 = _cross_field(sc)
    schema, why2, schema_units = _schema_derived(sc)
    other, why3 = _other_rules(sc)
    all_recipes = cross + schema + other
    names = [r.name for r in all_recipes]
    if len(set(names)) != len(names):
        raise SystemExit(f"two recipes share a name: {sorted(n for n in names if names.count(n) > 1)}")
    reasons = {**NOT_INJECTED, **why1, **why2, **why3}
    units = []
    for rule in RULES:
        if rule.table not in (*TABLES, "*"):
            continue
        units.append(_unit(rule.id, rule.id, [r for r in all_recipes if r.rule == rule.id], reasons.get(rule.id)))
    if not any(u.startswith("unique:") for u in schema_units):
        for u in units:
            if u["unit"] == "unique" and not u["recipes"]:
                u["reason"] = ("no field of events or event_sources is unique besides a one-field primary key "
                               "(a repeated event_id is a primary-key finding)")
    for unit in schema_units:
        rule, table, *kind = unit.split(":")
        got = [r for r in all_recipes if r.rule == rule and r.table == table
               and (not kind or r.name == f"type-{table}-{kind[0]}")]
        units.append(_unit(unit, rule, got, None))
    missing = [u["unit"] for u in units if not u["recipes"] and not u["reason"]]
    return {"recipes": all_recipes, "units": units, "missing": missing}


def _unit(unit, rule, got, reason):
    return {"unit": unit, "rule": rule, "recipes": [r.name for r in got], "reason": None if got else reason}
