"""The status route: how far a melding is, for the partner who reported it."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, HTTPException, Request
from pydantic import BaseModel

from services.intake.domain import MeldingNotFound
from services.intake.schemas import ErrorBody
from services.intake.status import MeldingStatussen, Stadium


class MeldingStatusPublic(BaseModel):
    """The stage of a melding only: nothing of what verification found."""

    zaak_id: UUID
    referentie: str
    status: Stadium


def get_statussen(request: Request) -> MeldingStatussen:
    return request.app.state.meldingstatussen  # type: ignore[no-any-return]


Statussen = Annotated[MeldingStatussen, Depends(get_statussen)]


def build_status_router() -> APIRouter:
    """GET /v1/meldingen/{zaak_id}/status."""
    router = APIRouter(prefix="/v1", tags=["meldingen"], responses={404: {"model": ErrorBody}})

    @router.get(
        "/meldingen/{zaak_id}/status",
        response_model=MeldingStatusPublic,
        operation_id="get_melding_status",
    )
    def get_melding_status(zaak_id: UUID, statussen: Statussen) -> MeldingStatusPublic:
        """The stage of a melding: ontvangen, in_onderzoek or afgerond."""
        try:
            status = statussen.status(zaak_id)
        except MeldingNotFound as exc:
            raise HTTPException(status_code=404, detail=str(exc)) from exc
        return MeldingStatusPublic(
            zaak_id=status.zaak_id, referentie=status.referentie, status=status.stadium
        )

    return router
