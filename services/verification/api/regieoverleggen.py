"""Routes of the regieoverleg: record one, read it, mark actions done, and the agenda."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Response

from services.verification.api.common import (
    CHANGE_PROBLEMS,
    AgendaLezer,
    App,
    Projectie,
    beantwoord,
)
from services.verification.domain import Regieoverleg
from services.verification.readmodel import Agenda
from services.verification.schemas import (
    ActieAfrondingCreate,
    ActiePublic,
    AgendaActie,
    AgendaOntwikkeling,
    AgendaPublic,
    AgendaZaak,
    OverlegZaakPublic,
    RegieoverlegCreate,
    RegieoverlegPublic,
)
from shared.api import (
    IdempotencyKey,
    IfMatch,
    RequiredIdempotencyKey,
    expected_version,
    set_etag,
)
from shared.fields import IsoDate
from shared.parking import reason_of
from shared.problems import documented

log = logging.getLogger(__name__)


def public(overleg: Regieoverleg) -> RegieoverlegPublic:
    return RegieoverlegPublic(
        overleg_id=overleg.id,
        versie=overleg.version,
        datum=overleg.datum,
        deelnemers=overleg.deelnemers,  # type: ignore[arg-type]
        zaken=[
            OverlegZaakPublic(
                zaak_id=zaak["zaak_id"],
                besluiten=zaak["besluiten"],
                acties=[
                    ActiePublic.model_validate(overleg.acties[actie["actie_id"]])
                    for actie in zaak["acties"]
                ],
            )
            for zaak in overleg.zaken
        ],
    )


def agenda_public(agenda: Agenda) -> AgendaPublic:
    return AgendaPublic(
        datum=agenda.datum,
        vorig_overleg_id=UUID(agenda.vorig_overleg_id) if agenda.vorig_overleg_id else None,
        vorig_overleg_datum=agenda.vorig_overleg_datum,
        zaken=[
            AgendaZaak(
                zaak_id=UUID(punt.zaak_id),
                referentie=punt.referentie,
                stage=punt.stage,  # type: ignore[arg-type]
                gemeld_op=punt.gemeld_op,
                leeftijd_dagen=punt.leeftijd_dagen,
                onderwerp=punt.onderwerp,
                land=punt.land,
                redenen=punt.redenen,
                open_acties=[
                    AgendaActie.model_validate(a, from_attributes=True) for a in punt.open_acties
                ],
                ontwikkelingen=[
                    AgendaOntwikkeling.model_validate(o, from_attributes=True)
                    for o in punt.ontwikkelingen
                ],
            )
            for punt in agenda.zaken
        ],
    )


def build_router(notify: Callable[[], None]) -> APIRouter:
    """Routes of the regieoverleg; `notify()` wakes the relay and the projection."""
    router = APIRouter(prefix="/v1/regieoverleggen", tags=["regieoverleg"])

    @router.get("/agenda", response_model=AgendaPublic, operation_id="agenda")
    def agenda(
        app: App,
        lezer: AgendaLezer,
        projectie: Projectie,
        datum: Annotated[
            IsoDate | None, Query(description="the date of the regieoverleg (default: today)")
        ] = None,
    ) -> AgendaPublic:
        """The cases to discuss: unverified, actions overdue, developments since the last one."""
        try:
            projectie.catch_up()
        except Exception as exc:  # the agenda as projected so far (the projection retries)
            log.warning("agenda projection could not catch up: %s", reason_of(exc))
        return agenda_public(lezer.agenda(datum or app.vandaag()))

    @router.post(
        "",
        status_code=201,
        response_model=RegieoverlegPublic,
        operation_id="houd_regieoverleg",
        responses=documented(404, 409, 422),
    )
    def houd_regieoverleg(
        body: RegieoverlegCreate, app: App, response: Response, key: RequiredIdempotencyKey
    ) -> RegieoverlegPublic:
        """Record a regieoverleg: deelnemers and, per case, besluiten and acties (key required)."""
        command = body.as_command()
        uitslag = app.houd_regieoverleg(**command, sleutel=key)
        response.headers["Location"] = f"/v1/regieoverleggen/{uitslag.waarde.id}"
        return public(beantwoord(uitslag, response, notify))

    @router.get(
        "/{overleg_id}",
        response_model=RegieoverlegPublic,
        operation_id="get_regieoverleg",
        responses=documented(404),
    )
    def get_regieoverleg(overleg_id: UUID, app: App, response: Response) -> RegieoverlegPublic:
        """One regieoverleg with its actions and their state."""
        overleg = app.get_regieoverleg(overleg_id)
        set_etag(response, overleg.version)
        return public(overleg)

    @router.post(
        "/{overleg_id}/acties/{actie_id}/afgerond",
        response_model=RegieoverlegPublic,
        operation_id="rond_actie_af",
        responses=CHANGE_PROBLEMS,
    )
    def rond_actie_af(
        overleg_id: UUID,
        actie_id: UUID,
        body: ActieAfrondingCreate,
        app: App,
        response: Response,
        if_match: IfMatch = None,
        key: IdempotencyKey = None,
    ) -> RegieoverlegPublic:
        """Mark an action done (actie_afgerond)."""
        versie = expected_version(if_match)
        uitslag = app.rond_actie_af(
            overleg_id, actie_id, datum=body.datum, verwachte_versie=versie, sleutel=key
        )
        return public(beantwoord(uitslag, response, notify))

    return router
