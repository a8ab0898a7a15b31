"""``CITATION.cff`` and ``.zenodo.json``, made from a release's ``datapackage.json``.

The descriptor is the one place the dataset's title, description, version, date,
licence, contributors and keywords are written; the citation files repeat them for
GitHub's "Cite this repository" and for Zenodo's archive of a GitHub release (which
reads ``.zenodo.json``), so a release gets a DOI in one step. ``scripts/citation``
writes both from the latest published release; a test fails when they disagree with it.
"""

from __future__ import annotations

import json
from pathlib import Path

#: Zenodo's licence ids for the licences the data may carry.
_ZENODO_LICENSES = {"CC-BY-4.0": "cc-by-4.0", "CC0-1.0": "cc-zero", "ODbL-1.0": "odbl-1.0"}


def _authors(desc: dict) -> list[str]:
    people = [c.get("title") for c in desc.get("contributors", []) if "creator" in c.get("roles", ["creator"])]
    return [p for p in people if p] or ["kachin-events contributors"]


def _q(text: str) -> str:
    """A YAML double-quoted scalar."""
    return json.dumps(str(text), ensure_ascii=False)


def citation_cff(desc: dict) -> str:
    """The text of ``CITATION.cff`` (Citation File Format 1.2.0) for a release descriptor.

    Examples
    --------
    >>> desc = {"title": "Kachin conflict events", "version": "0.1.0", "created": "2026-02-10T00:00:00Z",
    ...         "description": "Events.", "licenses": [{"name": "CC-BY-4.0"}], "keywords": ["Myanmar"],
    ...         "contributors": [{"title": "kachin-events contributors", "roles": ["creator"]}]}
    >>> print(citation_cff(desc))  # doctest: +ELLIPSIS
    # Made by scripts/citation from releases/0.1.0/datapackage.json; do not edit.
    cff-version: 1.2.0
    message: "If you use this dataset, please cite it as below."
    type: dataset
    title: "Kachin conflict events"
    version: "0.1.0"
    date-released: "2026-02-10"
    ...
    """
    lines = [f"# Made by scripts/citation from releases/{desc['version']}/datapackage.json; do not edit.",
             "cff-version: 1.2.0",
             f"message: {_q('If you use this dataset, please cite it as below.')}",
             "type: dataset",
             f"title: {_q(desc['title'])}",
             f"version: {_q(desc['version'])}"]
    if desc.get("created"):
        lines.append(f"date-released: {_q(desc['created'][:10])}")
    lines.append("authors:")
    lines += [f"  - name: {_q(a)}" for a in _authors(desc)]
    licenses = [lic["name"] for lic in desc.get("licenses", []) if lic.get("name")]
    if licenses:
        lines.append(f"license: {_q(licenses[0])}")
    lines.append(f"abstract: {_q(desc.get('description', ''))}")
    if desc.get("keywords"):
        lines.append("keywords:")
        lines += [f"  - {_q(k)}" for k in desc["keywords"]]
    return "\n".join(lines) + "\n"


def zenodo_json(desc: dict) -> dict:
    """The ``.zenodo.json`` metadata Zenodo reads when it archives a GitHub release.

    Examples
    --------
    >>> zenodo_json({"title": "T", "version": "0.1.0", "created": "2026-02-10T00:00:00Z"})["publication_date"]
    '2026-02-10'
    """
    out = {"title": desc["title"], "upload_type": "dataset", "version": desc["version"],
           "description": desc.get("description", ""),
           "creators": [{"name": a} for a in _authors(desc)]}
    if desc.get("created"):
        out["publication_date"] = desc["created"][:10]
    licenses = [_ZENODO_LICENSES.get(lic.get("name")) for lic in desc.get("licenses", [])]
    if licenses and licenses[0]:
        out["license"] = licenses[0]
    if desc.get("keywords"):
        out["keywords"] = list(desc["keywords"])
    return out


def latest_release(releases: str | Path) -> Path | None:
    """The descriptor of the highest version in a folder of releases (None when it has none)."""
    from .release.layout import release_versions

    found = release_versions(releases)
    return Path(releases) / found[-1] / "datapackage.json" if found else None


def write_citation_files(descriptor: str | Path, root: str | Path) -> list[Path]:
    """Write ``CITATION.cff`` and ``.zenodo.json`` into ``root`` from a release descriptor."""
    desc = json.loads(Path(descriptor).read_text(encoding="utf-8"))
    root = Path(root)
    out = [(root / "CITATION.cff", citation_cff(desc)),
           (root / ".zenodo.json", json.dumps(zenodo_json(desc), indent=2, ensure_ascii=False) + "\n")]
    for path, text in out:
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text(text, encoding="utf-8", newline="\n")
        tmp.replace(path)
    return [p for p, _ in out]
