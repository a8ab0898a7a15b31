"""Verifying a release folder written by :func:`kachin_events.release.build.build_release`.

:func:`verify_release` runs these steps, each a function of this module, and returns
every problem they find (an empty list for a sound release):

1. :func:`read_descriptor` -- the ``datapackage.json`` is there and is JSON;
2. :func:`check_sums` -- ``SHA256SUMS`` is readable, sorted, lists every other file and
   only those, each with its SHA-256 (SHA-256 only, see :mod:`kachin_events.integrity`);
3. :func:`check_resources` -- every resource's file is there with the size and hash the
   descriptor gives, and the same hash as ``SHA256SUMS``;
4. :func:`check_layout` -- every file of the layout (:mod:`kachin_events.release.layout`) is there;
5. :func:`check_tables` -- each CSV table (and the flat view) has its schema's header and a
   unique key, and its Parquet file the same columns, Arrow types, rows and values;
6. :func:`check_version_inside` -- every Parquet file's metadata names the descriptor's version;
7. :func:`check_deletions` -- the deletions list holds exactly the retractions, and no
   deleted id is still an event;
8. :func:`check_zip` -- the zip next to the folder, when there is one, holds exactly its files.
"""

from __future__ import annotations

import csv
import hashlib
import json
import zipfile
from pathlib import Path

from ..integrity import HashFormatError, descriptor_sha256, iter_sha256sums
from ..tablefiles import arrow_type, text_frame
from .diff import read_csv_text
from .layout import DESCRIPTOR, EXPORT_FILES, SUMS, expected_files, files_in, parquet_resource, zip_name, zip_top


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _resources(desc: dict) -> dict[str, dict]:
    return {r.get("name"): r for r in desc.get("resources", []) if isinstance(r, dict)}


# -- the steps ------------------------------------------------------------------------------


def read_descriptor(folder: Path) -> tuple[dict | None, list[str]]:
    """The release's descriptor, or None and the problem.

    Examples
    --------
    >>> read_descriptor(Path("/nonexistent/0.1.0"))
    (None, ['/nonexistent/0.1.0: no datapackage.json'])
    """
    path = folder / DESCRIPTOR
    if not path.is_file():
        return None, [f"{folder}: no {DESCRIPTOR}"]
    try:
        desc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        return None, [f"{path}: cannot be read ({exc})"]
    if not isinstance(desc, dict):
        return None, [f"{path}: is not a data package (a JSON object)"]
    return desc, []


def check_sums(folder: Path, on_disk: dict[str, Path]) -> tuple[dict[str, str], list[str]]:
    """The hashes ``SHA256SUMS`` lists (``{path: hex}``), and how it disagrees with the files."""
    problems: list[str] = []
    listed: dict[str, str] = {}
    sums = folder / SUMS
    if not sums.is_file():
        return listed, [f"{sums}: missing"]
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
    for rel in sorted(set(on_disk) - {SUMS}):
        if rel not in listed:
            problems.append(f"{rel}: not listed in {SUMS}")
        elif listed[rel] != _sha(on_disk[rel].read_bytes()):
            problems.append(f"{rel}: its SHA-256 is not the one in {SUMS}")
    problems += [f"{rel}: listed in {SUMS} but missing" for rel in sorted(set(listed) - set(on_disk))]
    return listed, problems


def check_resources(resources: dict[str, dict], on_disk: dict[str, Path], listed: dict[str, str]) -> list[str]:
    """Every resource's file is there, with the descriptor's size and SHA-256, which ``SHA256SUMS`` lists too."""
    problems = []
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
                            f"{SUMS} lists {listed[rel]}")
    return problems


def check_layout(on_disk: dict[str, Path]) -> list[str]:
    """Every file of a release's layout is there."""
    return [f"{rel}: missing from the release" for rel in sorted(expected_files() - set(on_disk))]


def _parquet_rows(path: Path, schema: dict, names: list[str]) -> tuple[list[tuple] | None, list[str]]:
    """A Parquet file's rows as release text cells, or None and why they cannot be compared."""
    import polars as pl
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        data = pq.read_table(path)
    except Exception as exc:  # noqa: BLE001 - any unreadable file is a problem to report
        return None, [f"cannot be read as Parquet ({exc})"]
    if data.column_names != names:
        return None, [f"the columns {data.column_names} are not the schema's {names}"]
    wrong = [f"column {f['name']} is {data.schema.field(f['name']).type}, expected {arrow_type(f)}"
             for f in schema["fields"] if data.schema.field(f["name"]).type != arrow_type(f)]
    if wrong:  # values of the wrong type cannot be compared
        return None, wrong
    plain = pa.table({n: (c.cast(pa.string()) if pa.types.is_dictionary(c.type) else c)
                      for n, c in zip(names, data.columns)})
    return text_frame(pl.from_arrow(plain), schema).rows(), []


def check_table(folder: Path, res: dict, parquet: dict | None) -> list[str]:
    """One table: its CSV file's header and key, and its Parquet file's columns, types, rows and values."""
    schema, name = res["schema"], res["name"]
    names = [f["name"] for f in schema["fields"]]
    try:
        header, rows = read_csv_text(folder / res["path"])
    except (OSError, ValueError, csv.Error) as exc:  # UnicodeDecodeError is a ValueError
        return [f"{res['path']}: cannot be read as UTF-8 CSV ({exc})"]
    if header != names:
        return [f"{res['path']}: the header {header} is not the schema's columns {names}"]
    problems = []
    pk = schema.get("primaryKey") or []
    pos = [names.index(k) for k in ([pk] if isinstance(pk, str) else pk)]
    keys = [tuple(r[p] for p in pos) for r in rows]
    if len(set(keys)) != len(keys):
        problems.append(f"{res['path']}: the primary key {pk} is not unique")
    if parquet is None:
        return problems + [f"the table {name} has no Parquet resource {parquet_resource(name)}"]
    pq_rows, why = _parquet_rows(folder / parquet["path"], schema, names)
    if pq_rows is None:
        return problems + [f"{parquet['path']}: {w}" for w in why]
    if pq_rows != rows:
        first = next((j for j, (a, b) in enumerate(zip(pq_rows, rows)) if a != b), min(len(pq_rows), len(rows)))
        problems.append(f"{parquet['path']}: rows differ from {res['path']} ({len(pq_rows)} vs {len(rows)} rows; "
                        f"first difference at data row {first + 1})")
    return problems


def check_tables(folder: Path, resources: dict[str, dict], on_disk: dict[str, Path]) -> list[str]:
    """:func:`check_table` for every CSV table whose files are there (missing ones are reported already)."""
    problems = []
    for res in resources.values():
        # The tables (csv/), and the exports that have a Parquet twin (the flat view).
        paired = str(res.get("path", "")).startswith("csv/") or parquet_resource(str(res.get("name"))) in resources
        if paired and res.get("format") != "parquet" and res.get("path") in on_disk and "schema" in res:
            parquet = resources.get(parquet_resource(res["name"]))
            if parquet is not None and parquet.get("path") not in on_disk:
                continue
            problems += check_table(folder, res, parquet)
    return problems


def check_version_inside(desc: dict, resources: dict[str, dict], on_disk: dict[str, Path]) -> list[str]:
    """Every Parquet file names the release's version (the descriptor's) in its metadata."""
    import pyarrow.parquet as pq

    version = desc.get("version")
    problems = []
    for res in resources.values():
        rel = res.get("path")
        if res.get("format") != "parquet" or rel not in on_disk:
            continue
        try:
            meta = pq.read_schema(on_disk[rel]).metadata or {}
        except Exception:  # noqa: BLE001 - unreadable files are reported by check_tables
            continue
        inside = meta.get(b"version", b"").decode("utf-8", "replace") or None
        if inside != version:
            problems.append(f"{rel}: its metadata says version {inside!r}, the release is {version!r}")
    return problems


def check_deletions(folder: Path, resources: dict, on_disk: dict[str, Path]) -> list[str]:
    """The deletions list holds exactly the retractions (without notes); no deleted id is an event."""
    dels, retr, events = resources.get("deletions"), resources.get("retractions"), resources.get("events")
    if dels is None:
        return [f"the descriptor has no deletions resource ({EXPORT_FILES['deletions']})"]
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


def check_zip(folder: Path, version: str, on_disk: dict[str, Path]) -> list[str]:
    """The zip next to the folder, when there is one, holds exactly the folder's files."""
    path = folder.parent / zip_name(version)
    if not path.is_file():
        return []
    return zip_problems(path, folder, version, on_disk)


def zip_problems(path: Path, folder: Path, version: str, on_disk: dict[str, Path]) -> list[str]:
    """How the zip at ``path`` differs from the release folder (empty when it holds exactly its files)."""
    top = f"{zip_top(version)}/"
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


def verify_release(path: str | Path) -> list[str]:
    """Check a release folder: checksums, sizes, hashes, layout, Parquet against CSV, the version inside.

    Every hash must be a SHA-256 (64 lowercase hex digits; ``sha256:<hex>`` in the
    descriptor), and the descriptor, ``SHA256SUMS`` and the files must agree. The zip
    next to the folder, when there is one, must hold the same files. The steps are the
    functions listed in :mod:`kachin_events.release.verify`.

    Parameters
    ----------
    path : path
        The release folder ``X.Y.Z``.

    Returns
    -------
    list of str
        Every problem found, each naming its file; empty when the release is sound.

    Examples
    --------
    >>> verify_release("/nonexistent/0.1.0")
    ['/nonexistent/0.1.0: no datapackage.json']
    """
    folder = Path(path)
    desc, problems = read_descriptor(folder)
    if desc is None:
        return problems
    on_disk = files_in(folder)
    resources = _resources(desc)
    listed, problems = check_sums(folder, on_disk)
    problems += check_resources(resources, on_disk, listed)
    problems += check_layout(on_disk)
    problems += check_tables(folder, resources, on_disk)
    problems += check_version_inside(desc, resources, on_disk)
    problems += check_deletions(folder, resources, on_disk)
    problems += check_zip(folder, desc.get("version") or folder.name, on_disk)
    return problems
