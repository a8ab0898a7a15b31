"""Property tests: records generated from the schema validate; one corrupted cell is
reported at its row, field and rule; no input, however malformed, raises."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cases.contract import check_report
from kachin_events import get_schema, validate
from kachin_events.rules import PRECISION_MAX_SPAN, PRECISION_MIN_SPAN
from kachin_events.tables import read_tables

REPO = Path(__file__).resolve().parents[1]
PACKAGE = REPO / "datapackage.json"
TODAY = dt.date(2026, 11, 22)
SOURCE = "kng-2026-02-four-fronts"  # its latest possible publication date bounds the events

_tables = read_tables(PACKAGE)
SOURCE_LATEST = _tables["sources"].filter(_tables["sources"]["source_id"] == SOURCE)["publication_date_latest"][0]
ACTORS = sorted(_tables["actors"]["actor_id"].to_list())
_towns = _tables["locations"].filter((_tables["locations"]["level"] == "town")
                                     & (_tables["locations"]["status"] == "active"))
TOWNS = list(_towns.select(["admin2_pcode", "admin3_pcode", "location_pcode", "name", "latitude", "longitude"]).iter_rows())
EVENTS = get_schema("events")
SUB_TYPES = [(c["event_type"], c["value"]) for c in EVENTS.field("sub_event_type").categories]
NOTE_CHARS = st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")) | st.sampled_from(',"\n\'')
SETTINGS = settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def event_rows(draw):
    n = draw(st.integers(1, 4))
    ids = draw(st.lists(st.integers(900000, 999999), min_size=n, max_size=n, unique=True))
    rows = []
    for i in ids:
        precision = draw(st.sampled_from(EVENTS.field("date_precision").enum))
        span = draw(st.integers(PRECISION_MIN_SPAN[precision], PRECISION_MAX_SPAN[precision]))
        end = draw(st.dates(dt.date(2021, 2, 1), SOURCE_LATEST))
        start = end - dt.timedelta(days=span)
        event_type, sub = draw(st.sampled_from(SUB_TYPES))
        actor1, actor2 = draw(st.lists(st.sampled_from(ACTORS), min_size=2, max_size=2, unique=True))
        a2, a3, pcode, name, lat, lon = draw(st.sampled_from(TOWNS))
        fat = draw(st.one_of(st.none(), st.lists(st.integers(0, 500), min_size=3, max_size=3).map(sorted)))
        rows.append({
            "event_id": f"KE{i:06d}", "date_start": start.isoformat(), "date_end": end.isoformat(),
            "date_precision": precision, "event_type": event_type, "sub_event_type": sub,
            "actor1": actor1, "actor2": draw(st.sampled_from([actor2, ""])),
            "admin1_pcode": "MMR001", "admin2_pcode": a2, "admin3_pcode": a3,
            "location": name, "location_pcode": pcode, "latitude": f"{lat:.5f}", "longitude": f"{lon:.5f}",
            "geo_precision": str(draw(st.sampled_from([1, 2, 3]))),
            "fatalities_low": "" if fat is None else str(fat[0]),
            "fatalities_best": "" if fat is None else str(fat[1]),
            "fatalities_high": "" if fat is None else str(fat[2]),
            "civilian_targeting": draw(st.sampled_from(["true", "false", ""])),
            "event_clarity": str(draw(st.sampled_from([1, 2]))),
            # A note starting with =, +, - or @ would be a formula-cell error: begin with a word.
            "notes": "Reported: " + draw(st.text(NOTE_CHARS, min_size=20, max_size=60)).replace("\r", " "),
        })
    return rows


def write_submission(folder: Path, rows) -> dict[int, int]:
    """Write events + event_sources; return row index -> the line the record starts on."""
    folder.mkdir(parents=True, exist_ok=True)
    starts, line = {}, 2
    with open(folder / "events.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, EVENTS.field_names, lineterminator="\n")
        w.writeheader()
        for i, r in enumerate(rows):
            starts[i] = line
            w.writerow(r)
            line += 1 + sum(str(v).count("\n") for v in r.values())
    links = get_schema("event_sources").field_names
    with open(folder / "event_sources.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, links, lineterminator="\n")
        w.writeheader()
        for r in rows:
            w.writerow({"event_id": r["event_id"], "source_id": SOURCE, "claimant": "Kachin News Group (KNG)",
                        "claimant_type": "outlet", "claimant_actor_id": "", "claimant_id": "kng"})
    return starts


@SETTINGS
@given(rows=event_rows())
def test_generated_records_validate(tmp_path_factory, rows):
    folder = tmp_path_factory.mktemp("sub")
    write_submission(folder, rows)
    report = validate(folder, today=TODAY, reference=PACKAGE)
    assert report.errors == [], report.to_text()


CORRUPTIONS = [
    ("fatalities_best", "x", "type"), ("latitude", "north", "type"), ("date_start", "2026-02-30", "type"),
    ("civilian_targeting", "perhaps", "type"), ("event_clarity", "1.5", "type"),
    ("date_precision", "fortnight", "enum"), ("event_type", "War", "enum"), ("geo_precision", "7", "enum"),
    ("notes", "", "required"), ("latitude", "", "required"), ("location", "", "required"),
    ("actor1", "nobody", "foreign-key"), ("admin2_pcode", "D001", "pattern"),
]


@SETTINGS
@given(rows=event_rows(), data=st.data())
def test_one_corrupted_cell_is_reported_where_it_is(tmp_path_factory, rows, data):
    i = data.draw(st.integers(0, len(rows) - 1), label="row")
    field, bad, rule = data.draw(st.sampled_from(CORRUPTIONS), label="corruption")
    rows[i][field] = bad
    folder = tmp_path_factory.mktemp("sub")
    starts = write_submission(folder, rows)
    report = validate(folder, today=TODAY, reference=PACKAGE)
    got = [(Path(f.file).name, f.row, f.field, f.rule) for f in report.errors]
    assert got == [("events.csv", starts[i], field, rule)], report.to_text()


@settings(max_examples=60, deadline=None)
@given(content=st.binary(max_size=300), suffix=st.sampled_from([".csv", ".json", ".xlsx"]))
def test_no_input_raises(tmp_path_factory, content, suffix):
    path = tmp_path_factory.mktemp("fuzz") / f"input{suffix}"
    path.write_bytes(content)
    report = validate(path, today=TODAY, reference=PACKAGE)
    check_report(report, [path.name])  # the exit status the findings call for, each finding complete
    assert report.exit_code == 0 or report.findings


@settings(max_examples=40, deadline=None)
@given(text=st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)) | st.sampled_from(',"\n'), max_size=400))
def test_no_csv_text_raises(tmp_path_factory, text):
    path = tmp_path_factory.mktemp("fuzz") / "events.csv"
    path.write_text(",".join(EVENTS.field_names) + "\n" + text, encoding="utf-8")
    report = validate(path, today=TODAY, reference=PACKAGE)
    check_report(report, [path.name])
