"""The page "Bad input tried", generated from the test suite's cases at build time.

:func:`render_page` writes ``bad-input.md`` from what the tests run, so that the page
cannot drift from them:

* the cases of ``tests/cases/bad_input.py`` (``CASES`` and the fuzzer's ``REGRESSIONS``),
  each run here through ``kachin-events validate``: the page shows the exit status and
  the message the library gives today, not a copy;
* the other tests of that registry (``TRIED``), with the test that checks each;
* the fixture folders of ``tests/data/invalid`` and ``tests/data/warning``, one per way
  of breaking a rule, named ``RULES__what_is_wrong``;
* the classes of input the fuzzer generates (``FUZZ_CLASSES``) and the contract it holds
  every run to (``tests/cases/contract.py``).

``tests/test_contract.py`` checks that the page lists every case, test, fixture and
fuzz class.
"""

from __future__ import annotations

import importlib
import sys
import tempfile
from pathlib import Path

#: Where the page goes in the site.
PAGE = "bad-input.md"
#: The exit statuses, in words.
EXIT = {0: "0 valid", 1: "1 invalid", 2: "2 unreadable"}


def registry(root: str | Path):
    """The module ``cases.bad_input`` of the repository's ``tests/`` folder."""
    tests = str(Path(root) / "tests")
    if tests not in sys.path:
        sys.path.insert(0, tests)
    return importlib.import_module("cases.bad_input")


def _cell(text) -> str:
    """Text safe in a markdown table cell."""
    text = "" if text is None else str(text)
    return text.replace("|", "\\|").replace("<", "&lt;").replace("\r", " ").replace("\n", " ")


def _rule(rule_id: str | None) -> str:
    return f"[`{rule_id}`](contributing.md#rule-{rule_id})" if rule_id else "none"


def outcome(case, reg) -> tuple[int, str | None, str]:
    """Run one case through the CLI: (exit status, the rule found, its message).

    The rule shown is the case's when it is found (else the first error's, else
    nothing: the file is valid), with its message as a contributor reads it.
    """
    with tempfile.TemporaryDirectory() as tmp:
        code, doc, _file = reg.run_cli(case, Path(tmp))
    found = reg.the_findings(case, doc) if case.rule else []
    first = found[0] if found else (doc["errors"] or [None])[0]
    if first is None:
        return code, None, "valid: no error" + (f", {len(doc['warnings'])} warning(s)" if doc["warnings"] else "")
    return code, first["rule"], first["message"].replace(tmp, "")


def _cases_table(cases, reg) -> list[str]:
    out = ["| Input | Exit status | Rule | What kachin-events says |", "|---|---|---|---|"]
    for case in cases:
        code, rule, message = outcome(case, reg)
        out.append(f"| {_cell(case.what)} <br>`{case.id}` | {EXIT.get(code, code)} | {_rule(rule)} | "
                   f"{_cell(message)} |")
    return out


def _tried(entries) -> list[str]:
    out = []
    for t in entries:
        line = f"- **{_cell(t.what)}**: {t.outcome}."
        if t.variants:
            line += " Tried: " + ", ".join(f"`{_cell(v)}`" for v in t.variants) + "."
        out.append(line + f" <br>Tested by `tests/{t.test}`.")
    return out


def fixture_folders(root: str | Path) -> list[tuple[str, str, list[str], str]]:
    """(kind, folder name, the rules it breaks, what is wrong in words) of every fixture folder."""
    out = []
    for kind in ("invalid", "warning"):
        for path in sorted((Path(root) / "tests" / "data" / kind).iterdir(), key=lambda p: p.name):
            rules, _, what = path.name.partition("__")
            out.append((kind, path.name, rules.split("+"), what.replace("_", " ")))
    return out


def render_page(root: str | Path) -> str:
    """The markdown of ``bad-input.md``."""
    reg = registry(root)
    from kachin_events import RULES

    severity = {r.id: r.severity for r in RULES}
    n_cases = len(reg.CASES) + len(reg.REGRESSIONS)
    folders = fixture_folders(root)
    lines = [
        "# Bad input tried",
        "",
        "Contributed files come from many hands and tools. This page lists every class of bad input the test "
        "suite tries and what kachin-events does with it. It is generated when the site is built, from the "
        "cases the tests run (`tests/cases/bad_input.py`, the fixture folders of `tests/data/` and the fuzzer's "
        "classes in `tests/test_fuzz.py`): a case no test runs cannot appear here, and a case a test runs "
        "cannot be missing. The messages below are the ones the library gives today, run on each case while "
        "the page was built.",
        "",
        f"In all: **{n_cases}** files with their expected outcome, **{len(reg.TRIED)}** further tests, "
        f"**{len(folders)}** fixture folders and **{len(reg.FUZZ_CLASSES)}** classes of generated input.",
        "",
        "Whatever the input, the contract is the same: `kachin-events validate` exits with **0** (valid; "
        "warnings allowed), **1** (invalid data, every finding at its file, row and field) or **2** (a file "
        "could not be read, with a message that names it and says why); it never ends in a traceback, and it "
        "never hangs. See [the contributor guide](contributing.md#messages) for how to read a finding.",
        "",
    ]
    for key, (title, intro) in reg.GROUPS.items():
        cases = [c for c in [*reg.CASES, *reg.REGRESSIONS] if c.group == key]
        tried = [t for t in reg.TRIED if t.group == key]
        if not cases and not tried:
            continue
        lines += [f"## {title} {{#{key}}}", "", intro, ""]
        if cases:
            lines += _cases_table(cases, reg) + [""]
        if tried:
            lines += ["Also tried:", ""] + _tried(tried) + [""]
    lines += [
        "## One broken rule per fixture {#fixtures}",
        "",
        "Each folder of `tests/data/invalid` and `tests/data/warning` is a small submission that breaks the "
        "rules its name gives, and nothing else: the test suite checks that validating it finds exactly "
        "those errors (or at least those warnings), with the same findings whether frictionless runs or not "
        "and whether the files are read whole or in chunks. Every rule fails in at least two fixtures, cases "
        "or tests.",
        "",
        "| Rule | Severity | Fixture | What is wrong |",
        "|---|---|---|---|",
    ]
    for kind, name, rules, what in folders:
        shown = ", ".join(_rule(r) for r in rules)
        sev = ", ".join(sorted({severity.get(r, kind) for r in rules}))
        lines.append(f"| {shown} | {sev} | `{kind}/{_cell(name)}` | {_cell(what)} |")
    lines += [
        "",
        "## Fuzzing {#fuzzing}",
        "",
        "`tests/test_fuzz.py` generates malformed files of every format (with hypothesis, and with atheris's "
        "coverage-guided fuzzer where it installs) and validates each with the library's `validate()` and "
        "with `kachin-events validate` in every output format, whole and read in chunks. Every run must keep "
        "the contract: the exit status its findings call for, a message naming the file for status 2, no "
        "exception, and an end within a time bound. `FUZZ_EXAMPLES=200 pytest tests/test_fuzz.py` runs more "
        "examples of each class. Inputs it found that broke the contract are in "
        "[Found by fuzzing](#fuzz).",
        "",
        "| Class | What is generated |",
        "|---|---|",
    ]
    lines += [f"| `{name}` | {_cell(what)} |" for name, what in reg.FUZZ_CLASSES.items()]
    return "\n".join(lines) + "\n"
