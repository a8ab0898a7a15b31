"""Time ``kachin_events.validate`` on synthetic valid submissions, stage by stage.

    python benchmarks/bench_validate.py [--rows 1000,10000,50000] [--repeat 3] [--json OUT]

For each size, a submission (``events.csv`` + ``event_sources.csv``, see
``synthetic.py``) is written to a temporary folder and checked against the
repository's reference tables. It must validate with zero errors, or the run stops: a
benchmark of invalid data measures the error paths, not the validator.

Then, ``--repeat`` times, each stage is timed on its own: the functions
``validation._check`` itself calls, in the same order:

    read_file         validation.read_contribution: the submission's files and the
                      reference package's files, merged into RawTables
    coerce            validation.coerce_tables: every table typed
    run_pandera       validation.check_with_pandera, with a Context built as _check
                      builds it
    run_frictionless  validation.check_with_frictionless

and the whole ``validate()`` call is timed as well. Medians are reported, with each
stage's share of ``validate()``, rows per second, the ratio frictionless / pandera and
how the cost per row grows from the smallest size to the largest. Only ratios within
one run mean anything; see benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import json
import math
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import synthetic  # noqa: E402

from kachin_events import validate  # noqa: E402
from kachin_events.validation.findings import ERROR, Report  # noqa: E402
from kachin_events.rules import Context  # noqa: E402
from kachin_events.validation import (  # noqa: E402
    check_with_frictionless,
    check_with_pandera,
    coerce_tables,
    read_contribution,
)

STAGES = ("read_file", "coerce", "run_pandera", "run_frictionless")
TOTAL = "validate"


# -- the stages: validation's own functions, in the order validation._check calls them ----
def stage_read(files: list[Path], reference: Path):
    report = Report()
    tables, present = read_contribution(files, report, reference)
    return tables, present, report


def _timed(fn, *args):
    gc.collect()
    t0 = time.perf_counter()
    out = fn(*args)
    return time.perf_counter() - t0, out


def run_stages(files, reference, today):
    """One pass through the four stages: (seconds per stage, findings of all stages)."""
    secs = {}
    secs["read_file"], (tables, present, report) = _timed(stage_read, files, reference)
    secs["coerce"], (typed, skip) = _timed(coerce_tables, tables, report)
    ctx = Context(tables=typed, present=present, today=today)
    secs["run_pandera"], _ = _timed(check_with_pandera, tables, typed, skip, ctx, report)
    secs["run_frictionless"], _ = _timed(check_with_frictionless, tables, skip, report)
    return secs, report.findings


# -- one size ------------------------------------------------------------------------------
def bench_size(n: int, repeat: int, ref, today: dt.date, workdir: Path) -> dict:
    events, links = synthetic.event_rows(n, ref, prefix=9)
    folder = workdir / f"submission-{n}"
    files = synthetic.write_submission(folder, events, links)
    reference = synthetic.PACKAGE

    # The data must be valid; this untimed run also warms up imports and caches.
    report = validate(*files, today=today, reference=reference)
    if report.errors:
        print(report.to_text(), file=sys.stderr)
        raise SystemExit(f"the generated submission of {n} events does not validate "
                         f"({len(report.errors)} errors); the benchmark would be meaningless")
    _, stage_findings = run_stages(files, reference, today)
    stage_errors = [f for f in stage_findings if f.severity == ERROR]
    if stage_errors:
        raise SystemExit(f"the stage-by-stage run found {len(stage_errors)} errors that validate() did not: "
                         f"{stage_errors[:3]}; the benchmark no longer mirrors validate()")

    samples = {s: [] for s in (*STAGES, TOTAL)}
    for _ in range(repeat):
        secs, _ = run_stages(files, reference, today)
        for s in STAGES:
            samples[s].append(secs[s])
        t, rep = _timed(lambda: validate(*files, today=today, reference=reference))
        if rep.errors:
            raise SystemExit("validate() found errors in a timed run that the first run did not")
        samples[TOTAL].append(t)

    seconds = {s: statistics.median(v) for s, v in samples.items()}
    total = seconds[TOTAL]
    stages_sum = sum(seconds[s] for s in STAGES)
    share = {s: seconds[s] / total for s in STAGES}
    share["other"] = (total - stages_sum) / total
    return {
        "rows": n,
        "event_sources_rows": len(links),
        "data_sha256": synthetic.sha256_files(files),
        "errors": len(report.errors),
        "warnings": len(report.warnings),
        "stage_errors": len(stage_errors),
        "seconds": seconds,
        "samples": samples,
        "rows_per_s": {s: n / seconds[s] for s in (*STAGES, TOTAL)},
        "share_of_validate": share,
        "stages_sum_over_validate": stages_sum / total,
        "ratios": {"frictionless_over_pandera": seconds["run_frictionless"] / seconds["run_pandera"]},
    }


def scaling(sizes: list[dict]) -> dict | None:
    """Cost per row at the largest size / at the smallest: 1 is linear, >1 superlinear."""
    if len(sizes) < 2:
        return None
    small, large = min(sizes, key=lambda s: s["rows"]), max(sizes, key=lambda s: s["rows"])
    ratio = {s: (large["seconds"][s] / large["rows"]) / (small["seconds"][s] / small["rows"])
             for s in (*STAGES, TOTAL)}
    return {"from_rows": small["rows"], "to_rows": large["rows"], "per_row_cost_ratio": ratio}


# -- output --------------------------------------------------------------------------------
def _fmt_s(x: float) -> str:
    return f"{x:.3f}" if x >= 0.1 else f"{x:.4f}"


def text_table(result: dict) -> str:
    m = result["machine"]
    lines = [f"kachin-events validate() benchmark -- python {m['python']}, polars {m['polars']}, "
             f"pandera {m['pandera']}, frictionless {m['frictionless']}, {m['cpu_usable']} usable CPUs; "
             f"median of {result['parameters']['repeat']} run(s)", ""]
    cols = [*STAGES, TOTAL]
    head = f"{'rows':>8} " + " ".join(f"{c:>16}" for c in cols) + f" {'rows/s':>10} {'fl/pandera':>10}"
    lines += ["seconds per stage (median)", head, "-" * len(head)]
    for s in result["sizes"]:
        lines.append(f"{s['rows']:>8} " + " ".join(f"{_fmt_s(s['seconds'][c]):>16}" for c in cols)
                     + f" {s['rows_per_s'][TOTAL]:>10.0f} {s['ratios']['frictionless_over_pandera']:>10.2f}")
    lines += ["", "share of validate() (other = validate() minus the four stages)"]
    shares = [*STAGES, "other"]
    head = f"{'rows':>8} " + " ".join(f"{c:>16}" for c in shares)
    lines += [head, "-" * len(head)]
    for s in result["sizes"]:
        lines.append(f"{s['rows']:>8} " + " ".join(f"{100 * s['share_of_validate'][c]:>15.1f}%" for c in shares))
    sc = result["scaling"]
    if sc:
        lines += ["", f"cost per row at {sc['to_rows']} rows / at {sc['from_rows']} rows "
                      "(1 = linear, >1 = superlinear, <1 = fixed costs amortised)"]
        head = " ".join(f"{c:>16}" for c in cols)
        lines += [head, "-" * len(head), " ".join(f"{sc['per_row_cost_ratio'][c]:>16.2f}" for c in cols)]
    return "\n".join(lines)


def parse_sizes(text: str) -> list[int]:
    return synthetic.parse_sizes(text, "--rows")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rows", type=parse_sizes, default=parse_sizes("1000,10000,50000"),
                    help="event counts, comma-separated (default: 1000,10000,50000)")
    ap.add_argument("--repeat", type=int, default=3, help="timed runs per size; medians are reported (default: 3)")
    ap.add_argument("--json", type=Path, metavar="OUT", help="also write the numbers and machine facts to OUT")
    args = ap.parse_args(argv)
    if args.repeat < 1:
        ap.error("--repeat must be at least 1")

    ref = synthetic.load_reference()
    # "Today" is the source's latest publication date: the earliest day the data is valid
    # on, so the run does not depend on the calendar.
    today = ref.source_latest
    sizes = []
    with tempfile.TemporaryDirectory(prefix="kachin-bench-") as tmp:
        for n in args.rows:
            sizes.append(bench_size(n, args.repeat, ref, today, Path(tmp)))
            print(f"  {n} rows done", file=sys.stderr, flush=True)
    result = {
        "benchmark": "validate",
        "machine": synthetic.machine(),
        "parameters": {"rows": args.rows, "repeat": args.repeat, "seed": synthetic.SEED, "today": today.isoformat(),
                       "reference": str(synthetic.PACKAGE), "stages": list(STAGES)},
        "sizes": sizes,
        "scaling": scaling(sizes),
    }
    for s in sizes:
        for v in [*s["seconds"].values(), *s["ratios"].values()]:
            if not math.isfinite(v):
                raise SystemExit(f"a non-finite number in the results at {s['rows']} rows")
    print(text_table(result))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
