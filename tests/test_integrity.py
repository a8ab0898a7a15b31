"""Integrity of releases: the descriptor, SHA256SUMS and the registry must agree; hashes are
SHA-256 only; paths stay inside the release folder; downloads are all or nothing.

Releases are served by a real HTTP server on 127.0.0.1 (tests/conftest.py). Every bad
hash below is the *correct* digest of the file in a forbidden form (its MD5, its SHA-256
in uppercase, without its prefix ...), so that only a strict check can refuse it: a
loader that verified whatever algorithm it was given would load the file.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from types import SimpleNamespace

import pytest
from click.testing import CliRunner

from conftest import RELEASE_VERSION as V
from kachin_events.release.verify import verify_release
from kachin_events.cli import cli
from kachin_events.integrity import (
    HashFormatError,
    agreed_hashes,
    check_sha256,
    descriptor_sha256,
    parse_sha256sums,
    safe_relpath,
)
from kachin_events.loader import (
    HashMismatchError,
    ReleaseRefusedError,
    UnregisteredReleaseError,
    UnregisteredReleaseWarning,
    download,
    load,
)
from kachin_events.release.registry import RegistryError, get_entry, register_release, sha256_file, versions

ROOT = Path(__file__).resolve().parent.parent

# Fragments of the messages users see; docs/integrity.md must explain each one
# (test_the_docs_explain_every_refusal).
REFUSED = "was refused"
UNREGISTERED = "verified against its own descriptor only"
NOT_SHA256 = "is not a SHA-256"
NOT_DESCRIPTOR_SHA256 = "is not 'sha256:<64 lowercase hex digits>'"
DP_VS_SUMS = "SHA256SUMS lists datapackage.json with SHA-256"
VS_SUMS = "but SHA256SUMS lists"
VS_REGISTRY = "but the registry says"
UNSAFE = "unsafe path"
LINK = "is a symbolic link"
INCOMPLETE = "is not a complete copy of release"
RECOMMENDED = "unregistered='error'"
FRAGMENTS = [REFUSED, UNREGISTERED, NOT_SHA256, NOT_DESCRIPTOR_SHA256, DP_VS_SUMS, VS_SUMS, VS_REGISTRY, UNSAFE,
             LINK, INCOMPLETE, RECOMMENDED]

ignore_unregistered = pytest.mark.filterwarnings("ignore::kachin_events.integrity.UnregisteredReleaseWarning")


# -- helpers ---------------------------------------------------------------------------
def _files(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()} if folder.exists() else set()


def _tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _desc(rel: Path) -> dict:
    return json.loads((rel / "datapackage.json").read_text(encoding="utf-8"))


def _write_desc(rel: Path, desc: dict) -> None:
    (rel / "datapackage.json").write_text(json.dumps(desc, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def _sums(rel: Path) -> dict[str, str]:
    """SHA256SUMS read without the package's parser (which is under test)."""
    lines = (rel / "SHA256SUMS").read_text(encoding="utf-8").splitlines()
    return {path: digest for digest, _, path in (line.partition("  ") for line in lines if line)}


def _write_sums(rel: Path, sums: dict[str, str]) -> None:
    (rel / "SHA256SUMS").write_text("".join(f"{h}  {p}\n" for p, h in sorted(sums.items())), encoding="utf-8")


def _set_resource(rel: Path, res_path: str, /, **changes) -> None:
    desc = _desc(rel)
    (res,) = [r for r in desc["resources"] if r["path"] == res_path]
    for key, value in changes.items():
        if value is None:
            res.pop(key, None)
        else:
            res[key] = value
    _write_desc(rel, desc)


def _resync(rel: Path, *paths: str) -> None:
    """Make SHA256SUMS list the current hash of ``paths`` (what a careful attacker does)."""
    sums = _sums(rel)
    sums.update({p: sha256_file(rel / p) for p in paths})
    _write_sums(rel, sums)


def _tamper(rel: Path, path: str = "parquet/events.parquet") -> SimpleNamespace:
    """Change a file and give it the matching new hash in datapackage.json."""
    f = rel / path
    old, old_dp = sha256_file(f), sha256_file(rel / "datapackage.json")
    f.write_bytes(f.read_bytes() + b"tampered")
    new = sha256_file(f)
    _set_resource(rel, path, hash=f"sha256:{new}", bytes=f.stat().st_size)
    return SimpleNamespace(old=old, new=new, old_dp=old_dp, new_dp=sha256_file(rel / "datapackage.json"))


def _forms(data: bytes) -> dict[str, str]:
    """The right digest of ``data`` in every form a SHA-256 check must refuse."""
    sha = hashlib.sha256(data).hexdigest()
    return {"md5": hashlib.md5(data).hexdigest(), "uppercase": sha.upper(), "short": sha[:63],
            "prefixed": f"sha256:{sha}", "sha1": f"sha1:{hashlib.sha1(data).hexdigest()}"}


# -- the tampering scenario: a changed Parquet file with a matching changed hash --
@pytest.mark.parametrize("tool", ["load", "download"])
def test_tampered_file_with_matching_descriptor_refused_when_sha256sums_disagrees(
        release_base, registry_file, serve, tmp_path, tool):
    t = _tamper(release_base / V)
    server = serve(release_base)
    with pytest.raises(HashMismatchError) as err:
        if tool == "load":
            load("events", version=V, base_url=server.url, cache_dir=tmp_path / "c")
        else:
            download(V, tmp_path / "d", base_url=server.url, progress=False)
    msg = str(err.value)
    assert REFUSED in msg and DP_VS_SUMS in msg and t.old_dp in msg and t.new_dp in msg
    assert f"/{V}/parquet/events.parquet" not in server.requests  # refused before any data file
    assert _files(tmp_path / "c" / V) == set()  # nothing vouches for the pair: not kept in the cache
    assert not (tmp_path / "d").exists()


@ignore_unregistered
def test_tampered_file_refused_when_sha256sums_vouches_only_for_the_descriptor(
        release_base, registry_file, serve, tmp_path):
    t = _tamper(release_base / V)
    _resync(release_base / V, "datapackage.json")
    server = serve(release_base)
    with pytest.raises(HashMismatchError) as err:
        load("events", version=V, base_url=server.url, cache_dir=tmp_path / "c")
    msg = str(err.value)
    assert "parquet/events.parquet" in msg and VS_SUMS in msg and t.new in msg and t.old in msg


def test_tampered_release_refused_by_the_registry_even_when_all_its_lists_agree(
        release_base, registry_file, serve, tmp_path):
    server = serve(release_base)
    register_release(release_base / V, url=server.url)
    t = _tamper(release_base / V)
    _resync(release_base / V, "datapackage.json", "parquet/events.parquet")
    for tool in ("load", "download"):
        with pytest.raises(HashMismatchError) as err:
            if tool == "load":
                load("events", version=V, cache_dir=tmp_path / "c")
            else:
                download(V, tmp_path / "d", progress=False)
        msg = str(err.value)
        assert "datapackage.json" in msg and VS_REGISTRY.split()[-1] in msg and t.new_dp in msg and t.old_dp in msg
    assert f"/{V}/parquet/events.parquet" not in server.requests
    assert not (tmp_path / "d").exists()


def test_registry_that_vouches_for_a_tampered_descriptor_still_refuses_the_file(
        release_base, registry_file, serve, tmp_path):
    server = serve(release_base)
    entry = register_release(release_base / V, url=server.url)
    t = _tamper(release_base / V)
    _resync(release_base / V, "datapackage.json")
    # A registry that agrees with the served descriptor and SHA256SUMS but not with the data file.
    entry["files"]["datapackage.json"] = t.new_dp
    entry["files"]["SHA256SUMS"] = sha256_file(release_base / V / "SHA256SUMS")
    registry_file.write_text(json.dumps({"versions": [entry]}), encoding="utf-8")
    with pytest.raises(HashMismatchError) as err:
        load("events", version=V, cache_dir=tmp_path / "c")
    msg = str(err.value)
    assert "parquet/events.parquet" in msg and VS_REGISTRY in msg and t.new in msg and t.old in msg


def test_sha256sums_that_disagrees_with_the_registry_is_refused(release_base, registry_file, serve, tmp_path):
    server = serve(release_base)
    entry = register_release(release_base / V, url=server.url)
    entry["files"]["CHANGELOG.md"] = "c" * 64
    registry_file.write_text(json.dumps({"versions": [entry]}), encoding="utf-8")
    with pytest.raises(HashMismatchError) as err:
        load("events", version=V, cache_dir=tmp_path / "c")
    msg = str(err.value)
    assert "CHANGELOG.md" in msg and VS_REGISTRY in msg and "c" * 64 in msg
    assert sha256_file(release_base / V / "CHANGELOG.md") in msg


def test_agreement_refuses_files_one_list_has_and_another_lacks():
    a, b, c = "a" * 64, "b" * 64, "c" * 64
    sums = {"x.csv": a, "datapackage.json": b}
    with pytest.raises(HashMismatchError, match="describes y.csv, which SHA256SUMS does not list"):
        agreed_hashes(V, {"y.csv": a}, sums, descriptor_sha=b, sums_sha=c)
    with pytest.raises(HashMismatchError, match="the registry lists z.csv"):
        agreed_hashes(V, {}, sums, descriptor_sha=b, sums_sha=c,
                      registry={"x.csv": a, "datapackage.json": b, "SHA256SUMS": c, "z.csv": a})
    with pytest.raises(HashMismatchError, match="SHA256SUMS lists x.csv .* which the registry does not"):
        agreed_hashes(V, {}, sums, descriptor_sha=b, sums_sha=c, registry={"datapackage.json": b, "SHA256SUMS": c})
    with pytest.raises(HashMismatchError, match="does not list datapackage.json"):
        agreed_hashes(V, {}, {"x.csv": a}, descriptor_sha=b, sums_sha=c)
    assert agreed_hashes(V, {"x.csv": a}, sums, descriptor_sha=b, sums_sha=c,
                         registry={"x.csv": a, "datapackage.json": b, "SHA256SUMS": c}) == \
        {"SHA256SUMS": c, "datapackage.json": b, "x.csv": a}


# -- versions not in the registry ----------------------------------------------------------
def test_unregistered_version_loads_with_a_warning(release_base, registry_file, serve, tmp_path):
    server = serve(release_base)
    with pytest.warns(UnregisteredReleaseWarning) as caught:
        frame = load("actors", version=V, base_url=server.url, cache_dir=tmp_path / "c")
    assert len(frame) > 0
    (w,) = [w for w in caught if issubclass(w.category, UnregisteredReleaseWarning)]
    assert issubclass(w.category, UserWarning)
    assert UNREGISTERED in str(w.message) and RECOMMENDED in str(w.message)
    assert w.filename == __file__  # it points at the caller's line, not into the package


def test_unregistered_error_refuses_before_anything_is_fetched(release_base, registry_file, serve, tmp_path):
    server = serve(release_base)
    for call in (lambda: load("actors", version=V, base_url=server.url, cache_dir=tmp_path / "c",
                              unregistered="error"),
                 lambda: download(V, tmp_path / "d", base_url=server.url, progress=False, unregistered="error")):
        with pytest.raises(UnregisteredReleaseError) as err:
            call()
        assert REFUSED in str(err.value) and "not in the registry" in str(err.value)
    assert server.requests == []
    assert not (tmp_path / "c").exists() and not (tmp_path / "d").exists()
    with pytest.raises(ValueError, match="unregistered='ignore'"):
        load("actors", version=V, base_url=server.url, cache_dir=tmp_path / "c", unregistered="ignore")


def test_registered_version_loads_without_warning_even_with_unregistered_error(hosted_registered, tmp_path):
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert len(load("actors", version=V, cache_dir=tmp_path / "c", unregistered="error")) > 0


@pytest.fixture
def hosted_registered(release_base, serve, registry_file):
    server = serve(release_base)
    register_release(release_base / V, url=server.url)
    return server


def test_cli_download_unregistered(release_base, registry_file, serve, tmp_path):
    server = serve(release_base)
    runner = CliRunner()
    base = ["download", "--version", V, "--base-url", server.url, "--no-progress"]
    warned = runner.invoke(cli, [*base, "--dest", str(tmp_path / "a")])
    assert warned.exit_code == 0, warned.output
    assert "warning:" in warned.stderr and UNREGISTERED in warned.stderr
    refused = runner.invoke(cli, [*base, "--dest", str(tmp_path / "b"), "--unregistered", "error"])
    assert refused.exit_code == 1 and REFUSED in refused.stderr and "Traceback" not in refused.output
    assert not (tmp_path / "b").exists()
    bad = runner.invoke(cli, [*base, "--dest", str(tmp_path / "c"), "--unregistered", "maybe"])
    assert bad.exit_code == 2 and not (tmp_path / "c").exists()


@ignore_unregistered
def test_corrupted_cached_sha256sums_of_unregistered_version_is_fetched_again(
        release_base, registry_file, serve, tmp_path):
    server = serve(release_base)
    cache = tmp_path / "c"
    load("actors", version=V, base_url=server.url, cache_dir=cache)
    sums = cache / V / "SHA256SUMS"
    sums.write_text(sums.read_text(encoding="utf-8").replace("datapackage.json", "datapackage.jsn"), encoding="utf-8")
    asked = len(server.requests)
    assert len(load("actors", version=V, base_url=server.url, cache_dir=cache)) > 0
    assert server.requests[asked:] == [f"/{V}/datapackage.json", f"/{V}/SHA256SUMS"]
    assert sums.read_bytes() == (release_base / V / "SHA256SUMS").read_bytes()


# -- hashes are SHA-256, in one spelling, wherever they are read ---------------------------
@pytest.mark.parametrize(("value", "why"), [
    ("d41d8cd98f00b204e9800998ecf8427e", "MD5"),
    ("D41D8CD98F00B204E9800998ECF8427E", "MD5"),
    ("E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855", "uppercase"),
    ("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b85", "63 hex digits"),
    ("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b8555", "65 hex digits"),
    ("sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", "algorithm 'sha256'"),
    ("sha1:da39a3ee5e6b4b0d3255bfef95601890afd80709", "algorithm 'sha1'"),
    ("", "not hexadecimal"),
    ("z" * 64, "not hexadecimal"),
    (None, "NoneType"),
])
def test_bare_sha256_formats(value, why):
    with pytest.raises(HashFormatError, match=NOT_SHA256) as err:
        check_sha256(value, "somewhere")
    assert why in str(err.value) and "somewhere" in str(err.value)


@pytest.mark.parametrize(("value", "why"), [
    ("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", "without an algorithm prefix is an MD5"),
    ("d41d8cd98f00b204e9800998ecf8427e", "without an algorithm prefix is an MD5"),
    ("md5:d41d8cd98f00b204e9800998ecf8427e", "'md5' is not SHA-256"),
    ("sha512:" + "0" * 128, "'sha512' is not SHA-256"),
    ("SHA256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", "prefix in lowercase"),
    ("sha256:E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855", "uppercase"),
    ("sha256:e3b0c442", "8 hex digits"),
    ("sha256:d41d8cd98f00b204e9800998ecf8427e", "MD5"),
    (None, "has no hash"),
    (123, "not text"),
])
def test_descriptor_hash_formats(value, why):
    with pytest.raises(HashFormatError) as err:
        descriptor_sha256(value, "datapackage.json, resource 'x'")
    assert why in str(err.value) and "resource 'x'" in str(err.value)
    assert descriptor_sha256("sha256:" + "0" * 64, "x") == "0" * 64


@pytest.mark.parametrize("form", ["md5", "uppercase", "short", "sha1", "bare", "SHA256-prefix"])
def test_descriptor_hash_not_sha256_refuses_the_release(release_base, registry_file, serve, tmp_path, form):
    rel = release_base / V
    data = (rel / "parquet" / "events.parquet").read_bytes()
    sha = hashlib.sha256(data).hexdigest()
    value = {"md5": f"md5:{hashlib.md5(data).hexdigest()}", "uppercase": f"sha256:{sha.upper()}",
             "short": f"sha256:{sha[:63]}", "sha1": f"sha1:{hashlib.sha1(data).hexdigest()}", "bare": sha,
             "SHA256-prefix": f"SHA256:{sha}"}[form]
    _set_resource(rel, "parquet/events.parquet", hash=value)
    _resync(rel, "datapackage.json")  # otherwise consistent: only the hash's form is wrong
    server = serve(release_base)
    with pytest.raises(ReleaseRefusedError) as err:
        load("events", version=V, base_url=server.url, cache_dir=tmp_path / "c")
    msg = str(err.value)
    assert REFUSED in msg and NOT_DESCRIPTOR_SHA256 in msg and "events-parquet" in msg and repr(value) in msg
    assert f"/{V}/parquet/events.parquet" not in server.requests
    problems = verify_release(rel)
    assert any("events-parquet" in p and NOT_DESCRIPTOR_SHA256 in p for p in problems), problems
    with pytest.raises(ValueError, match="events-parquet"):
        register_release(rel)
    assert versions() == []


@pytest.mark.parametrize("form", ["md5", "uppercase", "short", "prefixed", "sha1"])
def test_sha256sums_hash_not_sha256_refuses_the_release(release_base, registry_file, serve, tmp_path, form):
    rel = release_base / V
    sums = _sums(rel)
    sums["csv/actors.csv"] = _forms((rel / "csv" / "actors.csv").read_bytes())[form]
    _write_sums(rel, sums)
    server = serve(release_base)
    with pytest.raises(ReleaseRefusedError) as err:
        load("actors", version=V, base_url=server.url, cache_dir=tmp_path / "c")
    msg = str(err.value)
    assert REFUSED in msg and NOT_SHA256 in msg and "SHA256SUMS, line 3" in msg
    with pytest.raises(HashFormatError, match=r"SHA256SUMS, line 3: hash .* is not a SHA-256"):
        register_release(rel)
    assert any("line 3" in p and NOT_SHA256 in p for p in verify_release(rel))
    with pytest.raises(HashFormatError):
        parse_sha256sums((rel / "SHA256SUMS").read_text(encoding="utf-8"))


@pytest.mark.parametrize("form", ["md5", "uppercase", "short", "prefixed", "sha1"])
def test_registry_hash_not_sha256_is_refused(release_base, registry_file, serve, tmp_path, form):
    server = serve(release_base)
    entry = register_release(release_base / V, url=server.url)
    entry["files"]["parquet/actors.parquet"] = _forms((release_base / V / "parquet" / "actors.parquet").read_bytes())[form]
    registry_file.write_text(json.dumps({"versions": [entry]}), encoding="utf-8")
    where = f"{registry_file}, version {V}, file 'parquet/actors.parquet'"
    for call in (versions, lambda: get_entry(V), lambda: load("actors", version=V, cache_dir=tmp_path / "c"),
                 lambda: register_release(release_base / V)):
        with pytest.raises(ValueError) as err:
            call()
        assert where in str(err.value) and NOT_SHA256 in str(err.value)
    assert server.requests == []
    for args in (["download", "--version", V, "--dest", str(tmp_path / "d"), "--no-progress"],
                 ["register", str(release_base / V), "--registry", str(registry_file)]):
        result = CliRunner().invoke(cli, args)
        assert result.exit_code == 2, result.output  # an unreadable input, named
        assert where in result.stderr and NOT_SHA256 in result.stderr and "Traceback" not in result.output


def test_registry_archive_hash_and_paths_are_checked(registry_file):
    entry = {"version": V, "base_url": None, "created": "", "files": {"datapackage.json": "a" * 64},
             "archive": {"path": f"kachin-events-{V}.zip", "sha256": "A" * 64}}
    registry_file.write_text(json.dumps({"versions": [entry]}), encoding="utf-8")
    with pytest.raises(RegistryError, match="archive .*uppercase"):
        versions()
    entry["archive"] = None
    entry["files"] = {"../../etc/passwd": "a" * 64}
    registry_file.write_text(json.dumps({"versions": [entry]}), encoding="utf-8")
    with pytest.raises(ValueError, match=UNSAFE):
        versions()


# -- paths and links -------------------------------------------------------------------------
@pytest.mark.parametrize("bad", ["../evil.parquet", "/tmp/evil.parquet", "parquet/../../evil.parquet",
                                 "C:/evil.parquet", "parquet\\..\\..\\evil.parquet"])
def test_descriptor_path_outside_the_release_is_refused(release_base, registry_file, serve, tmp_path, bad):
    rel = release_base / V
    (release_base / "evil.parquet").write_bytes((rel / "parquet" / "events.parquet").read_bytes())
    _set_resource(rel, "parquet/events.parquet", path=bad)
    _resync(rel, "datapackage.json")
    server = serve(release_base)
    cache = tmp_path / "cache"
    with pytest.raises(ReleaseRefusedError, match=UNSAFE):
        load("events", version=V, base_url=server.url, cache_dir=cache)
    assert not (cache / "evil.parquet").exists() and not Path("/tmp/evil.parquet").exists()
    assert _files(cache) == set()


@pytest.mark.parametrize("bad", ["../outside.txt", "/tmp/outside.txt", "csv/./x.csv", "csv//x.csv", "a\x00b"])
def test_sha256sums_path_outside_the_release_is_refused(release_base, registry_file, serve, tmp_path, bad):
    rel = release_base / V
    (release_base / "outside.txt").write_text("x", encoding="utf-8")
    sums = _sums(rel)
    sums[bad] = hashlib.sha256(b"x").hexdigest()
    _write_sums(rel, sums)
    server = serve(release_base)
    with pytest.raises(ReleaseRefusedError, match=UNSAFE):
        download(V, tmp_path / "dest", base_url=server.url, progress=False)
    assert not (tmp_path / "dest").exists() and not (tmp_path / "outside.txt").exists()
    with pytest.raises(ValueError, match=UNSAFE):
        safe_relpath(bad, "SHA256SUMS")


@ignore_unregistered
def test_links_in_the_cache_are_never_followed(release_base, registry_file, serve, tmp_path):
    server = serve(release_base)
    cache, elsewhere = tmp_path / "cache", tmp_path / "elsewhere"
    elsewhere.mkdir()
    (cache / V).mkdir(parents=True)
    os.symlink(elsewhere, cache / V / "parquet")
    with pytest.raises(ReleaseRefusedError, match=LINK):
        load("events", version=V, base_url=server.url, cache_dir=cache)
    assert list(elsewhere.iterdir()) == []
    # A descriptor that is a link to a file elsewhere is not read either.
    (cache / V / "parquet").unlink()
    (cache / V / "datapackage.json").unlink()
    (elsewhere / "datapackage.json").write_bytes((release_base / V / "datapackage.json").read_bytes())
    os.symlink(elsewhere / "datapackage.json", cache / V / "datapackage.json")
    with pytest.raises(ReleaseRefusedError, match=LINK):
        load("events", version=V, base_url=server.url, cache_dir=cache)


@ignore_unregistered
def test_download_refuses_links(release_base, registry_file, serve, tmp_path):
    server = serve(release_base)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    dest = tmp_path / "dest"
    dest.mkdir()
    os.symlink(elsewhere, dest / V)
    with pytest.raises(ReleaseRefusedError, match=LINK):
        download(V, dest, base_url=server.url, progress=False)
    assert list(elsewhere.iterdir()) == []
    # Inside an existing release folder, a link is refused too.
    (dest / V).unlink()
    folder = download(V, dest, base_url=server.url, progress=False)
    (folder / "CHANGELOG.md").unlink()
    os.symlink(release_base / V / "CHANGELOG.md", folder / "CHANGELOG.md")
    with pytest.raises(ReleaseRefusedError, match=LINK):
        download(V, dest, base_url=server.url, progress=False)


def test_register_refuses_a_release_holding_links(release_base, registry_file):
    rel = release_base / V
    target = rel / "CHANGELOG.md"
    copy = release_base / "CHANGELOG.md"
    copy.write_bytes(target.read_bytes())
    target.unlink()
    os.symlink(copy, target)
    with pytest.raises(ValueError, match="symbolic links"):
        register_release(rel)
    assert versions() == []


# -- the documentation -----------------------------------------------------------------------
def test_the_docs_explain_every_refusal():
    text = (ROOT / "docs" / "integrity.md").read_text(encoding="utf-8")
    missing = [f for f in FRAGMENTS if f not in text]
    assert missing == [], f"docs/integrity.md does not show these parts of messages: {missing}"
    for word in ("integrity", "authenticity", "registry", "unregistered", "git"):
        assert word in text.lower()
