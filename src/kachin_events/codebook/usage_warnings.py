"""What an analyst must know before using a table or field: a short fixed list of warnings.

Each warning names the table and fields it applies to and counts, from the typed tables
(:func:`kachin_events.tables.read_tables`), the rows it affects; the codebook states it
beside those fields with the count of the data it is built from. The values a count
looks for (``month``, ``year``, geo_precision 1) are checked against the schemas by
:func:`check_warnings`, so a renamed code fails loudly instead of counting nothing.

Examples
--------
>>> [w.id for w in WARNINGS]
['dates-coarse', 'claims-one-party', 'fatalities-unknown', 'locations-approximate']
>>> get_warning("dates-coarse").fields
('date_start', 'date_end', 'date_precision')
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from .markdown import code, escape_cell, markdown_table, warning_anchor

#: date_precision values that leave only a month or a year known.
COARSE_DATES = ("month", "year")
#: geo_precision of a point that is the named place itself; every other is approximate.
EXACT_PLACE = 1


@dataclass(frozen=True)
class UsageWarning:
    """One warning: what it says, where it applies, and how to count the rows it affects."""

    id: str
    title: str
    text: str
    table: str
    fields: tuple[str, ...]
    count: Callable[[dict], tuple[int, int]]
    unit: str = "events"

    def counted(self, tables: dict | None) -> tuple[int, int] | None:
        """(rows affected, rows in all) in ``tables``, or None without tables."""
        return None if tables is None else self.count(tables)


def _dates_coarse(tables) -> tuple[int, int]:
    import polars as pl

    ev = tables["events"]
    return ev.filter(pl.col("date_precision").is_in(COARSE_DATES)).height, ev.height


def _claims_one_party(tables) -> tuple[int, int]:
    import polars as pl

    claims = tables["event_sources"]
    by_event = claims.group_by("event_id").agg(
        pl.col("claimant_actor_id").null_count().alias("no_party"),
        pl.col("claimant_actor_id").drop_nulls().n_unique().alias("parties"))
    one = by_event.filter((pl.col("no_party") == 0) & (pl.col("parties") == 1))
    return one.height, tables["events"].height


def _fatalities_unknown(tables) -> tuple[int, int]:
    ev = tables["events"]
    return ev.get_column("fatalities_best").null_count(), ev.height


def _locations_approximate(tables) -> tuple[int, int]:
    import polars as pl

    ev = tables["events"]
    return ev.filter(pl.col("geo_precision") != EXACT_PLACE).height, ev.height


#: The warnings, in the order the codebook lists them.
WARNINGS: tuple[UsageWarning, ...] = (
    UsageWarning(
        "dates-coarse", "Dates known only to a month or a year",
        "For these events only a month or a longer period is known: date_start and date_end are the first and "
        "last day it may have happened on, not the day it did. Counting them by day or week, or by month when "
        "the range crosses a month's end, puts them where they may not belong; use date_precision to keep them "
        "apart or to count at a coarser grain.",
        "events", ("date_start", "date_end", "date_precision"), _dates_coarse),
    UsageWarning(
        "claims-one-party", "Claims from one party only",
        "Every claim about these events comes from claimants of one party to the fighting (the same "
        "claimant_actor_id in event_sources): no other side, witness or independent organisation confirms "
        "them. Read their fatalities, prisoners and outcomes as that party's claims.",
        "event_sources", ("claimant_actor_id", "claimant_type"), _claims_one_party),
    UsageWarning(
        "fatalities-unknown", "Fatalities unknown",
        "fatalities_best is empty when no figure was reported: unknown, never zero. Summing it counts only the "
        "events with a figure; do not fill the empty cells with 0. The ACLED-layout export writes 0 for them, "
        "as ACLED does.",
        "events", ("fatalities_best", "fatalities_low", "fatalities_high"), _fatalities_unknown),
    UsageWarning(
        "locations-approximate", "Locations approximate",
        "The point of these events is not the place itself (geo_precision 2 or 3): it is a nearby place or "
        "stands for a larger area such as a township. Do not map them as exact points or measure distances "
        "from them; aggregate to the township (admin3_pcode) or coarser.",
        "events", ("latitude", "longitude", "geo_precision"), _locations_approximate),
)


def get_warning(warning_id: str) -> UsageWarning:
    """The warning with this id; KeyError when there is none."""
    for w in WARNINGS:
        if w.id == warning_id:
            return w
    raise KeyError(warning_id)


def warnings_for(table: str, field: str | None = None) -> list[UsageWarning]:
    """The warnings that apply to a table (and, given a field, to that field)."""
    return [w for w in WARNINGS if w.table == table and (field is None or field in w.fields)]


def check_warnings(schemas=None) -> None:
    """Raise ValueError when a warning names a field, or counts a code, the schemas lack."""
    from ._defaults import schemas_or_default

    schemas = schemas_or_default(schemas)
    for w in WARNINGS:
        for f in w.fields:
            if w.table not in schemas or f not in schemas[w.table].field_names:
                raise ValueError(f"warning {w.id!r} names {w.table}.{f}, which is not a field of the schemas")
    events = schemas["events"]
    missing = [v for v in COARSE_DATES if v not in events.field("date_precision").enum]
    if EXACT_PLACE not in events.field("geo_precision").enum:
        missing.append(EXACT_PLACE)
    if missing:
        raise ValueError(f"the usage warnings count codes the events schema lacks: {missing}")


def affected_text(w: UsageWarning, tables: dict | None) -> str:
    """"15 of 22 events" from the data, or "" without tables."""
    counted = w.counted(tables)
    return "" if counted is None else f"{counted[0]:,} of {counted[1]:,} {w.unit}"


def _applies_to(w: UsageWarning, field_href) -> str:
    refs = [f"{w.table}.{f}" for f in w.fields]
    if field_href:
        return ", ".join(f"[{code(r)}]({field_href(w.table, f)})" for r, f in zip(refs, w.fields))
    return ", ".join(code(r) for r in refs)


def render_warnings_table(tables: dict | None = None, *, anchors: bool = True,
                          field_href: Callable[[str, str], str] | None = None) -> str:
    """Every warning in one table: its title (linked to its full text), what it applies to, how many rows.

    Examples
    --------
    >>> render_warnings_table(anchors=False).splitlines()[0]
    '| Warning | Applies to | What to know |'
    """
    counted = tables is not None
    header = ["Warning", "Applies to", *(["Affected"] if counted else []),
              *([] if anchors else ["What to know"])]
    rows = []
    for w in WARNINGS:
        title = f"[{escape_cell(w.title)}](#{warning_anchor(w.id)})" if anchors else f"**{escape_cell(w.title)}**"
        rows.append([title, _applies_to(w, field_href), *([affected_text(w, tables)] if counted else []),
                     *([] if anchors else [escape_cell(w.text)])])
    return markdown_table(header, rows)


def render_warning_box(table: str, tables: dict | None = None, *, anchors: bool = True) -> str:
    """The warnings of one table, in full, in one box to stand at the head of its section ("" when none).

    Each warning is a paragraph led by its title and count; with ``anchors`` the paragraph
    has the warning's id (:func:`warning_anchor`), which the table of all warnings and the
    marks in the field rows link to.

    Examples
    --------
    >>> print(render_warning_box("event_sources", anchors=False).splitlines()[2])
    <p class="admonition-title">Before you use event_sources</p>
    """
    found = warnings_for(table)
    if not found:
        return ""
    parts = ['<div class="admonition warning ke-usage-warning" markdown>', "",
             f'<p class="admonition-title">Before you use {escape_cell(table)}</p>', ""]
    for w in found:
        count = affected_text(w, tables)
        title = escape_cell(f"{w.title}: {count}" if count else w.title)
        fields = ", ".join(code(f) for f in w.fields)
        parts += [f"**{title}.** Fields {fields}. {w.text}"]
        if anchors:
            parts += [f"{{: #{warning_anchor(w.id)} }}"]
        parts += [""]
    parts += ["</div>", ""]
    return "\n".join(parts)


def warning_marks(table: str, field: str, tables: dict | None = None, *, anchors: bool = True) -> str:
    """Short marks for a field's row: "⚠ Dates known only to a month or a year (15 of 22 events)"."""
    marks = []
    for w in warnings_for(table, field):
        count = affected_text(w, tables)
        text = f"⚠ {w.title}" + (f" ({count})" if count else "")
        marks.append(f"[{text}](#{warning_anchor(w.id)})" if anchors else text)
    return " ".join(marks)

