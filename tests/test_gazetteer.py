"""The gazetteer: built from reference/, identical to data/, and its lookups work."""

from __future__ import annotations

import csv
import shutil
from collections import Counter
from pathlib import Path

import pytest

from kachin_events.gazetteer import (
    build_gazetteer,
    haversine_km,
    resolve,
    township_points,
    write_gazetteer,
)
from kachin_events.schema import get_schema

ROOT = Path(__file__).resolve().parent.parent
REF = ROOT / "reference"
DATA = ROOT / "data"


@pytest.fixture(scope="module")
def built():
    return build_gazetteer(REF / "mimu", REF / "sites.csv", REF / "aliases.csv")


@pytest.fixture(scope="module")
def by_code(built):
    return {r["location_pcode"]: r for r in built[0]}


def _codes(rows):
    return [r["location_pcode"] for r in rows]


def test_levels_counts(built):
    levels = Counter(r["level"] for r in built[0])
    assert levels["state"] == 1
    assert levels["district"] == 4
    assert levels["township"] == 18
    assert levels["town"] == 33
    assert levels["village_tract"] == 604
    assert levels["ward"] == 178


def test_every_township_has_point_and_namesake_town(built, by_code):
    townships = [r for r in built[0] if r["level"] == "township"]
    points = township_points(built[0])
    assert sorted(points) == sorted(_codes(townships))
    for tsp in townships:
        town = [t for t in built[0] if t["level"] == "town"
                and t["admin3_pcode"] == tsp["location_pcode"]
                and t["name"] == f"{tsp['name']} Town"]
        assert len(town) == 1, tsp["location_pcode"]
        assert (tsp["latitude"], tsp["longitude"]) == (town[0]["latitude"],
                                                       town[0]["longitude"])
        assert tsp["coord_method"] == "proxy_town"
        assert town[0]["location_pcode"] in tsp["notes"]
        assert (float(tsp["latitude"]), float(tsp["longitude"])) in \
            points[tsp["location_pcode"]]
    assert by_code["MMR001014"]["notes"].count("Puta-O Town") == 1
    assert by_code["MMR001"]["latitude"] == by_code["MMR001001701"]["latitude"]


def test_hierarchy(built, by_code):
    for r in built[0]:
        if r["parent_pcode"]:
            assert r["parent_pcode"] in by_code, r["location_pcode"]
    assert by_code["MMR001010"]["parent_pcode"] == "MMR001D003"
    assert by_code["MMR001D003"]["parent_pcode"] == "MMR001"
    assert by_code["MMR001010701516"]["parent_pcode"] == "MMR001010701"  # ward -> town
    assert by_code["MMR001007023"]["parent_pcode"] == "MMR001007"  # VT -> township
    assert by_code["KES004"]["parent_pcode"] == "MMR001D002"
    assert by_code["KES004"]["admin3_pcode"] == ""


def test_generated_files_match_reference(built, tmp_path):
    """data/ is generated: rebuilding gives the same bytes, so no hand edits."""
    out = tmp_path / "data"
    out.mkdir()
    written = write_gazetteer(out, ROOT)
    for path in written:
        assert path.read_bytes() == (DATA / path.name).read_bytes(), path.name
    raw = (DATA / "locations.csv").read_bytes()
    assert b"\r" not in raw
    header = raw.split(b"\n", 1)[0].decode("utf-8")
    assert header == ",".join(get_schema("locations").field_names)
    # No temp files left behind by the atomic write.
    assert sorted(p.name for p in out.iterdir()) == ["location_aliases.csv",
                                                      "locations.csv"]


def test_rows_sorted_and_numbers_deterministic(built):
    locations, aliases = built
    assert _codes(locations) == sorted(_codes(locations))
    keys = [(a["alias"], a["location_pcode"]) for a in aliases]
    assert keys == sorted(keys)
    for r in locations:
        for k in ("latitude", "longitude"):
            if r[k]:
                assert len(r[k].split(".")[1]) == 5, (r["location_pcode"], r[k])
    by_code = {r["location_pcode"]: r for r in locations}
    assert by_code["MMR001009701"]["latitude"] == "25.61280"  # MIMU's trailing zero


@pytest.mark.parametrize(("name", "code"), [
    ("Indawgyi", "MMR001007703"),
    ("indawgyi", "MMR001007703"),
    ("Hepu", "MMR001007023"),
    ("He Pu", "MMR001007023"),
    ("HEPU", "MMR001007023"),
    ("Mongnar", "MMR001002006"),
    ("Mong Nar", "MMR001002006"),
    ("Putao", "MMR001014"),
    ("Putao", "MMR001014701"),
    ("Banmaw", "MMR001010701"),
    ("Bhamaw", "MMR001010"),
    ("Hpakant-Indawgyi road", "KES004"),
    ("Shwenyaung Village", "KES007"),
    ("Lamyan Village", "KES006"),
])
def test_aliases_resolve(built, name, code):
    assert code in _codes(resolve(name, *built))


def test_resolve_from_files_and_active_first():
    found = resolve("aung thar", DATA / "locations.csv", DATA / "location_aliases.csv")
    assert [r["status"] for r in found] == ["active", "inactive"]
    assert found[-1]["location_pcode"] == "MMR001010048"
    assert resolve("no such place", DATA / "locations.csv") == []


@pytest.mark.parametrize("code", [
    "MMR001010048",  # Aung Thar, VTtoWard
    "MMR001001006",  # Pam Ma Tee, VTtoWard
    "MMR001008030",  # Nam Ma Tee, VTtoTown
    "MMR001004013",  # Shein Bway Kawng, deleted
])
def test_inactive_mimu_units(by_code, code):
    assert by_code[code]["status"] == "inactive"
    assert "Inactive in MIMU" in by_code[code]["notes"]


def test_status_counts(built, by_code):
    inactive = [r for r in built[0] if r["status"] == "inactive"]
    assert len(inactive) == 16
    assert {r["level"] for r in inactive} == {"village_tract"}
    # Renamed and split village tracts keep their code and stay current.
    assert by_code["MMR001007018"]["status"] == "active"  # Name Change
    assert by_code["MMR001008018"]["status"] == "active"  # Split
    assert by_code["MMR001015041"]["status"] == "active"  # GAD status N/A


def test_sites_are_approximate(built):
    sites = [r for r in built[0] if r["location_pcode"].startswith("KES")]
    assert _codes(sites) == [f"KES00{i}" for i in range(1, 8)]
    for r in sites:
        assert r["coord_method"] in {"proxy_town", "midpoint"}, r["location_pcode"]
        assert r["latitude"] and r["longitude"]
        assert "Approximate" in r["notes"]
        assert r["source"] == "project" and r["status"] == "active"
    by_code = {r["location_pcode"]: r for r in sites}
    assert (by_code["KES003"]["latitude"], by_code["KES003"]["longitude"]) == \
        ("24.25294", "97.29047")


def test_haversine():
    assert haversine_km(25.0, 97.0, 25.0, 97.0) == 0.0
    # One degree of latitude is about 111.2 km.
    assert haversine_km(25.0, 97.0, 26.0, 97.0) == pytest.approx(111.19, abs=0.01)
    a = haversine_km(25.38749, 97.39036, 24.25493, 97.23441)
    assert a == pytest.approx(haversine_km(24.25493, 97.23441, 25.38749, 97.39036))
    assert 120 < a < 135  # Myitkyina Town to Bhamo Town


def _copy_mimu(tmp_path: Path) -> Path:
    mimu = tmp_path / "mimu"
    shutil.copytree(REF / "mimu", mimu)
    for p in mimu.iterdir():
        p.chmod(0o644)
    return mimu


def _edit(path: Path, code: str, column: str, value: str) -> None:
    with open(path, encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    fields = list(rows[0])
    for r in rows:
        if code in r.values():
            r[column] = value
    with open(path, "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def test_township_in_two_districts_fails(tmp_path):
    mimu = _copy_mimu(tmp_path)
    _edit(mimu / "kachin_village_tracts.csv", "MMR001007023", "District/SAZ_Pcode",
          "MMR001D001")
    with pytest.raises(ValueError, match="township MMR001007"):
        build_gazetteer(mimu, REF / "sites.csv", REF / "aliases.csv")


def test_row_outside_state_fails(tmp_path):
    mimu = _copy_mimu(tmp_path)
    _edit(mimu / "kachin_towns.csv", "MMR001009701", "SR_Pcode", "MMR002")
    with pytest.raises(ValueError, match="kachin_towns.csv, line"):
        build_gazetteer(mimu, REF / "sites.csv", REF / "aliases.csv")


def test_missing_namesake_town_fails(tmp_path):
    mimu = _copy_mimu(tmp_path)
    _edit(mimu / "kachin_towns.csv", "MMR001009701", "Town_Name_Eng", "Hpakan Town")
    with pytest.raises(ValueError, match="no town 'Hpakant Town'"):
        build_gazetteer(mimu, REF / "sites.csv", REF / "aliases.csv")


def test_dangling_alias_fails(tmp_path):
    aliases = tmp_path / "aliases.csv"
    aliases.write_text("alias,location_pcode,note\nNowhere,KES999,\n", encoding="utf-8")
    with pytest.raises(ValueError, match="line 2"):
        build_gazetteer(REF / "mimu", REF / "sites.csv", aliases)
