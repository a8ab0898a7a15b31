"""Building a versioned release of the data package, and verifying one.

:func:`build_release` validates the source package, then writes ``DIR/X.Y.Z/``::

    datapackage.json          Data Package v2 describing every file below
    SHA256SUMS                "<sha256>  <path>" for every other file, sorted by path
    CHANGELOG.md              release notes: the diff with the previous release
    csv/<table>.csv           every table; UTF-8, LF, schema column order, rows by primary key
    parquet/<table>.parquet   the same rows, typed (zstd)
    exports/acled.csv         the events in ACLED's 31-column layout (RELEASE_OPTIONS)
    exports/ucdp_ged.csv      the events in UCDP GED's layout (the columns our data can fill)
    exports/events_hxl.csv    the events with a second header row of HXL hashtags
    exports/events.geojson    the events as GeoJSON points
    exports/deletions.csv     the retired event ids: the retractions without their notes

and ``DIR/kachin-events-X.Y.Z.zip`` holding the same files under ``kachin-events-X.Y.Z/``.
The loader (:mod:`kachin_events.loader`) depends on this layout.

How the release's ``datapackage.json`` describes its files
-----------------------------------------------------------
Every resource has ``bytes`` and ``hash`` (``sha256:<hex>``), so that
``frictionless validate DIR/X.Y.Z/datapackage.json`` checks every file:

* the CSV tables (named ``<table>``), the ACLED and UCDP exports (``acled-export``,
  ``ucdp-export``), the HXL export (``events-hxl``, whose hashtag row is its dialect's
  comment row) and the deletions list (``deletions``) are ``"type": "table"`` with their
  Table Schema inline, so frictionless also checks every cell, the keys and the foreign
  keys; each export's ``description`` says what it is, the options it was written with
  and where it differs from the tables (generated from :mod:`kachin_events.exports`);
* the GeoJSON export (``events-geojson``) has no ``type``, which Data Package v2 defines
  as a non-specific file: frictionless checks its bytes and hash;
* the Parquet files (``<table>-parquet``) are ``"type": "file"``, with the table's
  schema inline for readers. frictionless 5.21 opens any resource with format parquet
  (declared or guessed from the ``.parquet`` name) as a table unless its type says
  otherwise, and then cannot check a declared ``bytes``/``hash`` (it reads the file with
  pyarrow, not through its byte stream, and reports "actual is None"); it also reads
  empty integer cells as NaN. Declared as files, their bytes and hash are checked.
  ``"file"`` is frictionless' own resource type: the v2 profile itself only defines
  ``"table"``, so a validator applying that JSON Schema strictly would flag these four
  words. Their rows and values are checked by :func:`verify_release` instead: the same
  rows and values as the CSV files, the Arrow types, and the hashes.

Parquet types: dates are ``date32``, integers ``int64`` (nullable), numbers ``float64``,
booleans ``bool``; string fields with allowed values (an ``enum``) are dictionary
columns (``dictionary<int32, string>``, read as categoricals). Integer-coded fields
(``geo_precision``, ``acled_inter`` ...) stay ``int64`` so they compare as numbers.
Every field carries its ``title`` and ``description`` in the Arrow field metadata; the
schema metadata holds the table's ``name`` and ``description``.

Reproducibility
---------------
The same data and version give byte-identical files, zip included: rows are sorted by
primary key, cells are written in one canonical form (:func:`format_cell`), JSON keys
in a fixed order, and zip entries are sorted with a fixed time (1980-01-01) and mode
(0644). ``created`` is ``SOURCE_DATE_EPOCH`` when that is set, otherwise the latest
``publication_date_latest`` of the sources at 00:00:00 UTC -- never the wall clock.

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
release: remove these ids. :func:`verify_release` checks that it holds exactly the
retractions and that no deleted id is still in ``events``. The change log
(``CHANGELOG.md``) lists each retirement and each correction since the previous release
with its reason (see :mod:`kachin_events.diff`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import zipfile
from pathlib import Path

from . import _paths
from .diff import ReleaseData, TableData
from .exports import (
    HXL_DIALECT,
    RELEASE_OPTIONS,
    acled_csv,
    acled_description,
    acled_omitted,
    acled_schema,
    deletions_csv,
    deletions_schema,
    events_geojson,
    hxl_csv,
    hxl_description,
    hxl_schema,
    ucdp_csv,
    ucdp_description,
    ucdp_schema,
)
from .schema import TABLES
from .semver import VersionError, check_version, is_version, parse_version, refuse_not_above
from .staging import locked, staging_folder
from .verify import verify_release, zip_name, zip_problems  # noqa: F401 - verify_release is re-exported
from .tablefiles import (  # noqa: F401 - re-exported for callers of build
    format_cell,
    inline_schema,
    sorted_frame,
    table_csv,
    text_frame,
    arrow_type,
    table_parquet,
    write_table_csv,
    write_table_parquet,
    read_table_parquet,
)

DP_V2 = "https://datapackage.org/profiles/2.0/datapackage.json"
PARQUET_MEDIATYPE = "application/vnd.apache.parquet"
#: Zip entries get this time and mode, so that rebuilding gives the same bytes.
ZIP_TIME = (1980, 1, 1, 0, 0, 0)
ZIP_MODE = 0o100644
#: The prefix of the hidden staging folders builds write into (see :mod:`kachin_events.staging`).
STAGING = ".building-"
#: Package properties carried over from the source datapackage.json, in this order.
CARRIED = ("title", "homepage", "licenses", "sources", "contributors", "keywords")


class ReleaseError(Exception):
    """A release that cannot be built; the message says why and what to do."""


class ReleaseExistsError(ReleaseError):
    """The version is already in the releases folder."""


class InvalidDataError(ReleaseError):
    """The source package does not validate; ``report`` holds the findings."""

    def __init__(self, report, package, doing: str = "building a release"):
        n = len(report.errors)
        msg = f"{package} does not validate ({n} error{'s' * (n != 1)}); fix it before {doing}"
        super().__init__(msg)
        self.report = report


# -- building -----------------------------------------------------------------------------


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


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _description(source: dict, version: str) -> str:
    first = source.get("description", "").split(". ")[0].rstrip(".")
    lead = f"{first}. " if first else ""
    return (f"{lead}Release {version}: every table as CSV and as Parquet, the events in ACLED's and UCDP GED's "
            "layouts, with HXL hashtags and as GeoJSON, and the list of retired event ids, with their schemas, "
            "sizes and SHA-256 hashes.")


def _descriptor(source: dict, version: str, created: dt.datetime, files: dict[str, bytes], tables: dict) -> dict:
    titles = {r.get("name"): r.get("title") for r in source.get("resources", []) if isinstance(r, dict)}

    def stats(path):
        return {"bytes": len(files[path]), "hash": f"sha256:{_sha(files[path])}"}

    resources = []
    for t in TABLES:
        path = f"csv/{t}.csv"
        resources.append({"name": t, "title": titles.get(t) or t, "type": "table", "path": path, "format": "csv",
                          "mediatype": "text/csv", "encoding": "utf-8", **stats(path), "schema": inline_schema(t)})
    for t in TABLES:
        path = f"parquet/{t}.parquet"
        resources.append({
            "name": f"{t}-parquet", "title": f"{titles.get(t) or t} (Parquet)",
            "description": f"The rows of the {t} resource, typed, in Parquet. Declared as a file so that "
                           "frictionless checks its bytes and hash; its rows are checked against the CSV "
                           "by kachin_events.build.verify_release.",
            "type": "file", "path": path, "format": "parquet", "mediatype": PARQUET_MEDIATYPE, **stats(path),
            "schema": inline_schema(t)})
    omitted = acled_omitted(tables, long_ranges=RELEASE_OPTIONS["long_ranges"], in_acled=RELEASE_OPTIONS["in_acled"])
    csv_file = {"format": "csv", "mediatype": "text/csv", "encoding": "utf-8"}
    resources.append({"name": "acled-export", "title": "Events in ACLED's export layout", "type": "table",
                      "description": acled_description(omitted, **RELEASE_OPTIONS), "path": "exports/acled.csv",
                      **csv_file, **stats("exports/acled.csv"), "schema": acled_schema(RELEASE_OPTIONS["inter"])})
    resources.append({"name": "ucdp-export", "title": "Events in UCDP GED's layout", "type": "table",
                      "description": ucdp_description(), "path": "exports/ucdp_ged.csv", **csv_file,
                      **stats("exports/ucdp_ged.csv"), "schema": ucdp_schema()})
    resources.append({"name": "events-hxl", "title": "Events with HXL hashtags", "type": "table",
                      "description": hxl_description(), "path": "exports/events_hxl.csv", **csv_file,
                      **stats("exports/events_hxl.csv"), "dialect": dict(HXL_DIALECT), "schema": hxl_schema()})
    resources.append({"name": "events-geojson", "title": "Events as GeoJSON points", "path": "exports/events.geojson",
                      "format": "geojson", "mediatype": "application/geo+json", "encoding": "utf-8",
                      **stats("exports/events.geojson")})
    resources.append({"name": "deletions", "title": "Retired event ids (deletions)", "type": "table",
                      "path": "exports/deletions.csv", "format": "csv", "mediatype": "text/csv", "encoding": "utf-8",
                      **stats("exports/deletions.csv"), "schema": deletions_schema()})
    desc = {"$schema": DP_V2, "name": source.get("name", "kachin-events")}
    desc["title"] = source.get("title", "kachin-events")
    desc["description"] = _description(source, version)
    desc["version"] = version
    desc["created"] = created.strftime("%Y-%m-%dT%H:%M:%SZ")
    for key in CARRIED[1:]:
        if key in source:
            desc[key] = source[key]
    desc["resources"] = resources
    return desc


def _json_bytes(doc) -> bytes:
    return (json.dumps(doc, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def _zip_bytes(files: dict[str, bytes], top: str) -> bytes:
    import io

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for rel in sorted(files):
            info = zipfile.ZipInfo(f"{top}/{rel}", date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3  # Unix, so that the mode below is honoured
            info.external_attr = ZIP_MODE << 16
            zf.writestr(info, files[rel], compresslevel=9)
    return buf.getvalue()


def _refuse_existing(out: Path, version: str) -> None:
    for path in (out / version, out / zip_name(version)):
        if path.exists():
            msg = (f"release {version} already exists: {path}. A release is never overwritten; "
                   "build a new version, or remove the old one yourself if it was never published")
            raise ReleaseExistsError(msg)


def _source_package(package) -> Path:
    path = Path(package) if package is not None else _paths.snapshot_package()
    return path / "datapackage.json" if path.is_dir() else path


def build_release(version: str, out_dir: str | Path, package: str | Path | None = None, *,
                  previous: str | Path | None = None) -> Path:
    """Validate a data package and write it as release ``version`` in ``out_dir``.

    Parameters
    ----------
    version : str
        ``MAJOR.MINOR.PATCH``; it must be greater than the previous release's and bump
        at least the part the changes need (see :mod:`kachin_events.semver`).
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
    >>> with tempfile.TemporaryDirectory() as d:
    ...     path = build_release("0.1.0", d)
    ...     print(path.name, sorted(p.name for p in Path(d).iterdir()), verify_release(path))
    0.1.0 ['0.1.0', 'kachin-events-0.1.0.zip'] []
    """
    from .tables import typed_tables
    from .validation import validate

    parse_version(version)
    out = Path(out_dir)
    _refuse_existing(out, version)
    source_path = _source_package(package)
    # The files are read once: the tables validated are the tables written.
    report = validate(source_path, keep_tables=True)
    if not report.valid:
        raise InvalidDataError(report, source_path)
    source = json.loads(source_path.read_text(encoding="utf-8"))
    tables = typed_tables(report.tables)
    created = release_created(tables)
    schemas = {t: inline_schema(t) for t in TABLES}
    frames = {t: sorted_frame(tables[t], schemas[t]) for t in TABLES}
    texts = {t: text_frame(frames[t], schemas[t]) for t in TABLES}
    csvs = {t: table_csv(schemas[t], frames[t]) for t in TABLES}

    new = ReleaseData(version, created.strftime("%Y-%m-%dT%H:%M:%SZ"))
    for t in TABLES:
        text = texts[t].rows()
        new.tables[t] = TableData(t, schemas[t], [f["name"] for f in schemas[t]["fields"]], text)
    diff = check_version(version, out, new, previous)

    made_out = not out.exists()
    out.mkdir(parents=True, exist_ok=True)
    try:
        with staging_folder(out, STAGING, f"{version}-", recover=_finish_placement) as tmp:
            return _write_and_place(tmp, out, version, source, created, tables, csvs, schemas, frames, diff, new)
    finally:
        if made_out and out.is_dir() and not any(out.iterdir()):
            out.rmdir()  # we created it for this build; leave no empty folder behind


def _write_and_place(tmp: Path, out: Path, version: str, source: dict, created, tables, csvs, schemas, frames,
                     diff, new) -> Path:
    """Write every file of the release into ``tmp/version``, then rename it into ``out``."""
    stage = tmp / version
    files: dict[str, bytes] = {}

    def emit(rel: str, data: bytes) -> None:
        path = stage / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        _write_synced(path, data)
        files[rel] = data

    for t in TABLES:
        emit(f"csv/{t}.csv", csvs[t])
    for t in TABLES:
        emit(f"parquet/{t}.parquet", table_parquet(schemas[t], frames[t]))
    emit("exports/acled.csv", acled_csv(tables, int(created.timestamp()), **RELEASE_OPTIONS))
    emit("exports/ucdp_ged.csv", ucdp_csv(tables))
    emit("exports/events_hxl.csv", hxl_csv(tables))
    emit("exports/events.geojson", events_geojson(tables))
    emit("exports/deletions.csv", deletions_csv(tables))
    emit("datapackage.json", _json_bytes(_descriptor(source, version, created, files, tables)))
    emit("CHANGELOG.md", diff.to_markdown(created=new.created).encode("utf-8"))
    emit("SHA256SUMS", "".join(f"{_sha(files[r])}  {r}\n" for r in sorted(files)).encode("utf-8"))
    zipped = tmp / zip_name(version)
    _write_synced(zipped, _zip_bytes(files, f"kachin-events-{version}"))

    # The commit point. Under the folder's lock, so that no other build can place a
    # release between the checks and the rename: the version must still be new and the
    # highest, then the finished folder is renamed into place in one step. Killed right
    # after it, the zip is still in the staging folder, and the next build finishes the
    # placement (_finish_placement).
    with locked(out):
        _refuse_existing(out, version)
        refuse_not_above(version, out)
        os.rename(stage, out / version)
        try:
            _place_file(zipped, out / zip_name(version))
        except BaseException:  # the zip could not be placed: take the folder back out
            shutil.rmtree(out / version, ignore_errors=True)
            raise
    return out / version


def _write_synced(path: Path, data: bytes) -> None:
    """Write a file and flush it to disk, so that a renamed release is whole even after a crash."""
    with open(path, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())


def _finish_placement(staging: Path) -> None:
    """Finish the placement of a release whose build was killed between renaming its
    folder into place and placing its zip: place the staged zip when it holds exactly
    the files of the placed folder. Anything else in a stale staging folder is dropped."""
    out = staging.parent
    for zipped in staging.glob("kachin-events-*.zip"):
        version = zipped.name[len("kachin-events-"):-len(".zip")]
        folder = out / version
        if (not is_version(version) or (staging / version).exists() or not folder.is_dir()
                or (out / zipped.name).exists() or folder.is_symlink()):
            continue
        on_disk = {p.relative_to(folder).as_posix(): p for p in folder.rglob("*") if p.is_file()}
        if zip_problems(zipped, folder, version, on_disk) == []:
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


__all__ = ["InvalidDataError", "ReleaseError", "ReleaseExistsError", "VersionError",
           "build_release", "check_version", "format_cell", "read_table_parquet", "verify_release",
           "write_table_csv", "write_table_parquet", "zip_name"]
