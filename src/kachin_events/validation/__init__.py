"""The validator: read any input into columns, type it, check it, report every finding.

One module per stage, in the order a file goes through them:

``read``, ``csvfile``, ``xlsx``
    Reading CSV, XLSX and JSON files (and ``datapackage.json`` resources) straight into
    text columns (:class:`~kachin_events.validation.table.RawTable`), keeping the row a
    person sees; structure findings (missing, unknown and duplicated columns, blank
    rows, cells beyond the header).
``coerce``
    Typing the text by the Table Schemas, column by column; a cell that will not type
    is a finding once.
``engines``, ``keys``
    The checks: pandera (field constraints and the rules of :mod:`kachin_events.rules`)
    on every row, keys and foreign keys as joins, and frictionless's cell-by-cell
    second opinion up to a size limit.
``chunked``
    Files larger than the chunk size, read and checked chunk by chunk; keys and the
    rules that compare rows checked once, on narrow copies of the tables.
``findings``
    The report: findings, and the ways of printing them.
``api``
    :func:`validate`, which runs the stages.
"""

from .api import (
    FRICTIONLESS_MAX_ROWS,
    PackageError,
    check_keys,
    check_with_frictionless,
    check_with_pandera,
    coerce_tables,
    frictionless_max_rows,
    package_resources,
    read_contribution,
    resolve_contributed_names,
    validate,
)
from .chunked import CHUNK_MB, chunk_bytes

__all__ = ["CHUNK_MB", "FRICTIONLESS_MAX_ROWS", "PackageError", "chunk_bytes", "check_keys", "check_with_frictionless", "check_with_pandera",
           "coerce_tables", "frictionless_max_rows", "package_resources", "read_contribution",
           "resolve_contributed_names", "validate"]
