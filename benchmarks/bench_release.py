"""Time ``build_release`` and ``verify_release`` on the repository package and larger ones.

    python benchmarks/bench_release.py [--events 10000,50000] [--repeat 1] [--json OUT]

Cases:

    repository      the repository's own datapackage.json, as it is
    synthetic-N     a copy of the repository package (datapackage.json, data/, schemas/)
                    in a temporary folder, with N generated valid events (ids KE8xxxxx)
                    and their event_sources rows written as one more part of the events
                    and event_sources resources

The repository's own events are kept in the synthetic packages: its event_actors and
event_tags rows refer to them, so removing them would break foreign keys and the build
would refuse the package. Each case therefore has N + (the repository's events) events,
and every figure per 1k events uses that actual count.

For each case, ``--repeat`` times: ``validate()`` of the source package (the first thing
``build_release`` does, timed on its own to show its share), ``build_release`` into a
fresh folder, and ``verify_release`` of the result, which must find no problem. Medians
are reported, as seconds per 1k events and as ratios; see benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import gc
import json
import math
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import synthetic  # noqa: E402

from kachin_events import validate  # noqa: E402
from kachin_events.build import build_release, verify_release, zip_name  # noqa: E402
from kachin_events.tables import read_tables  # noqa: E402

VERSION = "0.1.0"
STEPS = ("validate", "build_release", "verify_release")
#: Where the generated rows go inside the copied package.
PART = "data/reports/bench-synthetic"


def synthetic_package(n: int, ref, folder: Path) -> Path:
    """Copy the repository package into ``folder`` and add ``n`` generated events to it."""
    src = synthetic.PACKAGE.parent
    folder.mkdir(parents=True)
    shutil.copy2(synthetic.PACKAGE, folder / "datapackage.json")
    for sub in ("data", "schemas"):
        if (src / sub).is_dir():
            shutil.copytree(src / sub, folder / sub)
    events, links = synthetic.event_rows(n, ref, prefix=8)
    synthetic.write_csv(folder / PART / "events.csv", "events", events)
    synthetic.write_csv(folder / PART / "event_sources.csv", "event_sources", links)
    desc = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    for res in desc["resources"]:
        if res["name"] in ("events", "event_sources"):
            paths = [res["path"]] if isinstance(res["path"], str) else list(res["path"])
            res["path"] = paths + [f"{PART}/{res['name']}.csv"]
    (folder / "datapackage.json").write_text(json.dumps(desc, indent=2) + "\n", encoding="utf-8")
    return folder / "datapackage.json"


def _timed(fn, *args):
    gc.collect()
    t0 = time.perf_counter()
    out = fn(*args)
    return time.perf_counter() - t0, out


def bench_case(name: str, package: Path, generated: int, repeat: int, workdir: Path) -> dict:
    report = validate(package)  # untimed: also warms up imports and caches
    if report.errors:
        print(report.to_text(), file=sys.stderr)
        raise SystemExit(f"{name}: the package does not validate ({len(report.errors)} errors); "
                         "the benchmark would be meaningless")
    tables = read_tables(package)
    events = tables["events"].height
    links = tables["event_sources"].height
    samples = {s: [] for s in STEPS}
    zip_bytes = None
    for k in range(repeat):
        t, rep = _timed(validate, package)
        if rep.errors:
            raise SystemExit(f"{name}: validate() found errors in a timed run")
        samples["validate"].append(t)
        out = workdir / f"{name}-out-{k}"
        t, folder = _timed(build_release, VERSION, out, package)
        samples["build_release"].append(t)
        t, problems = _timed(verify_release, folder)
        if problems:
            raise SystemExit(f"{name}: verify_release found problems in the release it built: {problems[:5]}")
        samples["verify_release"].append(t)
        zip_bytes = (out / zip_name(VERSION)).stat().st_size
        shutil.rmtree(out)
    seconds = {s: statistics.median(v) for s, v in samples.items()}
    per_1k = {s: seconds[s] / (events / 1000) for s in STEPS}
    return {
        "name": name,
        "events": events,
        "generated_events": generated,
        "event_sources_rows": links,
        "errors": len(report.errors),
        "warnings": len(report.warnings),
        "verify_problems": 0,
        "zip_bytes": zip_bytes,
        "seconds": seconds,
        "samples": samples,
        "per_1k_events": per_1k,
        "ratios": {
            "verify_over_build": seconds["verify_release"] / seconds["build_release"],
            "validate_over_build": seconds["validate"] / seconds["build_release"],
        },
    }


def add_relative(cases: list[dict]) -> dict | None:
    """Each synthetic case's build cost per 1k events relative to the smallest one's."""
    synth = [c for c in cases if c["generated_events"]]
    if not synth:
        return None
    base = min(synth, key=lambda c: c["events"])
    for c in synth:
        c["ratios"]["build_per_1k_over_smallest"] = (c["per_1k_events"]["build_release"]
                                                     / base["per_1k_events"]["build_release"])
    if len(synth) < 2:
        return None
    top = max(synth, key=lambda c: c["events"])
    return {"from_events": base["events"], "to_events": top["events"],
            "per_1k_cost_ratio": {s: top["per_1k_events"][s] / base["per_1k_events"][s] for s in STEPS}}


def _fmt_s(x: float) -> str:
    return f"{x:.3f}" if x >= 0.1 else f"{x:.4f}"


def text_table(result: dict) -> str:
    m = result["machine"]
    lines = [f"kachin-events release benchmark -- python {m['python']}, polars {m['polars']}, "
             f"pandera {m['pandera']}, frictionless {m['frictionless']}, {m['cpu_usable']} usable CPUs; "
             f"median of {result['parameters']['repeat']} run(s)", ""]
    head = (f"{'case':<18} {'events':>7} " + " ".join(f"{s + ' s':>17}" for s in STEPS)
            + f" {'build s/1k ev':>14} {'vs smallest':>11} {'verify/build':>12} {'validate/build':>14}")
    lines += [head, "-" * len(head)]
    for c in result["cases"]:
        rel = c["ratios"].get("build_per_1k_over_smallest")
        lines.append(f"{c['name']:<18} {c['events']:>7} " + " ".join(f"{_fmt_s(c['seconds'][s]):>17}" for s in STEPS)
                     + f" {c['per_1k_events']['build_release']:>14.3f} {'-' if rel is None else f'{rel:.2f}':>11}"
                     + f" {c['ratios']['verify_over_build']:>12.2f} {c['ratios']['validate_over_build']:>14.2f}")
    sc = result["scaling"]
    if sc:
        lines += ["", f"cost per 1k events at {sc['to_events']} events / at {sc['from_events']} events "
                      "(1 = linear, >1 = superlinear): "
                      + ", ".join(f"{s} {sc['per_1k_cost_ratio'][s]:.2f}" for s in STEPS)]
    return "\n".join(lines)


def parse_sizes(text: str) -> list[int]:
    return synthetic.parse_sizes(text, "--events")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--events", type=parse_sizes, default=parse_sizes("10000,50000"),
                    help="generated event counts, comma-separated (default: 10000,50000)")
    ap.add_argument("--repeat", type=int, default=1, help="timed runs per case; medians are reported (default: 1)")
    ap.add_argument("--json", type=Path, metavar="OUT", help="also write the numbers and machine facts to OUT")
    args = ap.parse_args(argv)
    if args.repeat < 1:
        ap.error("--repeat must be at least 1")

    ref = synthetic.load_reference()
    cases = []
    with tempfile.TemporaryDirectory(prefix="kachin-bench-release-") as tmp:
        work = Path(tmp)
        cases.append(bench_case("repository", synthetic.PACKAGE, 0, args.repeat, work))
        print("  repository done", file=sys.stderr, flush=True)
        for n in args.events:
            package = synthetic_package(n, ref, work / f"package-{n}")
            cases.append(bench_case(f"synthetic-{n}", package, n, args.repeat, work))
            print(f"  synthetic-{n} done", file=sys.stderr, flush=True)
    result = {
        "benchmark": "release",
        "machine": synthetic.machine(),
        "parameters": {"events": args.events, "repeat": args.repeat, "seed": synthetic.SEED, "version": VERSION,
                       "package": str(synthetic.PACKAGE), "steps": list(STEPS)},
        "cases": cases,
    }
    result["scaling"] = add_relative(cases)
    for c in cases:
        for v in [*c["seconds"].values(), *c["ratios"].values()]:
            if not math.isfinite(v):
                raise SystemExit(f"a non-finite number in the results of {c['name']}")
    print(text_table(result))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
