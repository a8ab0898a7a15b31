"""One data table in the codebook: a dense table of its fields, then its vocabularies.

A table gets one row per field (field, type, required, description, allowed values or
range, example) instead of a heading per field; each row carries the field's stable id
(:func:`~kachin_events.codebook.markdown.field_anchor`), so links to a field keep working.
Fields with defined values (``categories`` in the schema) get their own table of values
under the field table, where the definitions have room to wrap; the short ones stand side
by side, and a list of values that an earlier table already defined is linked, not repeated.
Foreign keys link to the target table's field.

Examples
--------
>>> from kachin_events import get_schema
>>> text = render_table(get_schema("event_actors"), anchors=False, level=2)
>>> text.splitlines()[0]
'## event_actors'
"""

from __future__ import annotations

from typing import Callable, Iterable

from ._defaults import rules_or_default, schemas_or_default
from .fields import categories_table, describe_constraints, example_value, mapping_keys, short_type
from .markdown import code, escape_cell, field_anchor, heading_id, markdown_table, values_anchor
from .rule_docs import rule_ref
from .usage_warnings import render_warning_box, warning_marks

#: The order of the codebook: events first, then claims and sources, then the reference
#: tables, then links to other datasets and the corrections; (id, heading, tables).
TABLE_GROUPS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("group-events", "Events", ("events", "event_actors", "event_tags")),
    ("group-claims", "Claims and sources", ("event_sources", "sources", "claimants")),
    ("group-reference", "Reference tables", ("actors", "actor_aliases", "locations", "location_aliases")),
    ("group-links", "Links, corrections and retractions", ("external_events", "corrections", "retractions")),
)

#: Enumerations without definitions up to this many values are listed in the field's row;
#: longer ones get their own table.
INLINE_VALUES = 8
#: A table of values with no ACLED/UCDP columns and up to this many values is narrow: it
#: stands beside the next one (two to a row on a wide screen); longer or wider ones take the row.
NARROW_VALUES = 10


def table_groups(names: Iterable[str]) -> list[tuple[str, str, list[str]]]:
    """:data:`TABLE_GROUPS` for the tables in ``names``; tables in no group come last, under "Other tables".

    Examples
    --------
    >>> [g[1] for g in table_groups(["locations", "events", "new_table"])]
    ['Events', 'Reference tables', 'Other tables']
    """
    names = list(names)
    out = []
    for gid, title, members in TABLE_GROUPS:
        present = [t for t in members if t in names]
        if present:
            out.append((gid, title, present))
    placed = {t for _, _, members in out for t in members}
    rest = [t for t in names if t not in placed]
    if rest:
        out.append(("group-other", "Other tables", rest))
    return out


def _as_list(value) -> list:
    return value if isinstance(value, list) else [value]


def _target(fk: dict, table: str) -> str:
    return fk["reference"].get("resource") or table


def render_keys(schema, *, table_href: Callable[[str], str] | None = None) -> str:
    """Primary key and foreign keys of one table, as a Markdown list."""
    link = table_href or (lambda t: f"#{t}")
    lines = [f"- **Primary key:** {', '.join(code(f) for f in schema.primary_key) or 'none'}"]
    fks = []
    for fk in schema.foreign_keys:
        target = _target(fk, schema.name)
        fks.append(f"{', '.join(code(f) for f in _as_list(fk['fields']))} → [{target}]({link(target)})."
                   f"{', '.join(code(f) for f in _as_list(fk['reference']['fields']))}")
    if fks:
        lines.append("- **Foreign keys** (a non-empty value must exist in the referenced table):")
        lines.extend(f"    - {fk}" for fk in fks)
    else:
        lines.append("- **Foreign keys:** none")
    return "\n".join(lines)


def _references(schema, field_name: str, field_href) -> list[str]:
    """"a `actor_id` of [actors](...)" for each foreign key the field is part of."""
    out = []
    for fk in schema.foreign_keys:
        src = _as_list(fk["fields"])
        if field_name not in src:
            continue
        target = _target(fk, schema.name)
        ref = _as_list(fk["reference"]["fields"])[src.index(field_name)]
        label = code(f"{target}.{ref}")
        out.append(f"an existing [{label}]({field_href(target, ref)})" if field_href else f"an existing {label}")
    return out


def _same_pattern_as_target(schema, field, schemas) -> bool:
    """True when the field is a foreign key to a field with the same pattern: "an existing X" says it all."""
    pattern = field.constraints.get("pattern")
    if not pattern or schemas is None:
        return False
    for fk in schema.foreign_keys:
        src = _as_list(fk["fields"])
        if field.name not in src:
            continue
        target = schemas.get(_target(fk, schema.name))
        ref = _as_list(fk["reference"]["fields"])[src.index(field.name)]
        if target is not None and ref in target.field_names and target.field(ref).constraints.get("pattern") == pattern:
            return True
    return False


def _allowed(schema, field, *, anchors: bool, field_href, schemas=None) -> str:
    parts = [c for c in describe_constraints(field, whole=False) if not c.startswith("one of:")]
    if _same_pattern_as_target(schema, field, schemas):
        parts = [c for c in parts if not c.startswith("matches ")]
    parts += _references(schema, field.name, field_href)
    if field.enum:
        n = len(field.enum)
        if field.categories or n > INLINE_VALUES:
            where = f"[{n} values, each defined](#{values_anchor(schema.name, field.name)})" if anchors \
                else f"{n} values, each defined in its table"
            parts.append(f"one of {where}")
        else:
            parts.append("one of " + ", ".join(code(v) for v in field.enum))
    elif field.categories:
        where = f"[codes defined](#{values_anchor(schema.name, field.name)})" if anchors else "codes defined"
        parts.append(where)
    return "; ".join(parts)


def _required(schema, field) -> str:
    if field.name in schema.primary_key:
        return "key"
    return "yes" if field.required else "no"


def _field_cell(schema, field, anchors: bool) -> str:
    if not anchors:
        return code(field.name)
    anchor = field_anchor(schema.name, field.name)
    return f'<a class="ke-field" id="{anchor}" href="#{anchor}"><code>{field.name}</code></a>'


def render_fields_table(schema, *, rules: Iterable = (), anchors: bool = True, frame=None,
                        tables: dict | None = None, rule_href: Callable[[str], str] | None = None,
                        field_href: Callable[[str, str], str] | None = None, schemas: dict | None = None) -> str:
    """The dense table of one table's fields: one row each, with an example when ``frame`` is given.

    ``schemas`` (default: the package's) are the tables foreign keys point to: a key field with
    the same pattern as its target is described as "an existing ..." alone.
    """
    with_example = frame is not None
    schemas = schemas_or_default(schemas)
    header = ["Field", "Type", "Required", "Description", "Allowed values or range",
              *(["Example"] if with_example else [])]
    rows = []
    for f in schema.fields:
        desc = [escape_cell(f.description or "(no description)")]
        own = [r for r in rules if r.table == schema.name and r.field == f.name]
        if own:
            desc.append("Checked by " + ", ".join(rule_ref(r.id, rule_href) for r in own) + ".")
        marks = warning_marks(schema.name, f.name, tables, anchors=anchors)
        if marks:
            desc.append(marks)
        rows.append([_field_cell(schema, f, anchors), escape_cell(short_type(f)), _required(schema, f),
                     " ".join(desc), _allowed(schema, f, anchors=anchors, field_href=field_href, schemas=schemas),
                     *([example_value(frame, f.name) or "—"] if with_example else [])])
    return markdown_table(header, rows)


def _has_vocabulary(field) -> bool:
    return bool(field.categories or (field.enum and len(field.enum) > INLINE_VALUES))


def render_vocabularies(schema, *, anchors: bool = True, shared: dict | None = None) -> str:
    """The table of values of each field with defined values (or more than a few values).

    ``shared`` (a dict the caller keeps across tables) remembers each list of values
    rendered: a field whose values and definitions are the same as an earlier field's gets a
    line linking there instead of a second table.
    """
    parts = []
    for f in schema.fields:
        if not _has_vocabulary(f):
            continue
        caption = f"**Values of {code(f.name)}** ({escape_cell(f.title)})" if f.title != f.name else \
            f"**Values of {code(f.name)}**"
        key = repr(f.categories or f.enum)
        if shared is not None and key in shared:
            table, name = shared[key]
            where = f"[{code(f'{table}.{name}')}](#{values_anchor(table, name)})" if anchors \
                else code(f"{table}.{name}")
            parts += [f"{caption}: the same values as {where}, defined there."]
            if anchors:
                parts += [f"{{: #{values_anchor(schema.name, f.name)} .ke-vocab-caption }}"]
            parts += [""]
            continue
        if shared is not None:
            shared[key] = (schema.name, f.name)
        narrow = not mapping_keys(f) and len(f.categories or f.enum) <= NARROW_VALUES
        if anchors:
            parts += [f'<div class="ke-vocab{"" if narrow else " ke-vocab-wide"}" markdown>', "", caption,
                      f"{{: #{values_anchor(schema.name, f.name)} .ke-vocab-caption }}", ""]
        else:
            parts += [caption, ""]
        parts += [categories_table(f), ""]
        if anchors:
            parts += ["</div>", ""]
    if anchors and any("ke-vocab" in p and p.startswith("<div") for p in parts):
        parts = ['<div class="ke-vocabs" markdown>', "", *parts, "</div>", ""]
    return "\n".join(parts)


def render_table(schema, *, rules: Iterable | None = None, level: int = 3, anchors: bool = True,
                 rule_href: Callable[[str], str] | None = None,
                 field_href: Callable[[str, str], str] | None = None,
                 tables: dict | None = None, shared: dict | None = None, schemas: dict | None = None) -> str:
    """One table's codebook entry: description, keys, usage warnings, fields, vocabularies.

    Parameters
    ----------
    schema : TableSchema
    rules : sequence of Rule, optional
        Cross-field rules to name beside the fields they check (default: every rule).
    level : int
        The heading level of the table's section.
    anchors : bool
        Give the section and every field row an id, and link within the page.
    rule_href, field_href : callable, optional
        Where a rule and a field link to (default for fields: their rows on this page).
    tables : dict, optional
        The typed tables of the data (``read_tables``): examples and warning counts come from them.
    shared : dict, optional
        Kept by the caller across tables: lists of values already rendered (see
        :func:`render_vocabularies`).
    schemas : dict, optional
        Every table's schema, for the targets of foreign keys (default: the package's).
    """
    rules = rules_or_default(rules)
    if field_href is None and anchors:
        def field_href(t, f):
            return f"#{field_anchor(t, f)}"
    frame = tables.get(schema.name) if tables is not None else None
    size = f" This release's data has {frame.height:,} rows." if frame is not None else ""
    keys = ", ".join(code(f) for f in schema.primary_key) or "none"
    parts = [
        f"{'#' * level} {schema.name}{heading_id(schema.name, anchors)}", "",
        f"{schema.description}{size} **Key:** {keys}.", "",
        render_warning_box(schema.name, tables, anchors=anchors),
        '<div class="ke-fields" markdown>', "",
        render_fields_table(schema, rules=rules, anchors=anchors, frame=frame, tables=tables,
                            rule_href=rule_href, field_href=field_href, schemas=schemas), "",
        "</div>", "",
    ]
    own = [r for r in rules if r.table == schema.name and r.check is not None and not r.field]
    if own:
        parts += [f"Cross-field rules on the whole row: {', '.join(rule_ref(r.id, rule_href) for r in own)}.", ""]
    parts += [render_vocabularies(schema, anchors=anchors, shared=shared)]
    return "\n".join(parts).rstrip() + "\n"
