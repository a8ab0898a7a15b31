"""Keeping ACLED's rows out of the published data: the check ``kachin-events add`` runs.

ACLED's terms of use forbid redistributing its data. An event imported from ACLED
carries an ``external_events`` row with dataset ``acled`` and basis ``imported``
(:func:`kachin_events.importers.import_acled` writes it); such events are for the
user's own comparison and may not enter the repository. A link with basis
``matched`` (an event of ours that is also in ACLED) records an ACLED id only, which
is an identifier, not ACLED's data, and is allowed.

Examples
--------
>>> from kachin_events.validation.read import RawTable
>>> raw = RawTable("external_events", rows=[["x", "acled", "MMR1", "v", "imported", "2026-01-01", None]],
...                files=["sub/external_events.csv"], lines=[2], checked=[True])
>>> print(acled_refusal({"external_events": raw}))  # doctest: +ELLIPSIS
sub/external_events.csv:2: the submission holds 1 event imported from ACLED ...
>>> acled_refusal({}) is None
True
"""

from __future__ import annotations

#: The external_events values that mark an event as ACLED's data.
ACLED_DATASET, IMPORTED = "acled", "imported"


def acled_refusal(tables: dict) -> str | None:
    """Why a submission cannot be added (it holds events imported from ACLED), or None.

    Parameters
    ----------
    tables : dict of str to RawTable
        The submission's tables as ``kachin-events add`` reads them.

    Returns
    -------
    str or None
        The message (where, what, why and what to do instead), or None when the
        submission holds no event imported from ACLED.
    """
    from ..schema import get_schema

    raw = tables.get("external_events")
    if raw is None or not len(raw):
        return None
    names = get_schema("external_events").field_names
    dataset, basis = names.index("dataset"), names.index("basis")
    hits = [i for i, row in enumerate(raw.rows)
            if (row[dataset] or "").strip() == ACLED_DATASET and (row[basis] or "").strip() == IMPORTED]
    if not hits:
        return None
    first = hits[0]
    n = len(hits)
    return (f"{raw.files[first]}:{raw.lines[first]}: the submission holds {n} event{'s' * (n != 1)} imported from "
            f"ACLED (external_events rows with dataset '{ACLED_DATASET}' and basis '{IMPORTED}'). ACLED's terms of use "
            "forbid redistributing its data, so its rows cannot enter the repository's published data. Keep the "
            "import for your own comparison; to record that an event of ours is also an ACLED event, add a link "
            "with basis 'matched' (an ACLED id is an identifier, not ACLED's data), and code events from their "
            "original sources, not from ACLED's rows")
