"""The deletions list: the retired event ids, like ACLED's deletions feed."""

from __future__ import annotations


#: The retractions columns that the deletions list leaves out (like ACLED's deletions
#: feed, it says which id went, when, why and into which event; the note stays in the
#: release's retractions table).
DELETIONS_OMIT = ("note",)


def deletions_schema() -> dict:
    """The Table Schema of the deletions list: the retractions table without its note.

    Examples
    --------
    >>> s = deletions_schema()
    >>> [f["name"] for f in s["fields"]], s["primaryKey"]
    (['event_id', 'retired_on', 'reason', 'merged_into'], ['event_id'])
    """
    from ..tablefiles import inline_schema

    base = inline_schema("retractions")
    fields = [f for f in base["fields"] if f["name"] not in DELETIONS_OMIT]
    names = {f["name"] for f in fields}
    return {
        "description": "The event ids retired up to this release (ACLED's deletions list, for this dataset): "
                       "remove them from data taken from an earlier release; a duplicate names the event it "
                       "was merged into. The same rows as the retractions table, without its note.",
        "fields": fields,
        "primaryKey": base["primaryKey"],
        "foreignKeys": [fk for fk in base.get("foreignKeys", []) if set(fk["fields"]) <= names],
        "missingValues": [""],
    }


def deletions_csv(tables: dict) -> bytes:
    """The deletions list as UTF-8 CSV bytes, rows by event_id.

    A text cell a spreadsheet would run as a formula is written with ``'`` in front
    (:mod:`kachin_events.exports.safe`).

    Examples
    --------
    >>> from kachin_events.tables import read_tables
    >>> deletions_csv(read_tables()).decode()
    'event_id,retired_on,reason,merged_into\\n'
    """
    from ..tablefiles import sorted_frame, table_csv
    from .safe import safe_frame

    schema = deletions_schema()
    return table_csv(schema, safe_frame(sorted_frame(tables["retractions"], schema), schema))
