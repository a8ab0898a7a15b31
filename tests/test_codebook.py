"""The codebook renderer (kachin_events.codebook): dense, events first, with usage warnings counted in the data."""

from __future__ import annotations

import re

import pytest

from kachin_events import codebook
from kachin_events.codebook import usage_warnings
from kachin_events.schema import Field, load_schemas


@pytest.fixture(scope="module")
def tables():
    from kachin_events.tables import read_tables

    return read_tables()


@pytest.fixture(scope="module")
def page(tables) -> str:
    return codebook.render_codebook(tables=tables)


def test_the_names_other_modules_import_are_still_there():
    # docs/hooks, flat.py, crosswalk/ and the API reference import these from kachin_events.codebook.
    for name in ("code", "markdown_table", "escape_cell", "describe_type", "categories_table", "field_anchor",
                 "rule_anchor", "render_codebook", "render_rules_guide", "csv_template", "ACLED_SOURCES",
                 "MAPPING_TITLES", "render_acled_columns", "render_ucdp_columns", "precision_mappings"):
        assert callable(getattr(codebook, name)) or isinstance(getattr(codebook, name), dict), name


def test_events_come_first_then_claims_then_reference_tables(page):
    order = [m.group(1) for m in re.finditer(r"^### (\w+) \{#\1\}$", page, flags=re.M)]
    assert order[:6] == ["events", "event_actors", "event_tags", "event_sources", "sources", "claimants"]
    assert order.index("locations") > order.index("claimants")
    assert sorted(order) == sorted(load_schemas())


def test_one_table_per_data_table_not_a_heading_per_field(page):
    headings = re.findall(r"^#{2,4} .*$", page, flags=re.M)
    assert len(headings) < 35, headings
    assert not any(re.match(r"^#+ \w+\.\w+", h) for h in headings), "a field still has its own heading"
    for table, schema in load_schemas().items():
        for f in schema.fields:
            anchor = codebook.field_anchor(table, f.name)
            # Every field keeps its id, on its row, so links to it keep working.
            assert page.count(f'id="{anchor}"') == 1, anchor
    assert "| Field | Type | Required | Description | Allowed values or range | Example |" in page


def test_foreign_keys_link_to_the_target_field(page):
    row = next(line for line in page.splitlines() if 'id="events-actor1"' in line)
    assert "[`actors.actor_id`](#actors-actor_id)" in row


def test_examples_are_values_of_the_data(page, tables):
    row = next(line for line in page.splitlines() if 'id="events-event_id"' in line)
    assert row.rstrip(" |").endswith(f"`{tables['events']['event_id'][0]}`")
    # Without data there is no example column (nothing is made up).
    assert "| Example |" not in codebook.render_codebook()


def test_long_vocabularies_have_their_own_tables(page):
    sub = load_schemas()["events"].field("sub_event_type")
    anchor = codebook.values_anchor("events", "sub_event_type")
    assert f"{{: #{anchor} .ke-vocab-caption }}" in page
    assert f"](#{anchor})" in page  # the field's row links to it
    after = page[page.index(anchor):]
    for cat in sub.categories[:3]:
        assert cat["label"] in after


def test_lengths_are_singular_for_one():
    one = Field("x", "string", "x", "", {"minLength": 1, "maxLength": 1})
    assert codebook.describe_constraints(one) == ["at least 1 character", "at most 1 character"]
    text = codebook.render_codebook()
    assert "1 characters" not in text


def test_usage_warnings_are_counted_in_the_data(page, tables):
    events = tables["events"].to_dicts()
    claims = tables["event_sources"].to_dicts()
    parties: dict[str, set] = {}
    for c in claims:
        parties.setdefault(c["event_id"], set()).add(c["claimant_actor_id"])
    expected = {
        "dates-coarse": sum(e["date_precision"] in ("month", "year") for e in events),
        "claims-one-party": sum(len(p) == 1 and None not in p for p in parties.values()),
        "fatalities-unknown": sum(e["fatalities_best"] is None for e in events),
        "locations-approximate": sum(e["geo_precision"] != 1 for e in events),
    }
    assert [w.id for w in codebook.WARNINGS] == list(expected)
    for w in codebook.WARNINGS:
        affected, total = w.counted(tables)
        assert (affected, total) == (expected[w.id], len(events)), w.id
        text = f"{w.title}: {affected} of {total} events"
        # Stated beside the table it applies to, in its section, before the next table.
        section = page[page.index(f"### {w.table} {{#{w.table}}}"):]
        section = section[:section.index("\n### ", 1)]
        assert text in section, w.id
        # And marked in the rows of the fields it names.
        for f in w.fields:
            row = next(line for line in page.splitlines() if f'id="{codebook.field_anchor(w.table, f)}"' in line)
            assert f"(#{codebook.warning_anchor(w.id)})" in row, (w.id, f)


def test_a_warning_on_a_code_the_schemas_lack_fails_loudly(monkeypatch):
    monkeypatch.setattr(usage_warnings, "COARSE_DATES", ("month", "quarter"))
    with pytest.raises(ValueError, match="quarter"):
        codebook.render_codebook()


def test_the_ucdp_section_maps_type_of_violence_and_says_ged_needs_a_death(page):
    from kachin_events.exports.ucdp import type_of_violence

    from kachin_events.codebook.mappings import _actor_classes

    schemas = load_schemas()
    rows = codebook.violence_mapping()
    assert {tov for *_, tov in rows} == {1, 2, 3}
    groups = dict(_actor_classes(schemas))
    group_of = {code: name for name, codes in groups.items() for code in codes}
    listed = {(et, a1, a2): tov for et, a1, a2, tov in rows}
    for event_type in schemas["events"].field("event_type").enum:
        for a in group_of:
            for b in [*group_of, None]:
                key = (event_type, group_of[a], group_of[b] if b is not None else "no second actor")
                # The table says what the export's own rule does, for every actor type of each group.
                assert type_of_violence(event_type, a, b) == listed.get(key), key
    ucdp = page[page.index("### UCDP GED columns"):]
    assert "only events with at least one death" in ucdp
    assert "### UCDP type_of_violence {#ucdp-type-of-violence}" in ucdp
    assert "see below" not in page.lower()


def test_the_violence_table_refuses_groups_that_misdescribe_the_rule(monkeypatch):
    from kachin_events.exports import ucdp

    monkeypatch.setattr(ucdp, "type_of_violence", lambda et, a, b: 1 if a == 2 else None)
    with pytest.raises(ValueError, match="not the same for every actor type"):
        codebook.violence_mapping()
