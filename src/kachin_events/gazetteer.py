"""The gazetteer: ``data/locations.csv`` and ``data/location_aliases.csv``.

Both are generated from MIMU Place Codes 9.6 (``reference/mimu/``), the project's own
places (``reference/sites.csv``) and other spellings (``reference/aliases.csv``). Edit
those, never the generated files, and rebuild with
``python -m kachin_events.gazetteer [REPOSITORY_ROOT]``. Only the standard library is
imported, so the validator can use the lookup helpers without loading pandas.
"""

from __future__ import annotations

import math
import os
import re
import sys
from decimal import Decimal, InvalidOperation
from pathlib import Path

from . import _paths
from .schema import get_schema

STATE_PCODE = "MMR001"
CAPITAL_TOWN = "MMR001001701"  # Myitkyina Town: the state's representative point
MIMU_SOURCE = "MIMU 9.6"

# One MIMU file per level: (file name, code column, English name, Burmese name).
_MIMU = {
    "town": ("kachin_towns.csv", "Town_Pcode", "Town_Name_Eng", "Town_Name_MMR"),
    "village_tract": ("kachin_village_tracts.csv", "VT_Pcode", "Village_Tract_Name_Eng",
                      "Village_Tract_Name_MMR"),
    "ward": ("kachin_wards.csv", "Ward_Pcode", "Ward_Name_Eng", "Ward_Name_MMR"),
}
_HIERARCHY = ("SR_Pcode", "District/SAZ_Pcode", "District/SAZ_Name_Eng", "Tsp_Pcode",
              "Township_Name_Eng", "Change_Type", "Modified_End_Date")
# After these MIMU changes the code is no longer a current unit; a split or a renaming
# keeps the code alive, so those rows stay active.
_ENDING_CHANGES = {"Delete", "VTtoWard", "VTtoTown"}
_KNOWN_CHANGES = _ENDING_CHANGES | {"", "Split", "Name Change"}
_SITE_CODE = re.compile(r"KES[0-9]{3}")
_5DP = Decimal("0.00001")


def _read_csv(path, required=(), exact=None) -> list[tuple[int, dict]]:
    """(line number, row) pairs of a CSV file, after checking its header."""
    from .validation.read import UnreadableError, _read_csv as read

    try:
        records = read(Path(path), str(path))  # a BOM is dropped; lines are where records start
    except UnreadableError as exc:
        raise ValueError(str(exc)) from None
    header = [h or "" for h in records[0][1]] if records else []
    missing = [c for c in required if c not in header]
    if missing or (exact is not None and header != list(exact)):
        msg = f"{path}: bad header {header}; expected {list(exact or required)}"
        raise ValueError(msg)
    return [(line, {k: (v or "").strip() for k, v in zip(header, values)})
            for line, values in records[1:] if values]


def _coord(value: str, where: str) -> str:
    """A coordinate with exactly 5 decimals, the precision MIMU publishes."""
    try:
        d = Decimal(value)
    except InvalidOperation:
        d = None
    # Rounding silently would make the output disagree with its source.
    if d is None or not d.is_finite() or d != d.quantize(_5DP):
        msg = f"{where}: coordinate {value!r} is not a number with at most 5 decimals"
        raise ValueError(msg)
    return str(d.quantize(_5DP))


def _status(row: dict, where: str) -> tuple[str, str]:
    """The row's status, and notes on what MIMU records about its history."""
    # The wards file misnames its status columns (GAD_VillageTract_Status,
    # MIMU_War_Mapping_Status), so match them by prefix and suffix, not by name.
    cols = [k for k in row if k.startswith(("GAD_", "MIMU_")) and k.endswith("_Status")]
    change, ended = row["Change_Type"], row["Modified_End_Date"]
    if not cols or change not in _KNOWN_CHANGES or (ended and not change):
        msg = (f"{where}: cannot tell the status (status columns {cols}, Change_Type "
               f"{change!r}, Modified_End_Date {ended!r})")
        raise ValueError(msg)
    said_inactive = any(row[c].lower() == "inactive" for c in cols)
    inactive = change in _ENDING_CHANGES or said_inactive
    notes = ["Inactive in MIMU 9.6; do not use for new events."] if inactive else []
    if change:
        notes.append(f"MIMU change: {change} ({ended}).")
    if row.get("Previous_Village_Tract_Name_Eng"):
        notes.append(f"Previous name: {row['Previous_Village_Tract_Name_Eng']}.")
    if row.get("Remark"):
        notes.append(f"MIMU remark: {row['Remark']}.")
    if row.get("Source") not in (None, "", "GAD"):
        notes.append(f"MIMU source: {row['Source']}.")
    return ("inactive" if inactive else "active"), " ".join(notes)


def _row(code, name, level, parent, admin2, admin3, town=None, why="", **extra) -> dict:
    """A locations row; with ``town``, its point stands in for this place's."""
    row = dict.fromkeys(get_schema("locations").field_names, "")
    row.update(location_pcode=code, name=name, level=level, parent_pcode=parent,
               admin1_pcode=STATE_PCODE, admin2_pcode=admin2, admin3_pcode=admin3,
               coord_method="none", status="active", source=MIMU_SOURCE)
    if town is not None:
        notes = (f"Approximate: the point is that of {town['name']} "
                 f"({town['location_pcode']}), {why}.")
        row.update(latitude=town["latitude"], longitude=town["longitude"],
                   coord_method="proxy_town", notes=notes)
    row.update(extra)
    return row


def _check_site_point(row: dict, towns: list[dict], where: str) -> None:
    """A site's point must be exactly what its coord_method says it is."""
    # Hand-typed coordinates drift; tie each one back to the MIMU town points.
    pts = [(Decimal(t["latitude"]), Decimal(t["longitude"])) for t in towns]
    pt = (Decimal(row["latitude"]), Decimal(row["longitude"]))
    method = row["coord_method"]
    ok = (method == "proxy_town" and pt in pts) or (method == "midpoint" and any(
        (((a + c) / 2).quantize(_5DP), ((b + d) / 2).quantize(_5DP)) == pt
        for a, b in pts for c, d in pts))
    if not ok:
        msg = (f"{where}: point {row['latitude']}, {row['longitude']} is not the "
               f"{method!r} of MIMU town points (sites use proxy_town, midpoint, none)")
        raise ValueError(msg)


def _read_mimu(mimu_dir: Path) -> tuple[dict, dict, dict]:
    """MIMU rows by code, townships (code: name, district), districts (code: name)."""
    rows, townships, districts = {}, {}, {}
    for level, (fname, code_col, name_col, mmr_col) in _MIMU.items():
        path = mimu_dir / fname
        extra = {"ward": ("Town_Pcode",), "town": ("Latitude", "Longitude")}
        required = (*_HIERARCHY, code_col, name_col, mmr_col, *extra.get(level, ()))
        for line, r in _read_csv(path, required):
            where = f"{path}, line {line}"
            code, tsp, dist = r[code_col], r["Tsp_Pcode"], r["District/SAZ_Pcode"]
            parent = r["Town_Pcode"] if level == "ward" else tsp
            inside = r["SR_Pcode"] == STATE_PCODE and code.startswith(parent)
            if not inside or code in rows:
                msg = (f"{where}: {code!r} is a duplicate or is not inside {parent!r} "
                       f"and state {STATE_PCODE} (SR_Pcode {r['SR_Pcode']!r})")
                raise ValueError(msg)
            _, first_dist, first = townships.setdefault(
                tsp, (r["Township_Name_Eng"], dist, where))
            if first_dist != dist:
                msg = (f"{where}: township {tsp} is in {dist},"
                       f" but in {first_dist} at {first}")
                raise ValueError(msg)
            districts.setdefault(dist, r["District/SAZ_Name_Eng"])
            status, notes = _status(r, where)
            point = {}
            if level == "town":
                point = dict(latitude=_coord(r["Latitude"], where), coord_method="mimu",
                             longitude=_coord(r["Longitude"], where))
            rows[code] = _row(code, r[name_col], level, parent, dist, tsp,
                              name_mmr=r[mmr_col], status=status, notes=notes, **point)
    return rows, {k: v[:2] for k, v in townships.items()}, districts


def build_gazetteer(mimu_dir, sites_csv, aliases_csv) -> tuple[list[dict], list[dict]]:
    """Build the rows of the locations and location_aliases tables.

    Raises ValueError, naming the file and line, when an input breaks the hierarchy:
    a row outside MMR001, a township in two districts, a duplicate code, a township
    without its namesake town, an alias or parent naming no place...

    Parameters
    ----------
    mimu_dir : str or Path
        Folder of ``kachin_towns.csv``, ``kachin_village_tracts.csv`` and
        ``kachin_wards.csv`` (MIMU Place Codes 9.6).
    sites_csv, aliases_csv : str or Path
        The project's places (locations columns) and spellings (location_aliases
        columns).

    Returns
    -------
    locations, aliases : list of dict
        String values keyed by schema field, sorted by ``location_pcode`` and by
        ``(alias, location_pcode)``.
    """
    rows, townships, districts = _read_mimu(Path(mimu_dir))
    towns = [r for r in rows.values() if r["level"] == "town"]

    def namesake(name: str, field: str, code: str) -> dict:
        found = [t for t in towns if t[field] == code and t["name"] == f"{name} Town"]
        if len(found) != 1:
            path = Path(mimu_dir) / _MIMU["town"][0]
            msg = f"{path}: no town '{name} Town' in {code}"
            raise ValueError(msg)
        return found[0]

    capital = namesake("Myitkyina", "location_pcode", CAPITAL_TOWN)
    rows[STATE_PCODE] = _row(STATE_PCODE, "Kachin", "state", "", "", "", capital,
                             "the state capital")
    for code, name in districts.items():
        town = namesake(name, "admin2_pcode", code)
        rows[code] = _row(code, name, "district", STATE_PCODE, code, "", town,
                          "the district's namesake town")
    for code, (name, dist) in townships.items():
        town = namesake(name, "admin3_pcode", code)
        rows[code] = _row(code, name, "township", dist, dist, code, town,
                          "the township's namesake town")

    for line, r in _read_csv(sites_csv, exact=get_schema("locations").field_names):
        where, code = f"{sites_csv}, line {line}", r["location_pcode"]
        if not _SITE_CODE.fullmatch(code) or code in rows:
            msg = f"{where}: site code {code!r} is not a new KES### code"
            raise ValueError(msg)
        if r["coord_method"] != "none":
            for k in ("latitude", "longitude"):
                r[k] = _coord(r[k], where)
            _check_site_point(r, towns, where)
        rows[code] = r

    for code, r in rows.items():
        parent, admin2, admin3 = r["parent_pcode"], r["admin2_pcode"], r["admin3_pcode"]
        if (parent and parent not in rows) or (admin2 and admin2 not in rows) or (
                admin3 and rows.get(admin3, {}).get("admin2_pcode") != admin2):
            msg = (f"{code}: parent {parent!r}, district {admin2!r} or township "
                   f"{admin3!r} names no place, or the township is not in the district")
            raise ValueError(msg)

    aliases: dict[tuple[str, str], dict] = {}
    alias_fields = get_schema("location_aliases").field_names
    for line, r in _read_csv(aliases_csv, exact=alias_fields):
        key = (r["alias"], r["location_pcode"])
        if not r["alias"] or key in aliases or key[1] not in rows:
            msg = (f"{aliases_csv}, line {line}: alias {key} is empty, repeated or "
                   "names no place")
            raise ValueError(msg)
        aliases[key] = r
    return [rows[c] for c in sorted(rows)], [aliases[k] for k in sorted(aliases)]


def _write_atomic(path: Path, table: str, rows: list[dict]) -> None:
    # The one writer of data files (canonical form, atomic), as `kachin-events fmt` uses.
    from .contrib.canonical import write_canonical

    write_canonical(path, table, rows)


def write_gazetteer(out_dir, root=None, *, mimu_dir=None, sites_csv=None,
                    aliases_csv=None) -> tuple[Path, Path]:
    """Build the gazetteer and write ``locations.csv`` and ``location_aliases.csv``.

    Parameters
    ----------
    out_dir : str or Path
        Where to write, normally ``<root>/data``.
    root : str or Path, optional
        The repository root; default the parent of ``out_dir``. The inputs default
        to ``reference/mimu/``, ``reference/sites.csv`` and ``reference/aliases.csv``
        under it, unless given as ``mimu_dir``, ``sites_csv``, ``aliases_csv``.

    Returns
    -------
    tuple of Path
        The two files written.
    """
    out_dir = Path(out_dir)
    ref = Path(root if root is not None else out_dir.parent) / "reference"
    locations, aliases = build_gazetteer(mimu_dir or ref / "mimu",
                                         sites_csv or ref / "sites.csv",
                                         aliases_csv or ref / "aliases.csv")
    paths = (out_dir / "locations.csv", out_dir / "location_aliases.csv")
    _write_atomic(paths[0], "locations", locations)
    _write_atomic(paths[1], "location_aliases", aliases)
    return paths


def _rows(table) -> list[dict]:
    if isinstance(table, (str, os.PathLike)):
        return [row for _, row in _read_csv(table)]
    return list(table)


def township_points(locations) -> dict[str, list[tuple[float, float]]]:
    """The MIMU points of the active towns in each township.

    ``locations`` is a list of locations rows or the path of ``locations.csv``; the
    result maps township P-codes to ``(latitude, longitude)`` in town-code order.

    Examples
    --------
    >>> rows = [{"location_pcode": "MMR001010701", "level": "town", "status": "active",
    ...          "admin3_pcode": "MMR001010", "coord_method": "mimu",
    ...          "latitude": "24.25493", "longitude": "97.23441"}]
    >>> township_points(rows)
    {'MMR001010': [(24.25493, 97.23441)]}
    """
    out: dict[str, list[tuple[float, float]]] = {}
    for r in sorted(_rows(locations), key=lambda r: r["location_pcode"]):
        if (r["level"], r["coord_method"], r["status"]) == ("town", "mimu", "active"):
            pt = (float(r["latitude"]), float(r["longitude"]))
            out.setdefault(r["admin3_pcode"], []).append(pt)
    return dict(sorted(out.items()))


def _norm(text: str) -> str:
    # News reports split and join MIMU's words freely ("He Pu", "Hepu").
    return "".join(text.split()).casefold()


def resolve(name: str, locations, aliases=()) -> list[dict]:
    """Places whose name or an alias matches ``name``, ignoring case and spaces.

    ``locations`` and ``aliases`` are lists of rows or the paths of their CSV files.
    Returns the matching locations rows: active places first, then by level (state
    first) and code.

    Examples
    --------
    >>> locs = [{"location_pcode": "MMR001007023", "name": "He Pu",
    ...          "level": "village_tract", "status": "active"}]
    >>> als = [{"alias": "Hepu", "location_pcode": "MMR001007023"}]
    >>> [r["location_pcode"] for r in resolve("HEPU", locs, als)]
    ['MMR001007023']
    >>> [r["name"] for r in resolve("hepu", locs)]
    ['He Pu']
    >>> resolve("Laiza", locs, als)
    []
    """
    key, levels = _norm(name), get_schema("locations").field("level").enum
    codes = {a["location_pcode"] for a in _rows(aliases) if _norm(a["alias"]) == key}
    found = [r for r in _rows(locations)
             if _norm(r["name"]) == key or r["location_pcode"] in codes]
    return sorted(found, key=lambda r: (
        r["status"] != "active", levels.index(r["level"]), r["location_pcode"]))


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in km, on a sphere of the Earth's mean radius.

    Examples
    --------
    Myitkyina Town to Bhamo Town:

    >>> round(haversine_km(25.38749, 97.39036, 24.25493, 97.23441), 1)
    126.9
    >>> haversine_km(25.0, 97.0, 25.0, 97.0)
    0.0
    """
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0088 * math.asin(math.sqrt(min(1.0, h)))


if __name__ == "__main__":
    _root = Path(sys.argv[1]) if len(sys.argv) > 1 else _paths.schema_dir().parent
    for _path in write_gazetteer(_root / "data", _root):
        print(f"wrote {_path}")
