"""Loading tables: the shipped snapshot offline, and releases downloaded from a real
HTTP server on 127.0.0.1, verified against their SHA-256 and cached."""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import socket
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import RELEASE_VERSION as V
from kachin_events.cli import cli
from kachin_events.loader import (
    CorruptedCacheWarning,
    DownloadError,
    HashMismatchError,
    UnregisteredReleaseWarning,
    download,
    load,
)
from kachin_events.release.registry import get_entry, register_release, sha256_file, versions
from kachin_events.schema import TABLES, get_schema


# -- helpers ---------------------------------------------------------------------------
def _files(folder: Path) -> set[str]:
    """Every file under a folder, as relative paths (empty when it does not exist)."""
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()} if folder.exists() else set()


def _typed(value: str, type_: str):
    """A CSV cell as the Python value it stands for, independently of the package."""
    if value == "":
        return None
    if type_ == "integer":
        return int(value)
    if type_ == "number":
        return float(value)
    if type_ == "date":
        return dt.date.fromisoformat(value)
    if type_ == "boolean":
        return {"true": True, "false": False}[value.lower()]
    return value


def _csv_records(path: Path, table: str) -> list[dict]:
    schema = get_schema(table)
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return [{k: _typed(v, schema.field(k).type) for k, v in row.items()} for row in csv.DictReader(fh)]


def _records(df) -> list[dict]:
    """A pandas DataFrame's rows as plain Python values (missing cells as None, dates as dates)."""
    import pandas as pd

    rows = df.astype(object).where(df.notna(), None).to_dict("records")
    return [{k: v.date() if isinstance(v, pd.Timestamp) else v for k, v in r.items()} for r in rows]


def _forbid_network(monkeypatch) -> None:
    """Make any attempt to open a socket fail loudly."""

    def refuse(*args, **kwargs):
        raise AssertionError("a network connection was attempted")

    monkeypatch.setattr(socket, "socket", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


@pytest.fixture
def no_network(monkeypatch):
    _forbid_network(monkeypatch)


@pytest.fixture
def hosted(release_base, serve, registry_file):
    """The built release served over HTTP and registered with the server's URL."""
    server = serve(release_base)
    register_release(release_base / V, url=server.url)
    return server


# -- the shipped snapshot --------------------------------------------------------------
@pytest.mark.parametrize("fmt", ["pandas", "polars", "arrow"])
def test_no_version_loads_the_snapshot_without_network(no_network, fmt, tmp_path):
    data = load("events", format=fmt)
    assert data.num_rows if fmt == "arrow" else len(data)
    assert not (tmp_path / "user-cache").exists()  # nothing downloaded, nothing cached


def test_snapshot_equals_the_repository_csvs():
    from kachin_events.validation import package_resources
    from kachin_events import _paths

    files = package_resources(_paths.snapshot_package())["events"]
    expected = [r for f in files for r in _csv_records(f, "events")]
    assert _records(load()) == sorted(expected, key=lambda r: r["event_id"])  # by primary key


def test_dtypes_of_each_format():
    import pandas as pd
    import polars as pl
    import pyarrow as pa

    frame = load("events")
    # pandas dates are datetime64[ns] (so comparisons, .dt and resample work), at midnight.
    assert str(frame["date_start"].dtype) == "datetime64[ns]"
    assert isinstance(frame["date_start"].iloc[0], pd.Timestamp)
    assert (frame["date_start"] == frame["date_start"].dt.normalize()).all()
    assert str(frame["fatalities_best"].dtype) == "Int64"
    assert str(frame["civilian_targeting"].dtype) == "boolean"
    assert str(frame["latitude"].dtype) == "Float64"
    assert str(frame["event_id"].dtype) == "string"
    pf = load("events", format="polars")
    assert pf.schema["date_start"] == pl.Date and pf.schema["fatalities_best"] == pl.Int64
    assert pf.schema["event_id"] == pl.String and pf.schema["civilian_targeting"] == pl.Boolean
    at = load("events", format="arrow")
    assert at.schema.field("date_end").type == pa.date32()
    assert at.schema.field("event_id").type == pa.string()
    assert at.schema.field("fatalities_best").type == pa.int64()
    assert at.column_names == get_schema("events").field_names


@pytest.mark.parametrize("table", TABLES)
def test_every_table_loads(table):
    assert list(load(table).columns) == get_schema(table).field_names


def test_bad_arguments_are_refused_before_any_download(no_network):
    with pytest.raises(ValueError, match=r"unknown table 'event'.*Did you mean 'events'"):
        load("event", version=V)
    with pytest.raises(ValueError, match=r"unknown format 'numpy'; use one of: pandas, polars, arrow"):
        load("events", version=V, format="numpy")
    with pytest.raises(ValueError, match=r"is not of the form"):
        load("events", version="latest")
    with pytest.raises(ValueError, match="needs a version"):
        load("events", base_url="http://127.0.0.1:1")


def test_load_is_the_function_whatever_was_imported_first():
    import kachin_events
    import kachin_events.loader as module

    assert kachin_events.load is module.load
    assert len(kachin_events.load("actors")) == len(module.load("actors"))


# -- releases over HTTP ----------------------------------------------------------------
def test_load_release_equals_its_csv(hosted, release_base, tmp_path):
    cache = tmp_path / "cache"
    df = load("events", version=V, cache_dir=cache)
    assert _records(df) == _csv_records(release_base / V / "csv" / "events.csv", "events")
    # Parquet preferred; the descriptor, the checksums and the table file are all that was fetched.
    assert hosted.requests == [f"/{V}/datapackage.json", f"/{V}/SHA256SUMS", f"/{V}/parquet/events.parquet"]
    assert _files(cache / V) == {"datapackage.json", "SHA256SUMS", "parquet/events.parquet"}



def assert_same_frame(got, want, fmt):
    """Equal values and dtypes, in whichever library ``fmt`` names."""
    if fmt == "pandas":
        import pandas as pd

        pd.testing.assert_frame_equal(got, want)
    else:
        assert got.equals(want)


@pytest.mark.parametrize("fmt", ["pandas", "polars", "arrow"])
def test_release_formats_equal_the_snapshot(hosted, tmp_path, fmt):
    got = load("events", version=V, format=fmt, cache_dir=tmp_path / "c")
    want = load("events", format=fmt)
    assert_same_frame(got, want, fmt)


def test_second_load_is_offline(hosted, tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    first = load("events", version=V, cache_dir=cache)
    hosted.stop()
    asked = len(hosted.requests)
    _forbid_network(monkeypatch)
    second = load("events", version=V, cache_dir=cache)
    assert _records(first) == _records(second)
    assert len(hosted.requests) == asked


def test_cache_dir_from_environment(hosted, tmp_path, monkeypatch):
    monkeypatch.setenv("KACHIN_EVENTS_CACHE", str(tmp_path / "env-cache"))
    load("actors", version=V)
    assert (tmp_path / "env-cache" / V / "parquet" / "actors.parquet").is_file()
    load("actors", version=V, cache_dir=tmp_path / "arg-cache")
    assert (tmp_path / "arg-cache" / V / "parquet" / "actors.parquet").is_file()


def test_tampered_file_is_refused_and_not_cached(hosted, release_base, tmp_path):
    served = release_base / V / "parquet" / "events.parquet"
    want = get_entry(V)["files"]["parquet/events.parquet"]
    served.write_bytes(served.read_bytes()[:-8] + b"tampered")
    got = sha256_file(served)
    cache = tmp_path / "cache"
    with pytest.raises(HashMismatchError) as err:
        load("events", version=V, cache_dir=cache)
    msg = str(err.value)
    assert "parquet/events.parquet" in msg and want in msg and got in msg and "registry" in msg
    assert msg.startswith(f"release {V} was refused")
    # Only the verified descriptor and checksums stay: no partial, temporary or tampered file.
    assert _files(cache / V) == {"datapackage.json", "SHA256SUMS"}
    assert not (cache / V / "parquet").exists()


@pytest.mark.parametrize("rel", ["parquet/events.parquet", "datapackage.json", "SHA256SUMS"])
def test_changed_cached_file_is_downloaded_again_in_the_same_call(hosted, tmp_path, rel):
    cache = tmp_path / "cache"
    first = load("events", version=V, cache_dir=cache)
    cached = cache / V / rel
    cached.write_bytes(cached.read_bytes()[:-1] + b"X")
    bad = sha256_file(cached)
    asked = len(hosted.requests)
    with pytest.warns(CorruptedCacheWarning, match=rf"{rel}.*had SHA-256 {bad}, not {get_entry(V)['files'][rel]}"):
        again = load("events", version=V, cache_dir=cache)
    assert _records(again) == _records(first)
    assert sha256_file(cached) == get_entry(V)["files"][rel]  # the good copy, checked
    assert hosted.requests[asked:] == [f"/{V}/{rel}"]  # only the bad file was fetched again


def test_missing_file_is_a_clear_error(hosted, release_base, tmp_path):
    (release_base / V / "parquet" / "actors.parquet").unlink()
    cache = tmp_path / "cache"
    with pytest.raises(DownloadError, match=r"parquet/actors\.parquet of release 0\.1\.0 is not on the server \(HTTP 404\)"):
        load("actors", version=V, cache_dir=cache)
    assert _files(cache / V) == {"datapackage.json", "SHA256SUMS"}


def test_server_down_is_a_clear_error(release_base, registry_file, closed_port_url, tmp_path):
    register_release(release_base / V)
    cache = tmp_path / "cache"
    with pytest.raises(DownloadError, match=r"could not connect while downloading datapackage\.json.*down or unreachable"):
        load("events", version=V, base_url=closed_port_url, cache_dir=cache)
    assert _files(cache) == set()


def test_unhosted_release_needs_a_base_url(release_base, registry_file, serve, tmp_path, monkeypatch):
    register_release(release_base / V)  # no URL: the project hosts nothing yet
    cache = tmp_path / "cache"
    with pytest.raises(DownloadError, match=r"registered but not hosted anywhere yet.*KACHIN_EVENTS_BASE_URL"):
        load("events", version=V, cache_dir=cache)
    server = serve(release_base)
    monkeypatch.setenv("KACHIN_EVENTS_BASE_URL", server.url)
    load("events", version=V, cache_dir=cache)
    server.stop()
    monkeypatch.delenv("KACHIN_EVENTS_BASE_URL")
    assert len(load("events", version=V, cache_dir=cache)) > 0  # cached: no URL needed


def test_unknown_version_without_url(registry_file, tmp_path):
    with pytest.raises(DownloadError, match=r"version 9\.9\.9 is not in the registry.*registered: none yet"):
        load("events", version="9.9.9", cache_dir=tmp_path / "c")


# -- versions not in the registry: checked against their own datapackage.json -----------
@pytest.mark.filterwarnings("ignore::kachin_events.integrity.UnregisteredReleaseWarning")
def test_unregistered_release_checked_against_its_descriptor(release_base, registry_file, serve, tmp_path):
    server = serve(release_base)
    with pytest.warns(UnregisteredReleaseWarning, match=f"release {V} is not in the registry.*verified against "
                                                        "its own descriptor only"):
        df = load("events", version=V, base_url=server.url, cache_dir=tmp_path / "c")
    assert _records(df) == _csv_records(release_base / V / "csv" / "events.csv", "events")
    served = release_base / V / "parquet" / "actors.parquet"
    served.write_bytes(served.read_bytes() + b"\0")
    with pytest.raises(HashMismatchError, match=r"the release's datapackage\.json and SHA256SUMS say [0-9a-f]{64}") as err:
        load("actors", version=V, base_url=server.url, cache_dir=tmp_path / "c")
    assert sha256_file(served) in str(err.value)
    assert not (tmp_path / "c" / V / "parquet" / "actors.parquet").exists()


def _drop_parquet(rel: Path) -> None:
    """Make a release with CSV resources only (as an older or leaner build might be)."""
    desc = json.loads((rel / "datapackage.json").read_text(encoding="utf-8"))
    desc["resources"] = [r for r in desc["resources"] if r.get("format") != "parquet"]
    (rel / "datapackage.json").write_text(json.dumps(desc, indent=2), encoding="utf-8")
    sums = [line for line in (rel / "SHA256SUMS").read_text(encoding="utf-8").splitlines()
            if not line.endswith((".parquet", "datapackage.json"))]
    sums.append(f"{sha256_file(rel / 'datapackage.json')}  datapackage.json")
    (rel / "SHA256SUMS").write_text("\n".join(sums) + "\n", encoding="utf-8")
    for p in (rel / "parquet").iterdir():
        p.unlink()
    (rel / "parquet").rmdir()


@pytest.mark.filterwarnings("ignore::kachin_events.integrity.UnregisteredReleaseWarning")
@pytest.mark.parametrize("fmt", ["pandas", "polars", "arrow"])
def test_csv_fallback_when_no_parquet(release_base, registry_file, serve, tmp_path, fmt):
    _drop_parquet(release_base / V)
    server = serve(release_base)
    got = load("events", version=V, format=fmt, base_url=server.url, cache_dir=tmp_path / "c")
    assert f"/{V}/csv/events.csv" in server.requests
    want = load("events", format=fmt)
    assert_same_frame(got, want, fmt)


@pytest.mark.filterwarnings("ignore::kachin_events.integrity.UnregisteredReleaseWarning")
def test_csv_fallback_keeps_the_release_descriptions_and_version(release_base, registry_file, serve, tmp_path):
    rel = release_base / V
    _drop_parquet(rel)
    desc = json.loads((rel / "datapackage.json").read_text(encoding="utf-8"))
    inline = next(r["schema"] for r in desc["resources"] if r["name"] == "actors")
    inline["fields"][1]["description"] = "Worded otherwise in this release."
    (rel / "datapackage.json").write_text(json.dumps(desc, indent=2), encoding="utf-8")
    sums = [line for line in (rel / "SHA256SUMS").read_text(encoding="utf-8").splitlines()
            if not line.endswith("  datapackage.json")]
    sums.append(f"{sha256_file(rel / 'datapackage.json')}  datapackage.json")
    (rel / "SHA256SUMS").write_text("\n".join(sums) + "\n", encoding="utf-8")
    server = serve(release_base)
    got = load("actors", version=V, format="arrow", base_url=server.url, cache_dir=tmp_path / "c")
    # The release's own words for its fields (its datapackage.json), not the installed schema's.
    for f in inline["fields"]:
        assert got.schema.field(f["name"]).metadata[b"description"].decode() == f["description"]
    assert got.schema.metadata[b"version"] == V.encode() and got.schema.metadata[b"source"] == b"release"


# -- download ----------------------------------------------------------------------------
def test_download_fetches_every_file_verified(hosted, release_base, tmp_path):
    folder = download(V, tmp_path / "dest", progress=False)
    assert folder == tmp_path / "dest" / V
    assert _files(folder) == _files(release_base / V)
    for rel in _files(folder):
        assert sha256_file(folder / rel) == sha256_file(release_base / V / rel)
    asked = len(hosted.requests)
    download(V, tmp_path / "dest", progress=False)  # already there: nothing fetched
    assert len(hosted.requests) == asked


@pytest.mark.filterwarnings("ignore::kachin_events.integrity.UnregisteredReleaseWarning")
def test_download_unregistered_uses_sha256sums(release_base, registry_file, serve, tmp_path):
    server = serve(release_base)
    folder = download(V, tmp_path / "dest", base_url=server.url, progress=False)
    assert _files(folder) == _files(release_base / V)
    (release_base / V / "CHANGELOG.md").write_text("changed\n", encoding="utf-8")
    with pytest.raises(HashMismatchError, match="CHANGELOG.md"):
        download(V, tmp_path / "other", base_url=server.url, progress=False)
    assert not (tmp_path / "other").exists()  # no partial release, no staging folder, no empty folder


def test_download_keeps_but_refuses_a_changed_local_file(hosted, tmp_path):
    folder = download(V, tmp_path / "dest", progress=False)
    (folder / "CHANGELOG.md").write_text("mine\n", encoding="utf-8")
    with pytest.raises(HashMismatchError, match="kept"):
        download(V, tmp_path / "dest", progress=False)
    assert (folder / "CHANGELOG.md").read_text(encoding="utf-8") == "mine\n"


def test_cli_download(hosted, release_base, tmp_path):
    result = CliRunner().invoke(cli, ["download", "--version", V, "--dest", str(tmp_path / "d")])
    assert result.exit_code == 0, result.output
    assert "downloaded and verified" in result.stdout
    assert "datapackage.json" in result.stderr  # the progress bars, one per file
    assert _files(tmp_path / "d" / V) == _files(release_base / V)


def test_cli_download_failures_exit_status_without_traceback(hosted, release_base, closed_port_url, tmp_path):
    runner = CliRunner()
    down = runner.invoke(cli, ["download", "--version", V, "--dest", str(tmp_path / "a"),
                               "--base-url", closed_port_url, "--no-progress"])
    assert down.exit_code == 2 and "could not connect" in down.stderr
    (release_base / V / "exports" / "acled.csv").write_text("x\n", encoding="utf-8")
    bad = runner.invoke(cli, ["download", "--version", V, "--dest", str(tmp_path / "b"), "--no-progress"])
    assert bad.exit_code == 1 and "exports/acled.csv" in bad.stderr and "SHA-256" in bad.stderr  # refused
    assert "was refused" in bad.stderr and not (tmp_path / "b" / V).exists()
    for r in (down, bad):
        assert isinstance(r.exception, SystemExit)  # a message and a status, not a crash
        assert "Traceback" not in r.output


# -- the registry ------------------------------------------------------------------------
def test_register_release_records_every_file(release_base, registry_file):
    entry = register_release(release_base / V)
    sums = (release_base / V / "SHA256SUMS").read_text(encoding="utf-8").splitlines()
    listed = {line.split("  ", 1)[1] for line in sums if line}
    assert set(entry["files"]) == listed | {"SHA256SUMS"}
    assert entry["base_url"] is None and entry["created"]
    assert entry["archive"]["sha256"] == sha256_file(release_base / f"kachin-events-{V}.zip")
    assert versions() == [V]
    assert json.loads(registry_file.read_text(encoding="utf-8"))["versions"][0] == entry


def test_register_release_verifies_sha256sums(release_base, registry_file):
    (release_base / V / "csv" / "events.csv").write_text("changed\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"events\.csv: SHA-256 is [0-9a-f]{64} but .*SHA256SUMS says"):
        register_release(release_base / V)
    assert versions() == []


def test_registered_hashes_are_immutable(release_base, registry_file):
    register_release(release_base / V)
    before = registry_file.read_bytes()
    rel = release_base / V
    (rel / "CHANGELOG.md").write_text("rewritten\n", encoding="utf-8")
    lines = [f"{sha256_file(rel / 'CHANGELOG.md')}  CHANGELOG.md" if line.endswith("  CHANGELOG.md") else line
             for line in (rel / "SHA256SUMS").read_text(encoding="utf-8").splitlines()]
    (rel / "SHA256SUMS").write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"already registered with different hashes for .*CHANGELOG\.md.*immutable"):
        register_release(rel)
    assert registry_file.read_bytes() == before


def test_register_release_sets_url_later(release_base, registry_file):
    register_release(release_base / V)
    entry = register_release(release_base / V, url="https://mirror.example.org/kachin-events/")
    assert entry["base_url"] == "https://mirror.example.org/kachin-events"
    assert register_release(release_base / V)["base_url"] == entry["base_url"]  # None keeps it
    with pytest.raises(ValueError, match="must start with http"):
        register_release(release_base / V, url="mirror.example.org")
    assert not [p for p in registry_file.parent.iterdir() if p.name.startswith(".registry-")]


def test_versions_sorted_as_semver(registry_file):
    entries = [{"version": v, "base_url": None, "created": "", "files": {}} for v in ("0.10.0", "0.2.0", "1.0.0", "0.9.1")]
    registry_file.write_text(json.dumps({"versions": entries}), encoding="utf-8")
    assert versions() == ["0.2.0", "0.9.1", "0.10.0", "1.0.0"]


def test_shipped_registry_is_valid():
    from kachin_events.release import registry

    doc = json.loads(registry.DEFAULT_PATH.read_text(encoding="utf-8"))
    for entry in doc["versions"]:
        assert set(entry) >= {"version", "base_url", "created", "files"}
        assert all(len(h) == 64 for h in entry["files"].values())
    assert os.path.basename(registry.DEFAULT_PATH) == "registry.json"


def test_register_command_records_and_refuses_changes(tmp_path):
    from click.testing import CliRunner

    from kachin_events.release.build import build_release
    from kachin_events.cli import cli
    from kachin_events.release.registry import versions

    repo = Path(__file__).resolve().parents[1]
    release = build_release("0.1.0", tmp_path / "releases", repo / "datapackage.json")
    registry = tmp_path / "registry.json"
    registry.write_text('{"versions": []}\n')
    runner = CliRunner()
    ok = runner.invoke(cli, ["register", str(release), "--registry", str(registry)])
    assert ok.exit_code == 0, ok.output
    assert versions(registry) == ["0.1.0"]
    # Tampering with a registered release is refused, and the registry is unchanged.
    before = registry.read_bytes()
    csv_file = release / "csv" / "actors.csv"
    csv_file.write_bytes(csv_file.read_bytes() + b"\n")
    refused = runner.invoke(cli, ["register", str(release), "--registry", str(registry)])
    assert refused.exit_code == 1 and registry.read_bytes() == before
    assert "actors.csv" in refused.stderr and "SHA-256" in refused.stderr
    assert runner.invoke(cli, ["register", str(tmp_path), "--registry", str(registry)]).exit_code == 2
