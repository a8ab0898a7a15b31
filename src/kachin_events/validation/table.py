"""A table's cells as text, in columns, with where each row came from.

A :class:`RawTable` is what the readers produce and the validator checks: one polars
DataFrame with a text column per schema field (in the schema's order) and three
provenance columns: the file each row came from, the row number a person sees there,
and whether findings on the row are reported (contributed rows) or not (the
repository's reference rows, read so keys and rules can look at them).

The validator only ever touches the columns. Code that edits a few rows of a small
submission in Python (resolving names, giving new ids, ``add``) can use the row view
(:attr:`RawTable.rows` and friends), which turns the table into lists on first use and
back into columns when the columns are needed again; or, better, :meth:`RawTable.editing`,
which hands out only the rows that need editing and writes them back.
"""

from __future__ import annotations

from contextlib import contextmanager

from ..schema import get_schema

FILE, LINE, CHECKED = "__file", "__line", "__checked"
PROVENANCE = (FILE, LINE, CHECKED)


def _pl():
    import polars as pl

    return pl


class RawTable:
    """A table's rows as text, in the schema's column order, with their provenance.

    Parameters
    ----------
    table : str
        The table's name (its schema).
    rows, files, lines, checked : list, optional
        Row view: the cells of each row in the schema's column order, the file and the
        row number a person sees, and whether findings are reported on it.
    missing : set of (str, str), optional
        (file, field) pairs of columns missing from a file: their cells are not news.

    Examples
    --------
    >>> raw = RawTable("actor_aliases", rows=[["KIA", "kia", None]], files=["a.csv"], lines=[2], checked=[True])
    >>> len(raw), raw.where(0), raw.value(0, "actor_id")
    (1, ('a.csv', 2), 'kia')
    >>> raw.text.columns
    ['alias', 'actor_id', 'note']
    """

    def __init__(self, table: str, rows=None, files=None, lines=None, checked=None, missing=None):
        self.table = table
        self.missing: set = set(missing or ())
        #: True when a file of this table could not be read: its keys are not all known.
        self.incomplete = False
        self._frame = None
        self._rows = list(rows) if rows is not None else []
        self._files = list(files) if files is not None else []
        self._lines = list(lines) if lines is not None else []
        self._checked = list(checked) if checked is not None else []
        #: The fields the table holds: all of its schema's, or some (a narrow table).
        self.fields: list = list(get_schema(table).field_names)

    @classmethod
    def from_frame(cls, table: str, frame, missing=None, fields=None) -> RawTable:
        """A table from a frame holding every field (as text) and the provenance columns.

        With ``fields``, a narrow table of those fields only (in the schema's order): what
        checks across the rows of a file read in chunks need of it
        (:mod:`kachin_events.validation.chunked`). A narrow table is for the columnar
        checks only; it has no row view.
        """
        raw = cls(table, missing=missing)
        if fields is not None:
            raw.fields = [n for n in raw.fields if n in set(fields)]
        raw._frame = frame.select([*raw.fields, *PROVENANCE])
        raw._rows = raw._files = raw._lines = raw._checked = None
        return raw

    def narrow(self, fields) -> RawTable:
        """The same rows with only ``fields`` (and the provenance columns)."""
        out = RawTable.from_frame(self.table, self.frame, missing=self.missing, fields=fields)
        out.incomplete = self.incomplete
        return out

    # -- the two views ---------------------------------------------------------------
    @property
    def frame(self):
        """Every field as text plus the provenance columns ``__file``, ``__line``, ``__checked``."""
        if self._frame is None:
            pl = _pl()
            names = get_schema(self.table).field_names
            columns = {n: pl.Series(n, [r[i] if i < len(r) else None for r in self._rows], dtype=pl.Utf8)
                       for i, n in enumerate(names)}
            columns[FILE] = pl.Series(FILE, self._files, dtype=pl.Utf8)
            columns[LINE] = pl.Series(LINE, self._lines, dtype=pl.Int64)
            columns[CHECKED] = pl.Series(CHECKED, self._checked, dtype=pl.Boolean)
            self._frame = pl.DataFrame(columns)
            self._rows = self._files = self._lines = self._checked = None
        return self._frame

    @property
    def text(self):
        """The fields alone, as text, in the schema's column order."""
        return self.frame.select(self.fields)

    def _as_lists(self) -> None:
        if self._rows is None:
            f = self._frame
            names = get_schema(self.table).field_names
            self._rows = [list(r) for r in f.select(names).iter_rows()]
            self._files = f[FILE].to_list()
            self._lines = f[LINE].to_list()
            self._checked = f[CHECKED].to_list()
            self._frame = None

    @property
    def rows(self) -> list[list]:
        """Row view (lists of cells); edits to it are kept."""
        self._as_lists()
        return self._rows

    @property
    def files(self) -> list[str]:
        self._as_lists()
        return self._files

    @property
    def lines(self) -> list[int]:
        self._as_lists()
        return self._lines

    @property
    def checked(self) -> list[bool]:
        self._as_lists()
        return self._checked

    # -- access that keeps the columns --------------------------------------------------
    def __len__(self) -> int:
        return self._frame.height if self._frame is not None else len(self._rows)

    def where(self, i: int) -> tuple[str, int]:
        """(file, row as a person sees it) of row ``i``."""
        if self._frame is not None:
            return self._frame[FILE][i], self._frame[LINE][i]
        return self._files[i], self._lines[i]

    def is_checked(self, i: int) -> bool:
        return bool(self._frame[CHECKED][i] if self._frame is not None else self._checked[i])

    def any_checked(self) -> bool:
        if self._frame is not None:
            return bool(self._frame[CHECKED].any())
        return any(self._checked)

    def all_checked(self) -> bool:
        if self._frame is not None:
            return bool(self._frame[CHECKED].all())
        return all(self._checked)

    def value(self, i: int, field: str):
        """The text of one cell."""
        if self._frame is not None:
            return self._frame[field][i]
        return self._rows[i][get_schema(self.table).field_names.index(field)]

    def file_names(self, checked: bool | None = None) -> list[str]:
        """The distinct files of the rows (all, or only checked / unchecked ones), in order."""
        f = self.frame
        if checked is not None:
            f = f.filter(f[CHECKED] == checked)
        return f[FILE].unique(maintain_order=True).to_list()

    def extend(self, other: RawTable, checked: bool = True) -> None:
        """Append ``other``'s rows, marking them checked or not."""
        pl = _pl()
        self.missing |= other.missing
        self.incomplete |= other.incomplete
        add = other.frame.select([*self.fields, *PROVENANCE]).with_columns(pl.lit(checked).alias(CHECKED))
        self._frame = add if not len(self) else pl.concat([self.frame, add], how="vertical")
        self._rows = self._files = self._lines = self._checked = None

    def select(self, mask) -> RawTable:
        """A new table of the rows where ``mask`` (a polars expression or Series) holds."""
        out = RawTable.from_frame(self.table, self.frame.filter(mask), missing=self.missing, fields=self.fields)
        out.incomplete = self.incomplete
        return out

    @contextmanager
    def editing(self, mask):
        """Edit, in Python, only the rows where ``mask`` holds; they are written back after.

        Yields a small :class:`RawTable` (row view) of those rows, in order.

        Examples
        --------
        >>> import polars as pl
        >>> raw = RawTable("actor_aliases", rows=[["KIA", None, None], ["TNLA", "tnla", None]],
        ...                files=["a.csv"] * 2, lines=[2, 3], checked=[True, True])
        >>> with raw.editing(pl.col("actor_id").is_null()) as few:
        ...     few.rows[0][1] = "kia"
        >>> raw.text["actor_id"].to_list()
        ['kia', 'tnla']
        """
        pl = _pl()
        frame = self.frame.with_row_index("__i")
        picked = frame.filter(mask)
        few = RawTable.from_frame(self.table, picked.drop("__i"))
        few._as_lists()
        yield few
        if not len(few):
            return
        idx = picked["__i"]
        names = get_schema(self.table).field_names
        out = []
        for pos, name in enumerate(names):
            new = pl.Series(name, [r[pos] for r in few._rows], dtype=pl.Utf8)
            col = self._frame[name].clone()
            col.scatter(idx, new)
            out.append(col)
        self._frame = self._frame.with_columns(out)

    def __repr__(self) -> str:
        return f"RawTable({self.table!r}, {len(self)} rows)"
