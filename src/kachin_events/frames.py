"""One table's Arrow data as the frame :func:`kachin_events.load` returns: the schema's
types, dates a library can compute with, and where the data comes from.

What each format holds:

* **pandas**: nullable dtypes (``Int64``, ``Float64``, ``boolean``, ``string``) and dates
  as ``datetime64[ns]`` (missing dates as ``NaT``), so ``df[df.date_start >= "2026-01-01"]``,
  ``.dt.to_period("M")`` and ``resample("MS")`` work. Nanoseconds, because it is the one
  resolution every supported pandas (2.2 and later) handles everywhere; a day is all the
  data knows, so the time of day is always midnight. The release's version and the
  table's name are in ``df.attrs`` (:func:`frame_info`). In the light install, which has
  neither pyarrow nor polars, the same frames are read from CSV files by
  :mod:`kachin_events.pandas_tables`.
* **polars**: ``Date``, ``Int64``, ``Boolean``, ``String``. polars frames have no
  metadata of their own, so the same dictionary is set as a plain ``attrs`` attribute on
  the frame returned; it is not carried over to the frames that operations on it return.
* **arrow**: ``date32``, ``int64``, ``bool``, ``string``. The schema metadata holds the
  table's ``name`` and ``description`` and the keys of :func:`frame_info` (missing values
  left out); each field's metadata holds its ``title`` and ``description``, as the
  release's Parquet file carries them (from the Table Schema when the data was not read
  from Parquet).
"""

from __future__ import annotations

#: The resolution of the pandas date columns :func:`to_format` returns.
PANDAS_DATE_DTYPE = "datetime64[ns]"

#: The output formats of :func:`kachin_events.load`.
FORMATS = ("pandas", "polars", "arrow")

#: The pandas dtype of each Table Schema type, in every pandas frame the package returns
#: (the one map: :func:`pandas_frame` and :mod:`kachin_events.pandas_tables` both use it).
PANDAS_DTYPES = {"string": "string", "integer": "Int64", "number": "Float64", "boolean": "boolean",
                 "date": PANDAS_DATE_DTYPE}

#: The keys of :func:`frame_info`, in order.
INFO_KEYS = ("table", "version", "source", "created", "kachin_events_version")


def frame_info(table: str, version: str | None, *, source: str, created: str | None = None) -> dict:
    """What a loaded frame says about itself (pandas ``attrs``, polars ``attrs``, Arrow metadata).

    Parameters
    ----------
    table : str
        The table's name (``events_flat`` for the flat view).
    version : str or None
        The release ``X.Y.Z``; None for the snapshot shipped with the package, which is
        not a published release (it may hold changes made since the last one).
    source : {"release", "snapshot"}
        Where the rows come from.
    created : str, optional
        When the release was built (its ``datapackage.json``'s ``created``).

    Returns
    -------
    dict
        ``table``, ``version``, ``source``, ``created`` and ``kachin_events_version``
        (the installed package that loaded it).

    Examples
    --------
    >>> info = frame_info("events", "0.1.0", source="release")
    >>> info["version"], info["table"], info["source"]
    ('0.1.0', 'events', 'release')
    """
    from .__about__ import __version__

    return dict(zip(INFO_KEYS, (table, version, source, created, __version__)))


def _plain_arrow_type(type_: str):
    """The Arrow type of a schema type as loaded (coded strings as plain strings)."""
    from .tablefiles import arrow_type

    return arrow_type({"name": type_, "type": type_})


def conform(arrow_table, schema, info: dict, field_meta: dict[str, dict] | None = None):
    """Cast to the schema's types and attach the metadata: the file's own, else the schema's.

    Parameters
    ----------
    arrow_table : pyarrow.Table
        As read (a release's Parquet or CSV, or the snapshot).
    schema : kachin_events.schema.TableSchema
        The installed package's schema of the table, which gives the types.
    info : dict
        :func:`frame_info`, added to the schema metadata.
    field_meta : dict, optional
        ``{field: {"title": ..., "description": ...}}`` for fields the data carries no
        metadata for (a release's CSV: its ``datapackage.json``'s inline schema).
        Default: the schema's own titles and descriptions.

    Raises
    ------
    ValueError
        A column does not cast to the schema's type (a release newer than the package).
    """
    import pyarrow as pa

    known = {f.name: f for f in schema.fields}
    fields = []
    for f in arrow_table.schema:
        typ = _plain_arrow_type(known[f.name].type) if f.name in known else f.type
        meta = f.metadata
        if not meta:
            given = (field_meta or {}).get(f.name)
            if given is None and f.name in known:
                given = {"title": known[f.name].title, "description": known[f.name].description}
            meta = {k: str(v) for k, v in (given or {}).items() if v is not None} or None
        fields.append(pa.field(f.name, typ, nullable=True, metadata=meta))
    meta = dict(arrow_table.schema.metadata or {}) or {b"name": schema.name.encode(),
                                                      b"description": schema.description.encode()}
    meta.update({k.encode(): str(v).encode() for k, v in info.items() if v is not None})
    try:
        return arrow_table.cast(pa.schema(fields, metadata=meta))
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
        msg = (f"the {info['table']} table does not fit the schema of the installed kachin-events ({exc}); "
               "a newer release may need a newer kachin-events")
        raise ValueError(msg) from None


def pandas_frame(arrow_table):
    """An Arrow table as pandas: nullable dtypes, dates as :data:`PANDAS_DATE_DTYPE`.

    Examples
    --------
    >>> import datetime as dt, pyarrow as pa
    >>> t = pa.table({"d": pa.array([dt.date(2026, 1, 5), None], pa.date32()), "n": [1, None]})
    >>> df = pandas_frame(t)
    >>> str(df["d"].dtype), str(df["n"].dtype)
    ('datetime64[ns]', 'Int64')
    >>> len(df[df["d"] >= "2026-01-01"])
    1
    """
    import pandas as pd
    import pyarrow as pa

    # Nullable pandas types, so missing integers stay integers (not floats); dates
    # become datetime64 (date_as_object=False), not Python date objects, so that
    # comparisons with strings, .dt and resample work.
    of_type = {pa.int64(): "integer", pa.float64(): "number", pa.bool_(): "boolean", pa.string(): "string",
               pa.large_string(): "string"}
    mapping = {typ: pd.api.types.pandas_dtype(PANDAS_DTYPES[name]) for typ, name in of_type.items()}
    frame = arrow_table.to_pandas(types_mapper=mapping.get, date_as_object=False)
    dates = [f.name for f in arrow_table.schema if pa.types.is_date(f.type)]
    if dates:
        frame = frame.astype({name: PANDAS_DATE_DTYPE for name in dates})
    return frame


def to_format(arrow_table, format: str):
    """A conformed Arrow table (:func:`conform`) as the frame of ``format``, with its ``attrs``."""
    if format == "arrow":
        return arrow_table
    meta = arrow_table.schema.metadata or {}
    attrs = dict.fromkeys(INFO_KEYS)
    attrs.update({k.decode(): v.decode() for k, v in meta.items() if k.decode() in attrs})
    if format == "polars":
        import polars as pl

        frame = pl.from_arrow(arrow_table)
        # polars has no frame metadata; a plain attribute on the frame returned is
        # the closest (documented in the module docstring).
        frame.attrs = attrs
        return frame
    frame = pandas_frame(arrow_table)
    frame.attrs = attrs
    return frame
