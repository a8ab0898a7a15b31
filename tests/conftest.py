"""Shared fixtures: a built release, a local HTTP server, an isolated registry and cache.

Nothing here touches the network beyond 127.0.0.1, the user's real cache, or the
registry shipped with the package.
"""

from __future__ import annotations

import functools
import http.server
import shutil
import threading
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# Run by test_fuzz.py in a process of its own: importing it instruments kachin_events.
collect_ignore = ["cases/atheris_target.py"]

#: The version the test release is built as.
RELEASE_VERSION = "0.1.0"


class LocalServer:
    """An HTTP server on 127.0.0.1 serving one folder, in a background thread."""

    def __init__(self, folder: Path):
        handler = functools.partial(_QuietHandler, directory=str(folder))
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.requests: list[str] = []
        self.httpd.requests = self.requests  # the handler records every path asked for
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()
        self.running = True

    def stop(self) -> None:
        if self.running:
            self.httpd.shutdown()
            self.httpd.server_close()
            self.thread.join(timeout=10)
            self.running = False


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # keep test output clean
        pass

    def do_GET(self):
        self.server.requests.append(self.path)
        super().do_GET()


@pytest.fixture
def serve():
    """Start a server on a folder: ``server = serve(folder)``; stopped after the test."""
    servers: list[LocalServer] = []

    def start(folder) -> LocalServer:
        server = LocalServer(Path(folder))
        servers.append(server)
        return server

    yield start
    for s in servers:
        s.stop()


@pytest.fixture
def closed_port_url():
    """The URL of a port on 127.0.0.1 where nothing listens (connection refused)."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


@pytest.fixture(scope="session")
def built_release(tmp_path_factory) -> Path:
    """A release built once per session with ``build_release``: ``<base>/X.Y.Z/...``.

    Returns the base folder. Tests that change files use :func:`release_base`.
    """
    from kachin_events.release.build import build_release

    base = tmp_path_factory.mktemp("built")
    build_release(RELEASE_VERSION, base)
    return base


@pytest.fixture
def release_base(built_release, tmp_path) -> Path:
    """A private copy of the built release's base folder, safe to tamper with."""
    base = tmp_path / "site"
    shutil.copytree(built_release, base)
    return base


@pytest.fixture
def registry_file(tmp_path, monkeypatch) -> Path:
    """An empty release registry used instead of the one shipped with the package.

    The releases shipped with the package go with their registry: they are hidden too,
    so that ``load(version=...)`` fetches from the test's server, not from the package.
    """
    from kachin_events.release import layout, registry

    path = tmp_path / "registry.json"
    path.write_text('{"versions": []}\n', encoding="utf-8")
    monkeypatch.setattr(registry, "DEFAULT_PATH", path)
    monkeypatch.setattr(layout, "published_root", lambda: tmp_path / "no-published-releases")
    return path


@pytest.fixture(autouse=True)
def _isolated_env(tmp_path, monkeypatch):
    """Every test gets its own cache folder and no mirror from the environment."""
    monkeypatch.setenv("KACHIN_EVENTS_CACHE", str(tmp_path / "user-cache"))
    monkeypatch.delenv("KACHIN_EVENTS_BASE_URL", raising=False)



def git(repo: Path, *args: str) -> str:
    """Run git in ``repo`` with a fixed author; its standard output."""
    import os
    import subprocess

    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.org"}
    return subprocess.run(["git", *args], cwd=repo, env=env, capture_output=True, text=True, check=True).stdout


@pytest.fixture
def data_repo(tmp_path, monkeypatch) -> Path:
    """A git repository holding a copy of the data package, committed on ``main``; the cwd."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    repo = tmp_path / "repo"
    repo.mkdir()
    shutil.copy(ROOT / "datapackage.json", repo / "datapackage.json")
    shutil.copytree(ROOT / "schemas", repo / "schemas")
    shutil.copytree(ROOT / "data", repo / "data")
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "base")
    monkeypatch.chdir(repo)
    return repo
