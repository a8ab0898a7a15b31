"""Releases anyone can rebuild: `kachin-events verify`, the pinned environment, the citation files."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from kachin_events.release.build import build_release
from kachin_events.cli import cli
from kachin_events.citation import citation_cff, latest_release, zenodo_json
from kachin_events.reproduce import (
    DIFFERS, EXTRA, MISSING, SAME, SAME_VALUES, compare_folders, release_ref, unpinned_versions,
)

ROOT = Path(__file__).resolve().parents[1]
RELEASES = ROOT / "releases"


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    return build_release("0.1.0", tmp_path_factory.mktemp("rel") / "releases", ROOT / "datapackage.json")


def test_compare_folders_says_how_each_file_compares(built, tmp_path):
    import pyarrow.parquet as pq

    other = tmp_path / "0.1.0"
    shutil.copytree(built, other)
    # The same rows written with other settings: other bytes, same values.
    table = pq.read_table(built / "parquet" / "actors.parquet")
    pq.write_table(table, other / "parquet" / "actors.parquet", compression="gzip")
    (other / "csv" / "events.csv").write_bytes((built / "csv" / "events.csv").read_bytes() + b"\n")
    (other / "csv" / "actors.csv").unlink()
    (other / "extra.txt").write_text("x", encoding="utf-8")
    got = compare_folders(built, other)
    assert got["parquet/actors.parquet"] == SAME_VALUES
    assert got["csv/events.csv"] == DIFFERS and got["csv/actors.csv"] == MISSING and got["extra.txt"] == EXTRA
    assert got["csv/sources.csv"] == SAME and got["CHANGELOG.md"] == SAME


def test_verify_rebuilds_a_release_byte_for_byte(built, monkeypatch):
    monkeypatch.chdir(ROOT)
    result = CliRunner().invoke(cli, ["verify", str(built)])
    assert result.exit_code == 0, result.output
    assert "byte-identical" in result.output
    files = len([p for p in built.rglob("*") if p.is_file()]) + 1  # and the zip beside the folder
    assert result.output.count("\n  same bytes ") == files
    assert f"{files} of {files} files have the same bytes" in result.output


def test_verify_refuses_a_release_whose_hashes_disagree(built, tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)
    copy = tmp_path / "releases" / "0.1.0"
    shutil.copytree(built, copy)
    (copy / "csv" / "events.csv").write_bytes(b"tampered\n")
    result = CliRunner().invoke(cli, ["verify", str(copy)])
    assert result.exit_code == 1 and "events.csv" in result.output


def test_unpinned_versions_names_what_differs_from_the_lock(tmp_path):
    from importlib.metadata import version

    lock = tmp_path / "release.lock"
    lock.write_text(f"polars=={version('polars')} \\\n    --hash=sha256:00\npyarrow==0.0.1 \\\n", encoding="utf-8")
    assert unpinned_versions(lock) == [f"pyarrow {version('pyarrow')}, locked 0.0.1"]


def test_the_lock_pins_every_run_time_dependency_with_hashes():
    import re
    import tomllib

    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    text = (ROOT / "requirements" / "release.lock").read_text(encoding="utf-8")
    pins = {canonicalize_name(n) for n in re.findall(r"^([A-Za-z0-9_.\-]+)==", text, flags=re.M)}
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    # A release build validates: the validate extra is part of the release environment.
    deps = project["dependencies"] + project["optional-dependencies"]["validate"]
    assert {canonicalize_name(Requirement(d).name) for d in deps} <= pins
    blocks = re.split(r"\n(?=[A-Za-z0-9_.\-]+==)", text.split("\n", 3)[3])
    assert all("--hash=sha256:" in b for b in blocks if "==" in b)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the lock is for Linux x86_64")
def test_the_published_release_rebuilds_byte_identical_in_the_pinned_environment(tmp_path):
    """scripts/release-env installs the lock; its kachin-events rebuilds the latest release exactly."""
    desc = latest_release(RELEASES)
    assert desc is not None, "no published release in releases/"
    # The code, the lock and the data the release was published with (its tag, or the
    # commit that added it), so that later changes to the code cannot spoil the check.
    ref, _how = release_ref(ROOT, desc.parent)
    source = ROOT
    if ref is not None:
        source = tmp_path / "source"
        source.mkdir()
        archive = subprocess.run(["git", "-C", str(ROOT), "archive", "--format=tar", ref], check=True,
                                 capture_output=True).stdout
        subprocess.run(["tar", "-x", "-C", str(source)], input=archive, check=True)
    env_dir = tmp_path / "venv-release"
    subprocess.run(["bash", str(source / "scripts" / "release-env"), str(env_dir)], check=True, cwd=source,
                   capture_output=True, timeout=900)
    # Another hash seed and time zone than this process: nothing may depend on them.
    env = {**os.environ, "PYTHONHASHSEED": "7", "TZ": "Pacific/Kiritimati"}
    proc = subprocess.run([str(env_dir / "bin" / "kachin-events"), "verify", str(desc.parent)], cwd=ROOT,
                          capture_output=True, text=True, timeout=900, env=env)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "byte-identical" in proc.stdout and "not the pinned" not in proc.stdout


def test_the_citation_files_agree_with_the_latest_release():
    desc = latest_release(RELEASES)
    assert desc is not None, "no published release in releases/"
    d = json.loads(desc.read_text(encoding="utf-8"))
    assert (ROOT / "CITATION.cff").read_text(encoding="utf-8") == citation_cff(d)
    assert json.loads((ROOT / ".zenodo.json").read_text(encoding="utf-8")) == zenodo_json(d)
    assert f'version: "{d["version"]}"' in citation_cff(d)


def test_citation_cff_is_valid_yaml_with_the_release_facts(built):
    from ruamel.yaml import YAML

    d = json.loads((built / "datapackage.json").read_text(encoding="utf-8"))
    doc = YAML(typ="safe", pure=True).load(citation_cff(d))
    assert doc["cff-version"] == "1.2.0" and doc["version"] == d["version"] and doc["type"] == "dataset"
    assert doc["date-released"] == d["created"][:10] and doc["license"] == "CC-BY-4.0"
    assert [a["name"] for a in doc["authors"]] == [c["title"] for c in d["contributors"]]
