"""What both importers share: reading another dataset's file as text, the run's summary,
and writing the submission folder.

A file is read with :mod:`kachin_events.validation.read` (CSV, or the first sheet of an XLSX
workbook), every cell as text, each row with the line or row number a person sees.
The submission is written as one CSV file per table of what ``kachin-events add``
takes, in the schema's column order, into a temporary folder beside the output that
is then moved into place: a failed run leaves nothing behind.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from ..validation.read import UnreadableError, display_path


class ImportInputError(Exception):
    """A file or option the import cannot work with (exit status 2).

    Attributes
    ----------
    message : str
        What is wrong and how to fix it.
    exit_code : int
        2: a usage error or an unreadable input.
    """

    def __init__(self, message: str, exit_code: int = 2):
        super().__init__(message)
        self.message = message
        self.exit_code = exit_code


@dataclass
class Export:
    """Another dataset's file as text: its header and its rows (line, column -> text or None)."""

    shown: str
    header: list[str]
    rows: list[tuple[int, dict[str, str | None]]]


def read_export(path, missing: tuple[str, ...] = ("",)) -> Export:
    """Read a CSV or XLSX export as text; cells in ``missing`` (``NA`` ...) become None.

    An XLSX workbook is read from its first sheet that holds data. Column names are
    compared in lower case; a row of HXL hashtags right under the header is skipped.

    Raises
    ------
    ImportInputError
        When the file cannot be read or has no header row.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as d:
    ...     p = Path(d) / "x.csv"
    ...     _ = p.write_text("a,b\\n1,NA\\n", encoding="utf-8")
    ...     read_export(p, ("", "NA")).rows
    [(2, {'a': '1', 'b': None})]
    """
    from ..validation.read import _read_csv
    from ..validation.xlsx import read_workbook

    path = Path(path)
    shown = display_path(path)
    if not path.is_file():
        raise ImportInputError(f"{shown}: does not exist or is not a file; check the path")
    suffix = path.suffix.lower()
    try:
        if suffix in (".csv", ".txt"):
            records = _read_csv(path, shown)
        elif suffix in (".xlsx", ".xlsm"):
            sheets = [s.records() for s in read_workbook(path, shown).values() if not s.empty]
            records = sheets[0] if sheets else []
        else:
            msg = f"{shown}: has the file type {suffix!r}; give the export as .csv or .xlsx"
            raise ImportInputError(msg)
    except UnreadableError as exc:
        raise ImportInputError(f"{exc.file}: {exc.message}") from None
    if not records:
        raise ImportInputError(f"{shown}: is empty; it needs a header row and the dataset's rows")
    # Column names are compared in lower case (exports from some tools capitalise them).
    header = [(h or "").strip().lower() for h in records[0][1]]
    wanted: dict[str, int] = {}
    for i, name in enumerate(header):
        if name:
            wanted.setdefault(name, i)  # the first of a repeated name wins
    rows = []
    for line, values in records[1:]:
        filled = [str(v).strip() for v in values if v is not None and str(v).strip()]
        if not filled:
            continue  # a blank line: not a row of the dataset
        if line == records[1][0] and all(v.startswith("#") for v in filled):
            continue  # a row of HXL hashtags under the header (as humanitarian data platforms add): not data
        cells = {}
        for name, i in wanted.items():
            v = values[i].strip() if i < len(values) and values[i] is not None else None
            cells[name] = None if v is None or v in missing else v
        rows.append((line, cells))
    return Export(shown, header, rows)


def require_columns(export: Export, required, what: str) -> None:
    """Stop when the file lacks a column every layout of ``what`` has."""
    absent = [c for c in required if c not in export.header]
    if absent:
        msg = (f"{export.shown}: has no column {', '.join(repr(c) for c in absent)}, which every {what} export has; "
               f"is this {what} file? Its columns are: {', '.join(h for h in export.header if h)[:400]}")
        raise ImportInputError(msg)


# -- the summary -----------------------------------------------------------------------


@dataclass
class ImportSummary:
    """What an import did with each row of the file.

    ``rows_read`` always equals imported + skipped outside Kachin + unmapped + already
    linked (:attr:`balanced`): no row is dropped silently.

    Attributes
    ----------
    imported : list of dict
        ``row``, ``external_id`` and the temporary ``event_id`` of each imported event.
    skipped_outside : int
        Rows whose point lies outside Kachin State.
    unmapped : list of dict
        Kachin rows that could not be mapped: ``row``, ``external_id``, ``reason`` (a
        short code) and ``message``.
    already_linked : list of dict
        Rows whose id the repository already links: ``row``, ``external_id``, ``event_id``.
    candidate_links : list of dict
        Imported events that may be events of ours: ``row``, ``external_id``,
        ``event_id`` (temporary) and ``candidate`` (ours), for a reviewer.
    actors_not_matched, places_not_matched : dict of str to int
        Names with no match, and the number of rows that use each.
    warnings : list of dict
        ``row``, ``external_id`` and ``message``.
    """

    dataset: str
    dataset_version: str
    file: str
    output: str | None = None
    rows_read: int = 0
    imported: list[dict] = field(default_factory=list)
    skipped_outside: int = 0
    unmapped: list[dict] = field(default_factory=list)
    already_linked: list[dict] = field(default_factory=list)
    candidate_links: list[dict] = field(default_factory=list)
    actors_not_matched: Counter = field(default_factory=Counter)
    places_not_matched: Counter = field(default_factory=Counter)
    warnings: list[dict] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)

    @property
    def balanced(self) -> bool:
        """True when every row read is accounted for."""
        return self.rows_read == (len(self.imported) + self.skipped_outside + len(self.unmapped)
                                  + len(self.already_linked))

    def _unmapped_rows(self) -> list[dict]:
        return sorted(self.unmapped, key=lambda u: u["row"])

    def unmapped_by_reason(self) -> dict[str, int]:
        return dict(sorted(Counter(u["reason"] for u in self.unmapped).items()))

    def to_dict(self) -> dict:
        return {
            "dataset": self.dataset, "dataset_version": self.dataset_version, "file": self.file,
            "output": self.output, "rows_read": self.rows_read, "imported": len(self.imported),
            "skipped_outside_kachin": self.skipped_outside, "unmapped": len(self.unmapped),
            "unmapped_by_reason": self.unmapped_by_reason(), "already_linked": len(self.already_linked),
            "candidate_links": len(self.candidate_links),
            "actors_not_matched": dict(self.actors_not_matched.most_common()),
            "places_not_matched": dict(self.places_not_matched.most_common()),
            "balanced": self.balanced,
            "rows": {"imported": self.imported, "unmapped": self._unmapped_rows(),
                     "already_linked": self.already_linked,
                     "candidate_links": self.candidate_links},
            "warnings": self.warnings, "notices": self.notices,
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False)

    def _where(self, item: dict) -> str:
        return f"{self.file}:{item['row']} ({item['external_id'] or 'no id'})"

    def to_text(self) -> str:
        lines = [f"Import of {self.file} ({self.dataset_version}, dataset {self.dataset}):",
                 f"  rows read: {self.rows_read}",
                 f"  imported: {len(self.imported)}" + (f" -> {self.output}/" if self.output else " (nothing written)"),
                 f"  skipped (point outside Kachin State): {self.skipped_outside}",
                 f"  unmapped: {len(self.unmapped)}"]
        for reason, n in self.unmapped_by_reason().items():
            lines.append(f"    {reason}: {n}")
        lines += [f"    {self._where(u)}: {u['message']}" for u in self._unmapped_rows()]
        lines.append(f"  already linked: {len(self.already_linked)}")
        lines += [f"    {self._where(a)} is our {a['event_id']}" for a in self.already_linked]
        lines.append(f"  candidate links (for a reviewer; not linked): {len(self.candidate_links)}")
        lines += [f"    {self._where(c)} may be our {c['candidate']}: {c['why']}" for c in self.candidate_links]
        for label, names in (("actors", self.actors_not_matched), ("places", self.places_not_matched)):
            lines.append(f"  {label} not matched: {len(names)}")
            lines += [f"    {name!r}: {n} row{'s' * (n != 1)}" for name, n in names.most_common()]
        if self.warnings:
            lines.append(f"  warnings: {len(self.warnings)}")
            lines += [f"    {self._where(w)}: {w['message']}" for w in self.warnings]
        lines += [f"note: {n}" for n in self.notices]
        return "\n".join(lines)

    # The CLI's text and GitHub forms are the same plain text.
    to_github = to_text


@dataclass
class ImportResult:
    """An import's submission (table -> rows of text cells), its coder's notes and summary."""

    summary: ImportSummary
    tables: dict[str, list[dict]]
    coding_notes: str
    written: bool = False

    def to_text(self) -> str:
        return self.summary.to_text()

    def to_json(self) -> str:
        return self.summary.to_json()


# -- writing ----------------------------------------------------------------------------


def check_output(out, force: bool) -> Path:
    """The output folder, refused early when it exists and ``force`` is not given."""
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise ImportInputError(f"{display_path(out)} is a file; give a folder for the submission")
    if out.exists() and any(out.iterdir()) and not force:
        msg = f"{display_path(out)} already exists and is not empty; give another folder, or --force to replace it"
        raise ImportInputError(msg)
    return out


def write_submission(out, tables: dict[str, list[dict]], coding_notes: str, force: bool = False) -> Path:
    """Write one CSV per table (schema column order) and CODING.md into ``out``, atomically.

    Everything is written into a temporary folder beside ``out`` and moved into place
    with one rename; an existing ``out`` (with ``force``) is replaced only then.
    """
    import os
    import shutil
    import tempfile

    from ..schema import get_schema
    from ..tablefiles import csv_bytes

    out = check_output(out, force)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}-import-", dir=out.parent))
    except OSError as exc:
        raise ImportInputError(f"{display_path(out)}: the folder cannot be made ({exc})") from None
    old = None
    try:
        for table, rows in tables.items():
            names = get_schema(table).field_names
            cells = ([_text(r.get(n)) for n in names] for r in rows)
            (tmp / f"{table}.csv").write_bytes(csv_bytes(names, cells))
        (tmp / "CODING.md").write_text(coding_notes, encoding="utf-8")
        if out.exists():
            old = out.with_name(f".{out.name}-replaced-{tmp.name[-8:]}")
            os.replace(out, old)
        os.replace(tmp, out)
    except BaseException as exc:
        if old is not None and not out.exists():
            os.replace(old, out)
        shutil.rmtree(tmp, ignore_errors=True)
        if isinstance(exc, OSError):
            raise ImportInputError(f"{display_path(out)}: the submission cannot be written ({exc}); nothing was "
                                   "written") from None
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
    return out


def _text(value) -> str:
    from ..tablefiles import format_cell

    if value is None:
        return ""
    if isinstance(value, bool):
        return format_cell(value, "boolean")
    if isinstance(value, float):
        return format_cell(value, "number")
    return str(value)
