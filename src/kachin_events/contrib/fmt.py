"""Rewriting a data package's files in canonical form: what ``kachin-events fmt`` does.

Every data file a ``datapackage.json`` lists is read, typed by its table's schema and
compared with its canonical text (:mod:`kachin_events.contrib.canonical`). Only the
layout changes: column order, row order, line ends, byte-order mark, quoting, the
spelling of numbers, dates and booleans, and text put in Unicode NFC (the same
characters, composed: ``e`` and a combining accent become ``é``). A file whose cells
do not type, or that has columns the schema lacks, is never rewritten:
:func:`format_package` then changes nothing at all and says to run
``kachin-events validate`` first. The ``datapackage.json`` itself is left as it is.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .. import _paths
from ..validation.findings import ERROR
from ..validation.read import UnreadableError, display_path, read_file
from ..schema import get_schema
from .canonical import atomic_write_all, frame_text, normal_text

BOM = b"\xef\xbb\xbf"


class FmtRefusedError(ValueError):
    """The data does not type, so it cannot be formatted; nothing was changed.

    Attributes
    ----------
    problems : list of Finding
        Every error that stops formatting (cells that do not type, unknown columns).
    """

    def __init__(self, message: str, problems: list):
        super().__init__(message)
        self.problems = problems


@dataclass
class FileChange:
    """A data file that is not in canonical form, and why."""

    path: Path
    shown: str
    table: str
    reasons: list[str]

    def to_text(self) -> str:
        return f"{self.shown}: {'; '.join(self.reasons)}"


@dataclass
class FmtResult:
    """What :func:`format_package` found (and, unless checking, rewrote).

    Attributes
    ----------
    package : pathlib.Path
        The ``datapackage.json``.
    files : list of FileChange
        The data files that differ from their canonical form.
    checked : int
        How many data files were read.
    check : bool
        True when nothing was written (``--check``).
    """

    package: Path
    files: list[FileChange] = field(default_factory=list)
    checked: int = 0
    check: bool = False

    @property
    def changed(self) -> bool:
        """True when some file differs from (or, unless checking, was rewritten in) canonical form."""
        return bool(self.files)

    @property
    def exit_code(self) -> int:
        """0 when every file is canonical or was rewritten, 1 when checking found a difference."""
        return 1 if (self.check and self.files) else 0

    def to_text(self) -> str:
        verb = "differs" if self.check else "reformatted"
        lines = [f"{verb}: {f.to_text()}" for f in self.files]
        if not self.files:
            lines.append(f"all {self.checked} data files are in canonical form")
        elif self.check:
            lines.append(f"{len(self.files)} of {self.checked} data files are not in canonical form; "
                         "run `kachin-events fmt` to rewrite them (it changes the layout only)")
        else:
            lines.append(f"reformatted {len(self.files)} of {self.checked} data files")
        return "\n".join(lines)


def _resolve(package) -> Path:
    if package is None:
        found = _paths.find_package()
        if found is None:
            msg = ("no datapackage.json here or in any parent folder; run this in the repository "
                   "or give the datapackage.json to format")
            raise UnreadableError(".", msg)
        return found
    path = Path(package)
    if path.is_dir():
        path = path / "datapackage.json"
    if not path.is_file():
        raise UnreadableError(display_path(path), "does not exist; give a datapackage.json or the folder holding it")
    return path


def _reasons(data: bytes, raw, findings, frame, table: str, text: str) -> list[str]:
    """Cheap one-line reasons why a file's bytes differ from its canonical text."""
    from ..tablefiles import format_cell, inline_schema, sorted_rows

    out = []
    if data.startswith(BOM):
        out.append("starts with a byte-order mark (BOM)")
    if b"\r\n" in data:
        out.append("CRLF line endings")
    if data and not data.endswith(b"\n"):
        out.append("no newline at the end")
    rules = {f.rule for f in findings}
    if "column-order" in rules:
        out.append("columns out of order")
    missing = [f.field for f in findings if f.rule == "missing-column"]
    if missing:
        out.append(f"missing column{'s' if len(missing) > 1 else ''} {', '.join(missing)} (added, empty)")
    if "blank-row" in rules:
        out.append("blank rows")
    schema = inline_schema(table)
    names = [f["name"] for f in schema["fields"]]
    if frame.select(names).rows() != sorted_rows(frame, schema):
        out.append("rows not sorted by " + ", ".join(get_schema(table).primary_key))
    types = [f["type"] if "type" in f else "string" for f in schema["fields"]]
    respelled, composed = [], []
    for i, (cells, typed) in enumerate(zip(raw.rows, frame.select(names).rows())):
        for name, cell, value, type_ in zip(names, cells, typed, types):
            canon = format_cell(value, type_)
            if (cell or "") != canon:
                respelled.append((raw.lines[i], name, cell, canon))
            elif type_ == "string" and normal_text(canon) != canon:
                composed.append((raw.lines[i], name))
    if respelled:
        line, name, cell, canon = respelled[0]
        more = f", and {len(respelled) - 1} more cells" if len(respelled) > 1 else ""
        out.append(f"values spelled differently (line {line}, {name}: {cell!r} is written {canon!r}{more})")
    if composed:
        line, name = composed[0]
        more = f", and {len(composed) - 1} more cells" if len(composed) > 1 else ""
        out.append(f"text not in Unicode NFC (line {line}, {name}{more}): composed, it looks the same")
    if not out and data != text.encode("utf-8"):
        out.append("quoting or separators")
    return out


def _refusal(problems: list) -> FmtRefusedError:
    shown = [f"  {p.file}, line {p.row}, field {p.field}: value {p.value!r} {p.message}"
             if p.row is not None else f"  {p.file}: {p.message}" for p in problems[:10]]
    if len(problems) > 10:
        shown.append(f"  ... and {len(problems) - 10} more")
    msg = ("the data has errors that formatting cannot fix, so no file was changed; "
           "run `kachin-events validate` first, fix what it reports, then run `kachin-events fmt` again:\n"
           + "\n".join(shown))
    return FmtRefusedError(msg, problems)


def format_package(package: str | Path | None = None, check: bool = False) -> FmtResult:
    """Rewrite every data file of a data package in canonical form (layout only).

    Parameters
    ----------
    package : path, optional
        A ``datapackage.json`` or the folder holding one; by default the nearest one
        in the current folder or its parents.
    check : bool
        When True, change nothing: only report the files that differ.

    Returns
    -------
    FmtResult
        The files that differed, each with one-line reasons; unless ``check``, they
        have been rewritten (each atomically).

    Raises
    ------
    FmtRefusedError
        (a ValueError) when a cell does not type or a file has an unknown, duplicate
        or missing required column: run ``kachin-events validate`` first. Nothing is
        changed.
    UnreadableError
        When the package or a data file cannot be read.

    Examples
    --------
    Check, without writing, that the repository's files are canonical (run from its root folder):

    >>> import kachin_events
    >>> result = kachin_events.format_package("datapackage.json", check=True)
    >>> result.check, result.checked > 10
    (True, True)
    """
    from ..extras import require

    require("kachin_events.format_package()")
    from ..validation.coerce import coerce
    from ..validation import package_resources

    path = _resolve(package)
    result = FmtResult(package=path, check=check)
    problems = []
    pending: list[tuple[FileChange, str]] = []
    seen = set()
    for table, files in package_resources(path).items():
        schema = get_schema(table)
        for file in files:
            if file.resolve() in seen:
                continue
            seen.add(file.resolve())
            shown = display_path(file)
            parts, findings = read_file(file, shown, table=table)
            data = file.read_bytes()
            result.checked += 1
            errors = [f for f in findings if f.severity == ERROR]
            raw = parts[table]
            frame, type_findings, _ = coerce(raw, schema)
            errors += type_findings
            if errors:
                problems += errors
                continue
            text = frame_text(table, frame)
            if data != text.encode("utf-8"):
                change = FileChange(file, shown, table, _reasons(data, raw, findings, frame, table, text))
                pending.append((change, text))
    if problems:
        raise _refusal(problems)
    result.files = [change for change, _ in pending]
    if not check:
        atomic_write_all((change.path, text.encode("utf-8")) for change, text in pending)
    return result
