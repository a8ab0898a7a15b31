"""The GitHub workflows, the reusable action and the pre-commit hooks, checked offline.

The files are validated against the GitHub schemas bundled with check-jsonschema (no
network), then read as data to check what a schema cannot: no untrusted expression
reaches a shell, the comment workflow never runs the pull request's code, and every
``kachin-events`` command and option they call exists.
"""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
EXAMPLES = sorted((ROOT / "docs" / "examples").glob("*.yml"))
ACTION = ROOT / "action.yml"
HOOKS = ROOT / ".pre-commit-hooks.yaml"
CHECK_JSONSCHEMA = Path(sys.executable).parent / "check-jsonschema"
COMMAND = re.compile(r"kachin-events[ \t]+([^\n;|&>]*)")


def _load(path: Path):
    """Read YAML safely (YAML 1.2, so a workflow's ``on:`` stays a string key)."""
    from ruamel.yaml import YAML

    return YAML(typ="safe", pure=True).load(path.read_text(encoding="utf-8"))


def _steps(doc) -> list[dict]:
    """Every step of a workflow's jobs, or of a composite action."""
    if "jobs" in doc:
        return [s for job in doc["jobs"].values() for s in job.get("steps", [])]
    return list(doc["runs"].get("steps", []))


def _scripts() -> list[tuple[str, str]]:
    """(file name, shell text) for every run: step and every pre-commit entry."""
    found = [(p.name, s["run"]) for p in [*WORKFLOWS, *EXAMPLES, ACTION] for s in _steps(_load(p)) if "run" in s]
    found += [(HOOKS.name, hook["entry"]) for hook in _load(HOOKS)]
    return found


def test_the_files_exist():
    names = {p.name for p in WORKFLOWS}
    assert {"ci.yml", "data.yml", "pr-comment.yml"} <= names
    assert [p.name for p in EXAMPLES] == ["kachin-events-data.yml"]
    assert ACTION.is_file() and HOOKS.is_file()


@pytest.mark.parametrize(("schema", "paths"), [
    ("vendor.github-workflows", [*WORKFLOWS, *EXAMPLES]),
    ("vendor.github-actions", [ACTION]),
], ids=["workflows", "action"])
def test_files_match_the_github_schemas(schema, paths):
    if not CHECK_JSONSCHEMA.exists():
        pytest.skip(f"check-jsonschema is not installed next to {sys.executable} "
                    "(pip install 'check-jsonschema>=0.29,<1', part of the dev extra)")
    proc = subprocess.run([str(CHECK_JSONSCHEMA), "--builtin-schema", schema, *map(str, paths)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_no_untrusted_expression_in_a_shell_or_script():
    for path in [*WORKFLOWS, *EXAMPLES, ACTION]:
        for step in _steps(_load(path)):
            code = step.get("run", "") + str(step.get("with", {}).get("script", ""))
            for expr in re.findall(r"\$\{\{(.*?)\}\}", code, flags=re.S):
                assert "github.event." not in expr and "inputs." not in expr, (
                    f"{path.name}: step {step.get('name', step.get('uses'))!r} interpolates "
                    f"${{{{{expr}}}}} into its script; pass it through env: instead")


def test_comment_workflow_never_checks_out_the_pull_request():
    doc = _load(ROOT / ".github" / "workflows" / "pr-comment.yml")
    uses = [s.get("uses", "") for s in _steps(doc)]
    assert not [u for u in uses if u.startswith("actions/checkout")]
    assert doc["on"]["workflow_run"]["workflows"] == [_load(ROOT / ".github" / "workflows" / "data.yml")["name"]]
    assert doc["on"]["workflow_run"]["workflows"] == [_load(ROOT / "docs" / "examples" / "kachin-events-data.yml")["name"]]
    artifact = next(s["with"]["name"] for s in _steps(doc) if "download-artifact" in s.get("uses", ""))
    assert artifact == _load(ACTION)["inputs"]["comment-artifact"]["default"]
    script = next(s["with"]["script"] for s in _steps(doc) if "github-script" in s.get("uses", ""))
    assert "<!-- kachin-events-report -->" in script
    assert "^[0-9]" in script  # the PR number is checked to be digits only


def test_ci_token_is_read_only():
    doc = _load(ROOT / ".github" / "workflows" / "ci.yml")
    assert doc["permissions"] == {"contents": "read"}


def test_every_kachin_events_command_and_option_exists():
    from kachin_events.cli import cli

    calls = [(name, m.group(1)) for name, text in _scripts() for m in COMMAND.finditer(text)]
    assert calls, "no kachin-events command found in the CI files"
    for name, rest in calls:
        words = shlex.split(rest.replace("||", " "), comments=True)
        command = cli.commands.get(words[0]) if words else None
        assert command is not None, f"{name}: 'kachin-events {rest}' names no kachin-events command"
        known = {opt for p in command.params for opt in p.opts}
        for word in words[1:]:
            if word.startswith("--"):
                assert word.split("=")[0] in known, f"{name}: 'kachin-events {rest}': no option {word}"


def test_ci_runs_the_readme_test_command():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    runs = [s["run"].strip() for s in _steps(_load(ROOT / ".github" / "workflows" / "ci.yml")) if "run" in s]
    assert runs and all(r in readme for r in runs), runs


def test_the_example_for_other_repositories_is_the_data_workflow():
    """The copy people take differs from this repository's own data workflow only where it must."""
    ours = _load(ROOT / ".github" / "workflows" / "data.yml")
    theirs = _load(ROOT / "docs" / "examples" / "kachin-events-data.yml")
    step_ours = next(s for s in _steps(ours) if s.get("uses") == "./")
    step_theirs = next(s for s in _steps(theirs) if s.get("uses", "").startswith("OWNER/kachin-events@"))
    assert step_ours["with"].pop("package") == ".[validate]"  # this checkout, with the extra validation needs
    assert set(step_theirs["with"].pop("version")) and step_ours["with"] == step_theirs["with"]
    step_ours["uses"] = step_theirs["uses"]
    assert ours == theirs
    inputs = _load(ACTION)["inputs"]
    assert set(step_theirs["with"]) <= set(inputs)


def test_the_guide_shows_the_files_to_copy():
    guide = (ROOT / "docs" / "contributing.md").read_text(encoding="utf-8")
    assert "<!-- ke: file docs/examples/kachin-events-data.yml -->" in guide
    assert "<!-- ke: file .github/workflows/pr-comment.yml -->" in guide


def test_what_the_action_and_hooks_install_includes_the_validate_extra():
    """Validation needs the validate extra: the action and every pre-commit hook install it."""
    inputs = _load(ACTION)["inputs"]
    assert inputs["package"]["default"] == "kachin-events[validate]"
    for hook in _load(HOOKS):
        assert ".[validate]" in hook.get("additional_dependencies", []), hook["id"]
    step = next(s for s in _steps(_load(ROOT / ".github" / "workflows" / "data.yml")) if s.get("uses") == "./")
    assert step["with"]["package"].endswith("[validate]")
