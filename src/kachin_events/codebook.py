"""The codebook as Markdown, rendered from ``schemas/`` and :data:`~kachin_events.rules.RULES`.

Every function here is pure: it takes schemas and rules (by default the package's own)
and returns Markdown text. Nothing about a field or a rule is written here a second
time; what this module adds by hand is only which of our fields each column of the
ACLED-layout export is made from (:data:`ACLED_SOURCES`), which the schemas do not
carry, and which is checked against the schemas and against the export's own column
list so that it cannot drift. The flat view's columns come from its own schema
(:mod:`kachin_events.flat`). The UCDP GED-layout export keeps its own
(:data:`kachin_events.exports.ucdp.UCDP_SOURCES`).

The documentation site renders its codebook, its list of validation messages and its
CSV templates with these functions, and they work the same from Python.

Examples
--------
>>> from kachin_events import codebook
>>> text = codebook.render_codebook()
>>> "date_precision" in text and "date-precision-span" in text
True
>>> codebook.csv_template("event_tags")
'event_id,tag,detail,quantity,quantity_qualifier\\n'
"""

from __future__ import annotations

import re
from typing import Callable, Iterable

#: Column headings for the mapping keys found in ``categories`` entries.
MAPPING_TITLES = {
    "acled_time_precision": "ACLED time_precision",
    "ucdp_date_prec": "UCDP date_prec",
    "ucdp_where_prec": "UCDP where_prec",
    "event_type": "ACLED event_type",
    "disorder_type": "ACLED disorder_type",
    "hierarchy_rank": "ACLED rank in event type",
}

#: Which of our fields each column of the ACLED-layout export is made from. What the
#: export writes in each column is described by :data:`kachin_events.exports.ACLED_COLUMNS`
#: and what it loses by :data:`kachin_events.exports.ACLED_DIFFERENCES`; the codebook
#: renders both next to this.
ACLED_SOURCES: dict[str, tuple[str, ...]] = {
    "event_id_cnty": ("events.event_id",),
    "event_date": ("events.date_start", "events.date_end", "events.date_precision"),
    "year": ("events.date_start", "events.date_end"),
    "time_precision": ("events.date_precision",),
    "disorder_type": ("events.sub_event_type",),
    "event_type": ("events.event_type",),
    "sub_event_type": ("events.sub_event_type",),
    "actor1": ("events.actor1", "actors.acled_actor_name"),
    "assoc_actor_1": ("event_actors.actor_id", "event_actors.side", "actors.acled_actor_name"),
    "inter1": ("events.actor1", "actors.acled_inter"),
    "actor2": ("events.actor2", "actors.acled_actor_name"),
    "assoc_actor_2": ("event_actors.actor_id", "event_actors.side", "actors.acled_actor_name"),
    "inter2": ("events.actor2", "actors.acled_inter"),
    "interaction": ("actors.acled_inter",),
    "civilian_targeting": ("events.civilian_targeting",),
    "iso": (),
    "region": (),
    "country": (),
    "admin1": ("events.admin1_pcode",),
    "admin2": ("events.admin2_pcode", "locations.name"),
    "admin3": ("events.admin3_pcode", "locations.name"),
    "location": ("events.location",),
    "latitude": ("events.latitude",),
    "longitude": ("events.longitude",),
    "geo_precision": ("events.geo_precision",),
    "source": ("event_sources.source_id", "sources.publisher"),
    "source_scale": ("event_sources.source_id", "sources.source_scale"),
    "notes": ("events.notes",),
    "fatalities": ("events.fatalities_best",),
    "tags": ("event_tags.tag", "event_tags.detail", "event_tags.quantity", "event_tags.quantity_qualifier",
             "events.date_start", "events.date_end", "external_events.external_id"),
    "timestamp": (),
}

# -- small Markdown helpers ----------------------------------------------------------------
def escape_cell(text) -> str:
    """Text safe inside a Markdown table cell (pipes escaped, lines joined).

    Examples
    --------
    >>> escape_cell("a | b\\nc")
    'a \\\\| b c'
    """
    s = "" if text is None else str(text)
    return " ".join(s.split()).replace("|", "\\|")


_esc = escape_cell


def code(text) -> str:
    """``text`` as an inline code span (safe for values holding backticks)."""
    s = str(text)
    fence = "``" if "`" in s else "`"
    pad = " " if s.startswith("`") or s.endswith("`") else ""
    return f"{fence}{pad}{s}{pad}{fence}"


def markdown_table(header: Iterable, rows: Iterable[Iterable]) -> str:
    """A Markdown (pipe) table; cells are used as given, so escape them first.

    Examples
    --------
    >>> print(markdown_table(["a", "b"], [["1", "2"]]))
    | a | b |
    | --- | --- |
    | 1 | 2 |
    """
    header = list(header)
    lines = ["| " + " | ".join(header) + " |", "| " + " | ".join("---" for _ in header) + " |"]
    for row in rows:
        lines.append("| " + " | ".join(str(c) if str(c) != "" else " " for c in row) + " |")
    return "\n".join(lines)


def _anchor(anchor: str | None, anchors: bool) -> str:
    return f" {{#{anchor}}}" if anchors and anchor else ""


def field_anchor(table: str, field: str) -> str:
    """The id of a field's section in the codebook, e.g. ``events-date_precision``."""
    return f"{table}-{field}"


def rule_anchor(rule_id: str) -> str:
    """The id of a rule's section in the contributor guide, e.g. ``rule-date-order``."""
    return f"rule-{rule_id}"


# -- defaults ------------------------------------------------------------------------------
def _schemas(schemas):
    if schemas is not None:
        return schemas
    from .schema import load_schemas

    return load_schemas()


def _rules(rules):
    if rules is not None:
        return tuple(rules)
    from .rules import RULES

    return RULES


# -- fields --------------------------------------------------------------------------------
def describe_type(field) -> str:
    """The field's type as a reader needs it (dates say how they are written).

    Examples
    --------
    >>> from kachin_events import get_schema
    >>> describe_type(get_schema("events").field("date_start"))
    'date (YYYY-MM-DD)'
    """
    extra = {
        "date": "YYYY-MM-DD",
        "boolean": "true or false",
        "integer": "whole number",
        "number": "decimal number",
    }.get(field.type)
    if field.format and field.format != "default":
        extra = f"format {field.format}"
    return f"{field.type} ({extra})" if extra else field.type


def describe_constraints(field) -> list[str]:
    """The field's constraints, each as a short Markdown phrase (``required`` excluded).

    Examples
    --------
    >>> from kachin_events import get_schema
    >>> describe_constraints(get_schema("events").field("event_id"))
    ['unique', 'matches `KE[0-9]{6}` (the whole value)']
    """
    c = field.constraints
    out = []
    if c.get("unique"):
        out.append("unique")
    if "pattern" in c:
        out.append(f"matches {code(c['pattern'])} (the whole value)")
    if "minimum" in c:
        out.append(f"at least {c['minimum']}")
    if "maximum" in c:
        out.append(f"at most {c['maximum']}")
    if "minLength" in c:
        out.append(f"at least {c['minLength']} characters")
    if "maxLength" in c:
        out.append(f"at most {c['maxLength']} characters")
    if "enum" in c:
        out.append("one of: " + ", ".join(code(v) for v in c["enum"]))
    known = {"required", "unique", "pattern", "minimum", "maximum", "minLength", "maxLength", "enum"}
    for key in sorted(set(c) - known):
        out.append(f"{key}: {code(c[key])}")
    return out


def _mapping_keys(field) -> list[str]:
    keys: list[str] = []
    for cat in field.categories:
        for k in cat:
            if k not in ("value", "label") and k not in keys:
                keys.append(k)
    return keys


def categories_table(field) -> str:
    """The field's allowed values with their definitions and mappings (ACLED, UCDP).

    Fields with an ``enum`` but no ``categories`` get the values alone; fields with
    neither give an empty string.
    """
    if field.categories:
        keys = _mapping_keys(field)
        header = ["Value", "Definition", *(MAPPING_TITLES.get(k, k) for k in keys)]
        rows = [
            [code(cat["value"]), _esc(cat.get("label", "")), *(_esc(cat.get(k, "")) for k in keys)]
            for cat in field.categories
        ]
        return markdown_table(header, rows)
    if field.enum:
        return markdown_table(["Value"], [[code(v)] for v in field.enum])
    return ""


def _ref_table(fk: dict, table: str) -> str:
    return fk["reference"].get("resource") or table


def _as_list(value) -> list:
    return value if isinstance(value, list) else [value]


def render_keys(schema, *, table_href: Callable[[str], str] | None = None) -> str:
    """Primary key and foreign keys of one table, as a Markdown list."""
    link = table_href or (lambda t: f"#{t}")
    lines = [f"- **Primary key:** {', '.join(code(f) for f in schema.primary_key) or 'none'}"]
    fks = []
    for fk in schema.foreign_keys:
        src = _as_list(fk["fields"])
        ref = _as_list(fk["reference"]["fields"])
        target = _ref_table(fk, schema.name)
        fks.append(
            f"{', '.join(code(f) for f in src)} → [{target}]({link(target)})."
            f"{', '.join(code(f) for f in ref)}"
        )
    if fks:
        lines.append("- **Foreign keys** (a non-empty value must exist in the referenced table):")
        lines.extend(f"    - {fk}" for fk in fks)
    else:
        lines.append("- **Foreign keys:** none")
    return "\n".join(lines)


def render_field(schema, field, *, level: int = 4, anchors: bool = True,
                 rules: Iterable = (), rule_href: Callable[[str], str] | None = None) -> str:
    """One field's codebook entry: type, required, constraints, description, values."""
    h = "#" * level
    anchor = _anchor(field_anchor(schema.name, field.name), anchors)
    parts = [f"{h} {schema.name}.{field.name}{anchor}", ""]
    if field.title and field.title != field.name:
        parts += [f"*{field.title}*", ""]
    parts += [field.description or "(no description)", ""]
    parts.append(f"- **Type:** {describe_type(field)}")
    parts.append(f"- **Required:** {'yes' if field.required else 'no (may be empty)'}")
    cons = [c for c in describe_constraints(field) if not c.startswith("one of:")]
    if cons:
        parts.append(f"- **Constraints:** {'; '.join(cons)}")
    if field.name in schema.primary_key:
        parts.append("- **Part of the primary key**" if len(schema.primary_key) > 1 else "- **Primary key**")
    for fk in schema.foreign_keys:
        if field.name in _as_list(fk["fields"]):
            target = _ref_table(fk, schema.name)
            parts.append(f"- **Refers to:** {target}.{', '.join(_as_list(fk['reference']['fields']))}")
    field_rules = [r for r in rules if r.table == schema.name and r.field == field.name]
    if field_rules:
        parts.append("- **Cross-field rules:** " + ", ".join(_rule_ref(r.id, rule_href) for r in field_rules))
    table = categories_table(field)
    if table:
        parts += ["", "Allowed values:" if field.enum else "Values:", "", table]
    return "\n".join(parts).rstrip() + "\n"


def _rule_ref(rule_id: str, rule_href) -> str:
    return f"[{code(rule_id)}]({rule_href(rule_id)})" if rule_href else code(rule_id)


def render_table(schema, *, rules: Iterable | None = None, level: int = 2, anchors: bool = True,
                 rule_href: Callable[[str], str] | None = None,
                 table_href: Callable[[str], str] | None = None) -> str:
    """One table's codebook entry: description, keys, a field summary and every field.

    Examples
    --------
    >>> from kachin_events import get_schema
    >>> text = render_table(get_schema("event_actors"), anchors=False)
    >>> text.splitlines()[0]
    '## event_actors'
    """
    rules = _rules(rules)
    h = "#" * level
    field_link = (lambda f: f"#{field_anchor(schema.name, f)}") if anchors else None
    rows = []
    for f in schema.fields:
        name = f"[{code(f.name)}]({field_link(f.name)})" if field_link else code(f.name)
        rows.append([name, _esc(describe_type(f)), "yes" if f.required else "no", _esc(f.title)])
    parts = [
        f"{h} {schema.name}{_anchor(schema.name, anchors)}", "",
        schema.description, "",
        render_keys(schema, table_href=table_href), "",
        markdown_table(["Field", "Type", "Required", "Title"], rows), "",
    ]
    own = [r for r in rules if r.table == schema.name and r.check is not None]
    if own:
        parts += [f"Cross-field rules on this table: {', '.join(_rule_ref(r.id, rule_href) for r in own)}.", ""]
    for f in schema.fields:
        parts += [render_field(schema, f, level=level + 1, anchors=anchors, rules=rules, rule_href=rule_href)]
    return "\n".join(parts).rstrip() + "\n"


# -- rules ---------------------------------------------------------------------------------
def rule_scope(rule) -> str:
    """Where a rule applies, in words.

    Examples
    --------
    >>> from kachin_events.rules import get_rule
    >>> rule_scope(get_rule("date-order"))
    'events.date_end'
    >>> rule_scope(get_rule("enum"))
    'every file and table'
    """
    if rule.table == "*":
        return "every file and table"
    return f"{rule.table}.{rule.field}" if rule.field else rule.table


def render_rules_table(rules: Iterable | None = None, *, rule_href: Callable[[str], str] | None = None) -> str:
    """Every rule in one table: id, where, severity, description and fix."""
    rows = [
        [_rule_ref(r.id, rule_href), _esc(rule_scope(r)), r.severity, _esc(r.description), _esc(r.fix)]
        for r in _rules(rules)
    ]
    return markdown_table(["Rule", "Applies to", "Severity", "What it requires", "How to fix a finding"], rows)


def render_rules_guide(rules: Iterable | None = None, *, level: int = 3, anchors: bool = True,
                       field_href: Callable[[str, str], str] | None = None) -> str:
    """One section per rule id, for contributors: what a finding means and how to fix it.

    Examples
    --------
    >>> text = render_rules_guide(anchors=False)
    >>> "### date-order" in text and "### unreadable" in text
    True
    """
    h = "#" * level
    parts = []
    for r in _rules(rules):
        kind = ("A check of every file and table against its Table Schema, made by both validation engines."
                if r.check is None else "A cross-field check, made on every row of the table.")
        where = rule_scope(r)
        if field_href and r.table != "*" and r.field:
            where = f"[{where}]({field_href(r.table, r.field)})"
        label = "Error: the data is invalid until it is fixed." if r.severity == "error" else \
            "Warning: worth a look; the data stays valid."
        parts += [
            f"{h} {r.id}{_anchor(rule_anchor(r.id), anchors)}", "",
            f"- **Severity:** {label}",
            f"- **Applies to:** {where}. {kind}",
            f"- **What it means:** {r.description}",
            f"- **How to fix it:** {r.fix}", "",
        ]
    return "\n".join(parts).rstrip() + "\n"


# -- ACLED and UCDP ------------------------------------------------------------------------
def check_mapping(columns, schemas=None) -> None:
    """Raise ValueError when a mapping names a table or field the schemas lack."""
    schemas = _schemas(schemas)
    for theirs, ours, _ in columns:
        for ref in ours:
            table, _, fname = ref.partition(".")
            if table not in schemas or fname not in schemas[table].field_names:
                msg = f"the mapping of {theirs!r} names {ref!r}, which is not a field of the schemas"
                raise ValueError(msg)


def _field_refs(ours, field_href) -> str:
    refs = []
    for ref in ours:
        table, _, fname = ref.partition(".")
        refs.append(f"[{code(ref)}]({field_href(table, fname)})" if field_href else code(ref))
    return ", ".join(refs) or "—"


def render_export_columns(columns, sources: dict, schemas=None, *, title: str = "Column",
                          field_href: Callable[[str, str], str] | None = None) -> str:
    """An export's columns (name, type, description), in order, with the fields each is made from.

    ``sources`` maps each column to our fields as ``table.field``. ValueError when the
    columns and ``sources`` name different columns, or a source names a field the schemas lack.
    """
    names = [c[0] for c in columns]
    if set(names) != set(sources):
        msg = f"the export's columns and their sources differ: {sorted(set(names) ^ set(sources))}"
        raise ValueError(msg)
    check_mapping([(n, sources[n], "") for n in names], schemas)
    rows = [[code(name), _esc(typ), _field_refs(sources[name], field_href), _esc(desc)]
            for name, typ, desc in columns]
    return markdown_table([title, "Type", "Made from our fields", "What the export writes"], rows)


def render_acled_columns(columns=None, schemas=None, *, sources: dict | None = None,
                         field_href: Callable[[str, str], str] | None = None) -> str:
    """Every column of the ACLED-layout export, in ACLED's order, and the fields it comes from.

    By default the columns are :data:`kachin_events.exports.ACLED_COLUMNS` and their
    sources :data:`ACLED_SOURCES`; ValueError when the two name different columns.
    """
    from .exports import ACLED_COLUMNS

    return render_export_columns(ACLED_COLUMNS if columns is None else columns,
                                 ACLED_SOURCES if sources is None else sources, schemas,
                                 title="ACLED column", field_href=field_href)


def render_ucdp_columns(columns=None, schemas=None, *, sources: dict | None = None,
                        field_href: Callable[[str, str], str] | None = None) -> str:
    """Every column of the UCDP GED-layout export, in GED's order, and the fields it comes from.

    By default the columns are :data:`kachin_events.exports.ucdp.UCDP_COLUMNS` and their
    sources :data:`~kachin_events.exports.ucdp.UCDP_SOURCES`.

    Examples
    --------
    >>> render_ucdp_columns().splitlines()[0]
    '| UCDP GED column | Type | Made from our fields | What the export writes |'
    """
    from .exports.ucdp import UCDP_COLUMNS, UCDP_SOURCES

    return render_export_columns(UCDP_COLUMNS if columns is None else columns,
                                 UCDP_SOURCES if sources is None else sources, schemas,
                                 title="UCDP GED column", field_href=field_href)


def precision_mappings(schemas=None) -> dict[str, list[dict]]:
    """The precision codes of each field whose categories map to ACLED or UCDP codes.

    Returns
    -------
    dict
        ``{"events.date_precision": [{"value": "day", "acled_time_precision": 1, ...}, ...]}``
        for every field with ``acled_*`` or ``ucdp_*`` keys in its categories.

    Examples
    --------
    >>> m = precision_mappings()
    >>> [c["ucdp_date_prec"] for c in m["events.date_precision"]]
    [1, 2, 3, 4, 5]
    """
    out = {}
    for name, schema in _schemas(schemas).items():
        for f in schema.fields:
            keys = [k for k in _mapping_keys(f) if k.startswith(("acled_", "ucdp_"))]
            if keys:
                out[f"{name}.{f.name}"] = [
                    {"value": c["value"], "label": c.get("label", ""), **{k: c.get(k) for k in keys}}
                    for c in f.categories
                ]
    return out


def render_precision_mappings(schemas=None) -> str:
    """Tables of our precision codes and the ACLED and UCDP codes they map to.

    ACLED's geo_precision uses the same codes as ours (1 to 3), which the geo_precision
    table shows as its own column.
    """
    parts = []
    for ref, cats in precision_mappings(schemas).items():
        table, _, fname = ref.partition(".")
        keys = [k for k in cats[0] if k not in ("value", "label")]
        header = [f"Our {fname}", *(MAPPING_TITLES.get(k, k) for k in keys)]
        if fname == "geo_precision":
            header.insert(1, "ACLED geo_precision")
        rows = []
        for c in cats:
            row = [code(c["value"]), *(_esc(c[k]) for k in keys)]
            if fname == "geo_precision":
                row.insert(1, _esc(c["value"]))
            rows.append(row + [_esc(c["label"])])
        parts += [f"**{ref}**", "", markdown_table([*header, "Our definition"], rows), ""]
    return "\n".join(parts).rstrip() + "\n"


def render_differences(differences: Iterable[tuple[str, str, str]], theirs: str = "ACLED layout") -> str:
    """A table of (topic, ours, theirs) differences, e.g. from an exporter's list."""
    rows = [[_esc(t), _esc(o), _esc(a)] for t, o, a in differences]
    return markdown_table(["Topic", "kachin-events", theirs], rows)


# -- the whole codebook ----------------------------------------------------------------------
def render_codebook(schemas=None, rules=None, *, anchors: bool = True, title: str | None = "Codebook",
                    rule_href: Callable[[str], str] | None = None,
                    acled_differences: Iterable[tuple[str, str, str]] | None = None) -> str:
    """The full codebook: every table and field, the rules, and the ACLED/UCDP mappings.

    Parameters
    ----------
    schemas : dict, optional
        Table schemas keyed by name (default: :func:`kachin_events.load_schemas`).
    rules : sequence of Rule, optional
        Default: :data:`kachin_events.RULES`.
    anchors : bool
        Add ``{#id}`` heading ids (Python-Markdown's attr_list); turn off for plain Markdown.
    title : str or None
        The page's first heading; None for none.
    rule_href : callable, optional
        ``rule_href(rule_id) -> str``: where a rule's id links to.
    acled_differences : sequence of (topic, ours, ACLED's), optional
        Rendered as a table of what the ACLED layout loses; default
        :data:`kachin_events.exports.ACLED_DIFFERENCES`.

    Returns
    -------
    str
        Markdown.
    """
    schemas = _schemas(schemas)
    rules = _rules(rules)
    field_href = (lambda t, f: f"#{field_anchor(t, f)}") if anchors else None
    parts = []
    if title:
        parts += [f"# {title}", ""]
    parts += [
        "Generated from the Table Schemas in `schemas/` and the rules in `kachin_events.rules`; "
        "it cannot differ from what the validator checks.", "",
        "## Tables", "",
        markdown_table(
            ["Table", "What one row is", "Fields", "Primary key"],
            [[f"[{name}](#{name})" if anchors else name, _esc(s.description), len(s.fields),
              ", ".join(code(f) for f in s.primary_key)] for name, s in schemas.items()],
        ), "",
        "Empty cells mean *unknown* or *not applicable*: a field that is not required may be left empty, "
        "and an empty cell is never the same as 0.", "",
    ]
    for s in schemas.values():
        parts += [render_table(s, rules=rules, level=2, anchors=anchors, rule_href=rule_href), ""]
    from .flat import render_flat_section

    parts += [render_flat_section(anchors=anchors, field_href=field_href), ""]
    parts += [
        f"## Validation rules{_anchor('validation-rules', anchors)}", "",
        "Every rule the validator applies, with its id (findings name it), its severity and the fix. "
        "Rules that apply to every table come from the schemas above; the others are cross-field checks.", "",
        render_rules_table(rules, rule_href=rule_href), "",
        f"## ACLED and UCDP{_anchor('acled-and-ucdp', anchors)}", "",
        "### Precision codes", "",
        render_precision_mappings(schemas), "",
        "### ACLED columns", "",
        "The columns of the ACLED-layout export, in ACLED's order, and the fields of ours each is made from.", "",
        render_acled_columns(schemas=schemas, field_href=field_href), "",
    ]
    from .exports import ACLED_DIFFERENCES, UCDP_DIFFERENCES

    acled_differences = ACLED_DIFFERENCES if acled_differences is None else acled_differences
    if acled_differences:
        parts += ["### Where our data differs from ACLED's", "", render_differences(acled_differences), ""]

    parts += [
        "### UCDP GED columns", "",
        "The columns of the UCDP GED-layout export, in GED's order, and the fields of ours each is made from.", "",
        render_ucdp_columns(schemas=schemas, field_href=field_href), "",
        "### Where our data differs from UCDP GED's", "",
        render_differences(UCDP_DIFFERENCES, "UCDP GED layout"), "",
    ]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(parts)).rstrip() + "\n"


def csv_template(table: str, schemas=None) -> str:
    """An empty CSV for one table: its header row, columns in the schema's order.

    Examples
    --------
    >>> csv_template("event_actors")
    'event_id,actor_id,side\\n'
    """
    return ",".join(_schemas(schemas)[table].field_names) + "\n"
