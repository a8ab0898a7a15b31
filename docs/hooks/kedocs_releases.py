"""The published releases on the site: every file to download, the registry with links, the citation.

The site carries every published release byte for byte under ``releases/X.Y.Z/`` (and
``releases/kachin-events-X.Y.Z.zip``), the same layout as the repository's ``releases/``
folder, so that wherever the site is hosted a person can download each file from the
Releases page and ``kachin_events.load(version=..., base_url="<site>/releases")``
fetches from it. The files come from the copy shipped with the package, checked
against the registry before they are published.

No mkdocs-specific code here: functions return Markdown, or file paths and bytes.
"""

from __future__ import annotations

import functools
import json

from kachin_events.codebook import code, markdown_table
from kachin_events.codebook import escape_cell as esc

#: Where the releases are on the site (docs path).
SITE_FOLDER = "releases"


@functools.lru_cache(maxsize=1)
def _published():
    """The published releases, checked once (every file hashed) however many pages ask."""
    from kachin_events.release.published import published_problems, releases

    found = releases()
    problems = published_problems() if found else []
    if problems:
        from kedocs_content import DirectiveError

        msg = "a published release does not match the registry: " + "; ".join(problems)
        raise DirectiveError(msg)
    return tuple(found)


def latest_shipped():
    """The latest published release shipped with the package (its files are on the site), or None."""
    shipped = [r for r in _published() if r.folder is not None]
    return shipped[-1] if shipped else None


def site_files() -> dict[str, bytes]:
    """Every file of every published release, by its path on the site.

    Examples
    --------
    >>> files = site_files()
    >>> all(p.startswith("releases/") for p in files)
    True
    """
    from kachin_events.release.layout import published_root, zip_name

    out: dict[str, bytes] = {}
    root = published_root()
    for rel in _published():
        if rel.folder is None:
            continue
        for path in rel.files:
            out[f"{SITE_FOLDER}/{rel.version}/{path}"] = (rel.folder / path).read_bytes()
        archive = root / zip_name(rel.version)
        if archive.is_file():
            out[f"{SITE_FOLDER}/{archive.name}"] = archive.read_bytes()
    return out


def _link(version: str, path: str, shipped: bool) -> str:
    return f"[{code(path)}]({SITE_FOLDER}/{version}/{path})" if shipped else code(path)


def registry_md() -> str:
    """Every published release: its date, size, a link to and the full SHA-256 of every file."""
    found = _published()
    if not found:
        return ("No release has been published yet: the registry shipped with the package "
                "(`kachin_events/registry.json`) lists none, so `kachin_events.versions()` returns an empty list.\n")
    parts = []
    for rel in found:
        shipped = rel.folder is not None
        where = (f"Hosted at {esc(rel.base_url)}." if rel.base_url else
                 "It is in the repository under `releases/`, inside the package, and on this site.")
        size = f"{rel.bytes:,} bytes" if rel.bytes is not None else "size unknown"
        parts += [f"### {rel.version} {{#release-{rel.version.replace('.', '-')}}}", "",
                  f"Created {esc(rel.created or 'unknown')}; {len(rel.files)} files, {size}. {where} "
                  f"`kachin_events.load(version=\"{rel.version}\")` reads it without a network.", ""]
        if rel.archive:
            name = rel.archive["path"]
            link = f"[{code(name)}]({SITE_FOLDER}/{name})" if shipped else code(name)
            parts += [f"Everything in one file: {link} ({rel.archive.get('bytes') or 0:,} bytes, SHA-256 "
                      f"{code(rel.archive['sha256'])}).", ""]
        rows = [[_link(rel.version, p, shipped), f"{rel.sizes[p]:,}" if p in rel.sizes else "", code(h)]
                for p, h in rel.files.items()]
        parts += [markdown_table(["File", "Bytes", "SHA-256"], rows), ""]
    parts += [
        "To read a release from wherever this site is hosted, give the address of its `releases` folder "
        "(the folder the links above point into):", "",
        "```python",
        "import kachin_events",
        "",
        f'events = kachin_events.load(version="{found[-1].version}", base_url="https://SITE/releases")',
        "```", "",
        "`base_url` may also be a folder on your disk or a `file://` address (a copy of the site, a USB stick).",
        ""]
    return "\n".join(parts)


def latest_descriptor() -> dict | None:
    """The ``datapackage.json`` of the latest published release, or None."""
    latest = latest_shipped()
    if latest is None:
        return None
    from kachin_events.release.layout import DESCRIPTOR

    return json.loads((latest.folder / DESCRIPTOR).read_text(encoding="utf-8"))
