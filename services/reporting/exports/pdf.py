"""The jaarcijfers as a PDF in the layout of the published report (matplotlib's PDF backend).

A4 pages filled top to bottom: title, the sentences, Tabel 1 and the chart per year, then each
outcome table with its chart. Text stays text (Type 42 fonts): it can be searched and copied.
"""

from __future__ import annotations

import io
import textwrap
from collections.abc import Callable, Mapping, Sequence
from functools import partial
from typing import Any, Final

from matplotlib.axes import Axes
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure

from services.reporting.exports import tekst
from services.reporting.exports.grafieken import (
    hoogte_tabel,
    stijl,
    teken_meldingen_per_jaar,
    teken_tabel,
)

A4: Final = (8.27, 11.69)
MARGE: Final = 0.8
"""Page margin in inches."""
BREEDTE: Final = A4[0] - 2 * MARGE
BLAUW: Final = "#154273"


class _Document:
    """Places text, tables and charts on A4 pages, starting a new page when one is full."""

    def __init__(self, pdf: PdfPages) -> None:
        self.pdf = pdf
        self.pagina: Figure | None = None
        self.y = 0.0
        self.nummer = 0

    def _nieuwe_pagina(self) -> Figure:
        self.sluit_pagina()
        self.nummer += 1
        self.pagina = Figure(figsize=A4)
        self.y = A4[1] - MARGE
        self.pagina.text(
            0.5, MARGE / 2 / A4[1], str(self.nummer), ha="center", fontsize=7, color="#555"
        )
        return self.pagina

    def sluit_pagina(self) -> None:
        if self.pagina is not None:
            self.pdf.savefig(self.pagina)  # type: ignore[no-untyped-call]
            self.pagina = None

    def _ruimte(self, hoogte: float) -> Figure:
        if self.pagina is None or self.y - hoogte < MARGE:
            return self._nieuwe_pagina()
        return self.pagina

    def regel(
        self,
        inhoud: str,
        *,
        grootte: float = 9,
        vet: bool = False,
        kleur: str = "#1a1a1a",
        x: float = 0.0,
        ha: str = "left",
        ruimte: float | None = None,
    ) -> None:
        hoogte = ruimte if ruimte is not None else grootte * 1.5 / 72
        pagina = self._ruimte(hoogte)
        pagina.text(
            (MARGE + x) / A4[0],
            (self.y - grootte / 72) / A4[1],
            inhoud,
            fontsize=grootte,
            fontweight="bold" if vet else "normal",
            color=kleur,
            ha=ha,
        )
        self.y -= hoogte

    def alinea(
        self, inhoud: str, *, grootte: float = 9, vet: bool = False, kleur: str = "#1a1a1a"
    ) -> None:
        for zin in textwrap.wrap(inhoud, width=int(BREEDTE * 72 / (grootte * 0.55))):
            self.regel(zin, grootte=grootte, vet=vet, kleur=kleur)
        self.y -= 0.08

    def houd_bij_elkaar(self, hoogte: float) -> None:
        """Start a new page unless ``hoogte`` inches still fit on this one."""
        self._ruimte(hoogte)

    def tabel(
        self, titel: str, kop: Sequence[str], rijen: Sequence[tuple[str, object]], totaal: object
    ) -> None:
        regelhoogte = 0.2
        self._ruimte(regelhoogte * (len(rijen) + 3))
        self.regel(titel, vet=True, ruimte=regelhoogte + 0.04)
        self._tabelregel(kop[0], kop[1], vet=True)
        for omschrijving, aantal in rijen:
            self._tabelregel(omschrijving, str(aantal))
        self._tabelregel("Totaal", str(totaal), vet=True, lijn=True)
        self.y -= 0.12

    def _tabelregel(
        self, links: str, rechts: str, *, vet: bool = False, lijn: bool = False
    ) -> None:
        pagina = self._ruimte(0.2)
        if lijn:
            hoogte = (self.y + 0.02) / A4[1]
            pagina.add_artist(_lijn(pagina, MARGE / A4[0], (MARGE + 4.6) / A4[0], hoogte))
        basis = (self.y - 0.15) / A4[1]
        gewicht = "bold" if vet else "normal"
        pagina.text(MARGE / A4[0], basis, links, fontsize=9, fontweight=gewicht)
        pagina.text(
            (MARGE + 4.6) / A4[0], basis, rechts, fontsize=9, fontweight=gewicht, ha="right"
        )
        self.y -= 0.2

    def grafiek(self, hoogte: float, teken: Callable[[Axes], None], *, links: float = 0.0) -> None:
        pagina = self._ruimte(hoogte + 0.15)
        onder = self.y - hoogte
        ax = pagina.add_axes(
            (
                (MARGE + links) / A4[0],
                onder / A4[1],
                (BREEDTE - links) / A4[0],
                (hoogte - 0.25) / A4[1],
            )
        )
        teken(ax)
        self.y = onder - 0.15


def _lijn(pagina: Figure, x0: float, x1: float, y: float) -> Any:
    from matplotlib.lines import Line2D

    return Line2D([x0, x1], [y, y], transform=pagina.transFigure, color="#1a1a1a", linewidth=0.8)


def _hoogte(tabel: Mapping[str, Any]) -> float:
    """Inches a table with its chart takes (kept on one page)."""
    return 0.2 * (len(tabel["rijen"]) + 3) + 0.12 + hoogte_tabel(tabel) + 0.25


def als_pdf(rapport: Mapping[str, Any]) -> bytes:
    """The printable report as PDF bytes."""
    uit = io.BytesIO()
    with (
        stijl(),
        PdfPages(uit, metadata={"Title": rapport["titel"], "Creator": "Knooppunt"}) as pdf,
    ):
        doc = _Document(pdf)
        doc.alinea(rapport["titel"], grootte=14, vet=True, kleur=BLAUW)
        doc.regel(tekst.kop(rapport), grootte=8, kleur="#555", ruimte=0.3)
        doc.regel(
            "1. Totaal aantal meldingen slachtoffers in het buitenland",
            grootte=11,
            vet=True,
            kleur=BLAUW,
            ruimte=0.3,
        )
        doc.alinea(f"{tekst.totaal_zin(rapport)} {tekst.onderwerp_zin(rapport)}")
        for zin in tekst.betrokkene_zinnen(rapport):
            doc.alinea(zin)
        tabellen = rapport["tabellen"]
        if tabellen:
            eerste = tabellen[0]
            doc.tabel(
                f"Tabel {eerste['nummer']} {eerste['titel']}",
                ("Onderwerp", str(rapport["jaar"])),
                [(r["label"], r["aantal"]) for r in eerste["rijen"]],
                eerste["n"],
            )
        doc.grafiek(2.9, lambda ax: teken_meldingen_per_jaar(ax, rapport), links=0.4)
        doc.houd_bij_elkaar(0.6 + _hoogte(tabellen[1]) if len(tabellen) > 1 else 0.6)
        doc.regel("2. Resultaten", grootte=11, vet=True, kleur=BLAUW, ruimte=0.3)
        for tabel in tabellen[1:]:
            doc.houd_bij_elkaar(_hoogte(tabel))
            doc.tabel(
                f"Tabel {tabel['nummer']} {tabel['titel']}",
                ("Uitkomsten", "Aantal"),
                [(r["label"], r["aantal"]) for r in tabel["rijen"]],
                tabel["n"],
            )
            doc.grafiek(hoogte_tabel(tabel) + 0.1, partial(teken_tabel, tabel=tabel), links=2.6)
        doc.alinea(tekst.VOETNOOT, grootte=7)
        doc.sluit_pagina()
    return uit.getvalue()
