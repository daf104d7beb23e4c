"""Verification's HTTP API."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, HTTPException, Request, Response
from pydantic import BaseModel

from services.verification.application import VerificationApplication
from services.verification.domain import Zaak, ZaakNotFound
from shared.api import set_etag


def get_application(request: Request) -> VerificationApplication:
    return request.app.state.verification  # type: ignore[no-any-return]


App = Annotated[VerificationApplication, Depends(get_application)]


class ZaakPublic(BaseModel):
    """A case as verification knows it."""

    zaak_id: UUID
    referentie: str
    versie: int
    gemeld_op: date
    onderwerp: str
    betrokkene: dict[str, Any]
    land: str
    bz_betrokken: bool
    ingetrokken: bool


def public(zaak: Zaak) -> ZaakPublic:
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
    )


def build_router(notify: Callable[[], None]) -> APIRouter:
    router = APIRouter(prefix="/v1", tags=["zaken"])

    @router.get(
        "/zaken/{zaak_id}",
        response_model=ZaakPublic,
        operation_id="get_zaak",
        responses={404: {"description": "not yet known here: retry later"}},
    )
    def get_zaak(zaak_id: UUID, app: App, response: Response) -> ZaakPublic:
        """The case as verification knows it (404 until intake's melding has arrived)."""
        try:
            zaak = app.get_zaak(zaak_id)
        except ZaakNotFound as exc:
            raise HTTPException(status_code=404, detail=str(exc)) from exc
        set_etag(response, zaak.version)
        return public(zaak)

    return router
