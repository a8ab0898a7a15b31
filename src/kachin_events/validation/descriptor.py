"""The data package descriptor and its Table Schemas, checked as metadata by frictionless.

pandera and the columnar checks judge the rows; what frictionless adds that they do not
is a check of the metadata itself: that ``datapackage.json`` is a valid Data Package
descriptor and that every Table Schema it names is a valid Table Schema (field types,
constraints, keys). Each problem is a ``descriptor`` finding at the file that holds it.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

from .findings import ERROR, Finding
from .read import display_path


def _finding(file: str, message: str) -> Finding:
    msg = (f"{message}; correct it so the file is valid Data Package metadata "
           "(https://datapackage.org/standard/) and run the validator again")
    return Finding(file, None, None, None, "descriptor", ERROR, msg)


def descriptor_findings(package: Path) -> list[Finding]:
    """Findings on ``package`` (a datapackage.json) and the Table Schema files it names.

    :func:`kachin_events.validate` runs this check on every package it validates; call it
    alone to check a descriptor without reading any data.

    Examples
    --------
    A descriptor whose field has a type Table Schema does not know:

    >>> import json, tempfile
    >>> from pathlib import Path
    >>> from kachin_events.validation.descriptor import descriptor_findings
    >>> package = Path(tempfile.mkdtemp()) / "datapackage.json"
    >>> field = {"name": "deaths", "type": "whole number"}
    >>> resource = {"name": "events", "path": "events.csv", "schema": {"fields": [field]}}
    >>> _ = package.write_text(json.dumps({"name": "demo", "resources": [resource]}))
    >>> [(f.rule, f.message.split(";")[0]) for f in descriptor_findings(package)]
    [('descriptor', 'Field is not valid: field type "whole number" is not supported')]

    The same descriptor with a valid type has no findings:

    >>> field["type"] = "integer"
    >>> _ = package.write_text(json.dumps({"name": "demo", "resources": [resource]}))
    >>> descriptor_findings(package)
    []
    """
    from frictionless import FrictionlessException, Package, Schema

    shown = display_path(package)
    try:
        desc = json.loads(package.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return []  # the reading stage reports an unreadable descriptor
    if not isinstance(desc, dict):
        return []
    out = []
    norm = copy.deepcopy(desc)
    schemas: list[tuple[str, Path]] = []
    for res in norm.get("resources") or []:
        if not isinstance(res, dict):
            continue
        # A resource of several files lists them in "path" (Data Package v1 and v2);
        # frictionless 5's metadata check wants the first in "path", the rest in
        # "extrapaths", and reads the same package either way.
        if isinstance(res.get("path"), list) and res["path"]:
            res["path"], res["extrapaths"] = res["path"][0], res["path"][1:]
        if isinstance(res.get("schema"), str):
            schemas.append((str(res.get("name")), package.parent / res["schema"]))
            res.pop("schema")  # checked on its own below, where its file can be named
    try:
        out += [_finding(shown, err.message) for err in Package.metadata_validate(norm)]
    except FrictionlessException as exc:
        out.append(_finding(shown, exc.error.message))
    for name, path in schemas:
        where = display_path(path)
        if not path.is_file():
            # The rows are judged by the package's own schemas; a descriptor copied
            # without its schemas/ folder (a work folder, a test) is not a broken one.
            continue
        try:
            schema = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            out.append(_finding(where, f"the Table Schema of resource {name!r} cannot be read ({exc})"))
            continue
        try:
            out += [_finding(where, err.message) for err in Schema.metadata_validate(schema)]
        except FrictionlessException as exc:
            out.append(_finding(where, exc.error.message))
    return out
