"""``kachin-events fmt``: the canonical form of the data files changes their layout, never a value.

Every test works on a copy of the repository's datapackage.json and data/ (the schemas
come from the installed package), so the repository itself is only ever read.
"""

from __future__ import annotations

import csv
import io
import os
import shutil
import tempfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kachin_events.cli import cli
from kachin_events.contrib.canonical import CanonicalError, canonical_csv, write_canonical
from kachin_events.contrib.fmt import FmtRefusedError, format_package
from kachin_events.schema import get_schema
from kachin_events.tables import read_tables
from kachin_events.validation import package_resources

REPO = Path(__file__).resolve().parents[1]
PACKAGE = REPO / "datapackage.json"
#: (table, path relative to the repository) of every data file the package lists.
FILES = [(t, p.relative_to(REPO).as_posix()) for t, ps in package_resources(PACKAGE).items() for p in ps]
#: The files with at least two rows: the ones whose rows can be out of order.
SHUFFLABLE = [(t, p) for t, p in FILES if len((REPO / p).read_text(encoding="utf-8").splitlines()) > 2]


def copy_package(dest: Path) -> Path:
    """A copy of the repository's datapackage.json and data/ in ``dest``; its descriptor."""
    dest.mkdir(parents=True, exist_ok=True)
    shutil.copy(PACKAGE, dest / "datapackage.json")
    shutil.copytree(REPO / "data", dest / "data")
    return dest / "datapackage.json"


def read_records(path: Path) -> tuple[list[str], list[list[str]]]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    return rows[0], rows[1:]


def snapshot(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def typed(package: Path) -> dict:
    """Every table, typed, in a row order that does not depend on the files' layout."""
    return {t: f.sort(f.columns, nulls_last=True) for t, f in read_tables(package).items()}


def respell(value: str, type_: str, style: int) -> str:
    """Another spelling of the same value (what a spreadsheet or a hand edit may write)."""
    if value == "":
        return value
    if type_ == "integer":
        return ["+" + value, "0" + value, value][style % 3] if not value.startswith("-") else value
    if type_ == "number":
        return value + ("0" if "." in value else ".0") if style % 2 else value
    if type_ == "boolean":
        return [value.upper(), value.capitalize(), {"true": "1", "false": "0"}[value]][style % 3]
    return value


def write_variant(path: Path, table: str, order: list[int], columns: list[int], *, crlf: bool, bom: bool,
                  quote_all: bool, respelled: bool, final_newline: bool) -> None:
    header, rows = read_records(path)
    types = {f.name: f.type for f in get_schema(table).fields}
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n" if crlf else "\n",
                        quoting=csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL)
    writer.writerow([header[c] for c in columns])
    for n, i in enumerate(order):
        cells = [respell(rows[i][c], types[header[c]], n + c) if respelled else rows[i][c] for c in columns]
        writer.writerow(cells)
    text = buf.getvalue()
    if not final_newline:
        text = text.rstrip("\r\n")
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8"))


def canonical_of(path: Path, table: str) -> str:
    """The canonical text of a file's rows, from canonical_csv (not from fmt)."""
    header, rows = read_records(path)
    return canonical_csv(table, [dict(zip(header, r)) for r in rows])


@st.composite
def variants(draw):
    """Layout variants of one or two of the repository's data files."""
    picks = draw(st.lists(st.sampled_from(SHUFFLABLE), min_size=1, max_size=2, unique=True))
    out = []
    for table, rel in picks:
        _, rows = read_records(REPO / rel)
        width = len(get_schema(table).field_names)
        out.append(dict(
            table=table, rel=rel,
            order=draw(st.permutations(range(len(rows)))),
            columns=draw(st.permutations(range(width))),
            crlf=draw(st.booleans()), bom=draw(st.booleans()), quote_all=draw(st.booleans()),
            respelled=draw(st.booleans()), final_newline=draw(st.booleans()),
        ))
    return out


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(variants())
def test_fmt_changes_layout_only_and_is_idempotent(changes):
    with tempfile.TemporaryDirectory() as d:
        root = Path(d)
        package = copy_package(root)
        expected = {c["rel"]: canonical_of(REPO / c["rel"], c["table"]).encode("utf-8") for c in changes}
        for c in changes:
            write_variant(root / c["rel"], c["table"], c["order"], c["columns"], crlf=c["crlf"], bom=c["bom"],
                          quote_all=c["quote_all"], respelled=c["respelled"], final_newline=c["final_newline"])
        differing = {c["rel"] for c in changes if (root / c["rel"]).read_bytes() != expected[c["rel"]]}
        before = typed(package)

        first = format_package(package)

        after = typed(package)
        for table, frame in before.items():
            assert frame.equals(after[table]), f"fmt changed a value in {table}"
        for rel, text in expected.items():
            assert (root / rel).read_bytes() == text, rel
        # Canonical files stay canonical: they read back to the same typed rows and text.
        for table, rel in FILES:
            assert (root / rel).read_bytes() == canonical_of(root / rel, table).encode("utf-8"), rel
        assert {f.path.relative_to(root).as_posix() for f in first.files} == differing
        assert all(f.reasons for f in first.files)

        files = snapshot(root)
        second = format_package(package)
        assert second.files == [] and snapshot(root) == files, "fmt twice differs from fmt once"
        assert not [p for p in files if p.endswith(".tmp")], "a temporary file was left behind"


def test_repository_data_is_canonical():
    result = format_package(PACKAGE, check=True)
    assert result.files == [], result.to_text()
    assert result.checked == len(FILES)
    for table, rel in FILES:
        assert (REPO / rel).read_bytes() == canonical_of(REPO / rel, table).encode("utf-8"), rel


def test_canonical_csv_accepts_typed_frames_and_records():
    tables = read_tables(PACKAGE)
    for table, rel in FILES:
        if table in ("locations", "actors", "claimants"):
            text = (REPO / rel).read_text(encoding="utf-8")
            assert canonical_csv(table, tables[table]) == text
            assert canonical_csv(table, tables[table].reverse().to_dicts()) == text


def test_canonical_csv_refuses_what_does_not_type():
    for value in (" 2026-2-4", "2026-2-4", "04/02/2026"):
        with pytest.raises(CanonicalError, match="date_start"):
            canonical_csv("events", [{"event_id": "KE000001", "date_start": value}])
    with pytest.raises(CanonicalError, match="side.*whole number"):
        canonical_csv("event_actors", [{"event_id": "KE000001", "actor_id": "kia", "side": 1.5}])
    with pytest.raises(CanonicalError, match="no column 'sidee'"):
        canonical_csv("event_actors", [{"event_id": "KE000001", "actor_id": "kia", "sidee": 1}])


def test_write_canonical_is_atomic_and_keeps_the_file_on_error(tmp_path):
    path = tmp_path / "event_actors.csv"
    write_canonical(path, "event_actors", [{"event_id": "KE000002", "actor_id": "pdf", "side": 2},
                                           {"event_id": "KE000001", "actor_id": "kia", "side": "01"}])
    assert path.read_bytes() == b"event_id,actor_id,side\nKE000001,kia,1\nKE000002,pdf,2\n"
    os.chmod(path, 0o640)
    with pytest.raises(CanonicalError):
        write_canonical(path, "event_actors", [{"event_id": "KE000003", "side": "x"}])
    assert path.read_bytes() == b"event_id,actor_id,side\nKE000001,kia,1\nKE000002,pdf,2\n"
    write_canonical(path, "event_actors", [{"event_id": "KE000003", "actor_id": "kia", "side": 1}])
    assert (path.stat().st_mode & 0o777) == 0o640, "rewriting a file changed its permissions"
    assert [p.name for p in tmp_path.iterdir()] == ["event_actors.csv"]


def _shuffle(path: Path) -> None:
    header, rows = read_records(path)
    text = ",".join(header) + "\r\n" + "".join(",".join(f'"{c}"' for c in r) + "\r\n" for r in reversed(rows))
    path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))


def test_check_exit_codes(tmp_path, monkeypatch):
    runner = CliRunner()
    monkeypatch.chdir(REPO)
    ok = runner.invoke(cli, ["fmt", "--check"])
    assert ok.exit_code == 0, ok.output
    assert "canonical form" in ok.output

    package = copy_package(tmp_path / "pkg")
    target = tmp_path / "pkg" / "data" / "actor_aliases.csv"
    _shuffle(target)
    before = snapshot(tmp_path / "pkg")
    res = runner.invoke(cli, ["fmt", "--check", str(package)])
    assert res.exit_code == 1, res.output
    assert snapshot(tmp_path / "pkg") == before, "--check changed a file"
    line = next(x for x in res.output.splitlines() if "actor_aliases.csv" in x)
    for reason in ("byte-order mark", "CRLF", "rows not sorted"):
        assert reason in line, line

    res = runner.invoke(cli, ["fmt", str(tmp_path / "pkg")])  # the folder holding it works too
    assert res.exit_code == 0 and "reformatted" in res.output and "actor_aliases.csv" in res.output
    assert target.read_bytes() == (REPO / "data" / "actor_aliases.csv").read_bytes()
    assert runner.invoke(cli, ["fmt", "--check", str(package)]).exit_code == 0

    missing = runner.invoke(cli, ["fmt", "--check", str(tmp_path / "nowhere" / "datapackage.json")])
    assert missing.exit_code == 2 and "does not exist" in missing.output
    (tmp_path / "pkg" / "data" / "claimants.csv").unlink()
    gone = runner.invoke(cli, ["fmt", "--check", str(package)])
    assert gone.exit_code == 2 and "claimants.csv" in gone.output
    (tmp_path / "pkg" / "data" / "claimants.csv").write_bytes(b"claimant_id\n\xff\xfe\n")
    assert runner.invoke(cli, ["fmt", str(package)]).exit_code == 2
    (tmp_path / "pkg" / "datapackage.json").write_text("{", encoding="utf-8")
    assert runner.invoke(cli, ["fmt", str(package)]).exit_code == 2


def test_columns_out_of_order_is_a_reason(tmp_path):
    package = copy_package(tmp_path)
    path = tmp_path / "data" / "claimants.csv"
    write_variant(path, "claimants", list(range(len(read_records(path)[1]))), [1, 0, 2, 3, 4],
                  crlf=False, bom=False, quote_all=False, respelled=False, final_newline=True)
    result = format_package(package, check=True)
    assert [f.reasons for f in result.files] == [["columns out of order"]]


@pytest.mark.parametrize("broken", ["bad-date", "unknown-column"])
def test_fmt_refuses_invalid_data_and_changes_nothing(tmp_path, broken):
    package = copy_package(tmp_path)
    _shuffle(tmp_path / "data" / "actor_aliases.csv")  # would be rewritten if fmt went ahead
    events = tmp_path / "data" / "reports" / "kng-2026-01-bhamo-bases" / "events.csv"
    header, rows = read_records(events)
    if broken == "bad-date":
        rows[1][header.index("date_start")] = "2026-2-4"
    else:
        header.append("remarks")
        rows = [[*r, "kept"] for r in rows]
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerows([header, *rows])
    events.write_text(buf.getvalue(), encoding="utf-8", newline="")
    before = snapshot(tmp_path)

    with pytest.raises(FmtRefusedError, match="run `kachin-events validate` first") as err:
        format_package(package)
    assert snapshot(tmp_path) == before
    assert "events.csv" in str(err.value)
    if broken == "bad-date":
        assert "line 3, field date_start: value '2026-2-4'" in str(err.value)

    for args in (["fmt", str(package)], ["fmt", "--check", str(package)]):
        res = CliRunner().invoke(cli, args)
        assert res.exit_code == 1, res.output
        assert "validate" in res.output and "Traceback" not in res.output
        assert snapshot(tmp_path) == before
