"""The query examples of docs/scale.md run, as written, on a release built here."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from kachin_events.release.build import build_release

DOC = Path(__file__).resolve().parent.parent / "docs" / "scale.md"


def python_blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), flags=re.S)


@pytest.fixture(scope="module")
def release_dir(tmp_path_factory):
    root = tmp_path_factory.mktemp("scale")
    build_release("0.1.0", root / "releases")
    return root


def test_the_page_states_the_frictionless_limit_in_force():
    from kachin_events.validation import FRICTIONLESS_MAX_ROWS

    assert f"**{FRICTIONLESS_MAX_ROWS:,}**" in DOC.read_text(encoding="utf-8")


def test_the_page_states_the_chunk_size_in_force():
    from kachin_events.validation.chunked import CHUNK_MB

    assert f"**{CHUNK_MB:g}** MB by default" in DOC.read_text(encoding="utf-8")


def test_the_page_states_the_limits_in_force():
    from kachin_events.validation import limits

    text = DOC.read_text(encoding="utf-8")
    for setting, unit in (("MAX_CELL_CHARS", "characters"), ("MAX_COLUMNS", "named columns"),
                          ("MAX_FILE_MB", "MB"), ("MAX_JSON_MB", "MB"), ("MAX_JSON_DEPTH", "levels")):
        row = next(line for line in text.splitlines() if f"`{limits.env_name(setting)}`" in line)
        assert f"| {getattr(limits, setting):,} {unit}" in row, row


def test_the_page_has_query_examples():
    blocks = python_blocks()
    assert len(blocks) >= 2
    assert any("duckdb" in b for b in blocks) and any("polars" in b for b in blocks)


@pytest.mark.parametrize("number", range(2))
def test_query_example_runs_on_a_release(release_dir, monkeypatch, number):
    monkeypatch.chdir(release_dir)
    block = python_blocks()[number]
    scope: dict = {}
    exec(compile(block, f"{DOC.name} block {number + 1}", "exec"), scope)  # noqa: S102 - our own docs
    frames = [v for k, v in scope.items() if k in ("monthly", "claims")]
    assert frames, "the example should leave its result in a variable"
    result = frames[0]
    assert len(result) > 0
    if "monthly" in scope:
        import polars as pl

        from kachin_events.tables import read_tables

        events = read_tables()["events"]
        # The query counts every event once and sums the best figures.
        assert int(result["events"].sum()) == events.height
        assert int(result["fatalities_best"].fillna(0).sum()) == int(events["fatalities_best"].fill_null(0).sum())
        assert int(result["toll_unknown"].sum()) == events.filter(pl.col("fatalities_best").is_null()).height
    else:
        from kachin_events.tables import read_tables

        links = read_tables()["event_sources"]
        assert int(result["claims"].sum()) == links.height
