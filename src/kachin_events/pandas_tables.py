"""Tables as typed pandas frames, read with pandas alone.

``pip install kachin-events`` brings pandas but neither pyarrow nor polars (they come
with the ``arrow``, ``polars`` and ``validate`` extras: :mod:`kachin_events.extras`), so
the pandas frames :func:`kachin_events.load` returns are read here, from CSV files: the
data files of the snapshot shipped with the package, and a release's ``csv/`` files.
Both are written in the canonical form (UTF-8, a header row, ``true``/``false``,
``YYYY-MM-DD`` dates, an empty cell for a missing value), and both are known to be
valid: the snapshot was validated before it was shipped, and a release's files are
checked against their hashes before they are read.

The dtypes are :data:`kachin_events.frames.PANDAS_DTYPES`, the same as
:func:`kachin_events.frames.pandas_frame` gives an Arrow table, so a frame is the same
whichever way it was made; a test compares the two on every table of the snapshot and
of every published release.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from .frames import PANDAS_DTYPES
from .schema import TableSchema


def _parser_options() -> dict:
    import pandas as pd

    # Before pandas 3 the C parser's default float conversion could be off by one unit
    # in the last place; "round_trip" reads back exactly what the file holds. pandas 3
    # converts exactly by default and deprecates the option.
    return {"float_precision": "round_trip"} if int(pd.__version__.split(".")[0]) < 3 else {}


def _read_one(path: Path, schema: TableSchema):
    import pandas as pd

    types = {f.name: f.type for f in schema.fields}
    # Dates are read as text and converted below; a column the schema does not know (a
    # release newer than the installed package) stays text.
    dtypes = defaultdict(lambda: "string", {name: ("float64" if t == "number" else PANDAS_DTYPES[t])
                                            for name, t in types.items() if t != "date"})
    try:
        frame = pd.read_csv(path, dtype=dtypes, keep_default_na=False, na_values=[""], true_values=["true"],
                            false_values=["false"], encoding="utf-8", engine="c", **_parser_options())
    except pd.errors.EmptyDataError:
        msg = f"{path}: the file is empty; a table's CSV file has at least its header row"
        raise ValueError(msg) from None
    except (OSError, UnicodeDecodeError, ValueError, TypeError, pd.errors.ParserError) as exc:
        msg = (f"{path}: the {schema.name} table does not fit the schema of the installed kachin-events "
               f"({exc}); a newer release may need a newer kachin-events")
        raise ValueError(msg) from None
    for name in frame.columns:
        t = types.get(name)
        if t == "number":
            frame[name] = frame[name].astype(PANDAS_DTYPES["number"])
        elif t == "date":
            try:
                dates = pd.to_datetime(frame[name], format="%Y-%m-%d")
            except (ValueError, TypeError) as exc:
                msg = f"{path}, column {name}: not a YYYY-MM-DD date ({exc})"
                raise ValueError(msg) from None
            frame[name] = dates.astype(PANDAS_DTYPES["date"])
    return frame


def read_csv_table(paths, schema: TableSchema, *, all_fields: bool = False, sort: bool = False):
    """One table's CSV files (in order) as one typed pandas frame.

    Parameters
    ----------
    paths : list of path
        The table's files; their rows are concatenated.
    schema : kachin_events.schema.TableSchema
        The installed package's schema of the table, which gives the dtypes.
    all_fields : bool
        Give every field of the schema, in its order (missing from the files: all
        missing values). Otherwise the files' own columns, in their order.
    sort : bool
        Sort the rows by the primary key, as a release holds them.

    Returns
    -------
    pandas.DataFrame
        With a fresh ``RangeIndex``.

    Raises
    ------
    ValueError
        A file cannot be read, or a cell does not fit the schema's type.

    Examples
    --------
    >>> from kachin_events.schema import get_schema
    >>> from kachin_events.pandas_tables import read_csv_table, snapshot_paths
    >>> events = read_csv_table(snapshot_paths()["events"], get_schema("events"), all_fields=True, sort=True)
    >>> str(events["date_start"].dtype), str(events["fatalities_best"].dtype)
    ('datetime64[ns]', 'Int64')
    """
    import pandas as pd

    parts = [_read_one(Path(p), schema) for p in paths]
    frame = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=list(schema.field_names))
    if all_fields:
        names = schema.field_names
        frame = frame.reindex(columns=[*names, *(c for c in frame.columns if c not in names)])
    # Columns the files lack (or an empty table) get the schema's dtypes too.
    frame = frame.astype({f.name: PANDAS_DTYPES[f.type] for f in schema.fields if f.name in frame.columns})
    if sort and schema.primary_key:
        frame = frame.sort_values(list(schema.primary_key), kind="stable")
    return frame.reset_index(drop=True)


def snapshot_paths() -> dict[str, list[Path]]:
    """The data files of each table of the snapshot shipped with the package.

    Examples
    --------
    >>> [p.name for p in snapshot_paths()["actors"]]
    ['actors.csv']
    """
    from . import _paths
    from .validation.api import package_resources

    return package_resources(_paths.snapshot_package())


def read_csv_cells(path: str | Path) -> tuple[list[str], list[tuple]]:
    """A CSV file's header and rows as text cells (None for an empty cell), with no library.

    What :func:`kachin_events.release.diff.read_csv_text` uses in the light install (for
    ``history`` and ``diff``); with the validator installed it uses the validator's
    reader, which gives the same (tested on every CSV file of every published release).
    Python's ``csv`` module, because it is strict where pandas guesses (a row with one
    cell too many becomes an index there).

    Raises
    ------
    ValueError
        The file cannot be read as UTF-8 CSV, is empty, or a row has more or fewer cells
        than the header.

    Examples
    --------
    >>> header, rows = read_csv_cells(snapshot_paths()["claimants"][0])
    >>> header[0], len(rows) > 0
    ('claimant_id', True)
    """
    import csv

    try:
        with open(path, encoding="utf-8-sig", newline="") as f:
            records = list(csv.reader(f, strict=True))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        msg = f"{path}: cannot be read as UTF-8 CSV ({exc})"
        raise ValueError(msg) from None
    if not records:
        msg = f"{path}: the file is empty; a release CSV file has at least its header row"
        raise ValueError(msg)
    header, rows = records[0], []
    line = 1
    for record in records[1:]:
        line += 1 + sum(cell.count("\n") for cell in record)
        if len(record) != len(header):
            fewer = "fewer" if len(record) < len(header) else "more"
            msg = f"{path}, line {line}: the row has {fewer} cells than the header ({len(header)})"
            raise ValueError(msg)
        rows.append(tuple(cell if cell != "" else None for cell in record))
    return header, rows
