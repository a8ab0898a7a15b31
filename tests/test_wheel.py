"""The built wheel is self-contained: installed in a fresh environment, run from a
folder outside the repository, it loads the data snapshot it carries and every
published release it ships (verified against its registry, without a network), and
reads nothing from the repository (or from /work/shared). It stays small.
"""

from __future__ import annotations

import csv
import json
import re
import os
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FORBIDDEN = [ROOT, Path("/work/shared")]
#: The wheel stays under this size (bytes). It carries every published release (about
#: 0.3 MB each, zip included); raise it knowingly when a release needs it.
WHEEL_LIMIT = 1_500_000

# Run inside the fresh environment. An audit hook records every file and folder the
# process opens or lists, so that a read from the repository cannot go unnoticed.
PROBE = r"""
import json, os, sys
seen = []
def hook(event, args):
    if event in ("open", "os.listdir", "os.scandir") and args and isinstance(args[0], (str, bytes)):
        path = args[0] if isinstance(args[0], str) else args[0].decode("utf-8", "replace")
        seen.append(os.path.abspath(path))
sys.addaudithook(hook)
import kachin_events
from kachin_events import _paths
df = kachin_events.load()
township = kachin_events.locate(24.25493, 97.23441)["admin3_pcode"]
import pyarrow.parquet as pq
from kachin_events.fetch import Release
from kachin_events.release.history import history
from kachin_events.release.published import published_problems, releases, shipped_release
published = {}
for rel in releases():
    folder = shipped_release(rel.version)
    # offline: every file is checked against the registry's SHA-256, nothing is fetched.
    shipped = Release(rel.version, folder, offline=True, keep_bad=True)
    checked = [str(shipped.fetch(name)) for name in shipped.all_files()]
    events = pq.read_table(folder / "parquet" / "events.parquet")
    # What an analyst does with no network: socket() refuses, and the cache stays empty.
    import socket
    def no_network(*args, **kwargs):
        raise OSError("no network in this test")
    socket.socket = no_network
    loaded = kachin_events.load(version=rel.version)
    flat = kachin_events.load("events", version=rel.version, flat=True)
    flat_pl = kachin_events.load_flat(version=rel.version, format="polars")
    import polars as pl
    # Events per township and month, one line each in pandas and polars.
    per_month_pd = flat.groupby(["township", flat["event_date"].dt.to_period("M")], dropna=False).size()
    per_month_pl = flat_pl.group_by("township", pl.col("event_date").dt.truncate("1mo")).len()
    published[rel.version] = {"folder": str(folder), "checked": checked, "rows": events.num_rows,
                              "inside": events.schema.metadata[b"version"].decode(), "bytes": rel.bytes,
                              "loaded": [len(loaded), loaded.attrs["version"], loaded.attrs["source"]],
                              "per_month": [int(per_month_pd.sum()), int(per_month_pl["len"].sum()),
                                            len(per_month_pd), per_month_pl.height]}
print(json.dumps({
    "published": published,
    "problems": published_problems(),
    "history": [[s.version, s.status] for s in history("KE000001").steps],
    "township": township,
    "boundaries": str(_paths.boundaries_dir()),
    "rows": len(df),
    "file": kachin_events.__file__,
    "snapshot": str(_paths.snapshot_package()),
    "schemas": str(_paths.schema_dir()),
    "registry": str(__import__("kachin_events.release.registry").release.registry.DEFAULT_PATH),
    "versions": kachin_events.versions(),
    "seen": seen,
}))
"""


def _repo_event_rows() -> int:
    """The number of events rows in the repository, counted with the csv module only."""
    desc = json.loads((ROOT / "datapackage.json").read_text(encoding="utf-8"))
    (events,) = [r for r in desc["resources"] if r["name"] == "events"]
    paths = [events["path"]] if isinstance(events["path"], str) else events["path"]
    total = 0
    for p in paths:
        with open(ROOT / p, encoding="utf-8-sig", newline="") as fh:
            total += sum(1 for _ in csv.DictReader(fh))
    return total


def _inside(path: str | Path, folder: Path) -> bool:
    return Path(os.path.realpath(path)).is_relative_to(os.path.realpath(folder))


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    # No isolation: the build backend (hatchling) is already installed, and an
    # isolated build would need to download it.
    subprocess.run([sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(out), str(ROOT)],
                   check=True, capture_output=True, text=True, cwd=out)
    (whl,) = out.glob("kachin_events-*.whl")
    return whl


@pytest.fixture(scope="module")
def venv_python(wheel, tmp_path_factory) -> Path:
    venv = tmp_path_factory.mktemp("venv")
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", "--without-pip", str(venv)],
                   check=True, capture_output=True, text=True)
    python = venv / "bin" / "python"
    site = Path(subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                               check=True, capture_output=True, text=True).stdout.strip())
    # The dependencies (pandas, polars ...) come from the environment running the tests.
    # --system-site-packages alone would not see them when that environment is itself a
    # venv; a plain path line in a .pth adds its site-packages *after* the new venv's
    # own, and without running that folder's .pth files (so an editable install of
    # kachin_events there does not put the repository on sys.path).
    deps = {sysconfig.get_path("purelib"), sysconfig.get_path("platlib")}
    (site / "_test_deps.pth").write_text("".join(f"{d}\n" for d in sorted(deps)), encoding="utf-8")
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "--no-index",
                    "--quiet", str(wheel)], check=True, capture_output=True, text=True)
    return python


def _registry() -> dict:
    return json.loads((ROOT / "src" / "kachin_events" / "registry.json").read_text(encoding="utf-8"))


def _published_event_rows(version: str) -> int:
    with open(ROOT / "releases" / version / "csv" / "events.csv", encoding="utf-8", newline="") as fh:
        return sum(1 for _ in csv.DictReader(fh))


def test_wheel_is_small(wheel):
    size = wheel.stat().st_size
    assert size < WHEEL_LIMIT, f"the wheel is {size:,} bytes, over the stated limit of {WHEEL_LIMIT:,}"


def test_wheel_carries_every_published_release(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    entries = _registry()["versions"]
    assert entries, "no release is published"
    for entry in entries:
        for rel in entry["files"]:
            assert f"kachin_events/_bundled/releases/{entry['version']}/{rel}" in names, rel
        assert f"kachin_events/_bundled/releases/{entry['archive']['path']}" in names
    shipped = {n.split("/")[3] for n in names if n.startswith("kachin_events/_bundled/releases/")}
    assert shipped == {e["version"] for e in entries} | {e["archive"]["path"] for e in entries}


def test_wheel_carries_schemas_data_and_registry(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "kachin_events/_bundled/datapackage.json" in names
    assert "kachin_events/registry.json" in names
    for schema in (ROOT / "schemas").glob("*.json"):
        assert f"kachin_events/_bundled/schemas/{schema.name}" in names
    desc = json.loads((ROOT / "datapackage.json").read_text(encoding="utf-8"))
    for res in desc["resources"]:
        for p in [res["path"]] if isinstance(res["path"], str) else res["path"]:
            assert f"kachin_events/_bundled/{p}" in names, p
    assert not any(n.startswith(("tests/", "kachin_events/tests/")) for n in names)


def test_installed_wheel_loads_its_own_snapshot(venv_python, tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KACHIN_EVENTS", "PYTHON"))}
    env["KACHIN_EVENTS_CACHE"] = str(tmp_path / "cache")
    # -I: no PYTHONPATH, no user site, and not the current folder on sys.path.
    run = subprocess.run([str(venv_python), "-I", "-c", PROBE], capture_output=True, text=True, cwd=tmp_path,
                         env=env, timeout=300)
    assert run.returncode == 0, run.stderr
    got = json.loads(run.stdout)
    venv = venv_python.parent.parent
    assert got["rows"] == _repo_event_rows()
    assert got["township"] == "MMR001010"  # located with the wheel's own MIMU boundaries
    for key in ("file", "snapshot", "schemas", "registry", "boundaries"):
        assert _inside(got[key], venv), (key, got[key])
        assert "site-packages" in Path(got[key]).parts
    shipped = _registry()
    assert got["versions"] == sorted((e["version"] for e in shipped["versions"]),
                                     key=lambda v: tuple(map(int, v.split("."))))
    # Every published release is read from the wheel, verified offline, version inside.
    assert sorted(got["published"]) == sorted(got["versions"]) and got["problems"] == []
    for entry in shipped["versions"]:
        v = entry["version"]
        rel = got["published"][v]
        assert _inside(rel["folder"], venv) and "site-packages" in Path(rel["folder"]).parts
        assert len(rel["checked"]) == len(entry["files"]) and all(_inside(p, venv) for p in rel["checked"])
        assert rel["rows"] == _published_event_rows(v) and rel["inside"] == v
        assert rel["bytes"] == sum(entry["bytes"].values())
        # load(version=...) read the shipped copy, with the network refused.
        assert rel["loaded"] == [rel["rows"], v, "release"]
        assert rel["per_month"][0] == rel["per_month"][1] == rel["rows"]
        assert rel["per_month"][2] == rel["per_month"][3] > 1
    assert got["history"][0] == [got["versions"][0], "added"]  # KE000001 is in the first release
    # The dependencies may live inside the repository (CI's .venv): reading them is fine.
    deps = [Path(sysconfig.get_path("purelib")), Path(sysconfig.get_path("platlib"))]
    read_there = [p for p in got["seen"]
                  if any(_inside(p, f) for f in FORBIDDEN) and not any(_inside(p, d) for d in deps)]
    assert read_there == [], read_there[:5]
    assert not (tmp_path / "cache").exists()  # no version, no download


def test_wheel_metadata_states_both_licences(wheel):
    """The code is MIT and the data CC-BY-4.0: the wheel's metadata says so and carries both texts."""
    import zipfile

    with zipfile.ZipFile(wheel) as zf:
        (meta,) = [n for n in zf.namelist() if n.endswith(".dist-info/METADATA")]
        text = zf.read(meta).decode("utf-8")
        names = zf.namelist()
    assert "License-Expression: MIT AND CC-BY-4.0" in text.splitlines()
    assert {"License-File: LICENSE", "License-File: LICENSE-DATA.md"} <= set(text.splitlines())
    assert any(n.endswith("licenses/LICENSE-DATA.md") for n in names)
    # The light install: the validation engines are an extra, not a requirement.
    requires = [line for line in text.splitlines() if line.startswith("Requires-Dist: ")]
    assert any("pandera" in r and re.search(r"extra == ['\"]validate['\"]", r) for r in requires)
    assert not any("pandera" in r and "extra" not in r for r in requires)
