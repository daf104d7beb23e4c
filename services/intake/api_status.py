"""The status route: how far a melding is, for the partner who reported it."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Request, Response
from pydantic import BaseModel, Field

from services.intake.status import MeldingStatussen, Stadium
from shared.problems import documented


class MeldingStatusPublic(BaseModel):
    """The stage of a melding only: nothing of what verification found."""

    zaak_id: UUID
    referentie: str
    status: Stadium = Field(
        description="ontvangen, in_onderzoek, afgerond, heropend (reopened after afgerond) "
        "or ingetrokken (withdrawn)"
    )
    heeft_persoonsgegevens: bool = Field(
        description="whether intake holds personal data of the melding (false once erased)"
    )
    gewijzigd_op: datetime = Field(description="when the status last changed")


def get_statussen(request: Request) -> MeldingStatussen:
    return request.app.state.meldingstatussen  # type: ignore[no-any-return]


Statussen = Annotated[MeldingStatussen, Depends(get_statussen)]


def build_status_router() -> APIRouter:
    """GET /v1/meldingen/{zaak_id}/status."""
    router = APIRouter(prefix="/v1", tags=["meldingen"], responses=documented(404))

    @router.get(
        "/meldingen/{zaak_id}/status",
        response_model=MeldingStatusPublic,
        operation_id="get_melding_status",
    )
    def get_melding_status(
        zaak_id: UUID, statussen: Statussen, response: Response
    ) -> MeldingStatusPublic:
        """The stage of a melding, when it last changed, and whether personal data is held."""
        status = statussen.status(zaak_id)
        response.headers["ETag"] = status.etag
        return MeldingStatusPublic(
            zaak_id=status.zaak_id,
            referentie=status.referentie,
            status=status.stadium,
            heeft_persoonsgegevens=status.heeft_persoonsgegevens,
            gewijzigd_op=status.gewijzigd_op,
        )

    return router
