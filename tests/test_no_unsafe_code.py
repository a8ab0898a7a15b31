"""No code path runs data as code: no eval, exec, pickle, marshal, shelve or unsafe YAML loading.

Data comes from many hands; a loader that can run what it loads would turn a contributed
file into a program. The scan covers the package, the docs hooks, the benchmarks and the
scripts (tests may run the docs' own examples, which they write themselves).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCANNED = [p for folder in ("src", "docs/hooks", "benchmarks", "scripts") for p in sorted((ROOT / folder).rglob("*.py"))]
FORBIDDEN_CALLS = {"eval", "exec", "compile", "__import__"}
FORBIDDEN_MODULES = {"pickle", "cPickle", "dill", "marshal", "shelve", "cloudpickle"}


def problems(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            fn = node.func
            name = fn.id if isinstance(fn, ast.Name) else fn.attr if isinstance(fn, ast.Attribute) else None
            if isinstance(fn, ast.Name) and name in FORBIDDEN_CALLS:
                out.append(f"line {node.lineno}: {name}()")
            if name in ("load", "load_all") and isinstance(fn, ast.Attribute) and getattr(fn.value, "id", None) == "yaml":
                loader = {k.arg: k.value for k in node.keywords}.get("Loader")
                if loader is None or "Safe" not in ast.unparse(loader):
                    out.append(f"line {node.lineno}: yaml.{name} without a safe loader")
            if name in ("unsafe_load", "full_load") and getattr(fn.value, "id", None) == "yaml":
                out.append(f"line {node.lineno}: yaml.{name}")
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
            out += [f"line {node.lineno}: imports {n}" for n in names if n.split(".")[0] in FORBIDDEN_MODULES]
    return out


def test_the_scan_covers_the_package():
    assert any(p.name == "api.py" and p.parent.name == "validation" for p in SCANNED)


@pytest.mark.parametrize("path", SCANNED, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_code_runs_data(path):
    assert problems(path) == []


def test_the_scan_finds_what_it_forbids(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("import pickle\nimport yaml\nx = eval('1')\ny = yaml.load(open('f'))\n", encoding="utf-8")
    assert len(problems(bad)) == 3
