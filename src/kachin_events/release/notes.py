"""Release notes: a :class:`~kachin_events.release.diff.ReleaseDiff` as text, a dict
(for JSON) or Markdown.

The Markdown is the release notes that ``kachin-events build`` writes to ``CHANGELOG.md``.
This module reads a diff through its attributes and its ``required_bump()`` and
``bump_reasons()`` methods only, and imports nothing of :mod:`kachin_events.release.diff`,
which imports it.
"""

from __future__ import annotations

import json


def key_text(key: tuple) -> str:
    """A row's key as one word: its cells joined by ``/`` (empty for a null cell).

    Examples
    --------
    >>> key_text(("KE000001",)), key_text(("KE000001", "2026-03-01", None))
    ('KE000001', 'KE000001/2026-03-01/')
    """
    return "/".join("" if v is None else str(v) for v in key)


def _short(value, width: int = 60) -> str:
    text = json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else repr(value)
    return text if len(text) <= width else text[: width - 4] + "...'"


def to_dict(d) -> dict:
    ev = d.events
    return {
        "old": d.old,
        "new": d.new,
        "required_bump": d.required_bump(),
        "reasons": [{"bump": b, "reason": r} for b, r in d.bump_reasons()],
        "schema_changes": [{"table": c.table, "field": c.field, "kind": c.kind, "detail": c.detail, "bump": c.bump}
                           for c in d.schema],
        "events": {
            "added": [k[0] if len(k) == 1 else list(k) for k in ev.added],
            "removed": [k[0] if len(k) == 1 else list(k) for k in ev.removed],
            "retired": [k[0] if len(k) == 1 else list(k) for k in d.retired],
            "changed": {key_text(k): {f: {"old": o, "new": n} for f, (o, n) in fs.items()}
                        for k, fs in ev.changed.items()},
        },
        "retirements": d.retirements,
        "corrections": d.corrections,
        "tables": {t.table: {"rows": t.new_rows, "added": len(t.added), "removed": len(t.removed),
                             "changed": len(t.changed)} for t in d.tables.values()},
    }


def _title(d) -> str:
    if d.old is None:
        return f"kachin-events {d.new}: first release"
    need = d.required_bump()
    verdict = f"needs a {need} release" if need else "no changes"
    return f"kachin-events {d.old} -> {d.new}: {verdict}"


def _retirement(r: dict) -> str:
    """One retirement in words: why, into which event, when, and the note."""
    why = r.get("reason") or "no reason given"
    if r.get("merged_into"):
        why += f", merged into {r['merged_into']}"
    when = f" on {r['retired_on']}" if r.get("retired_on") else ""
    note = f": {r['note']}" if r.get("note") else ""
    return f"{r.get('event_id')} retired{when} ({why}){note}"


def _correction(r: dict, quote=str) -> str:
    """One correction in words: the field, old and new value, when, why and on which source."""
    source = f" (source: {r['source_id']})" if r.get("source_id") else ""
    old, new = ("(empty)" if v is None else _short(v) for v in (r.get("old_value"), r.get("new_value")))
    return (f"{r.get('event_id')} {quote(r.get('field'))}: {old} -> {new} on {r.get('corrected_on')}, "
            f"because: {r.get('reason')}{source}")


def to_text(d) -> str:
    lines = [_title(d)]
    if d.old is None:
        lines += [f"  {t.table}: {t.new_rows} rows" for t in d.tables.values()]
        lines += _text_logs(d)
        return "\n".join(lines)
    if d.schema:
        lines.append("Schema changes:")
        lines += [f"  {c.table}: {c.detail} ({c.bump})" for c in d.schema]
    ev = d.events
    lines.append(f"Events: {len(ev.added)} added, {len(d.retired)} retired, {len(d.unrecorded)} removed, "
                 f"{len(ev.changed)} changed")
    lines += [f"  + {key_text(k)}" for k in ev.added]
    lines += [f"  x {key_text(k)} (retired; the id is never reused)" for k in d.retired]
    lines += [f"  - {key_text(k)} (removed without a retractions row; the id is never reused)" for k in d.unrecorded]
    for k, fs in ev.changed.items():
        lines.append(f"  ~ {key_text(k)}: " + "; ".join(f"{f} {_short(o)} -> {_short(n)}" for f, (o, n) in fs.items()))
    lines += _text_logs(d)
    others = [t for t in d.tables.values() if t.table != "events"]
    if any(not t.empty for t in others):
        lines.append("Other tables (added/removed/changed):")
        lines += [f"  {t.table}: {len(t.added)}/{len(t.removed)}/{len(t.changed)}" for t in others if not t.empty]
    return "\n".join(lines)


def _text_logs(d) -> list[str]:
    lines = []
    if d.retirements:
        lines.append(f"Retirements ({len(d.retirements)}):")
        lines += [f"  {_retirement(r)}" for r in d.retirements]
    if d.corrections:
        lines.append(f"Corrections ({len(d.corrections)}):")
        lines += [f"  {_correction(r)}" for r in d.corrections]
    return lines


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _md_logs(d) -> list[str]:
    body = []
    if d.retirements:
        body += ["", "## Retired events", "",
                 "These ids are retired and never reused; `exports/deletions.csv` lists every retired id.", ""]
        body += [f"- {_md(_retirement(r))}" for r in d.retirements]
    if d.corrections:
        body += ["", "## Corrections", ""]
        body += [f"- {_md(_correction(r, quote=lambda f: f'`{f}`'))}" for r in d.corrections]
    return body


def to_markdown(d, created: str | None = None) -> str:
    head = f"# kachin-events {d.new}\n\n"
    if created:
        head += f"Created {created}.\n\n"
    if d.old is None:
        body = ["First release. Tables and their rows:", "", "| table | rows |", "| --- | ---: |"]
        body += [f"| {t.table} | {t.new_rows} |" for t in d.tables.values()]
        return head + "\n".join(body + _md_logs(d)) + "\n"
    need = d.required_bump()
    body = [f"Changes since {d.old}" + (f" (a {need} release)." if need else ": none.")]
    if d.schema:
        body += ["", "## Schema changes", ""]
        body += [f"- `{c.table}`: {_md(c.detail)} ({c.bump})" for c in d.schema]
    ev = d.events
    body += ["", "## Events", "", f"{len(ev.added)} added, {len(d.retired)} retired, {len(d.unrecorded)} removed, "
             f"{len(ev.changed)} changed."]
    if ev.added:
        body += ["", "Added:", ""] + [f"- {key_text(k)}" for k in ev.added]
    if d.retired:
        body += ["", "Retired (see Retired events below):", ""] + [f"- {key_text(k)}" for k in d.retired]
    if d.unrecorded:
        body += ["", "Removed (the ids are retired and never reused; no retractions row says why):", ""]
        body += [f"- {key_text(k)}" for k in d.unrecorded]
    if ev.changed:
        body += ["", "Changed:", ""]
        for k, fs in ev.changed.items():
            body.append(f"- {key_text(k)}: " + "; ".join(
                f"`{f}` {_md(_short(o))} → {_md(_short(n))}" for f, (o, n) in fs.items()))
    body += _md_logs(d)
    body += ["", "## All tables", "", "| table | rows | added | removed | changed |",
             "| --- | ---: | ---: | ---: | ---: |"]
    body += [f"| {t.table} | {t.new_rows} | {len(t.added)} | {len(t.removed)} | {len(t.changed)} |"
             for t in d.tables.values()]
    return head + "\n".join(body) + "\n"
