"""The contract every validation keeps, whatever it is given.

A report's exit status follows from its findings and nothing else: 2 when a file could
not be read (an ``unreadable`` finding, which says why), else 1 when there is an error,
else 0. Every finding names a rule of the registry, a file, a row a person can find
(None or from 1) and a message. A CLI run never ends in a traceback or an "internal
error", and prints the same verdict as the library.

Used by tests/test_fuzz.py (and its atheris target), tests/test_properties.py and
tests/test_contract.py.
"""

from __future__ import annotations

import json
import traceback


def expected_exit(report) -> int:
    """The exit status a report's findings call for: 2 unreadable, 1 errors, 0 otherwise."""
    if any(f.rule == "unreadable" for f in report.findings):
        return 2
    return 1 if any(f.severity == "error" for f in report.findings) else 0


def check_report(report, names=()) -> None:
    """Assert the contract on a :class:`~kachin_events.validation.findings.Report`.

    ``names`` are the names of the files (or folders) given: an ``unreadable`` finding
    must name one of them.
    """
    from kachin_events import RULES

    ids = {r.id for r in RULES}
    text = report.to_text()
    assert report.exit_code == expected_exit(report), text
    assert report.unreadable == (report.exit_code == 2), text
    for f in report.findings:
        assert f.rule in ids, (f, text)
        assert f.severity in ("error", "warning"), f
        assert isinstance(f.file, str) and f.file.strip(), f
        assert f.row is None or (isinstance(f.row, int) and f.row >= 1), f
        assert isinstance(f.message, str) and len(f.message.strip()) > 10, f
    if report.exit_code == 2 and names:
        said = [f.file for f in report.findings if f.rule == "unreadable"]
        assert any(n in file for n in names for file in said), (names, said)


def check_cli(result, fmt: str, names=()) -> int:
    """Assert the contract on a click ``CliRunner`` result of ``validate``; its exit status.

    ``fmt`` is the ``--format`` given. The output must hold no traceback and, as JSON,
    agree with the exit status.
    """
    exc = result.exception
    if exc is not None and not isinstance(exc, SystemExit):
        trace = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
        raise AssertionError(f"the CLI raised:\n{trace}")
    out = result.output
    assert "Traceback" not in out and "internal error" not in out, out[-3000:]
    assert out.strip(), "the CLI printed nothing"
    if fmt == "json":
        doc = json.loads(result.stdout)
        expected = doc["exit_code"]
        assert doc["unreadable"] == (expected == 2)
        assert doc["valid"] == (expected == 0)
        assert bool(doc["errors"]) == (expected != 0)
        said = [e for e in doc["errors"] if e["rule"] == "unreadable"]
        assert bool(said) == (expected == 2), doc["errors"]
        assert all(e["message"].strip() for e in said), said
        if said and names:
            assert any(n in e["file"] for n in names for e in said), (names, said)
    else:
        # The verdict printed, and whether an unreadable file is named under its rule
        # (unreadable files come first in every format), give the exit status.
        if fmt == "markdown":
            valid = result.stdout.startswith("## Validation: ✅ valid")
            assert valid or result.stdout.startswith("## Validation: ❌ invalid"), result.stdout[:200]
            unreadable = "`unreadable`" in result.stdout
        else:
            last = result.stdout.rstrip("\n").splitlines()[-1]
            valid = last.startswith("valid:")
            assert valid or last.startswith("INVALID:"), last
            unreadable = (" error unreadable:" if fmt == "text" else "title=unreadable") in result.stdout
        expected = 0 if valid else 2 if unreadable else 1
        if expected == 2 and names:
            assert any(n in out for n in names), out[-2000:]
    assert result.exit_code == expected, (result.exit_code, out[-2000:])
    return result.exit_code
