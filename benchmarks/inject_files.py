"""Write a submission with errors injected at known rows (for ``bench_scale.py``).

A submission of ``n`` events (``events.csv``) and their claims (``event_sources.csv``)
is written row by row, never held in memory: valid rows from
:func:`synthetic.event_row`, and at chosen rows a valid row broken by a recipe of
:mod:`inject`. Each broken row is recorded as an expected finding: (file, line as a
person sees it, field, rule); a record's line is the line it starts on.

Where the broken rows go:

* three *sites* (start, middle, end): every recipe once, each broken row after a
  valid row whose notes hold a quoted line break, so the line of a record is not its
  record number; the file's first and last records are broken rows;
* one broken row straddling each multiple of :data:`BLOCK` bytes of ``events.csv``
  (a reader's block or chunk boundary: every power-of-two block of at least
  :data:`BLOCK` bytes ends at one of them), the recipes taken in turn;
* when the schema's id space (``KE`` and six digits) cannot give every record a new
  id, extra ``primary-key`` rows (copies of the row before) make up the difference,
  spread over the file.

Nothing here is timed.
"""

from __future__ import annotations

import csv
import io
import random
import re
from pathlib import Path

import synthetic
from inject import BLANK, FILES, ID_DIGITS, SECOND_LINE, Recipe, Scenario, recipes
from kachin_events import get_schema

#: Broken rows straddle each multiple of this many bytes of events.csv: pyarrow.csv's
#: default block size, and a divisor of every larger power-of-two block or chunk.
BLOCK = 1 << 20


class IdPool:
    """New event ids in ascending order, skipping the repository's (KE and six digits)."""

    def __init__(self, used: set):
        pattern = get_schema("events").field("event_id").constraints.get("pattern")
        sample = f"KE{0:0{ID_DIGITS}d}"
        if pattern and not re.fullmatch(pattern, sample):
            raise SystemExit(f"event ids {sample!r} no longer match the schema's pattern {pattern!r}")
        self.used, self.next, self.returned = used, 0, []
        self.size = 10 ** ID_DIGITS
        self.capacity = self.size - sum(1 for u in used if pattern is None or re.fullmatch(pattern, u))
        self.previous = None  # the last valid event written (primary-key copies it)
        self.short = 0  # ids a digit short handed out (pattern)

    def take(self) -> str:
        if self.returned:
            return self.returned.pop()
        while self.next < self.size and f"KE{self.next:0{ID_DIGITS}d}" in self.used:
            self.next += 1
        if self.next >= self.size:
            raise SystemExit("the event id space (KE and six digits) is used up; fewer rows are needed")
        self.next += 1
        return f"KE{self.next - 1:0{ID_DIGITS}d}"

    def give_back(self, event_id: str) -> None:
        self.returned.append(event_id)


class _Writer:
    """CSV rows to a binary file, counting bytes and lines (a record's line is where it starts)."""

    def __init__(self, path: Path, fields: list):
        self.fh = open(path, "wb", buffering=1 << 20)
        self.fields = fields
        self.buf = io.StringIO()
        self.csv = csv.writer(self.buf, lineterminator="\n")
        self.offset, self.line, self.records = 0, 1, 0
        self._write(fields)
        self.records = 0  # the header is no record

    def encode(self, row) -> bytes:
        if row is BLANK:
            return b"\n"
        cells = row if isinstance(row, list) else [row.get(f, "") for f in self.fields]
        self.buf.seek(0)
        self.buf.truncate()
        self.csv.writerow(cells)
        return self.buf.getvalue().encode("utf-8")

    def _write(self, row, data: bytes | None = None) -> tuple[int, int]:
        """Write a row; (its line, its byte offset)."""
        data = data if data is not None else self.encode(row)
        at = (self.line, self.offset)
        self.fh.write(data)
        self.offset += len(data)
        self.line += data.count(b"\n")
        if row is not BLANK:
            self.records += 1
        return at

    def close(self):
        self.fh.close()


def _plan(n: int, rec: list[Recipe]) -> tuple[dict, list[str]]:
    """Record index -> ("multiline",) or ("inject", recipe, site), for the fixed sites."""
    site_len = sum(1 + r.records for r in rec)  # a valid multi-line record before each
    if n < site_len:
        raise SystemExit(f"at least {site_len} rows are needed to inject each of the {len(rec)} recipes once")
    starts = {"start": 0, "middle": n // 2 - site_len // 2, "end": n - site_len}
    if n < 3 * site_len:
        starts = {"start": 0, "end": n - site_len} if n >= 2 * site_len else {"start": 0}
    plan = {}
    for site, at in starts.items():
        i = at
        for k, r in enumerate(rec):
            if not (site == "start" and k == 0):  # the file's first record is a broken one
                plan[i] = ("multiline",)
                i += 1
            plan[i] = ("inject", r, site)
            i += r.records
    return plan, list(starts)


def _free_of(plan: dict, i: int, records: int) -> bool:
    """Nothing planned at records i .. i+records-1, nor just before or after them."""
    return all(j not in plan for j in range(i - 1, i + records + 1))


#: Ids kept spare, beyond one per record, for ids that no record gets (a claim of an event
#: that does not exist takes one): plenty for one such claim per site and per block.
def _spare_ids(n: int) -> int:
    return 64 + n // 10_000


def write_submission(folder: Path, n: int, sc: Scenario, seed: int = synthetic.SEED, block: int = BLOCK) -> dict:
    """Write events.csv (``n`` records) and event_sources.csv; return the manifest.

    The manifest lists each expected finding (file, line, field, rule, severity, the
    recipe and where it was put), the files' sizes and the counts a reader needs.
    """
    folder.mkdir(parents=True, exist_ok=True)
    rec = recipes(sc)
    plan, sites = _plan(n, rec)
    ids = IdPool(sc.used_ids)
    # Records that take no new id (copies of a row, a broken id) leave ids over; when the
    # id space still falls short, more copies of the row before fill the difference.
    reuse = sum(r.records for r in rec if not r.fresh_id) * len(sites)
    shortfall = n + _spare_ids(n) - ids.capacity - reuse
    pk_dup = next(r for r in rec if r.name == "primary-key-events")
    extra = 0
    for k in range(1, max(shortfall, 0) + 1):
        i = k * (n // (shortfall + 1))
        while not _free_of(plan, i, 1) and i < n - 2:
            i += 1
        if _free_of(plan, i, 1):
            plan[i] = ("inject", pk_dup, "id-space")
            extra += 1
    rng = random.Random(f"{seed}-scale-{n}")
    ev_w = _Writer(folder / FILES["events"], sc.fields["events"])
    ln_w = _Writer(folder / FILES["event_sources"], sc.fields["event_sources"])
    expected, rotation, boundary = [], 0, block
    i = 0
    try:
        while i < n:
            ev, links = synthetic.event_row(rng, sc.ref, ids.take(), latest=sc.today)
            step = plan.get(i, ("valid",))
            recipe, site, data = None, None, None
            if step[0] == "inject":
                recipe, site = step[1], step[2]
            elif step[0] == "multiline":
                ev["notes"] += SECOND_LINE
            else:
                # A valid record that would straddle the next block boundary is broken instead.
                data = ev_w.encode(ev)
                r = rec[rotation % len(rec)]
                if (ev_w.offset < boundary < ev_w.offset + len(data) and i + r.records <= n
                        and _free_of(plan, i, r.records) and ids.previous is not None):
                    recipe, site = r, "block"
                    rotation += 1
            if recipe is None:
                ev_w._write(ev, data)
                for link in links:
                    ln_w._write(link)
                ids.previous = ev
                i += 1
            else:
                expected += _inject(recipe, site, sc, ev, links, ids, ev_w, ln_w, boundary)
                i += recipe.records
            while boundary <= ev_w.offset:
                boundary += block
    finally:
        ev_w.close()
        ln_w.close()
    if ev_w.records != n:
        raise SystemExit(f"wrote {ev_w.records} events instead of {n}: a recipe's record count is wrong")
    paths = [folder / FILES["events"], folder / FILES["event_sources"]]
    return {
        "rows": ev_w.records,
        "events_lines": ev_w.line - 1,
        "event_sources_rows": ln_w.records,
        "events_bytes": ev_w.offset,
        "event_sources_bytes": ln_w.offset,
        "paths": [str(p) for p in paths],
        "sites": sites,
        "block_bytes": block,
        "extra_primary_key": extra,
        "expected": expected,
    }


def _inject(recipe: Recipe, site, sc, ev, links, ids, ev_w, ln_w, boundary) -> list[dict]:
    """Break the valid ``ev`` and ``links`` with ``recipe``, write them; the expected findings."""
    if not recipe.fresh_id:
        ids.give_back(ev["event_id"])
        ev["event_id"] = None
        for link in links:
            link["event_id"] = None
        if ids.previous is None:
            raise SystemExit(f"recipe {recipe.name} needs a valid row before it")
    ev_outs, link_outs = recipe.apply(sc, ev, links, ids)
    expected = []
    for out in ev_outs:
        data = ev_w.encode(out.row)
        straddles = ev_w.offset < boundary < ev_w.offset + len(data)
        line, _ = ev_w._write(out.row, data)
        expected += [_expected("events", line, e, recipe, site, straddles) for e in out.expect]
    for out in link_outs:
        line, _ = ln_w._write(out.row)
        expected += [_expected("event_sources", line, e, recipe, site, False) for e in out.expect]
    return expected


def _expected(table, line, exp, recipe: Recipe, site, straddles) -> dict:
    fld, rule, severity = exp
    return {"file": FILES[table], "line": line, "field": fld, "rule": rule, "severity": severity,
            "recipe": recipe.name, "site": site, "straddles_block": straddles}


def valid_rows(n: int, sc: Scenario, seed: int = synthetic.SEED) -> tuple[list[dict], list[dict]]:
    """``n`` valid events (new ids, ending by ``sc.today``) and their claims."""
    rng = random.Random(f"{seed}-scale-valid-{n}")
    ids = IdPool(sc.used_ids)
    events, links = [], []
    for _ in range(n):
        ev, claims = synthetic.event_row(rng, sc.ref, ids.take(), latest=sc.today)
        events.append(ev)
        links += claims
    return events, links
