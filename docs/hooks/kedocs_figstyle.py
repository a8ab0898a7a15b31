"""The look shared by the site's figures (charts and map): fonts, colours and SVG output.

Text is written as SVG ``<text>`` (``svg.fonttype: "none"``), so it can be read at any
zoom, selected, searched and read by screen readers. The figures are shown at the width
of the page's text column (about 750 CSS pixels on a desktop), and their intrinsic width
is about that (7.8 inches at 72 user units per inch, shown at 4/3 px per unit), so a
font size of 9 units is about 12 px on screen. :data:`MIN_FONT` is the smallest size any
text may have; ``tests/test_site_figures.py`` measures the result in a browser.
"""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

#: Width of every figure, in inches: about the text column of the site on a desktop.
WIDTH_IN = 7.8
#: The smallest font size used in a figure (SVG user units, 1/72 inch).
MIN_FONT = 10
#: Font sizes by role.
FONT = {"title": 13, "subtitle": 10.5, "label": 10.5, "tick": 10.5, "legend": 10.5, "note": MIN_FONT}

# Okabe-Ito colours (safe for colour-blind readers), one per ACLED event type.
TYPE_COLOURS = {
    "Battles": "#D55E00",
    "Explosions/Remote violence": "#0072B2",
    "Violence against civilians": "#CC79A7",
    "Strategic developments": "#009E73",
    "Protests": "#E69F00",
    "Riots": "#56B4E9",
}
#: One colour per date precision, from precise (dark blue) to coarse (orange, vermilion).
PRECISION_COLOURS = ["#0072B2", "#56B4E9", "#009E73", "#E69F00", "#D55E00", "#CC79A7", "#999999"]
#: Date precisions whose range may be longer than a week: "coarse" in the charts.
COARSE = ("month", "year")

RC = {
    "svg.hashsalt": "kachin-events",
    "svg.fonttype": "none",  # real text, not shapes
    "font.family": "sans-serif",
    "font.sans-serif": ["DejaVu Sans", "Liberation Sans", "Arial", "Helvetica"],
    "font.size": FONT["tick"],
    "axes.titlesize": FONT["title"],
    "axes.labelsize": FONT["label"],
    "xtick.labelsize": FONT["tick"],
    "ytick.labelsize": FONT["tick"],
    "legend.fontsize": FONT["legend"],
    "legend.title_fontsize": FONT["legend"],
    "axes.spines.top": False,
    "axes.spines.right": False,
}


def type_colour(event_type: str) -> str:
    return TYPE_COLOURS.get(event_type, "#777777")


def title(ax, text: str, subtitle: str | None = None) -> None:
    """A left-aligned title, with a smaller line under it (what to read the chart as)."""
    ax.set_title(text, loc="left", fontsize=FONT["title"], fontweight="bold",
                 pad=FONT["subtitle"] * 1.6 + 6 if subtitle else 6)
    if subtitle:
        ax.annotate(subtitle, (0, 1), xycoords="axes fraction", xytext=(0, 6), textcoords="offset points",
                    fontsize=FONT["subtitle"], color="#333333", va="bottom", ha="left")


def svg(fig) -> bytes:
    """The figure as deterministic SVG bytes (no date), closed afterwards."""
    buf = io.BytesIO()
    fig.savefig(buf, format="svg", metadata={"Date": None}, bbox_inches="tight", pad_inches=0.08)
    plt.close(fig)
    return buf.getvalue()
