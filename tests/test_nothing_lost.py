"""A failed operation of any command leaves the repository's files as they were.

Every command of the CLI is run, in a copy of the repository, in ways that must fail
(a broken submission, an unknown event, a version already published, a file that is
not what it claims); each must exit non-zero and leave every file of the copy (data,
descriptor, schemas, published releases, the registry) byte for byte as it was. A
hypothesis test feeds the commands that read a contributor's file arbitrary bytes.
"""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kachin_events.cli import cli

ROOT = Path(__file__).resolve().parent.parent
COPIED = ["datapackage.json", "schemas", "data", "releases", "requirements", "reference"]

#: command -> the arguments of a run that must fail ({tmp} is a scratch folder, {repo} the copy).
FAILING = {
    "add": ["add", "{tmp}/broken.csv"],
    "build": ["build", "--version", "0.0.9", "--out", "{repo}/releases"],
    "correct": ["correct", "KE999999", "notes", "new notes", "--reason", "a test"],
    "diff": ["diff", "0.1.0", "9.9.9", "--releases", "{repo}/releases"],
    "download": ["download", "--version", "9.9.9", "--dest", "{repo}/releases", "--unregistered", "error"],
    "export": ["export", "acled", "-o", "{repo}/data"],
    "fmt": ["fmt", "--package", "{tmp}/broken.csv"],
    "history": ["history", "KE999999", "--releases", "{repo}/releases"],
    "import-acled": ["import-acled", "{tmp}/broken.csv", "--out", "{repo}/data"],
    "import-ucdp": ["import-ucdp", "{tmp}/broken.csv", "--out", "{repo}/data"],
    "register": ["register", "{tmp}/not-a-release", "--registry", "{repo}/registry.json"],
    "retire": ["retire", "KE999999", "--reason", "duplicate", "--merged-into", "KE000001", "--note", "a test"],
    "template": ["template", "{repo}/datapackage.json"],
    "validate": ["validate", "{tmp}/broken.csv"],
    "verify": ["verify", "{tmp}/not-a-release"],
    "versions": ["versions", "--format", "no-such-format"],
}


def _digests(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file() and "__pycache__" not in p.parts}


@pytest.fixture(scope="module")
def pristine(tmp_path_factory) -> Path:
    repo = tmp_path_factory.mktemp("pristine") / "repo"
    repo.mkdir()
    for name in COPIED:
        src = ROOT / name
        (shutil.copytree if src.is_dir() else shutil.copy2)(src, repo / name)
    shutil.copy2(ROOT / "src" / "kachin_events" / "registry.json", repo / "registry.json")
    return repo


@pytest.fixture
def repo(pristine, tmp_path, monkeypatch) -> Path:
    copy = tmp_path / "repo"
    shutil.copytree(pristine, copy)
    monkeypatch.chdir(copy)
    return copy


def _run(args: list[str], repo: Path, tmp: Path):
    (tmp / "not-a-release").mkdir(exist_ok=True)
    (tmp / "not-a-release" / "SHA256SUMS").write_bytes(b"\xff\xfe not text")
    return CliRunner().invoke(cli, [a.format(tmp=tmp, repo=repo) for a in args])


def test_every_command_has_a_failing_run():
    assert set(FAILING) == set(cli.commands)


@pytest.mark.parametrize("name", sorted(FAILING))
def test_a_failed_command_changes_no_file(name, repo, tmp_path):
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    (scratch / "broken.csv").write_bytes(b"event_id,date_start\nKE000001,not a date\n\x00\x00")
    before = _digests(repo)
    result = _run(FAILING[name], repo, scratch)
    assert result.exit_code in (1, 2), (name, result.exit_code, result.output)
    assert not isinstance(result.exception, Exception) or isinstance(result.exception, SystemExit), result.exception
    assert _digests(repo) == before, name


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=300), command=st.sampled_from(["add", "validate", "import-acled", "import-ucdp"]),
       suffix=st.sampled_from([".csv", ".xlsx", ".json"]))
def test_arbitrary_bytes_never_change_the_repository(repo, tmp_path, data, command, suffix):
    scratch = tmp_path / f"h{abs(hash((data, command, suffix)))}"
    scratch.mkdir(exist_ok=True)
    path = scratch / f"submission{suffix}"
    path.write_bytes(data)
    args = {"add": ["add", str(path)], "validate": ["validate", str(path)],
            "import-acled": ["import-acled", str(path), "--out", str(scratch / "out")],
            "import-ucdp": ["import-ucdp", str(path), "--out", str(scratch / "out")]}[command]
    before = _digests(repo)
    result = CliRunner().invoke(cli, args)
    # A few hundred arbitrary bytes are never a whole valid submission: invalid or unreadable.
    assert result.exit_code in (1, 2), (command, data, result.output)
    assert not isinstance(result.exception, Exception) or isinstance(result.exception, SystemExit), result.exception
    assert _digests(repo) == before
