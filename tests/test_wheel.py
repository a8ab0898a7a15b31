"""The built wheel is self-contained: installed in a fresh environment, run from a
folder outside the repository, it loads the data snapshot it carries, and reads
nothing from the repository (or from /work/shared).
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FORBIDDEN = [ROOT, Path("/work/shared")]

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
print(json.dumps({
    "township": township,
    "boundaries": str(_paths.boundaries_dir()),
    "rows": len(df),
    "file": kachin_events.__file__,
    "snapshot": str(_paths.snapshot_package()),
    "schemas": str(_paths.schema_dir()),
    "registry": str(__import__("kachin_events.registry").registry.DEFAULT_PATH),
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
    shipped = json.loads((ROOT / "src" / "kachin_events" / "registry.json").read_text(encoding="utf-8"))
    assert got["versions"] == sorted((e["version"] for e in shipped["versions"]),
                                     key=lambda v: tuple(map(int, v.split("."))))
    # The dependencies may live inside the repository (CI's .venv): reading them is fine.
    deps = [Path(sysconfig.get_path("purelib")), Path(sysconfig.get_path("platlib"))]
    read_there = [p for p in got["seen"]
                  if any(_inside(p, f) for f in FORBIDDEN) and not any(_inside(p, d) for d in deps)]
    assert read_there == [], read_there[:5]
    assert not (tmp_path / "cache").exists()  # no version, no download
