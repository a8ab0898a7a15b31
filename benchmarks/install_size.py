"""What ``pip install kachin-events`` brings, light, with the ``polars`` extra and with ``validate``.

    python benchmarks/install_size.py [--page docs/install-size.md] [--json OUT] [--workdir DIR]

Builds the wheel of this checkout, then makes three fresh virtual environments (no
system site packages) and installs into them ``kachin-events`` (the light install, for
loading the data as pandas frames), ``kachin-events[polars]`` (polars frames too) and
``kachin-events[validate]`` (everything: validation, templates, building releases), from
the package index pip is configured with. For each it counts the installed
distributions (pip, setuptools and kachin-events itself left out) and the bytes of its
``site-packages``, and checks that the light install loads a published release, its
flat view and an event's history, and that ``format="polars"`` and ``kachin-events
validate`` say what to install there.

Needs the package index (PyPI or a mirror); nothing else is fetched.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NOT_COUNTED = {"pip", "setuptools", "wheel", "kachin-events", "kachin_events"}

PROBE = r"""
import json, subprocess, sys, kachin_events
version = kachin_events.versions()[-1]
events = kachin_events.load(version=version)
flat = kachin_events.load_flat(version=version)
steps = kachin_events.history("KE000001").steps
try:
    kachin_events.load(format="polars")
    polars_says = ""
except ModuleNotFoundError as exc:
    polars_says = str(exc)
proc = subprocess.run([sys.executable, "-m", "kachin_events", "validate"], capture_output=True, text=True)
print(json.dumps({"rows": len(events), "flat_rows": len(flat), "history_steps": len(steps),
                  "polars_says": polars_says, "validate_status": proc.returncode,
                  "validate_says": proc.stderr.strip()}))
"""


def build_wheel(out: Path) -> Path:
    subprocess.run([sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(out), str(ROOT)],
                   check=True, capture_output=True, text=True)
    (whl,) = out.glob("kachin_events-*.whl")
    return whl


def site_packages(venv: Path) -> Path:
    (found,) = venv.glob("lib/python*/site-packages")
    return found


def folder_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink())


def install(venv: Path, requirement: str) -> dict:
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    py = venv / "bin" / "python"
    proc = subprocess.run([str(py), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", requirement],
                          capture_output=True, text=True)
    if proc.returncode:
        raise SystemExit(f"pip install {requirement} failed:\n{proc.stderr[-3000:]}")
    listed = subprocess.run([str(py), "-m", "pip", "list", "--format", "json", "--disable-pip-version-check"],
                            check=True, capture_output=True, text=True).stdout
    names = sorted(d["name"] for d in json.loads(listed) if d["name"].lower() not in NOT_COUNTED)
    site = site_packages(venv)
    # The largest top-level folders of site-packages: where the bytes are.
    folders = sorted(((folder_bytes(d), d.name) for d in site.iterdir()
                      if d.is_dir() and not d.name.endswith((".dist-info", "__pycache__"))), reverse=True)
    return {"requirement": requirement, "distributions": names, "count": len(names),
            "bytes": folder_bytes(site), "largest": [[name, size] for size, name in folders[:6]], "python": str(py)}


def measure(workdir: Path) -> dict:
    whl = build_wheel(workdir / "wheel")
    light = install(workdir / "light", str(whl))
    # Not a folder named "polars": the probe runs in workdir, where it would be importable.
    with_polars = install(workdir / "with-polars-extra", f"{whl}[polars]")
    full = install(workdir / "full", f"{whl}[validate]")
    probe = subprocess.run([light.pop("python"), "-c", PROBE], check=True, capture_output=True, text=True,
                           cwd=workdir)
    with_polars.pop("python")
    full.pop("python")
    return {"when": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
            "machine": f"{platform.system()} {platform.machine()}, Python {platform.python_version()}",
            "wheel": whl.name, "light": light, "polars": with_polars, "full": full,
            "light_probe": json.loads(probe.stdout)}


def _mb(n: int) -> str:
    return f"{n / 1e6:,.0f} MB"


def page(result: dict) -> str:
    light, full, probe = result["light"], result["full"], result["light_probe"]
    with_polars = result.get("polars")
    left_out = sorted(set(full["distributions"]) - set(light["distributions"]), key=str.lower)
    ratio = light["bytes"] / full["bytes"]
    rows = [f"| `pip install kachin-events` | {light['count']} | {_mb(light['bytes'])} |"]
    if with_polars:
        rows.append(f"| `pip install \"kachin-events[polars]\"` | {with_polars['count']} | {_mb(with_polars['bytes'])} |")
    rows.append(f"| `pip install \"kachin-events[validate]\"` | {full['count']} | {_mb(full['bytes'])} |")
    polars_says = probe.get("polars_says")
    return "\n".join([
        "# Install size",
        "",
        "<!-- Written by `python benchmarks/install_size.py --page docs/install-size.md`; do not edit. -->",
        "",
        "`pip install kachin-events` is the light install, for people who read the data as pandas frames: "
        "`load()`, the flat view, every table at once, the published releases, `versions`, `history`, "
        "`download`. It needs pandas, not pyarrow or polars: it reads the CSV files of a release (checked "
        "against their hashes like every file) where a fuller install reads the Parquet ones, and gives the "
        "same frames (a test compares them on every table). `format=\"polars\"` needs the `polars` extra "
        "and `format=\"arrow\"` the `arrow` extra. Checking and writing data (validating, the "
        "contributor's template, `add`, exports, building and verifying releases, importing ACLED and "
        "UCDP) needs the `validate` extra: `pip install \"kachin-events[validate]\"`. The GitHub Action, "
        "the pre-commit hooks and the set-up script install it; a command or format that needs an extra, "
        "used without it, says what to install (a command exits with status 2).",
        "",
        f"Measured on {result['when']} ({result['machine']}) by installing the wheel `{result['wheel']}` "
        "into fresh virtual environments from the package index:",
        "",
        "| Install | Distributions | `site-packages` |",
        "| --- | ---: | ---: |",
        *rows,
        "",
        f"The light install is {ratio:.0%} of the full one. In it, `load(version=...)` read the latest "
        f"published release ({probe['rows']} events)"
        + (f", its flat view ({probe['flat_rows']} rows) and the history of KE000001 (in "
           f"{probe['history_steps']} release{'' if probe['history_steps'] == 1 else 's'})"
           if "flat_rows" in probe else "")
        + (f"; `load(format=\"polars\")` said \"{polars_says.splitlines()[0]}\"" if polars_says else "")
        + f"; and `kachin-events validate` exited with status {probe['validate_status']}, saying:",
        "",
        "```text",
        probe["validate_says"],
        "```",
        "",
        "What the `validate` extra adds: " + ", ".join(f"`{n}`" for n in left_out) + ".",
        "",
        "Where the light install's bytes are (its largest folders in `site-packages`): "
        + ", ".join(f"`{name}` {_mb(size)}" for name, size in light["largest"]) + ".",
        "",
    ])


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--page", type=Path, help="write the results page (Markdown) here")
    ap.add_argument("--json", type=Path, help="write the measurements (JSON) here")
    ap.add_argument("--workdir", type=Path, help="where to make the environments (default: a temporary folder)")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="kachin-install-") as tmp:
        workdir = args.workdir or Path(tmp)
        workdir.mkdir(parents=True, exist_ok=True)
        result = measure(workdir)
    text = json.dumps(result, indent=2) + "\n"
    if args.json:
        args.json.write_text(text, encoding="utf-8")
    if args.page:
        tmp_page = args.page.with_name(args.page.name + ".tmp")
        tmp_page.write_text(page(result), encoding="utf-8")
        os.replace(tmp_page, args.page)
    print(f"light: {result['light']['count']} distributions, {_mb(result['light']['bytes'])}; "
          f"full: {result['full']['count']} distributions, {_mb(result['full']['bytes'])}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
