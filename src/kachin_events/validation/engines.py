"""The two validation engines, and one vocabulary of messages for both.

* frictionless checks structure, types, field constraints, primary keys and foreign
  keys, cell by cell, on the rows exactly as read;
* pandera checks the same field constraints vectorised, plus the cross-field rules of
  :mod:`kachin_events.rules`, on the typed polars frames.

Both turn what they find into :class:`~kachin_events.validation.findings.Finding` objects with the
same rule ids and messages, so a cell both engines flag is reported once.
"""

from __future__ import annotations

import re

from .coerce import polars_dtype
from .findings import ERROR, Finding, did_you_mean
from .table import CHECKED, RawTable
from ..rules import Context, get_rule, table_rules
from ..schema import TableSchema, get_schema


# -- messages --------------------------------------------------------------------------
def schema_message(rule_id: str, schema: TableSchema, field: str | None, value) -> str:
    """What is wrong with a cell under a schema-derived rule, and how to fix it."""
    fld = schema.field(field) if field in schema.field_names else None
    c = fld.constraints if fld else {}
    if rule_id == "required":
        return f"is empty but required: {fld.description if fld else ''}".rstrip(": ")
    if rule_id == "enum" and fld:
        allowed = [str(v) for v in c.get("enum", [])]
        close = did_you_mean(value, allowed)
        hint = f" Did you mean {close!r}?" if close else ""
        shown = ", ".join(repr(a) for a in allowed) if len(allowed) <= 12 else (
            ", ".join(repr(a) for a in allowed[:12]) + f" ... ({len(allowed)} values; see the codebook)")
        return (f"{str(value)!r} is not one of the allowed values of the {field} column.{hint} "
                f"The allowed values are: {shown} (written exactly so).")
    if rule_id == "pattern" and fld:
        from .hints import pcode_hint

        msg = f"does not match the pattern {c.get('pattern')!r} of {field}; {fld.description}"
        # A place's name where its P-code belongs: the hint names the code (only failing cells get here).
        hint = pcode_hint(field, value)
        return f"{msg.rstrip('.')}. {hint}" if hint else msg
    if rule_id == "minimum":
        return f"is below the minimum {c.get('minimum')}; leave the cell empty when the figure is unknown"
    if rule_id == "maximum":
        return f"is above the maximum {c.get('maximum')}"
    if rule_id == "min-length":
        n = c.get("minLength")
        return f"is shorter than {n} character{'s' * (n != 1)}; write a fuller value"
    if rule_id == "unique":
        return f"appears more than once in {field}; each row needs its own value"
    return get_rule(rule_id).fix


def _finding(raw: RawTable, i: int, field, value, rule_id: str, message: str, severity=None) -> Finding:
    file, line = raw.where(i)
    return Finding(file, line, field, None if value is None else str(value), rule_id,
                   severity or get_rule(rule_id).severity, message)


# -- pandera -----------------------------------------------------------------------------
def _field_checks(fld) -> list[tuple[str, object]]:
    """(rule id, pandera Check) pairs for one field's constraints, in a fixed order."""
    import pandera.polars as pa

    c = fld.constraints
    out = []
    if "enum" in c:
        out.append(("enum", pa.Check.isin(c["enum"])))
    if "pattern" in c:
        # Table Schema patterns match the whole value.
        out.append(("pattern", pa.Check.str_matches(f"^(?:{c['pattern']})$")))
    if "minimum" in c:
        out.append(("minimum", pa.Check.ge(c["minimum"])))
    if "maximum" in c:
        out.append(("maximum", pa.Check.le(c["maximum"])))
    if "minLength" in c:
        out.append(("min-length", pa.Check.str_length(min_value=c["minLength"])))
    return out


def pandera_schema(table: str, context: Context | None = None, rules=None, fields=None, field_checks: bool = True):
    """The pandera (polars) schema of a table, derived from its Table Schema and rules.

    Parameters
    ----------
    table : str
        A table name, e.g. ``"events"``.
    context : Context, optional
        Reference tables for the cross-table rules (sources for publication dates,
        the gazetteer for P-codes ...). Without one those rules pass vacuously.
    rules : list of Rule, optional
        The cross-field rules to check (default: all of the table's).
    fields : list of str, optional
        The columns the frame holds (default: all); with fewer, the schema is not strict.
    field_checks : bool
        Check the fields' constraints (``required``, ``enum`` ...) too.

    Examples
    --------
    >>> schema = pandera_schema("events")
    >>> sorted(schema.columns)[:3]
    ['actor1', 'actor2', 'admin1_pcode']
    >>> [c.name for c in schema.checks][:2]
    ['date-order', 'date-precision-span']
    """
    import pandera.polars as pa
    import polars as pl

    ts = get_schema(table)
    ctx = context or Context()
    columns = {}
    for fld in ts.fields:
        if fields is not None and fld.name not in fields:
            continue
        checks = [chk for _, chk in _field_checks(fld)] if field_checks else []
        columns[fld.name] = pa.Column(polars_dtype(fld.type), nullable=not (fld.required and field_checks),
                                      checks=checks, description=fld.description, title=fld.title)

    def wrap(rule):
        def run(data):
            frame = data.lazyframe.collect()
            return pl.LazyFrame({"ok": rule.check(frame, ctx)})

        return pa.Check(run, name=rule.id)

    rules = table_rules(table) if rules is None else rules
    return pa.DataFrameSchema(columns, checks=[wrap(r) for r in rules], name=table, strict=fields is None,
                              description=ts.description)


_NULL_CHECKS = {"not_nullable": "required"}


def run_pandera(raw: RawTable, typed, context: Context, skip, rules=None, field_checks: bool = True) -> list[Finding]:
    """Validate a typed frame with pandera; findings only for checked rows.

    ``skip`` holds a boolean column per field, True where the cell failed to type: its
    other findings follow from that one and are not reported. ``rules`` and
    ``field_checks`` choose what is checked (see :func:`pandera_schema`); a narrow
    table is checked on its own fields.
    """
    import pandera.errors

    ts = get_schema(raw.table)
    frame_rules = table_rules(raw.table) if rules is None else list(rules)
    full = raw.fields == ts.field_names
    schema = pandera_schema(raw.table, context, frame_rules, None if full else raw.fields, field_checks)
    try:
        schema.validate(typed, lazy=True)
        return []
    except pandera.errors.SchemaErrors as exc:
        cases = exc.failure_cases
    text = raw.text
    checked = raw.frame[CHECKED]
    rule_of = {f.name: [rid for rid, _ in _field_checks(f)] for f in ts.fields} if field_checks else {}
    details: dict = {}
    out = []
    for rec in cases.iter_rows(named=True):
        idx = rec.get("index")
        if idx is None or idx >= len(raw) or not checked[idx]:
            continue
        column, check = rec.get("column"), str(rec.get("check"))
        if rec.get("schema_context") == "DataFrameSchema":
            number = rec.get("check_number")
            if number is None or number >= len(frame_rules):
                continue
            rule = frame_rules[number]
            fld = rule.field
            if fld in skip.columns and skip[fld][idx]:
                continue
            value = text[fld][idx] if fld in text.columns else None
            message = _rule_message(rule, text, idx)
            if rule.detail is not None:
                if rule.id not in details:
                    details[rule.id] = rule.detail(typed, context)
                extra = details[rule.id][idx]
                message += f" ({extra})" if extra else ""
            out.append(_finding(raw, idx, fld, value, rule.id, message))
            continue
        if column in skip.columns and skip[column][idx]:
            continue
        if check in _NULL_CHECKS:
            rid = _NULL_CHECKS[check]
        elif rec.get("check_number") is not None and rec["check_number"] < len(rule_of.get(column, [])):
            rid = rule_of[column][rec["check_number"]]
        else:
            continue
        value = text[column][idx]
        message = schema_message(rid, ts, column, value)
        if column in ("latitude", "longitude") and rid in ("minimum", "maximum"):
            message += _swap_hint(text, idx)
        out.append(_finding(raw, idx, column, value, rid, message))
    return out


def _swap_hint(text, idx: int) -> str:
    """"; latitude and longitude look swapped ..." when the point swapped is in Kachin."""
    from ..geometry import TOLERANCE_KM, in_state

    try:
        lat, lon = float(text["latitude"][idx]), float(text["longitude"][idx])
    except (TypeError, ValueError, KeyError):
        return ""
    if not in_state([lon], [lat], TOLERANCE_KM)[0]:
        return ""
    return (f"; latitude and longitude look swapped: write latitude {text['longitude'][idx]} and longitude "
            f"{text['latitude'][idx]}, which is in Kachin State")


def _rule_message(rule, text, idx) -> str:
    """A cross-field finding's message: the rule, the values involved, the fix."""
    involved = rule.inputs
    vals = ", ".join(f"{c}={text[c][idx]!r}" for c in involved if c in text.columns)
    what = f"{rule.description.rstrip('.')}" + (f" ({vals})" if vals else "")
    return f"breaks the rule: {what}. Fix: {rule.fix}"


# -- frictionless ------------------------------------------------------------------------
_CONSTRAINT = {"required": "required", "enum": "enum", "pattern": "pattern", "minimum": "minimum",
               "maximum": "maximum", "minLength": "min-length", "unique": "unique"}


def run_frictionless(raws: dict[str, RawTable], skip: dict) -> list[Finding]:
    """Validate every table as one frictionless Package of inline rows.

    Feeding frictionless the rows exactly as read (rather than the files) keeps one
    row numbering for both engines, whatever the file format, and lets reference
    tables from the repository take part in the foreign-key checks. Its findings are
    the columnar path's (:mod:`kachin_events.validation.keys`, pandera) found again, cell by cell;
    a finding only frictionless makes means the two disagree (the parity test says so).
    """
    from frictionless import Package, Resource, Schema

    checked = [t for t, raw in raws.items() if len(raw) and raw.any_checked()]
    # Tables only looked up by foreign keys are passed as their key columns alone:
    # frictionless copies a lookup resource's rows for every check, which is slow.
    keys: dict[str, set] = {}
    for table in checked:
        for fk in get_schema(table).foreign_keys:
            target = fk["reference"].get("resource") or table
            keys.setdefault(target, set()).update(fk["reference"]["fields"])
    resources = []
    for table, raw in raws.items():
        ts = get_schema(table)
        if table in checked:
            data = [ts.field_names] + [list(r) for r in raw.text.iter_rows()]
            descriptor = dict(ts.descriptor)
        elif table in keys:
            cols = [f for f in ts.field_names if f in keys[table]]
            data = [cols] + [list(r) for r in raw.text.select(cols).iter_rows()]
            descriptor = {"fields": [{"name": c, "type": "string"} for c in cols]}
        else:
            continue
        resources.append(Resource(name=table, data=data, schema=Schema.from_descriptor(descriptor)))
    report = Package(resources=resources).validate()
    out = []
    for task in report.tasks:
        if task.name not in checked:
            continue
        raw = raws[task.name]
        ts = get_schema(task.name)
        flags = raw.frame[CHECKED]
        failed = skip.get(task.name)
        for err in task.errors:
            d = err.to_descriptor()
            row = d.get("rowNumber")
            if row is None:
                # Not about a row: the engine itself could not run. Never pass silently.
                out.append(Finding(task.name, None, None, None, "engine-error", ERROR,
                                   f"frictionless could not check the {task.name} table: {d.get('note')}; "
                                   "this is a bug in kachin-events, please report it"))
                continue
            idx = row - 2  # frictionless counts the header as row 1
            if idx < 0 or idx >= len(raw) or not flags[idx]:
                continue
            etype, field, cell, note = d.get("type"), d.get("fieldName"), d.get("cell"), d.get("note", "")

            def skipped(*names):
                return failed is not None and any(n in failed.columns and failed[n][idx] for n in names)

            if etype == "type-error":
                continue  # reported by coerce with a fuller message
            if etype == "constraint-error":
                m = re.search(r'constraint "(\w+)"', note)
                rid = _CONSTRAINT.get(m.group(1) if m else "", None)
                if rid is None or skipped(field):
                    continue
                out.append(_finding(raw, idx, field, cell, rid, schema_message(rid, ts, field, cell)))
            elif etype == "unique-error":
                if list(ts.primary_key) == [field]:
                    continue  # the primary-key finding says the same of the same cell
                out.append(_finding(raw, idx, field, cell, "unique", schema_message("unique", ts, field, cell)))
            elif etype == "primary-key":
                pk = list(ts.primary_key)
                if skipped(*pk) or 'all "None"' in note:
                    continue
                value = ", ".join(str(raw.value(idx, f)) for f in pk)
                out.append(_finding(raw, idx, pk[0], value, "primary-key", f"{note} (frictionless)"))
            elif etype == "foreign-key":
                for f in d.get("fieldNames") or []:
                    value = raw.value(idx, f)
                    if value is not None:
                        out.append(_finding(raw, idx, f, value, "foreign-key", f"{note} (frictionless)"))
    return out
