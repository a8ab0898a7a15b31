"""atheris target: the first byte picks the format (c CSV, j JSON, x XLSX, else by its value), the rest is the file.

Run by tests/test_fuzz.py as ``python atheris_target.py CORPUS -runs=N -timeout=S``;
libFuzzer mutates the seeds in CORPUS (a valid file of each format) guided by the
coverage of kachin_events. A report that breaks the contract (:mod:`cases.contract`) or
an exception is a crash; a run longer than ``-timeout`` seconds a hang: libFuzzer saves
the input as ``crash-*`` or ``timeout-*`` and exits non-zero.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import tempfile
from pathlib import Path

import atheris

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # tests/, for cases.contract

with atheris.instrument_imports(include=["kachin_events"]):
    from kachin_events import validate

from cases.contract import check_report  # noqa: E402

TODAY = dt.date.fromisoformat(os.environ.get("FUZZ_TODAY", "2026-11-22"))
SUFFIX = {ord("c"): ".csv", ord("j"): ".json", ord("x"): ".xlsx"}
FOLDER = Path(tempfile.mkdtemp(prefix="atheris-"))


def one_input(data: bytes) -> None:
    if not data:
        return
    suffix = SUFFIX.get(data[0], (".csv", ".json", ".xlsx", ".xlsm")[data[0] % 4])
    path = FOLDER / f"events{suffix}"
    path.write_bytes(data[1:])
    check_report(validate(path, today=TODAY), [path.name])


if __name__ == "__main__":
    atheris.Setup(sys.argv, one_input)
    atheris.Fuzz()
