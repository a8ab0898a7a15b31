"""The home page's first screen: what the data is, a "Get the data" box, and how to cite it.

Everything in the box comes from the latest published release at build time: its version
and date from the registry, its files' paths from its own ``datapackage.json`` (found by
resource name, so a renamed file is followed, and a missing one stops the build), the
sizes from the registry, the citation from :func:`kedocs_content.citation`. Links point at
the copies :mod:`kedocs_releases` publishes on the site under ``releases/X.Y.Z/``.

No mkdocs-specific code here: functions return Markdown.
"""

from __future__ import annotations

import json

import kedocs_ref
from kachin_events.codebook import code

#: The release files the box offers, by the ``datapackage.json`` resource that holds them,
#: with what a reader gets from each (the zip, the descriptor and the checksums are added
#: separately: they are not resources).
OFFERED = (
    ("events-flat", "one row per event with actor and place names: open it in a spreadsheet"),
    ("events-parquet", "the events table as Parquet, typed (other tables are in the same folder)"),
    ("acled-export", "the events in ACLED's column layout, to sit next to ACLED data"),
)


def latest_release():
    """The latest published release that is shipped (its files are on the site), or None."""
    import kedocs_releases

    return kedocs_releases.latest_shipped()


def _size(n: int | None) -> str:
    if n is None:
        return "size unknown"
    return f"{n / 1024:,.0f} KB" if n >= 1024 else f"{n} bytes"


def _resource_paths(release) -> dict[str, str]:
    from kachin_events.release.layout import DESCRIPTOR

    desc = json.loads((release.folder / DESCRIPTOR).read_text(encoding="utf-8"))
    return {r["name"]: r["path"] for r in desc.get("resources", []) if isinstance(r.get("path"), str)}


def release_files(release) -> dict[str, str]:
    """The files the box links to: role -> path inside the release folder.

    Raises :class:`kedocs_content.DirectiveError` when the release lacks one of them, so a
    release without (say) its flat view never yields a box with a dead link.
    """
    from kachin_events.release.layout import DESCRIPTOR, SUMS
    from kedocs_content import DirectiveError

    paths = _resource_paths(release)
    out = {}
    for name, _what in OFFERED:
        if name not in paths or paths[name] not in release.files:
            raise DirectiveError(f"release {release.version} has no {name!r} resource in its files")
        out[name] = paths[name]
    out["descriptor"], out["sums"] = DESCRIPTOR, SUMS
    return out


def duckdb_sql(release) -> str:
    """The one DuckDB line the box shows (tests/test_site_home.py runs it on the published file)."""
    parquet = release_files(release)["events-parquet"]
    return (f"SELECT event_type, count(*) AS events FROM 'releases/{release.version}/{parquet}' "
            "GROUP BY event_type ORDER BY events DESC;")


def _citation_line(d) -> str:
    """The one-line citation of :func:`kedocs_content.citation` (its quoted line)."""
    import kedocs_content

    quoted = [ln[2:] for ln in kedocs_content.citation(d).splitlines() if ln.startswith("> ")]
    return quoted[0] if quoted else ""


def get_the_data(d, page: str) -> str:
    """The "Get the data" box: the latest release's files, one line per tool, the citation."""
    from kedocs_content import rel

    release = latest_release()
    if release is None:
        return "\n".join([
            '!!! abstract "Get the data"', "",
            "    No release has been published yet. Until one is, read the data shipped with the package "
            "(`kachin_events.load()`) or the CSV files under `data/` in the repository; see "
            f"[Releases]({rel(page, 'releases.md')}).", ""])
    v = release.version
    files = release_files(release)

    def link(path: str, text: str | None = None) -> str:
        return f"[{text or code(path)}]({rel(page, f'releases/{v}/{path}')})"

    day = (release.created or "")[:10]
    dated = f", dated {day}" if day else ""
    lines = [f'!!! abstract "Get the data: release {v}{dated}"', ""]
    if release.archive:
        archive = release.archive["path"]
        lines.append(f"- **Everything in one zip:** [{code(archive)}]({rel(page, 'releases/' + archive)}) "
                     f"({_size(release.archive.get('bytes'))}): every table as CSV and as Parquet, the exports, "
                     "`datapackage.json` and `SHA256SUMS`.")
    for name, what in OFFERED:
        path = files[name]
        lines.append(f"- {link(path)} ({_size(release.sizes.get(path))}): {what}.")
    lines += [
        f"- {link(files['descriptor'])}: every table, field, type and file hash (a Frictionless data package).",
        f"- {link(files['sums'])}: the SHA-256 of every file; check with `sha256sum --check SHA256SUMS` in "
        "the release folder.",
        f"- All {len(release.files)} files of every release, with their hashes: "
        f"[Releases]({rel(page, 'releases.md')}#release-{v.replace('.', '-')}).",
        "",
        f"Read it in one line (paths as on this site and in the repository, `releases/{v}/...`; "
        "use the path you saved the file to):",
        "",
        f'- **Python:** `import kachin_events; events = kachin_events.load(version="{v}")` (this package, '
        "`pip install .` from a checkout, reads the release shipped inside it and checks every file's "
        "SHA-256; no network needed)",
        f'- **R:** `events <- arrow::read_parquet("releases/{v}/{files["events-parquet"]}")` '
        '(with the arrow package, `install.packages("arrow")`)',
        f"- **DuckDB:** `{duckdb_sql(release)}` (DuckDB reads Parquet directly; nothing to import first)",
        f"- **Spreadsheet:** open {link(files['events-flat'])} in Excel, LibreOffice or Google Sheets "
        "(one row per event, UTF-8, comma-separated, with a header row)",
        "",
    ]
    cite = _citation_line(d)
    if cite:
        lines += [f"**Cite:** {cite} BibTeX and what to quote: [How to cite it](#how-to-cite-it).", ""]
    return "\n".join(lines[:2] + ["    " + ln if ln else "" for ln in lines[2:]]) + "\n"


#: ``{{ke NAME}}`` directives of this module (merged into kedocs_content.all_directives).
DIRECTIVES: dict = {
    "get-the-data": lambda d, page: get_the_data(d, page),
    # Replaces kedocs_contrib's entry, which does not pass the page: the maintainer guide
    # must not link to itself.
    "quickstart-release": lambda d, page: kedocs_ref.quickstart_release(d, page),
}


def generated(data) -> dict[str, str | bytes]:
    """The generated files of this module: docs path -> content (none: the box is a directive)."""
    return {}
