"""Building a release: layout, descriptor, reproducibility, safety, and Parquet that
reads back as exactly the CSV rows in pyarrow, polars and DuckDB."""

from __future__ import annotations

import datetime as dt
import fcntl
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kachin_events.cli import cli
from kachin_events.release import build
from kachin_events.release.build import build_release
from kachin_events.release.diff import read_csv_text
from kachin_events.release.layout import expected_files, zip_name
from kachin_events.release.verify import verify_release
from kachin_events.release.versioning import check_version
from kachin_events.schema import TABLES, get_schema
from kachin_events.tablefiles import format_cell, read_table_parquet, write_table_csv, write_table_parquet
from kachin_events.tables import read_tables
from kachin_events.validation.coerce import polars_dtype

REPO = Path(__file__).resolve().parents[1]
PACKAGE = REPO / "datapackage.json"
VERSION = "0.1.0"


def _tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def releases(tmp_path_factory) -> Path:
    """A folder of releases holding 0.1.0 built from the repository package."""
    out = tmp_path_factory.mktemp("releases")
    with pytest.MonkeyPatch.context() as mp:
        mp.delenv("SOURCE_DATE_EPOCH", raising=False)
        build_release(VERSION, out, PACKAGE)
    return out


@pytest.fixture(scope="module")
def release(releases) -> Path:
    return releases / VERSION


def assert_sums_agree_with_descriptor(folder: Path) -> None:
    """SHA256SUMS lists every file but itself with the hash the descriptor gives it (read
    without the package's parsers, which are what is being checked)."""
    sums = {}
    for line in (folder / "SHA256SUMS").read_text(encoding="utf-8").splitlines():
        digest, sep, rel = line.partition("  ")
        assert sep and re.fullmatch("[0-9a-f]{64}", digest), line
        sums[rel] = digest
    desc = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    declared = {r["path"]: r["hash"] for r in desc["resources"]}
    assert set(sums) == set(declared) | {"datapackage.json", "CHANGELOG.md"}
    for rel, value in declared.items():
        assert value == f"sha256:{sums[rel]}", rel
    for rel, digest in sums.items():
        assert hashlib.sha256((folder / rel).read_bytes()).hexdigest() == digest, rel


def _expected_files() -> set[str]:
    files = {"datapackage.json", "SHA256SUMS", "CHANGELOG.md", "exports/acled.csv", "exports/ucdp_ged.csv",
             "exports/events_hxl.csv", "exports/events.geojson", "exports/deletions.csv",
             "exports/events_flat.csv", "exports/events_flat.parquet"}
    return files | {f"csv/{t}.csv" for t in TABLES} | {f"parquet/{t}.parquet" for t in TABLES}


# -- layout and descriptor ---------------------------------------------------------------


def test_layout_is_exactly_the_documented_one(releases, release):
    assert sorted(p.name for p in releases.iterdir()) == [VERSION, zip_name(VERSION)]
    assert set(_tree(release)) == _expected_files()
    assert expected_files() == _expected_files()  # the layout module states the documented layout
    assert verify_release(release) == []


def test_sha256sums_lists_every_other_file_sorted(release):
    lines = (release / "SHA256SUMS").read_text(encoding="utf-8").splitlines()
    paths = [line.split("  ", 1)[1] for line in lines]
    assert paths == sorted(_expected_files() - {"SHA256SUMS"})
    for line in lines:
        digest, rel = line.split("  ", 1)
        assert digest == hashlib.sha256((release / rel).read_bytes()).hexdigest()


def test_csv_files_are_canonical(release):
    for t in TABLES:
        raw = (release / "csv" / f"{t}.csv").read_bytes()
        assert b"\r\n" not in raw and not raw.startswith(b"\xef\xbb\xbf")
        header, rows = read_csv_text(release / "csv" / f"{t}.csv")
        schema = get_schema(t)
        assert header == schema.field_names
        pos = [header.index(k) for k in schema.primary_key]
        keys = [tuple(r[p] for p in pos) for r in rows]
        assert len(rows) == read_tables(PACKAGE)[t].height
        # Sorted by the typed key: here every key column is text, so text order is key order.
        assert keys == sorted(keys) and len(set(keys)) == len(keys)


def test_descriptor(release):
    desc = json.loads((release / "datapackage.json").read_text(encoding="utf-8"))
    source = json.loads(PACKAGE.read_text(encoding="utf-8"))
    assert desc["$schema"] == "https://datapackage.org/profiles/2.0/datapackage.json"
    assert desc["version"] == VERSION
    # No SOURCE_DATE_EPOCH: the latest publication_date_latest of the sources, at midnight UTC.
    latest = read_tables(PACKAGE)["sources"]["publication_date_latest"].max()
    assert desc["created"] == f"{latest.isoformat()}T00:00:00Z"
    for key in ("name", "title", "licenses", "sources", "contributors"):
        assert desc[key] == source[key]
    names = [r["name"] for r in desc["resources"]]
    assert names == [*TABLES, *(f"{t}-parquet" for t in TABLES), "acled-export", "ucdp-export", "events-hxl",
                     "events-geojson", "deletions", "events-flat", "events-flat-parquet"]
    files = _tree(release)
    for res in desc["resources"]:
        data = files[res["path"]]
        assert res["bytes"] == len(data)
        assert res["hash"] == "sha256:" + hashlib.sha256(data).hexdigest()
        assert res["format"] and res["mediatype"]
    by_name = {r["name"]: r for r in desc["resources"]}
    for t in TABLES:
        on_disk = json.loads(get_schema(t).path.read_text(encoding="utf-8"))
        on_disk.pop("$schema", None)
        assert by_name[t]["schema"] == on_disk  # the full schema, inline, from schemas/
        assert by_name[t]["type"] == "table" and by_name[t]["path"] == f"csv/{t}.csv"
        assert by_name[f"{t}-parquet"]["type"] == "file"
        assert by_name[f"{t}-parquet"]["mediatype"] == "application/vnd.apache.parquet"
    for name in ("acled-export", "ucdp-export", "events-hxl", "deletions"):
        assert by_name[name]["type"] == "table" and by_name[name]["path"].startswith("exports/")
    for name in ("acled-export", "ucdp-export", "events-hxl"):
        assert len(by_name[name]["description"]) > 100  # what it is, its options, what it loses
    assert by_name["deletions"]["path"] == "exports/deletions.csv"
    assert "type" not in by_name["events-geojson"]
    # The flat view, as CSV (a table) and Parquet (a file), with the flat schema inline.
    from kachin_events.flat import flat_descriptor

    assert by_name["events-flat"]["type"] == "table" and by_name["events-flat-parquet"]["type"] == "file"
    assert by_name["events-flat"]["schema"] == by_name["events-flat-parquet"]["schema"] == flat_descriptor()


def test_the_flat_view_is_released_as_csv_and_parquet_with_the_same_rows(release):
    import polars as pl

    from kachin_events.flat import flat_events

    csv_flat = pl.read_csv(release / "exports" / "events_flat.csv", infer_schema=False)
    parquet_flat = pl.read_parquet(release / "exports" / "events_flat.parquet")
    want = flat_events(read_tables(PACKAGE))
    assert csv_flat.columns == parquet_flat.columns == want.columns
    assert parquet_flat.height == csv_flat.height == want.height == read_tables(PACKAGE)["events"].height
    assert parquet_flat.select("event_id", "actor1_name", "township").equals(
        want.select("event_id", "actor1_name", "township"))
    meta = __import__("pyarrow.parquet", fromlist=["x"]).read_schema(release / "exports" / "events_flat.parquet").metadata
    assert meta[b"version"] == VERSION.encode()


def _frictionless(descriptor: Path) -> dict:
    proc = subprocess.run([sys.executable, "-m", "frictionless", "validate", "--json", str(descriptor)],
                          capture_output=True, text=True, timeout=120)
    return json.loads(proc.stdout)


def test_frictionless_validates_the_release_and_checks_parquet_hashes(release, tmp_path):
    report = _frictionless(release / "datapackage.json")
    assert report["valid"], json.dumps(report, indent=1)[:3000]
    checked = {t["name"]: t["type"] for t in report["tasks"]}
    assert checked["events-parquet"] == "file" and checked["events"] == "table"
    # The Parquet resources' bytes and hash are really checked: corrupt one byte.
    copy = tmp_path / VERSION
    shutil.copytree(release, copy)
    target = copy / "parquet" / "events.parquet"
    data = bytearray(target.read_bytes())
    data[len(data) // 2] ^= 0xFF
    target.write_bytes(bytes(data))
    report = _frictionless(copy / "datapackage.json")
    bad = [t for t in report["tasks"] if not t["valid"]]
    assert [t["name"] for t in bad] == ["events-parquet"]
    assert {e["type"] for e in bad[0]["errors"]} == {"hash-count"}


# -- Parquet ------------------------------------------------------------------------------


def _csv_rows(release: Path, table: str) -> list[tuple]:
    return read_csv_text(release / "csv" / f"{table}.csv")[1]


def _as_text(rows, table: str) -> list[tuple]:
    types = [f.type for f in get_schema(table).fields]
    return [tuple(format_cell(v, t) or None for v, t in zip(r, types)) for r in rows]


@pytest.mark.parametrize("table", TABLES)
def test_parquet_equals_csv_in_pyarrow_polars_and_duckdb(release, table):
    import duckdb
    import polars as pl
    import pyarrow.parquet as pq

    path = release / "parquet" / f"{table}.parquet"
    expected = _csv_rows(release, table)
    names = get_schema(table).field_names
    data = pq.read_table(path)
    assert data.column_names == names
    by_arrow = list(zip(*[c.to_pylist() for c in data.columns])) if data.num_rows else []
    assert _as_text(by_arrow, table) == expected
    frame = pl.read_parquet(path)
    assert frame.columns == names
    assert _as_text(frame.rows(), table) == expected
    con = duckdb.connect()
    try:
        cur = con.execute("SELECT * FROM read_parquet(?)", [str(path)])
        assert [d[0] for d in cur.description] == names
        assert _as_text(cur.fetchall(), table) == expected
    finally:
        con.close()


def test_parquet_types_and_metadata(release):
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = get_schema("events")
    pf = pq.ParquetFile(release / "parquet" / "events.parquet")
    arrow = pf.schema_arrow
    assert arrow.field("date_start").type == pa.date32()
    assert arrow.field("fatalities_best").type == pa.int64()
    assert arrow.field("latitude").type == pa.float64()
    assert arrow.field("civilian_targeting").type == pa.bool_()
    assert arrow.field("event_type").type == pa.dictionary(pa.int32(), pa.string())
    assert arrow.field("geo_precision").type == pa.int64()
    assert arrow.field("notes").type == pa.string()
    for f in schema.fields:
        meta = arrow.field(f.name).metadata
        assert meta[b"description"].decode() == f.description
        assert meta[b"title"].decode() == f.title
    assert arrow.metadata[b"description"].decode() == schema.description
    # The version is inside the data: every Parquet file names its release.
    desc = json.loads((release / "datapackage.json").read_text(encoding="utf-8"))
    for t in TABLES:
        meta = pq.read_schema(release / "parquet" / f"{t}.parquet").metadata
        assert meta[b"version"].decode() == desc["version"] == VERSION
        assert meta[b"created"].decode() == desc["created"]
        assert meta[b"name"].decode() == t
    assert pf.metadata.row_group(0).column(0).compression == "ZSTD"
    # Empty integer cells are nulls, not NaN.
    frame = read_table_parquet(release / "parquet" / "events.parquet", "events")
    assert frame["fatalities_best"].null_count() > 0


def test_verify_release_catches_parquet_rows_that_differ_from_csv(release, tmp_path):
    import polars as pl

    copy = tmp_path / VERSION
    shutil.copytree(release, copy)
    frame = read_table_parquet(copy / "parquet" / "actors.parquet", "actors")
    frame = frame.with_columns(pl.when(pl.col("actor_id") == "kia").then(pl.lit("Someone else"))
                               .otherwise(pl.col("name")).alias("name"))
    write_table_parquet(frame, copy / "parquet" / "actors.parquet", "actors")
    problems = verify_release(copy)
    assert any("parquet/actors.parquet: rows differ from csv/actors.csv" in p for p in problems)
    assert any("parquet/actors.parquet" in p and "SHA256SUMS" in p for p in problems)


def test_verify_release_catches_a_parquet_file_that_names_another_version(release, tmp_path):
    import pyarrow.parquet as pq

    copy = tmp_path / VERSION
    shutil.copytree(release, copy)
    path = copy / "parquet" / "actors.parquet"
    data = pq.read_table(path)
    pq.write_table(data.replace_schema_metadata({**data.schema.metadata, b"version": b"0.0.9"}), path)
    problems = verify_release(copy)
    assert "parquet/actors.parquet: its metadata says version '0.0.9', the release is '0.1.0'" in problems
    assert not any("parquet/events.parquet" in p for p in problems)


# -- reproducibility and safety ----------------------------------------------------------


def test_sha256sums_agrees_with_the_descriptor(release):
    assert_sums_agree_with_descriptor(release)


def test_rebuild_in_another_process_hash_seed_and_time_zone_is_byte_identical(releases, tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("SOURCE_DATE_EPOCH", "PYTHONHASHSEED", "TZ")}
    env["PYTHONHASHSEED"] = "4242" if os.environ.get("PYTHONHASHSEED") != "4242" else "7"
    env["TZ"] = "Pacific/Auckland" if os.environ.get("TZ") != "Pacific/Auckland" else "America/Los_Angeles"
    probe = subprocess.run([sys.executable, "-c", "import time, sys; print(time.strftime('%z'), hash('kachin'))"],
                           env=env, capture_output=True, text=True, check=True)
    offset, seeded = probe.stdout.split()
    assert offset not in ("+0000", "-0000")  # the zone really is in force (tzdata is installed)
    assert int(seeded) != hash("kachin")  # and strings hash differently from this process
    again = tmp_path / "again"
    proc = subprocess.run([sys.executable, "-m", "kachin_events", "build", "--version", VERSION, "--out", str(again),
                           "--package", str(PACKAGE)], env=env, cwd=tmp_path, capture_output=True, text=True,
                          timeout=600)
    assert proc.returncode == 0, proc.stderr
    assert _tree(again) == _tree(releases)
    assert_sums_agree_with_descriptor(again / VERSION)


def test_rebuild_is_byte_identical_zip_included(releases, tmp_path):
    again = tmp_path / "again"
    with pytest.MonkeyPatch.context() as mp:
        mp.delenv("SOURCE_DATE_EPOCH", raising=False)
        build_release(VERSION, again, PACKAGE)
    assert _tree(again) == _tree(releases)


def test_zip_holds_the_same_files_with_fixed_times_and_modes(releases, release):
    top = f"kachin-events-{VERSION}/"
    with zipfile.ZipFile(releases / zip_name(VERSION)) as zf:
        infos = zf.infolist()
        assert [i.filename for i in infos] == sorted(top + rel for rel in _expected_files())
        for info in infos:
            assert info.date_time == (1980, 1, 1, 0, 0, 0)
            assert info.external_attr >> 16 == 0o100644
            assert zf.read(info) == (release / info.filename[len(top):]).read_bytes()


def test_source_date_epoch_sets_created():
    tables = read_tables(PACKAGE)
    assert build.release_created(tables, environ={"SOURCE_DATE_EPOCH": "1767225600"}) == \
        dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)
    with pytest.raises(build.ReleaseError, match="SOURCE_DATE_EPOCH"):
        build.release_created(tables, environ={"SOURCE_DATE_EPOCH": "yesterday"})


def test_existing_release_is_never_overwritten(releases, tmp_path):
    base = tmp_path / "site"
    shutil.copytree(releases, base)
    before = _tree(base)
    result = CliRunner().invoke(cli, ["build", "--version", VERSION, "--out", str(base), "--package", str(PACKAGE)])
    assert result.exit_code == 1
    assert "already exists" in result.output and VERSION in result.output
    assert _tree(base) == before
    # A zip alone is enough to refuse the version.
    shutil.rmtree(base / VERSION)
    result = CliRunner().invoke(cli, ["build", "--version", VERSION, "--out", str(base), "--package", str(PACKAGE)])
    assert result.exit_code == 1 and zip_name(VERSION) in result.output
    assert sorted(p.name for p in base.iterdir()) == [zip_name(VERSION)]


def test_equal_or_lower_version_is_refused_and_nothing_changes(releases, tmp_path):
    base = tmp_path / "site"
    shutil.copytree(releases, base)
    before = _tree(base)
    runner = CliRunner()
    for version, says in ((VERSION, "already exists"), ("0.0.9", "below the newest release 0.1.0")):
        result = runner.invoke(cli, ["build", "--version", version, "--out", str(base), "--package", str(PACKAGE)])
        assert result.exit_code == 1, result.output
        assert says in result.stderr and "Traceback" not in result.output
        assert _tree(base) == before
        assert sorted(p.name for p in base.iterdir()) == [VERSION, zip_name(VERSION)]
    # The version check itself refuses an equal version (not only the existing folder).
    with pytest.raises(build.VersionError, match=f"version {VERSION} is already released in"):
        check_version(VERSION, base, None)


def _stats(folder: Path) -> dict[str, tuple]:
    return {p.relative_to(folder).as_posix(): (p.stat().st_mtime_ns, p.stat().st_ino, p.stat().st_mode)
            for p in [folder, *folder.rglob("*")]}


def test_next_release_never_touches_an_earlier_one(releases, tmp_path):
    base = tmp_path / "site"
    shutil.copytree(releases, base)
    tree, stats = _tree(base / VERSION), _stats(base / VERSION)
    zipped = base / zip_name(VERSION)
    zip_bytes, zip_stat = zipped.read_bytes(), zipped.stat()
    new = build_release("0.1.1", base, PACKAGE)
    assert _tree(base / VERSION) == tree and _stats(base / VERSION) == stats
    assert zipped.read_bytes() == zip_bytes and zipped.stat().st_mtime_ns == zip_stat.st_mtime_ns
    assert sorted(p.name for p in base.iterdir()) == [VERSION, "0.1.1", zip_name(VERSION), zip_name("0.1.1")]
    assert verify_release(new) == []
    assert_sums_agree_with_descriptor(new)


@pytest.mark.parametrize("zip_ok", [True, False])
def test_next_build_removes_stale_staging_and_finishes_a_killed_placement(releases, tmp_path, zip_ok):
    base = tmp_path / "site"
    shutil.copytree(releases, base)
    original = (base / zip_name(VERSION)).read_bytes()
    # Killed between renaming 0.1.0 into place and placing its zip:
    killed = base / f".building-{VERSION}-killed"
    killed.mkdir()
    (base / zip_name(VERSION)).rename(killed / zip_name(VERSION))
    if not zip_ok:  # a zip that does not hold the folder's files is never placed
        (killed / zip_name(VERSION)).write_bytes(original[:-100])
    # Killed while writing 0.2.0:
    (base / ".building-0.2.0-killed" / "0.2.0" / "csv").mkdir(parents=True)
    (base / ".building-0.2.0-killed" / "0.2.0" / "csv" / "events.csv").write_text("half", encoding="utf-8")
    # Another build still running (it holds the lock of its staging folder):
    running = base / ".building-0.3.0-running"
    running.mkdir()
    fd = os.open(running, os.O_RDONLY)
    fcntl.flock(fd, fcntl.LOCK_EX)
    try:
        build_release("0.1.1", base, PACKAGE)
    finally:
        os.close(fd)
    names = sorted(p.name for p in base.iterdir())
    expected = [running.name, VERSION, "0.1.1", zip_name(VERSION), zip_name("0.1.1")]
    assert names == sorted(expected if zip_ok else [n for n in expected if n != zip_name(VERSION)])
    if zip_ok:
        assert (base / zip_name(VERSION)).read_bytes() == original
    assert verify_release(base / VERSION) == []


def test_build_outside_a_repository_refuses_like_validate(tmp_path, monkeypatch):
    from kachin_events import _paths

    here = tmp_path / "elsewhere"
    here.mkdir()
    monkeypatch.chdir(here)
    assert _paths.find_package() is None  # no datapackage.json here or above
    out = here / "releases"
    runner = CliRunner()
    result = runner.invoke(cli, ["build", "--version", VERSION, "--out", str(out)])
    assert result.exit_code == 2
    assert "no datapackage.json here or in any parent folder" in result.stderr
    assert "--package" in result.stderr and str(_paths.snapshot_package()) in result.stderr
    assert not out.exists()
    validated = runner.invoke(cli, ["validate"])
    assert validated.exit_code == 2 and "no datapackage.json here or in any parent folder" in validated.output
    # Asked for, the installed snapshot is built.
    result = runner.invoke(cli, ["build", "--version", VERSION, "--out", str(out),
                                 "--package", str(_paths.snapshot_package())])
    assert result.exit_code == 0, result.output
    assert verify_release(out / VERSION) == []


def test_invalid_data_is_refused_with_the_report(tmp_path):
    pkg = tmp_path / "pkg"
    shutil.copytree(REPO / "data", pkg / "data")
    shutil.copy(PACKAGE, pkg / "datapackage.json")
    events = pkg / "data" / "reports" / "kng-2026-01-bhamo-bases" / "events.csv"
    events.write_text(events.read_text(encoding="utf-8").replace(",Battles,", ",Battle,", 1), encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["build", "--version", VERSION, "--out", str(out),
                                      "--package", str(pkg / "datapackage.json")])
    assert result.exit_code == 1
    assert "event_type" in result.output and "INVALID" in result.output
    assert not out.exists()


@pytest.mark.parametrize("existing", [True, False])
def test_interrupted_build_leaves_nothing(tmp_path, monkeypatch, existing):
    calls = []

    def boom(schema, rows, version, created):
        calls.append(schema["name"])
        if len(calls) == 3:
            raise RuntimeError("disk full")
        return real(schema, rows, version, created)

    real = build.release_parquet
    monkeypatch.setattr(build, "release_parquet", boom)
    out = tmp_path / "out"
    if existing:
        out.mkdir()
        (out / "keep.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(RuntimeError, match="disk full"):
        build_release(VERSION, out, PACKAGE)
    assert len(calls) == 3  # it failed half way, after the CSV and two Parquet files
    if existing:
        assert [p.name for p in out.iterdir()] == ["keep.txt"]
    else:
        assert not out.exists()


# -- CSV -> Parquet -> CSV round trip for any valid data -----------------------------------

_CHARS = st.characters(codec="utf-8", exclude_categories=("Cs",), exclude_characters="\x00")
#: Text that CSV writers get wrong: commas, quotes, CR and LF, padding, non-Latin scripts.
_TRICKY = st.sampled_from(['a,b', 'say "x"', "line\nbreak", "cr\ronly", "crlf\r\n", " padded ", "Ünïcode ဗမာ"])


def _text(min_size: int):
    return st.text(_CHARS, min_size=min_size, max_size=min_size + 30) | _TRICKY.map(lambda s: s.ljust(min_size, "."))


def _field_values(f):
    c = f.constraints
    if f.enum:
        base = st.sampled_from(f.enum)
    elif f.type == "string":
        if "pattern" in c:
            base = st.from_regex(f"(?:{c['pattern']})", fullmatch=True)
        elif f.format == "uri":  # a web address with its scheme (the uri format)
            base = st.sampled_from(["https://", "http://", "mailto:"]).flatmap(lambda s: _text(1).map(lambda t: s + t))
        else:
            base = _text(max(1, c.get("minLength", 1)))
    elif f.type == "integer":
        base = st.integers(min_value=c.get("minimum", -(2**63)), max_value=c.get("maximum", 2**63 - 1))
    elif f.type == "number":
        base = st.floats(min_value=c.get("minimum"), max_value=c.get("maximum"), allow_nan=False,
                         allow_infinity=False)
    elif f.type == "date":
        base = st.dates()
    elif f.type == "boolean":
        base = st.booleans()
    else:  # pragma: no cover - a new type in schemas/ needs a strategy here
        raise AssertionError(f"no strategy for type {f.type}")
    return base if f.required else st.none() | base


def _rows(table: str):
    schema = get_schema(table)
    row = st.tuples(*[_field_values(f) for f in schema.fields])
    pos = [schema.field_names.index(k) for k in schema.primary_key]
    return st.lists(row, max_size=6, unique_by=lambda r: tuple(r[p] for p in pos))


def _round_trip(table: str, rows, folder: Path) -> None:
    import polars as pl

    schema = get_schema(table)
    frame = pl.DataFrame(rows, schema=[(f.name, polars_dtype(f.type)) for f in schema.fields], orient="row")
    first = write_table_csv(frame, folder / f"{table}.csv", table).read_bytes()
    (folder / "datapackage.json").write_text(json.dumps(
        {"name": "t", "resources": [{"name": table, "path": f"{table}.csv"}]}), encoding="utf-8")
    from_csv = read_tables(folder / "datapackage.json")[table]
    assert from_csv.equals(frame.sort(list(schema.primary_key))) if rows else from_csv.height == 0
    back = read_table_parquet(write_table_parquet(from_csv, folder / f"{table}.parquet", table), table)
    assert back.equals(from_csv)
    again = write_table_csv(back, folder / f"{table}-again.csv", table).read_bytes()
    assert again == first


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                  HealthCheck.function_scoped_fixture])
@given(rows=_rows("events"))
def test_events_round_trip_csv_parquet_csv_is_lossless(rows, tmp_path):
    _round_trip("events", rows, tmp_path)


@pytest.mark.parametrize("table", [t for t in TABLES if t != "events"])
def test_other_tables_round_trip(table, tmp_path):
    @settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(rows=_rows(table))
    def check(rows):
        _round_trip(table, rows, tmp_path)

    check()
