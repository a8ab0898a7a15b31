"""Turning rows of another dataset, already read into our terms (:class:`Parsed`), into the
tables of a submission: places from the point, actors through the alias list, sources
and claims deduplicated, and one link per event.

The layout modules (:mod:`.acled`, :mod:`.ucdp`) read their files into :class:`Parsed`
rows; :class:`Assembler` does the rest, the same way for both.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass, field

from ..gazetteer import STATE_PCODE, _norm
from .common import ImportSummary
from .reference import Reference

#: The claims in this table are the dataset's (its death figures) or an outlet's (no figures).
OUTLET, INDEPENDENT = "outlet", "independent"


@dataclass
class Outlet:
    """One source a row cites: an outlet (ACLED) or an article entry (UCDP)."""

    publisher: str
    source_id: str
    title: str | None = None
    earliest: dt.date | None = None  # stated publication dates, when the row gives them
    latest: dt.date | None = None
    basis: str | None = None
    scale: str | None = None


@dataclass
class Origin:
    """The dataset a run imports from, and how it is named as a source and a claimant."""

    dataset: str            # external_events.dataset
    version: str            # external_events.dataset_version
    label: str              # ACLED, UCDP
    publisher: str
    claimant_id: str
    claimant_role: str
    source_notes: str
    undated_basis: str      # sources.publication_date_basis for a source the row gives no date for


@dataclass
class Parsed:
    """One row of another dataset in our terms, before places, actors and sources are looked up."""

    line: int
    external_id: str
    date_start: dt.date
    date_end: dt.date
    date_precision: str
    event_type: str
    sub_event_type: str
    actor1: str
    actor2: str | None
    latitude: float
    longitude: float
    geo_precision: int
    admin_known: str                     # township, district, state, or named (by place_names)
    event_clarity: int
    notes: str
    assoc: list[tuple[str, int]] = field(default_factory=list)
    inter: dict[int, int | None] = field(default_factory=dict)
    admin_names: dict[str, str | None] = field(default_factory=dict)
    place_names: list[str] = field(default_factory=list)
    location: str | None = None
    fatalities: tuple = (None, None, None)
    claim: tuple | None = None           # the dataset's (low, high) claimed figures
    civilian_targeting: bool | None = None
    outlets: list[Outlet] = field(default_factory=list)
    link_note: str | None = None
    tags: list[dict] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def slug(text: str, sep: str = "-", limit: int = 40) -> str:
    """Lower-case ASCII words joined by ``sep`` (for source and claimant ids).

    Examples
    --------
    >>> slug("The Irrawaddy (English)"), slug("Kachin News Group", "_")
    ('the-irrawaddy-english', 'kachin_news_group')
    """
    words = re.findall(r"[a-z0-9]+", text.casefold().encode("ascii", "ignore").decode())
    out = sep.join(words)[:limit].strip(sep)
    return out


def entry_key(text: str) -> str:
    """A short stable hash of a source entry (case and spacing ignored)."""
    return hashlib.sha1(_norm(text).encode("utf-8")).hexdigest()[:8]


def temporary_id(dataset: str, external_id: str) -> str:
    """The id an imported event carries until ``kachin-events add`` gives it one.

    It never looks like one of our ids (KE and a digit), so add and validate treat it
    as temporary (see :mod:`kachin_events.contrib.ids`).

    Examples
    --------
    >>> temporary_id("acled", "KE000001"), temporary_id("ucdp_ged", "12 3")
    ('acled-KE000001', 'ucdp_ged-12-3')
    """
    return f"{dataset}-{re.sub(r'[^A-Za-z0-9._:-]+', '-', external_id)}"


def dataset_source_id(label: str, version: str) -> str:
    """The id of the source standing for a dataset release (and of the report folder ``add`` makes).

    Examples
    --------
    >>> dataset_source_id("UCDP", "UCDP GED 25.1"), dataset_source_id("ACLED", "export of 2026-11-20")
    ('ucdp-ged-25-1', 'acled-export-of-2026-11-20')
    """
    prefix = slug(label)
    base = slug(version, limit=60) or "data"
    return base if base.startswith(prefix) else f"{prefix}-{base}"


class Assembler:
    """Builds the submission's tables from :class:`Parsed` rows, recording what it did in ``summary``."""

    def __init__(self, ref: Reference, origin: Origin, summary: ImportSummary, today: dt.date):
        from ..contrib.add import ACCEPTED

        self.ref, self.origin, self.summary, self.today = ref, origin, summary, today
        self.tables: dict[str, list[dict]] = {t: [] for t in ACCEPTED}
        self._sources: dict[str, dict] = {}       # new source rows by id
        self._cited: dict[str, list[str]] = {}    # source id -> external ids citing it
        self._claimants: dict[str, dict] = {}     # new claimant rows by id
        self._claimant_of: dict[str, str] = {}    # normalised publisher -> claimant id
        self._new_events: list[dict] = []

    # -- reporting ------------------------------------------------------------------
    def unmapped(self, line: int, external_id: str | None, reason: str, message: str) -> None:
        self.summary.unmapped.append({"row": line, "external_id": external_id, "reason": reason, "message": message})

    def warn(self, line: int, external_id: str | None, message: str) -> None:
        self.summary.warnings.append({"row": line, "external_id": external_id, "message": message})

    # -- the whole ------------------------------------------------------------------
    def add(self, rows: list[Parsed]) -> None:
        """Place, match and write every row (one vectorised township lookup for all)."""
        from ..geometry import TOLERANCE_KM, locate_points

        located = locate_points([p.latitude for p in rows], [p.longitude for p in rows], TOLERANCE_KM) if rows else []
        for p, loc in zip(rows, located):
            self._row(p, loc)

    def finish(self) -> dict[str, list[dict]]:
        """Add the dataset's source, the sources and claimants; find candidate links."""
        events = self.tables["events"]
        if events:
            self._dataset_source(max(dt.date.fromisoformat(e["date_end"]) for e in events))
        for sid, row in self._sources.items():
            ids = self._cited[sid]
            shown = ", ".join(ids[:5]) + (f" and {len(ids) - 5} more" if len(ids) > 5 else "")
            row["notes"] = (f"{row['notes']} Cited by {self.origin.version} for its event{'s' * (len(ids) > 1)} "
                            f"{shown}.").strip()
            self.tables["sources"].append(row)
        self.tables["claimants"] = list(self._claimants.values())
        by_id = {e["event_id"]: e for e in self.summary.imported}
        for new, ours in self.ref.candidate_links(self._new_events):
            e = by_id[new]
            why = ("same township (or district), overlapping dates, the same event type and the same actors "
                   "(an actor and its parent organisation count as one)")
            self.summary.candidate_links.append({**e, "candidate": ours, "why": why})
        return self.tables

    # -- one row --------------------------------------------------------------------
    def _row(self, p: Parsed, loc: dict | None) -> None:
        ext = p.external_id
        if loc is None:
            msg = (f"the point {p.latitude}, {p.longitude} lies in Kachin State but in no township polygon "
                   "(a gap between MIMU's polygons); check the coordinates")
            self.unmapped(p.line, ext, "place", msg)
            return
        ids, problems = {1: None, 2: None}, []
        for side, name in ((1, p.actor1), (2, p.actor2)):
            if name is not None:
                ids[side], why = self.ref.match_actor(name)
                if ids[side] is None:
                    self.summary.actors_not_matched[name] += 1
                    problems.append(f"actor{side} {why}")
        if problems:
            msg = (f"{'; '.join(problems)}; add the name to data/actor_aliases.csv (for an actor of "
                   "data/actors.csv) and import again")
            self.unmapped(p.line, ext, "actor", msg)
            return
        if ids[1] == ids[2]:
            msg = (f"actor1 {p.actor1!r} and actor2 {p.actor2!r} are both our actor {ids[1]}; an event needs two "
                   "different actors (or none as actor2)")
            self.unmapped(p.line, ext, "same-actor", msg)
            return
        for o in p.outlets:
            if o.latest is not None and o.latest < p.date_end:
                msg = (f"the source {o.publisher!r} is dated {o.latest}, before the event's latest day {p.date_end}; "
                       "one of the two dates is wrong")
                self.unmapped(p.line, ext, "source-date", msg)
                return
        event_id = temporary_id(self.origin.dataset, ext)
        for message in p.warnings:
            self.warn(p.line, ext, message)
        for side in (1, 2):
            have = self.ref.actors[ids[side]]["acled_inter"] if ids[side] else None
            if p.inter.get(side) is not None and have is not None and p.inter[side] != have:
                msg = f"inter{side} is {p.inter[side]}, but our actor {ids[side]} has acled_inter {have}"
                self.warn(p.line, ext, msg)
        admin2, admin3, pcode = self._place(p, loc)
        event = {
            "event_id": event_id, "date_start": p.date_start.isoformat(), "date_end": p.date_end.isoformat(),
            "date_precision": p.date_precision, "event_type": p.event_type, "sub_event_type": p.sub_event_type,
            "actor1": ids[1], "actor2": ids[2], "admin1_pcode": STATE_PCODE, "admin2_pcode": admin2,
            "admin3_pcode": admin3, "location": p.location or self.ref.places[pcode]["name"], "location_pcode": pcode,
            "latitude": p.latitude, "longitude": p.longitude, "geo_precision": p.geo_precision,
            "fatalities_best": p.fatalities[1], "fatalities_low": p.fatalities[0], "fatalities_high": p.fatalities[2],
            "civilian_targeting": p.civilian_targeting, "event_clarity": p.event_clarity, "notes": p.notes,
        }
        self.tables["events"].append(event)
        self._new_events.append({**event, "date_start": p.date_start, "date_end": p.date_end})
        self._actors(p, event_id, ids)
        self._claims(p, event_id)
        self.tables["event_tags"] += [{**t, "event_id": event_id} for t in p.tags]
        self.tables["external_events"].append({
            "event_id": event_id, "dataset": self.origin.dataset, "external_id": ext,
            "dataset_version": self.origin.version, "basis": "imported", "linked_on": self.today.isoformat(),
            "note": p.link_note})
        self.summary.imported.append({"row": p.line, "external_id": ext, "event_id": event_id})

    def _actors(self, p: Parsed, event_id: str, ids: dict) -> None:
        seen = {ids[1], ids[2]}
        for name, side in p.assoc:
            actor, why = self.ref.match_actor(name)
            if actor is None:
                self.summary.actors_not_matched[name] += 1
                self.warn(p.line, p.external_id, f"associated actor {why}; it is left out")
            elif actor in seen:
                self.warn(p.line, p.external_id, f"associated actor {name!r} is our {actor}, already on the event")
            else:
                seen.add(actor)
                self.tables["event_actors"].append({"event_id": event_id, "actor_id": actor, "side": side})

    # -- places ---------------------------------------------------------------------
    def _place(self, p: Parsed, loc: dict) -> tuple[str | None, str | None, str]:
        """(admin2, admin3, location_pcode); cross-checks the file's admin names."""
        ref, ext = self.ref, p.external_id
        pt2, pt3 = loc["admin2_pcode"], loc["admin3_pcode"]
        self._check_units(p, pt2, pt3)
        if p.admin_known == "township":
            admin2, admin3 = pt2, pt3
        elif p.admin_known == "district":
            admin2, admin3 = pt2, None
        elif p.admin_known == "state":
            admin2 = admin3 = None
        else:  # the place the row names decides, within the point's units
            named = ref.find_places(p.place_names, admin2=pt2, admin3=pt3)
            place = ref.places[named[0]] if named else None
            if place is None:
                admin2 = pt2
            else:  # a place with no district of its own is the state, or a site known to the district
                admin2 = place["admin2_pcode"] or (pt2 if place["level"] != "state" else None)
            admin3 = place["admin3_pcode"] if place else None
        found = ref.find_places(p.place_names, admin2=admin2, admin3=admin3, with_town=p.geo_precision in (1, 2))
        clear = found and (len(found) == 1 or ref.depth(found[0]) != ref.depth(found[1]))
        if clear:
            return admin2, admin3, found[0]
        names = [n for n in p.place_names if n]
        if names:
            self.summary.places_not_matched[names[0]] += 1
            what = "names several places" if found else "is not a gazetteer place"
            where = admin3 or admin2 or STATE_PCODE
            self.warn(p.line, ext, f"the place {names[0]!r} {what} in {ref.places[where]['name']} ({where}); "
                                   "location_pcode is that unit's code")
        return admin2, admin3, admin3 or admin2 or STATE_PCODE

    def _check_units(self, p: Parsed, pt2: str, pt3: str) -> None:
        ref = self.ref
        for key, level, point in (("admin1", "state", STATE_PCODE), ("admin2", "district", pt2),
                                  ("admin3", "township", pt3)):
            name = p.admin_names.get(key)
            if not name:
                continue
            code = ref.unit(name, level)
            if code is None and level == "state":
                self.warn(p.line, p.external_id, f"{key} is {name!r}, but the point lies in Kachin State")
            elif code is None:
                self.summary.places_not_matched[name] += 1
            elif code != point:
                msg = (f"{key} is {name!r} ({code}), but the point lies in {ref.places[point]['name']} {level} "
                       f"({point}); the point decides")
                self.warn(p.line, p.external_id, msg)

    # -- sources and claims -----------------------------------------------------------
    def _claimant(self, name: str, claimant_type: str, role: str, cid: str | None = None) -> str:
        key = (_norm(name), claimant_type)
        if key in self._claimant_of:
            return self._claimant_of[key]
        found = self.ref.claimant_by_name(name, claimant_type)
        if found is None:
            base = cid or slug(name, "_") or "outlet"
            found, n = base, 1
            while found in self.ref.claimants or found in self._claimants:
                n += 1
                found = f"{base}_{n}"
            self._claimants[found] = {"claimant_id": found, "name": name, "claimant_type": claimant_type,
                                      "actor_id": None, "role": role}
        self._claimant_of[key] = found
        return found

    def _source(self, o: Outlet, p: Parsed, source_type="other", scale="Other", language="en", notes="") -> None:
        """Record a source the event cites: new, merged with an earlier row's, or the repository's."""
        self._cited.setdefault(o.source_id, []).append(p.external_id)
        if o.source_id in self.ref.sources:
            return  # already in the repository (an earlier import of the same release)
        row = self._sources.get(o.source_id)
        if row is not None:
            if o.earliest is None:  # an undated source cannot be older than any event it reports
                row["publication_date_earliest"] = max(row["publication_date_earliest"], p.date_start.isoformat())
            return
        facts = self.ref.publisher_facts(o.publisher)
        chosen = {"language": language, "source_type": source_type, "source_scale": o.scale or scale}
        assumed = {f: v for f, v in chosen.items() if f not in facts and not (f == "source_scale" and o.scale)}
        note = ""
        if assumed:
            note = (f"Not given by {self.origin.label}, so assumed: "
                    + ", ".join(f"{f.replace('_', ' ')} {v!r}" for f, v in assumed.items()) + ".")
        self._sources[o.source_id] = {
            "source_id": o.source_id, "publisher": o.publisher, "title": o.title, "url": None,
            "publication_date_earliest": (o.earliest or p.date_start).isoformat(),
            "publication_date_latest": (o.latest or self.today).isoformat(),
            "publication_date_basis": o.basis or self.origin.undated_basis,
            "source_type": facts.get("source_type", source_type),
            "source_scale": o.scale or facts.get("source_scale", scale),
            "language": facts.get("language", language), "document": None, "document_sha256": None,
            "notes": " ".join(x for x in (notes, note) if x),
        }

    def _claims(self, p: Parsed, event_id: str) -> None:
        o = self.origin
        low, high = p.claim or (None, None)
        cid = self._claimant(o.publisher, INDEPENDENT, o.claimant_role, o.claimant_id)
        self._cited.setdefault(self._dataset_source_id(), []).append(p.external_id)
        self.tables["event_sources"].append({
            "event_id": event_id, "source_id": self._dataset_source_id(), "claimant": o.publisher,
            "claimant_type": INDEPENDENT, "claimant_actor_id": None, "claimant_id": cid,
            "claimed_fatalities_low": low, "claimed_fatalities_high": high,
            "claimed_fatalities_side": "all" if low is not None or high is not None else None,
            "claimed_wounded": None, "claimed_prisoners": None})
        seen = set()
        for outlet in p.outlets:
            if outlet.source_id in seen:
                continue
            seen.add(outlet.source_id)
            self._source(outlet, p)
            role = f"A publisher that {o.label} cites as a source (added by the {o.label} import)."
            claimant = self._claimant(outlet.publisher, OUTLET, role)
            self.tables["event_sources"].append({
                "event_id": event_id, "source_id": outlet.source_id, "claimant": outlet.publisher,
                "claimant_type": OUTLET, "claimant_actor_id": None, "claimant_id": claimant,
                "claimed_fatalities_low": None, "claimed_fatalities_high": None, "claimed_fatalities_side": None,
                "claimed_wounded": None, "claimed_prisoners": None})

    def _dataset_source_id(self) -> str:
        return dataset_source_id(self.origin.label, self.origin.version)

    def _dataset_source(self, latest_event_end: dt.date) -> None:
        """The source standing for the dataset release, which carries its death figures as claims."""
        sid = self._dataset_source_id()
        if sid in self.ref.sources:
            return
        basis = (f"Not stated in the file: the release cannot be older than the latest event imported from it "
                 f"({latest_event_end}), nor newer than the day of the import.")
        self.tables["sources"].append({
            "source_id": sid, "publisher": self.origin.publisher, "title": self.origin.version, "url": None,
            "publication_date_earliest": latest_event_end.isoformat(),
            "publication_date_latest": self.today.isoformat(), "publication_date_basis": basis,
            "source_type": "ngo_report", "source_scale": "International", "language": "en", "document": None,
            "document_sha256": None, "notes": self.origin.source_notes})
