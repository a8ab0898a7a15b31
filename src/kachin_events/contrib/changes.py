"""What a branch changes in the data: the diff of a pull request against its base.

:func:`diff_with_base` compares the data package in a working tree with its base (a git
ref such as ``origin/main``, a release folder or a release's version number, read as
``validate --base`` reads it) and returns the same :class:`~kachin_events.release.diff.ReleaseDiff`
that ``kachin-events diff`` gives for two releases: events added, changed field by field,
retired (with the retractions row that says why) and removed, and the rows added,
removed and changed in every other table. Cells are compared in their canonical form
(:mod:`kachin_events.contrib.canonical`), so re-ordering rows or columns, or writing
``24.2549300`` for ``24.25493``, is not a change.

:func:`changes_markdown` renders it for a pull-request comment or a job summary: who
reviews a submission sees, in one place, which events it adds, which values it changes
(base and new value side by side) and which events it retires, each with the file and
line it is on.

Examples
--------
The repository's data compared with itself (run from its root folder; a pull request
compares with ``"origin/main"``):

>>> import kachin_events
>>> d = kachin_events.diff_with_base("datapackage.json", ".")
>>> d.events.empty
True
>>> print(d.to_markdown().splitlines()[-1])
No records added, changed or removed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..release.diff import ReleaseData, ReleaseDiff, TableData, diff_data
from ..schema import TABLES, get_schema
from .base import _Side, read_with_base

#: At most this many rows in each list of the Markdown (the rest are counted), so that a
#: comment stays within GitHub's 65,536 characters even for a large submission.
MAX_ITEMS = 100

#: Columns of the table of added events: enough to recognise an event at a glance.
ADDED_COLUMNS = ("date_start", "date_end", "event_type", "sub_event_type", "location", "fatalities_best")


def _release_data(side: _Side, label: str) -> ReleaseData:
    """A package's records (canonical text) as the tables :func:`~kachin_events.release.diff.diff_data` compares."""
    data = ReleaseData(version=label)
    for table in TABLES:
        schema = get_schema(table)
        header = schema.field_names
        rows = [tuple(rec.values.get(n) or None for n in header) for rec in side.records.get(table, {}).values()]
        data.tables[table] = TableData(table, schema.descriptor, header, rows)
    return data


@dataclass
class BranchDiff(ReleaseDiff):
    """A :class:`~kachin_events.release.diff.ReleaseDiff` that also knows where each current record is."""

    #: (table, key) -> "file line N" of the record in the working tree.
    where: dict = field(default_factory=dict)
    #: key -> {field: canonical text} of each event the branch adds.
    added_rows: dict = field(default_factory=dict)

    def to_markdown(self, created: str | None = None, max_items: int = MAX_ITEMS) -> str:  # noqa: ARG002
        return changes_markdown(self, max_items=max_items)


def diff_with_base(package: str | Path | None, base: str | Path) -> BranchDiff:
    """Compare the data package in a working tree with its base.

    Parameters
    ----------
    package : path or None
        The ``datapackage.json`` (or its folder); by default the nearest one.
    base : str or path
        A git ref of the repository holding the package (``origin/main``, ``HEAD~1``, a
        tag or a commit), a release folder, or a version number of a release in the
        package's ``releases/`` or ``build/releases/`` folder.

    Returns
    -------
    BranchDiff
        ``old`` is the base's label, ``new`` is ``"this branch"``.

    Raises
    ------
    kachin_events.contrib.base.BaseError
        When the base cannot be found or read.
    kachin_events.UnreadableError
        When a file of the current package cannot be read.
    """
    _, old, now, _ = read_with_base(package, base)
    plain = diff_data(_release_data(old, str(base)), _release_data(now, "this branch"))
    events = now.records.get("events", {})
    return BranchDiff(
        plain.old, plain.new, plain.tables, [], plain.retirements, plain.corrections,
        where={(t, key): f"{rec.file} line {rec.line}" for t, recs in now.records.items() for key, rec in recs.items()},
        added_rows={k: dict(events[k].values) for k in plain.events.added if k in events},
    )


# -- Markdown ------------------------------------------------------------------------------


def _cell(value) -> str:
    from ..validation.findings import _md_cell

    if value is None:
        return "*(empty)*"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value)
    text = text if len(text) <= 120 else text[:117] + "..."
    return _md_cell(text)


def _more(shown: int, total: int, what: str) -> list[str]:
    hidden = total - shown
    if hidden <= 0:
        return []
    return ["", f"{hidden} more {what} not shown; run `kachin-events diff --base REF` for all."]


def changes_markdown(diff: ReleaseDiff, max_items: int = MAX_ITEMS) -> str:
    """The data changes of a branch as Markdown for a pull-request comment.

    Parameters
    ----------
    diff : ReleaseDiff
        From :func:`diff_with_base` (file and line of each record are shown when known).
    max_items : int
        The most rows in each list; the rest are counted.
    """
    where = getattr(diff, "where", {})
    ev = diff.events
    n_changes = sum(len(fs) for fs in ev.changed.values())
    base = f" `{diff.old}`" if diff.old else ""
    lines = [f"## Data changes against the base{base}", ""]
    if all(t.empty for t in diff.tables.values()):
        return "\n".join(lines + ["No records added, changed or removed."]) + "\n"
    lines.append(f"Events: **{len(ev.added)}** added, **{len(ev.changed)}** changed ({n_changes} "
                 f"value{'s' * (n_changes != 1)}), **{len(diff.retired)}** retired, "
                 f"**{len(diff.unrecorded)}** removed without a retraction.")
    if ev.added:
        lines += ["", "### Events added", "",
                  "| Event | " + " | ".join(f"`{c}`" for c in ADDED_COLUMNS) + " | Where |",
                  "|---" * (len(ADDED_COLUMNS) + 2) + "|"]
        added_rows = getattr(diff, "added_rows", {})
        for k in ev.added[:max_items]:
            row = added_rows.get(k, {})
            cells = [f"`{k[0]}`"] + [_cell(row.get(c)) for c in ADDED_COLUMNS] + [_cell(where.get(("events", k)))]
            lines.append("| " + " | ".join(cells) + " |")
        lines += _more(min(len(ev.added), max_items), len(ev.added), "added events")
    if ev.changed:
        lines += ["", "### Events changed", "", "| Event | Field | Base | This branch | Where |",
                  "|---|---|---|---|---|"]
        shown = 0
        for k, fields in ev.changed.items():
            for name, (old, new) in fields.items():
                if shown < max_items:
                    lines.append(f"| `{k[0]}` | `{name}` | {_cell(old)} | {_cell(new)} | "
                                 f"{_cell(where.get(('events', k)))} |")
                shown += 1
        lines += _more(min(shown, max_items), shown, "changed values")
    if diff.retired:
        by_id = {r.get("event_id"): r for r in diff.retirements}
        lines += ["", "### Events retired", "", "| Event | Reason | Merged into | Note |", "|---|---|---|---|"]
        for k in diff.retired[:max_items]:
            r = by_id.get(k[0], {})
            lines.append(f"| `{k[0]}` | {_cell(r.get('reason'))} | {_cell(r.get('merged_into'))} | "
                         f"{_cell(r.get('note'))} |")
        lines += _more(min(len(diff.retired), max_items), len(diff.retired), "retired events")
    if diff.unrecorded:
        lines += ["", "### Events removed without a retraction", "",
                  "These ids are gone with no `retractions` row saying why; `validate --base` reports "
                  "each as an error.", ""]
        lines += [f"- `{k[0]}`" for k in diff.unrecorded[:max_items]]
        lines += _more(min(len(diff.unrecorded), max_items), len(diff.unrecorded), "removed events")
    if diff.corrections:
        lines += ["", "### Corrections recorded", "", "| Event | Field | Old | New | Reason |", "|---|---|---|---|---|"]
        for r in diff.corrections[:max_items]:
            lines.append(f"| `{r.get('event_id')}` | `{r.get('field')}` | {_cell(r.get('old_value'))} | "
                         f"{_cell(r.get('new_value'))} | {_cell(r.get('reason'))} |")
        lines += _more(min(len(diff.corrections), max_items), len(diff.corrections), "corrections")
    others = [t for t in diff.tables.values() if t.table != "events" and not t.empty]
    if others:
        lines += ["", "### Other tables", "", "| Table | Rows added | Rows removed | Rows changed |",
                  "|---|---:|---:|---:|"]
        lines += [f"| `{t.table}` | {len(t.added)} | {len(t.removed)} | {len(t.changed)} |" for t in others]
    return "\n".join(lines) + "\n"
