"""The optional parts of the package, and the message when one is missing.

``pip install kachin-events`` is the light install, for analysts, and needs only pandas
(and pooch to download): loading the data as pandas frames (:func:`kachin_events.load`,
the flat view, every table at once), the published releases, their history and
downloads (``versions``, ``history``, ``download``, ``diff`` between releases).

The other forms of the data need their libraries, each an extra: ``arrow`` (pyarrow)
for ``format="arrow"``, ``polars`` (polars, and pyarrow, which polars uses to take
Arrow data) for ``format="polars"``.

Everything that checks or writes data needs the ``validate`` extra
(``pip install "kachin-events[validate]"``, which brings polars and pyarrow too):
validating, the contributor's template, ``add``, ``fmt``, ``correct`` and ``retire``,
building, verifying and rebuilding releases, importing ACLED and UCDP files, exports,
and placing points in townships (:func:`kachin_events.locate`).
``benchmarks/install_size.py`` measures the light and the full install.

:data:`EXTRAS` names, for each extra, the modules it brings; ``pyproject.toml`` lists
the same packages (a test keeps them in step).
"""

from __future__ import annotations

from importlib.util import find_spec

#: extra -> {import name: distribution name} of what it brings.
EXTRAS = {
    "arrow": {"pyarrow": "pyarrow"},
    "polars": {"polars": "polars", "pyarrow": "pyarrow"},
    "validate": {
        "polars": "polars",
        "pyarrow": "pyarrow",
        "frictionless": "frictionless",
        "pandera": "pandera",
        "openpyxl": "openpyxl",
        "myanmartools": "myanmartools",
        "python_calamine": "python-calamine",
        "xlsxwriter": "xlsxwriter",
        "shapely": "shapely",
    },
}


#: Extras found complete in this process (packages are not uninstalled under a running one).
_PRESENT: set[str] = set()


class MissingExtraError(ModuleNotFoundError):
    """A feature needs an extra that is not installed; the message says what to install."""


def missing(extra: str = "validate") -> list[str]:
    """The distributions of ``extra`` that are not installed (empty when all are).

    Examples
    --------
    >>> missing("validate")  # the tests run with every extra installed
    []
    """
    if extra in _PRESENT:
        return []
    absent = [dist for module, dist in EXTRAS[extra].items() if find_spec(module) is None]
    if not absent:
        # find_spec searches sys.path for modules not yet imported: do it once per extra
        # (the loader asks on every load whether polars and pyarrow are there).
        _PRESENT.add(extra)
    return absent


def install_hint(extra: str = "validate") -> str:
    """The command that installs ``extra``.

    Examples
    --------
    >>> install_hint()
    'pip install "kachin-events[validate]"'
    """
    return f'pip install "kachin-events[{extra}]"'


def message(what: str, extra: str, absent: list[str]) -> str:
    """The message for ``what`` needing ``extra``, of which ``absent`` is not installed.

    Examples
    --------
    >>> print(message("kachin-events validate", "validate", ["pandera"]))  # doctest: +NORMALIZE_WHITESPACE
    kachin-events validate needs the validate extra, which this install leaves out (missing: pandera).
    Install it with: pip install "kachin-events[validate]"
    """
    return (f"{what} needs the {extra} extra, which this install leaves out (missing: {', '.join(absent)}).\n"
            f"Install it with: {install_hint(extra)}")


def require(what: str, extra: str = "validate") -> None:
    """Raise :class:`MissingExtraError` naming what to install when ``extra`` is not (fully) installed.

    Parameters
    ----------
    what : str
        The feature, as the user called it (``"kachin_events.validate()"``).
    extra : str
        The extra it needs.

    Examples
    --------
    >>> require("kachin_events.validate()")  # installed: nothing happens
    """
    absent = missing(extra)
    if absent:
        err = MissingExtraError(message(what, extra, absent))
        err.name = next(m for m, d in EXTRAS[extra].items() if d == absent[0])
        raise err


def extra_of(module: str | None) -> str | None:
    """The extra that brings ``module`` (a dotted name is its top package), or None.

    Examples
    --------
    >>> extra_of("pandera.api.polars"), extra_of("pandas")
    ('validate', None)
    """
    top = (module or "").split(".")[0]
    return next((extra for extra, mods in EXTRAS.items() if top in mods), None)
