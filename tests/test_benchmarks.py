"""The benchmark scripts run, and what they report is well formed and self-consistent.

The scripts run at tiny sizes as subprocesses. Nothing here asserts how fast anything
is: timings depend on the machine. The tests check the structure of the JSON, that
every time is positive, that the generated data validated with zero errors, and that
each ratio is the quotient of the times it is made of.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "benchmarks"
REL = 1e-9  # ratios are stored unrounded, so they match their quotients to float precision
VALIDATE_STAGES = ["read_file", "coerce", "run_pandera", "run_frictionless"]
RELEASE_STEPS = ["validate", "build_release", "verify_release"]
MACHINE_KEYS = {"python", "polars", "pandera", "frictionless", "cpu_count"}


def _run(script: str, *args: str, tmp_path: Path) -> tuple[dict, str]:
    out = tmp_path / f"{script}.json"
    proc = subprocess.run([sys.executable, str(BENCH / script), *args, "--json", str(out)],
                          capture_output=True, text=True, cwd=tmp_path, timeout=180)
    assert proc.returncode == 0, proc.stderr
    return json.loads(out.read_text(encoding="utf-8")), proc.stdout


def _positive_finite(x) -> bool:
    return isinstance(x, (int, float)) and math.isfinite(x) and x > 0


@pytest.fixture(scope="module")
def validate_run(tmp_path_factory):
    return _run("bench_validate.py", "--rows", "100,200", "--repeat", "1",
                tmp_path=tmp_path_factory.mktemp("bench-validate"))


@pytest.fixture(scope="module")
def release_run(tmp_path_factory):
    return _run("bench_release.py", "--events", "200", "--repeat", "1",
                tmp_path=tmp_path_factory.mktemp("bench-release"))


def test_validate_benchmark_structure(validate_run):
    result, stdout = validate_run
    assert result["benchmark"] == "validate"
    assert MACHINE_KEYS <= set(result["machine"])
    assert result["parameters"]["rows"] == [100, 200]
    assert result["parameters"]["repeat"] == 1
    assert result["parameters"]["stages"] == VALIDATE_STAGES
    assert [s["rows"] for s in result["sizes"]] == [100, 200]
    for s in result["sizes"]:
        assert set(s["seconds"]) == {*VALIDATE_STAGES, "validate"}
        assert all(len(v) == 1 for v in s["samples"].values())
        assert str(s["rows"]) in stdout
    assert "run_frictionless" in stdout and "validate" in stdout


def test_validate_benchmark_data_was_valid(validate_run):
    result, _ = validate_run
    for s in result["sizes"]:
        assert s["errors"] == 0
        assert s["stage_errors"] == 0
        assert s["event_sources_rows"] >= s["rows"]  # every event has a source
        assert len(s["data_sha256"]) == 64


def test_validate_benchmark_numbers_are_consistent(validate_run):
    result, _ = validate_run
    for s in result["sizes"]:
        secs = s["seconds"]
        assert all(_positive_finite(v) for v in secs.values()), secs
        for stage, value in secs.items():
            assert value == pytest.approx(sorted(s["samples"][stage])[len(s["samples"][stage]) // 2], rel=REL)
            assert s["rows_per_s"][stage] == pytest.approx(s["rows"] / value, rel=REL)
        ratio = s["ratios"]["frictionless_over_pandera"]
        assert _positive_finite(ratio)
        assert ratio == pytest.approx(secs["run_frictionless"] / secs["run_pandera"], rel=REL)
        share = s["share_of_validate"]
        for stage in VALIDATE_STAGES:
            assert share[stage] == pytest.approx(secs[stage] / secs["validate"], rel=REL)
        assert sum(share.values()) == pytest.approx(1.0, rel=1e-6)
        assert s["stages_sum_over_validate"] == pytest.approx(sum(share[x] for x in VALIDATE_STAGES), rel=1e-6)
    sc = result["scaling"]
    small, large = result["sizes"][0], result["sizes"][-1]
    assert (sc["from_rows"], sc["to_rows"]) == (small["rows"], large["rows"])
    for stage, ratio in sc["per_row_cost_ratio"].items():
        expected = (large["seconds"][stage] / large["rows"]) / (small["seconds"][stage] / small["rows"])
        assert _positive_finite(ratio)
        assert ratio == pytest.approx(expected, rel=REL)


def test_validate_benchmark_is_deterministic(tmp_path, monkeypatch):
    # The same size and seed give the same bytes: the data hash of a second run matches.
    import importlib.util

    spec = importlib.util.spec_from_file_location("kachin_bench_synthetic", BENCH / "synthetic.py")
    synthetic = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, spec.name, synthetic)  # dataclasses look their module up there
    spec.loader.exec_module(synthetic)
    ref = synthetic.load_reference()
    hashes = []
    for k in range(2):
        events, links = synthetic.event_rows(50, ref, prefix=9)
        hashes.append(synthetic.sha256_files(synthetic.write_submission(tmp_path / str(k), events, links)))
    assert hashes[0] == hashes[1]
    assert all(e["event_id"].startswith("KE9") for e in events)
    assert max(e["date_end"] for e in events) <= ref.source_latest.isoformat()


def test_release_benchmark(release_run):
    result, stdout = release_run
    assert result["benchmark"] == "release"
    assert MACHINE_KEYS <= set(result["machine"])
    assert result["parameters"]["steps"] == RELEASE_STEPS
    names = [c["name"] for c in result["cases"]]
    assert names == ["repository", "synthetic-200"]
    repo, synth = result["cases"]
    assert synth["generated_events"] == 200 and repo["generated_events"] == 0
    assert synth["events"] == repo["events"] + 200
    for c in result["cases"]:
        assert c["name"] in stdout
        assert c["errors"] == 0 and c["verify_problems"] == 0
        assert c["zip_bytes"] > 0
        secs = c["seconds"]
        assert set(secs) == set(RELEASE_STEPS)
        assert all(_positive_finite(v) for v in secs.values()), secs
        for step in RELEASE_STEPS:
            assert c["per_1k_events"][step] == pytest.approx(secs[step] / (c["events"] / 1000), rel=REL)
        assert c["ratios"]["verify_over_build"] == pytest.approx(secs["verify_release"] / secs["build_release"], rel=REL)
        assert c["ratios"]["validate_over_build"] == pytest.approx(secs["validate"] / secs["build_release"], rel=REL)
        assert all(_positive_finite(v) for v in c["ratios"].values())
    assert synth["ratios"]["build_per_1k_over_smallest"] == pytest.approx(1.0, rel=REL)
    assert result["scaling"] is None  # one synthetic size: nothing to compare
