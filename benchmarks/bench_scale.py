"""Validation at scale: ``kachin-events validate`` against frictionless and bare CSV reads.

    python benchmarks/bench_scale.py [--rows 10000,100000,1000000]
        [--skip-frictionless-above N] [--startup-repeat 5] [--memory-limit GB]
        [--json OUT] [--page OUT.md] [--workdir DIR]

For each size, one submission (``events.csv`` + ``event_sources.csv``) with errors
injected at known rows (``inject.py``, ``inject_files.py``) is written to a temporary
folder, and on those same files each of these runs as its own process:

    validate      kachin-events validate events.csv event_sources.csv --format json
                  --today <day>, from the repository (its reference tables)
    frictionless  frictionless validate --schema events.schema.json events.csv (the
                  events schema without its foreign keys, which name other tables)
    pyarrow       pyarrow.csv.read_csv of events.csv, every column as text
    polars        polars.read_csv of events.csv, infer_schema=False

Each is timed (wall clock) and its peak resident memory read from the kernel's
accounting of that one child (``os.wait4``, in a small wrapper process); one that
passes ``--memory-limit`` is stopped and reported as failed. Start-up is measured too: ``--help`` and
the validation of a small valid submission, the median of ``--startup-repeat`` runs.

Then the validate report is checked: every injected error and warning must be reported
at its row (file, line, rule, and field where the recipe knows it), and no error at a
row where nothing was injected. Warnings elsewhere (possible-duplicate between
generated events, say) are counted, not failed. The script exits 1 if a rule has
neither a recipe nor a reason it cannot be injected, if an injected finding is missed,
or if an error is reported where none was injected; see benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import inject  # noqa: E402
import inject_files  # noqa: E402
import scale_page  # noqa: E402
import synthetic  # noqa: E402
from kachin_events.validation.chunked import chunk_bytes  # noqa: E402

REPO = synthetic.REPO
COMMANDS = ("validate", "frictionless", "pyarrow", "polars")
DEFAULT_ROWS = "10000,100000,1000000"
#: Rows of the small submission timed for start-up ("a few dozen").
SMALL_ROWS = 36
#: frictionless stops after this many errors by default (1000); a run that stops early
#: would not read the whole file, so the limit is raised past anything a run injects.
FRICTIONLESS_LIMIT_ERRORS = 10_000_000

#: The bare reads, as small programs run by the same interpreter. pyarrow needs
#: newlines_in_values for notes with line breaks; both skip the injected row with one
#: cell too many instead of stopping.
PYARROW_READ = """
import csv, sys
import pyarrow as pa, pyarrow.csv as pc
path = sys.argv[1]
with open(path, newline="", encoding="utf-8") as fh:
    names = next(csv.reader(fh))
table = pc.read_csv(path,
    parse_options=pc.ParseOptions(newlines_in_values=True, invalid_row_handler=lambda row: "skip"),
    convert_options=pc.ConvertOptions(column_types={n: pa.string() for n in names}))
print(table.num_rows)
"""
POLARS_READ = """
import sys
import polars as pl
frame = pl.read_csv(sys.argv[1], infer_schema=False, truncate_ragged_lines=True)
print(frame.height)
"""


# -- running one measured process --------------------------------------------------------
#: A small process that starts the measured one and reports its resource use. A child's
#: peak memory (ru_maxrss) counts from the memory of the process that forked it, and this
#: script holds polars and the reference tables: started from here, every command would
#: seem to need at least that much. The wrapper, a bare interpreter, forks it instead.
WRAPPER = """
import json, os, signal, sys, threading, time
out, limit, argv = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
stopped = []
t0 = time.perf_counter()
pid = os.posix_spawnp(argv[0], argv, os.environ)

def watch(pidfd):
    # The process's resident memory, read every 50 ms; over the limit it is killed
    # through its pidfd, which cannot reach another process once this one is gone.
    page = os.sysconf("SC_PAGE_SIZE")
    while True:
        try:
            with open(f"/proc/{pid}/statm") as fh:
                rss = int(fh.read().split()[1]) * page
        except (OSError, ValueError, IndexError):
            return
        if rss > limit:
            stopped.append(rss)
            try:
                signal.pidfd_send_signal(pidfd, signal.SIGKILL)
            except OSError:
                pass
            return
        time.sleep(0.05)

if limit > 0 and hasattr(os, "pidfd_open") and os.path.isdir("/proc"):
    threading.Thread(target=watch, args=(os.pidfd_open(pid),), daemon=True).start()
_, status, ru = os.wait4(pid, 0)
seconds = time.perf_counter() - t0
with open(out, "w") as fh:
    json.dump({"seconds": seconds, "maxrss": ru.ru_maxrss, "user_s": ru.ru_utime, "sys_s": ru.ru_stime,
               "exit_code": os.waitstatus_to_exitcode(status), "stopped_at_rss": stopped[0] if stopped else None},
              fh)
"""
#: Default --memory-limit: this share of the machine's memory.
MEMORY_SHARE = 0.5


def physical_memory() -> int | None:
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return None


def measure(cmd: list[str], cwd: Path, stdout: Path | None = None, memory_limit: int = 0) -> dict:
    """Run ``cmd``; its wall time, peak resident memory (bytes), CPU times and exit status.

    The command runs under :data:`WRAPPER` (``python -I -S``), which times it and reads its
    resource use with ``os.wait4``: that one process's, alone. ``ru_maxrss`` is in KiB
    on Linux, in bytes on macOS. With ``memory_limit`` (bytes; Linux only), a process
    whose resident memory grows past it is killed, rather than the machine running out.
    """
    fd, usage_path = tempfile.mkstemp(prefix="kachin-scale-usage-", suffix=".json")
    os.close(fd)
    fd, err_path = tempfile.mkstemp(prefix="kachin-scale-stderr-")
    os.close(fd)
    try:
        with open(stdout or os.devnull, "wb") as out, open(err_path, "wb") as err:
            subprocess.run([sys.executable, "-I", "-S", "-c", WRAPPER, usage_path, str(int(memory_limit)), *cmd],
                           cwd=cwd, stdout=out, stderr=err, check=False)
        stderr = Path(err_path).read_text(encoding="utf-8", errors="replace")
        try:
            usage = json.loads(Path(usage_path).read_text(encoding="utf-8"))
        except ValueError:
            raise SystemExit(f"could not run {shlex.join(cmd)}: {stderr[-2000:]}") from None
    finally:
        Path(usage_path).unlink(missing_ok=True)
        Path(err_path).unlink(missing_ok=True)
    code = usage["exit_code"]
    rss = usage["maxrss"] * (1 if sys.platform == "darwin" else 1024)
    return {"seconds": usage["seconds"], "peak_rss_bytes": rss, "user_s": usage["user_s"], "sys_s": usage["sys_s"],
            "exit_code": code, "stopped_over_memory_limit": usage["stopped_at_rss"] is not None,
            "stderr_tail": stderr[-2000:]}


def _tool(name: str) -> str:
    """The console script next to this interpreter (the project's venv), else on PATH."""
    here = Path(sys.executable).parent / name
    if here.exists():
        return str(here)
    import shutil

    found = shutil.which(name)
    if not found:
        raise SystemExit(f"{name} is not installed next to {sys.executable} nor on PATH")
    return found


# -- checking the report against what was injected -------------------------------------------
def check(manifest: dict, report: dict) -> dict:
    """Every injected finding at its row; no error where nothing was injected."""
    from pathlib import PurePath

    def key(f):
        return PurePath(f["file"]).name, f["row"]

    findings = [*report.get("errors", []), *report.get("warnings", [])]
    at: dict = {}
    for f in findings:
        at.setdefault(key(f), []).append(f)
    expected: dict = {}
    for e in manifest["expected"]:
        expected.setdefault((e["file"], e["line"]), []).append(e)

    missed, by_rule = [], {}
    for e in manifest["expected"]:
        there = at.get((e["file"], e["line"]), [])
        hit = any(f["rule"] == e["rule"] and (e["field"] is None or f["field"] == e["field"]) for f in there)
        tally = by_rule.setdefault(e["rule"], {"severity": e["severity"], "expected": 0, "found": 0})
        tally["expected"] += 1
        if hit:
            tally["found"] += 1
            continue
        same_rule = sorted({f["row"] for f in findings if f["rule"] == e["rule"]
                            and PurePath(f["file"]).name == e["file"] and f["row"] is not None
                            and abs(f["row"] - e["line"]) <= 3})
        missed.append({**e, "reported_there": [[f["rule"], f["field"]] for f in there],
                       "same_rule_nearby": same_rule})
    unexpected, extra, warnings = [], [], {}
    for f in findings:
        mine = expected.get(key(f), [])
        if any(e["rule"] == f["rule"] for e in mine):
            continue
        if f["severity"] != "error":
            w = warnings.setdefault(f["rule"], {"count": 0, "examples": []})
            w["count"] += 1
            if len(w["examples"]) < 3:
                w["examples"].append(_brief(f))
            continue
        (extra if mine else unexpected).append({**_brief(f), "injected_there": [e["recipe"] for e in mine]})
    return {
        "expected": len(manifest["expected"]),
        "found": sum(t["found"] for t in by_rule.values()),
        "missed": missed,
        "unexpected_errors": unexpected,
        "extra_errors_at_injected_rows": extra,
        "other_warnings": warnings,
        "by_rule": dict(sorted(by_rule.items())),
        "report_errors": len(report.get("errors", [])),
        "report_warnings": len(report.get("warnings", [])),
        "ok": not missed and not unexpected and not extra,
    }


def _brief(f: dict) -> dict:
    from pathlib import PurePath

    return {"file": PurePath(f["file"]).name, "row": f["row"], "field": f["field"], "rule": f["rule"],
            "severity": f["severity"], "message": f["message"][:300]}


# -- one size ------------------------------------------------------------------------------
def bench_size(n: int, sc, work: Path, schema: Path, run_frictionless: bool, memory_limit: int = 0) -> dict:
    folder = work / f"rows-{n}"
    t0 = time.perf_counter()
    manifest = inject_files.write_submission(folder, n, sc)
    written_s = time.perf_counter() - t0
    events, links = (Path(p) for p in manifest["paths"])
    print(f"  {n} rows: files written in {written_s:.1f} s "
          f"({manifest['events_bytes'] / 2**20:.1f} MiB events.csv)", file=sys.stderr, flush=True)
    runs = {}
    report_path = folder / "validate.json"
    runs["validate"] = measure([_tool("kachin-events"), "validate", str(events), str(links), "--format", "json",
                                "--today", sc.today.isoformat()], cwd=REPO, stdout=report_path,
                               memory_limit=memory_limit)
    runs["validate"]["input_bytes"] = manifest["events_bytes"] + manifest["event_sources_bytes"]
    if run_frictionless:
        out = folder / "frictionless.json"
        runs["frictionless"] = measure([_tool("frictionless"), "validate", "--schema", schema.name, "--json",
                                        "--limit-errors", str(FRICTIONLESS_LIMIT_ERRORS),
                                        str(events.relative_to(work))], cwd=work, stdout=out,
                                       memory_limit=memory_limit)
        runs["frictionless"]["report"] = _frictionless_summary(out)
    else:
        runs["frictionless"] = {"skipped": True}
    for name, code in (("pyarrow", PYARROW_READ), ("polars", POLARS_READ)):
        out = folder / f"{name}.txt"
        runs[name] = measure([sys.executable, "-c", code, str(events)], cwd=work, stdout=out,
                             memory_limit=memory_limit)
        text = out.read_text(encoding="utf-8").strip() if out.exists() else ""
        runs[name]["rows_read"] = int(text) if text.isdigit() else None
    for name in COMMANDS:
        runs[name].setdefault("input_bytes", manifest["events_bytes"])
        print(f"  {n} rows: {name} " + ("skipped" if runs[name].get("skipped") else
                                        f"{runs[name]['seconds']:.2f} s, exit {runs[name]['exit_code']}"
                                        + (" (stopped: over the memory limit)"
                                           if runs[name]["stopped_over_memory_limit"] else "")),
              file=sys.stderr, flush=True)

    try:
        report = json.loads(report_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        report = {"errors": [], "warnings": [], "unparsed": str(exc)}
    checked = check(manifest, report)
    checked["report_unparsed"] = report.get("unparsed")
    # The validator says when it read a file in chunks (a file larger than the chunk size).
    runs["validate"]["read_in_chunks"] = any("read in chunks" in n for n in report.get("notes", []))
    if runs["validate"]["exit_code"] != 1:
        checked["ok"] = False  # injected errors: the only right exit status is 1 (invalid)
    # The reads must succeed and frictionless must finish (0 valid, 1 invalid), or the
    # ratios compare with a crash.
    allowed = {"validate": (1,), "frictionless": (0, 1), "pyarrow": (0,), "polars": (0,)}
    failed = [k for k, r in runs.items() if not r.get("skipped") and r["exit_code"] not in allowed[k]]
    derive(runs, n, manifest)
    return {
        "rows": n,
        "events_lines": manifest["events_lines"],
        "event_sources_rows": manifest["event_sources_rows"],
        "events_bytes": manifest["events_bytes"],
        "event_sources_bytes": manifest["event_sources_bytes"],
        "data_sha256": synthetic.sha256_files([events, links]),
        "write_seconds": written_s,
        "sites": manifest["sites"],
        "block_bytes": manifest["block_bytes"],
        "extra_primary_key": manifest["extra_primary_key"],
        "injected": len(manifest["expected"]),
        "injected_straddling_blocks": sum(e["straddles_block"] for e in manifest["expected"]),
        "commands": runs,
        "check": checked,
        "commands_failed": failed,
    }


def _frictionless_summary(path: Path) -> dict | None:
    try:
        rep = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    task = (rep.get("tasks") or [{}])[0]
    stats = task.get("stats") or {}
    return {"valid": rep.get("valid"), "errors": stats.get("errors"), "rows": stats.get("rows")}


def derive(runs: dict, n: int, manifest: dict) -> None:
    """Rows per second, ratios to the bare pyarrow read, memory over the files' size."""
    base = runs["pyarrow"]
    for name, r in runs.items():
        if r.get("skipped"):
            continue
        r["rows_per_s"] = n / r["seconds"]
        r["time_over_pyarrow"] = r["seconds"] / base["seconds"]
        r["memory_over_pyarrow"] = r["peak_rss_bytes"] / base["peak_rss_bytes"]
        r["memory_over_events_csv"] = r["peak_rss_bytes"] / manifest["events_bytes"]
        r["memory_over_input"] = r["peak_rss_bytes"] / r["input_bytes"]
    fl = runs["frictionless"]
    if not fl.get("skipped"):
        runs["validate"]["frictionless_over_validate"] = fl["seconds"] / runs["validate"]["seconds"]


# -- start-up ------------------------------------------------------------------------------
def startup(sc, work: Path, repeat: int) -> dict:
    folder = work / "small"
    events, links = inject_files.valid_rows(SMALL_ROWS, sc)
    files = synthetic.write_submission(folder, events, links)
    ke = _tool("kachin-events")
    cases = {
        "help": [ke, "--help"],
        "small_submission": [ke, "validate", *map(str, files), "--format", "json", "--today", sc.today.isoformat()],
    }
    out = {}
    for name, cmd in cases.items():
        samples = [measure(cmd, cwd=REPO, stdout=folder / f"{name}.out") for _ in range(repeat)]
        out[name] = {
            "command": shlex.join(["kachin-events", *cmd[1:]]).replace(str(folder) + "/", ""),
            "seconds": [s["seconds"] for s in samples],
            "median_s": statistics.median(s["seconds"] for s in samples),
            "peak_rss_bytes": max(s["peak_rss_bytes"] for s in samples),
            "exit_codes": [s["exit_code"] for s in samples],
        }
    out["small_submission"]["rows"] = SMALL_ROWS
    out["small_submission"]["event_sources_rows"] = len(links)
    out["help"]["ok"] = all(c == 0 for c in out["help"]["exit_codes"])
    out["small_submission"]["ok"] = all(c == 0 for c in out["small_submission"]["exit_codes"])
    return out


# -- output --------------------------------------------------------------------------------
def machine() -> dict:
    import pyarrow

    m = synthetic.machine()
    m["pyarrow"] = pyarrow.__version__
    m["memory_bytes"] = physical_memory()
    try:
        m["commit"] = subprocess.run(["git", "rev-parse", "HEAD"], cwd=REPO, capture_output=True, text=True,
                                     check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=REPO,
                               capture_output=True, text=True, check=True).stdout.strip()
        m["worktree_modified"] = bool(dirty)
    except (OSError, subprocess.CalledProcessError):
        m["commit"], m["worktree_modified"] = None, None
    return m


def _mb(x: float) -> str:
    return f"{x / 1e6:,.0f}" if x >= 1e7 else f"{x / 1e6:,.1f}"


def text_table(result: dict) -> str:
    lines = ["", f"{'rows':>9} {'command':<13} {'seconds':>9} {'rows/s':>10} {'peak MB':>9} "
                 f"{'t/pyarrow':>9} {'m/pyarrow':>9} {'m/csv':>6}"]
    lines.append("-" * len(lines[-1]))
    for s in result["sizes"]:
        for name in COMMANDS:
            r = s["commands"][name]
            if r.get("skipped"):
                lines.append(f"{s['rows']:>9} {name:<13} {'skipped':>9}")
                continue
            lines.append(f"{s['rows']:>9} {name:<13} {r['seconds']:>9.2f} {r['rows_per_s']:>10,.0f} "
                         f"{_mb(r['peak_rss_bytes']):>9} {r['time_over_pyarrow']:>9.2f} "
                         f"{r['memory_over_pyarrow']:>9.2f} {r['memory_over_events_csv']:>6.2f}"
                         + ("" if name not in s["commands_failed"] else f"  FAILED (exit {r['exit_code']})"))
    lines += ["", f"{'rows':>9} {'injected':>9} {'found':>6} {'missed':>7} {'unexpected':>11} {'extra':>6} "
                  f"{'other warnings':>15}"]
    lines.append("-" * len(lines[-1]))
    for s in result["sizes"]:
        c = s["check"]
        lines.append(f"{s['rows']:>9} {c['expected']:>9} {c['found']:>6} {len(c['missed']):>7} "
                     f"{len(c['unexpected_errors']):>11} {len(c['extra_errors_at_injected_rows']):>6} "
                     f"{sum(w['count'] for w in c['other_warnings'].values()):>15}")
        for name in s["commands_failed"]:
            r = s["commands"][name]
            lines.append(f"    {name} failed (exit {r['exit_code']}): {r['stderr_tail'][-300:]}")
        for m in ([] if "validate" in s["commands_failed"] else c["missed"][:10]):
            lines.append(f"    missed: {m['file']}:{m['line']} {m['rule']} ({m['recipe']}, {m['site']}); "
                         f"reported there: {m['reported_there']}; same rule nearby: {m['same_rule_nearby']}")
        for u in (c["unexpected_errors"] + c["extra_errors_at_injected_rows"])[:10]:
            lines.append(f"    unexpected: {u['file']}:{u['row']} {u['field']} {u['rule']}: {u['message'][:120]}")
    st = result["startup"]
    lines += ["", f"start-up (median of {result['parameters']['startup_repeat']}): --help "
                  f"{st['help']['median_s']:.3f} s; {SMALL_ROWS}-row submission {st['small_submission']['median_s']:.3f} s"
                  + ("" if st["small_submission"]["ok"] else " (NOT valid: exit "
                     f"{st['small_submission']['exit_codes']})")]
    lines += ["", "targets:"]
    for t in result["targets"]:
        lines.append(f"  [{t['status']}] {t['target']}: {t['verdict']}")
    return "\n".join(lines)


def _write_atomic(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def parse_rows(text: str) -> list[int]:
    try:
        sizes = sorted({int(x) for x in text.split(",") if x.strip()})
    except ValueError:
        raise argparse.ArgumentTypeError(f"--rows takes whole numbers separated by commas, not {text!r}") from None
    limit = 10 ** inject.ID_DIGITS
    if not sizes or sizes[0] < 1 or sizes[-1] > limit:
        raise argparse.ArgumentTypeError(f"each size must be between 1 and {limit:,}")
    return sizes


def _command_line(argv) -> str:
    script = Path(__file__).resolve()
    try:
        shown = script.relative_to(REPO)
    except ValueError:
        shown = script
    return shlex.join(["python", str(shown), *argv])


def main(argv=None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rows", type=parse_rows, default=parse_rows(DEFAULT_ROWS),
                    help=f"event counts, comma-separated (default: {DEFAULT_ROWS})")
    ap.add_argument("--skip-frictionless-above", type=int, metavar="N", default=None,
                    help="do not run frictionless on more than N rows (default: run it at every size)")
    ap.add_argument("--startup-repeat", type=int, default=5, metavar="K",
                    help="runs of --help and of the small submission; medians are reported (default: 5)")
    ap.add_argument("--json", type=Path, metavar="OUT", help="write every number and the machine's facts to OUT")
    ap.add_argument("--page", type=Path, metavar="OUT.md", help="write the results page (Markdown) to OUT.md")
    ap.add_argument("--memory-limit", type=float, metavar="GB", default=None,
                    help="stop a command whose resident memory passes GB gigabytes (default: half the machine's "
                         "memory; 0: no limit); it is then reported as failed")
    ap.add_argument("--workdir", type=Path, metavar="DIR",
                    help="write the generated files and reports into DIR and keep them (default: a temporary folder)")
    args = ap.parse_args(argv)
    if args.startup_repeat < 1:
        ap.error("--startup-repeat must be at least 1")
    total = physical_memory()
    if args.memory_limit is None:
        memory_limit = int(MEMORY_SHARE * total) if total else 0
    else:
        memory_limit = int(args.memory_limit * 1e9)

    sc = inject.load_scenario()
    cov = inject.coverage(sc)
    print("rules not injected, and why:")
    for u in cov["units"]:
        if not u["recipes"] and u["reason"]:
            print(f"  {u['unit']}: {u['reason']}")
    if cov["missing"]:
        print(f"no recipe and no reason for: {', '.join(cov['missing'])}; add a recipe to benchmarks/inject.py "
              "or say in NOT_INJECTED why it cannot be injected", file=sys.stderr)
        return 1

    started = dt.datetime.now(dt.timezone.utc)
    with tempfile.TemporaryDirectory(prefix="kachin-scale-") as tmp:
        work = args.workdir.resolve() if args.workdir else Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        schema = json.loads((REPO / "schemas" / "events.json").read_text(encoding="utf-8"))
        schema.pop("foreignKeys", None)
        schema_path = work / "events.schema.json"
        schema_path.write_text(json.dumps(schema, indent=2), encoding="utf-8")
        st = startup(sc, work, args.startup_repeat)
        sizes = []
        for n in args.rows:
            fl = args.skip_frictionless_above is None or n <= args.skip_frictionless_above
            sizes.append(bench_size(n, sc, work, schema_path, fl, memory_limit))
    finished = dt.datetime.now(dt.timezone.utc)

    result = {
        "benchmark": "scale",
        "run": {"started_utc": started.isoformat(timespec="seconds"),
                "finished_utc": finished.isoformat(timespec="seconds"),
                "command": _command_line(argv)},
        "machine": machine(),
        "parameters": {
            "rows": args.rows, "today": sc.today.isoformat(), "reference": str(synthetic.PACKAGE),
            "seed": synthetic.SEED, "block_bytes": inject_files.BLOCK,
            "skip_frictionless_above": args.skip_frictionless_above, "startup_repeat": args.startup_repeat,
            "memory_limit_bytes": memory_limit,
            "chunk_bytes": chunk_bytes(),
            "frictionless_limit_errors": FRICTIONLESS_LIMIT_ERRORS,
            "environment": {k: v for k, v in os.environ.items() if k.startswith(("KACHIN_EVENTS_", "POLARS_"))},
            "commands": list(COMMANDS),
        },
        "injection": {
            "recipes": [{"name": r.name, "rule": r.rule, "table": r.table, "field": r.field,
                         "severity": r.severity, "what": r.what} for r in cov["recipes"]],
            "coverage": cov["units"],
            "not_injected": [{"unit": u["unit"], "reason": u["reason"]} for u in cov["units"]
                             if not u["recipes"]],
            "rules_injected": sorted({r.rule for r in cov["recipes"]}),
        },
        "startup": st,
        "sizes": sizes,
    }
    result["targets"] = scale_page.targets(result)
    result["ok"] = (all(s["check"]["ok"] and not s["commands_failed"] for s in sizes)
                    and st["small_submission"]["ok"] and st["help"]["ok"])
    print(text_table(result))
    if args.json:
        _write_atomic(args.json, json.dumps(result, indent=2) + "\n")
    if args.page:
        _write_atomic(args.page, scale_page.render(result))
    if not result["ok"]:
        print("FAILED: an injected finding was missed or misplaced, an error was reported where none was "
              "injected, a command failed, or a start-up run failed (see above)", file=sys.stderr)
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
