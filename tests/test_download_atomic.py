"""Downloads are all or nothing: a refused, interrupted or killed download leaves no release behind.

Split from test_integrity.py (which holds the hashes, the registry and the paths); the
fixtures and helpers come from there.
"""

from __future__ import annotations

import fcntl
import functools
import http.server
import os
import threading
from pathlib import Path
from types import SimpleNamespace

import pytest

from conftest import RELEASE_VERSION as V
from kachin_events.fetch import Release
from kachin_events.loader import CorruptedCacheWarning, DownloadError, HashMismatchError, download, load
from kachin_events.release.registry import get_entry, register_release
from test_integrity import (  # noqa: F401 - hosted_registered is a fixture
    INCOMPLETE,
    REFUSED,
    _files,
    _tree,
    hosted_registered,
)


# -- downloads are all or nothing ------------------------------------------------------------
def test_hash_mismatch_on_the_fifth_file_leaves_nothing(hosted_registered, release_base, tmp_path):
    fifth = sorted(get_entry(V)["files"])[4]
    f = release_base / V / fifth
    f.write_bytes(f.read_bytes() + b" ")
    dest = tmp_path / "dest"
    dest.mkdir()
    with pytest.raises(HashMismatchError, match=fifth):
        download(V, dest, progress=False)
    assert list(dest.iterdir()) == []  # no release folder, no staging folder
    assert sum(r.startswith(f"/{V}/") for r in hosted_registered.requests) >= 5


class _DroppingHandler(http.server.SimpleHTTPRequestHandler):
    """Serves files, but sends only half of the ones in ``server.drop`` and hangs up."""

    def log_message(self, format, *args):
        pass

    def do_GET(self):
        self.server.requests.append(self.path)
        if self.path not in self.server.drop:
            return super().do_GET()
        data = Path(self.translate_path(self.path)).read_bytes()
        self.send_response(200)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data[: len(data) // 2])
        self.wfile.flush()
        self.close_connection = True


@pytest.fixture
def dropping_server(release_base):
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0),
                                            functools.partial(_DroppingHandler, directory=str(release_base)))
    httpd.requests, httpd.drop = [], set()
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield SimpleNamespace(url=f"http://127.0.0.1:{httpd.server_address[1]}", httpd=httpd)
    httpd.shutdown()
    httpd.server_close()
    thread.join(timeout=10)


def test_server_dropping_mid_file_leaves_no_partial_release(release_base, registry_file, dropping_server, tmp_path):
    register_release(release_base / V, url=dropping_server.url)
    dropping_server.httpd.drop.add(f"/{V}/parquet/events.parquet")
    dest = tmp_path / "dest"
    with pytest.raises(DownloadError, match="closed the connection before the whole of parquet/events.parquet"):
        download(V, dest, progress=False)
    assert not dest.exists()
    cache = tmp_path / "cache"
    with pytest.raises(DownloadError, match="closed the connection"):
        load("events", version=V, cache_dir=cache)
    assert _files(cache / V) == {"datapackage.json", "SHA256SUMS"}  # verified ones only, no temporary file
    dropping_server.httpd.drop.clear()
    assert len(load("events", version=V, cache_dir=cache)) > 0
    assert download(V, dest, progress=False) == dest / V


def test_interrupted_download_leaves_nothing(hosted_registered, tmp_path, monkeypatch):
    real = Release.fetch
    calls = []

    def interrupted(self, rel):
        calls.append(rel)
        if len(calls) == 5:
            raise KeyboardInterrupt
        return real(self, rel)

    monkeypatch.setattr(Release, "fetch", interrupted)
    dest = tmp_path / "dest"
    with pytest.raises(KeyboardInterrupt):
        download(V, dest, progress=False)
    assert not dest.exists()


def test_stale_staging_folder_of_a_killed_download_is_removed(hosted_registered, release_base, tmp_path):
    dest = tmp_path / "dest"
    stale = dest / f".downloading-{V}-killed"
    (stale / V / "csv").mkdir(parents=True)
    (stale / V / "csv" / "events.csv").write_text("half a file", encoding="utf-8")
    live = dest / f".downloading-{V}-running"
    live.mkdir()
    fd = os.open(live, os.O_RDONLY)
    fcntl.flock(fd, fcntl.LOCK_EX)  # as a download still running in another process holds it
    try:
        folder = download(V, dest, progress=False)
    finally:
        os.close(fd)
    assert sorted(p.name for p in dest.iterdir()) == [live.name, V]
    assert _tree(folder) == _tree(release_base / V)


def test_existing_incomplete_folder_is_refused_and_left_alone(hosted_registered, tmp_path):
    folder = download(V, tmp_path / "dest", progress=False)
    (folder / "exports" / "acled.csv").unlink()
    before = _tree(folder)
    asked = len(hosted_registered.requests)
    with pytest.raises(DownloadError, match=INCOMPLETE) as err:
        download(V, tmp_path / "dest", progress=False)
    assert "exports/acled.csv" in str(err.value)
    assert _tree(folder) == before and len(hosted_registered.requests) == asked


def test_cached_corrupted_file_is_checked_after_the_new_download(hosted_registered, release_base, tmp_path):
    cache = tmp_path / "cache"
    load("events", version=V, cache_dir=cache)
    cached = cache / V / "parquet" / "events.parquet"
    cached.write_bytes(b"corrupt")
    served = release_base / V / "parquet" / "events.parquet"
    served.write_bytes(served.read_bytes() + b"!")  # and the server now serves a bad copy too
    with pytest.warns(CorruptedCacheWarning), pytest.raises(HashMismatchError, match=REFUSED):
        load("events", version=V, cache_dir=cache)
    assert not cached.exists()
