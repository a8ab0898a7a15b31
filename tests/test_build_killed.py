"""A build killed at any moment (SIGKILL, no chance to clean up) leaves every earlier
release byte-identical and no partial release; the next build removes what it left.

`kachin-events build` runs in a subprocess and is killed at seeded random moments: some
spread over the whole run (start-up, validation, writing), some once its staging folder
has appeared (while it writes the files, renames the folder into place and places the
zip). Each build that is killed is for a new version, so a build killed after its
commit point leaves a complete release, which then counts as an earlier release too.
"""

from __future__ import annotations

import hashlib
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kachin_events.release.build import build_release
from kachin_events.release.layout import zip_name
from kachin_events.release.semver import is_version
from kachin_events.release.verify import verify_release

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "datapackage.json"
SEED = 11
KILLS = 8

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL (POSIX)")


def _digests(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
    env["PYTHONWARNINGS"] = "ignore"
    return env


def _start(version: str, out: Path, cwd: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "kachin_events", "build", "--version", version, "--out", str(out),
                             "--package", str(PACKAGE)], cwd=cwd, env=_env(),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _staging(out: Path, version: str = "") -> list[Path]:
    """The staging folders in ``out`` (of one version's build, when given)."""
    return [p for p in out.iterdir() if p.name.startswith(f".building-{version}")]


def _releases(out: Path) -> list[str]:
    return sorted(p.name for p in out.iterdir() if is_version(p.name))


def test_killed_builds_leave_earlier_releases_intact_and_no_partial_release(tmp_path):
    out = tmp_path / "releases"
    build_release("0.1.0", out, PACKAGE)
    # What must never change once seen: every file of every release, and each zip.
    frozen = {"0.1.0": _digests(out / "0.1.0")}
    zips = {zip_name("0.1.0"): hashlib.sha256((out / zip_name("0.1.0")).read_bytes()).hexdigest()}

    # One build to completion elsewhere: how long a build takes, and when it starts writing.
    timing = tmp_path / "timing"
    build_release("0.1.0", timing, PACKAGE)
    start = time.monotonic()
    proc = _start("0.1.1", timing, tmp_path)
    writing_at = placed_at = None
    while proc.poll() is None:
        if writing_at is None and _staging(timing, "0.1.1-"):
            writing_at = time.monotonic() - start
        if placed_at is None and (timing / zip_name("0.1.1")).exists():
            placed_at = time.monotonic() - start
        time.sleep(0.001)
    total = time.monotonic() - start
    assert proc.returncode == 0 and writing_at is not None
    writing = (placed_at or total) - writing_at  # from the staging folder to the zip in place

    rng = random.Random(SEED)
    running_when_killed = during_writing = 0
    for i in range(KILLS):
        version = f"0.1.{i + 1}"
        proc = _start(version, out, tmp_path)
        began = time.monotonic()
        if i % 2 == 0:  # anywhere in the run
            time.sleep(rng.uniform(0.0, total))
        else:  # while it writes: once its staging folder exists
            while proc.poll() is None and not _staging(out, f"{version}-") and time.monotonic() - began < 120:
                time.sleep(0.002)
            time.sleep(rng.uniform(0.0, 1.2 * writing))
            during_writing += proc.poll() is None and bool(_staging(out, f"{version}-"))
        running_when_killed += proc.poll() is None
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=60)

        for name, digests in frozen.items():
            assert _digests(out / name) == digests, f"kill {i}: release {name} changed"
        for name, digest in zips.items():
            assert hashlib.sha256((out / name).read_bytes()).hexdigest() == digest, f"kill {i}: {name} changed"
        visible = sorted(p.name for p in out.iterdir() if not p.name.startswith("."))
        assert set(visible) <= {*frozen, *zips, version, zip_name(version)}, visible
        if (out / version).exists():  # killed after its commit point: a whole release
            problems = [p for p in verify_release(out / version)]
            assert problems == [], f"kill {i}: {version} is partial: {problems[:3]}"
            frozen[version] = _digests(out / version)
        else:
            assert not (out / zip_name(version)).exists()
        if (out / zip_name(version)).exists():
            zips[zip_name(version)] = hashlib.sha256((out / zip_name(version)).read_bytes()).hexdigest()

    assert running_when_killed >= KILLS // 2  # the kills did land mid-build
    assert during_writing >= 1

    # The next build completes, removes every staging folder the kills left, and places
    # the zip of a release killed between its folder and its zip.
    final = f"0.1.{KILLS + 1}"
    proc = _start(final, out, tmp_path)
    assert proc.wait(timeout=600) == 0
    assert _staging(out) == []
    for name, digests in frozen.items():
        assert _digests(out / name) == digests
    for name in _releases(out):
        assert (out / zip_name(name)).is_file(), f"{name} has no zip"
        assert verify_release(out / name) == [], name
    assert set(_releases(out)) == {*frozen, final}
