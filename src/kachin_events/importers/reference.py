"""What an import looks up in the repository: actors and their aliases, the gazetteer,
the claimant registry, sources, events, and the links to other datasets already made.

Names are compared as the contributor workflow compares them (case and spaces ignored,
:func:`kachin_events.gazetteer._norm`).
"""

from __future__ import annotations

from pathlib import Path

from ..gazetteer import _norm
from ..schema import get_schema
from .common import ImportInputError

#: Words after a place name that say its level ("Bhamo Township", "Kachin State").
LEVEL_WORDS = {"state": "state", "district": "district", "township": "township", "town": "town"}


class Reference:
    """The repository's tables, indexed for the import.

    Parameters
    ----------
    package : path, optional
        A ``datapackage.json`` (or its folder); by default the nearest one from the
        working folder, else the snapshot shipped with the package.
    """

    def __init__(self, package=None):
        from .. import _paths
        from ..validation.read import UnreadableError, display_path
        from ..tables import read_tables

        if package is not None:
            path = Path(package)
            path = path / "datapackage.json" if path.is_dir() else path
            if not path.is_file():
                raise ImportInputError(f"{display_path(path)} does not exist; give the repository's datapackage.json")
        else:
            path = _paths.find_package() or _paths.snapshot_package()
        self.package = path
        try:
            tables = read_tables(path)
        except UnreadableError as exc:
            raise ImportInputError(f"{exc.file}: {exc.message}") from None
        except ValueError as exc:
            raise ImportInputError(f"the repository's data cannot be read: {exc}") from None
        self.events = tables["events"]
        self.actors = {r["actor_id"]: r for r in tables["actors"].iter_rows(named=True)}
        self._aliases: dict[str, set[str]] = {}
        for r in tables["actor_aliases"].iter_rows(named=True):
            if r["actor_id"] in self.actors:
                self._aliases.setdefault(_norm(r["alias"]), set()).add(r["actor_id"])
        self._actor_names: dict[str, set[str]] = {}
        for a in self.actors.values():
            for name in (a["actor_id"], a["name"], a["acled_actor_name"]):
                self._actor_names.setdefault(_norm(name), set()).add(a["actor_id"])
        self.places = {r["location_pcode"]: r for r in tables["locations"].iter_rows(named=True)
                       if r["status"] == "active"}
        self._place_names: dict[str, set[str]] = {}
        for code, r in self.places.items():
            self._place_names.setdefault(_norm(r["name"]), set()).add(code)
        for r in tables["location_aliases"].iter_rows(named=True):
            if r["location_pcode"] in self.places:
                self._place_names.setdefault(_norm(r["alias"]), set()).add(r["location_pcode"])
        self.levels = get_schema("locations").field("level").enum
        self.claimants = {r["claimant_id"]: r for r in tables["claimants"].iter_rows(named=True)}
        self.sources = {r["source_id"]: r for r in tables["sources"].iter_rows(named=True)}
        self._publishers: dict[str, list[dict]] = {}
        for s in self.sources.values():
            self._publishers.setdefault(_norm(s["publisher"]), []).append(s)
        self.links: dict[tuple[str, str], str] = {}
        for r in tables["external_events"].iter_rows(named=True):
            self.links.setdefault((r["dataset"], r["external_id"]), r["event_id"])

    # -- actors ---------------------------------------------------------------------
    def match_actor(self, name: str) -> tuple[str | None, str | None]:
        """(actor_id, None), or (None, why) when the name matches no actor or several.

        Aliases are tried first: they are the curated list, and they settle names the
        actors table shares (ACLED writes the KIO and the KIA under one name).
        """
        key = _norm(name)
        for index in (self._aliases, self._actor_names):
            found = sorted(index.get(key, ()))
            if len(found) == 1:
                return found[0], None
            if found:
                return None, f"{name!r} names several actors ({', '.join(found)})"
        return None, f"{name!r} is not an actor's name or alias"

    def root_actor(self, actor_id: str | None) -> str | None:
        """The organisation an actor belongs to, up its parent_actor_id chain (the KIA's is the KIO)."""
        seen = set()
        while actor_id in self.actors and self.actors[actor_id]["parent_actor_id"] and actor_id not in seen:
            seen.add(actor_id)
            actor_id = self.actors[actor_id]["parent_actor_id"]
        return actor_id

    # -- places ---------------------------------------------------------------------
    def depth(self, code: str) -> int:
        """How specific a place's level is (the state 0, then district, township, town ...)."""
        return self.levels.index(self.places[code]["level"])

    def find_places(self, names, *, admin2: str | None, admin3: str | None, with_town: bool = False) -> list[str]:
        """Codes of the active places a name (or alias) names that fit the admin units, most specific first.

        A place fits when its own district and township (where it has them) are
        ``admin2`` and ``admin3``. A trailing level word ("Bhamo Township") restricts
        the name to that level; ``with_town`` also tries "<name> Town" (for a point
        that stands for the named place itself). The first name with a match wins.
        """
        for name in names:
            found = self._lookup(name, with_town)
            fit = [c for c in found if self._fits(c, admin2, admin3)]
            if fit:
                return sorted(fit, key=lambda c: (-self.depth(c), c))
        return []

    def _lookup(self, name: str | None, with_town: bool) -> set[str]:
        name = (name or "").strip()
        if not name:
            return set()
        found = set(self._place_names.get(_norm(name), ()))
        words = name.rsplit(None, 1)
        if len(words) == 2 and words[1].casefold() in LEVEL_WORDS:
            level = LEVEL_WORDS[words[1].casefold()]
            found |= {c for c in self._place_names.get(_norm(words[0]), ()) if self.places[c]["level"] == level}
        if with_town:
            found |= self._place_names.get(_norm(f"{name} Town"), set())
        return found

    def _fits(self, code: str, admin2: str | None, admin3: str | None) -> bool:
        p = self.places[code]
        if p["level"] == "state":
            return True
        return ((p["admin3_pcode"] is None or p["admin3_pcode"] == admin3)
                and (p["admin2_pcode"] is None or p["admin2_pcode"] == admin2))

    def unit(self, name: str | None, level: str) -> str | None:
        """The code of the one active unit of ``level`` (state, district, township) a name names."""
        codes = [c for c in self._lookup(name, False) if self.places[c]["level"] == level]
        return codes[0] if len(codes) == 1 else None

    # -- claimants and sources --------------------------------------------------------
    def claimant_by_name(self, name: str, claimant_type: str) -> str | None:
        """The registered claimant of that type whose name (or its short form in brackets) is ``name``."""
        import re

        key = _norm(name)
        for cid, c in sorted(self.claimants.items()):
            if c["claimant_type"] != claimant_type:
                continue
            full = c["name"]
            short = re.fullmatch(r"(.*?)\s*\(([^()]+)\)\s*", full)
            forms = {_norm(full), _norm(cid)} | ({_norm(short.group(1)), _norm(short.group(2))} if short else set())
            if key in forms:
                return cid
        return None

    def publisher_facts(self, publisher: str) -> dict:
        """language, source_type and source_scale of the repository's sources from this publisher,
        for each that all of them share."""
        rows = self._publishers.get(_norm(publisher), [])
        out = {}
        for f in ("language", "source_type", "source_scale"):
            values = {r[f] for r in rows}
            if len(values) == 1:
                out[f] = values.pop()
        return out

    # -- links ------------------------------------------------------------------------
    def linked(self, dataset: str, external_id: str) -> str | None:
        """Our event that the repository already links to this external event, if any."""
        return self.links.get((dataset, external_id))

    def candidate_links(self, new_events: list[dict]) -> list[tuple[str, str]]:
        """(new event id, our event id) pairs that may be the same event (for a reviewer).

        The test is the possible-duplicate rule's (:func:`kachin_events.rules.possible_duplicates`):
        overlapping dates, the same township (or district, or state), the same event type and
        the same actor pair, with each actor taken up to its parent organisation.
        """
        import polars as pl

        from ..rules import possible_duplicates

        if not new_events or self.events.height == 0:
            return []
        cols = ["event_id", "date_start", "date_end", "event_type", "admin1_pcode", "admin2_pcode", "admin3_pcode",
                "actor1", "actor2"]
        ours = self.events.select(cols).to_dicts()
        rows = [{c: r.get(c) for c in cols} for r in [*ours, *new_events]]
        for r in rows:
            r["actor1"], r["actor2"] = self.root_actor(r["actor1"]), self.root_actor(r["actor2"])
        frame = pl.DataFrame(rows, schema={c: (pl.Date if c.startswith("date") else pl.String) for c in cols})
        new_ids = {e["event_id"] for e in new_events}
        pairs = possible_duplicates(frame).filter(pl.col("event_id").is_in(sorted(new_ids))
                                                  & ~pl.col("other_id").is_in(sorted(new_ids)))
        return sorted(pairs.select("event_id", "other_id").iter_rows())
