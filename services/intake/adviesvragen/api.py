"""Routes of adviesvragen: record one, read it back (without its vraag)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Request, Response
from pydantic import BaseModel, ConfigDict

from services.intake.adviesvragen.application import Adviesvragen
from services.intake.adviesvragen.domain import Adviesvraag
from services.intake.codes import Onderwerp
from services.intake.organisaties import melder_of_refusal
from services.intake.schemas import Melder, Strict
from shared.api import RequiredIdempotencyKey, set_etag
from shared.fields import BusinessDate, FreeText
from shared.problems import documented
from shared.security.wiring import CurrentActor


class AdviesvraagCreate(Strict):
    """An advisory question; `vraag` is free text, encrypted on arrival and never published."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "ontvangen_op": "2018-03-14",
                    "onderwerp": "huwelijksdwang",
                    "melder": {"type": "hulpverlening", "organisatie": "Wijkteam Zuid"},
                    "vraag": "Welke signalen wijzen op een voorgenomen huwelijk in de vakantie?",
                }
            ]
        }
    )

    ontvangen_op: BusinessDate
    onderwerp: Onderwerp
    #: As for a melding: a partner's follows from its org and the register of organisations.
    melder: Melder | None = None
    vraag: FreeText | None = None

    def as_command(self) -> dict[str, Any]:
        return {
            "ontvangen_op": self.ontvangen_op,
            "onderwerp": str(self.onderwerp),
            "melder": self.melder.model_dump(mode="json", exclude_none=True)
            if self.melder
            else None,
            "vraag": self.vraag or None,
        }


class AdviesvraagVastgelegdPublic(BaseModel):
    adviesvraag_id: UUID
    versie: int


class AdviesvraagPublic(BaseModel):
    """An adviesvraag as intake knows it, without its vraag."""

    adviesvraag_id: UUID
    versie: int
    ontvangen_op: date
    onderwerp: str
    melder: dict[str, Any]
    heeft_vraag: bool


def get_adviesvragen(request: Request) -> Adviesvragen:
    return request.app.state.adviesvragen  # type: ignore[no-any-return]


App = Annotated[Adviesvragen, Depends(get_adviesvragen)]


def public(adviesvraag: Adviesvraag) -> AdviesvraagPublic:
    return AdviesvraagPublic(
        adviesvraag_id=adviesvraag.id,
        versie=adviesvraag.version,
        ontvangen_op=adviesvraag.ontvangen_op,
        onderwerp=adviesvraag.onderwerp,
        melder=adviesvraag.melder,
        heeft_vraag=adviesvraag.vraag is not None,
    )


def build_adviesvragen_router(notify: Callable[[], None]) -> APIRouter:
    """Routes of adviesvragen; `notify()` wakes the relay after a save."""
    router = APIRouter(prefix="/v1", tags=["adviesvragen"])

    @router.post(
        "/adviesvragen",
        status_code=201,
        response_model=AdviesvraagVastgelegdPublic,
        operation_id="ontvang_adviesvraag",
        responses=documented(422),
    )
    def ontvang_adviesvraag(
        body: AdviesvraagCreate,
        key: RequiredIdempotencyKey,
        app: App,
        actor: CurrentActor,
        request: Request,
        response: Response,
    ) -> AdviesvraagVastgelegdPublic:
        """Record an advisory question (never a melding); a retry gets the first answer."""
        verzoek = body.as_command()
        verzoek["melder"] = melder_of_refusal(
            request.app.state.organisaties, actor, verzoek["melder"]
        )
        result = app.ontvang(melder_org=actor.org, idempotency_key=key, verzoek=verzoek)
        if result.nieuw:
            notify()
        else:
            response.headers["Idempotent-Replayed"] = "true"
        response.headers["Location"] = f"/v1/adviesvragen/{result.adviesvraag_id}"
        set_etag(response, result.versie)
        return AdviesvraagVastgelegdPublic(
            adviesvraag_id=result.adviesvraag_id, versie=result.versie
        )

    @router.get(
        "/adviesvragen/{adviesvraag_id}",
        response_model=AdviesvraagPublic,
        operation_id="get_adviesvraag",
        responses=documented(404),
    )
    def get_adviesvraag(
        adviesvraag_id: UUID, app: App, actor: CurrentActor, response: Response
    ) -> AdviesvraagPublic:
        """The adviesvraag as intake knows it, without its vraag."""
        adviesvraag = app.get(adviesvraag_id)
        set_etag(response, adviesvraag.version)
        return public(adviesvraag)

    return router
