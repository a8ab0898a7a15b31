"""One field in words: its type, its constraints, its allowed values and an example from the data.

Examples
--------
>>> from kachin_events import get_schema
>>> describe_constraints(get_schema("events").field("event_id"))
['unique', 'matches `KE[0-9]{6}` (the whole value)']
"""

from __future__ import annotations

from .markdown import code, escape_cell, markdown_table, plural

#: Column headings for the mapping keys found in ``categories`` entries.
MAPPING_TITLES = {
    "acled_time_precision": "ACLED time_precision",
    "ucdp_date_prec": "UCDP date_prec",
    "ucdp_where_prec": "UCDP where_prec",
    "event_type": "ACLED event_type",
    "disorder_type": "ACLED disorder_type",
    "hierarchy_rank": "ACLED rank in event type",
}

#: Longest example shown in the codebook's field tables; longer values are cut with "…".
EXAMPLE_CHARS = 28


#: How a value of each type is written, as the codebook says it.
TYPE_WORDS = {
    "date": "YYYY-MM-DD",
    "boolean": "true or false",
    "integer": "whole number",
    "number": "decimal number",
}


def describe_type(field) -> str:
    """The field's type as a reader needs it (dates say how they are written).

    Examples
    --------
    >>> from kachin_events import get_schema
    >>> describe_type(get_schema("events").field("date_start"))
    'date (YYYY-MM-DD)'
    """
    extra = TYPE_WORDS.get(field.type)
    if field.format and field.format != "default":
        extra = f"format {field.format}"
    return f"{field.type} ({extra})" if extra else field.type


def short_type(field) -> str:
    """The field's type in one word (and its format), for the codebook's dense tables; see :func:`type_legend`.

    Examples
    --------
    >>> from kachin_events import get_schema
    >>> short_type(get_schema("events").field("date_start")), short_type(get_schema("sources").field("url"))
    ('date', 'string (uri)')
    """
    if field.format and field.format != "default":
        return f"{field.type} ({field.format})"
    return field.type


def type_legend() -> str:
    """One sentence saying how each type of :func:`short_type` is written, and what a pattern matches.

    Examples
    --------
    >>> type_legend().startswith("Types: `date` (YYYY-MM-DD), `boolean` (true or false)")
    True
    """
    words = ", ".join(f"{code(t)} ({w})" for t, w in TYPE_WORDS.items())
    return f"Types: {words}. A pattern must match the whole value."


def describe_constraints(field, *, whole: bool = True) -> list[str]:
    """The field's constraints, each as a short Markdown phrase (``required`` excluded).

    With ``whole`` false a pattern is given without "(the whole value)", for pages that say
    it once (:func:`type_legend`).

    Examples
    --------
    >>> from kachin_events.schema import Field
    >>> describe_constraints(Field("x", "string", "x", "", {"minLength": 1, "maxLength": 2}))
    ['at least 1 character', 'at most 2 characters']
    """
    c = field.constraints
    out = []
    if c.get("unique"):
        out.append("unique")
    if "pattern" in c:
        out.append(f"matches {code(c['pattern'])}" + (" (the whole value)" if whole else ""))
    if "minimum" in c:
        out.append(f"at least {c['minimum']}")
    if "maximum" in c:
        out.append(f"at most {c['maximum']}")
    if "minLength" in c:
        out.append(f"at least {plural(c['minLength'], 'character')}")
    if "maxLength" in c:
        out.append(f"at most {plural(c['maxLength'], 'character')}")
    if "enum" in c:
        out.append("one of: " + ", ".join(code(v) for v in c["enum"]))
    known = {"required", "unique", "pattern", "minimum", "maximum", "minLength", "maxLength", "enum"}
    for key in sorted(set(c) - known):
        out.append(f"{key}: {code(c[key])}")
    return out


def mapping_keys(field) -> list[str]:
    """The keys of the field's categories other than value and label (ACLED and UCDP codes)."""
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
        keys = mapping_keys(field)
        header = ["Value", "Definition", *(MAPPING_TITLES.get(k, k) for k in keys)]
        rows = [
            [code(cat["value"]), escape_cell(cat.get("label", "")), *(escape_cell(cat.get(k, "")) for k in keys)]
            for cat in field.categories
        ]
        return markdown_table(header, rows)
    if field.enum:
        return markdown_table(["Value"], [[code(v)] for v in field.enum])
    return ""


def example_value(frame, field: str) -> str:
    """A value of ``field`` taken from the data (the first non-empty one), as Markdown; "" when none.

    ``frame`` is a typed table (a polars DataFrame, as :func:`kachin_events.tables.read_tables`
    gives), or None. Long values are cut to :data:`EXAMPLE_CHARS` characters.
    """
    if frame is None or field not in frame.columns:
        return ""
    values = frame.get_column(field).drop_nulls()
    if values.dtype == "str" or str(values.dtype) in ("String", "Utf8"):
        values = values.filter(values.str.strip_chars() != "")
    if len(values) == 0:
        return ""
    value = values[0]
    text = ("true" if value else "false") if isinstance(value, bool) else str(value)
    text = " ".join(text.split())
    if len(text) > EXAMPLE_CHARS:
        text = text[: EXAMPLE_CHARS - 1].rstrip() + "…"
    return code(text)
