"""The site publishes every published release: each file byte for byte, linked from the Releases page.

Wherever the site is hosted, a person downloads each file from the Releases page, and
``kachin_events.load(version=..., base_url=<site>/releases)`` reads from it; here the
built site is read through a ``file://`` address and through a server on 127.0.0.1.
"""

from __future__ import annotations

import functools
import hashlib
import html
import http.server
import re
import threading
from pathlib import Path

import pytest

from test_docs import build_site

from kachin_events.release.published import releases


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    return build_site(tmp_path_factory.mktemp("docs") / "site")


@pytest.fixture(scope="module")
def published():
    found = [r for r in releases() if r.folder is not None]
    assert found, "no published release is shipped with the package"
    return found


def test_every_file_of_every_release_is_on_the_site(site, published):
    for rel in published:
        for path, digest in rel.files.items():
            on_site = site / "releases" / rel.version / path
            assert on_site.is_file(), f"releases/{rel.version}/{path} is not on the site"
            assert hashlib.sha256(on_site.read_bytes()).hexdigest() == digest, path
        archive = site / "releases" / rel.archive["path"]
        assert hashlib.sha256(archive.read_bytes()).hexdigest() == rel.archive["sha256"]


def test_the_changelog_is_published_as_it_is_not_as_a_page(site, published):
    rel = published[-1]
    assert (site / "releases" / rel.version / "CHANGELOG.md").read_bytes() == (rel.folder / "CHANGELOG.md").read_bytes()
    assert not (site / "releases" / rel.version / "CHANGELOG" / "index.html").exists()
    assert not (site / "releases" / rel.version / "CHANGELOG.html").exists()


def test_the_releases_page_links_every_file_with_its_full_hash(site, published):
    page = site / "releases.html"  # the page sits beside the releases/ folder it links into
    text = html.unescape(page.read_text(encoding="utf-8"))
    hrefs = set(re.findall(r'href="([^"#]+)"', text))
    for rel in published:
        for path, digest in rel.files.items():
            assert f"releases/{rel.version}/{path}" in hrefs, f"no link to releases/{rel.version}/{path}"
            # Every link resolves to the file, relative to the page.
            assert (page.parent / "releases" / rel.version / path).is_file()
            assert digest in text
        assert f"releases/{rel.archive['path']}" in hrefs


def test_the_citation_shows_the_latest_release_and_its_date(site, published):
    rel = published[-1]
    text = html.unescape(re.sub(r"<[^>]+>", "", (site / "index.html").read_text(encoding="utf-8")))
    assert f"version {rel.version}, released {rel.created[:10]}" in text


def _quiet_handler(folder):
    class Handler(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    return functools.partial(Handler, directory=str(folder))


def test_load_reads_a_release_from_the_site_by_file_url(site, published, tmp_path):
    import kachin_events

    rel = published[-1]
    url = (site / "releases").as_uri()
    events = kachin_events.load(version=rel.version, base_url=url, cache_dir=tmp_path)
    assert events.attrs["version"] == rel.version and len(events) > 0
    assert (tmp_path / rel.version / "parquet" / "events.parquet").is_file()


def test_load_reads_a_release_from_the_site_over_http(site, published, tmp_path):
    import kachin_events

    rel = published[-1]
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _quiet_handler(site))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        base = f"http://127.0.0.1:{server.server_address[1]}/releases"
        folder = kachin_events.download(rel.version, tmp_path / "dl", base_url=base, progress=False)
    finally:
        server.shutdown()
        server.server_close()
    for path, digest in rel.files.items():
        assert hashlib.sha256((Path(folder) / path).read_bytes()).hexdigest() == digest
