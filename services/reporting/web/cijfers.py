"""The figures page: the jaarcijfers of a year as of a peildatum, with charts and downloads."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from services.reporting.exports import MEDIA_TYPES
from services.reporting.figures import ZaakStaat, beschikbare_definities
from services.reporting.rapportage import GeenDefinitie
from services.reporting.web import labels
from services.reporting.web.aanmelding import Aangemeld
from services.reporting.web.grafieken import KLEUREN, Grafiek, Reeks, gestapeld
from services.reporting.web.labels import label
from services.reporting.web.weergave import Melding, WebDeps, foutpagina, getal, render

DOWNLOADS = (("csv", "Download CSV"), ("xlsx", "Download Excel (XLSX)"), ("pdf", "Download PDF"))

GRIJS = KLEUREN[-1]
"""Open (no outcome yet) is grey: not a result."""
UITKOMSTEN = (
    "vastgesteld",
    "niet_vastgesteld",
    "geen_verblijfsrecht",
    "onbekend",
    "zelf_teruggekeerd",
    "open",
)


def _getal(aantal: object) -> int:
    """A count for a chart: a suppressed cell ('<5') draws no bar."""
    return aantal if isinstance(aantal, int) else 0


def per_jaar(rapport: Mapping[str, Any]) -> Grafiek:
    """Meldingen per onderwerp in the years up to the report's, each as of its peildatum."""
    reeks = [r for r in rapport.get("meldingen_per_jaar") or [] if isinstance(r, Mapping)]
    onderwerpen = [o for o in labels.ONDERWERP if any(r["per_onderwerp"].get(o) for r in reeks)]
    return gestapeld(
        "Meldingen per onderwerp per jaar",
        [str(r["jaar"]) for r in reeks],
        [
            Reeks(
                labels.ONDERWERP[o],
                [_getal(r["per_onderwerp"].get(o)) for r in reeks],
                KLEUREN[list(labels.ONDERWERP).index(o) % len(KLEUREN)],
            )
            for o in onderwerpen
        ],
    )


def uitkomsten(zaken: Sequence[ZaakStaat], jaar: int) -> Grafiek:
    """Verification outcomes per onderwerp of the meldingen of `jaar`."""
    eigen = [z for z in zaken if z.jaar == jaar]
    onderwerpen = [o for o in labels.ONDERWERP if any(z.onderwerp == o for z in eigen)]
    telling = Counter((z.onderwerp, z.uitkomst) for z in eigen)
    return gestapeld(
        f"Uitkomst van de verificatie, meldingen {jaar}",
        [labels.ONDERWERP[o] for o in onderwerpen],
        [
            Reeks(
                label(labels.UITKOMST, u),
                [telling[(o, u)] for o in onderwerpen],
                GRIJS if u == "open" else KLEUREN[UITKOMSTEN.index(u)],
            )
            for u in UITKOMSTEN
            if any(telling[(o, u)] for o in onderwerpen)
        ],
    )


def _datum(tekst: str | None, standaard: date) -> date:
    """A peildatum from the page; an unreadable one, or one outside 1900-2999, is the default."""
    try:
        gekozen = date.fromisoformat(tekst) if tekst else standaard
    except ValueError:
        return standaard
    return gekozen if 1900 <= gekozen.year <= 2999 else standaard


def build_cijfers_router() -> APIRouter:
    router = APIRouter()
    eerste_jaar = min(d.jaar for d in beschikbare_definities())

    @router.get("/cijfers", response_model=None, operation_id="ui_cijfers")
    def cijfers(
        request: Request,
        sessie: Aangemeld,
        web: WebDeps,
        jaar: str = "",
        peildatum: str = "",
    ) -> HTMLResponse:
        """The jaarcijfers of a year as of a peildatum, with charts and downloads."""
        vandaag = web.bron.vandaag()
        gekozen = getal(jaar, 4) or vandaag.year - 1
        meldingen = []
        if not 1990 <= gekozen <= vandaag.year:
            meldingen.append(Melding(f"Kies een jaar tot en met {vandaag.year}.", "fout"))
            gekozen = vandaag.year - 1
        peil = _datum(peildatum, min(date(gekozen, 12, 31), vandaag))
        jaren = list(range(vandaag.year, eerste_jaar - 1, -1))
        try:
            rapport, zaken = web.bron.jaarcijfers(
                gekozen, peil, geheimhouding=web.bron.geheimhouding_voor(sessie.actor.rol)
            )
        except GeenDefinitie:
            return foutpagina(
                request,
                sessie,
                404,
                "Geen jaarcijfers",
                f"Voor {gekozen} zijn geen jaarcijfers gedefinieerd; kies {eerste_jaar} of later.",
                "/ui/cijfers",
            )
        return render(
            request,
            "cijfers.html",
            {
                "pagina": "cijfers",
                "jaar": gekozen,
                "jaren": jaren,
                "peildatum": peil,
                "cijfers": rapport,
                "per_jaar": per_jaar(rapport),
                "uitkomsten": uitkomsten(zaken, gekozen),
                "downloads": DOWNLOADS,
            },
            sessie=sessie,
            meldingen=meldingen,
        )

    @router.get("/cijfers/{jaar}.{formaat}", response_model=None, operation_id="ui_cijfers_bestand")
    def download(
        request: Request,
        sessie: Aangemeld,
        web: WebDeps,
        jaar: str,
        formaat: str,
        peildatum: str = "",
    ) -> Response:
        """The jaarcijfers as a file (CSV, XLSX or PDF)."""
        if formaat not in dict(DOWNLOADS):
            return foutpagina(request, sessie, 404, "Onbekend formaat", "Kies CSV, XLSX of PDF.")
        gekozen = getal(jaar, 4)
        if gekozen is None or gekozen < eerste_jaar:
            return foutpagina(
                request, sessie, 404, "Geen jaarcijfers", f"Kies {eerste_jaar} of later."
            )
        peil = _datum(peildatum, date(gekozen, 12, 31))
        try:
            inhoud = web.bron.bestand(
                formaat, gekozen, peil, geheimhouding=web.bron.geheimhouding_voor(sessie.actor.rol)
            )
        except GeenDefinitie:
            return foutpagina(request, sessie, 404, "Geen jaarcijfers", f"Niet voor {gekozen}.")
        naam = f"jaarcijfers-{gekozen}-peildatum-{peil.isoformat()}.{formaat}"
        return Response(
            inhoud,
            media_type=MEDIA_TYPES[formaat],
            headers={
                "Content-Disposition": f'attachment; filename="{naam}"',
                "Cache-Control": "no-store",
            },
        )

    return router
