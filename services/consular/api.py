"""Consular's HTTP API: the routes only translate HTTP to application calls and back."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Body, Depends, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute

from services.consular.application import ConsularApplication, Uitslag
from services.consular.codes import POSTEN, BijstandSoort
from services.consular.domain import Zaak
from services.consular.schemas import (
    AfloopCreate,
    AfloopPublic,
    BijstandCreate,
    BijstandPublic,
    PostPublic,
    VerificatiePublic,
    ZaakPublic,
)
from shared.api import (
    IdempotencyKey,
    IfMatch,
    RequiredIdempotencyKey,
    expected_version,
    mark_replayed,
    set_etag,
)
from shared.problems import documented


def get_application(request: Request) -> ConsularApplication:
    return request.app.state.consular  # type: ignore[no-any-return]


App = Annotated[ConsularApplication, Depends(get_application)]
SOORTEN = [str(s) for s in BijstandSoort]

#: The problems of a command on a case (shared/problems.py, services/consular/problems.py).
CHANGE_PROBLEMS = documented(404, 409, 412, 422)

BIJSTAND_VOORBEELDEN = {
    "reisdocument": {
        "summary": "emergency passport issued",
        "value": {
            "soort": "reisdocument_verstrekt",
            "datum": "2018-04-02",
            "post": "rabat",
            "document": "noodpaspoort",
        },
    },
    "noodfonds": {
        "summary": "emergency fund: tickets",
        "value": {
            "soort": "noodfonds_uitgave",
            "datum": "2018-04-03",
            "post": "rabat",
            "bedrag_cent": 79500,
            "doel": "tickets",
        },
    },
    "opvang": {
        "summary": "shelter arranged",
        "value": {
            "soort": "opvang_geregeld",
            "datum": "2018-03-20",
            "post": "islamabad",
            "via": "safehouse",
        },
    },
}


def public(zaak: Zaak) -> ZaakPublic:
    aflopen = [AfloopPublic(**a) for a in zaak.aflopen]
    return ZaakPublic(
        zaak_id=zaak.id,
        referentie=zaak.referentie,
        versie=zaak.version,
        gemeld_op=zaak.gemeld_op,
        onderwerp=zaak.onderwerp,
        betrokkene=zaak.betrokkene,
        land=zaak.land,
        bz_betrokken=zaak.bz_betrokken,
        ingetrokken=zaak.ingetrokken,
        verificatie=VerificatiePublic(
            stand=zaak.verificatiestand,  # type: ignore[arg-type]
            onderzoek_gestart_op=zaak.onderzoek_gestart_op,
            uitkomst=zaak.uitkomst,
            onderwerp=zaak.onderwerp_vastgesteld,
            besloten_op=zaak.besloten_op,
            herzien=zaak.herzien,
            afgesloten_op=zaak.afgesloten_op,
        ),
        bijstand=[BijstandPublic(**b) for b in zaak.bijstand],
        noodfonds_totaal_cent=zaak.noodfonds_totaal_cent,
        afloop=aflopen[-1] if aflopen else None,
        aflopen=aflopen,
    )


class BijstandRoute(APIRoute):
    """Names the fields of the discriminated bijstand body as the client wrote them.

    Pydantic puts the tag in an error's location (`noodfonds_uitgave.doel`) and reports a
    wrong or missing `soort` on the body as a whole; clients know `doel` and `soort`.
    """

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def named_fields(request: Request) -> Response:
            try:
                return await handler(request)
            except RequestValidationError as exc:
                errors = [_zonder_tag(e) for e in exc.errors()]
                raise RequestValidationError(errors, body=exc.body) from exc

        return named_fields


def _zonder_tag(error: dict[str, Any]) -> dict[str, Any]:
    loc = list(error.get("loc", ()))
    if len(loc) >= 2 and loc[0] == "body" and loc[1] in SOORTEN:
        del loc[1]
    if error.get("type") in ("union_tag_invalid", "union_tag_not_found"):
        loc = ["body", "soort"]
        error = {**error, "msg": f"soort must be one of: {', '.join(SOORTEN)}"}
    return {**error, "loc": tuple(loc)}


def build_router(notify: Callable[[], None]) -> APIRouter:
    """Routes of consular; `notify()` wakes the relay after a save."""
    router = APIRouter(prefix="/v1", tags=["zaken"], route_class=BijstandRoute)

    def _antwoord(opdracht: Callable[[], Uitslag], response: Response, zaak_id: UUID) -> ZaakPublic:
        uitslag = opdracht()
        if uitslag.nieuw:
            notify()
        mark_replayed(response, not uitslag.nieuw)
        response.headers["Location"] = f"/v1/zaken/{zaak_id}"
        set_etag(response, uitslag.zaak.version)
        return public(uitslag.zaak)

    @router.get("/posten", response_model=list[PostPublic], operation_id="posten", tags=["posten"])
    def posten() -> list[PostPublic]:
        """The Dutch embassies and consulates-general a `post` may name, by code."""
        return [PostPublic(**vars(p)) for p in POSTEN.values()]

    @router.get(
        "/zaken/{zaak_id}",
        response_model=ZaakPublic,
        operation_id="get_zaak",
        responses=documented(404),
    )
    def get_zaak(zaak_id: UUID, app: App, response: Response) -> ZaakPublic:
        """The case as consular knows it (404 until intake's melding has arrived)."""
        zaak = app.get_zaak(zaak_id)
        set_etag(response, zaak.version)
        return public(zaak)

    @router.post(
        "/zaken/{zaak_id}/bijstand",
        status_code=201,
        response_model=ZaakPublic,
        operation_id="verleen_bijstand",
        responses=CHANGE_PROBLEMS,
    )
    def verleen_bijstand(
        zaak_id: UUID,
        body: Annotated[BijstandCreate, Body(openapi_examples=BIJSTAND_VOORBEELDEN)],
        key: RequiredIdempotencyKey,
        app: App,
        response: Response,
        if_match: IfMatch = None,
    ) -> ZaakPublic:
        """Record consular aid (bijstand verleend); `soort` says which kind; a key is required."""
        versie = expected_version(if_match)
        return _antwoord(
            lambda: app.verleen_bijstand(
                zaak_id,
                soort=body.soort,
                datum=body.datum,
                post=body.post,
                details=body.details(),
                verwachte_versie=versie,
                sleutel=key,
            ),
            response,
            zaak_id,
        )

    @router.post(
        "/zaken/{zaak_id}/afloop",
        status_code=201,
        response_model=ZaakPublic,
        operation_id="leg_afloop_vast",
        responses=CHANGE_PROBLEMS,
    )
    def leg_afloop_vast(
        zaak_id: UUID,
        body: AfloopCreate,
        app: App,
        response: Response,
        if_match: IfMatch = None,
        key: IdempotencyKey = None,
    ) -> ZaakPublic:
        """Record the afloop of an established case (teruggekeerd, wil geen hulp, ...)."""
        versie = expected_version(if_match)
        return _antwoord(
            lambda: app.leg_afloop_vast(
                zaak_id,
                afloop=str(body.afloop),
                datum=body.datum,
                verwachte_versie=versie,
                sleutel=key,
            ),
            response,
            zaak_id,
        )

    return router
