"""The published releases kept in the repository (``releases/``) never change.

The registry shipped with the package is the manifest: it lists every file of every
published release with its SHA-256 and size, and the zip's. A file of a published
release that changes or disappears, a file added to one, a release that is not
registered, or a registry, ``SHA256SUMS`` and ``datapackage.json`` that disagree fail
these tests. The version is inside the data, and ``versions`` lists the releases with
their dates, sizes and hashes.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

import kachin_events
from kachin_events.cli import cli
from kachin_events.release.layout import bundled_release, published_root, release_versions
from kachin_events.release.published import published_problems, releases, shipped_release
from kachin_events.release.verify import verify_release

ROOT = Path(__file__).resolve().parent.parent
RELEASES = ROOT / "releases"
REGISTRY = ROOT / "src" / "kachin_events" / "registry.json"


def _entries() -> list[dict]:
    return json.loads(REGISTRY.read_text(encoding="utf-8"))["versions"]


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _files(folder: Path) -> dict[str, Path]:
    return {p.relative_to(folder).as_posix(): p for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def copy(tmp_path) -> tuple[Path, Path]:
    """A private copy of releases/ and of the registry, safe to tamper with."""
    root, registry = tmp_path / "releases", tmp_path / "registry.json"
    shutil.copytree(RELEASES, root)
    shutil.copy(REGISTRY, registry)
    return root, registry


# -- what is published ------------------------------------------------------------------


def test_a_release_is_published_and_kept_in_the_repository():
    entries = _entries()
    assert entries, "the registry lists no published release"
    assert published_root() == RELEASES  # in a checkout, releases/ is what the package ships
    assert release_versions(RELEASES) == [e["version"] for e in entries]
    assert kachin_events.versions() == [e["version"] for e in entries]


def test_every_published_file_is_the_registered_one():
    """Read without the package's checks, which are what the other tests exercise."""
    for entry in _entries():
        folder = RELEASES / entry["version"]
        on_disk = _files(folder)
        assert set(on_disk) == set(entry["files"]), entry["version"]
        for rel, path in on_disk.items():
            assert _sha(path) == entry["files"][rel], rel
            assert path.stat().st_size == entry["bytes"][rel], rel
        sums = dict(reversed(line.split("  ", 1)) for line in (folder / "SHA256SUMS").read_text().splitlines())
        assert sums == {k: v for k, v in entry["files"].items() if k != "SHA256SUMS"}
        desc = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
        assert desc["version"] == entry["version"] and desc["created"] == entry["created"]
        for res in desc["resources"]:
            assert res["hash"] == f"sha256:{entry['files'][res['path']]}", res["path"]
        archive = RELEASES / entry["archive"]["path"]
        assert _sha(archive) == entry["archive"]["sha256"] and archive.stat().st_size == entry["archive"]["bytes"]


def test_published_releases_are_intact_and_verify():
    assert published_problems() == []
    for entry in _entries():
        assert verify_release(RELEASES / entry["version"]) == []


def test_the_version_is_inside_the_data():
    import pyarrow.parquet as pq

    for entry in _entries():
        v, folder = entry["version"], RELEASES / entry["version"]
        desc = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
        assert desc["version"] == v  # the CSV files' descriptor
        parquet = [r["path"] for r in desc["resources"] if r["format"] == "parquet"]
        assert parquet
        for rel in parquet:
            assert pq.read_schema(folder / rel).metadata[b"version"].decode() == v, rel


def test_bundled_release_finds_the_published_folders():
    for entry in _entries():
        assert bundled_release(entry["version"]) == RELEASES / entry["version"]
    assert bundled_release("999.0.0") is None
    with pytest.raises(ValueError, match="MAJOR.MINOR.PATCH"):
        bundled_release("../0.1.0")


def test_shipped_release_is_registered_and_bundled(tmp_path, monkeypatch):
    from kachin_events.release import registry

    for entry in _entries():
        assert shipped_release(entry["version"]) == RELEASES / entry["version"]
    assert shipped_release("999.0.0") is None
    # A folder of a version that is not registered is never read as a published release.
    empty = tmp_path / "registry.json"
    empty.write_text('{"versions": []}\n', encoding="utf-8")
    monkeypatch.setattr(registry, "DEFAULT_PATH", empty)
    assert all(shipped_release(e["version"]) is None for e in _entries())


def test_a_published_release_loads_offline_verified_against_the_registry(tmp_path, monkeypatch):
    """What ``load(version=...)`` does with a bundled release: every file checked, nothing fetched."""
    import socket

    import pyarrow.parquet as pq

    from kachin_events.fetch import Release

    def refuse(*args, **kwargs):
        raise AssertionError("no network")

    monkeypatch.setattr(socket, "socket", refuse)
    for entry in _entries():
        folder = shipped_release(entry["version"])
        shipped = Release(entry["version"], folder, offline=True, keep_bad=True)
        assert shipped.registered and shipped.all_files() == sorted(entry["files"])
        events = pq.read_table(shipped.fetch("parquet/events.parquet"))
        assert events.num_rows == len((folder / "csv" / "events.csv").read_text(encoding="utf-8").splitlines()) - 1


# -- the immutability check can fail ------------------------------------------------------


def _version(root: Path) -> str:
    return release_versions(root)[0]


def test_a_changed_file_is_caught(copy):
    root, registry = copy
    v = _version(root)
    target = root / v / "csv" / "events.csv"
    target.write_bytes(target.read_bytes().replace(b"KE000001", b"KE000099", 1))
    problems = published_problems(root, registry)
    assert any(f"{v}/csv/events.csv" in p and "never changes" in p for p in problems), problems


def test_a_missing_or_added_file_is_caught(copy):
    root, registry = copy
    v = _version(root)
    (root / v / "parquet" / "actors.parquet").unlink()
    (root / v / "notes.txt").write_text("extra", encoding="utf-8")
    problems = published_problems(root, registry)
    assert any("parquet/actors.parquet: missing" in p for p in problems), problems
    assert any("notes.txt: not in the registry" in p for p in problems), problems


def test_a_changed_zip_or_a_missing_release_is_caught(copy):
    root, registry = copy
    v = _version(root)
    zipped = root / f"kachin-events-{v}.zip"
    zipped.write_bytes(zipped.read_bytes()[:-1])
    assert any(zipped.name in p and "never changes" in p for p in published_problems(root, registry))
    shutil.rmtree(root / v)
    assert any(f"release {v} is registered" in p for p in published_problems(root, registry))


def test_an_unregistered_release_or_a_stray_folder_is_caught(copy):
    root, registry = copy
    v = _version(root)
    shutil.copytree(root / v, root / "9.0.0")
    (root / ".building-9.1.0-x").mkdir()
    problems = published_problems(root, registry)
    assert any("9.0.0: not in the registry" in p for p in problems), problems
    assert any(".building-9.1.0-x: not a published release" in p for p in problems), problems


def test_registry_sums_and_descriptor_that_disagree_are_caught(copy):
    root, registry = copy
    v = _version(root)
    doc = json.loads(registry.read_text(encoding="utf-8"))
    # A file changed together with SHA256SUMS and the registry, but not the descriptor:
    target = root / v / "csv" / "actors.csv"
    target.write_bytes(target.read_bytes() + b"\n")
    new = _sha(target)
    sums = root / v / "SHA256SUMS"
    sums.write_text(re.sub(r"^[0-9a-f]{64}(  csv/actors\.csv)$", new + r"\1", sums.read_text(), flags=re.M))
    entry = next(e for e in doc["versions"] if e["version"] == v)
    entry["files"]["csv/actors.csv"], entry["files"]["SHA256SUMS"] = new, _sha(sums)
    entry["bytes"]["csv/actors.csv"], entry["bytes"]["SHA256SUMS"] = target.stat().st_size, sums.stat().st_size
    registry.write_text(json.dumps(doc), encoding="utf-8")
    problems = published_problems(root, registry)
    assert len(problems) == 1 and "datapackage.json gives csv/actors.csv the SHA-256" in problems[0], problems


# -- versions -----------------------------------------------------------------------------


def test_releases_gives_dates_sizes_and_hashes():
    found = releases()
    assert [r.version for r in found] == [e["version"] for e in _entries()]
    for rel, entry in zip(found, _entries()):
        folder = RELEASES / rel.version
        assert rel.created == entry["created"] and rel.folder == folder
        assert rel.bytes == sum(p.stat().st_size for p in _files(folder).values())
        assert rel.sums_sha256 == _sha(folder / "SHA256SUMS")
        assert rel.archive["sha256"] == _sha(RELEASES / rel.archive["path"])


def test_versions_command_lists_dates_sizes_and_full_hashes():
    runner = CliRunner()
    text = runner.invoke(cli, ["versions"])
    assert text.exit_code == 0, text.output
    for entry in _entries():
        assert entry["version"] in text.output and entry["created"] in text.output
        assert entry["files"]["SHA256SUMS"] in text.output and entry["archive"]["sha256"] in text.output
        assert f"{sum(entry['bytes'].values()):,} bytes" in text.output
    listed = runner.invoke(cli, ["versions", "--files"])
    for entry in _entries():
        for rel, digest in entry["files"].items():
            assert re.search(rf"{digest}\s+{entry['bytes'][rel]}\s+{re.escape(rel)}$", listed.output, re.M), rel
    as_json = json.loads(runner.invoke(cli, ["versions", "--format", "json"]).output)
    assert [r["version"] for r in as_json] == [e["version"] for e in _entries()]
    assert all(r["bundled"] and r["sha256sums"] == e["files"]["SHA256SUMS"] for r, e in zip(as_json, _entries()))


def test_versions_command_with_no_release(tmp_path, monkeypatch):
    from kachin_events.release import registry

    empty = tmp_path / "registry.json"
    empty.write_text('{"versions": []}\n', encoding="utf-8")
    monkeypatch.setattr(registry, "DEFAULT_PATH", empty)
    result = CliRunner().invoke(cli, ["versions"])
    assert result.exit_code == 0 and "No release has been published yet" in result.output
    empty.write_text("{not json", encoding="utf-8")
    result = CliRunner().invoke(cli, ["versions"])
    assert result.exit_code == 2 and "cannot be read" in result.stderr


# -- the documentation ----------------------------------------------------------------------


def test_the_releases_page_lists_every_file_with_its_full_hash_and_how_to_check(monkeypatch):
    pytest.importorskip("matplotlib", reason="the docs extra is not installed (pip install -e '.[docs]')")
    monkeypatch.syspath_prepend(str(ROOT / "docs" / "hooks"))
    import kedocs_releases

    page = kedocs_releases.registry_md()
    for entry in _entries():
        assert f"### {entry['version']} " in page and entry["created"] in page
        for rel, digest in entry["files"].items():
            link = rf"\[`{re.escape(rel)}`\]\(releases/{re.escape(entry['version'])}/{re.escape(rel)}\)"
            assert re.search(rf"\| {link} \| {entry['bytes'][rel]:,} \| `{digest}` \|", page), rel
        assert entry["archive"]["sha256"] in page
    howto = (ROOT / "docs" / "releases.md").read_text(encoding="utf-8")
    assert "{{ke registry}}" in howto
    assert "sha256sum --check SHA256SUMS" in howto and "hashlib.sha256" in howto and "verify_release" in howto
