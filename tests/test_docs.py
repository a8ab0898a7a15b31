"""The documentation site: it builds offline with --strict, and its generated pages are complete.

The site is built once per module (``mkdocs build --strict`` in a subprocess) and the
built HTML is checked against the sources it is generated from: the click commands, the
Table Schemas and the rule registry.
"""

from __future__ import annotations

import html
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

if os.environ.get("CI", "").lower() == "true":
    import material  # noqa: F401  - CI installs the docs extra: fail here, never skip
    import mkdocs  # noqa: F401
else:
    pytest.importorskip("mkdocs", reason="the docs extra is not installed (pip install -e '.[docs]')")
    pytest.importorskip("material", reason="the docs extra is not installed (pip install -e '.[docs]')")

#: One build per process, shared with tests/test_site_browser.py.
_BUILT: dict[str, Path] = {}


def build_site(out: Path) -> Path:
    """Build the site into ``out`` (or return the folder of an earlier build in this process)."""
    if "site" in _BUILT:
        return _BUILT["site"]
    # Offline: any HTTP(S) request the build tried would go to a closed local port and fail.
    dead = "http://127.0.0.1:9"
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "http_proxy": dead, "https_proxy": dead,
           "HTTP_PROXY": dead, "HTTPS_PROXY": dead, "no_proxy": "", "NO_PROXY": ""}
    proc = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(out)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=900, check=False,
    )
    if proc.returncode != 0:
        pytest.fail(f"mkdocs build --strict failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    _BUILT["site"] = out
    return out


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    return build_site(tmp_path_factory.mktemp("docs") / "site")


def page_file(site: Path, page: str) -> Path:
    """The built file of a page: ``page.html`` (the site has no directory URLs), or the
    folder's ``index.html`` for the home page and section indexes (``""``, ``"reports"``)."""
    if page.endswith(".html"):
        return site / page
    folder_index = site / page / "index.html"
    return folder_index if folder_index.is_file() else site / f"{page}.html"


def page_text(site: Path, page: str) -> str:
    """A built page's HTML with entities decoded (``&lt;`` -> ``<``)."""
    path = page_file(site, page)
    assert path.is_file(), f"{page} was not built"
    return html.unescape(path.read_text(encoding="utf-8"))


def page_plain(site: Path, page: str) -> str:
    """A built page's text without tags (code highlighting splits text into spans)."""
    path = page_file(site, page)
    assert path.is_file(), f"{page} was not built"
    return html.unescape(re.sub(r"<[^>]+>", "", path.read_text(encoding="utf-8")))


def _commands():
    import click

    from kachin_events.cli import cli

    out = []

    def walk(cmd, path):
        out.append((path, cmd))
        if isinstance(cmd, click.Group):
            for name, sub in cmd.commands.items():
                if not sub.hidden:
                    walk(sub, [*path, name])

    walk(cli, ["kachin-events"])
    return out


def test_build_writes_every_page(site):
    for page in ("", "overview", "methodology", "codebook", "contributing", "releases", "maintaining",
                 "cli", "api", "reports"):
        assert page_file(site, page).is_file(), page


def test_cli_reference_lists_every_command_and_option(site):
    text = page_text(site, "cli")
    for path, cmd in _commands():
        assert " ".join(path) in text, f"command {' '.join(path)} missing from the CLI reference"
        for p in cmd.params:
            names = [*getattr(p, "opts", []), *getattr(p, "secondary_opts", [])]
            if p.param_type_name == "argument":
                names = [p.human_readable_name]
            for name in names:
                assert name in text, f"{' '.join(path)}: {name} missing from the CLI reference"


def test_codebook_lists_every_table_and_field(site):
    from kachin_events.schema import load_schemas

    text = page_text(site, "codebook")
    for table, schema in load_schemas().items():
        assert f'id="{table}"' in text, f"table {table} has no section in the codebook"
        for f in schema.fields:
            assert f'id="{table}-{f.name}"' in text, f"{table}.{f.name} missing from the codebook"
            for value in f.enum or ():
                assert str(value) in text, f"{table}.{f.name}: allowed value {value!r} missing"
            for cat in f.categories:
                assert cat["label"] in text, f"{table}.{f.name}: definition of {cat['value']!r} missing"


def test_codebook_maps_precision_codes_and_acled_columns(site):
    # The mappings have their own page, which the codebook links to.
    assert 'href="acled-ucdp-mappings.html#precision-codes"' in page_text(site, "codebook")
    text = page_text(site, "acled-ucdp-mappings.html")
    for heading in ("ACLED time_precision", "UCDP date_prec", "UCDP where_prec", "ACLED geo_precision"):
        assert heading in text
    # Every column of ACLED's export, as listed in the reference notes, is mapped.
    ref = (ROOT / "reference" / "acled" / "README.md").read_text(encoding="utf-8")
    listed = re.search(r"columns of the current export, in order:(.*?)\. Older", ref, re.S)
    assert listed, "reference/acled/README.md no longer lists ACLED's columns"
    columns = [c.strip() for c in listed.group(1).replace("\n", " ").split(",")]
    assert len(columns) == 31
    for col in columns:
        assert f"<code>{col}</code>" in text, f"ACLED column {col} missing from the mappings page"
    # Our fields link to their rows in the codebook.
    assert 'href="codebook.html#events-date_precision"' in text
    # UCDP: the type_of_violence mapping, and the warning that GED holds only events with a death
    # (on the page, and said in the codebook's short section that links there).
    assert 'id="ucdp-type-of-violence"' in text and "only events with at least one death" in text
    assert "at least one death" in page_plain(site, "codebook")
    assert "see below" not in page_plain(site, "acled-ucdp-mappings.html").lower()


def test_every_rule_is_in_the_rules_page_and_the_contributor_guide(site):
    from kachin_events.rules import RULES

    assert 'href="rules.html"' in page_text(site, "codebook")
    rules = page_text(site, "rules.html")
    guide = page_text(site, "contributing")
    plain = page_plain(site, "contributing")
    for rule in RULES:
        assert f'href="contributing.html#rule-{rule.id}"' in rules, f"rule {rule.id} missing from the rules page"
        assert f'id="rule-{rule.id}"' in guide, f"rule {rule.id} has no section in the contributor guide"
        # Rule texts may hold `code`, which the page shows without the backticks.
        for text in (rule.description, rule.fix):
            assert text.replace("`", "") in plain, f"rule {rule.id}: text missing from the guide"


def test_validation_example_is_real_output(site):
    guide = page_plain(site, "contributing")
    assert "INVALID: " in guide and "::error file=submission/events.csv" in guide
    assert '"valid": false' in guide


def test_csv_templates_are_the_schema_headers(site):
    from kachin_events.schema import load_schemas

    for table, schema in load_schemas().items():
        path = site / "csv-templates" / f"{table}.csv"
        assert path.is_file(), f"no template for {table}"
        assert path.read_text(encoding="utf-8") == ",".join(schema.field_names) + "\n"
        assert f"csv-templates/{table}.csv" in page_text(site, "contributing")


def test_api_reference_covers_the_public_api(site):
    import kachin_events

    text = page_text(site, "api")
    for name in kachin_events.__all__:
        assert f"kachin_events.{name}" in text, f"{name} missing from the API reference"


def test_report_pages_include_the_coding_notes(site):
    for folder in sorted((ROOT / "data" / "reports").iterdir()):
        if not folder.is_dir():
            continue
        text = page_text(site, f"reports/{folder.name}")
        for line in (folder / "events.csv").read_text(encoding="utf-8").splitlines()[1:]:
            event_id = line.split(",", 1)[0]
            assert f'id="{event_id.lower()}"' in text, f"{event_id} missing from the {folder.name} page"
        if (folder / "CODING.md").is_file():
            assert "Deliberately not coded" in text or "Coder's notes" in text


def test_home_page_numbers_come_from_the_data(site):
    from kachin_events.tables import read_tables

    tables = read_tables()
    text = page_plain(site, "")
    assert f"{tables['events'].height} events" in text
    assert str(min(tables["events"]["date_start"].to_list())) in text
    assert "version " in text and "@misc{" in text


@pytest.mark.parametrize("name", ["events-per-month", "events-by-township", "event-map", "event-timeline"])
def test_charts_and_map_are_nonempty_svg(site, name):
    path = site / "figures" / f"{name}.svg"
    assert path.is_file(), f"{name}.svg was not generated"
    data = path.read_bytes()
    assert len(data) > 5000
    assert b"<svg" in data[:2000] and data.rstrip().endswith(b"</svg>")
    # No remote references inside the pictures either.
    assert not re.search(rb'(?:href|src)="https?://', data)
    assert f"figures/{name}.svg" in page_text(site, "overview")


_REMOTE = re.compile(
    r"<(?:script|img|iframe|source|video|audio|embed)\b[^>]*\bsrc=[\"']?(?:https?:)?//"
    r"|<link\b[^>]*\bhref=[\"']?(?:https?:)?//"
    r"|url\([\"']?(?:https?:)?//",
    re.I,
)


def test_no_page_loads_remote_assets(site):
    offenders = []
    for path in site.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        for m in _REMOTE.finditer(text):
            offenders.append(f"{path.relative_to(site)}: {text[m.start():m.start() + 120]}")
    for path in site.rglob("*.css"):
        text = path.read_text(encoding="utf-8")
        # Material's own stylesheets never import fonts when theme.font is false.
        offenders += [f"{path.relative_to(site)}: {m.group(0)}" for m in
                      re.finditer(r"@import\s+url\([\"']?https?://[^)]*\)", text)]
    assert not offenders, "remote assets:\n" + "\n".join(offenders[:20])
    index = page_text(site, "")
    assert "fonts.googleapis.com" not in index and "fonts.gstatic.com" not in index


# -- the hook's own behaviour ----------------------------------------------------------------------
@pytest.fixture(scope="module")
def hooks():
    """The hook's helper modules, imported as mkdocs imports them (docs/hooks on sys.path)."""
    sys.path.insert(0, str(ROOT / "docs" / "hooks"))
    try:
        import kedocs_content

        yield kedocs_content
    finally:
        sys.path.remove(str(ROOT / "docs" / "hooks"))


@pytest.fixture(scope="module")
def site_data(hooks):
    return hooks.SiteData.load(ROOT)


def test_directives_quote_the_data(hooks, site_data):
    from kachin_events.tables import read_tables

    ev = read_tables()["events"].row(0, named=True)
    text = hooks.expand(f"{{{{ke value {ev['event_id']} date_start}}}} and {{{{ke count events}}}}",
                        "methodology.md", site_data)
    assert text == f"{ev['date_start']} and {read_tables()['events'].height}"


@pytest.mark.parametrize("directive", ["{{ke no-such-directive}}", "{{ke value KE999999 date_start}}",
                                       "{{ke value KE000001 no_such_field}}", "{{ke categories events notes}}",
                                       "{{ke report-events no-such-report}}", "{{ke value KE000001}}"])
def test_a_bad_directive_stops_the_build(hooks, site_data, directive):
    with pytest.raises(hooks.DirectiveError):
        hooks.expand(directive, "index.md", site_data)


def test_directive_output_keeps_the_indentation(hooks, site_data):
    text = hooks.expand("=== \"Tab\"\n\n    {{ke stats-summary}}\n", "index.md", site_data)
    body = text.split("\n", 2)[2]
    assert all(line.startswith("    ") or not line.strip() for line in body.splitlines())


def test_releases_without_a_builder_say_so(hooks, site_data, monkeypatch):
    import kedocs_ref

    monkeypatch.setattr(kedocs_ref, "has_build", lambda: False)
    monkeypatch.setattr(kedocs_ref, "has_module", lambda name: False)
    assert "no release builder" in kedocs_ref.releases_md(site_data)
    assert "not part of this version" in kedocs_ref.module_doc("semver")
    assert "does not have yet" in kedocs_ref.quickstart_release(site_data)


# -- the contributor guide ---------------------------------------------------------------------------
def test_contributor_guide_reads_cleanly_on_github():
    """GitHub shows the Markdown as it is: its directives are HTML comments, which GitHub hides."""
    text = (ROOT / "docs" / "contributing.md").read_text(encoding="utf-8")
    assert "{{ke" not in text
    assert re.search(r"^<!-- ke: rules-guide -->$", text, re.M)


def test_comment_directives_are_expanded(hooks, site_data):
    from kachin_events.tables import read_tables

    n = read_tables()["events"].height
    assert hooks.expand("Events:\n\n<!-- ke: count events -->\n", "index.md", site_data) == f"Events:\n\n{n}\n"
    assert hooks.expand("<!-- a plain comment -->", "index.md", site_data) == "<!-- a plain comment -->"
    with pytest.raises(hooks.DirectiveError):
        hooks.expand("<!-- ke: no-such-directive -->", "index.md", site_data)


def test_contributor_guide_has_the_rules_guide_and_the_walkthrough(site):
    from kachin_events.rules import RULES

    guide = page_plain(site, "contributing")
    for rule in RULES:
        assert rule.fix.replace("`", "") in guide, f"rule {rule.id}: its fix is missing from the built guide"
    assert "<!-- ke:" not in page_text(site, "contributing")
    # The walk-through's commands ran while the site was built; their output is on the page.
    for command in ("$ kachin-events template my-report.xlsx", "$ kachin-events validate my-report.xlsx",
                    "$ kachin-events add my-report.xlsx --notes CODING.md", "$ kachin-events fmt --check",
                    "$ kachin-events validate --base main", "$ kachin-events correct ", "$ kachin-events retire "):
        assert command in guide, f"{command!r} missing from the walk-through"
    assert "unknown-name" in guide and "ambiguous-name" in guide and "base-uncorrected-edit" in guide
    assert (site / "template" / "kachin-events-template.xlsx").is_file()
    assert "template/kachin-events-template.xlsx" in page_text(site, "contributing")


def test_methodology_explains_claims_and_corrections(site):
    text = page_plain(site, "methodology")
    for heading in ("Claims side by side", "Corrections and retractions", "Possible duplicates"):
        assert heading in text
    for table in ("claimants", "corrections", "retractions"):
        assert f"codebook.html#{table}" in page_text(site, "methodology")
