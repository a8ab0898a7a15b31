"""Helpers shared by the importer tests (test_import_acled.py, test_import_ucdp.py)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def repo(tmp_path, monkeypatch) -> Path:
    """A copy of the repository's data package, as the working folder."""
    root = tmp_path / "repo"
    root.mkdir()
    shutil.copy(ROOT / "datapackage.json", root / "datapackage.json")
    shutil.copytree(ROOT / "data", root / "data")
    monkeypatch.chdir(root)
    return root


def by_external_id(result, table="events") -> dict[str, dict]:
    """The imported rows of ``table``, keyed by the external id of their event."""
    links = {e["event_id"]: e["external_id"] for e in result.tables["external_events"]}
    return {links[r["event_id"]]: r for r in result.tables[table]}


def assert_accounted(summary) -> None:
    """Every row read is imported, skipped, unmapped or already linked."""
    s = summary.to_dict()
    assert summary.balanced
    assert s["rows_read"] == s["imported"] + s["skipped_outside_kachin"] + s["unmapped"] + s["already_linked"]
