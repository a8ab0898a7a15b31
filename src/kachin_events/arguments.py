"""Friendly errors for the loading functions' arguments: keyword-only, and "did you mean".

``load("events", "polars")`` used to pass ``"polars"`` as the version and fail with a
message about version numbers. :func:`keyword_only` makes every argument after the
positional ones keyword-only and says which keyword a misplaced value belongs to; a
misspelt keyword (``fromat=``) or a value outside a fixed list gets the closest name.
"""

from __future__ import annotations

import difflib
import functools
import inspect
from typing import Callable, Iterable


def did_you_mean(value, choices: Iterable) -> str:
    """`` Did you mean 'x'?`` for the choice closest to ``value``, or ``""`` when none is close.

    Examples
    --------
    >>> did_you_mean("pollars", ["pandas", "polars", "arrow"])
    " Did you mean 'polars'?"
    >>> did_you_mean("xyz", ["pandas", "polars"])
    ''
    """
    close = difflib.get_close_matches(str(value), [str(c) for c in choices], n=1)
    return f" Did you mean {close[0]!r}?" if close else ""


def check_choice(what: str, value, choices: Iterable) -> None:
    """Raise ValueError unless ``value`` is one of ``choices``, naming them and the closest.

    Examples
    --------
    >>> check_choice("format", "pollars", ("pandas", "polars", "arrow"))
    Traceback (most recent call last):
    ...
    ValueError: unknown format 'pollars'; use one of: pandas, polars, arrow. Did you mean 'polars'?
    """
    choices = tuple(choices)
    if value not in choices:
        msg = f"unknown {what} {value!r}; use one of: {', '.join(map(str, choices))}.{did_you_mean(value, choices)}"
        raise ValueError(msg)


def keyword_only(guess: Callable[[object], str | None] = lambda value: None):
    """Decorate a function whose arguments after the positional ones are keyword-only,
    so that a misplaced or misspelt argument is a TypeError that says what to write.

    Parameters
    ----------
    guess : callable
        ``guess(value) -> keyword or None``: which keyword a value given by position
        most likely belongs to (``"polars"`` -> ``"format"``).

    Examples
    --------
    >>> @keyword_only(lambda v: "format" if v in ("pandas", "polars") else None)
    ... def read(table="events", *, format="pandas"):
    ...     return table, format
    >>> read("events", format="polars")
    ('events', 'polars')
    >>> read("events", "polars")
    Traceback (most recent call last):
    ...
    TypeError: read() takes only table by position; write read('events', format='polars'). Its other ...
    >>> read(fromat="polars")
    Traceback (most recent call last):
    ...
    TypeError: read() got an unexpected keyword argument 'fromat'. Did you mean 'format'? ...
    """

    def decorate(func):
        params = list(inspect.signature(func).parameters.values())
        positional = [p.name for p in params
                      if p.kind in (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)]
        keywords = [p.name for p in params if p.kind is inspect.Parameter.KEYWORD_ONLY]
        name = func.__name__

        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            if len(args) > len(positional):
                raise TypeError(_positional_message(name, positional, keywords, args, guess))
            unknown = [k for k in kwargs if k not in positional and k not in keywords]
            if unknown:
                key = unknown[0]
                msg = (f"{name}() got an unexpected keyword argument {key!r}.{did_you_mean(key, positional + keywords)}"
                       f" Its arguments are: {', '.join(positional + keywords)}")
                raise TypeError(msg)
            return func(*args, **kwargs)

        return wrapper

    return decorate


def _positional_message(name: str, positional: list[str], keywords: list[str], args: tuple, guess) -> str:
    given = [repr(a) for a in args[:len(positional)]]
    named = [f"{guess(v) or '...'}={v!r}" for v in args[len(positional):]]
    takes = f"takes only {', '.join(positional)} by position" if positional else "takes no argument by position"
    if all(not n.startswith("...=") for n in named):
        fix = f"write {name}({', '.join(given + named)})"
    else:
        fix = f"give the other values by keyword ({', '.join(named)})"
    others = "Its other arguments" if positional else "Its arguments"
    return f"{name}() {takes}; {fix}. {others} are keyword-only: {', '.join(k + '=...' for k in keywords)}"
