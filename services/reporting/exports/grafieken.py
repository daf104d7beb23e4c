"""Charts of the jaarcijfers, drawn with matplotlib (no pyplot: safe in worker threads).

``figuur_*`` return a matplotlib Figure, used as inline SVG in the HTML page and as vector
graphics in the PDF. A suppressed count (``"<5"``) is drawn as an empty bar with its mark.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from contextlib import AbstractContextManager
from typing import Any, Final

import matplotlib
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from services.reporting.exports.labels import ONDERWERP, label

KLEUREN: Final = ("#154273", "#39870c", "#e17000", "#a90061", "#8fcae7", "#ffb612", "#5c5c5c")
"""Rijkshuisstijl-like colours: dark blue, green, orange, violet, light blue, yellow, grey."""

STIJL: Final[Mapping[str, Any]] = {
    "font.size": 8,
    "font.family": "DejaVu Sans",
    "axes.spines.top": False,
    "axes.spines.right": False,
    "svg.fonttype": "none",
    "svg.hashsalt": "knooppunt",
}


def stijl() -> AbstractContextManager[None]:
    """The charts' matplotlib settings, for the duration of a drawing."""
    return matplotlib.rc_context(dict(STIJL))  # type: ignore[arg-type]


def _getal(aantal: object) -> int:
    return aantal if isinstance(aantal, int) else 0


def teken_meldingen_per_jaar(ax: Axes, rapport: Mapping[str, Any]) -> None:
    """Grouped bars: meldingen per onderwerp, one group per year of the series."""
    reeks: Sequence[Mapping[str, Any]] = rapport["meldingen_per_jaar"]
    onderwerpen = list(rapport["per_onderwerp"])
    breedte = 0.8 / max(len(onderwerpen), 1)
    for i, onderwerp in enumerate(onderwerpen):
        xs = [j + (i - (len(onderwerpen) - 1) / 2) * breedte for j in range(len(reeks))]
        waarden = [r["per_onderwerp"].get(onderwerp, 0) for r in reeks]
        staven = ax.bar(
            xs,
            [_getal(w) for w in waarden],
            breedte * 0.92,
            label=label(ONDERWERP, onderwerp),
            color=KLEUREN[i % len(KLEUREN)],
        )
        ax.bar_label(staven, labels=[str(w) for w in waarden], fontsize=6, padding=1)
    ax.set_xticks(range(len(reeks)), [str(r["jaar"]) for r in reeks])
    ax.set_ylabel("meldingen")
    ax.set_title("Meldingen per onderwerp per jaar", loc="left", fontsize=9)
    ax.legend(frameon=False, fontsize=7, ncols=2, loc="upper left")
    ax.margins(y=0.3)


def teken_tabel(ax: Axes, tabel: Mapping[str, Any]) -> None:
    """Horizontal bars of one outcome table, rows in the published order."""
    rijen: Sequence[Mapping[str, Any]] = tabel["rijen"]
    posities = list(range(len(rijen)))[::-1]
    staven = ax.barh(posities, [_getal(r["aantal"]) for r in rijen], 0.65, color=KLEUREN[0])
    ax.bar_label(staven, labels=[str(r["aantal"]) for r in rijen], padding=2)
    ax.set_yticks(posities, [str(r["label"]) for r in rijen])
    ax.xaxis.set_visible(False)
    ax.spines["bottom"].set_visible(False)
    ax.margins(x=0.15)


def hoogte_tabel(tabel: Mapping[str, Any]) -> float:
    """A table chart's height in inches (grows with its rows)."""
    return 0.45 + 0.28 * len(tabel["rijen"])


def figuur_meldingen_per_jaar(rapport: Mapping[str, Any]) -> Figure:
    """The chart of meldingen per onderwerp per year as a figure of its own."""
    with stijl():
        fig = Figure(figsize=(6.3, 2.8), layout="constrained")
        teken_meldingen_per_jaar(fig.add_subplot(), rapport)
        return fig


def figuur_tabel(tabel: Mapping[str, Any]) -> Figure:
    """One outcome table's chart as a figure of its own."""
    with stijl():
        fig = Figure(figsize=(6.3, hoogte_tabel(tabel)), layout="constrained")
        teken_tabel(fig.add_subplot(), tabel)
        return fig


def als_svg(figuur: Figure) -> str:
    """The figure as an inline <svg> element (no XML prolog)."""
    buffer = io.StringIO()
    figuur.savefig(buffer, format="svg", metadata={"Date": None})
    tekst = buffer.getvalue()
    return tekst[tekst.index("<svg") :]
