"""Validating files larger than memory: rows chunk by chunk, what compares rows once.

A CSV file larger than the chunk size (:func:`chunk_bytes`) is never held whole. It
is read in chunks of whole records (:func:`~kachin_events.validation.csvfile.csv_chunks`),
and each chunk goes through what every row needs on its own: names resolved to codes,
provisional ids, typing, the cell checks, the fields' constraints and the cross-field
rules that read only the row and the other tables. What compares a row with the other
rows of its table (primary keys, unique fields, foreign keys into it, and every rule
whose :attr:`~kachin_events.rules.Rule.reads` names a table read in chunks) runs once,
after the last chunk, on a *narrow* copy of the table: the fields those checks read and
where each row came from. Memory then grows with the rows times those few fields, not
with the file; the findings are the same as when the file is read whole (a test runs
every fixture both ways).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from .findings import Report
from .table import CHECKED, FILE, RawTable
from ..schema import TABLES, get_schema

#: Files larger than this many megabytes (MB, 10^6 bytes) are read in chunks of about
#: this size. The environment variable KACHIN_EVENTS_CHUNK_MB overrides it.
CHUNK_MB = 64

#: Findings about a file's header: reported once, when the header is read, not per chunk.
HEADER_RULES = frozenset({"duplicate-column", "unknown-column", "missing-column", "column-order", "empty-file",
                          "column-name", "title-row"})


def chunk_bytes(mb: float | None = None) -> int:
    """The chunk size in force, in bytes: ``mb``, else the environment's, else :data:`CHUNK_MB`.

    Examples
    --------
    >>> chunk_bytes(0.5)
    500000
    """
    if mb is None:
        env = os.environ.get("KACHIN_EVENTS_CHUNK_MB", "").strip()
        try:
            mb = float(env) if env else CHUNK_MB
        except ValueError:
            mb = CHUNK_MB
    return max(1, int(float(mb) * 1_000_000))


def is_large(path: Path, limit: int) -> bool:
    """Whether ``path`` is a CSV file of more than ``limit`` bytes (read in chunks)."""
    try:
        return path.suffix.lower() in (".csv", ".txt") and path.is_file() and path.stat().st_size > limit
    except OSError:
        return False


@dataclass
class Stream:
    """A large file of a table: read in chunks after the other files are read."""

    table: str
    path: Path
    shown: str


@dataclass
class Plan:
    """What the chunked run needs to know besides the tables."""

    #: Per table, its contributed files in order: a Stream, or the names (as rows give
    #: them) of a file read whole.
    sources: dict = field(default_factory=dict)
    chunk: int = 0
    #: Whether the input is a contribution (names resolved, provisional ids) or a package.
    contribution: bool = True
    id_state: object = None

    @property
    def streamed(self) -> set:
        return {t for t, srcs in self.sources.items() if any(isinstance(s, Stream) for s in srcs)}


def deferred_rules(streamed: set) -> list:
    """The cross-field rules that read a table read in chunks: checked after the last chunk."""
    from ..rules import RULES

    return [r for r in RULES if r.check is not None and r.read_tables() & streamed]


def narrow_fields(table: str, deferred: list) -> set:
    """The fields of ``table`` that keys and the deferred rules read (see the module's doc)."""
    ts = get_schema(table)
    out = set(ts.primary_key) | {f.name for f in ts.fields if f.constraints.get("unique")}
    for fk in ts.foreign_keys:
        out |= set(fk["fields"])
    for other in TABLES:
        for fk in get_schema(other).foreign_keys:
            if (fk["reference"].get("resource") or other) == table:
                out |= set(fk["reference"]["fields"])
    for rule in deferred:
        if rule.table == table:
            out |= set(rule.inputs) | ({rule.field} if rule.field else set())
        for t, fields in rule.reads:
            if t == table:
                out |= set(fields)
    return out


def _unchecked(raw: RawTable) -> RawTable:
    """The same rows, none of them reported on (they are checked in another stage)."""
    import polars as pl

    if not len(raw) or not raw.any_checked():
        return raw
    out = RawTable.from_frame(raw.table, raw.frame.with_columns(pl.lit(False).alias(CHECKED)),
                              missing=raw.missing, fields=raw.fields)
    out.incomplete = raw.incomplete
    return out


def check_in_chunks(tables: dict[str, RawTable], plan: Plan, present: set, report: Report, today) -> dict:
    """Check every table, reading the large files of ``plan`` chunk by chunk.

    ``tables`` holds every row read so far: reference rows, and the contributed files
    read whole; the large files' headers only. Returns the narrow tables the keys were
    checked on (for what follows: see :func:`kachin_events.validation.api._check`).
    """
    from . import api
    from ..rules import Context, table_rules

    streamed = plan.streamed
    deferred = deferred_rules(streamed)
    late = {r.id for r in deferred}
    fields = {t: narrow_fields(t, deferred) for t in streamed}
    # Every table as read, with the streamed tables' rows not reported here: their
    # contributed rows are checked as chunks below.
    whole = {t: (_unchecked(raw) if t in streamed else raw) for t, raw in tables.items()}
    typed, skip = api.coerce_tables(whole, report)
    api.check_cells(whole, report)
    ctx = Context(tables=typed, present=present, today=today)
    for t in TABLES:
        if t not in streamed and whole[t].any_checked():
            report.extend(api.run_rules(whole[t], typed[t], ctx, skip[t],
                                        [r for r in table_rules(t) if r.id not in late]))
    # The streamed tables, chunk by chunk, in the tables' order (events before the
    # tables that link to them, so provisional ids are known when they are linked).
    narrow: dict[str, list] = {}
    for t in TABLES:
        if t not in streamed:
            continue
        rules = [r for r in table_rules(t) if r.id not in late]
        parts = [tables[t].select(~tables[t].frame[CHECKED]).narrow(fields[t]).frame]
        for source in plan.sources[t]:
            for raw in _chunks(t, source, tables, plan, report):
                _check_chunk(raw, whole, typed, present, today, rules, report)
                parts.append(raw.narrow(fields[t]).frame)
                del raw
        if t == "events" and plan.contribution and plan.id_state is not None:
            from ..contrib.ids import link_ids

            link_ids(tables, plan.id_state.links())
        narrow[t] = parts
    return _check_across(tables, narrow, fields, deferred, present, report, today)


def _chunks(table: str, source, tables: dict[str, RawTable], plan: Plan, report: Report):
    """The contributed rows of one source of ``table``, as RawTables (names resolved, ids given)."""
    import polars as pl

    from .csvfile import csv_chunks
    from .read import to_raw_table

    if not isinstance(source, Stream):
        # A file read whole beside large ones: already resolved when it was read.
        raw = tables[table]
        yield raw.select(pl.col(CHECKED) & pl.col(FILE).is_in(list(source)))
        return
    for text in csv_chunks(source.path, source.shown, plan.chunk):
        raw, findings = to_raw_table(table, source.shown, text)
        del text
        report.extend(f for f in findings if f.rule not in HEADER_RULES)
        # The header's missing columns, as resolving names left them when it was read.
        raw.missing = set(tables[table].missing)
        if plan.contribution:
            raw = _resolve_chunk(raw, tables, plan, report)
        yield raw


def _resolve_chunk(raw: RawTable, tables: dict[str, RawTable], plan: Plan, report: Report) -> RawTable:
    """Names to codes and provisional ids, for one chunk of contributed rows."""
    import polars as pl

    from ..contrib.ids import assign_ids, link_ids
    from ..contrib.resolve import resolve_names

    with_chunk = {t: _unchecked(other) for t, other in tables.items()}
    # The table's reference rows stay beside the chunk: names are looked up there too
    # (every spelling the repository links to a claimant, say).
    both = with_chunk[raw.table]
    both = RawTable.from_frame(raw.table, pl.concat([both.frame, raw.frame], how="vertical"), missing=raw.missing)
    with_chunk[raw.table] = both
    report.extend(resolve_names(with_chunk))
    raw = both.select(pl.col(CHECKED))
    if plan.id_state is not None:
        if raw.table == "events":
            assign_ids(raw, plan.id_state)
        elif "event_id" in get_schema(raw.table).field_names:
            link_ids({raw.table: raw}, plan.id_state.links())
    return raw


def _check_chunk(raw: RawTable, whole: dict, typed: dict, present: set, today, rules: list, report: Report) -> None:
    """Typing, cells, constraints and the row-by-row rules of one chunk."""
    from . import api
    from .coerce import coerce
    from ..rules import Context

    frame, findings, failed = coerce(raw, get_schema(raw.table))
    report.extend(findings)
    api.check_cells({raw.table: raw}, report)
    ctx = Context(tables={**typed, raw.table: frame}, present=present, today=today)
    report.extend(api.run_rules(raw, frame, ctx, failed, rules))


def _check_across(tables: dict, narrow: dict, fields: dict, deferred: list, present: set, report: Report,
                  today) -> dict:
    """Keys and the deferred rules, once, on every row (narrow copies of the streamed tables)."""
    import polars as pl

    from . import api
    from ..rules import Context

    held: dict[str, RawTable] = {}
    for t, raw in tables.items():
        if t in narrow:
            frame = pl.concat(narrow.pop(t), how="vertical")
            held[t] = RawTable.from_frame(t, frame, missing=raw.missing, fields=fields[t])
            held[t].incomplete = raw.incomplete
        else:
            held[t] = raw
    quiet = Report()  # typing findings were reported with each chunk
    typed, skip = api.coerce_tables(held, quiet)
    ctx = Context(tables=typed, present=present, today=today)
    for t in TABLES:
        rules = [r for r in deferred if r.table == t]
        if rules and held[t].any_checked():
            report.extend(api.run_rules(held[t], typed[t], ctx, skip[t], rules, field_checks=False))
    api.check_keys(held, skip, report)
    return held


def file_note(plan: Plan) -> str:
    """The report's note on the files read in chunks."""
    names = [s.shown for srcs in plan.sources.values() for s in srcs if isinstance(s, Stream)]
    shown = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
    return (f"{shown} {'was' if len(names) == 1 else 'were'} read in chunks of about {plan.chunk / 1e6:g} MB "
            "(larger than the chunk size: set KACHIN_EVENTS_CHUNK_MB or --chunk-mb to change it); every rule "
            "was checked, and frictionless's cell-by-cell second opinion was skipped")

