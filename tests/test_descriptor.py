"""frictionless checks the data package descriptor and its Table Schemas as metadata."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest

from kachin_events import validate

REPO = Path(__file__).resolve().parent.parent
TODAY = dt.date(2026, 11, 22)


@pytest.fixture()
def package(tmp_path) -> Path:
    """A copy of the repository's data package (descriptor, schemas, data)."""
    for name in ("datapackage.json",):
        shutil.copy(REPO / name, tmp_path / name)
    for folder in ("schemas", "data"):
        shutil.copytree(REPO / folder, tmp_path / folder)
    return tmp_path / "datapackage.json"


def descriptor(report):
    return [f for f in report.findings if f.rule == "descriptor"]


def test_the_repository_descriptor_and_schemas_are_valid(package):
    report = validate(package, today=TODAY)
    assert report.valid and descriptor(report) == []


def test_a_table_schema_with_an_unknown_field_type(package):
    path = package.parent / "schemas" / "event_tags.json"
    schema = json.loads(path.read_text(encoding="utf-8"))
    schema["fields"][0]["type"] = "strang"
    path.write_text(json.dumps(schema), encoding="utf-8")
    report = validate(package, today=TODAY)
    found = descriptor(report)
    assert len(found) == 1 and found[0].file.endswith("schemas/event_tags.json")
    assert "strang" in found[0].message and not report.valid and report.exit_code == 1


def test_a_resource_whose_schema_is_not_a_schema(package):
    desc = json.loads(package.read_text(encoding="utf-8"))
    desc["resources"][-1]["schema"] = 5
    package.write_text(json.dumps(desc), encoding="utf-8")
    found = descriptor(validate(package, today=TODAY))
    assert found and found[0].file.endswith("datapackage.json") and "schema" in found[0].message


@pytest.mark.parametrize("change, words", [
    (lambda s: s["fields"][-1].setdefault("constraints", {}).update(enum=5), "constraints/enum"),
    (lambda s: s.update(primaryKey=["nope"]), "primary key"),
])
def test_a_table_schema_that_contradicts_itself(package, change, words):
    path = package.parent / "schemas" / "events.json"
    schema = json.loads(path.read_text(encoding="utf-8"))
    change(schema)
    path.write_text(json.dumps(schema), encoding="utf-8")
    found = descriptor(validate(package, today=TODAY))
    assert any(f.file.endswith("schemas/events.json") and words in f.message for f in found), found
