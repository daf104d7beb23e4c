"""Stacked bar charts as plain geometry, drawn as inline SVG by the template.

No JavaScript and nothing fetched: the page carries the chart, and a table with the same
numbers next to it for screen readers and for copying.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from math import ceil, log10

KLEUREN = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#6E6E6E")
"""Okabe-Ito: distinguishable with every common form of colour blindness."""


@dataclass(frozen=True)
class Reeks:
    """One stacked part: its label and a value per category."""

    label: str
    waarden: Sequence[int]
    kleur: str | None = None
    """A fixed colour (so a code keeps its colour across charts); else by position."""


@dataclass(frozen=True)
class Vlak:
    x: float
    y: float
    breedte: float
    hoogte: float
    kleur: str
    titel: str


@dataclass(frozen=True)
class Tekst:
    x: float
    y: float
    tekst: str


@dataclass(frozen=True)
class Grafiek:
    """Everything the template draws, in SVG user units."""

    titel: str
    breedte: int
    hoogte: int
    vlakken: list[Vlak]
    xlabels: list[Tekst]
    ylabels: list[Tekst]
    rasterlijnen: list[float]
    totalen: list[Tekst]
    legenda: list[tuple[str, str]]
    links: int
    rechts: int
    categorieen: Sequence[str]
    reeksen: Sequence[Reeks]


def _stap(maximum: int) -> int:
    """A round step so the axis has about five lines."""
    if maximum <= 5:
        return 1
    ruw = maximum / 5
    macht = 10 ** int(log10(ruw))
    return int(next(s * macht for s in (1, 2, 5, 10) if s * macht >= ruw))


def gestapeld(
    titel: str,
    categorieen: Sequence[str],
    reeksen: Sequence[Reeks],
    *,
    breedte: int = 600,
    hoogte: int = 280,
) -> Grafiek:
    """A stacked bar per category; the parts are the series, in the order given."""
    links, rechts, boven, onder = 44, 12, 20, 32
    plot_b = breedte - links - rechts
    plot_h = hoogte - boven - onder
    totalen = [sum(r.waarden[i] for r in reeksen) for i in range(len(categorieen))]
    stap = _stap(max(totalen, default=0))
    top = max(stap, ceil(max(totalen, default=0) / stap) * stap)
    schaal = plot_h / top
    vak = plot_b / max(1, len(categorieen))
    balk = min(56.0, vak * 0.6)
    vlakken: list[Vlak] = []
    xlabels: list[Tekst] = []
    boven_balk: list[Tekst] = []
    for i, categorie in enumerate(categorieen):
        x = links + i * vak + (vak - balk) / 2
        y: float = boven + plot_h
        for j, reeks in enumerate(reeksen):
            waarde = reeks.waarden[i]
            if not waarde:
                continue
            h = waarde * schaal
            y -= h
            vlakken.append(
                Vlak(
                    x,
                    y,
                    balk,
                    h,
                    reeks.kleur or KLEUREN[j % len(KLEUREN)],
                    f"{categorie}, {reeks.label}: {waarde}",
                )
            )
        xlabels.append(Tekst(links + i * vak + vak / 2, hoogte - 10, categorie))
        boven_balk.append(Tekst(links + i * vak + vak / 2, y - 4, str(totalen[i])))
    rasters = list(range(0, top + 1, stap))
    return Grafiek(
        titel=titel,
        breedte=breedte,
        hoogte=hoogte,
        vlakken=vlakken,
        xlabels=xlabels,
        ylabels=[Tekst(links - 6, boven + plot_h - w * schaal + 4, str(w)) for w in rasters],
        rasterlijnen=[boven + plot_h - w * schaal for w in rasters],
        totalen=boven_balk,
        legenda=[(r.kleur or KLEUREN[j % len(KLEUREN)], r.label) for j, r in enumerate(reeksen)],
        links=links,
        rechts=breedte - rechts,
        categorieen=categorieen,
        reeksen=reeksen,
    )
