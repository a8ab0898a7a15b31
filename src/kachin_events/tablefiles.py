"""Release table files: one canonical text form per cell, CSV bytes and typed Parquet.

Split from :mod:`kachin_events.release.build` so the cell and Arrow conventions (see its module
docstring: dates as ``date32``, enums as dictionary columns, metadata per field) live in
one small place that the build, the verifier and the tests share.
"""

from __future__ import annotations

from pathlib import Path

from .schema import get_schema

# -- cells and tables ---------------------------------------------------------------------


def csv_field(text: str) -> str:
    r"""One CSV field: quoted when it holds a comma, a quote or a line break (CR or LF).

    Python's csv writer does not quote a lone carriage return when the line ends are LF,
    and a reader would then split the row there; this quotes it.

    Examples
    --------
    >>> csv_field("plain"), csv_field('x"y'), csv_field("a\rb")
    ('plain', '"x""y"', '"a\rb"')
    """
    if any(c in text for c in ',"\n\r'):
        return '"' + text.replace('"', '""') + '"'
    return text


def csv_bytes(header: list[str], rows) -> bytes:
    r"""A CSV file as UTF-8 bytes: header then rows of text cells, LF line ends, no BOM.

    Examples
    --------
    >>> csv_bytes(["a", "b"], [["1", ""], ["x,y", "z"]])
    b'a,b\n1,\n"x,y",z\n'
    """
    lines = [",".join(csv_field(c) for c in header)]
    lines += [",".join(csv_field(c) for c in row) for row in rows]
    return ("\n".join(lines) + "\n").encode("utf-8")


def format_cell(value, type_: str) -> str:
    """A typed value as the one text a release CSV holds for it (``""`` for null).

    Examples
    --------
    >>> import datetime as dt
    >>> format_cell(24.2549300, "number"), format_cell(dt.date(2026, 2, 5), "date")
    ('24.25493', '2026-02-05')
    >>> format_cell(True, "boolean"), format_cell(None, "integer"), format_cell(12, "integer")
    ('true', '', '12')
    """
    if value is None:
        return ""
    if type_ == "string":
        return str(value)
    if type_ == "integer":
        return str(int(value))
    if type_ == "number":
        value = float(value)
        if value != value or value in (float("inf"), float("-inf")):
            msg = f"the number {value!r} cannot be written to a release"
            raise ValueError(msg)
        # repr is the shortest text that reads back as the same float.
        return repr(value)
    if type_ == "date":
        return value.isoformat()
    if type_ == "boolean":
        return "true" if value else "false"
    msg = f"fields of type {type_!r} are not supported in releases"
    raise ValueError(msg)


def inline_schema(table: str) -> dict:
    """A table's Table Schema as inlined in a release (``$schema`` only belongs at the root)."""
    desc = dict(get_schema(table).descriptor)
    desc.pop("$schema", None)
    return desc


def _types(schema: dict) -> list[str]:
    return [f.get("type", "string") for f in schema["fields"]]


def sorted_frame(frame, schema: dict):
    """A typed frame in the schema's column order, sorted by primary key (nulls first)."""
    names = [f["name"] for f in schema["fields"]]
    pk = schema.get("primaryKey") or names
    pk = [pk] if isinstance(pk, str) else list(pk)
    # Key cells are required, so never null in valid data; nulls would sort first.
    return frame.select(names).sort(pk, nulls_last=False, maintain_order=True)


def sorted_rows(frame, schema: dict) -> list[tuple]:
    """A typed frame's rows as tuples in the schema's column order, sorted by primary key."""
    return sorted_frame(frame, schema).rows()


def _text_expr(name: str, type_: str):
    """The column's cells spelled as :func:`format_cell` spells them, as one expression."""
    import polars as pl

    c = pl.col(name)
    if type_ == "string":
        return c.cast(pl.Utf8)
    if type_ == "integer":
        return c.cast(pl.Int64).cast(pl.Utf8)
    if type_ == "date":
        return c.cast(pl.Date).dt.strftime("%Y-%m-%d")
    if type_ == "boolean":
        return pl.when(c.is_null()).then(None).when(c.cast(pl.Boolean)).then(pl.lit("true")).otherwise(pl.lit("false"))
    if type_ == "number":
        return c.cast(pl.Float64).cast(pl.Utf8)
    msg = f"fields of type {type_!r} are not supported in releases"
    raise ValueError(msg)


def text_frame(frame, schema: dict):
    """Every cell of a typed frame as the one text a release holds for it (null stays null).

    Examples
    --------
    >>> import datetime as dt, polars as pl
    >>> schema = {"fields": [{"name": "x", "type": "number"}, {"name": "d", "type": "date"}]}
    >>> text_frame(pl.DataFrame({"x": [24.25493, 1e-05, None], "d": [dt.date(2026, 2, 5)] * 3}), schema).rows()
    [('24.25493', '2026-02-05'), ('1e-05', '2026-02-05'), (None, '2026-02-05')]
    """
    import polars as pl

    types = dict(zip([f["name"] for f in schema["fields"]], _types(schema)))
    out = frame.select([_text_expr(n, t).alias(n) for n, t in types.items()])
    for name, type_ in types.items():
        if type_ != "number":
            continue
        col = frame[name].cast(pl.Float64)
        if (col.is_nan() | col.is_infinite()).any():
            bad = col.filter(col.is_nan() | col.is_infinite())[0]
            msg = f"the number {bad!r} cannot be written to a release"
            raise ValueError(msg)
        # polars and Python agree on the shortest round-tripping text, except in how
        # they write exponents; those few cells take Python's spelling (format_cell's).
        size = col.abs()
        odd = ((size < 1e-4) & (size > 0)) | (size >= 1e16)
        if odd.any():
            idx = odd.fill_null(False).arg_true()
            fixed = out[name].clone()
            fixed.scatter(idx, [format_cell(v, "number") for v in col.gather(idx).to_list()])
            out = out.with_columns(fixed)
    return out


def _csv_lines(text) -> list:
    """Each row of a text frame as one CSV line (quoted as :func:`csv_field` quotes)."""
    import polars as pl

    def cell(name):
        c = pl.col(name)
        quoted = pl.lit('"') + c.str.replace_all('"', '""', literal=True) + pl.lit('"')
        return pl.when(c.str.contains(r'[,"\n\r]')).then(quoted).otherwise(c).fill_null("")

    if not text.width:
        return []
    return text.select(pl.concat_str([cell(n) for n in text.columns], separator=",").alias("_")).to_series()


def table_csv(schema: dict, frame) -> bytes:
    r"""A table's CSV file from a frame sorted by :func:`sorted_frame`: header, one canonical line per row.

    Examples
    --------
    >>> import polars as pl
    >>> schema = {"fields": [{"name": "a", "type": "string"}, {"name": "n", "type": "integer"}]}
    >>> table_csv(schema, pl.DataFrame({"a": ["x,y", None], "n": [1, None]}))
    b'a,n\n"x,y",1\n,\n'
    """
    header = ",".join(csv_field(f["name"]) for f in schema["fields"])
    lines = _csv_lines(text_frame(frame, schema))
    body = lines.str.join("\n").item() + "\n" if len(lines) else ""
    return (header + "\n" + body).encode("utf-8")


def arrow_type(field: dict):
    """The Arrow type a Table Schema field is stored as in Parquet."""
    import pyarrow as pa

    t = field.get("type", "string")
    if t == "string" and field.get("constraints", {}).get("enum"):
        return pa.dictionary(pa.int32(), pa.string())
    types = {"string": pa.string(), "integer": pa.int64(), "number": pa.float64(), "date": pa.date32(),
             "boolean": pa.bool_()}
    if t not in types:
        msg = f"field {field['name']!r} has type {t!r}, which releases do not support"
        raise ValueError(msg)
    return types[t]


def arrow_table(schema: dict, frame):
    """A typed frame as a pyarrow Table with the schema's types and descriptions."""
    import pyarrow as pa

    fields, arrays = [], []
    for f in schema["fields"]:
        typ = arrow_type(f)
        values = frame[f["name"]].to_arrow()
        if pa.types.is_dictionary(typ):
            arr = values.cast(pa.string()).dictionary_encode()
        else:
            arr = values.cast(typ)
        meta = {"title": f.get("title", f["name"]), "description": f.get("description", "")}
        fields.append(pa.field(f["name"], typ, nullable=True, metadata=meta))
        arrays.append(arr)
    meta = {"name": schema.get("name", ""), "description": schema.get("description", "")}
    return pa.Table.from_arrays(arrays, schema=pa.schema(fields, metadata=meta))


def table_parquet(schema: dict, frame) -> bytes:
    """A table's Parquet file (zstd), as bytes, from a frame sorted by :func:`sorted_frame`."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    sink = pa.BufferOutputStream()
    pq.write_table(arrow_table(schema, frame), sink, compression="zstd", compression_level=9,
                   write_statistics=True, store_schema=True)
    return sink.getvalue().to_pybytes()


def write_table_csv(frame, path: str | Path, table: str) -> Path:
    """Write a typed frame of ``table`` as a release CSV file (canonical order and text)."""
    schema = inline_schema(table)
    path = Path(path)
    path.write_bytes(table_csv(schema, sorted_frame(frame, schema)))
    return path


def write_table_parquet(frame, path: str | Path, table: str) -> Path:
    """Write a typed frame of ``table`` as a release Parquet file."""
    schema = inline_schema(table)
    path = Path(path)
    path.write_bytes(table_parquet(schema, sorted_frame(frame, schema)))
    return path


def read_table_parquet(path: str | Path, table: str):
    """A release Parquet file as a polars frame typed like :func:`~kachin_events.tables.read_tables`.

    Examples
    --------
    >>> import tempfile
    >>> from kachin_events.tables import read_tables
    >>> frame = read_tables()["actors"]
    >>> with tempfile.TemporaryDirectory() as d:
    ...     back = read_table_parquet(write_table_parquet(frame, Path(d) / "a.parquet", "actors"), "actors")
    >>> back.equals(frame.sort("actor_id"))
    True
    """
    import polars as pl
    import pyarrow as pa
    import pyarrow.parquet as pq

    from .validation.coerce import polars_dtype

    ts = get_schema(table)
    data = pq.read_table(path)
    cols = {}
    for f in ts.fields:
        col = data.column(f.name)
        if pa.types.is_dictionary(col.type):
            col = col.cast(pa.string())
        cols[f.name] = pl.from_arrow(col).cast(polars_dtype(f.type))
    return pl.DataFrame(cols) if cols else pl.DataFrame()


