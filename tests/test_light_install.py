"""The light install: ``pip install kachin-events``, pandas alone, without any extra.

Each check runs in a fresh interpreter in which the extra's modules cannot be imported
(``sys.modules[name] = None`` makes ``import name`` fail and ``find_spec`` return
None, as in an environment where they were never installed). Reading the data, the
published releases and their history must work there; every command that needs the
extra must say what to install and exit 2, with no traceback.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from kachin_events.extras import EXTRAS, MissingExtraError, extra_of, install_hint, message

ROOT = Path(__file__).resolve().parent.parent
#: Every module an extra brings (polars and pyarrow included): none is there in the light install.
BLOCKED = sorted({m for mods in EXTRAS.values() for m in mods})
HIDE = f"import sys\nfor _m in {BLOCKED!r}:\n    sys.modules[_m] = None\n"

ANALYST = r"""
import json, tempfile, kachin_events
version = kachin_events.versions()[-1]
events = kachin_events.load(version=version)
snapshot = kachin_events.load("events")
flat = kachin_events.load_flat(version=version)
per_month = flat.groupby(["township", flat.event_date.dt.to_period("M")]).size()
data = kachin_events.load_all(version=version)
steps = kachin_events.history("KE000001").steps
with tempfile.TemporaryDirectory() as tmp:
    files = sorted(p.name for p in kachin_events.download(version, tmp, progress=False).iterdir())
import sys
loaded = sorted(m for m in sys.modules if m.split(".")[0] in BLOCKED and sys.modules[m] is not None)
print(json.dumps({"rows": len(events), "snapshot": len(snapshot), "flat": len(flat), "months": int(per_month.sum()),
                  "dtype": str(events["date_start"].dtype), "tables": len(data.tables), "steps": len(steps),
                  "files": files, "loaded": loaded}))
"""

#: Commands an analyst runs, which must work without the extra.
LIGHT = [["versions"], ["history", "KE000001"], ["--help"], ["validate", "--help"], ["build", "--help"]]
#: Commands that check or write data: each needs the extra.
NEEDS_EXTRA = [
    ["validate"],
    ["validate", "data/actors.csv"],
    ["fmt", "--check"],
    ["template", "{tmp}/t.xlsx"],
    ["build", "--version", "9.9.9", "--out", "{tmp}/out"],
    ["import-acled", "{tmp}/missing.csv", "--out", "{tmp}/out"],
    ["import-ucdp", "{tmp}/missing.csv", "--out", "{tmp}/out"],
    ["correct", "KE000001", "notes", "x", "--reason", "a test"],
    ["retire", "KE000001", "--reason", "duplicate", "--merged-into", "KE000002", "--note", "a test"],
    ["add", "{tmp}/missing.xlsx"],
    ["verify", "releases/0.1.0"],
    ["export", "acled", "-o", "{tmp}/acled.csv"],
]


def _run(code: str, *, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", HIDE + f"BLOCKED = {BLOCKED!r}\n" + code], capture_output=True,
                          text=True, cwd=cwd, timeout=300)


def _cli(args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    code = f"from kachin_events.cli import main\nmain({args!r})\n"
    return _run(code, cwd=cwd)


def test_an_analyst_reads_everything_without_the_extra():
    proc = _run(ANALYST)
    assert proc.returncode == 0, proc.stderr
    got = json.loads(proc.stdout)
    assert got["rows"] == got["snapshot"] == got["flat"] > 0 and got["months"] > 0
    assert got["dtype"] == "datetime64[ns]"
    assert got["tables"] > 5 and got["steps"] >= 1
    assert {"datapackage.json", "SHA256SUMS", "csv"} <= set(got["files"])
    assert got["loaded"] == []


@pytest.mark.parametrize("fmt", ["polars", "arrow"])
def test_the_other_formats_say_what_to_install(fmt):
    code = ("import kachin_events\n"
            "try:\n"
            f"    kachin_events.load('events', format={fmt!r})\n"
            "except ModuleNotFoundError as exc:\n    print(type(exc).__name__, exc)\n")
    proc = _run(code)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith(f"MissingExtraError Loading with format='{fmt}' needs the {fmt} extra")
    assert install_hint(fmt) in proc.stdout


@pytest.mark.parametrize("args", LIGHT, ids=" ".join)
def test_analyst_commands_work_without_the_extra(args, tmp_path):
    proc = _cli(args, ROOT)
    assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.mark.parametrize("args", NEEDS_EXTRA, ids=lambda a: " ".join(a[:2]))
def test_commands_that_need_the_extra_say_what_to_install(args, tmp_path):
    work = tmp_path / "repo"
    # A copy of what the commands read, so that nothing of the repository could change.
    import shutil

    shutil.copytree(ROOT, work, ignore=shutil.ignore_patterns(".git", ".venv*", "site", "__pycache__"))
    before = {p: p.read_bytes() for p in (work / "data").rglob("*") if p.is_file()}
    proc = _cli([a.format(tmp=tmp_path) for a in args], work)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert install_hint("validate") in proc.stderr and "Traceback" not in proc.stderr
    assert re.search(r"missing: [a-z]", proc.stderr), proc.stderr
    assert {p: p.read_bytes() for p in (work / "data").rglob("*") if p.is_file()} == before


def test_the_api_says_what_to_install():
    code = ("from kachin_events import validate\n"
            "try:\n    validate('data/actors.csv')\n"
            "except ModuleNotFoundError as exc:\n    print(type(exc).__name__, exc)\n")
    proc = _run(code)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("MissingExtraError kachin_events.validate() needs the validate extra")
    assert install_hint("validate") in proc.stdout


def test_the_extras_list_the_packages_pyproject_declares():
    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    optional = project["optional-dependencies"]
    core = {canonicalize_name(Requirement(r).name) for r in project["dependencies"]}
    for extra, modules in EXTRAS.items():
        declared = {canonicalize_name(Requirement(r).name) for r in optional[extra]}
        assert declared == {canonicalize_name(d) for d in modules.values()}, extra
        assert not core & declared, extra
    # What the light install loads data with: pandas, and pooch to download.
    assert {"pandas", "pooch"} <= core and not {"polars", "pyarrow"} & core


def test_message_and_module_lookup():
    assert extra_of("frictionless.resources") == "validate" and extra_of("pandas") is None and extra_of(None) is None
    assert extra_of("polars.dataframe") == "polars" and extra_of("pyarrow") == "arrow"
    err = MissingExtraError(message("x", "validate", ["pandera"]))
    assert isinstance(err, ModuleNotFoundError) and "pandera" in str(err)


def test_the_install_size_page_is_made_from_the_measurements(monkeypatch):
    """benchmarks/install_size.py needs the package index; its page is checked on made-up figures."""
    monkeypatch.syspath_prepend(str(ROOT / "benchmarks"))
    import install_size

    result = {"when": "W", "machine": "M", "wheel": "k.whl",
              "light": {"count": 3, "bytes": 100_000_000, "distributions": ["a", "b", "c"], "largest": [["a", 60_000_000]]},
              "full": {"count": 5, "bytes": 400_000_000, "distributions": ["a", "b", "c", "d", "e"]},
              "light_probe": {"rows": 22, "validate_status": 2, "validate_says": "needs the validate extra"}}
    text = install_size.page(result)
    assert "| `pip install kachin-events` | 3 | 100 MB |" in text
    assert '| `pip install "kachin-events[validate]"` | 5 | 400 MB |' in text
    assert "is 25% of the full one" in text and "`d`, `e`" in text and "`a` 60 MB" in text
    # The committed page is the script's output, not written by hand.
    committed = (ROOT / "docs" / "install-size.md").read_text(encoding="utf-8")
    assert committed.startswith("# Install size\n\n<!-- Written by `python benchmarks/install_size.py")
