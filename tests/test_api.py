"""The flat public API: every name in __all__ is what it says, whatever was imported first."""

from __future__ import annotations

import importlib
import pkgutil
import types

import kachin_events


def test_public_names_are_never_shadowed_by_submodules():
    # Importing every submodule sets package attributes named after the modules; none
    # of those may hide a public function (e.g. a module named like `validate`).
    for mod in pkgutil.iter_modules(kachin_events.__path__):
        if mod.name == "__main__":
            continue  # running it is the CLI
        importlib.import_module(f"kachin_events.{mod.name}")
    for name in kachin_events.__all__:
        obj = getattr(kachin_events, name)
        assert not isinstance(obj, types.ModuleType), f"kachin_events.{name} is a module"


def test_every_public_callable_has_a_numpy_docstring_with_an_example_or_parameters():
    for name in kachin_events.__all__:
        obj = getattr(kachin_events, name)
        if callable(obj) and not isinstance(obj, type):
            doc = obj.__doc__ or ""
            assert doc.strip(), f"{name} has no docstring"
            assert "Parameters" in doc or "Examples" in doc or "Returns" in doc, name
