"""The Table Schemas in ``schemas/``: loading them, and what is derived from them.

``schemas/`` is the one source of truth for tables, fields, types, constraints and
vocabularies. Everything here reads those files; nothing restates a field list.
The pandera schemas are built from them by :func:`pandera_schema`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from . import _paths

#: Tables in dependency order: a table only references tables before it (or itself).
TABLES = (
    "locations",
    "location_aliases",
    "actors",
    "actor_aliases",
    "claimants",
    "sources",
    "events",
    "event_sources",
    "event_actors",
    "event_tags",
    "external_events",
    "corrections",
    "retractions",
)


@dataclass(frozen=True)
class Field:
    """One field of a Table Schema, as written in ``schemas/``."""

    name: str
    type: str
    title: str
    description: str
    constraints: dict[str, Any] = field(default_factory=dict)
    categories: tuple[dict[str, Any], ...] = ()
    format: str | None = None

    @property
    def required(self) -> bool:
        return bool(self.constraints.get("required"))

    @property
    def enum(self) -> list[Any] | None:
        return self.constraints.get("enum")


@dataclass(frozen=True)
class TableSchema:
    """A table's schema: its fields, keys and the raw descriptor."""

    name: str
    description: str
    fields: tuple[Field, ...]
    primary_key: tuple[str, ...]
    foreign_keys: tuple[dict[str, Any], ...]
    descriptor: dict[str, Any]
    path: Path

    @property
    def field_names(self) -> list[str]:
        return [f.name for f in self.fields]

    def field(self, name: str) -> Field:
        for f in self.fields:
            if f.name == name:
                return f
        msg = f"table {self.name!r} has no field {name!r}"
        raise KeyError(msg)


def _parse(path: Path) -> TableSchema:
    desc = json.loads(path.read_text(encoding="utf-8"))
    fields = tuple(
        Field(
            name=f["name"],
            type=f.get("type", "string"),
            title=f.get("title", f["name"]),
            description=f.get("description", ""),
            constraints=dict(f.get("constraints", {})),
            categories=tuple(f.get("categories", ())),
            format=f.get("format"),
        )
        for f in desc["fields"]
    )
    pk = desc.get("primaryKey", [])
    return TableSchema(
        name=desc.get("name", path.stem),
        description=desc.get("description", ""),
        fields=fields,
        primary_key=tuple([pk] if isinstance(pk, str) else pk),
        foreign_keys=tuple(desc.get("foreignKeys", [])),
        descriptor=desc,
        path=path,
    )


@lru_cache(maxsize=None)
def load_schemas(folder: str | None = None) -> dict[str, TableSchema]:
    """Load every Table Schema, keyed by table name.

    Parameters
    ----------
    folder : str, optional
        A folder of schema files; by default the package's own ``schemas/``.

    Examples
    --------
    >>> schemas = load_schemas()
    >>> schemas["events"].primary_key
    ('event_id',)
    >>> "fatalities_best" in schemas["events"].field_names
    True
    """
    base = Path(folder) if folder else _paths.schema_dir()
    out = {}
    for name in TABLES:
        out[name] = _parse(base / f"{name}.json")
    return out


def get_schema(table: str) -> TableSchema:
    """The schema of one table.

    Examples
    --------
    >>> get_schema("events").field("date_precision").enum
    ['day', 'days', 'week', 'month', 'year']
    """
    schemas = load_schemas()
    if table not in schemas:
        msg = f"unknown table {table!r}; the tables are: {', '.join(TABLES)}"
        raise KeyError(msg)
    return schemas[table]


def sub_event_types() -> dict[str, str]:
    """Map each ACLED sub-event type to its event type, from the events schema.

    Examples
    --------
    >>> sub_event_types()["Air/drone strike"]
    'Explosions/Remote violence'
    >>> len(sub_event_types())
    25
    """
    f = get_schema("events").field("sub_event_type")
    return {c["value"]: c["event_type"] for c in f.categories}
