"""Reporting's HTTP API: the routes only turn questions into Rapportage calls and back.

Which disclosure control a question gets is decided here once, from the caller's role
(policy.exacte_cijfers): the LKHA gets exact figures unless it asks for them protected;
every other role always gets them protected and is refused (403) when it asks for exact.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import HTMLResponse, Response

from services.reporting.exports import MEDIA_TYPES
from services.reporting.figures.geheimhouding import Geheimhouding
from services.reporting.policy import exacte_cijfers
from services.reporting.rapportage import Rapportage
from services.reporting.schemas import (
    BijstandVraag,
    ConsulaireBijstand,
    Doorlooptijden,
    DoorlooptijdenVraag,
    Jaarcijfers,
    JaarcijfersVraag,
    Noodfonds,
    NoodfondsVraag,
    Statistieken,
    StatistiekVraag,
    Vraag,
    Zaak,
    ZaakVraag,
)
from services.reporting.vraagvelden import Wijze
from shared.api import invalid
from shared.apirules import choose, deprecation_headers
from shared.context import current_actor
from shared.problems import GEEN_TOEGANG, ProblemError, documented


def get_rapportage(request: Request) -> Rapportage:
    return request.app.state.rapportage  # type: ignore[no-any-return]


Rapporten = Annotated[Rapportage, Depends(get_rapportage)]
JaarPad = Annotated[int, Path(ge=1990, le=2100, description="Year of gemeld_op", examples=[2018])]

NIET_GEVONDEN = documented(404, s404="not yet known here")
GEEN_EXACTE_CIJFERS = documented(
    403, s403="exact figures asked by a role that gets protected figures only"
)


def geheimhouding_voor(rapportage: Rapportage, vraag: Vraag) -> Geheimhouding | None:
    """The disclosure control of this question: None (exact) for the LKHA only."""
    actor = current_actor.get()
    exact_mag = exacte_cijfers(actor.rol if actor else None)
    if vraag.geheimhouding is Wijze.exact:
        if not exact_mag:
            rol = actor.rol if actor else "none"
            raise ProblemError(
                GEEN_TOEGANG,
                f"geheimhouding=exact: rol {rol} gets figures under disclosure control "
                "only; exact figures are the LKHA's (docs/security.md)",
            )
        if vraag.onderdrukking is not None:
            raise invalid(
                "query.onderdrukking",
                "needs_beschermd",
                "a minimum cell size needs geheimhouding=beschermd",
            )
        return None
    if exact_mag and vraag.geheimhouding is None and vraag.onderdrukking is None:
        return None
    if vraag.onderdrukking is None:
        return rapportage.geheimhouding()
    return rapportage.geheimhouding(vraag.onderdrukking)


FORMATEN: dict[str, tuple[str, str]] = {
    "csv": ("attachment", "The annual figures as CSV: one row per published number."),
    "xlsx": (
        "attachment",
        "The annual figures as an Excel workbook, laid out as published, with a chart.",
    ),
    "html": (
        "inline",
        "The annual figures as a printable page in the published layout, with charts.",
    ),
    "pdf": ("inline", "The annual figures as a PDF in the published layout, with charts."),
}
"""Per file format of the annual figures (routed in this order): Content-Disposition and
the route's description."""


def _bestand(rapportage: Rapportage, jaar: int, vraag: JaarcijfersVraag, formaat: str) -> Response:
    inhoud = rapportage.jaarcijfers_als(
        formaat,
        jaar,
        geheimhouding=geheimhouding_voor(rapportage, vraag),
        peildatum=vraag.peildatum,
        registratie_tot=vraag.grens(),
    )
    wijze, _ = FORMATEN[formaat]
    return Response(
        content=inhoud,
        media_type=MEDIA_TYPES[formaat],
        headers={"Content-Disposition": f'{wijze}; filename="jaarcijfers-{jaar}.{formaat}"'},
    )


def _bestandroute(formaat: str) -> Callable[..., Response]:
    """The deprecated route of the annual figures in one file format (`/2018.csv`): the
    same as GET /v1/jaarcijfers/2018 with Accept: text/csv (docs/api-changelog.md)."""

    def jaarcijfers_als(
        jaar: JaarPad, rapportage: Rapporten, vraag: Annotated[JaarcijfersVraag, Query()]
    ) -> Response:
        response = _bestand(rapportage, jaar, vraag, formaat)
        response.headers.update(deprecation_headers())
        return response

    return jaarcijfers_als


#: What GET /v1/jaarcijfers/{jaar} answers with, by Accept (JSON unless asked otherwise).
AANBOD = {"application/json": "json"} | {
    MEDIA_TYPES[f].split(";")[0]: f for f in ("csv", "xlsx", "html", "pdf")
}


def build_router() -> APIRouter:
    """Routes of reporting: figures, the annual report in several formats, one case."""
    router = APIRouter(prefix="/v1")

    @router.get(
        "/statistieken",
        response_model=Statistieken,
        operation_id="statistieken",
        tags=["statistieken"],
        responses=GEEN_EXACTE_CIJFERS,
    )
    def statistieken(rapportage: Rapporten, vraag: Annotated[StatistiekVraag, Query()]) -> Any:
        """Meldingen counted, grouped by any dimensions and filtered, as of a peildatum."""
        return rapportage.statistiek(
            geheimhouding=geheimhouding_voor(rapportage, vraag),
            peildatum=vraag.peildatum,
            registratie_tot=vraag.grens(),
            groepeer=[str(d) for d in vraag.groepeer],
            criteria=vraag.criteria(),
        )

    @router.get(
        "/doorlooptijden",
        response_model=Doorlooptijden,
        operation_id="doorlooptijden",
        tags=["statistieken"],
        responses=GEEN_EXACTE_CIJFERS,
    )
    def doorlooptijden(
        rapportage: Rapporten, vraag: Annotated[DoorlooptijdenVraag, Query()]
    ) -> Any:
        """Median days from melding to verification and to return, per year of gemeld_op."""
        return rapportage.doorlooptijden(
            geheimhouding=geheimhouding_voor(rapportage, vraag),
            peildatum=vraag.peildatum,
            registratie_tot=vraag.grens(),
            criteria=vraag.criteria(),
        )

    @router.get(
        "/noodfonds",
        response_model=Noodfonds,
        operation_id="noodfonds",
        tags=["statistieken"],
        responses=GEEN_EXACTE_CIJFERS,
    )
    def noodfonds(rapportage: Rapporten, vraag: Annotated[NoodfondsVraag, Query()]) -> Any:
        """Emergency-fund use: payments, cases and amounts, per purpose and per year."""
        return rapportage.noodfonds(
            geheimhouding=geheimhouding_voor(rapportage, vraag),
            peildatum=vraag.peildatum,
            registratie_tot=vraag.grens(),
            criteria=vraag.criteria(),
            van=vraag.van,
            tot=vraag.tot,
        )

    @router.get(
        "/consulaire-bijstand",
        response_model=ConsulaireBijstand,
        operation_id="consulaire_bijstand",
        tags=["statistieken"],
        responses=GEEN_EXACTE_CIJFERS,
    )
    def consulaire_bijstand(rapportage: Rapporten, vraag: Annotated[BijstandVraag, Query()]) -> Any:
        """Consular aid per post or per country: cases, acts and acts per kind."""
        return rapportage.consulaire_bijstand(
            geheimhouding=geheimhouding_voor(rapportage, vraag),
            per=str(vraag.per),
            soorten=[str(s) for s in vraag.soort],
            peildatum=vraag.peildatum,
            registratie_tot=vraag.grens(),
            criteria=vraag.criteria(),
            van=vraag.van,
            tot=vraag.tot,
        )

    for formaat, (_, beschrijving) in FORMATEN.items():
        router.add_api_route(
            f"/jaarcijfers/{{jaar:int}}.{formaat}",
            _bestandroute(formaat),
            methods=["GET"],
            operation_id=f"jaarcijfers_{formaat}",
            name=f"jaarcijfers_{formaat}",
            summary=f"Jaarcijfers {formaat.title()}",
            description=beschrijving,
            tags=["jaarcijfers"],
            include_in_schema=False,  # deprecated: GET /v1/jaarcijfers/{jaar} with Accept
            deprecated=True,
            response_class=HTMLResponse if formaat == "html" else Response,
            responses={
                200: {"content": {MEDIA_TYPES[formaat].split(";")[0]: {}}},
                **NIET_GEVONDEN,
                **GEEN_EXACTE_CIJFERS,
            },
        )

    @router.get(
        "/jaarcijfers/{jaar:int}",
        response_model=Jaarcijfers,
        operation_id="jaarcijfers",
        tags=["jaarcijfers"],
        responses={
            200: {
                "description": "The annual figures as JSON, or by Accept as "
                + "; ".join(f"{t} ({FORMATEN[f][1]})" for t, f in AANBOD.items() if f != "json"),
                "content": {t: {} for t, f in AANBOD.items() if f != "json"},
            },
            **NIET_GEVONDEN,
            **GEEN_EXACTE_CIJFERS,
        },
    )
    def jaarcijfers(
        jaar: JaarPad,
        rapportage: Rapporten,
        vraag: Annotated[JaarcijfersVraag, Query()],
        request: Request,
    ) -> Any:
        """The annual figures: totals, the previous year, per betrokkene, numbered tables; as
        CSV, XLSX, printable HTML or PDF when the Accept header asks for one of those."""
        gekozen = choose(request.headers.get("accept"), list(AANBOD))
        if gekozen is not None and AANBOD[gekozen] != "json":
            return _bestand(rapportage, jaar, vraag, AANBOD[gekozen])
        return rapportage.jaarcijfers(
            jaar,
            geheimhouding=geheimhouding_voor(rapportage, vraag),
            peildatum=vraag.peildatum,
            registratie_tot=vraag.grens(),
        )

    @router.get(
        "/zaken/{zaak_id}",
        response_model=Zaak,
        operation_id="get_zaak",
        tags=["zaken"],
        responses=NIET_GEVONDEN,
    )
    def get_zaak(zaak_id: UUID, rapportage: Rapporten, vraag: Annotated[ZaakVraag, Query()]) -> Any:
        """The case as reporting knows it: its state on the peildatum and its timeline."""
        return rapportage.zaak(str(zaak_id), peildatum=vraag.peildatum)

    return router
