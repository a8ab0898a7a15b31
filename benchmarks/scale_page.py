"""The targets of issue 10 ("Validation at scale") judged from a run, and its results page.

Both work on the result dict of ``bench_scale.py`` only: every figure on the page
comes from that run. The targets' limits are the issue's; where the issue says it in
words ("well under a second"), the reading used here is a constant below, and the
page says it.
"""

from __future__ import annotations

#: The size the issue's targets name.
TARGET_ROWS = 1_000_000
#: validate time / bare pyarrow read, at most.
MAX_TIME_OVER_PYARROW = 2.0
#: frictionless time / validate time, at least.
MIN_SPEEDUP_OVER_FRICTIONLESS = 30.0
#: validate's peak resident memory / the size of events.csv, at most.
MAX_MEMORY_OVER_CSV = 2.0
#: "A few-dozen-row submission in well under a second": read as at most this (s).
SMALL_SUBMISSION_MAX_S = 0.5
#: "--help in a fraction of that": read as at most this share of the limit above.
HELP_FRACTION = 0.5

COMMAND_LABELS = {
    "validate": "kachin-events validate",
    "frictionless": "frictionless validate",
    "pyarrow": "pyarrow.csv.read_csv",
    "polars": "polars.read_csv",
}


def _target(tid, text, status, measured, limit, verdict, rows=None) -> dict:
    return {"id": tid, "target": text, "status": status, "measured": measured, "limit": limit,
            "rows": rows, "verdict": verdict}


def _upper(measured: float, limit: float, what: str, unit: str = "x") -> tuple[str, str]:
    """(status, verdict) for "at most ``limit``"."""
    shown = f"{measured:.2f}{unit}" if unit == "x" else f"{measured:.3f} {unit}"
    lim = f"{limit:g}{unit}" if unit == "x" else f"{limit:g} {unit}"
    if measured <= limit:
        return "met", f"{what} {shown} (at most {lim})"
    return "missed", f"{what} {shown}: {measured / limit:.1f} times the limit of {lim}"


def _size(result: dict, rows: int | None = None, need_frictionless: bool = False):
    sizes = [s for s in result["sizes"]
             if not need_frictionless or not s["commands"]["frictionless"].get("skipped")]
    if not sizes:
        return None
    if rows is not None:
        return next((s for s in sizes if s["rows"] == rows), None)
    return max(sizes, key=lambda s: s["rows"])


def failure(s: dict, name: str) -> str | None:
    """Why ``name`` has no result at size ``s`` (it failed), or None."""
    if name not in s.get("commands_failed", []):
        return None
    r = s["commands"][name]
    how = ("was stopped when its memory passed the run's limit" if r.get("stopped_over_memory_limit")
           else f"was killed by signal {-r['exit_code']}" if r["exit_code"] < 0 else f"exited with {r['exit_code']}")
    return (f"{COMMAND_LABELS[name]} did not finish at {s['rows']:,} rows: it {how} after {_s(r['seconds'])} s, "
            f"at a peak of {_mb(r['peak_rss_bytes'])} MB")


def _at_target_rows(result, tid, text, metric, limit, what):
    s = _size(result, TARGET_ROWS)
    if s is not None and failure(s, "validate"):
        return _target(tid, text, "missed", None, limit, failure(s, "validate"), s["rows"])
    if s is None:
        largest = _size(result)
        note = (f"not run at {TARGET_ROWS:,} rows; at {largest['rows']:,} rows, {what} "
                f"{metric(largest):.2f}x (limit {limit:g}x)") if largest else f"not run at {TARGET_ROWS:,} rows"
        return _target(tid, text, "not measured", metric(largest) if largest else None, limit, note,
                       largest["rows"] if largest else None)
    status, verdict = _upper(metric(s), limit, what)
    return _target(tid, text, status, metric(s), limit, f"at {s['rows']:,} rows, {verdict}", s["rows"])


def targets(result: dict) -> list[dict]:
    """Each target of the issue: met, missed (and by how much) or not measured."""
    out = [_at_target_rows(
        result, "time-vs-pyarrow",
        f"{TARGET_ROWS:,} rows validated in at most {MAX_TIME_OVER_PYARROW:g}x the time of a bare pyarrow read",
        lambda s: s["commands"]["validate"]["time_over_pyarrow"], MAX_TIME_OVER_PYARROW,
        "validate took")]

    text = f"at least {MIN_SPEEDUP_OVER_FRICTIONLESS:g}x faster than frictionless"
    s = _size(result, TARGET_ROWS, need_frictionless=True) or _size(result, need_frictionless=True)
    if s is None:
        out.append(_target("speed-vs-frictionless", text, "not measured", None, MIN_SPEEDUP_OVER_FRICTIONLESS,
                           "frictionless was not run at any size"))
    elif failure(s, "validate") or failure(s, "frictionless"):
        why = failure(s, "validate") or failure(s, "frictionless")
        out.append(_target("speed-vs-frictionless", text, "missed" if failure(s, "validate") else "not measured",
                           None, MIN_SPEEDUP_OVER_FRICTIONLESS, why, s["rows"]))
    else:
        ratio = s["commands"]["validate"]["frictionless_over_validate"]
        where = f"at {s['rows']:,} rows" + ("" if s["rows"] == TARGET_ROWS else
                                           f" (the largest size frictionless ran at; not {TARGET_ROWS:,})")
        if ratio >= MIN_SPEEDUP_OVER_FRICTIONLESS:
            status, verdict = "met", f"{where}, {ratio:.1f}x faster"
        else:
            status, verdict = "missed", (f"{where}, {ratio:.2f}x as fast: {MIN_SPEEDUP_OVER_FRICTIONLESS / ratio:.1f} "
                                         f"times short of {MIN_SPEEDUP_OVER_FRICTIONLESS:g}x")
        if s["rows"] != TARGET_ROWS:
            status = "not measured"  # the figure is in the verdict; the target is about large inputs
        out.append(_target("speed-vs-frictionless", text, status, ratio, MIN_SPEEDUP_OVER_FRICTIONLESS, verdict,
                           s["rows"]))

    expected = sum(s["check"]["expected"] for s in result["sizes"])
    found = sum(s["check"]["found"] for s in result["sizes"])
    missed = sum(len(s["check"]["missed"]) for s in result["sizes"])
    wrong = sum(len(s["check"]["unexpected_errors"]) + len(s["check"]["extra_errors_at_injected_rows"])
                for s in result["sizes"])
    ok = all(s["check"]["ok"] for s in result["sizes"])
    sizes = ", ".join(f"{s['rows']:,}" for s in result["sizes"])
    verdict = (f"at {sizes} rows: {found:,} of {expected:,} injected findings reported at their row, "
               f"{missed:,} missed or misplaced, {wrong:,} errors where none was injected")
    unfinished = [f"{s['rows']:,}" for s in result["sizes"] if failure(s, "validate")]
    if unfinished:
        verdict += f" (validate did not finish at {', '.join(unfinished)} rows: no report to check there)"
    out.append(_target("injected-at-row", "every injected error reported at its row, at every size",
                       "met" if ok else "missed", found, expected, verdict))

    out.append(_at_target_rows(
        result, "memory-vs-csv",
        f"peak memory at most {MAX_MEMORY_OVER_CSV:g}x the size of the CSV (events.csv) at {TARGET_ROWS:,} rows",
        lambda s: s["commands"]["validate"]["memory_over_events_csv"], MAX_MEMORY_OVER_CSV,
        "validate's peak memory was"))

    st = result["startup"]
    small = st["small_submission"]
    status, verdict = _upper(small["median_s"], SMALL_SUBMISSION_MAX_S, "median", "s")
    if not small["ok"]:
        status, verdict = "missed", verdict + "; the submission did not validate (exit " \
                                              f"{sorted(set(small['exit_codes']))})"
    out.append(_target("small-submission", f"a {small['rows']}-row submission validated in well under a second "
                       f"(read as at most {SMALL_SUBMISSION_MAX_S:g} s)", status, small["median_s"],
                       SMALL_SUBMISSION_MAX_S, verdict))
    limit = HELP_FRACTION * SMALL_SUBMISSION_MAX_S
    status, verdict = _upper(st["help"]["median_s"], limit, "median", "s")
    out.append(_target("help", f"kachin-events --help in a fraction of that (read as at most {limit:g} s)",
                       status, st["help"]["median_s"], limit,
                       verdict + f"; {st['help']['median_s'] / small['median_s']:.2f} of the small submission's time"))
    return out


# -- the page --------------------------------------------------------------------------------
def _mb(x) -> str:
    return "" if x is None else f"{x / 1e6:,.0f}" if x >= 1e8 else f"{x / 1e6:,.1f}"


def _s(x) -> str:
    return f"{x:,.2f}" if x >= 1 else f"{x:.3f}"


def _table(head: list[str], rows: list[list], align: str | None = None) -> list[str]:
    align = align or "l" + "r" * (len(head) - 1)
    marks = ["---:" if a == "r" else "---" for a in align]
    return ["| " + " | ".join(head) + " |", "| " + " | ".join(marks) + " |",
            *("| " + " | ".join(str(c) for c in r) + " |" for r in rows)]


def large_files(result: dict) -> list[str]:
    """The section on files read in chunks: which sizes were, and what memory grows by per row."""
    chunk = result["parameters"].get("chunk_bytes")
    if not chunk:
        return []
    out = ["## Files larger than memory", "",
           f"`kachin-events validate` reads a CSV file larger than {chunk / 1e6:g} MB (the chunk size in force) in "
           "chunks of about that size; keys and the rules that compare rows are checked once, after the last "
           "chunk, on the few columns they read (see [Working at scale](scale.md)).", ""]
    done = [s for s in result["sizes"] if not failure(s, "validate")]
    chunked = [s for s in done if s["commands"]["validate"].get("read_in_chunks")]
    if not chunked:
        return out + ["No size of this run was read in chunks.", ""]
    out += ["Read in chunks at " + ", ".join(f"{s['rows']:,}" for s in chunked) + " rows.", ""]
    if len(chunked) < 2:
        return out + ["Two sizes read in chunks are needed to say how memory grows with the rows; this run has one.",
                      ""]
    a, b = chunked[-2], chunked[-1]
    ma, mb = a["commands"]["validate"]["peak_rss_bytes"], b["commands"]["validate"]["peak_rss_bytes"]
    per_row = (mb - ma) / (b["rows"] - a["rows"])
    bytes_per_row = b["events_bytes"] / b["rows"]
    speed = b["commands"]["validate"]["rows_per_s"]
    out += [f"From {a['rows']:,} to {b['rows']:,} rows, validate's peak memory grew from {_mb(ma)} to {_mb(mb)} MB: "
            f"{per_row:,.0f} bytes per row (the events file holds {bytes_per_row:,.0f} bytes per row, its "
            f"event_sources file about {b['event_sources_bytes'] / b['rows']:,.0f}). At {b['rows']:,} rows it "
            f"checked {speed:,.0f} rows per second."]
    total = result["machine"].get("memory_bytes")
    if per_row <= 0:
        out += ["", "Peak memory did not grow between these two sizes (the files are too small for the growth to "
                "show beside the interpreter's own memory): no extrapolation is made from them."]
    elif total:
        rows = (total - (mb - per_row * b["rows"])) / per_row
        out += ["", f"**Extrapolated, not measured:** at that rate this machine's {total / 2**30:,.1f} GiB hold the "
                f"checks of about {rows / 1e6:,.0f} million rows like these, an events file of about "
                f"{rows * bytes_per_row / 1e9:,.0f} GB, in about {rows / speed / 60:,.0f} minutes at the same speed. "
                "What grows with the rows is the narrow copy of the keys and of the columns the cross-row rules "
                "read, and the pairs the duplicate rule compares; the file itself is never held whole."]
    return out + [""]


def render(result: dict) -> str:
    m, p, run = result["machine"], result["parameters"], result["run"]
    day = run["started_utc"][:10]
    out = [
        "# Benchmarks: validation at scale",
        "",
        "<!-- Generated by benchmarks/bench_scale.py from one run; do not edit: run the command again. -->",
        "",
        f"Measured on {day} (UTC, {run['started_utc'][11:]} to {run['finished_utc'][11:]}) with:",
        "",
        "```sh",
        run["command"],
        "```",
        "",
        "Every figure on this page comes from that one run. Timings are properties of the machine "
        "below: compare them with another run only on the same machine with the same versions.",
        "",
        "## Machine and versions",
        "",
    ]
    commit = m.get("commit") or "unknown"
    if m.get("worktree_modified"):
        commit += " (with uncommitted changes)"
    facts = [["CPUs", f"{m['cpu_count']} ({m['cpu_usable']} usable)"], ["platform", m["platform"]],
             ["Python", f"{m['python']} ({m['implementation']})"], ["kachin-events", m.get("kachin_events")],
             ["commit", f"`{commit}`"], ["polars", f"{m['polars']} ({m['polars_threads']} threads)"],
             ["pyarrow", m["pyarrow"]], ["pandera", m["pandera"]], ["frictionless", m["frictionless"]]]
    if m.get("memory_bytes"):
        facts.insert(1, ["memory", f"{m['memory_bytes'] / 2**30:,.1f} GiB"])
    if p.get("memory_limit_bytes"):
        facts.append(["memory limit of the run", f"{_mb(p['memory_limit_bytes'])} MB per command (a command "
                      "that passes it is stopped and reported as failed)"])
    if p["environment"]:
        facts.append(["environment", ", ".join(f"`{k}={v}`" for k, v in sorted(p["environment"].items()))])
    out += _table(["", ""], facts, "ll") + [""]

    out += ["## Targets (issue 10)", ""]
    out += _table(["target", "result", "status"],
                  [[t["target"], t["verdict"], f"**{t['status']}**"] for t in result["targets"]], "lll")
    out += [""]

    out += ["## Timings and memory", "",
            "Each command runs as its own process on the same files; the time is wall-clock time from start to "
            "exit (interpreter start-up and imports included), the memory the process's peak resident set. "
            "Ratios are to the bare pyarrow read of the same size; memory / CSV is peak memory over the size "
            "of events.csv.", ""]
    for s in result["sizes"]:
        out += [f"### {s['rows']:,} events", "",
                f"events.csv {_mb(s['events_bytes'])} MB ({s['events_lines']:,} lines), event_sources.csv "
                f"{_mb(s['event_sources_bytes'])} MB ({s['event_sources_rows']:,} rows); "
                f"{s['injected']:,} injected findings.", ""]
        rows = []
        for name, label in COMMAND_LABELS.items():
            r = s["commands"][name]
            if r.get("skipped"):
                rows.append([label, "skipped", "", "", "", "", ""])
                continue
            rows.append([label, _s(r["seconds"]), f"{r['rows_per_s']:,.0f}", _mb(r["peak_rss_bytes"]),
                         f"{r['time_over_pyarrow']:.2f}", f"{r['memory_over_pyarrow']:.2f}",
                         f"{r['memory_over_events_csv']:.2f}"])
        out += _table(["command", "seconds", "rows/s", "peak MB", "time / pyarrow", "memory / pyarrow",
                       "memory / CSV"], rows) + [""]
        for name in s.get("commands_failed", []):
            out += [f"**Failed:** {failure(s, name)}; its figures above are those of the failed run.", ""]
        v = s["commands"]["validate"]
        if "frictionless_over_validate" in v and not failure(s, "validate"):
            out += [f"frictionless / validate time: {v['frictionless_over_validate']:.2f}.", ""]

    out += large_files(result)

    st = result["startup"]
    out += ["## Start-up", "", f"Median of {p['startup_repeat']} runs each.", ""]
    out += _table(["command", "median s", "runs (s)", "peak MB"],
                  [[f"`{c['command']}`", _s(c["median_s"]), ", ".join(f"{x:.3f}" for x in c["seconds"]),
                    _mb(c["peak_rss_bytes"])] for c in (st["help"], st["small_submission"])], "lrrr")
    out += ["", f"The small submission has {st['small_submission']['rows']} events and "
                f"{st['small_submission']['event_sources_rows']} event_sources rows, all valid.", ""]

    out += ["## Injected errors", "",
            "Each size's files have findings injected at known rows: every recipe at the start, the middle and "
            f"the end of events.csv, and one more straddling each {p['block_bytes'] // 2**20} MiB boundary of it; "
            "every broken row at a site follows a valid record whose notes hold a quoted line break. "
            "The validate report must give each at its row (file, line, rule, and field where known), and "
            "no error at any other row. Warnings at other rows are counted, not failed.", ""]
    out += _table(["events", "injected", "found at their row", "missed", "errors where none injected",
                   "errors added at injected rows", "other warnings", "straddling a block", "extra primary-key"],
                  [[f"{s['rows']:,}", f"{s['check']['expected']:,}", f"{s['check']['found']:,}",
                    len(s["check"]["missed"]), len(s["check"]["unexpected_errors"]),
                    len(s["check"]["extra_errors_at_injected_rows"]),
                    sum(w["count"] for w in s["check"]["other_warnings"].values()),
                    s["injected_straddling_blocks"], s["extra_primary_key"]] for s in result["sizes"]])
    out += [""]
    rules = sorted({r for s in result["sizes"] for r in s["check"]["by_rule"]})
    head = ["rule", "severity"] + [f"{s['rows']:,}" for s in result["sizes"]]
    body = []
    for rule in rules:
        row = [f"`{rule}`", ""]
        for s in result["sizes"]:
            t = s["check"]["by_rule"].get(rule)
            row[1] = row[1] or (t or {}).get("severity", "")
            row.append("" if t is None else f"{t['found']} / {t['expected']}")
        body.append(row)
    out += ["Found / injected, per rule:", ""] + _table(head, body, "ll" + "r" * len(result["sizes"])) + [""]
    for s in result["sizes"]:
        bad = s["check"]["missed"][:20]
        if failure(s, "validate"):
            out += [f"At {s['rows']:,} rows there is no report to check: {failure(s, 'validate')}.", ""]
        elif bad:
            out += [f"Missed at {s['rows']:,} rows (first {len(bad)}):", ""]
            out += [f"- `{b['file']}:{b['line']}` {b['rule']} ({b['recipe']}): reported there: "
                    f"{', '.join(r for r, _ in b['reported_there']) or 'nothing'}" for b in bad] + [""]
        wrong = (s["check"]["unexpected_errors"] + s["check"]["extra_errors_at_injected_rows"])[:20]
        if wrong:
            out += [f"Errors where none was injected at {s['rows']:,} rows (first {len(wrong)}):", ""]
            out += [f"- `{w['file']}:{w['row']}` {w['rule']} ({w['field']})" for w in wrong] + [""]
    out += ["Recipes:", ""]
    out += _table(["recipe", "rule", "table", "field", "how the row is broken"],
                  [[r["name"], f"`{r['rule']}`", r["table"], r["field"] or "", r["what"]]
                   for r in result["injection"]["recipes"]], "lllll") + [""]
    out += ["Not injected, and why:", ""]
    out += _table(["rule", "why"], [[f"`{u['unit']}`", u["reason"]] for u in result["injection"]["not_injected"]],
                  "ll") + [""]

    out += ["## How the run is made", "",
            f"- `kachin-events validate` checks both files as a contribution against the repository's reference "
            f"tables, with `--format json` and `--today {p['today']}` (the day before the cited source's latest "
            "publication date, so an event can end in the future without ending after its source).",
            "- `frictionless validate` checks events.csv with the events Table Schema without its foreign keys "
            f"(which name other tables), with `--limit-errors {p['frictionless_limit_errors']}` so that it reads "
            "the whole file.",
            "- The bare reads: `pyarrow.csv.read_csv` with every column as text and `newlines_in_values` (notes "
            "hold line breaks), and `polars.read_csv` with `infer_schema=False`; both skip the injected row with "
            "a cell too many instead of stopping.",
            "- Peak memory is the command's maximum resident set size, from `os.wait4` in a small wrapper "
            "process (a bare interpreter) that starts it: a process's peak counts from the memory of the one "
            "that forked it, so the figures include that wrapper's few megabytes.",
            ""]
    return "\n".join(out)
