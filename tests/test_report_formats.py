"""Report formats for pull requests: markdown job summaries and capped GitHub annotations."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from kachin_events.cli import cli
from kachin_events.validation.findings import ERROR, WARNING, Finding, Report

DATA = Path(__file__).resolve().parent / "data"


def finding(file="e.csv", row=2, field="date_end", value="x", rule="date-order", severity=ERROR,
            message="ends before it starts; fix date_end"):
    return Finding(file, row, field, value, rule, severity, message)


def table_rows(md: str) -> list[str]:
    """The rows of the findings table (the rules section after it is left out)."""
    findings = md.split("<details>", 1)[0]
    return [ln for ln in findings.splitlines() if ln.startswith("| ") and not ln.startswith("| File ")]


def test_markdown_explains_each_rule_once():
    r = Report(files=["e.csv"])
    r.extend(finding(row=i) for i in range(2, 5))
    r.add(finding(rule="possible-duplicate", severity=WARNING, message="may repeat KE000001"))
    md = r.to_markdown(docs_url="https://docs.example.org/")
    rules = md.split("<details>", 1)[1]
    from kachin_events import get_rule

    for rule_id in ("date-order", "possible-duplicate"):
        assert rules.count(f"[`{rule_id}`](https://docs.example.org/contributing/#rule-{rule_id})") == 1
        assert get_rule(rule_id).fix.split(";")[0].replace("|", "\\|") in rules


def test_markdown_heading_counts_and_errors_before_warnings():
    r = Report(files=["e.csv", "s.csv"])
    r.add(finding(rule="possible-duplicate", severity=WARNING, message="may repeat KE000001"))
    r.add(finding(row=5))
    md = r.to_markdown()
    assert md.splitlines()[0] == "## Validation: ❌ invalid"
    assert "**1** error, **1** warning in **2** files checked." in md
    assert "| File | Row | Field | Value | Rule | Fix |" in md
    rows = table_rows(md)
    assert len(rows) == 2
    assert "date-order" in rows[0] and "| 5 |" in rows[0]
    assert "possible-duplicate" in rows[1]
    # Without docs_url the rule is not a link.
    assert "](" not in md


def test_markdown_valid_report():
    r = Report(files=["e.csv"])
    r.add(finding(rule="possible-duplicate", severity=WARNING))
    md = r.to_markdown()
    assert md.startswith("## Validation: ✅ valid")


def test_markdown_escapes_pipes_and_newlines():
    r = Report(files=["e.csv"])
    r.add(finding(value="a|b\nc", message="line one\nline | two"))
    (row,) = table_rows(r.to_markdown())
    assert "a\\|b<br>c" in row and "line one<br>line \\| two" in row
    # Splitting on unescaped pipes gives exactly the six columns.
    import re

    cells = re.split(r"(?<!\\)\|", row.strip())[1:-1]
    assert len(cells) == 6


def test_markdown_caps_rows():
    r = Report(files=["e.csv"])
    r.extend(finding(row=i) for i in range(2, 12))
    md = r.to_markdown(max_rows=4)
    assert len(table_rows(md)) == 4
    assert "6 more findings not shown; run `kachin-events validate` locally for all." in md
    assert "more findings" not in r.to_markdown()


def test_markdown_links_rules_with_docs_url():
    r = Report(files=["e.csv"])
    r.add(finding())
    md = r.to_markdown(docs_url="https://example.org/kachin-events/")
    assert "[`date-order`](https://example.org/kachin-events/contributing/#rule-date-order)" in md


def test_rule_anchor_form_matches_docs():
    docs = (Path(__file__).resolve().parent.parent / "docs" / "methodology.md").read_text(encoding="utf-8")
    assert "contributing.md#rule-claims-span" in docs


def test_github_caps_annotations_errors_first():
    r = Report(files=["e.csv"])
    r.extend(finding(row=i, severity=WARNING, rule="possible-duplicate") for i in range(2, 5))
    r.extend(finding(row=i) for i in range(2, 26))
    r.add(Finding("bad.csv", None, None, None, "unreadable", ERROR, "is not UTF-8; save it as UTF-8"))
    lines = r.to_github().splitlines()
    errors = [ln for ln in lines if ln.startswith("::error")]
    warnings = [ln for ln in lines if ln.startswith("::warning")]
    assert len(errors) <= 10 and len(warnings) <= 10
    assert len(errors) == 10 and len(warnings) == 3
    assert errors[0].startswith("::error file=bad.csv,") and "unreadable" in errors[0]
    n_more = 25 - 9
    assert errors[-1].startswith("::error::") and f"{n_more} more findings are not annotated" in errors[-1]
    assert "--format markdown" in errors[-1]
    assert lines[-1].startswith("INVALID: 25 errors, 3 warnings")


def test_github_cut_warnings_only_is_a_warning():
    r = Report(files=["e.csv"])
    r.extend(finding(row=i, severity=WARNING, rule="possible-duplicate") for i in range(2, 14))
    lines = r.to_github().splitlines()
    assert not any(ln.startswith("::error") for ln in lines)
    assert lines[-2] == ("::warning::3 more findings are not annotated; the full report is in the job "
                         "summary (kachin-events validate --format markdown)")


def test_github_workbook_sheet_has_no_line():
    r = Report(files=["report.xlsx"])
    r.add(finding(file="report.xlsx[events]", row=3, value=None, message="ends before it starts"))
    r.add(finding(file="events.csv", row=4, value=None))
    lines = r.to_github().splitlines()
    assert lines[0] == ("::error file=report.xlsx,title=date-order date_end::"
                        "sheet events, row 3: ends before it starts")
    assert lines[1].startswith("::error file=events.csv,line=4,")


def test_cli_markdown_format():
    bad = DATA / "invalid" / "date-order__ends_before_it_starts"
    result = CliRunner().invoke(cli, ["validate", str(bad), "--format", "markdown", "--today", "2026-11-22"],
                                catch_exceptions=False)
    assert result.exit_code == 1
    assert result.output.startswith("## Validation: ❌ invalid")
    assert "| File | Row | Field | Value | Rule | Fix |" in result.output
    assert any("date-order" in row for row in table_rows(result.output))


def test_cli_markdown_links_from_environment():
    bad = DATA / "invalid" / "date-order__ends_before_it_starts"
    result = CliRunner(env={"KACHIN_EVENTS_DOCS_URL": "https://docs.example"}).invoke(
        cli, ["validate", str(bad), "--format", "markdown", "--today", "2026-11-22"], catch_exceptions=False)
    assert "(https://docs.example/contributing/#rule-date-order)" in result.output


def test_echo_report_falls_back_to_text():
    import click

    from kachin_events.cli._group import echo_report

    class Plain:
        def to_text(self):
            return "plain text"

    @click.command()
    def show():
        echo_report(Plain(), "markdown")

    assert CliRunner().invoke(show).output == "plain text\n"
