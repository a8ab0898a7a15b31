"""Primary keys, unique fields and foreign keys, checked as column operations.

Keys are judged over every row of a table, the repository's reference rows and the
contributed ones together (a contributed id may clash with the repository's), but only
contributed rows are reported. A key that appears twice is reported at its second
occurrence and after, naming the row that holds it first; a foreign key that points at
no row of its table is reported at its cell, with where that table's codes are and the
closest one. Window functions and anti-joins do the work; Python only builds the
findings.
"""

from __future__ import annotations

from .findings import Finding, did_you_mean
from .table import CHECKED, FILE, LINE, RawTable
from .read import describe_files
from ..rules import get_rule
from ..schema import get_schema

_ROW = "__row"


def _finding(file, line, field, value, rule_id: str, message: str) -> Finding:
    return Finding(file, line, field, None if value is None else str(value), rule_id,
                   get_rule(rule_id).severity, message)


def check_keys(raws: dict[str, RawTable], skip: dict) -> list[Finding]:
    """Primary-key, unique and foreign-key findings of every table with contributed rows.

    Parameters
    ----------
    raws : dict of str to RawTable
        Every table of the run.
    skip : dict of str to polars.DataFrame
        Per table, a boolean column per field: True where the cell failed to type (a
        key made of such a cell is not reported again).
    """
    out: list[Finding] = []
    for table, raw in raws.items():
        if not len(raw) or not raw.any_checked():
            continue
        out += primary_key_findings(raw, skip.get(table))
        out += unique_findings(raw)
        out += foreign_key_findings(raw, raws)
    return out


def primary_key_findings(raw: RawTable, skip=None) -> list[Finding]:
    """A row whose primary key an earlier row already holds."""
    import polars as pl

    pk = list(get_schema(raw.table).primary_key)
    if not pk:
        return []
    frame = raw.frame.with_row_index(_ROW)
    if skip is not None:
        frame = frame.with_columns(pl.any_horizontal([skip[f] for f in pk]).alias("__skip"))
    else:
        frame = frame.with_columns(pl.lit(False).alias("__skip"))
    keyed = frame.filter(~pl.all_horizontal([pl.col(f).is_null() for f in pk]))
    # Most keys appear once: the rows whose key repeats are picked by a hash first, and
    # the windows that name each one's first row run over those few.
    key = pl.struct(pk) if len(pk) > 1 else pl.col(pk[0])
    keyed = keyed.filter(key.is_duplicated())
    dup = keyed.with_columns(
        pl.col(_ROW).first().over(pk).alias("__first"),
        pl.col(FILE).first().over(pk).alias("__first_file"),
        pl.col(LINE).first().over(pk).alias("__first_line"),
        pl.col(CHECKED).first().over(pk).alias("__first_checked"),
    ).filter((pl.col(_ROW) != pl.col("__first")) & pl.col(CHECKED) & ~pl.col("__skip"))
    if not dup.height:
        return []
    all_checked = raw.all_checked()
    value = pl.concat_str([pl.col(f).fill_null("None") for f in pk], separator=", ")
    out = []
    for rec in dup.with_columns(value.alias("__value")).iter_rows(named=True):
        v = rec["__value"]
        what = f"the key ({', '.join(pk)}) = ({v})" if len(pk) > 1 else f"{pk[0]} {v}"
        if rec["__first_checked"] and not all_checked:
            where = f"row {rec['__first_line']} of {rec['__first_file']}, in this submission"
        elif rec["__first_checked"]:
            where = f"row {rec['__first_line']} of {rec['__first_file']}"
        else:
            where = f"row {rec['__first_line']} of {rec['__first_file']}, in the repository"
        fix = "use a new id" if len(pk) == 1 else "remove one of the two rows if they say the same, or correct one"
        out.append(_finding(rec[FILE], rec[LINE], pk[0], v, "primary-key", f"{what} is already used by {where}; {fix}"))
    return out


def unique_findings(raw: RawTable) -> list[Finding]:
    """A value of a ``unique`` field (other than a one-field primary key) seen before."""
    import polars as pl

    from .engines import schema_message

    ts = get_schema(raw.table)
    out = []
    for fld in ts.fields:
        if not fld.constraints.get("unique") or list(ts.primary_key) == [fld.name]:
            continue  # the primary-key finding says the same of the same cell
        frame = raw.frame.select(FILE, LINE, CHECKED, fld.name).filter(pl.col(fld.name).is_not_null())
        dup = frame.filter(~pl.col(fld.name).is_first_distinct() & pl.col(CHECKED))
        for file, line, value in dup.select(FILE, LINE, fld.name).iter_rows():
            out.append(_finding(file, line, fld.name, value, "unique", schema_message("unique", ts, fld.name, value)))
    return out


def foreign_key_findings(raw: RawTable, raws: dict[str, RawTable]) -> list[Finding]:
    """A contributed cell whose code is no key of the table it refers to."""
    import polars as pl

    ts = get_schema(raw.table)
    out = []
    for fk in ts.foreign_keys:
        ref = fk["reference"]
        target = ref.get("resource") or ts.name
        fields, ref_fields = list(fk["fields"]), list(ref["fields"])
        rows = raw.frame.select(FILE, LINE, CHECKED, *fields).filter(
            pl.col(CHECKED) & pl.all_horizontal([pl.col(f).is_not_null() for f in fields]))
        if not rows.height:
            continue
        other = raws.get(target)
        if other is not None and len(other):
            keys = other.frame.select([pl.col(r).alias(f) for f, r in zip(fields, ref_fields)]).unique()
            rows = rows.join(keys, on=fields, how="anti", nulls_equal=False, maintain_order="left")
        if not rows.height:
            continue
        hints = _Hints(target, ref_fields, other)
        for rec in rows.select(FILE, LINE, *fields).iter_rows(named=True):
            for f in fields:
                out.append(_finding(rec[FILE], rec[LINE], f, rec[f], "foreign-key", hints.message(rec[f])))
    return out


class _Hints:
    """What a foreign-key message says of the referenced table, worked out once per key."""

    def __init__(self, target: str, ref_fields: list, table: RawTable | None):
        self.target, self.ref_fields, self.table = target, ref_fields, table
        self._codes = self._where = None

    def message(self, value) -> str:
        key = ", ".join(self.ref_fields)
        msg = f"{value!r} is not an existing {key} of the {self.target} table"
        table = self.table
        if table is None or not len(table):
            return msg + f" (it has no rows yet); add the {self.target} row to your submission"
        if self._where is None:
            repo = describe_files(table.file_names(checked=False))
            mine = describe_files(table.file_names(checked=True))
            self._where = f"{repo} or your {mine}" if repo and mine else repo or mine
        close = None
        if len(self.ref_fields) == 1 and self.target != "events":  # event ids are numbers: a close one is no hint
            if self._codes is None:
                col = table.frame[self.ref_fields[0]].drop_nulls().unique()
                self._codes = sorted(col.to_list())
            close = did_you_mean(value, self._codes, cutoff=0.75)
        hint = f" Did you mean {close!r}?" if close else ""
        return (f"{msg} (see {self._where}).{hint} Use a {key} from there, or add the {self.target} row to your "
                "submission first")
