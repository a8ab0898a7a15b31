"""ACLED and UCDP: which of our fields each export column is made from, and the codes they share.

What this module adds by hand is only :data:`ACLED_SOURCES` (which of our fields each
column of the ACLED-layout export is made from), which the schemas do not carry; it is
checked against the schemas and against the export's own column list, so it cannot
drift. The UCDP GED-layout export keeps its own (:data:`kachin_events.exports.ucdp.UCDP_SOURCES`),
and the table of UCDP's ``type_of_violence`` is computed by calling the export's own
:func:`kachin_events.exports.ucdp.type_of_violence`.

Examples
--------
>>> render_ucdp_columns().splitlines()[0]
'| UCDP GED column | Type | Made from our fields | What the export writes |'
"""

from __future__ import annotations

from typing import Callable, Iterable

from ._defaults import schemas_or_default
from .fields import MAPPING_TITLES, mapping_keys
from .markdown import code, escape_cell, field_refs, markdown_table

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


def check_mapping(columns, schemas=None) -> None:
    """Raise ValueError when a mapping names a table or field the schemas lack."""
    schemas = schemas_or_default(schemas)
    for theirs, ours, _ in columns:
        for ref in ours:
            table, _, fname = ref.partition(".")
            if table not in schemas or fname not in schemas[table].field_names:
                msg = f"the mapping of {theirs!r} names {ref!r}, which is not a field of the schemas"
                raise ValueError(msg)


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
    rows = [[code(name), escape_cell(typ), field_refs(sources[name], field_href), escape_cell(desc)]
            for name, typ, desc in columns]
    return markdown_table([title, "Type", "Made from our fields", "What the export writes"], rows)


def render_acled_columns(columns=None, schemas=None, *, sources: dict | None = None,
                         field_href: Callable[[str, str], str] | None = None) -> str:
    """Every column of the ACLED-layout export, in ACLED's order, and the fields it comes from.

    By default the columns are :data:`kachin_events.exports.ACLED_COLUMNS` and their
    sources :data:`ACLED_SOURCES`; ValueError when the two name different columns.
    """
    from ..exports import ACLED_COLUMNS

    return render_export_columns(ACLED_COLUMNS if columns is None else columns,
                                 ACLED_SOURCES if sources is None else sources, schemas,
                                 title="ACLED column", field_href=field_href)


def render_ucdp_columns(columns=None, schemas=None, *, sources: dict | None = None,
                        field_href: Callable[[str, str], str] | None = None) -> str:
    """Every column of the UCDP GED-layout export, in GED's order, and the fields it comes from.

    By default the columns are :data:`kachin_events.exports.ucdp.UCDP_COLUMNS` and their
    sources :data:`~kachin_events.exports.ucdp.UCDP_SOURCES`.
    """
    from ..exports.ucdp import UCDP_COLUMNS, UCDP_SOURCES

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
    for name, schema in schemas_or_default(schemas).items():
        for f in schema.fields:
            keys = [k for k in mapping_keys(f) if k.startswith(("acled_", "ucdp_"))]
            if keys:
                out[f"{name}.{f.name}"] = [
                    {"value": c["value"], "label": c.get("label", ""), **{k: c.get(k) for k in keys}}
                    for c in f.categories
                ]
    return out


def render_precision_mappings(schemas=None, *, field_href: Callable[[str, str], str] | None = None) -> str:
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
            row = [code(c["value"]), *(escape_cell(c[k]) for k in keys)]
            if fname == "geo_precision":
                row.insert(1, escape_cell(c["value"]))
            rows.append(row + [escape_cell(c["label"])])
        title = f"[{ref}]({field_href(table, fname)})" if field_href else ref
        parts += [f"**{title}**", "", markdown_table([*header, "Our definition"], rows), ""]
    return "\n".join(parts).rstrip() + "\n"


def render_differences(differences: Iterable[tuple[str, str, str]], theirs: str = "ACLED layout") -> str:
    """A table of (topic, ours, theirs) differences, e.g. from an exporter's list."""
    rows = [[escape_cell(t), escape_cell(o), escape_cell(a)] for t, o, a in differences]
    return markdown_table(["Topic", "kachin-events", theirs], rows)


# -- UCDP's type_of_violence -------------------------------------------------------------------
def _actor_classes(schemas) -> list[tuple[str, tuple]]:
    """Groups of ACLED actor types that the export's type_of_violence treats alike."""
    from ..exports.ucdp import CIVILIANS, ORGANISED, STATE

    labels = {c["value"]: c["label"] for c in schemas["actors"].field("acled_inter").categories}

    def named(codes):
        return ", ".join(f"{labels[c]} ({c})" for c in codes)

    others = tuple(c for c in labels if c not in ORGANISED and c != CIVILIANS)
    groups = [(STATE,), tuple(c for c in ORGANISED if c != STATE), (CIVILIANS,), others]
    return [(named(g), g) for g in groups if g]


def violence_mapping(schemas=None) -> list[tuple[str, str, str, int]]:
    """How the UCDP GED-layout export sets ``type_of_violence``, computed from the export's own rule.

    Every event type of the schema and every pair of actor-type groups (of ``actors.acled_inter``)
    is passed through :func:`kachin_events.exports.ucdp.type_of_violence`; every actor type
    of a group must give the same answer, or ValueError (the groups would misdescribe the rule).

    Returns
    -------
    list of (event type, actor1's types, actor2's types, type_of_violence)
        Only the combinations that give a type; every other gives none.

    Examples
    --------
    >>> rows = violence_mapping()
    >>> rows[0]
    ('Battles', 'State forces (1)', 'Rebel group (2), Political militia (3), Identity militia (4)', 1)
    """
    from ..exports.ucdp import type_of_violence

    schemas = schemas_or_default(schemas)
    groups = _actor_classes(schemas)
    second = [*groups, ("no second actor", (None,))]
    out = []
    for event_type in schemas["events"].field("event_type").enum:
        for name1, g1 in groups:
            for name2, g2 in second:
                found = {type_of_violence(event_type, a, b) for a in g1 for b in g2}
                if len(found) != 1:
                    msg = f"type_of_violence is not the same for every actor type of {name1!r} and {name2!r}"
                    raise ValueError(msg)
                tov = found.pop()
                if tov is not None:
                    out.append((event_type, name1, name2, tov))
    return out


def render_violence_mapping(schemas=None) -> str:
    """The table of :func:`violence_mapping`, with UCDP's names of the three types."""
    names = {1: "state-based", 2: "non-state", 3: "one-sided"}
    rows = [[escape_cell(et), escape_cell(a1), escape_cell(a2), f"{code(tov)} ({names.get(tov, '')})"]
            for et, a1, a2, tov in violence_mapping(schemas)]
    rows.append(["any other", "any other", "any other", "empty: not organised violence in UCDP's sense"])
    return markdown_table(["Our event_type", "actor1's ACLED type", "actor2's ACLED type", "type_of_violence"], rows)
