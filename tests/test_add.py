"""``kachin-events add``: a submission becomes a report folder, all at once or not at all.

Every test works on a copy of the repository (datapackage.json and data/); the schemas
come from the package.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kachin_events import add_submission, validate
from kachin_events.cli import cli
from kachin_events.validation.read import read_file
from kachin_events.schema import get_schema

ROOT = Path(__file__).resolve().parent.parent
NEW_REPORT = ROOT / "tests" / "data" / "valid" / "new_report"
TODAY = dt.date(2026, 3, 1)
SOURCE = "fixture-2026-02-report"
FOLDER = f"data/reports/{SOURCE}"
RETIRED = "event_id,retired_on,reason,merged_into,note\nKE000030,2026-02-20,false,,Retired for the tests of add.\n"
REPORT_FILES = ("sources.csv", "events.csv", "event_sources.csv", "event_actors.csv", "event_tags.csv", "CODING.md")


def make_repo(root: Path) -> Path:
    """A copy of the repository's data package, with event KE000030 retired."""
    root.mkdir(parents=True, exist_ok=True)
    shutil.copy(ROOT / "datapackage.json", root / "datapackage.json")
    shutil.copytree(ROOT / "data", root / "data")
    (root / "data" / "retractions.csv").write_text(RETIRED, encoding="utf-8")
    return root


@pytest.fixture
def repo(tmp_path, monkeypatch):
    root = make_repo(tmp_path / "repo")
    monkeypatch.chdir(root)
    return root


@contextmanager
def temp_repo():
    """make_repo for hypothesis examples (function-scoped fixtures are shared across them)."""
    with tempfile.TemporaryDirectory() as d:
        yield make_repo(Path(d) / "repo"), Path(d)


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def digest(root: Path) -> dict[str, str]:
    return {k: hashlib.sha256(v).hexdigest() for k, v in tree(root).items()}


def rows(path: Path) -> list[dict]:
    parts, _ = read_file(path)
    (raw,) = parts.values()
    names = get_schema(raw.table).field_names
    return [dict(zip(names, r)) for r in raw.rows]


def copy_submission(dest: Path, **replace) -> Path:
    """new_report copied to ``dest``; ``replace`` maps a file name to (old, new) text."""
    shutil.copytree(NEW_REPORT, dest)
    for name, (old, new) in replace.items():
        path = dest / name
        text = path.read_text(encoding="utf-8")
        assert old in text
        path.write_text(text.replace(old, new), encoding="utf-8")
    return dest


def package_paths(root: Path) -> dict[str, list[str]]:
    desc = json.loads((root / "datapackage.json").read_text(encoding="utf-8"))
    return {r["name"]: ([r["path"]] if isinstance(r["path"], str) else r["path"]) for r in desc["resources"]}


# -- (a) a new report folder ------------------------------------------------------------------


def test_adds_a_new_report_folder(repo, tmp_path):
    before = tree(repo)
    result = add_submission(NEW_REPORT, today=TODAY)
    assert result.valid and result.written, result.to_text()
    # KE000030 is retired: ids continue after the highest ever used.
    assert [e["event_id"] for e in result.ids] == ["KE000031"]
    assert result.ids[0]["submitted"] == "KE900001"
    assert any("KE900001" in n and "KE000031" in n for n in result.notices)
    folder = repo / FOLDER
    assert sorted(p.name for p in folder.iterdir()) == sorted(REPORT_FILES)
    assert [r["event_id"] for r in rows(folder / "events.csv")] == ["KE000031"]
    for name in ("event_sources.csv", "event_actors.csv", "event_tags.csv"):
        assert {r["event_id"] for r in rows(folder / name)} == {"KE000031"}
    # Every file that was there is as it was; only datapackage.json gained paths.
    after = tree(repo)
    for path, data in before.items():
        if path != "datapackage.json":
            assert after[path] == data, path
    listed = package_paths(repo)
    for table in ("sources", "events", "event_sources", "event_actors", "event_tags"):
        assert f"{FOLDER}/{table}.csv" in listed[table]
    old = json.loads(before["datapackage.json"])
    new = json.loads(after["datapackage.json"])
    assert {k: v for k, v in old.items() if k != "resources"} == {k: v for k, v in new.items() if k != "resources"}
    assert after["datapackage.json"].decode() == json.dumps(new, indent=2, ensure_ascii=False) + "\n"
    # The stub notes, and the warning to write them.
    assert "still to be written" in (folder / "CODING.md").read_text(encoding="utf-8")
    assert "coding-notes" in {f.rule for f in result.report.warnings}
    assert not list((repo / "data").glob(".add-tmp-*"))
    # The repository validates, from the library and from the command line.
    assert validate(repo / "datapackage.json", today=TODAY).valid
    out = CliRunner().invoke(cli, ["validate", "--today", TODAY.isoformat()])
    assert out.exit_code == 0, out.output
    assert out.output.splitlines()[-1].startswith("valid:")


def test_notes_file_becomes_coding_md(repo, tmp_path):
    notes = tmp_path / "notes.md"
    notes.write_text("# Coder's note\n\nThe dates come from the report's own dateline.\n", encoding="utf-8")
    result = add_submission(NEW_REPORT, today=TODAY, notes=notes)
    assert result.valid, result.to_text()
    assert (repo / FOLDER / "CODING.md").read_bytes() == notes.read_bytes()
    assert "coding-notes" not in {f.rule for f in result.report.findings}


def test_temporary_and_empty_ids(repo, tmp_path):
    linked = ("event_sources.csv", "event_actors.csv", "event_tags.csv")
    sub = copy_submission(tmp_path / "sub", **{n: ("KE900001", "new-1") for n in ("events.csv", *linked)})
    events = sub / "events.csv"
    lines = events.read_text(encoding="utf-8").splitlines()
    second = lines[1].replace("new-1,2026-02-05,2026-02-05", "A,2026-02-03,2026-02-03", 1)
    events.write_text("\n".join([*lines, second]) + "\n", encoding="utf-8")
    for name in linked:
        path = sub / name
        body = path.read_text(encoding="utf-8").splitlines()
        path.write_text("\n".join([*body, body[1].replace("new-1", "A", 1)]) + "\n", encoding="utf-8")
    result = add_submission(sub, today=TODAY)
    assert result.valid, result.to_text()
    assert [(e["submitted"], e["row"], e["event_id"]) for e in result.ids] == [
        ("new-1", 2, "KE000031"), ("A", 3, "KE000032")]
    assert not result.notices
    for name in linked:
        assert [r["event_id"] for r in rows(repo / FOLDER / name)] == ["KE000031", "KE000032"]


def test_one_event_may_leave_its_id_empty(repo, tmp_path):
    sub = copy_submission(tmp_path / "sub", **{n: ("KE900001,", ",") for n in (
        "events.csv", "event_sources.csv", "event_actors.csv", "event_tags.csv")})
    result = add_submission(sub, today=TODAY)
    assert result.valid, result.to_text()
    assert [(e["submitted"], e["event_id"]) for e in result.ids] == [(None, "KE000031")]
    assert [r["event_id"] for r in rows(repo / FOLDER / "event_tags.csv")] == ["KE000031"]


def test_an_id_already_used_is_refused(repo, tmp_path):
    before = digest(repo)
    for used, rule in (("KE000001", "primary-key"), ("KE000030", "base-id-reused")):
        sub = copy_submission(tmp_path / used, **{n: ("KE900001", used) for n in ("events.csv", "event_sources.csv")})
        result = add_submission(sub, today=TODAY)
        assert not result.valid
        (err,) = [f for f in result.report.errors if f.rule == rule]
        assert (Path(err.file).name, err.row, err.field, err.value) == ("events.csv", 2, "event_id", used)
    assert digest(repo) == before


# -- (b) a second batch --------------------------------------------------------------------------


def test_second_batch_appends(repo, tmp_path):
    assert add_submission(NEW_REPORT, today=TODAY).valid
    before = tree(repo)
    sub = copy_submission(tmp_path / "sub2", **{"events.csv": ("KE900001,2026-02-05,2026-02-05", "A,2026-02-02,2026-02-02"),
                                                 **{n: ("KE900001", "A") for n in ("event_sources.csv", "event_actors.csv",
                                                                                   "event_tags.csv")}})
    result = add_submission(sub, today=TODAY)
    assert result.valid, result.to_text()
    assert [e["event_id"] for e in result.ids] == ["KE000032"]
    after = tree(repo)
    assert after["datapackage.json"] == before["datapackage.json"]
    assert after[f"{FOLDER}/sources.csv"] == before[f"{FOLDER}/sources.csv"]
    assert after[f"{FOLDER}/CODING.md"] == before[f"{FOLDER}/CODING.md"]
    for name in ("events.csv", "event_sources.csv", "event_actors.csv", "event_tags.csv"):
        old, new = before[f"{FOLDER}/{name}"], after[f"{FOLDER}/{name}"]
        assert new.startswith(old) and new.count(b"\n") == old.count(b"\n") + 1, name
    assert {a["action"] for a in result.files} == {"added rows"}
    assert validate(repo / "datapackage.json", today=TODAY).valid


def test_second_batch_with_another_sources_row_is_refused(repo, tmp_path):
    assert add_submission(NEW_REPORT, today=TODAY).valid
    before = digest(repo)
    sub = copy_submission(tmp_path / "sub2", **{"sources.csv": ("Fixture Outlet", "Another Outlet")})
    result = add_submission(sub, today=TODAY)
    assert not result.valid
    assert any(f.rule == "primary-key" and Path(f.file).name == "sources.csv" and f.row == 2
               for f in result.report.errors), result.to_text()
    assert digest(repo) == before


# -- (c) invalid and (d) dry runs change nothing -----------------------------------------------------


def test_invalid_submission_changes_nothing(repo, tmp_path):
    before = digest(repo)
    sub = copy_submission(tmp_path / "sub", **{"events.csv": ("2026-02-05,2026-02-05", "2026-02-05,2026-02-01")})
    result = add_submission(sub, today=TODAY)
    assert not result.valid and not result.written and result.exit_code == 1
    (err,) = result.report.errors
    assert (Path(err.file), err.row, err.field, err.rule) == (sub / "events.csv", 2, "date_end", "date-order")
    assert "Nothing was written" in result.to_text()
    assert digest(repo) == before


def test_dry_run_changes_nothing(repo):
    before = digest(repo)
    result = add_submission(NEW_REPORT, today=TODAY, dry_run=True)
    assert result.valid and not result.written
    assert [e["event_id"] for e in result.ids] == ["KE000031"]
    assert {f["path"] for f in result.files} == {f"{FOLDER}/{n}" for n in REPORT_FILES} | {"datapackage.json"}
    assert "Dry run: nothing was written." in result.to_text()
    assert digest(repo) == before


def test_a_failed_write_is_undone(repo, monkeypatch):
    import os

    before = digest(repo)
    real, calls = os.replace, []

    def flaky(src, dst):
        calls.append(dst)
        if len(calls) == 4:
            raise OSError("disk full")
        return real(src, dst)

    monkeypatch.setattr(os, "replace", flaky)
    with pytest.raises(OSError, match="disk full"):
        add_submission(NEW_REPORT, today=TODAY)
    monkeypatch.setattr(os, "replace", real)
    assert digest(repo) == before
    assert not (repo / FOLDER).exists()


# -- (e) properties -------------------------------------------------------------------------------------

BASE_EVENT = rows(NEW_REPORT / "events.csv")[0]
LINKED = {name: rows(NEW_REPORT / f"{name}.csv") for name in ("event_sources", "event_actors", "event_tags")}
# Burmese comes as whole Unicode words: a lone medial (ျ) after punctuation is how Zawgyi
# text looks, and the zawgyi rule refuses it.
NOTE_TEXT = st.lists(st.sampled_from(list("abcdefghij KLMNO,.;\"'\n-()") + ["ဗန်းမော်", "ကျောက်", "မြစ်"]),
                     max_size=40).map("".join)


@st.composite
def fatalities(draw):
    if draw(st.booleans()):
        return {"fatalities_best": None, "fatalities_low": None, "fatalities_high": None}
    low = draw(st.integers(0, 50))
    best = low + draw(st.integers(0, 20))
    return {"fatalities_best": str(best), "fatalities_low": str(low), "fatalities_high": str(best + draw(st.integers(0, 20)))}


@st.composite
def new_events(draw):
    out = []
    for n in range(draw(st.integers(1, 5))):
        day = dt.date(2026, 1, 1) + dt.timedelta(days=draw(st.integers(0, 34)))  # up to 2026-02-04
        ev = dict(BASE_EVENT, event_id=f"t{n}", date_start=day.isoformat(), date_end=day.isoformat(),
                  notes=f"Generated event {n}: {draw(NOTE_TEXT)}.", **draw(fatalities()))
        out.append(ev)
    return out


def write_submission(folder: Path, events: list[dict], bad: tuple | None = None) -> dict[str, list[dict]]:
    """A folder of CSVs for these events (with new_report's source and linked rows)."""
    from kachin_events.tablefiles import csv_bytes

    tables = {"sources": rows(NEW_REPORT / "sources.csv"), "events": events}
    for name, linked in LINKED.items():
        tables[name] = [dict(linked[0], event_id=e["event_id"]) for e in events]
    if bad is not None:
        table, field, value = bad
        tables[table][0] = dict(tables[table][0], **{field: value})
    folder.mkdir()
    for name, recs in tables.items():
        fields = get_schema(name).field_names
        (folder / f"{name}.csv").write_bytes(csv_bytes(fields, ([r[f] or "" for f in fields] for r in recs)))
    return tables


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(events=new_events())
def test_any_valid_submission_only_adds(events):
    with temp_repo() as (root, tmp):
        before = tree(root)
        submitted = write_submission(tmp / "sub", events)
        result = add_submission(tmp / "sub", package=root, today=TODAY)
        assert result.valid, result.to_text()
        after = tree(root)
        for path, data in before.items():
            if path != "datapackage.json":
                assert after[path] == data, path
        new_ids = {e["submitted"]: e["event_id"] for e in result.ids}
        assert len(set(new_ids.values())) == len(events)
        for table, recs in submitted.items():
            written = rows(root / FOLDER / f"{table}.csv")
            for rec in recs:
                want = dict(rec, event_id=new_ids[rec["event_id"]]) if "event_id" in rec else rec
                assert written.count(want) == 1, (table, want)
            assert len(written) == len(recs)


BAD_CELLS = [
    ("events", "date_start", "2026-13-01"),
    ("events", "event_type", "Battle"),
    ("events", "fatalities_best", "-1"),
    ("events", "latitude", "north"),
    ("events", "date_precision", "daily"),
    ("event_actors", "side", "x"),
    ("event_sources", "claimant_type", "nobody"),
    ("event_tags", "quantity", "3.5"),
    ("sources", "publication_date_earliest", "5 Feb 2026"),
]


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(events=new_events(), bad=st.sampled_from(BAD_CELLS))
def test_any_invalid_submission_changes_nothing(events, bad):
    with temp_repo() as (root, tmp):
        before = digest(root)
        write_submission(tmp / "sub", events, bad)
        result = add_submission(tmp / "sub", package=root, today=TODAY)
        assert not result.valid and result.exit_code == 1
        table, field, _ = bad
        assert any((Path(f.file).name, f.row, f.field) == (f"{table}.csv", 2, field) for f in result.report.errors), \
            result.to_text()
        assert digest(root) == before


# -- (f) the command line ---------------------------------------------------------------------------------


def test_cli_exit_codes(repo, tmp_path):
    runner = CliRunner()
    day = ["--today", TODAY.isoformat()]
    bad = copy_submission(tmp_path / "bad", **{"events.csv": ("Battles,Armed clash", "Battle,Armed clash")})
    out = runner.invoke(cli, ["add", str(bad), *day])
    assert out.exit_code == 1, out.output
    assert "enum" in out.output and "Nothing was written" in out.output
    out = runner.invoke(cli, ["add", str(tmp_path / "missing"), *day])
    assert out.exit_code == 2, out.output
    out = runner.invoke(cli, ["add", str(NEW_REPORT), "--today", "March"])
    assert out.exit_code == 2
    nosource = copy_submission(tmp_path / "nosource")
    (nosource / "sources.csv").unlink()
    out = runner.invoke(cli, ["add", str(nosource), *day])
    assert out.exit_code == 2 and "--source-id" in out.output
    out = runner.invoke(cli, ["add", str(NEW_REPORT), "--dry-run", "--format", "json", *day])
    assert out.exit_code == 0, out.output
    doc = json.loads(out.output)
    assert doc["valid"] and doc["dry_run"] and not doc["written"]
    assert doc["ids"][0]["event_id"] == "KE000031"
    assert not (repo / FOLDER).exists()
    out = runner.invoke(cli, ["add", str(NEW_REPORT), "--format", "github", *day])
    assert out.exit_code == 0, out.output
    assert "::warning file=" in out.output and "KE000031" in out.output
    assert (repo / FOLDER / "events.csv").is_file()


# -- (g) names instead of codes ----------------------------------------------------------------------------


def test_workbook_with_names_is_written_with_codes(repo, tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    pytest.importorskip("kachin_events.contrib.resolve")
    event = dict(BASE_EVENT, event_id="1", actor1="Kachin Independence Army", actor2="KIA", location="Mong Nar",
                 admin1_pcode=None, admin2_pcode=None, admin3_pcode=None, location_pcode=None)
    # Mong Nar is a village tract without a point in the gazetteer: the coder gives one.
    event["actor2"] = "myanmar_military"
    claim = dict(LINKED["event_sources"][0], event_id="1", claimant="Colonel Zau Test, KIA spokesperson",
                 claimant_type=None, claimant_actor_id=None, claimant_id="Zau Test")
    claimant = {"claimant_id": "zau_test", "name": "Zau Test", "claimant_type": "party_spokesperson",
                "actor_id": "KIA", "role": "A spokesperson made up for the tests of add."}
    sheets = {"sources": rows(NEW_REPORT / "sources.csv"), "events": [event], "event_sources": [claim],
              "event_actors": [dict(LINKED["event_actors"][0], event_id="1")],
              "event_tags": [dict(LINKED["event_tags"][0], event_id="1")], "claimants": [claimant]}
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, recs in sheets.items():
        ws = wb.create_sheet(name)
        fields = get_schema(name).field_names
        ws.append(fields)
        for rec in recs:
            ws.append([rec.get(f) for f in fields])
    path = tmp_path / "report.xlsx"
    wb.save(path)
    claimants_before = (repo / "data" / "claimants.csv").read_bytes()
    result = add_submission(path, today=TODAY, notes=None)
    assert result.valid, result.to_text()
    (written,) = rows(repo / FOLDER / "events.csv")
    assert (written["actor1"], written["location_pcode"], written["admin3_pcode"]) == ("kia", "MMR001002006", "MMR001002")
    assert (written["latitude"], written["longitude"]) == (BASE_EVENT["latitude"], BASE_EVENT["longitude"])
    (claim_row,) = rows(repo / FOLDER / "event_sources.csv")
    assert claim_row["claimant_id"] == "zau_test"
    after = (repo / "data" / "claimants.csv").read_bytes()
    assert len(after) > len(claimants_before)
    added = [r for r in rows(repo / "data" / "claimants.csv") if r["claimant_id"] == "zau_test"]
    assert added == [dict(claimant, actor_id="kia")]
    assert validate(repo / "datapackage.json", today=TODAY).valid
