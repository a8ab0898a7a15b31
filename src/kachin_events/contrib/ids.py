"""Event ids: the highest ever used, and provisional ids for a submission's new events.

Ids are only given by ``kachin-events add``, after the highest id ever used (retired
ids included), so two pull requests never pick the same one by reading the files. A
submission leaves ``event_id`` empty or writes a temporary id (``new-1``, ``A`` ...)
repeated in its linked rows; validating it gives those events provisional ids in the
same way, so the checks that need an id (keys, links) run as they will after ``add``.
"""

from __future__ import annotations


from ..validation.read import RawTable
from ..schema import get_schema

#: Where ids appear: a retired id, or one a correction names, counts as used.
ID_COLUMNS = {"events": ("event_id",), "retractions": ("event_id", "merged_into"), "corrections": ("event_id",)}


def _pattern() -> str:
    return get_schema("events").field("event_id").constraints["pattern"]


def highest_event_number(tables: dict[str, RawTable], repository_only: bool = True) -> int:
    """The number of the highest event id used in ``tables`` (0 when there is none).

    Parameters
    ----------
    tables : dict of str to RawTable
        Tables as read; with ``repository_only`` only the rows that are not being
        checked (the repository's own) count.

    Examples
    --------
    >>> raw = RawTable("retractions", rows=[["KE000030", None, None, "KE000002", None]],
    ...                files=["r.csv"], lines=[2], checked=[False])
    >>> highest_event_number({"retractions": raw})
    30
    """
    import polars as pl

    from ..validation.table import CHECKED

    pattern, top = _pattern(), 0
    for table, columns in ID_COLUMNS.items():
        raw = tables.get(table)
        if raw is None or not len(raw):
            continue
        frame = raw.frame.filter(~pl.col(CHECKED)) if repository_only else raw.frame
        for col in columns:
            value = pl.col(col).str.strip_chars()
            found = frame.select(
                value.filter(value.str.contains(f"^(?:{pattern})$"))
                .str.replace_all("[^0-9]", "").cast(pl.Int64, strict=False).max()
            ).item()
            top = max(top, found or 0)
    return top


class IdState:
    """The numbering of a submission's new events, carried across the chunks of a large file.

    Attributes
    ----------
    number : int
        The highest id number given so far.
    mapping : dict
        Temporary id as written -> the id given.
    unnamed : list
        Ids given to new events written without any id.
    """

    def __init__(self, number: int):
        self.number, self.mapping, self.unnamed = number, {}, []

    def links(self) -> dict:
        """Temporary id -> given id; and None -> the one new event without an id, when there is one."""
        out = dict(self.mapping)
        if len(self.unnamed) == 1:
            out[None] = self.unnamed[0]
        return out


def provisional_ids(tables: dict[str, RawTable], state: IdState | None = None, link: bool = True) -> dict[str | None, str]:
    """Give the submission's new events (empty or temporary ids) provisional ids, in place.

    Contributed events rows whose ``event_id`` is empty or a temporary id (anything not
    starting with ``KE`` and a digit) get the ids that ``add`` would give them; linked contributed rows that repeat a
    temporary id follow it, and when exactly one new event has no id, linked rows
    without an id are its. Returns the mapping from what was written to the new id.

    A file read in chunks passes one ``state`` to every chunk (numbers go on from one
    chunk to the next) with ``link`` False, and links the other tables' rows with
    :func:`link_ids` once every event has its id.
    """
    events = tables.get("events")
    if events is None or not len(events) or not events.any_checked():
        return state.links() if state is not None else {}
    state = state if state is not None else IdState(highest_event_number(tables))
    assign_ids(events, state)
    mapping = state.links()
    if link:
        link_ids(tables, mapping)
    return mapping


def assign_ids(events: RawTable, state: IdState) -> None:
    """Give the contributed events rows without a real id the next ids (in place)."""
    import polars as pl

    from ..validation.table import CHECKED

    col = get_schema("events").field_names.index("event_id")
    # "KE12" is a mistyped real id (the pattern rule says so), not a temporary one.
    real = pl.col("event_id").str.strip_chars().str.contains("(?i)^KE[0-9]").fill_null(False)
    with events.editing(pl.col(CHECKED) & ~real) as new:
        for row in new.rows:
            given = (row[col] or "").strip() or None
            if given is not None and given in state.mapping:
                row[col] = state.mapping[given]
                continue
            state.number += 1
            row[col] = f"KE{state.number:06d}"
            if given is None:
                state.unnamed.append(row[col])
            else:
                state.mapping[given] = row[col]


def link_ids(tables: dict[str, RawTable], mapping: dict) -> None:
    """Point the contributed linked rows (event_sources ...) at their events' given ids (in place)."""
    import polars as pl

    from ..validation.table import CHECKED

    if not mapping:
        return
    given = pl.col("event_id").str.strip_chars()
    wanted = given.is_in([k for k in mapping if k is not None])
    if None in mapping:
        wanted = wanted | given.fill_null("").eq("")
    for table, raw in tables.items():
        if table == "events" or "event_id" not in get_schema(table).field_names or not len(raw):
            continue
        link = get_schema(table).field_names.index("event_id")
        with raw.editing(pl.col(CHECKED) & wanted.fill_null(False)) as few:
            for row in few.rows:
                key = (row[link] or "").strip() or None
                if key in mapping:
                    row[link] = mapping[key]
