"""The mkdocs hook that generates the site's data-driven content at build time.

Registered in ``mkdocs.yml`` under ``hooks:``. Nothing it produces is committed:

* ``on_config`` reads the data package once (:class:`kedocs_content.SiteData`) and adds
  one navigation entry per coded report;
* ``on_files`` adds the generated files: ``codebook.md`` (from ``schemas/`` and
  ``kachin_events.rules`` via :mod:`kachin_events.codebook`), with ``rules.md`` (every
  validation rule) and ``acled-ucdp-mappings.md`` (the ACLED and UCDP columns and codes) that
  it links to; ``cli.md`` (from the click
  commands), ``api.md`` (from the docstrings of ``kachin_events.__all__``),
  ``reports/index.md`` and ``reports/<report>.md`` (from ``data/reports/``),
  ``csv-templates/<table>.csv`` (CSV headers from the schemas), the contribution
  template ``template/kachin-events-template.xlsx`` (:mod:`kedocs_template`) and ``figures/*.svg`` (charts and map, matplotlib/Agg,
  from ``kachin_events.tables.read_tables()``);
* ``on_page_markdown`` expands the directives of the hand-written pages,
  ``{{ke NAME ARGS}}`` or ``<!-- ke: NAME ARGS -->`` (see :data:`kedocs_content.DIRECTIVES`
  and :data:`kedocs_contrib.DIRECTIVES`), into figures computed from the data.

Anything that fails raises :class:`mkdocs.exceptions.PluginError`, so a broken build
never publishes a page with a missing or stale figure. Optional parts of the package
(the release builder, the registry, the ACLED export's column list) are rendered when
their modules exist and reported as absent otherwise; when they exist and fail, the
build fails.
"""

from __future__ import annotations

import logging
from pathlib import Path

import kedocs_content
import kedocs_contrib  # imported while mkdocs has docs/hooks on sys.path: expand() uses it too
import kedocs_figures
import kedocs_home
import kedocs_ref
import kedocs_releases
import kedocs_charts
import kedocs_ci
import kedocs_codebook
import kedocs_template
import kedocs_tried
from kachin_events import codebook
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File

log = logging.getLogger("mkdocs.hooks.kachin_events")

_STATE: dict = {}


def _data():
    return _STATE["data"]


def on_config(config):
    root = Path(config.config_file_path).resolve().parent
    try:
        data = kedocs_content.SiteData.load(root)
    except Exception as exc:  # the data must read, or there is no site
        raise PluginError(f"kachin-events docs: cannot read the data package: {exc}") from exc
    _STATE["data"] = data
    _STATE["generated"] = set()
    # One navigation entry per report folder, under the "Coding notes" entry.
    entries = [{r.id: r.page} for r in data.reports]

    def expand(nav):
        if isinstance(nav, list):
            return [expand(x) for x in nav]
        if isinstance(nav, dict):
            out = {}
            for k, v in nav.items():
                if v == "reports/index.md":
                    out[k] = ["reports/index.md", *entries]
                else:
                    out[k] = expand(v)
            return out
        return nav

    if config.nav:
        config.nav = expand(config.nav)
    return config


def generated_files(data) -> dict[str, str | bytes]:
    """Every generated file: docs path -> content."""
    out: dict[str, str | bytes] = {}
    out.update(kedocs_codebook.generated(data))  # codebook.md, rules.md, acled-ucdp-mappings.md
    out.update(kedocs_ref.generated(data))  # cli.md, api.md
    out.update(kedocs_home.generated(data))
    out.update(kedocs_charts.generated(data))
    out["reports/index.md"] = kedocs_contrib.reports_index(data)
    for rep in data.reports:
        out[rep.page] = kedocs_contrib.report_page(data, rep)
    for table in data.schemas:
        out[f"csv-templates/{table}.csv"] = codebook.csv_template(table, data.schemas)
    out.update(kedocs_template.template_files(data.root))
    out.update(kedocs_ci.ci_files(data.root))
    out[kedocs_tried.PAGE] = kedocs_tried.render_page(data.root)  # from the test suite's cases
    out.update(kedocs_releases.site_files())  # every published release, byte for byte
    # The township boundaries the map draws, for people who want them (MIMU, 1:250,000).
    from kachin_events._paths import boundaries_dir

    out["figures/kachin_townships.geojson"] = (boundaries_dir() / "kachin_townships.geojson").read_text("utf-8")
    for name, (_alt, draw) in kedocs_figures.FIGURES.items():
        out[f"figures/{name}.svg"] = draw(data)
    return out


class _Download(File):
    """A file published as it is: a release's ``CHANGELOG.md`` is a download, not a page."""

    def is_documentation_page(self) -> bool:
        return False


def on_files(files, config):
    data = _data()
    try:
        gen = generated_files(data)
    except PluginError:
        raise
    except Exception as exc:
        raise PluginError(f"kachin-events docs: generating pages failed: {type(exc).__name__}: {exc}") from exc
    for uri, content in gen.items():
        if files.get_file_from_path(uri) is not None:
            raise PluginError(f"kachin-events docs: docs/{uri} is generated; remove the hand-written file")
        kind = _Download if uri.startswith(kedocs_releases.SITE_FOLDER + "/") else File
        files.append(kind.generated(config, uri, content=content))
    _STATE["generated"] = set(gen)
    log.info("kachin-events docs: generated %d files", len(gen))
    return files


def on_page_markdown(markdown, page, config, files):
    try:
        return kedocs_content.expand(markdown, page.file.src_uri, _data())
    except kedocs_content.DirectiveError as exc:
        raise PluginError(f"kachin-events docs: {exc}") from exc
