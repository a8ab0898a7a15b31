"""``kachin-events diff --base``: what a branch changes in the data, against its base."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from kachin_events.cli import cli
from kachin_events.contrib.changes import changes_markdown, diff_with_base

ROOT = Path(__file__).resolve().parent.parent
EVENTS = "data/reports/kng-2026-02-four-fronts/events.csv"


@pytest.fixture
def repo(data_repo):
    return data_repo


def test_reordering_rows_and_reformatting_numbers_is_no_change(repo):
    path = repo / EVENTS
    lines = path.read_text(encoding="utf-8").splitlines()
    body = [line.replace(",25.6128,", ",25.612800,") for line in lines[1:]]
    assert body != lines[1:]
    path.write_text("\n".join([lines[0], *reversed(body)]) + "\n", encoding="utf-8")
    d = diff_with_base(None, "main")
    assert all(t.empty for t in d.tables.values())
    assert changes_markdown(d).endswith("No records added, changed or removed.\n")


def test_a_changed_value_is_shown_with_its_file_and_line(repo):
    path = repo / EVENTS
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines()
    first = lines[1].split(",")
    lines[1] = ",".join([first[0], first[1], "2026-02-11", *first[3:]])
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    d = diff_with_base(None, "main")
    assert d.events.changed == {(first[0],): {"date_end": (first[2], "2026-02-11")}}
    md = changes_markdown(d)
    assert f"| `{first[0]}` | `date_end` | {first[2]} | 2026-02-11 | {EVENTS} line 2 |" in md


def test_long_lists_are_cut_and_counted(repo):
    path = repo / EVENTS
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join(lines[:1]) + "\n", encoding="utf-8")  # every event of the report removed
    d = diff_with_base(None, "main")
    removed = len(lines) - 1
    assert len(d.unrecorded) == removed > 2
    md = changes_markdown(d, max_items=2)
    assert md.count("\n- `KE") == 2
    assert f"{removed - 2} more removed events not shown" in md


@pytest.mark.parametrize("args", [
    ["diff"], ["diff", "0.1.0"], ["diff", "0.1.0", "0.2.0", "--base", "main"], ["diff", "0.1.0", "0.2.0", "--package", "."],
])
def test_diff_usage_errors_exit_2(args):
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 2, result.output


def test_an_unknown_base_exits_2_with_the_reason(repo):
    result = CliRunner().invoke(cli, ["diff", "--base", "no-such-branch"])
    assert result.exit_code == 2
    assert "no-such-branch" in result.output and "is not a branch, tag or commit" in result.output


def test_diff_base_json_lists_the_changes(repo):
    import json

    path = repo / EVENTS
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join(lines[:-1]) + "\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["diff", "--base", "main", "--format", "json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    assert doc["old"] == "main" and doc["events"]["removed"] == [lines[-1].split(",")[0]]
