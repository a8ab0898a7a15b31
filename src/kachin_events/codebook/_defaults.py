"""The schemas and rules the renderers use when they are given none: the package's own."""

from __future__ import annotations


def schemas_or_default(schemas):
    """``schemas``, or every Table Schema of the package (:func:`kachin_events.load_schemas`)."""
    if schemas is not None:
        return schemas
    from ..schema import load_schemas

    return load_schemas()


def rules_or_default(rules) -> tuple:
    """``rules`` as a tuple, or :data:`kachin_events.rules.RULES`."""
    if rules is not None:
        return tuple(rules)
    from ..rules import RULES

    return RULES
