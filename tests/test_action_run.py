"""The reusable action, run step by step on a pull request of a temporary git repository.

A base commit holds a copy of the repository's data; a pull-request commit on a branch
adds an event, corrects one, retires one (with the project's own ``correct`` and
``retire`` commands) and adds a broken row. Then every ``run:`` step of ``action.yml``
runs, exactly as written, under bash with the environment GitHub Actions gives it
(``GITHUB_OUTPUT``, ``GITHUB_STEP_SUMMARY``, ``RUNNER_TEMP``, the step's ``env:``),
with the ``${{ ... }}`` expressions filled in the way the runner fills them. Only the
``uses:`` steps (setting up Python, uploading the artifact) and the pip install are not
run: the package under test is already installed. The test checks what a maintainer
would see: the annotations, the job summary, the comment body posted by
``pr-comment.yml`` and the step's failure.
"""

from __future__ import annotations

import csv
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import git as _git

from kachin_events.cli import cli

ROOT = Path(__file__).resolve().parent.parent
ACTION = ROOT / "action.yml"
MARKER = "<!-- kachin-events-report -->"
FOUR_FRONTS = "data/reports/kng-2026-02-four-fronts"
BHAMO = "data/reports/kng-2026-01-bhamo-bases"


def _load(path: Path):
    from ruamel.yaml import YAML

    return YAML(typ="safe", pure=True).load(path.read_text(encoding="utf-8"))


def _invoke(args: list[str]) -> None:
    from click.testing import CliRunner

    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output


def _append_rows(path: Path, rows: list[dict]) -> list[int]:
    """Append rows (as dicts) to a CSV file; return the lines they are on."""
    with path.open(newline="", encoding="utf-8") as fh:
        header = next(csv.reader(fh))
    first = len(path.read_text(encoding="utf-8").splitlines()) + 1
    with path.open("a", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        for row in rows:
            writer.writerow([row.get(h, "") for h in header])
    return list(range(first, first + len(rows)))


def _rows(path: Path) -> list[dict]:
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture
def pull_request(data_repo, tmp_path):
    """A git repository: main holds the data as published, branch ``pr`` changes it."""
    repo = data_repo
    _git(repo, "checkout", "-q", "-b", "pr")
    events = _rows(repo / FOUR_FRONTS / "events.csv")
    ids = sorted(e["event_id"] for e in _rows(repo / BHAMO / "events.csv") + events)
    nxt = [f"KE{int(ids[-1][2:]) + i:06d}" for i in (1, 2)]
    changed, retired = ids[2], ids[4]
    _invoke(["correct", changed, "fatalities_best", "5", "--reason", "A later report gives five dead.",
             "--date", "2026-12-01"])
    _invoke(["retire", retired, "--reason", "false", "--note", "No other source reports this clash.",
             "--date", "2026-12-01"])
    last = events[-1]
    lines = _append_rows(repo / FOUR_FRONTS / "events.csv", [
        dict(last, event_id=nxt[0], notes="A second clash at the same place, added by the test."),
        dict(last, event_id=nxt[1], event_type="Battle", notes="A broken row: the event type is misspelt."),
    ])
    claim = next(r for r in _rows(repo / FOUR_FRONTS / "event_sources.csv") if r["event_id"] == last["event_id"])
    _append_rows(repo / FOUR_FRONTS / "event_sources.csv", [dict(claim, event_id=i) for i in nxt])
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "pull request")
    return {"repo": repo, "added": nxt[0], "broken": nxt[1], "broken_line": lines[1],
            "changed": changed, "retired": retired, "tmp": tmp_path}


# -- a small runner for composite actions ---------------------------------------------------


class Runner:
    """Runs a composite action's ``run:`` steps as GitHub's runner would (bash, env, outputs)."""

    def __init__(self, repo: Path, inputs: dict, github: dict, tmp: Path):
        doc = _load(ACTION)
        self.inputs = {k: str(v.get("default", "")) for k, v in doc["inputs"].items()} | inputs
        self.steps = doc["runs"]["steps"]
        self.github, self.repo = github, repo
        self.summary, self.temp = tmp / "summary.md", tmp / "runner-temp"
        self.temp.mkdir()
        self.summary.write_text("")
        self.outputs: dict[str, dict[str, str]] = {}
        self.logs: dict[str, str] = {}
        self.skipped: list[str] = []
        self.uploads: list[dict] = []
        self.failed: str | None = None

    def value(self, expr: str) -> str:
        expr = expr.strip()
        if expr.startswith("inputs."):
            return self.inputs[expr[len("inputs."):]]
        m = re.fullmatch(r"steps\.([\w-]+)\.outputs\.([\w-]+)", expr)
        if m:
            return self.outputs.get(m[1], {}).get(m[2], "")
        if expr.startswith("github."):
            node = self.github
            for part in expr[len("github."):].split("."):
                node = node.get(part, "") if isinstance(node, dict) else ""
            return str(node)
        raise AssertionError(f"the test runner cannot evaluate ${{{{ {expr} }}}}")

    def fill(self, text: str) -> str:
        return re.sub(r"\$\{\{(.*?)\}\}", lambda m: self.value(m[1]), str(text))

    def condition(self, cond) -> bool:
        if cond is None:
            return True
        parts = [p.strip() for p in str(cond).split("&&")]
        for part in parts:
            m = re.fullmatch(r"([\w.-]+) (==|!=) '([^']*)'", part)
            assert m, f"the test runner cannot evaluate the condition {cond!r}"
            equal = self.value(m[1]) == m[3]
            if equal != (m[2] == "=="):
                return False
        return True

    def run(self) -> None:
        bin_dir = str(Path(sys.executable).parent)
        for step in self.steps:
            name = step.get("name") or step.get("uses")
            if self.failed or not self.condition(step.get("if")):
                self.skipped.append(name)
                continue
            if "uses" in step:
                if step["uses"].startswith("actions/upload-artifact"):
                    self.uploads.append({k: self.fill(v) for k, v in step["with"].items()})
                continue
            if step.get("name") == "Install kachin-events":
                # Installing is pip's business; the package under test is installed already.
                assert "pip install" in step["run"]
                continue
            out_file = self.temp / f"output-{len(self.logs)}"
            out_file.write_text("")
            env = {**os.environ, "PATH": bin_dir + os.pathsep + os.environ.get("PATH", ""),
                   "GITHUB_OUTPUT": str(out_file), "GITHUB_STEP_SUMMARY": str(self.summary),
                   "RUNNER_TEMP": str(self.temp), "GITHUB_ACTIONS": "true", "CI": "true"}
            env |= {k: self.fill(v) for k, v in (step.get("env") or {}).items()}
            # GitHub runs `shell: bash` as `bash --noprofile --norc -eo pipefail {0}`.
            script = self.temp / "step.sh"
            script.write_text(step["run"])
            done = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
                                  cwd=self.repo, env=env, capture_output=True, text=True, timeout=600)
            self.logs[name] = done.stdout + done.stderr
            if "id" in step:
                self.outputs[step["id"]] = dict(
                    line.split("=", 1) for line in out_file.read_text().splitlines() if "=" in line)
            if done.returncode != 0:
                self.failed = name


def test_the_action_on_a_pull_request(pull_request):
    pr = pull_request
    github = {"event_name": "pull_request", "event": {"pull_request": {"number": 17, "head": {"sha": "abc"}}}}
    runner = Runner(pr["repo"], {"base": "main", "check-format": "true", "docs-url": "https://docs.example.org/ke"},
                    github, pr["tmp"])
    runner.run()

    # The step fails, as the broken row must make it.
    assert runner.failed == "Fail if validation failed"
    assert runner.outputs["validate"]["exit-code"] == "1"
    assert runner.outputs["fmt"]["exit-code"] == "0"

    # Annotations: on the broken row's line of the file, with the rule and a fix.
    annotations = [line for line in runner.logs["Validate"].splitlines() if line.startswith("::")]
    assert annotations == [
        f"::error file={FOUR_FRONTS}/events.csv,line={pr['broken_line']},title=enum event_type::"
        + annotations[0].split("::", 2)[2]
    ]
    assert "Did you mean 'Battles'?" in annotations[0]

    # The job summary: verdict, counts, the findings table with a link to the rule, and the diff.
    summary = runner.summary.read_text(encoding="utf-8")
    assert "## Validation: ❌ invalid" in summary
    assert "**1** error, **0** warnings" in summary
    row = next(line for line in summary.splitlines() if line.startswith(f"| {FOUR_FRONTS}/events.csv |"))
    cells = [c.strip() for c in row.strip("|").split(" | ")]
    assert cells[:4] == [f"{FOUR_FRONTS}/events.csv", str(pr["broken_line"]), "`event_type`", "Battle"]
    assert "[`enum`](https://docs.example.org/ke/contributing/#rule-enum)" in cells[4]
    assert "## Data changes against the base `main`" in summary
    assert "**2** added, **1** changed (1 value), **1** retired, **0** removed" in summary
    added = summary.split("### Events added", 1)[1].split("###", 1)[0]
    assert f"`{pr['added']}`" in added and f"`{pr['broken']}`" in added
    changed = summary.split("### Events changed", 1)[1].split("###", 1)[0]
    assert re.search(rf"\| `{pr['changed']}` \| `fatalities_best` \| \*\(empty\)\* \| 5 \| {BHAMO}/events.csv line \d+ \|",
                     changed)
    retired = summary.split("### Events retired", 1)[1].split("###", 1)[0]
    assert f"| `{pr['retired']}` | false |" in retired

    # The comment: the same report with the marker that lets pr-comment.yml update it.
    folder = Path(runner.outputs["report"]["folder"])
    body = (folder / "report.md").read_text(encoding="utf-8")
    assert body.startswith(MARKER + "\n") and body in summary
    assert (folder / "pr-number.txt").read_text().strip() == "17"
    assert runner.uploads == [{"name": "kachin-events-report", "path": str(folder), "retention-days": "7"}]
    comment_js = next(s["with"]["script"] for s in _load(ROOT / ".github/workflows/pr-comment.yml")["jobs"]
                      ["comment"]["steps"] if "script" in s.get("with", {}))
    assert "report.startsWith(marker) ? report" in comment_js and "updateComment" in comment_js


def test_the_action_on_a_push_validates_without_diff_or_upload(pull_request):
    pr = pull_request
    # The broken row is fixed by its author; the push has no base and no pull request.
    events = pr["repo"] / FOUR_FRONTS / "events.csv"
    events.write_text(events.read_text(encoding="utf-8").replace(",Battle,", ",Battles,"), encoding="utf-8")
    runner = Runner(pr["repo"], {}, {"event_name": "push", "event": {}}, pr["tmp"])
    runner.run()
    assert runner.failed is None, runner.logs
    assert runner.outputs["validate"]["exit-code"] == "0"
    assert "Check the canonical layout" in runner.skipped
    assert runner.uploads == []
    summary = runner.summary.read_text(encoding="utf-8")
    assert "## Validation: ✅ valid" in summary and "Data changes" not in summary


def test_the_action_annotates_a_workbook_on_the_file_itself(pull_request):
    pr = pull_request
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "events"
    rows = list(csv.reader((pr["repo"] / FOUR_FRONTS / "events.csv").open(newline="", encoding="utf-8")))
    ws.append(rows[0])
    ws.append(rows[-1])  # the broken row
    wb.save(pr["repo"] / "submission.xlsx")
    runner = Runner(pr["repo"], {"paths": "submission.xlsx", "comment-artifact": ""},
                    {"event_name": "pull_request", "event": {"pull_request": {"number": 3}}}, pr["tmp"])
    runner.run()
    annotations = [line for line in runner.logs["Validate"].splitlines() if line.startswith("::error")]
    assert annotations and all(a.startswith("::error file=submission.xlsx,title=") for a in annotations)
    assert any("sheet events, row 2: 'Battle'" in a for a in annotations)
    assert runner.uploads == []
