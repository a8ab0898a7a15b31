"""Importers: another dataset's export as a submission that ``kachin-events add`` takes.

* :func:`import_acled`: ACLED's export (CSV or XLSX, current or older layout), for the
  user's own comparison: ACLED's terms forbid redistributing its rows, so ``add``
  refuses them (:func:`acled_refusal`).
* :func:`import_ucdp`: UCDP's GED or Candidate events (CC BY 4.0), which ``add`` can
  merge, with UCDP and the version recorded on every event.

Both choose the rows whose point lies in Kachin State (MIMU polygons), map places,
actors, types, dates, fatalities and sources by the rules of
:mod:`kachin_events.crosswalk`, link each event to its external id
(``external_events``), and account for every row in an :class:`ImportSummary`.
Heavy libraries are imported only when an import runs.
"""

from __future__ import annotations

from importlib import import_module

_LAZY = {
    "import_acled": "acled",
    "import_ucdp": "ucdp",
    "ImportResult": "common",
    "ImportSummary": "common",
    "ImportInputError": "common",
    "acled_refusal": "provenance",
}

__all__ = list(_LAZY)


def __getattr__(name):
    if name in _LAZY:
        value = getattr(import_module(f".{_LAZY[name]}", __name__), name)
        globals()[name] = value
        return value
    msg = f"module {__name__!r} has no attribute {name!r}"
    raise AttributeError(msg)


def __dir__():
    return sorted(__all__)
