"""Names instead of codes in a submission: places, actors and claimants written by name.

A contributor may write what a report says rather than the project's codes:

* ``events.location``: a place's name or alias (``locations.name``,
  ``location_aliases.alias``). When ``location_pcode`` is empty it is filled from the
  place, and then the admin codes and the point (``admin1/2/3_pcode``, ``latitude``,
  ``longitude``) where those cells are empty. ``geo_precision`` stays the
  contributor's judgement.
* an actor's id, name, ACLED name or alias wherever an actor id goes
  (``events.actor1``/``actor2``, ``event_actors.actor_id``,
  ``event_sources.claimant_actor_id``, ``claimants.actor_id``).
* ``event_sources.claimant_id``: a claimant's id or name, or empty, to be found from
  the ``claimant`` text (the registry's names and every spelling the repository
  already links to a claimant). ``claimant_type`` and ``claimant_actor_id`` are
  copied from the registry when both are empty.

:func:`resolve_names` writes the code in place of a name that names exactly one place,
actor or claimant. It never guesses: a name of several active places (a township and
its district, say) is an ``ambiguous-name`` finding listing the candidates, and a name
found nowhere is an ``unknown-name`` finding listing the closest names. Unresolved cells
stay as written; :func:`filled_by` tells the validator which findings follow from them.
Only contributed rows are touched: the repository's own data keeps its codes.
"""

from __future__ import annotations

import difflib
import re

from ..validation.findings import ERROR, Finding
from ..gazetteer import _norm
from ..validation.read import RawTable, describe_files
from ..schema import TABLES, get_schema

#: The rules of this module's findings.
NAME_RULES = ("unknown-name", "ambiguous-name")
#: event_sources field -> the claimants field it is copied from.
CLAIMANT_FILLS = {"claimant_type": "claimant_type", "claimant_actor_id": "actor_id"}
#: Tables that define actor names rather than use them.
_ACTOR_TABLES = ("actors", "actor_aliases")
_SHOWN = 5  # candidates or suggestions named in one message


def place_fills() -> tuple[str, ...]:
    """The events columns a place fills besides location_pcode: the codes and the point it
    shares with locations (coded or numeric columns; never free text such as notes).

    Examples
    --------
    >>> place_fills()
    ('admin1_pcode', 'admin2_pcode', 'admin3_pcode', 'latitude', 'longitude')
    """
    loc = set(get_schema("locations").field_names)
    return tuple(f.name for f in get_schema("events").fields
                 if f.name in loc and f.name != "location_pcode" and (f.type == "number" or "pattern" in f.constraints))


def filled_by(field: str | None) -> tuple[str, ...]:
    """The code columns a name in ``field`` fills when it resolves.

    After an unknown or ambiguous name, these cells stay empty; their ``required``
    findings follow from the name's finding and are not reported again.

    Examples
    --------
    >>> filled_by("location")[:2]
    ('location_pcode', 'admin1_pcode')
    >>> filled_by("claimant")
    ('claimant_id', 'claimant_type', 'claimant_actor_id')
    >>> filled_by("actor1")
    ()
    """
    if field == "location":
        return ("location_pcode", *place_fills())
    if field == "claimant":
        return ("claimant_id", *CLAIMANT_FILLS)
    if field == "claimant_id":
        return tuple(CLAIMANT_FILLS)
    return ()


class _Names:
    """Normalised name -> codes (in first-seen order), and a spelling to show for each."""

    def __init__(self):
        self.codes: dict[str, list[str]] = {}

    def add(self, name, code) -> None:
        if not name or not code or not _norm(name):
            return
        codes = self.codes.setdefault(_norm(name), [])
        if code not in codes:
            codes.append(code)

    def find(self, name: str) -> list[str]:
        return list(self.codes.get(_norm(name), []))

    def closest(self, name: str) -> list[str]:
        """Codes of the names closest to ``name`` (difflib), best first."""
        out: list[str] = []
        wanted = _norm(name)
        keys = difflib.get_close_matches(wanted, list(self.codes), n=_SHOWN, cutoff=0.6)
        # A known name written inside a longer one ("KIA fighters", "near Laiza") is a
        # candidate too, which spelling similarity alone misses.
        keys += sorted(k for k in self.codes if k not in keys and len(k) > 2 and k in wanted)
        for key in keys:
            out.extend(c for c in self.codes[key] if c not in out)
        return out[:_SHOWN]


def _dicts(raw: RawTable, checked: bool | None = None) -> list[dict]:
    """The rows of a (small, reference) table as dicts; filtered by column first."""
    import polars as pl

    from ..validation.table import CHECKED

    if not len(raw):
        return []
    frame = raw.frame if checked is None else raw.frame.filter(pl.col(CHECKED) == checked)
    return frame.select(get_schema(raw.table).field_names).to_dicts()


def _text(value) -> str:
    return value.strip() if isinstance(value, str) else ""


def _files(*raws: RawTable) -> str:
    return " and ".join(d for d in (describe_files(r.file_names()) for r in raws if len(r)) if d)


# -- places ------------------------------------------------------------------------------
class _Places:
    def __init__(self, tables: dict[str, RawTable]):
        self.rows = {r["location_pcode"]: r for r in _dicts(tables["locations"]) if r["location_pcode"]}
        self.names = _Names()
        for code, r in self.rows.items():
            self.names.add(r["name"], code)
        for a in _dicts(tables["location_aliases"]):
            if a["location_pcode"] in self.rows:
                self.names.add(a["alias"], a["location_pcode"])
        self.levels = get_schema("locations").field("level").enum
        self.files = _files(tables["locations"], tables["location_aliases"])

    def _order(self, code: str) -> tuple:
        r = self.rows[code]
        lv = self.levels.index(r["level"]) if r["level"] in self.levels else len(self.levels)
        return (r["status"] != "active", -lv, code)  # active first, the most specific first

    def _unit(self, code, suffix: str) -> str | None:
        r = self.rows.get(code)
        if not r or not r["name"]:
            return None
        return r["name"] if r["name"].endswith(suffix) else f"{r['name']} {suffix}"

    def describe(self, code: str) -> str:
        """'Bhamo (township, MMR001010, Bhamo District)'."""
        r = self.rows[code]
        if r["level"] == "district":
            where = self._unit(r["admin1_pcode"], "State")
        elif r["level"] == "township":
            where = self._unit(r["admin2_pcode"], "District")
        elif r["level"] == "state":
            where = None
        else:
            where = self._unit(r["admin3_pcode"], "Township") or self._unit(r["admin2_pcode"], "District")
        parts = [r["level"] or "place", code] + ([where] if where else [])
        if r["status"] != "active":
            parts.append(r["status"] or "status unknown")
        return f"{r['name']} ({', '.join(parts)})"

    def resolve(self, raw: RawTable, i: int, ix: dict) -> Finding | None:
        row = raw.rows[i]
        name = _text(row[ix["location"]])
        if row[ix["location_pcode"]] is not None or not name:
            return None
        found = sorted(self.names.find(name), key=self._order)
        active = [c for c in found if self.rows[c]["status"] == "active"]
        pool = active or found
        if len(pool) == 1:
            place = self.rows[pool[0]]
            row[ix["location_pcode"]] = pool[0]
            for f in place_fills():
                if row[ix[f]] is None:
                    row[ix[f]] = place.get(f)
            return None
        if pool:
            listed = ", ".join(self.describe(c) for c in pool[:_SHOWN]) + (" ..." if len(pool) > _SHOWN else "")
            msg = (f"{name!r} matches {len(pool)} places: {listed}; write the code of the one you mean in "
                   f"location_pcode")
            return Finding(raw.files[i], raw.lines[i], "location", row[ix["location"]], "ambiguous-name", ERROR, msg)
        close = sorted(self.names.closest(name), key=self._order)[:_SHOWN]
        hint = (f" The closest names are: {', '.join(self.describe(c) for c in close)}." if close else "")
        msg = (f"{name!r} is not a place name in the gazetteer ({self.files}), and location_pcode is empty.{hint} "
               "Correct the name, or write the code of the place you mean in location_pcode (ask for a place "
               "the gazetteer lacks to be added)")
        return Finding(raw.files[i], raw.lines[i], "location", row[ix["location"]], "unknown-name", ERROR, msg)


# -- actors and claimants ----------------------------------------------------------------
class _Registry:
    """Ids of one table (actors or claimants) and the names that stand for them."""

    def __init__(self, what: str, rows: dict[str, dict], names: _Names, files: str):
        self.what, self.rows, self.names, self.files = what, rows, names, files

    def describe(self, code: str) -> str:
        name = self.rows[code].get("name")
        return f"{name} ({code})" if name else code

    def resolve(self, value: str, pattern: str | None, target: str) -> tuple[str | None, str | None, str | None]:
        """(code, rule, message): the code for ``value``, or a finding's rule and message.

        ``target`` is the column the code goes in, named in the message.
        """
        if value in self.rows:
            return value, None, None
        found = self.names.find(value)
        if len(found) == 1:
            return found[0], None, None
        if found:
            listed = ", ".join(self.describe(c) for c in found[:_SHOWN])
            msg = f"{value!r} names {len(found)} {self.what}s: {listed}; write the id of the one you mean in {target}"
            return None, "ambiguous-name", msg
        if pattern and re.fullmatch(pattern, value):
            return value, None, None  # an id that does not exist: the foreign-key rule says so
        close = self.names.closest(value)
        hint = f" The closest are: {', '.join(self.describe(c) for c in close)}." if close else ""
        msg = (f"{value!r} is not the id, name or alias of any {self.what} ({self.files}).{hint} Correct it, "
               f"write the {self.what}'s id in {target}, or add the {self.what} to the {self.what}s table "
               f"in your submission ({self.what}s.csv)")
        return None, "unknown-name", msg


def _actors(tables) -> _Registry:
    rows = {r["actor_id"]: r for r in _dicts(tables["actors"]) if r["actor_id"]}
    names = _Names()
    for code, r in rows.items():
        for n in (code, r["name"], r["acled_actor_name"]):
            names.add(n, code)
    for a in _dicts(tables["actor_aliases"]):
        if a["actor_id"] in rows:
            names.add(a["alias"], a["actor_id"])
    return _Registry("actor", rows, names, _files(tables["actors"], tables["actor_aliases"]))


def _claimants(tables) -> _Registry:
    rows = {r["claimant_id"]: r for r in _dicts(tables["claimants"]) if r["claimant_id"]}
    names = _Names()
    for code, r in rows.items():
        names.add(code, code)
        names.add(r["name"], code)
    # Every spelling the repository already links to a claimant.
    for r in _dicts(tables["event_sources"], checked=False):
        if r["claimant_id"] in rows:
            names.add(r["claimant"], r["claimant_id"])
    return _Registry("claimant", rows, names, _files(tables["claimants"]))


def actor_fields() -> list[tuple[str, str]]:
    """(table, field) of every actor reference a submission may write by name.

    Examples
    --------
    >>> actor_fields()
    [('claimants', 'actor_id'), ('events', 'actor1'), ('events', 'actor2'), ('event_sources', 'claimant_actor_id'), ('event_actors', 'actor_id')]
    """
    out = []
    for table in TABLES:
        if table in _ACTOR_TABLES:
            continue
        for fk in get_schema(table).foreign_keys:
            if fk["reference"].get("resource") == "actors":
                out.extend((table, f) for f in fk["fields"])
    return out


def _claimant(raw: RawTable, i: int, ix: dict, claimants: _Registry) -> Finding | None:
    row = raw.rows[i]
    cid, text = _text(row[ix["claimant_id"]]), _text(row[ix["claimant"]])
    pattern = get_schema("event_sources").field("claimant_id").constraints.get("pattern")
    if cid:
        code, rule, msg = claimants.resolve(cid, pattern, "claimant_id")
        field, value = "claimant_id", row[ix["claimant_id"]]
    elif text:
        code, rule, msg = claimants.resolve(text, None, "claimant_id")
        field, value = "claimant", row[ix["claimant"]]
        msg = msg and f"claimant_id is empty, and the claimant {msg}"
    else:
        return None
    if rule:
        return Finding(raw.files[i], raw.lines[i], field, value, rule, ERROR, msg)
    row[ix["claimant_id"]] = code
    reg = claimants.rows.get(code)
    if reg is not None and all(row[ix[f]] is None for f in CLAIMANT_FILLS):
        for f, src in CLAIMANT_FILLS.items():
            row[ix[f]] = reg.get(src)
    return None


def resolve_names(tables: dict[str, RawTable]) -> list[Finding]:
    """Replace names by codes in the contributed rows; report the names that do not resolve.

    Parameters
    ----------
    tables : dict of str to RawTable
        Every table of a validation run: reference rows (``checked`` False) and
        contributed rows (``checked`` True). Contributed rows are changed in place.

    Returns
    -------
    list of Finding
        One ``unknown-name`` or ``ambiguous-name`` finding per name that could not be
        resolved, with the candidates or the closest names and their codes.

    Examples
    --------
    >>> from kachin_events.schema import get_schema
    >>> def table(name, rows, checked):
    ...     names = get_schema(name).field_names
    ...     raw = RawTable(name)
    ...     for n, row in enumerate(rows, start=2):
    ...         raw.rows.append([row.get(f) for f in names])
    ...         raw.files.append("x.csv"); raw.lines.append(n); raw.checked.append(checked)
    ...     return raw
    >>> tables = {t: RawTable(t) for t in TABLES}
    >>> tables["actors"] = table("actors", [{"actor_id": "kia", "name": "Kachin Independence Army"}], False)
    >>> tables["events"] = table("events", [{"actor1": "kachin independence army", "actor2": "KNU"}], True)
    >>> [f.rule for f in resolve_names(tables)], tables["events"].rows[0][6]
    (['unknown-name'], 'kia')
    """
    import polars as pl

    from ..validation.table import CHECKED

    for t in TABLES:
        tables.setdefault(t, RawTable(t))
    out: list[Finding] = []
    if not any(raw.any_checked() for raw in tables.values()):
        return out
    # Only the contributed cells that hold something other than an existing code are
    # looked at one by one; a large file written with codes passes in column operations.
    actors = _actors(tables)
    ids = sorted(actors.rows)
    for table, field in actor_fields():
        raw = tables[table]
        if not len(raw):
            continue
        pattern = get_schema(table).field(field).constraints.get("pattern")
        # A code with stray spaces goes through too: resolving trims it.
        value = pl.col(field)
        with raw.editing(pl.col(CHECKED) & (value.str.strip_chars() != "") & ~value.is_in(ids)) as few:
            pos = get_schema(table).field_names.index(field)
            for i, row in enumerate(few.rows):
                code, rule, msg = actors.resolve(_text(row[pos]), pattern, field)
                if rule:
                    out.append(Finding(few.files[i], few.lines[i], field, row[pos], rule, ERROR, msg))
                else:
                    row[pos] = code
    places = _Places(tables)
    claimants = _claimants(tables)
    cid = pl.col("claimant_id")
    given = cid.str.strip_chars().fill_null("") != ""
    unfilled = pl.all_horizontal([pl.col(f).is_null() for f in CLAIMANT_FILLS])
    named = {"events": (pl.col("location").str.strip_chars() != "") & pl.col("location_pcode").is_null(),
             # an id that is not a claimant's as written, or that leaves its registry fields to fill
             "event_sources": (given & (~cid.is_in(sorted(claimants.rows)) | unfilled))
             | (~given & (pl.col("claimant").str.strip_chars().fill_null("") != ""))}
    steps = {"events": places.resolve, "event_sources": lambda raw, i, ix: _claimant(raw, i, ix, claimants)}
    for table, step in steps.items():
        raw = tables[table]
        if not len(raw):
            continue
        ix = {f: n for n, f in enumerate(get_schema(table).field_names)}
        with raw.editing(pl.col(CHECKED) & named[table].fill_null(False)) as few:
            found = [step(few, i, ix) for i in range(len(few))]
        out.extend(f for f in found if f is not None)
    _forget_missing_codes(tables)
    return out


def _forget_missing_codes(tables: dict[str, RawTable]) -> None:
    """A file with the name column needs no code columns: the names fill them."""
    for table, name_field in (("events", "location"), ("event_sources", "claimant")):
        raw = tables[table]
        for shown, col in list(raw.missing):
            if col in filled_by(name_field) and (shown, name_field) not in raw.missing:
                raw.missing.discard((shown, col))


def resolve_submission(*paths, reference=None, today=None) -> tuple[dict[str, RawTable], object]:
    """Validate a submission and return its rows with codes in place of names.

    This is what ``kachin-events add`` writes from: the contributed rows after
    :func:`resolve_names`, and the validation report (with the ``unknown-name`` and
    ``ambiguous-name`` findings of the names that did not resolve).

    Parameters
    ----------
    *paths : str or Path
        Contributed CSV, XLSX or JSON files, or a folder of them (as for
        :func:`kachin_events.validate`).
    reference : path, optional
        A ``datapackage.json`` to take the reference tables from.
    today : datetime.date, optional
        The date "in the future" is measured from.

    Returns
    -------
    tables : dict of str to RawTable
        Each table the submission provides, holding only the contributed rows (in the
        schema's column order, with their files and lines), names replaced by codes.
    report : Report
        The validation report of the submission.
    """
    from ..validation import validate

    report = validate(*paths, today=today, reference=reference, keep_tables=True)
    from ..validation.table import CHECKED

    out: dict[str, RawTable] = {}
    for table, raw in (report.tables or {}).items():
        if len(raw) and raw.any_checked():
            out[table] = raw.select(raw.frame[CHECKED])
    return out, report
