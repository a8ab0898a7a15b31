"""Tests that pin the contract: each rule fails in two places, the CLI's statuses and formats, no real clock.

* Every rule of ``kachin_events.RULES`` fails in at least two independent places:
  fixture folders (``tests/data/invalid|warning``, named by the rules they break), the
  cases of ``tests/cases/bad_input.py`` (run by test_hostile_input.py and
  test_input_shapes.py), or the tests of :data:`RULE_TESTS`, checked to exist. Rules
  about packages and bases, which a folder of CSV files cannot break, count tests.
* ``kachin-events validate`` exits 0 on input with warnings only, and says so in every
  format; its JSON report keeps warnings apart from errors, complete.
* ``--format github`` escapes what GitHub's workflow commands would read as markup
  (``%``, a carriage return or a line feed in a message, ``:`` and ``,`` in a property),
  so a value can never start an annotation of its own, and gives warnings the level
  ``::warning``.
* No test reads the real clock: every call that judges "in the future" is given the day.
* The page "Bad input tried" lists every case the tests run.
"""

from __future__ import annotations

import ast
import datetime as dt
import json
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from cases import bad_input, files
from kachin_events import RULES, validate
from kachin_events.cli import cli
from kachin_events.validation.findings import ERROR, WARNING, Finding, Report

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
DATA = HERE / "data"
TODAY = dt.date(2026, 11, 22)
FIXTURE_KINDS = ("invalid", "warning")

# -- every rule fails in two places ------------------------------------------------------------

#: Tests, other than fixture folders and registry cases, in which a rule must fire:
#: rule -> ("file", "test function"). Each is checked to exist; each asserts the rule.
RULE_TESTS = {
    "unique": [("test_contract.py", "test_unique_is_found_by_the_columnar_check"),
               ("test_contract.py", "test_unique_is_found_by_frictionless_alone")],
    "engine-error": [("test_contract.py", "test_an_engine_failure_is_an_engine_error"),
                     ("test_contract.py", "test_an_engine_failure_makes_the_run_invalid")],
    "unlisted-file": [("test_validate.py", "test_unlisted_data_file_is_an_error"),
                      ("test_contract.py", "test_a_stray_file_in_the_data_folder_is_unlisted")],
    "coding-notes": [("test_validate.py", "test_report_folder_without_coding_notes"),
                     ("test_add.py", "test_adds_a_new_report_folder")],
    "descriptor": [("test_descriptor.py", "test_a_table_schema_with_an_unknown_field_type"),
                   ("test_descriptor.py", "test_a_resource_whose_schema_is_not_a_schema"),
                   ("test_descriptor.py", "test_a_table_schema_that_contradicts_itself")],
    "base-removed": [("test_base.py", "test_removed_event_and_its_rows"),
                     ("test_base.py", "test_changed_event_id_is_a_removal"),
                     ("test_base.py", "test_release_folder_as_base")],
    "base-id-reused": [("test_base.py", "test_reused_id"),
                       ("test_base.py", "test_new_event_ids_go_above_the_highest"),
                       ("test_add.py", "test_an_id_already_used_is_refused")],
    "base-uncorrected-edit": [("test_base.py", "test_edit_needs_a_correction"),
                              ("test_contract.py", "test_an_edited_note_needs_a_correction")],
}


def fixture_rules() -> dict[str, list[str]]:
    """rule -> the fixture folders that break it (the name's part before "__", split on "+")."""
    out: dict[str, list[str]] = {}
    for kind in FIXTURE_KINDS:
        for path in sorted((DATA / kind).iterdir()):
            for rule in path.name.split("__")[0].split("+"):
                out.setdefault(rule, []).append(f"{kind}/{path.name}")
    return out


def case_rules() -> dict[str, list[str]]:
    """rule -> the registry cases whose outcome is a finding of it."""
    out: dict[str, list[str]] = {}
    for case in bad_input.CASES + bad_input.REGRESSIONS:
        if case.rule:
            out.setdefault(case.rule, []).append(case.id)
    return out


def functions_of(file: str) -> set[str]:
    tree = ast.parse((HERE / file).read_text(encoding="utf-8"))
    return {n.name for n in tree.body if isinstance(n, ast.FunctionDef) and n.name.startswith("test")}


def test_every_rule_fails_in_at_least_two_places():
    fixtures, cases = fixture_rules(), case_rules()
    known = {r.id for r in RULES}
    assert set(fixtures) <= known, f"fixture folders name unknown rules: {sorted(set(fixtures) - known)}"
    assert set(RULE_TESTS) <= known
    short = {}
    for rule in sorted(known):
        places = fixtures.get(rule, []) + cases.get(rule, []) + [f"{f}::{t}" for f, t in RULE_TESTS.get(rule, [])]
        if len(places) < 2:
            short[rule] = places
    assert not short, f"rules that fail in fewer than two places: {short}"


def test_the_tests_named_for_rules_exist():
    for rule, tests in RULE_TESTS.items():
        for file, name in tests:
            assert name in functions_of(file), f"{file}::{name} (for {rule}) does not exist"


def test_the_tests_named_for_rules_name_their_rule():
    """A test counted for a rule at least mentions it (a rough check that it is about it)."""
    for rule, tests in RULE_TESTS.items():
        for file, name in tests:
            tree = ast.parse((HERE / file).read_text(encoding="utf-8"))
            (fn,) = [n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == name]
            text = ast.get_source_segment((HERE / file).read_text(encoding="utf-8"), fn)
            words = {rule} | ({"base_findings", "RULES"} if rule.startswith("base-") else set())
            assert any(w in text for w in words), f"{file}::{name} never names {rule}"


# -- the tests for rules a folder of files cannot break ------------------------------------------

@pytest.fixture
def unique_actor_names(monkeypatch):
    """The actors table's ``name`` declared unique (no schema declares unique on a non-key field yet)."""
    import copy
    import dataclasses

    from kachin_events import schema

    schemas = schema.load_schemas()
    actors = schemas["actors"]
    fields = tuple(dataclasses.replace(f, constraints={**f.constraints, "unique": True}) if f.name == "name" else f
                   for f in actors.fields)
    desc = copy.deepcopy(actors.descriptor)
    for f in desc["fields"]:
        if f["name"] == "name":
            f.setdefault("constraints", {})["unique"] = True
    patched = {**schemas, "actors": dataclasses.replace(actors, fields=fields, descriptor=desc)}
    monkeypatch.setattr(schema, "load_schemas", lambda folder=None: patched)


def _two_actors_of_one_name(folder: Path) -> Path:
    header = (REPO / "data" / "actors.csv").read_text(encoding="utf-8").splitlines()[0]
    rows = ['fixture_a,Fixture Militia,Fixture Militia,project,3,,"A militia made up for a test, with a description."',
            'fixture_b,Fixture Militia,Fixture Militia,project,3,,"Another militia made up for a test, same name."']
    (folder / "actors.csv").write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return folder


def test_unique_is_found_by_the_columnar_check(tmp_path, unique_actor_names):
    report = validate(_two_actors_of_one_name(tmp_path), today=TODAY, frictionless_rows=0)
    assert [(f.rule, f.row, f.field, f.value) for f in report.errors] == [("unique", 3, "name", "Fixture Militia")]
    assert report.exit_code == 1


def test_unique_is_found_by_frictionless_alone(tmp_path, unique_actor_names):
    from kachin_events.schema import get_schema
    from kachin_events.validation.coerce import coerce
    from kachin_events.validation.engines import run_frictionless

    report = validate(_two_actors_of_one_name(tmp_path), today=TODAY, keep_tables=True)
    tables = report.tables
    skip = {t: coerce(raw, get_schema(t))[2] for t, raw in tables.items()}
    found = [(f.rule, f.row, f.field) for f in run_frictionless(tables, skip) if f.rule == "unique"]
    assert found == [("unique", 3, "name")]


@pytest.fixture
def broken_engine(monkeypatch):
    """frictionless reports an error about no row: its own failure (a bug, never data)."""
    import types

    import frictionless

    class Broken:
        def to_descriptor(self):
            return {"type": "task-error", "note": "the engine stopped"}

    def validate_package(self, *args, **kwargs):
        tasks = [types.SimpleNamespace(name=r.name, errors=[Broken()]) for r in self.resources]
        return types.SimpleNamespace(tasks=tasks, valid=False)

    monkeypatch.setattr(frictionless.Package, "validate", validate_package)


def test_an_engine_failure_is_an_engine_error(broken_engine):
    from kachin_events.validation.engines import run_frictionless

    report = validate(DATA / "valid" / "basic", today=TODAY, keep_tables=True, frictionless_rows=0)
    found = run_frictionless(report.tables, {})
    assert {f.rule for f in found} == {"engine-error"} and found
    assert all("the engine stopped" in f.message and "bug" in f.message for f in found)


def test_an_engine_failure_makes_the_run_invalid(broken_engine):
    report = validate(DATA / "valid" / "basic", today=TODAY, frictionless_rows=10**6)
    assert report.exit_code == 1 and "engine-error" in {f.rule for f in report.errors}


def _package_copy(root: Path) -> Path:
    shutil.copy(REPO / "datapackage.json", root / "datapackage.json")
    shutil.copytree(REPO / "data", root / "data")
    shutil.copytree(REPO / "schemas", root / "schemas")
    return root / "datapackage.json"


def test_a_stray_file_in_the_data_folder_is_unlisted(tmp_path):
    package = _package_copy(tmp_path)
    (tmp_path / "data" / "actors_new.csv").write_bytes((REPO / "data" / "actors.csv").read_bytes())
    report = validate(package, today=TODAY)
    assert [(f.rule, Path(f.file).name) for f in report.errors] == [("unlisted-file", "actors_new.csv")]


def test_an_edited_note_needs_a_correction(data_repo):
    import csv
    import io

    path = sorted((data_repo / "data" / "reports").rglob("events.csv"))[0]
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))
    notes = rows[0].index("notes")
    rows[1][notes] = rows[1][notes] + " A later report adds a detail."
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")
    report = validate(data_repo / "datapackage.json", today=TODAY, base="HEAD")
    found = [(f.rule, f.row, f.field) for f in report.errors]
    assert found == [("base-uncorrected-edit", 2, "notes")], report.to_text()


# -- warnings only: exit status 0, in every format ----------------------------------------------

WARNING_FIXTURES = sorted((DATA / "warning").iterdir())


def expected(path: Path) -> set[str]:
    return set(path.name.split("__")[0].split("+"))


def run(*args, env=None):
    return CliRunner(env=env).invoke(cli, ["validate", *map(str, args), "--today", TODAY.isoformat()])


@pytest.mark.parametrize("path", WARNING_FIXTURES, ids=lambda p: p.name)
def test_warnings_only_exit_0_with_a_json_report_of_them(path):
    result = run(path, "--format", "json")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert set(doc) == {"valid", "exit_code", "unreadable", "counts", "errors", "warnings", "files", "notes"}
    assert (doc["valid"], doc["exit_code"], doc["unreadable"], doc["errors"]) == (True, 0, False, [])
    assert expected(path) <= {w["rule"] for w in doc["warnings"]}
    assert doc["counts"] == {"errors": 0, "warnings": len(doc["warnings"]), "files": len(doc["files"])}
    for w in doc["warnings"]:
        assert set(w) == {"file", "row", "field", "value", "rule", "severity", "message"}
        assert w["severity"] == "warning" and w["message"] and w["file"]


@pytest.mark.parametrize("fmt, verdict", [("text", "valid: 0 errors, "), ("github", "valid: 0 errors, "),
                                          ("markdown", "## Validation: ✅ valid")])
def test_warnings_only_exit_0_in_every_format(fmt, verdict):
    path = DATA / "warning" / "personal-data__phone_in_notes"
    result = run(path, "--format", fmt)
    assert result.exit_code == 0, result.output
    assert verdict in result.stdout and "personal-data" in result.stdout
    if fmt == "github":
        notes = [ln for ln in result.stdout.splitlines() if ln.startswith("::")]
        assert notes and all(ln.startswith("::warning ") for ln in notes), notes


def test_an_error_beside_warnings_exits_1_and_keeps_both_apart(tmp_path):
    for name in ("events.csv", "event_sources.csv"):
        shutil.copy(DATA / "warning" / "personal-data__phone_in_notes" / name, tmp_path / name)
    events = tmp_path / "events.csv"
    events.write_text(events.read_text(encoding="utf-8").replace(",Battles,", ",Battle,", 1), encoding="utf-8")
    result = run(tmp_path, "--format", "json")
    doc = json.loads(result.stdout)
    assert result.exit_code == 1 == doc["exit_code"] and doc["valid"] is False
    assert [e["rule"] for e in doc["errors"]] == ["enum"]
    assert "personal-data" in {w["rule"] for w in doc["warnings"]}
    assert all(e["severity"] == "error" for e in doc["errors"]) and all(w["severity"] == "warning"
                                                                       for w in doc["warnings"])


# -- GitHub annotations ------------------------------------------------------------------------

HOSTILE = "100% sure\r\nthe count\n::error file=evil.csv,line=1::forged"


def test_github_escapes_the_message_so_no_annotation_can_be_forged():
    r = Report(files=["a,b:c.csv"])
    r.add(Finding("a,b:c.csv", 3, "notes", None, "date-order", ERROR, HOSTILE))
    r.add(Finding("a,b:c.csv", 4, "notes", None, "possible-duplicate", WARNING, "50% alike"))
    lines = r.to_github().splitlines()
    assert lines == [
        "::error file=a%2Cb%3Ac.csv,line=3,title=date-order notes::100%25 sure%0D%0Athe count%0A::error "
        "file=evil.csv,line=1::forged",
        "::warning file=a%2Cb%3Ac.csv,line=4,title=possible-duplicate notes::50%25 alike",
        "INVALID: 1 error, 1 warning in 1 file checked",
    ]


def test_github_escapes_a_property_with_percent_colon_comma_and_line_breaks():
    r = Report(files=["x.csv"])
    r.add(Finding("d%ir:1,\nx.csv", None, "f:g,h", None, "unreadable", ERROR, "is not UTF-8"))
    (line, _) = r.to_github().splitlines()
    assert line == "::error file=d%25ir%3A1%2C%0Ax.csv,title=unreadable f%3Ag%2Ch::is not UTF-8"


def test_github_shows_a_value_without_raw_line_breaks():
    r = Report(files=["e.csv"])
    r.add(Finding("e.csv", 2, "notes", "=1+1\n::error::forged", "formula-cell", ERROR, "is a formula"))
    (line, _) = r.to_github().splitlines()
    assert line.startswith("::error file=e.csv,line=2,title=formula-cell notes::is a formula (value ")
    assert "\\n::error::forged" in line  # the value's line break is written as \n, inside the annotation


def test_cli_github_format_on_a_hostile_cell_keeps_one_annotation_per_finding(tmp_path):
    rows = files.basic_rows()
    rows[1][rows[0].index("notes")] = "=HYPERLINK(\"x\")\n::error file=evil.csv::forged 100%"
    (tmp_path / "events.csv").write_bytes(files.csv_bytes(rows))
    shutil.copy(files.BASIC / "event_sources.csv", tmp_path / "event_sources.csv")
    result = run(tmp_path, "--format", "github")
    assert result.exit_code == 1, result.output
    lines = result.stdout.splitlines()
    assert lines[-1].startswith("INVALID: 1 error")
    annotations = [ln for ln in lines if ln.startswith("::")]
    assert len(annotations) == len(lines) - 1 == 1  # the forged command is no line of its own
    assert annotations[0].startswith("::error file=") and "title=formula-cell notes::" in annotations[0]
    assert "file=evil.csv" not in annotations[0].split("::")[1]


def test_cli_github_format_gives_warnings_their_level_and_errors_theirs(tmp_path):
    for name in ("events.csv", "event_sources.csv"):
        shutil.copy(DATA / "warning" / "personal-data__phone_in_notes" / name, tmp_path / name)
    events = tmp_path / "events.csv"
    events.write_text(events.read_text(encoding="utf-8").replace(",Battles,", ",Battle,", 1), encoding="utf-8")
    lines = run(tmp_path, "--format", "github").stdout.splitlines()
    levels = {ln.split(" ", 1)[0]: ln for ln in lines if ln.startswith("::")}
    assert "title=enum event_type" in levels["::error"]
    assert "title=personal-data" in levels["::warning"]


# -- no test reads the real clock ----------------------------------------------------------------

#: Library functions that judge "in the future" from today unless given ``today``.
CLOCKED_FUNCTIONS = {"validate", "add_submission", "retire_event", "correct_event", "import_acled", "import_ucdp"}
#: Commands that do, unless given ``--today``.
CLOCKED_COMMANDS = {"validate", "add", "import-acled", "import-ucdp"}
#: Calls that may stay as they are: (file, line text) -> why. test_build.py belongs to the
#: release work in progress; this run exits 2 before any date is read.
CLOCK_EXEMPT = {("test_build.py", 'validated = runner.invoke(cli, ["validate"])'):
                "no datapackage.json: exits 2 before any date is read"}


def clock_calls(path: Path) -> list[tuple[int, str]]:
    """(line, call) of every call in a test file that would read the real clock."""
    text = path.read_text(encoding="utf-8")
    out = []
    for node in ast.walk(ast.parse(text)):
        if not isinstance(node, ast.Call):
            continue
        f = node.func
        if isinstance(f, ast.Name) and f.id in CLOCKED_FUNCTIONS:
            if not any(k.arg in ("today", None) for k in node.keywords):
                out.append((node.lineno, f.id))
            continue
        name = f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else ""
        if name == "invoke" and len(node.args) >= 2 and isinstance(node.args[1], (ast.List, ast.Tuple)):
            args = node.args[1].elts
        elif name in ("run", "_run") and node.args:
            args = node.args[0].elts if isinstance(node.args[0], ast.List) else node.args
        else:
            continue
        words = [a.value for a in args if isinstance(a, ast.Constant) and isinstance(a.value, str)]
        if any(isinstance(a, ast.Starred) for a in args) or not words or "--help" in words:
            continue  # a list of options given elsewhere (``*day``), or no command
        command = words[1] if words[0].endswith("kachin-events") and len(words) > 1 else words[0]
        if command in CLOCKED_COMMANDS and "--today" not in words:
            out.append((node.lineno, f"{command} without --today"))
    lines = text.splitlines()
    return [(n, what) for n, what in out if (path.name, lines[n - 1].strip()) not in CLOCK_EXEMPT]


def test_no_test_reads_the_real_clock():
    found = [f"{p.name}:{n}: {what}" for p in sorted(HERE.glob("test_*.py")) for n, what in clock_calls(p)]
    assert not found, "calls that read today's date (give today= or --today):\n" + "\n".join(found)


def test_the_clock_scan_finds_what_it_forbids(tmp_path):
    sample = tmp_path / "test_sample.py"
    sample.write_text("validate(p)\nvalidate(p, today=T)\nrunner.invoke(cli, ['validate', 'x'])\n"
                      "runner.invoke(cli, ['validate', 'x', '--today', D])\nrun('add', 'x.xlsx')\n"
                      "Resource(data=d).validate()\n", encoding="utf-8")
    assert [n for n, _ in clock_calls(sample)] == [1, 3, 5]


def test_no_assertion_is_true_whatever_the_exit_status():
    """``exit_code in (0, 1, 2)`` holds for every report: it pins nothing."""
    pattern = re.compile(r"assert\s+\S*exit_code\s+in\s+[(\[{]\s*0\s*,\s*1\s*,\s*2\s*[)\]}]")
    found = [f"{p.name}:{n}" for p in sorted(HERE.glob("test_*.py"))
             for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1) if pattern.search(line)]
    assert not found, found


# -- the page of what was tried -----------------------------------------------------------------

def hook_module():
    import importlib
    import sys

    hooks = str(REPO / "docs" / "hooks")
    if hooks not in sys.path:
        sys.path.insert(0, hooks)
    return importlib.import_module("kedocs_tried")


@pytest.fixture(scope="module")
def page() -> str:
    return hook_module().render_page(REPO)


def test_the_page_lists_every_case_test_fixture_and_fuzz_class(page):
    for case in bad_input.CASES + bad_input.REGRESSIONS:
        assert f"`{case.id}`" in page, case.id
    for t in bad_input.TRIED:
        assert f"`tests/{t.test}`" in page, t.test
    for kind in FIXTURE_KINDS:
        for path in (DATA / kind).iterdir():
            assert f"`{kind}/{path.name}`" in page, path.name
    for name in bad_input.FUZZ_CLASSES:
        assert f"`{name}`" in page, name


def test_the_page_shows_each_cases_outcome_as_run(page):
    """Each case's row has the exit status and rule the tests require of it."""
    rows = {line.split("<br>`", 1)[1].split("`", 1)[0]: line for line in page.splitlines() if "<br>`" in line}
    for case in bad_input.CASES + bad_input.REGRESSIONS:
        row = rows[case.id]
        assert f"| {hook_module().EXIT[case.exit_code]} |" in row, row
        if case.rule:
            assert f"[`{case.rule}`]" in row and all(w in row for w in case.words if "|" not in w), row


def test_every_test_of_the_hostile_input_files_is_in_the_registry():
    """The page cannot miss a test: each test of the two files runs the cases or is described in TRIED."""
    named = {t.test for t in bad_input.TRIED}
    for file in ("test_hostile_input.py", "test_input_shapes.py"):
        for name in functions_of(file):
            if name == "test_case":
                continue  # runs bad_input.CASES
            assert f"{file}::{name}" in named, f"{file}::{name} is not described in cases.bad_input.TRIED"
    for entry in named:
        file, name = entry.split("::")
        assert name in functions_of(file), f"TRIED names {entry}, which does not exist"


def test_every_case_group_is_run_by_a_test():
    run_here = {"encoding", "cells"} | {"workbook", "shape"} | {"fuzz"}
    assert {c.group for c in bad_input.CASES + bad_input.REGRESSIONS} <= run_here
    assert {c.group for c in bad_input.REGRESSIONS} == {"fuzz"}
    assert "fuzz" not in {c.group for c in bad_input.CASES}


def test_the_page_is_in_the_navigation():
    assert "bad-input.md" in (REPO / "mkdocs.yml").read_text(encoding="utf-8")
    assert hook_module().PAGE == "bad-input.md"
