"""Verifying a release folder written by :func:`kachin_events.build.build_release`:
checksums, sizes, hashes (SHA-256 only, see :mod:`kachin_events.integrity`), the
layout, Parquet against CSV, the deletions list and the zip next to the folder.
"""

from __future__ import annotations

import csv
import hashlib
import json
import zipfile
from pathlib import Path

from .diff import read_csv_text
from .integrity import HashFormatError, descriptor_sha256, iter_sha256sums
from .schema import TABLES
from .tablefiles import arrow_type, text_frame


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def zip_name(version: str) -> str:
    """The file name of a release's zip.

    Examples
    --------
    >>> zip_name("0.1.0")
    'kachin-events-0.1.0.zip'
    """
    return f"kachin-events-{version}.zip"



def _check_table(folder: Path, res: dict, parquet: dict | None) -> list[str]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    problems = []
    schema, name = res["schema"], res["name"]
    names = [f["name"] for f in schema["fields"]]
    try:
        header, rows = read_csv_text(folder / res["path"])
    except (OSError, ValueError, csv.Error) as exc:  # UnicodeDecodeError is a ValueError
        return [f"{res['path']}: cannot be read as UTF-8 CSV ({exc})"]
    if header != names:
        problems.append(f"{res['path']}: the header {header} is not the schema's columns {names}")
        return problems
    pk = schema.get("primaryKey") or []
    pos = [names.index(k) for k in ([pk] if isinstance(pk, str) else pk)]
    keys = [tuple(r[p] for p in pos) for r in rows]
    if len(set(keys)) != len(keys):
        problems.append(f"{res['path']}: the primary key {pk} is not unique")
    if parquet is None:
        return problems + [f"the table {name} has no Parquet resource {name}-parquet"]
    try:
        data = pq.read_table(folder / parquet["path"])
    except Exception as exc:  # noqa: BLE001 - any unreadable file is a problem to report
        return problems + [f"{parquet['path']}: cannot be read as Parquet ({exc})"]
    if data.column_names != names:
        problems.append(f"{parquet['path']}: the columns {data.column_names} are not the schema's {names}")
        return problems
    wrong = [f"{parquet['path']}: column {f['name']} is {data.schema.field(f['name']).type}, expected {arrow_type(f)}"
             for f in schema["fields"] if data.schema.field(f["name"]).type != arrow_type(f)]
    if wrong:  # values of the wrong type cannot be compared
        return problems + wrong
    import polars as pl

    plain = pa.table({n: (c.cast(pa.string()) if pa.types.is_dictionary(c.type) else c)
                      for n, c in zip(names, data.columns)})
    pq_rows = text_frame(pl.from_arrow(plain), schema).rows()
    if pq_rows != rows:
        diff = next((j for j, (a, b) in enumerate(zip(pq_rows, rows)) if a != b), min(len(pq_rows), len(rows)))
        problems.append(f"{parquet['path']}: rows differ from {res['path']} ({data.num_rows} vs {len(rows)} rows; "
                        f"first difference at data row {diff + 1})")
    return problems


def verify_release(path: str | Path) -> list[str]:
    """Check a release folder: checksums, sizes, hashes, layout, and Parquet against CSV.

    Every hash must be a SHA-256 (64 lowercase hex digits; ``sha256:<hex>`` in the
    descriptor), and the descriptor, ``SHA256SUMS`` and the files must agree.

    Returns a list of problems, empty when the release is sound. The zip next to the
    folder, when there is one, must hold the same files.

    Examples
    --------
    >>> verify_release("/nonexistent/0.1.0")
    ['/nonexistent/0.1.0: no datapackage.json']
    """
    folder = Path(path)
    if not (folder / "datapackage.json").is_file():
        return [f"{folder}: no datapackage.json"]
    problems: list[str] = []
    try:
        desc = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        return [f"{folder / 'datapackage.json'}: cannot be read ({exc})"]
    on_disk = {p.relative_to(folder).as_posix(): p for p in folder.rglob("*") if p.is_file()}
    listed: dict[str, str] = {}
    sums = folder / "SHA256SUMS"
    if not sums.is_file():
        problems.append(f"{sums}: missing")
    else:
        try:
            text = sums.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            text = ""
            problems.append(f"{sums}: cannot be read as UTF-8 text ({exc})")
        for _, rel, digest, problem in iter_sha256sums(text, str(sums)):
            if problem is not None:
                problems.append(str(problem))
            else:
                listed[rel] = digest
        if list(listed) != sorted(listed):
            problems.append(f"{sums}: the lines are not sorted by path")
    for rel in sorted(set(on_disk) - {"SHA256SUMS"}):
        data = on_disk[rel].read_bytes()
        if rel not in listed:
            problems.append(f"{rel}: not listed in SHA256SUMS")
        elif listed[rel] != _sha(data):
            problems.append(f"{rel}: its SHA-256 is not the one in SHA256SUMS")
    problems += [f"{rel}: listed in SHA256SUMS but missing" for rel in sorted(set(listed) - set(on_disk))]
    resources = {r.get("name"): r for r in desc.get("resources", [])}
    for res in resources.values():
        rel = res.get("path")
        if rel not in on_disk:
            problems.append(f"resource {res.get('name')}: its file {rel} is missing")
            continue
        data = on_disk[rel].read_bytes()
        if res.get("bytes") != len(data):
            problems.append(f"resource {res['name']}: {rel} has {len(data)} bytes, "
                            f"the descriptor says {res.get('bytes')}")
        try:
            declared = descriptor_sha256(res.get("hash"), f"resource {res.get('name')}")
        except HashFormatError as exc:
            problems.append(str(exc))
            continue
        if declared != _sha(data):
            problems.append(f"resource {res['name']}: the SHA-256 of {rel} is {_sha(data)}, not the descriptor's "
                            f"{declared}")
        elif listed.get(rel, declared) != declared:
            problems.append(f"resource {res['name']}: the descriptor gives {rel} the SHA-256 {declared} but "
                            f"SHA256SUMS lists {listed[rel]}")
    expected = {"datapackage.json", "CHANGELOG.md", "exports/acled.csv", "exports/ucdp_ged.csv",
                "exports/events_hxl.csv", "exports/events.geojson", "exports/deletions.csv"}
    expected |= {f"csv/{t}.csv" for t in TABLES} | {f"parquet/{t}.parquet" for t in TABLES}
    problems += [f"{rel}: missing from the release" for rel in sorted(expected - set(on_disk))]
    for res in resources.values():
        if str(res.get("path", "")).startswith("csv/") and res.get("path") in on_disk and "schema" in res:
            parquet = resources.get(f"{res['name']}-parquet")
            if parquet is not None and parquet.get("path") not in on_disk:
                continue
            problems += _check_table(folder, res, parquet)
    problems += _check_deletions(folder, resources, on_disk)
    problems += _check_zip(folder, desc.get("version") or folder.name, on_disk)
    return problems


def _check_deletions(folder: Path, resources: dict, on_disk: dict[str, Path]) -> list[str]:
    """The deletions list holds exactly the retractions (without notes); no deleted id is an event."""
    dels, retr, events = resources.get("deletions"), resources.get("retractions"), resources.get("events")
    if dels is None:
        return ["the descriptor has no deletions resource (exports/deletions.csv)"]
    if any(r is None or r.get("path") not in on_disk for r in (dels, retr, events)):
        return []  # a missing file is reported already
    try:
        tables = {n: read_csv_text(folder / r["path"]) for n, r in
                  (("deletions", dels), ("retractions", retr), ("events", events))}
    except (OSError, ValueError, csv.Error) as exc:
        return [f"{dels['path']}: cannot be compared with the retractions ({exc})"]
    header, rows = tables["deletions"]
    r_header, r_rows = tables["retractions"]
    if not set(header) <= set(r_header) or "event_id" not in header:
        return [f"{dels['path']}: the columns {header} are not columns of {retr['path']} {r_header}"]
    expected = [tuple(r[r_header.index(h)] for h in header) for r in r_rows]
    problems = []
    if rows != expected:
        problems.append(f"{dels['path']}: its rows are not those of {retr['path']} ({len(rows)} vs {len(r_rows)} rows)")
    e_header, e_rows = tables["events"]
    if "event_id" in e_header:
        live = {r[e_header.index("event_id")] for r in e_rows}
        back = sorted(r[header.index("event_id")] for r in rows if r[header.index("event_id")] in live)
        if back:
            problems.append(f"{dels['path']}: the deleted events {', '.join(back)} are still in {events['path']}")
    return problems


def _check_zip(folder: Path, version: str, on_disk: dict[str, Path]) -> list[str]:
    path = folder.parent / zip_name(version)
    if not path.is_file():
        return []
    return zip_problems(path, folder, version, on_disk)


def zip_problems(path: Path, folder: Path, version: str, on_disk: dict[str, Path]) -> list[str]:
    """How the zip at ``path`` differs from the release folder (empty when it holds exactly its files)."""
    top = f"kachin-events-{version}/"
    try:
        with zipfile.ZipFile(path) as zf:
            entries = {i.filename: i for i in zf.infolist() if not i.is_dir()}
            problems = [f"{path}: entry {n} is not under {top}" for n in entries if not n.startswith(top)]
            inside = {n[len(top):] for n in entries if n.startswith(top)}
            if inside != set(on_disk):
                problems.append(f"{path}: holds {sorted(inside ^ set(on_disk))} unlike the folder {folder}")
            for rel in sorted(inside & set(on_disk)):
                if zf.read(top + rel) != on_disk[rel].read_bytes():
                    problems.append(f"{path}: {rel} differs from {folder / rel}")
    except zipfile.BadZipFile as exc:
        return [f"{path}: not a readable zip ({exc})"]
    return problems
