"""Building a versioned release of the data package.

:func:`build_release` validates the source package, then writes ``DIR/X.Y.Z/`` and
``DIR/kachin-events-X.Y.Z.zip`` in the layout of :mod:`kachin_events.release.layout`
(the loader and the verifier read the same layout from there). It runs in small steps,
each a function of this module:

1. :func:`source_package` -- the ``datapackage.json`` to release;
2. :func:`validated_tables` -- validate it and type its tables (read once: the tables
   validated are the tables written);
3. :func:`plan_release` -- the release's date (:func:`release_created`), the tables in
   canonical order and the data the version check compares;
4. :func:`kachin_events.release.versioning.check_version` -- the version fits the
   changes since the previous release (the diff is the change log);
5. :func:`release_files` -- every file's bytes, in order: CSV, Parquet, exports,
   ``datapackage.json`` (:mod:`kachin_events.release.descriptor`), ``CHANGELOG.md``,
   ``SHA256SUMS``;
6. :func:`place_release` -- written into a staging folder, then renamed into place.

The version is inside the data: in the descriptor's ``version`` (for the CSV files) and
in the key-value metadata of every Parquet file (``version`` and ``created``, next to
the table's ``name`` and ``description``).

Parquet types: dates are ``date32``, integers ``int64`` (nullable), numbers ``float64``,
booleans ``bool``; string fields with allowed values (an ``enum``) are dictionary
columns (``dictionary<int32, string>``, read as categoricals). Integer-coded fields
(``geo_precision``, ``acled_inter`` ...) stay ``int64`` so they compare as numbers.
Every field carries its ``title`` and ``description`` in the Arrow field metadata.

Reproducibility
---------------
The same data and version give byte-identical files, zip included: rows are sorted by
primary key, cells are written in one canonical form (:func:`kachin_events.tablefiles.format_cell`),
JSON keys in a fixed order, and zip entries are sorted with a fixed time (1980-01-01)
and mode (0644). ``created`` is ``SOURCE_DATE_EPOCH`` when that is set, otherwise the
latest ``publication_date_latest`` of the sources at 00:00:00 UTC -- never the wall
clock. Parquet bytes also depend on the pyarrow and zstd versions.

Safety
------
A release is never overwritten and never modified after it is written. The version
must be new in ``DIR`` (no folder and no zip of it) and above every release already
there. The release is written into a hidden staging folder inside ``DIR``
(``.building-X.Y.Z-...``, see :mod:`kachin_events.staging`), every file flushed to disk,
and renamed into place in one step at the end, under a lock on ``DIR`` so that two
builds cannot both place a release; the zip follows. A build that fails leaves nothing
behind; a build killed at any point leaves the earlier releases untouched and no
``X.Y.Z`` folder but a complete one. Its staging folder (never taken for a release:
its name is not a version) is removed by the next build in ``DIR``, which also places
the zip of a build killed between the folder and the zip.

Deletions
---------
The ``retractions`` table is the release's deletions list: every event id retired up to
this release, when, why (``duplicate``, ``false`` ...) and, for a duplicate, the event it
was merged into. ``exports/deletions.csv`` publishes the same rows without their notes,
the analogue of ACLED's deletions feed, for users who refresh data taken from an earlier
release: remove these ids. :func:`kachin_events.verify_release` checks that it holds
exactly the retractions and that no deleted id is still in ``events``. The change log
(``CHANGELOG.md``) lists each retirement and each correction since the previous release
with its reason (see :mod:`kachin_events.release.diff`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import shutil
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from .. import _paths
from ..exports import RELEASE_OPTIONS, acled_csv, deletions_csv, events_geojson, hxl_csv, ucdp_csv
from ..flat import flat_descriptor, flat_events
from ..schema import TABLES
from ..staging import locked, staging_folder
from ..tablefiles import arrow_table, inline_schema, sorted_frame, table_csv, text_frame
from .descriptor import created_text, release_descriptor
from .diff import ReleaseData, ReleaseDiff, TableData
from .layout import (
    CHANGELOG,
    DESCRIPTOR,
    EXPORT_FILES,
    STAGING,
    SUMS,
    csv_path,
    files_in,
    parquet_path,
    sums_text,
    zip_name,
    zip_top,
    zip_version,
)
from .semver import VersionError, parse_version  # noqa: F401 - VersionError is raised from here
from .verify import zip_problems
from .versioning import ReleaseError, ReleaseExistsError, check_version, refuse_existing, refuse_not_above

#: Zip entries get this time and mode, so that rebuilding gives the same bytes.
ZIP_TIME = (1980, 1, 1, 0, 0, 0)
ZIP_MODE = 0o100644


class InvalidDataError(ReleaseError):
    """The source package does not validate; ``report`` holds the findings."""

    def __init__(self, report, package, doing: str = "building a release"):
        n = len(report.errors)
        msg = f"{package} does not validate ({n} error{'s' * (n != 1)}); fix it before {doing}"
        super().__init__(msg)
        self.report = report


@dataclass
class Plan:
    """What a release is made of, before anything is written."""

    version: str
    source: dict
    created: dt.datetime
    tables: dict
    schemas: dict = field(default_factory=dict)
    frames: dict = field(default_factory=dict)
    new: ReleaseData | None = None
    diff: ReleaseDiff | None = None


# -- the steps ------------------------------------------------------------------------------


def source_package(package=None) -> Path:
    """The source ``datapackage.json``: ``package`` (a file or its folder), else the snapshot's.

    Examples
    --------
    >>> source_package().name
    'datapackage.json'
    """
    path = Path(package) if package is not None else _paths.snapshot_package()
    return path / DESCRIPTOR if path.is_dir() else path


_source_package = source_package  # the old name, used by kachin_events.exports.write


def validated_tables(source_path: Path) -> tuple[dict, dict]:
    """Validate the source package and type its tables.

    Returns
    -------
    (dict, dict of str to polars.DataFrame)
        The source descriptor and the typed tables.

    Raises
    ------
    InvalidDataError
        When the package does not validate (``report`` holds the findings).
    """
    from ..tables import typed_tables
    from ..validation import validate

    report = validate(source_path, keep_tables=True)
    if not report.valid:
        raise InvalidDataError(report, source_path)
    source = json.loads(source_path.read_text(encoding="utf-8"))
    return source, typed_tables(report.tables)


def release_created(tables: dict, environ=None) -> dt.datetime:
    """When a release is dated: SOURCE_DATE_EPOCH, else the latest source publication date.

    The latest ``publication_date_latest`` of the sources, at 00:00:00 UTC, is the
    earliest moment at which every source of the release can have been published, so it
    is the data's own date; it only moves when sources are added or corrected.

    Parameters
    ----------
    tables : dict of str to polars.DataFrame
        The typed tables (only ``sources`` is used).
    environ : mapping, optional
        Where to look for ``SOURCE_DATE_EPOCH`` (default: the process environment).

    Examples
    --------
    >>> from kachin_events.tables import read_tables
    >>> release_created(read_tables(), environ={}).isoformat()
    '2026-02-10T00:00:00+00:00'
    >>> release_created({}, environ={"SOURCE_DATE_EPOCH": "86400"}).isoformat()
    '1970-01-02T00:00:00+00:00'
    """
    epoch = (os.environ if environ is None else environ).get("SOURCE_DATE_EPOCH")
    if epoch:
        try:
            return dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc)
        except (ValueError, OverflowError, OSError):
            msg = f"SOURCE_DATE_EPOCH={epoch!r} is not a whole number of seconds since 1970-01-01"
            raise ReleaseError(msg) from None
    latest = tables["sources"]["publication_date_latest"].max() if tables["sources"].height else None
    day = latest or dt.date(1970, 1, 1)
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.timezone.utc)


def plan_release(version: str, source: dict, tables: dict) -> Plan:
    """The release's date, its tables in canonical order and the data the version check compares."""
    plan = Plan(version, source, release_created(tables), tables)
    plan.schemas = {t: inline_schema(t) for t in TABLES}
    plan.frames = {t: sorted_frame(tables[t], plan.schemas[t]) for t in TABLES}
    plan.new = ReleaseData(version, created_text(plan.created))
    for t in TABLES:
        schema = plan.schemas[t]
        rows = text_frame(plan.frames[t], schema).rows()
        plan.new.tables[t] = TableData(t, schema, [f["name"] for f in schema["fields"]], rows)
    return plan


def release_parquet(schema: dict, frame, version: str, created: str) -> bytes:
    """A table's Parquet file (zstd) with the release's ``version`` and ``created`` in its metadata.

    Examples
    --------
    >>> import io, pyarrow.parquet as pq
    >>> from kachin_events.tables import read_tables
    >>> schema = inline_schema("actors")
    >>> data = release_parquet(schema, sorted_frame(read_tables()["actors"], schema), "0.1.0", "2026-02-10T00:00:00Z")
    >>> meta = pq.read_schema(io.BytesIO(data)).metadata
    >>> meta[b"version"], meta[b"name"]
    (b'0.1.0', b'actors')
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = arrow_table(schema, frame)
    meta = {**(table.schema.metadata or {}), b"version": version.encode(), b"created": created.encode()}
    sink = pa.BufferOutputStream()
    # The same options as kachin_events.tablefiles.table_parquet.
    pq.write_table(table.replace_schema_metadata(meta), sink, compression="zstd", compression_level=9,
                   write_statistics=True, store_schema=True)
    return sink.getvalue().to_pybytes()


def release_files(plan: Plan):
    """Every file of the release as ``(path, bytes)``, in the order they are written.

    The data files come first, then the descriptor that lists their sizes and hashes,
    the change log, and ``SHA256SUMS`` of everything before it.
    """
    files: dict[str, bytes] = {}

    def emit(rel: str, data: bytes):
        files[rel] = data
        return rel, data

    created = created_text(plan.created)
    for t in TABLES:
        yield emit(csv_path(t), table_csv(plan.schemas[t], plan.frames[t]))
    for t in TABLES:
        yield emit(parquet_path(t), release_parquet(plan.schemas[t], plan.frames[t], plan.version, created))
    tables = plan.tables
    yield emit(EXPORT_FILES["acled-export"], acled_csv(tables, int(plan.created.timestamp()), **RELEASE_OPTIONS))
    yield emit(EXPORT_FILES["ucdp-export"], ucdp_csv(tables))
    yield emit(EXPORT_FILES["events-hxl"], hxl_csv(tables))
    yield emit(EXPORT_FILES["events-geojson"], events_geojson(tables))
    yield emit(EXPORT_FILES["deletions"], deletions_csv(tables))
    flat_schema, flat = flat_descriptor(), flat_events(tables)
    yield emit(EXPORT_FILES["events-flat"], table_csv(flat_schema, flat))
    yield emit(EXPORT_FILES["events-flat-parquet"], release_parquet(flat_schema, flat, plan.version, created))
    desc = release_descriptor(plan.source, plan.version, plan.created, files, tables)
    yield emit(DESCRIPTOR, (json.dumps(desc, indent=2, ensure_ascii=False) + "\n").encode("utf-8"))
    yield emit(CHANGELOG, plan.diff.to_markdown(created=created).encode("utf-8"))
    digests = {rel: hashlib.sha256(data).hexdigest() for rel, data in files.items()}
    yield emit(SUMS, sums_text(digests).encode("utf-8"))


def zip_bytes(files: dict[str, bytes], version: str) -> bytes:
    """The release's zip: every file under ``kachin-events-X.Y.Z/``, sorted, with a fixed time and mode."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for rel in sorted(files):
            info = zipfile.ZipInfo(f"{zip_top(version)}/{rel}", date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3  # Unix, so that the mode below is honoured
            info.external_attr = ZIP_MODE << 16
            zf.writestr(info, files[rel], compresslevel=9)
    return buf.getvalue()


def write_staged(tmp: Path, plan: Plan) -> Path:
    """Write every file of the release into ``tmp/X.Y.Z`` and its zip into ``tmp``; the zip's path."""
    stage = tmp / plan.version
    files: dict[str, bytes] = {}
    for rel, data in release_files(plan):
        path = stage / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        _write_synced(path, data)
        files[rel] = data
    zipped = tmp / zip_name(plan.version)
    _write_synced(zipped, zip_bytes(files, plan.version))
    return zipped


def place_release(out: Path, version: str, tmp: Path, zipped: Path) -> Path:
    """Rename the finished ``tmp/X.Y.Z`` into ``out`` and place its zip: the commit point.

    Under the folder's lock, so that no other build can place a release between the
    checks and the rename: the version must still be new and the highest, then the
    finished folder is renamed into place in one step. Killed right after it, the zip
    is still in the staging folder, and the next build finishes the placement
    (:func:`finish_placement`).
    """
    with locked(out):
        refuse_existing(out, version)
        refuse_not_above(version, out)
        os.rename(tmp / version, out / version)
        try:
            _place_file(zipped, out / zip_name(version))
        except BaseException:  # the zip could not be placed: take the folder back out
            shutil.rmtree(out / version, ignore_errors=True)
            raise
    return out / version


def build_release(version: str, out_dir: str | Path, package: str | Path | None = None, *,
                  previous: str | Path | None = None) -> Path:
    """Validate a data package and write it as release ``version`` in ``out_dir``.

    Parameters
    ----------
    version : str
        ``MAJOR.MINOR.PATCH``; it must be greater than the previous release's and bump
        at least the part the changes need (see :mod:`kachin_events.release.semver`).
    out_dir : path
        The folder of releases (created if missing).
    package : path, optional
        The source ``datapackage.json`` (or its folder); by default the package's snapshot.
    previous : path or str, optional
        The release to compare with: a release folder or a version in ``out_dir``. By
        default the highest version in ``out_dir`` below ``version``.

    Returns
    -------
    Path
        The release folder ``out_dir/version``.

    Raises
    ------
    ReleaseExistsError, InvalidDataError, VersionError
        Nothing is written in any of these cases.

    Examples
    --------
    >>> import tempfile
    >>> from kachin_events.release.verify import verify_release
    >>> with tempfile.TemporaryDirectory() as d:
    ...     path = build_release("0.1.0", d)
    ...     print(path.name, sorted(p.name for p in Path(d).iterdir()), verify_release(path))
    0.1.0 ['0.1.0', 'kachin-events-0.1.0.zip'] []
    """
    from ..extras import require

    require("kachin_events.build_release()")
    parse_version(version)
    out = Path(out_dir)
    refuse_existing(out, version)
    source, tables = validated_tables(source_package(package))
    plan = plan_release(version, source, tables)
    plan.diff = check_version(version, out, plan.new, previous)

    made_out = not out.exists()
    out.mkdir(parents=True, exist_ok=True)
    try:
        with staging_folder(out, STAGING, f"{version}-", recover=finish_placement) as tmp:
            zipped = write_staged(tmp, plan)
            return place_release(out, version, tmp, zipped)
    finally:
        if made_out and out.is_dir() and not any(out.iterdir()):
            out.rmdir()  # we created it for this build; leave no empty folder behind


# -- files ----------------------------------------------------------------------------------


def _write_synced(path: Path, data: bytes) -> None:
    """Write a file and flush it to disk, so that a renamed release is whole even after a crash."""
    with open(path, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())


def finish_placement(staging: Path) -> None:
    """Finish the placement of a release whose build was killed between renaming its
    folder into place and placing its zip: place the staged zip when it holds exactly
    the files of the placed folder. Anything else in a stale staging folder is dropped."""
    out = staging.parent
    for zipped in staging.glob(zip_name("*")):
        version = zip_version(zipped.name)
        folder = out / str(version)
        if (version is None or (staging / version).exists() or not folder.is_dir()
                or (out / zipped.name).exists() or folder.is_symlink()):
            continue
        if zip_problems(zipped, folder, version, files_in(folder)) == []:
            _place_file(zipped, out / zipped.name)


def _place_file(src: Path, dst: Path) -> None:
    """Move ``src`` to ``dst`` without ever replacing an existing ``dst``."""
    try:
        os.link(src, dst)  # atomic, and fails if dst exists
    except FileExistsError:
        msg = f"{dst} appeared while the release was being built; it was left as it is"
        raise ReleaseExistsError(msg) from None
    except OSError:  # a file system without hard links
        if dst.exists():
            msg = f"{dst} appeared while the release was being built; it was left as it is"
            raise ReleaseExistsError(msg) from None
        os.rename(src, dst)
    else:
        src.unlink()


__all__ = ["InvalidDataError", "Plan", "ReleaseError", "ReleaseExistsError", "VersionError", "build_release",
           "finish_placement", "place_release", "plan_release", "release_created", "release_files",
           "release_parquet", "source_package", "validated_tables", "write_staged", "zip_bytes"]
