"""The benchmark scripts run, and what they report is well formed and self-consistent.

The scripts run at tiny sizes as subprocesses. Nothing here asserts how fast anything
is: timings depend on the machine. The tests check the structure of the JSON, that
every time is positive, that the generated data validated with zero errors, and that
each ratio is the quotient of the times it is made of.
"""

from __future__ import annotations

import json
import math
import os
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


# -- bench_scale.py: validation at scale, with injected errors -------------------------------
SCALE_COMMANDS = ["validate", "frictionless", "pyarrow", "polars"]
SCALE_TARGETS = {"time-vs-pyarrow", "speed-vs-frictionless", "injected-at-row", "memory-vs-csv",
                 "small-submission", "help"}
TARGET_STATUSES = {"met", "missed", "not measured"}


@pytest.fixture(scope="module")
def scale_run(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("bench-scale")
    out, page = tmp / "scale.json", tmp / "scale.md"
    # Chunks of 50 kB: both sizes are read in chunks, as a file larger than memory is.
    env = {**os.environ, "KACHIN_EVENTS_CHUNK_MB": "0.05"}
    proc = subprocess.run([sys.executable, str(BENCH / "bench_scale.py"), "--rows", "300,600", "--startup-repeat", "1",
                           "--json", str(out), "--page", str(page)],
                          capture_output=True, text=True, cwd=tmp, timeout=900, env=env)
    # 0: every injected finding reported at its row; 1: not (test_scale_benchmark_finds_every_injection says which)
    assert proc.returncode in (0, 1), proc.stderr
    return json.loads(out.read_text(encoding="utf-8")), page.read_text(encoding="utf-8"), proc


@pytest.fixture()
def bench_modules(monkeypatch):
    """The benchmark's helper modules, imported from benchmarks/ (and forgotten afterwards)."""
    import importlib

    monkeypatch.syspath_prepend(str(BENCH))
    names = ("synthetic", "inject", "inject_files", "scale_page", "bench_scale")
    for name in names:
        monkeypatch.delitem(sys.modules, name, raising=False)
    mods = {name: importlib.import_module(name) for name in names}
    yield mods
    for name in names:
        sys.modules.pop(name, None)


def test_scale_benchmark_reports_files_read_in_chunks(scale_run):
    result, page, _ = scale_run
    assert result["parameters"]["chunk_bytes"] == 50_000
    assert [s["commands"]["validate"]["read_in_chunks"] for s in result["sizes"]] == [True, True]
    section = page.split("## Files larger than memory", 1)[1].split("\n## ", 1)[0]
    assert "Read in chunks at 300, 600 rows." in section
    assert "bytes per row" in section
    assert ("**Extrapolated, not measured:**" in section) != ("did not grow" in section)


def test_scale_page_extrapolates_memory_per_row(bench_modules):
    page = bench_modules["scale_page"]
    run = {"seconds": 10.0, "rows_per_s": 100_000.0, "read_in_chunks": True}
    sizes = [{"rows": n, "events_bytes": 300 * n, "event_sources_bytes": 75 * n, "commands_failed": [],
              "commands": {"validate": {**run, "peak_rss_bytes": 100e6 + 500 * n}}} for n in (1_000_000, 3_000_000)]
    result = {"parameters": {"chunk_bytes": 64_000_000}, "sizes": sizes, "machine": {"memory_bytes": 8 * 2**30}}
    text = "\n".join(page.large_files(result))
    assert "500 bytes per row" in text
    rows = (8 * 2**30 - 100e6) / 500  # what the peak line reaches the machine's memory at
    assert f"about {rows / 1e6:,.0f} million rows" in text
    assert f"about {rows * 300 / 1e9:,.0f} GB" in text


def test_scale_benchmark_structure(scale_run):
    result, _, proc = scale_run
    assert result["benchmark"] == "scale"
    assert MACHINE_KEYS | {"pyarrow", "commit"} <= set(result["machine"])
    assert result["parameters"]["rows"] == [300, 600]
    assert result["parameters"]["skip_frictionless_above"] is None
    assert result["ok"] == (proc.returncode == 0)
    assert [s["rows"] for s in result["sizes"]] == [300, 600]
    for s in result["sizes"]:
        assert list(s["commands"]) == SCALE_COMMANDS
        for name, r in s["commands"].items():
            assert not r.get("skipped"), name  # frictionless runs at every size by default
            assert _positive_finite(r["seconds"]) and _positive_finite(r["peak_rss_bytes"]), (name, r)
            assert r["rows_per_s"] == pytest.approx(s["rows"] / r["seconds"], rel=REL)
            base = s["commands"]["pyarrow"]
            assert r["time_over_pyarrow"] == pytest.approx(r["seconds"] / base["seconds"], rel=REL)
            assert r["memory_over_pyarrow"] == pytest.approx(r["peak_rss_bytes"] / base["peak_rss_bytes"], rel=REL)
            assert r["memory_over_events_csv"] == pytest.approx(r["peak_rss_bytes"] / s["events_bytes"], rel=REL)
        v = s["commands"]["validate"]
        assert v["exit_code"] == 1  # the injected errors make the submission invalid
        assert v["frictionless_over_validate"] == pytest.approx(
            s["commands"]["frictionless"]["seconds"] / v["seconds"], rel=REL)
        assert s["commands"]["pyarrow"]["exit_code"] == s["commands"]["polars"]["exit_code"] == 0
        assert s["commands_failed"] == []
        assert s["event_sources_rows"] >= s["rows"] and len(s["data_sha256"]) == 64
        assert s["events_lines"] > s["rows"]  # notes with line breaks: lines are not records
    st = result["startup"]
    for case in ("help", "small_submission"):
        assert len(st[case]["seconds"]) == 1 and _positive_finite(st[case]["median_s"])
    assert st["help"]["ok"] and st["small_submission"]["ok"]  # both exit 0: the small submission is valid


def test_scale_benchmark_checks_every_injected_rule(scale_run):
    from kachin_events.rules import RULES

    result, _, _ = scale_run
    inj = result["injection"]
    injected = set(inj["rules_injected"])
    reasons = {u["unit"]: u["reason"] for u in inj["not_injected"]}
    assert all(reasons.values())
    # Every rule of the two tables, and every schema-derived rule, is injected or has a reason.
    for rule in RULES:
        if rule.table in ("events", "event_sources", "*"):
            assert rule.id in injected or rule.id in reasons, rule.id
    # Every cross-field rule of events and event_sources has a recipe (none is impossible today).
    assert {r.id for r in RULES if r.table in ("events", "event_sources")} <= injected
    for s in result["sizes"]:
        c = s["check"]
        assert set(c["by_rule"]) == injected  # every injected rule is checked at every size
        assert all(t["expected"] >= 1 for t in c["by_rule"].values())
        assert c["expected"] == s["injected"] == sum(t["expected"] for t in c["by_rule"].values())
        assert c["found"] + len(c["missed"]) == c["expected"]
        assert s["sites"][0] == "start"  # the file's first record is a broken one


def test_scale_benchmark_finds_every_injection(scale_run):
    # The validator reports each injected finding at its row and no error elsewhere.
    result, _, proc = scale_run
    for s in result["sizes"]:
        c = s["check"]
        assert not c["missed"], c["missed"][:5]
        assert not c["unexpected_errors"] and not c["extra_errors_at_injected_rows"], \
            (c["unexpected_errors"] + c["extra_errors_at_injected_rows"])[:5]
    assert proc.returncode == 0, proc.stderr[-2000:]


def test_scale_benchmark_page(scale_run):
    result, page, _ = scale_run
    targets = result["targets"]
    assert {t["id"] for t in targets} == SCALE_TARGETS
    for t in targets:
        assert t["status"] in TARGET_STATUSES
        assert t["target"] in page and t["verdict"] in page
    m = result["machine"]
    for fact in (m["python"], m["polars"], m["pyarrow"], m["pandera"], m["frictionless"], m["commit"]):
        assert str(fact) in page
    assert result["run"]["command"] in page and result["run"]["started_utc"][:10] in page
    assert "bench_scale.py" in result["run"]["command"] and "--rows 300,600" in result["run"]["command"]
    for s in result["sizes"]:
        assert f"### {s['rows']:,} events" in page
    # Targets at 1,000,000 rows are not judged on a run that did not reach that size.
    by_id = {t["id"]: t for t in targets}
    assert by_id["time-vs-pyarrow"]["status"] == by_id["memory-vs-csv"]["status"] == "not measured"
    assert by_id["injected-at-row"]["status"] == ("met" if all(s["check"]["ok"] for s in result["sizes"]) else "missed")


def test_scale_targets_met_or_missed_by_how_much(bench_modules):
    # A hand-made result: validate 1.5x pyarrow (met), 3x its memory over the CSV (missed, by 1.5).
    page = bench_modules["scale_page"]
    size = {"rows": page.TARGET_ROWS,
            "commands": {"validate": {"time_over_pyarrow": 1.5, "memory_over_events_csv": 3.0,
                                      "frictionless_over_validate": 10.0},
                         "frictionless": {"seconds": 10.0}},
            "check": {"expected": 4, "found": 4, "missed": [], "unexpected_errors": [],
                      "extra_errors_at_injected_rows": [], "ok": True}}
    startup = {"help": {"median_s": 0.1},
               "small_submission": {"median_s": 0.4, "rows": 36, "ok": True, "exit_codes": [0]}}
    got = {t["id"]: t for t in page.targets({"sizes": [size], "startup": startup})}
    assert got["time-vs-pyarrow"]["status"] == "met"
    assert got["memory-vs-csv"]["status"] == "missed" and "1.5 times the limit" in got["memory-vs-csv"]["verdict"]
    assert got["speed-vs-frictionless"]["status"] == "missed" and "3.0 times short" in got["speed-vs-frictionless"]["verdict"]
    assert got["injected-at-row"]["status"] == "met"
    assert got["small-submission"]["status"] == "met" and got["help"]["status"] == "met"
    size["commands"]["frictionless"] = {"skipped": True}
    got = {t["id"]: t for t in page.targets({"sizes": [size], "startup": startup})}
    assert got["speed-vs-frictionless"]["status"] == "not measured"


def test_scale_injection_lines_are_where_records_start(bench_modules, tmp_path):
    # Independently of the validator: each expected line is where a record (or a blank
    # line) starts, read back with the csv module.
    import csv

    inject, files = bench_modules["inject"], bench_modules["inject_files"]
    sc = inject.load_scenario()
    manifest = files.write_submission(tmp_path, 300, sc)
    starts = {}
    for name in ("events.csv", "event_sources.csv"):
        with open(tmp_path / name, newline="", encoding="utf-8") as fh:
            reader, begin = csv.reader(fh), 1
            for row in reader:
                starts[(name, begin)] = row
                begin = reader.line_num + 1
    assert manifest["rows"] == 300
    assert manifest["events_lines"] == max(line for (name, line) in starts if name == "events.csv")
    for e in manifest["expected"]:
        row = starts[(e["file"], e["line"])]
        assert (row == []) == (e["rule"] == "blank-row"), e
    assert any(e["site"] == "end" for e in manifest["expected"])


def test_scale_coverage_refuses_a_rule_without_recipe(bench_modules, monkeypatch):
    from kachin_events.rules import RULES, Rule

    inject = bench_modules["inject"]
    sc = inject.load_scenario()
    assert inject.coverage(sc)["missing"] == []
    new = Rule("new-events-rule", "events", "notes", "error", "A rule added later.", "Fix it.", lambda df, ctx: None)
    monkeypatch.setattr(inject, "RULES", (*RULES, new))
    assert inject.coverage(sc)["missing"] == ["new-events-rule"]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the memory watch reads /proc and uses a pidfd")
def test_scale_measure_stops_a_command_over_the_memory_limit(bench_modules, tmp_path):
    measure = bench_modules["bench_scale"].measure
    grow = "x = bytearray(400_000_000)\nx[::4096] = b'a' * len(x[::4096])\nimport time\ntime.sleep(3)"
    r = measure([sys.executable, "-c", grow], tmp_path, memory_limit=150_000_000)
    assert r["stopped_over_memory_limit"] and r["exit_code"] < 0
    r = measure([sys.executable, "-c", "pass"], tmp_path, memory_limit=150_000_000)
    assert not r["stopped_over_memory_limit"] and r["exit_code"] == 0
    assert 0 < r["peak_rss_bytes"] < 150_000_000  # the wrapper's own memory is not counted
