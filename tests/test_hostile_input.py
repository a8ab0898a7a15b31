"""Files that are not what they claim get one clear finding, exit status 2, never a traceback.

The files are the cases of :data:`cases.bad_input.CASES` (encodings and formats, cell
values): each is written as bytes there, with the outcome it must have (the exit status,
the rule, the cell, words its message holds), and run here through the CLI. The page
"Bad input tried" of the documentation is generated from the same registry. The
other tests here need more than a file; they are described in
:data:`cases.bad_input.TRIED`.
"""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from cases.bad_input import CASES, ZAWGYI, check_case, run_cli
from kachin_events.cli import cli

GROUPS = ("encoding", "cells")


@pytest.mark.parametrize("case", [c for c in CASES if c.group in GROUPS], ids=lambda c: c.id)
def test_case(tmp_path, case):
    check_case(case, *run_cli(case, tmp_path))


def test_no_published_file_holds_a_cell_a_spreadsheet_would_run(tmp_path):
    """Every CSV of a release built from the repository's data, exports included."""
    import csv
    import re

    from kachin_events.release.build import build_release
    from kachin_events.validation.cells import FORMULA_START

    release = build_release("0.1.0", tmp_path / "releases")
    files = sorted(release.rglob("*.csv"))
    assert len(files) > 10
    number = re.compile(r"^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$")
    for path in files:
        with path.open(newline="", encoding="utf-8") as fh:
            for line, row in enumerate(csv.reader(fh), start=1):
                for cell in row:
                    assert not (re.match(FORMULA_START, cell) and not number.match(cell)), (path.name, line, cell)


def test_register_with_a_sha256sums_not_in_utf8_exits_2_naming_the_file(tmp_path):
    from kachin_events.release.build import build_release

    release = build_release("0.1.0", tmp_path / "releases")
    sums = release / "SHA256SUMS"
    sums.write_bytes(sums.read_bytes().replace(b"datapackage.json", "datapackage\u00e9.json".encode("latin-1")))
    result = CliRunner().invoke(cli, ["register", str(release), "--registry", str(tmp_path / "registry.json")])
    assert result.exit_code == 2, result.output
    assert "SHA256SUMS" in result.output and "not UTF-8" in result.output


def test_an_unreadable_file_comes_alone_without_the_foreign_keys_it_breaks(tmp_path):
    """Root cause first: the actors file cannot be read, so no event is told its actor is unknown."""
    import shutil
    from pathlib import Path

    from kachin_events import validate

    repo = Path(__file__).resolve().parent.parent
    shutil.copy(repo / "datapackage.json", tmp_path / "datapackage.json")
    shutil.copytree(repo / "data", tmp_path / "data")
    shutil.copytree(repo / "schemas", tmp_path / "schemas")  # the descriptor's Table Schemas
    actors = tmp_path / "data" / "actors.csv"
    actors.write_bytes(actors.read_text(encoding="utf-8").encode("utf-16"))
    report = validate(tmp_path / "datapackage.json", today=__import__("datetime").date(2026, 11, 22))
    assert report.exit_code == 2
    assert [f.rule for f in report.errors] == ["unreadable"]
    assert "actors.csv" in report.errors[0].file and "UTF-16" in report.errors[0].message


def test_the_zawgyi_threshold_passes_the_gazetteer_and_catches_zawgyi():
    from myanmartools import ZawgyiDetector

    from kachin_events.tables import read_tables
    from kachin_events.validation.cells import ZAWGYI_THRESHOLD

    detector = ZawgyiDetector()
    names = read_tables()["locations"]["name_mmr"].drop_nulls().to_list()
    assert len(names) > 100 and all(detector.get_zawgyi_probability(n) < ZAWGYI_THRESHOLD for n in names)
    assert all(detector.get_zawgyi_probability(z) >= ZAWGYI_THRESHOLD for z in ZAWGYI.values())
