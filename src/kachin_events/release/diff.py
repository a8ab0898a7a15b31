"""What changed between two releases, and which version bump that needs.

:func:`diff_releases` compares two release folders (or two version numbers in a folder
of releases): events added, retired, removed and changed (with each changed field's old
and new value), rows added, removed and changed in the other tables, and schema changes
per table. A removed event that the new release's ``retractions`` table records is
*retired*, with its reason; the rows of ``retractions`` and ``corrections`` that the old
release did not have are listed with their reasons (``ReleaseDiff.retirements`` and
``ReleaseDiff.corrections``). :func:`required_bump` applies the rules of
:mod:`kachin_events.release.semver` to it. A :class:`ReleaseDiff` prints as text, JSON or
Markdown (:mod:`kachin_events.release.notes`); the Markdown is the release notes that
``kachin-events build`` writes to ``CHANGELOG.md``.

Releases are compared by their CSV files and the schemas inlined in their
``datapackage.json``, never by the current package's schemas: an old release is read
with the columns it had.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from . import notes
from .layout import DESCRIPTOR, is_table_resource, resolve_release  # noqa: F401 - resolve_release is used from here too
from .semver import bump_rank

# -- reading releases ------------------------------------------------------------------


@dataclass
class TableData:
    """One table of a release: its Table Schema and its rows as CSV text (None = empty)."""

    name: str
    schema: dict
    header: list[str]
    rows: list[tuple]

    @property
    def key(self) -> tuple[str, ...]:
        pk = self.schema.get("primaryKey") or []
        return tuple([pk] if isinstance(pk, str) else pk)


@dataclass
class ReleaseData:
    """The tables of one release (or of data about to be released)."""

    version: str | None
    created: str | None = None
    tables: dict[str, TableData] = field(default_factory=dict)


def read_csv_text(path: Path) -> tuple[list[str], list[tuple]]:
    """A release CSV file as its header and rows of text cells (None for empty cells).

    Raises
    ------
    ValueError
        When the file cannot be read as UTF-8 CSV, or is empty.
    """
    from ..extras import missing

    if missing("polars"):
        # The light install has neither pyarrow nor polars, which the validator's reader uses.
        from ..pandas_tables import read_csv_cells

        return read_csv_cells(path)
    from ..validation.csvfile import read_csv_text as read
    from ..validation.read import UnreadableError

    try:
        text = read(Path(path), str(path))
    except UnreadableError as exc:
        raise ValueError(str(exc)) from None
    if not text.header and not len(text.lines):
        msg = f"{path}: the file is empty; a release CSV file has at least its header row"
        raise ValueError(msg)
    names = [str(i) for i in range(len(text.header))]
    rows = text.frame.select(names).rows() if names else [()] * len(text.lines)
    return list(text.header), [tuple(text.long_rows.get(i, r)) for i, r in enumerate(rows)]


def load_release(folder: str | Path, tables=None) -> ReleaseData:
    """Read a release folder's tables (its ``csv/`` resources and their inline schemas).

    Parameters
    ----------
    folder : path
        The release folder.
    tables : iterable of str, optional
        Read only these tables (those the release has); by default every one.

    Raises
    ------
    FileNotFoundError
        When the folder has no ``datapackage.json``.
    ValueError
        When the descriptor is not JSON or a CSV file cannot be read.
    """
    folder = Path(folder)
    desc_path = folder / DESCRIPTOR
    if not desc_path.is_file():
        msg = f"{folder} is not a release: it has no {DESCRIPTOR}"
        raise FileNotFoundError(msg)
    desc = json.loads(desc_path.read_text(encoding="utf-8"))
    wanted = None if tables is None else set(tables)
    data = ReleaseData(version=desc.get("version"), created=desc.get("created"))
    for res in desc.get("resources", []):
        if not is_table_resource(res) or (wanted is not None and res.get("name") not in wanted):
            continue
        header, rows = read_csv_text(folder / res["path"])
        data.tables[res["name"]] = TableData(res["name"], res["schema"], header, rows)
    return data


# -- the diff -----------------------------------------------------------------------------


@dataclass(frozen=True)
class SchemaChange:
    """One change to a table's schema, and the bump it needs."""

    table: str
    field: str | None
    kind: str
    detail: str
    bump: str


@dataclass
class TableDiff:
    """Rows added, removed and changed in one table, identified by its primary key."""

    table: str
    key: tuple[str, ...]
    added: list[tuple] = field(default_factory=list)
    removed: list[tuple] = field(default_factory=list)
    #: key -> {field: (old value, new value)}, values typed by the schema.
    changed: dict[tuple, dict[str, tuple]] = field(default_factory=dict)
    new_rows: int = 0

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed)


@dataclass
class ReleaseDiff:
    """Everything that differs between two releases.

    ``old`` is None for a first release, which is compared with nothing.
    """

    old: str | None
    new: str | None
    tables: dict[str, TableDiff] = field(default_factory=dict)
    schema: list[SchemaChange] = field(default_factory=list)
    #: Rows of ``retractions`` new since the old release (every row, for a first release),
    #: as dicts of text cells (None = empty), by event_id.
    retirements: list[dict] = field(default_factory=list)
    #: Rows of ``corrections`` new since the old release, likewise.
    corrections: list[dict] = field(default_factory=list)

    @property
    def events(self) -> TableDiff:
        return self.tables.get("events") or TableDiff("events", ("event_id",))

    @property
    def retired(self) -> list[tuple]:
        """The removed events that a retractions row of the new release accounts for."""
        ids = {r.get("event_id") for r in self.retirements}
        return [k for k in self.events.removed if k[0] in ids]

    @property
    def unrecorded(self) -> list[tuple]:
        """The removed events that no new retractions row accounts for."""
        retired = set(self.retired)
        return [k for k in self.events.removed if k not in retired]

    def required_bump(self) -> str | None:
        return required_bump(self)

    def bump_reasons(self) -> list[tuple[str, str]]:
        return bump_reasons(self)

    def to_dict(self) -> dict:
        return notes.to_dict(self)

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False)

    def to_text(self) -> str:
        return notes.to_text(self)

    def to_markdown(self, created: str | None = None) -> str:
        return notes.to_markdown(self, created)


def _typed(value: str | None, type_: str):
    """A CSV cell as the JSON value its Table Schema type implies."""
    if value is None:
        return None
    try:
        if type_ == "integer":
            return int(value)
        if type_ == "number":
            return float(value)
    except ValueError:
        return value
    if type_ == "boolean":
        return {"true": True, "false": False}.get(value, value)
    return value


def _fields(schema: dict) -> dict[str, dict]:
    return {f["name"]: f for f in schema.get("fields", [])}


def _diff_rows(table: str, old: TableData | None, new: TableData | None) -> TableDiff:
    ref = new or old
    key = ref.key
    both = [k for k in key if old is None or new is None or (k in old.header and k in new.header)]
    if len(both) != len(key) or not key:
        key = tuple(ref.header)  # no usable key: a row is identified by all of it
    out = TableDiff(table, key, new_rows=len(new.rows) if new else 0)

    def index(data: TableData | None) -> dict[tuple, dict]:
        if data is None:
            return {}
        pos = [data.header.index(k) if k in data.header else None for k in key]
        rows = {}
        for r in data.rows:
            rows[tuple(r[p] if p is not None else None for p in pos)] = dict(zip(data.header, r))
        return rows

    a, b = index(old), index(new)
    out.added = sorted((k for k in b if k not in a), key=_sort_key)
    out.removed = sorted((k for k in a if k not in b), key=_sort_key)
    if old is None or new is None:
        return out
    types = {n: f.get("type", "string") for n, f in _fields(new.schema).items()}
    common = [h for h in new.header if h in old.header and h not in key]
    for k in sorted((k for k in b if k in a), key=_sort_key):
        ra, rb = a[k], b[k]
        fields = {f: (_typed(ra[f], types.get(f, "string")), _typed(rb[f], types.get(f, "string")))
                  for f in common if ra[f] != rb[f]}
        if fields:
            out.changed[k] = fields
    return out


def _sort_key(key: tuple) -> tuple:
    return tuple("" if v is None else v for v in key)


def _enum_change(table, name, old_c, new_c) -> list[SchemaChange]:
    out = []
    old_e, new_e = old_c.get("enum"), new_c.get("enum")
    if old_e == new_e:
        return out
    if old_e is None or new_e is None:
        what = "allowed values are no longer restricted" if new_e is None else "allowed values are now restricted"
        return [SchemaChange(table, name, "constraints", f"{name}: {what}", "major")]
    gone = [v for v in old_e if v not in new_e]
    new = [v for v in new_e if v not in old_e]
    if gone:
        out.append(SchemaChange(table, name, "enum-removed",
                                f"{name}: allowed values removed: {', '.join(map(repr, gone))}", "major"))
    if new:
        out.append(SchemaChange(table, name, "enum-added",
                                f"{name}: allowed values added: {', '.join(map(repr, new))}", "minor"))
    return out


def _category_changes(table, name, old_f, new_f) -> list[SchemaChange]:
    def by_value(f):
        cats = [c if isinstance(c, dict) else {"value": c} for c in f.get("categories", [])]
        return {json.dumps(c.get("value"), ensure_ascii=False): c for c in cats}

    a, b = by_value(old_f), by_value(new_f)
    out = []
    gone = [k for k in a if k not in b]
    new = [k for k in b if k not in a]
    if gone:
        out.append(SchemaChange(table, name, "categories-removed", f"{name}: categories removed: {', '.join(gone)}",
                                "major"))
    if new:
        out.append(SchemaChange(table, name, "categories-added", f"{name}: categories added: {', '.join(new)}",
                                "minor"))
    for k in a:
        if k in b and a[k] != b[k]:
            keys = sorted(x for x in set(a[k]) | set(b[k]) if a[k].get(x) != b[k].get(x))
            # A reworded label is a correction; a changed mapping (acled_time_precision,
            # event_type ...) changes what the value means.
            bump = "patch" if set(keys) <= {"label", "description"} else "major"
            out.append(SchemaChange(table, name, "category-changed",
                                    f"{name}: category {k} changed ({', '.join(keys)})", bump))
    return out


def _field_changes(table: str, name: str, old_f: dict, new_f: dict) -> list[SchemaChange]:
    out = []
    if old_f.get("type", "string") != new_f.get("type", "string"):
        out.append(SchemaChange(table, name, "type",
                                f"{name}: type {old_f.get('type', 'string')} -> {new_f.get('type', 'string')}",
                                "major"))
    if old_f.get("format") != new_f.get("format"):
        out.append(SchemaChange(table, name, "format",
                                f"{name}: format {old_f.get('format')!r} -> {new_f.get('format')!r}", "major"))
    old_c, new_c = dict(old_f.get("constraints", {})), dict(new_f.get("constraints", {}))
    out += _enum_change(table, name, old_c, new_c)
    for c in sorted((set(old_c) | set(new_c)) - {"enum"}):
        if old_c.get(c) != new_c.get(c):
            out.append(SchemaChange(table, name, "constraints",
                                    f"{name}: constraint {c} {old_c.get(c)!r} -> {new_c.get(c)!r}", "major"))
    out += _category_changes(table, name, old_f, new_f)
    done = {"name", "type", "format", "constraints", "categories"}
    for k in sorted((set(old_f) | set(new_f)) - done):
        if old_f.get(k) != new_f.get(k):
            # Titles, descriptions and other annotations: wording, not meaning.
            out.append(SchemaChange(table, name, "annotation", f"{name}: {k} changed", "patch"))
    return out


def schema_changes(table: str, old: dict | None, new: dict | None) -> list[SchemaChange]:
    """The changes from one Table Schema descriptor to another, each with its bump.

    Examples
    --------
    >>> a = {"fields": [{"name": "id"}, {"name": "n", "type": "integer"}]}
    >>> b = {"fields": [{"name": "id"}, {"name": "m", "type": "integer"}]}
    >>> [(c.kind, c.field, c.bump) for c in schema_changes("t", a, b)]
    [('field-removed', 'n', 'major'), ('field-added', 'm', 'minor')]
    """
    if old is None and new is None:
        return []
    if old is None:
        return [SchemaChange(table, None, "table-added", f"table {table} added", "minor")]
    if new is None:
        return [SchemaChange(table, None, "table-removed", f"table {table} removed", "major")]
    a, b = _fields(old), _fields(new)
    out = [SchemaChange(table, n, "field-removed", f"column {n} removed", "major") for n in a if n not in b]
    out += [SchemaChange(table, n, "field-added", f"column {n} added", "minor") for n in b if n not in a]
    common_old = [n for n in a if n in b]
    common_new = [n for n in b if n in a]
    if common_old != common_new:
        out.append(SchemaChange(table, None, "order", "the order of the columns changed", "major"))
    for n in common_new:
        out += _field_changes(table, n, a[n], b[n])
    for k in ("primaryKey", "foreignKeys", "missingValues"):
        if old.get(k) != new.get(k):
            out.append(SchemaChange(table, None, "keys", f"{k} changed: {old.get(k)} -> {new.get(k)}", "major"))
    for k in sorted((set(old) | set(new)) - {"fields", "primaryKey", "foreignKeys", "missingValues", "$schema"}):
        if old.get(k) != new.get(k):
            out.append(SchemaChange(table, None, "annotation", f"table {k} changed", "patch"))
    return out


def diff_data(old: ReleaseData | None, new: ReleaseData) -> ReleaseDiff:
    """Compare two releases already read (``old`` None for a first release)."""
    out = ReleaseDiff(old.version if old else None, new.version)
    names = list(new.tables) + [t for t in (old.tables if old else {}) if t not in new.tables]
    for name in names:
        a = old.tables.get(name) if old else None
        b = new.tables.get(name)
        if old is not None:
            out.schema += schema_changes(name, a.schema if a else None, b.schema if b else None)
        out.tables[name] = _diff_rows(name, a, b)
    out.retirements = _added_rows(out, new, "retractions")
    out.corrections = _added_rows(out, new, "corrections")
    return out


def _added_rows(diff: ReleaseDiff, new: ReleaseData, table: str) -> list[dict]:
    """The new release's rows of ``table`` that the diff counts as added, as dicts."""
    data, changes = new.tables.get(table), diff.tables.get(table)
    if data is None or changes is None:
        return []
    pos = [data.header.index(k) if k in data.header else None for k in changes.key]
    rows = {tuple(r[p] if p is not None else None for p in pos): dict(zip(data.header, r)) for r in data.rows}
    return [rows[k] for k in changes.added if k in rows]


def diff_releases(old: str | Path | None, new: str | Path, releases: str | Path | None = None) -> ReleaseDiff:
    """Compare two releases, given as folders or as version numbers in ``releases``.

    Parameters
    ----------
    old, new : str or Path
        Release folders (holding a ``datapackage.json``), or version numbers such as
        ``"0.1.0"`` looked up in ``releases``. ``old`` may be None for a first release.
    releases : str or Path, optional
        The folder of releases that version numbers are looked up in.

    Examples
    --------
    >>> import tempfile, kachin_events.release.build as b
    >>> with tempfile.TemporaryDirectory() as d:
    ...     _ = b.build_release("0.1.0", d)
    ...     d = diff_releases("0.1.0", "0.1.0", releases=d)
    >>> d.required_bump() is None, len(d.events.added)
    (True, 0)
    """
    new_data = load_release(resolve_release(new, releases))
    old_data = load_release(resolve_release(old, releases)) if old is not None else None
    return diff_data(old_data, new_data)


#: Tables whose added rows only record changed values: adding one is a patch.
PATCH_TABLES = ("corrections",)


def bump_reasons(diff: ReleaseDiff) -> list[tuple[str, str]]:
    """Why a release needs a bump: (bump, reason) pairs, largest bump first."""
    out = [(c.bump, f"{c.table}: {c.detail}") for c in diff.schema]
    if diff.old is not None:
        for t in diff.tables.values():
            what = "events" if t.table == "events" else f"{t.table} rows"
            if t.added:
                bump = "patch" if t.table in PATCH_TABLES else "minor"
                out.append((bump, f"{len(t.added)} {what} added{_some(t.added)}"))
            removed = t.removed
            if t.table == "events" and diff.retired:
                out.append(("minor", f"{len(diff.retired)} events retired{_some(diff.retired)}"))
                removed = diff.unrecorded
            if removed:
                out.append(("minor", f"{len(removed)} {what} removed{_some(removed)}"))
            if t.changed:
                out.append(("patch", f"{len(t.changed)} {what} changed{_some(list(t.changed))}"))
    return sorted(out, key=lambda p: -bump_rank(p[0]))


def _some(keys: list[tuple], n: int = 5) -> str:
    shown = [notes.key_text(k) for k in keys[:n]]
    more = f" and {len(keys) - n} more" if len(keys) > n else ""
    return f" ({', '.join(shown)}{more})"


def required_bump(diff: ReleaseDiff) -> str | None:
    """The smallest bump the changes allow: ``"major"``, ``"minor"``, ``"patch"`` or None.

    A first release (nothing to compare with) and an unchanged one need no bump. Rows
    added, in any table, need a minor release, and so do rows removed; changed values
    need a patch (see :mod:`kachin_events.release.semver`). Two tables record such changes as
    data, consistently with those rules:

    * a **retirement** (an event removed, and a ``retractions`` row saying why) is a
      minor change, like any removed record: code that worked on the old columns keeps
      working, only counts change. The diff reports the event as *retired*, not merely
      removed.
    * a **correction** (an event's value changed, and a ``corrections`` row recording
      it) stays a patch: rows added to ``corrections`` (:data:`PATCH_TABLES`) only
      record changed values, so they need no more than the change they record.

    Examples
    --------
    >>> d = ReleaseDiff("0.1.0", "0.1.1", tables={"events": TableDiff("events", ("event_id",),
    ...     changed={("KE000001",): {"fatalities_best": (None, 3)}})})
    >>> required_bump(d)
    'patch'
    >>> d.tables["corrections"] = TableDiff("corrections", ("event_id", "corrected_on", "field"),
    ...     added=[("KE000001", "2026-03-01", "fatalities_best")])
    >>> required_bump(d)
    'patch'
    >>> d.tables["events"].added.append(("KE000099",))
    >>> required_bump(d)
    'minor'
    """
    reasons = bump_reasons(diff)
    return reasons[0][0] if reasons else None
