"""pandas frames read with pandas alone (the light install) equal those made from Arrow data.

The light install has neither pyarrow nor polars, so :func:`kachin_events.load` reads a
release's CSV files and the snapshot's data files with pandas
(:mod:`kachin_events.pandas_tables`); with them installed it reads Parquet and the
validator's tables. Both routes run here, on every table of the snapshot and of every
published release, and must give identical frames (values, dtypes, order, ``attrs``).
tests/test_light_install.py runs the light route where pyarrow and polars cannot be imported.
"""

from __future__ import annotations


import pandas as pd
import pytest

import kachin_events
from kachin_events import loader
from kachin_events.flat import flat_events, source_tables
from kachin_events.pandas_tables import read_csv_cells, read_csv_table
from kachin_events.release.layout import bundled_release
from kachin_events.schema import TABLES, get_schema
from kachin_events.tables import read_tables

VERSIONS = [None, *kachin_events.versions()]


def _release(version):
    return None if version is None else loader._release(version, None, None, "error")


@pytest.mark.parametrize("version", VERSIONS, ids=lambda v: v or "snapshot")
def test_both_routes_give_the_same_frames(version):
    release = _release(version)
    tables = [t for t in TABLES if release is None or release.table_resource(t) is not None]
    light = loader._frames(tables, release, "pandas", pandas_only=True)
    arrow = loader._frames(tables, release, "pandas", pandas_only=False)
    assert list(light) == list(arrow) == tables
    for t in tables:
        pd.testing.assert_frame_equal(light[t], arrow[t], check_exact=True, obj=t)
        assert light[t].attrs == arrow[t].attrs and light[t].attrs["table"] == t
    assert len(light["events"]) > 0


@pytest.mark.parametrize("version", VERSIONS, ids=lambda v: v or "snapshot")
def test_the_flat_view_is_the_same_from_both_routes(version):
    release = _release(version)
    light = flat_events(loader._frames(source_tables(), release, "pandas", pandas_only=True))
    arrow = flat_events(loader._frames(source_tables(), release, "pandas", pandas_only=False))
    pd.testing.assert_frame_equal(light, arrow, check_exact=True)


def test_the_flat_view_of_polars_tables_is_the_flat_view_of_pandas_tables():
    """A release build passes polars tables; what it gets back is the same view, in polars."""
    from kachin_events.frames import pandas_frame

    made = flat_events(read_tables())
    from_pandas = flat_events(loader._frames(source_tables(), None, "pandas", pandas_only=True))
    assert type(made).__module__.startswith("polars")
    pd.testing.assert_frame_equal(pandas_frame(made.to_arrow()), from_pandas, check_exact=True)


@pytest.mark.parametrize("version", kachin_events.versions())
def test_release_csv_cells_read_the_same_with_pandas(version):
    from kachin_events.validation.csvfile import read_csv_text

    files = sorted(bundled_release(version).rglob("*.csv"))
    assert files
    for path in files:
        text = read_csv_text(path, str(path))
        names = [str(i) for i in range(len(text.header))]
        rows = [tuple(r) for r in text.frame.select(names).rows()]
        assert read_csv_cells(path) == (list(text.header), rows), path


@pytest.mark.parametrize("content, says", [
    (b"a,b\n1,2\n3\n", "line 3: the row has fewer cells than the header"),
    (b"a,b\n1,2,3\n", "line 2: the row has more cells than the header"),
    (b"", "the file is empty"),
    (b"a,b\n\xff\xfe,1\n", "cannot be read as UTF-8 CSV"),
])
def test_unreadable_csv_cells_say_which_file(tmp_path, content, says):
    path = tmp_path / "t.csv"
    path.write_bytes(content)
    with pytest.raises(ValueError, match=says) as err:
        read_csv_cells(path)
    assert str(path) in str(err.value)


def test_a_cell_that_does_not_fit_its_type_names_the_file(tmp_path):
    import csv

    schema = get_schema("events")
    source = kachin_events.pandas_tables.snapshot_paths()["events"][0]
    with open(source, encoding="utf-8", newline="") as f:
        header, row = list(csv.reader(f))[:2]
    bad = tmp_path / "events.csv"

    def write(**cells):
        values = [cells.get(name, value) for name, value in zip(header, row)]
        with open(bad, "w", encoding="utf-8", newline="") as f:
            csv.writer(f, lineterminator="\n").writerows([header, values])

    write()
    assert len(read_csv_table([bad], schema)) == 1
    write(fatalities_best="many")
    with pytest.raises(ValueError, match="does not fit the schema") as err:
        read_csv_table([bad], schema)
    assert str(bad) in str(err.value)
    write(date_start="2026-13-45")
    with pytest.raises(ValueError, match="column date_start: not a YYYY-MM-DD date"):
        read_csv_table([bad], schema)
