"""Hints that turn a broken pattern into the value meant: a place's name where its P-code belongs.

A contributor who writes ``Bhamo`` in ``admin3_pcode`` means Bhamo Township; the
pattern finding says the value is not a P-code, and :func:`pcode_hint` adds which one
it is, from the gazetteer (``data/locations.csv`` and ``data/location_aliases.csv`` of
the package the validator takes its reference tables from). It runs only for the cells
that fail their pattern, and looks names up in an index built once.
"""

from __future__ import annotations

from functools import lru_cache

#: The level of place each admin field holds (``locations.level``).
ADMIN_LEVELS = {"admin1_pcode": "state", "admin2_pcode": "district", "admin3_pcode": "township"}
_SHOWN = 3  # places named in one hint


@lru_cache(maxsize=4)
def _index(package: str) -> tuple[dict, dict]:
    """(normalised name -> locations rows, code -> row) of a package's gazetteer."""
    from pathlib import Path

    from ..gazetteer import _norm
    from .api import package_resources
    from .read import read_file

    rows: list[dict] = []
    aliases: list[dict] = []
    resources = package_resources(Path(package))
    for table, into in (("locations", rows), ("location_aliases", aliases)):
        for path in resources.get(table, []):
            parts, _ = read_file(path, table=table)
            for raw in parts.values():
                into += raw.frame.to_dicts()
    by_code = {r["location_pcode"]: r for r in rows if r.get("location_pcode")}
    by_name: dict[str, list[dict]] = {}
    for r in rows:
        if r.get("name"):
            by_name.setdefault(_norm(r["name"]), []).append(r)
    for a in aliases:
        if a.get("alias") and a.get("location_pcode") in by_code:
            found = by_name.setdefault(_norm(a["alias"]), [])
            if by_code[a["location_pcode"]] not in found:
                found.append(by_code[a["location_pcode"]])
    return by_name, by_code


def _package() -> str:
    from .. import _paths

    return str((_paths.find_package() or _paths.snapshot_package()).resolve())


def _describe(row: dict) -> str:
    return f"{row['name']} ({row['level']}, {row['location_pcode']})"


def pcode_hint(field: str | None, value, package: str | None = None) -> str:
    """What a place name written in a P-code field stands for, a sentence to add to a message ("" if nothing).

    Examples
    --------
    >>> pcode_hint("admin3_pcode", "Bhamo")
    'Bhamo is a township: its P-code is MMR001010; write that'
    >>> pcode_hint("admin3_pcode", "Waingmaw Town")
    'Waingmaw Town is a town (MMR001002701) in the township Waingmaw, whose P-code is MMR001002; write that'
    >>> pcode_hint("admin3_pcode", "MMR01010"), pcode_hint("notes", "Bhamo")
    ('', '')
    """
    if not field or not field.endswith("_pcode") or not isinstance(value, str) or not value.strip():
        return ""
    from ..gazetteer import _norm

    try:
        by_name, by_code = _index(package or _package())
    except Exception:  # a hint must never cost the finding it adds to (an unreadable gazetteer, say)
        return ""
    found = by_name.get(_norm(value), [])
    if not found:
        return ""
    found = sorted(found, key=lambda r: (r.get("status") != "active", r["location_pcode"]))
    level = ADMIN_LEVELS.get(field)
    if level is None:  # location_pcode, parent_pcode: a place of any level
        listed = "; ".join(f"{_describe(r)} is {r['location_pcode']}" for r in found[:_SHOWN])
        return (f"{value.strip()!r} is a place name, not a P-code: {listed}; write the code of the place meant "
                "(or write its name in the location column and leave the code empty)")
    exact = [r for r in found if r["level"] == level]
    if exact:
        codes = " or ".join(r["location_pcode"] for r in exact[:_SHOWN])
        return f"{exact[0]['name']} is a {level}: its P-code is {codes}; write that"
    # A place below the level (a town, a village): the unit of that level it lies in.
    for r in found:
        unit = by_code.get(r.get(field) or "")
        if unit is not None:
            return (f"{r['name']} is a {r['level']} ({r['location_pcode']}) in the {level} {unit['name']}, whose "
                    f"P-code is {unit['location_pcode']}; write that")
    return ""
