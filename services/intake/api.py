"""Intake's HTTP API: the routes only translate HTTP to application calls and back.

Who may call which route, and which cases they may see, is checked before a route runs
(policy.py, shared/security); `CurrentActor` is the authenticated caller.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Request, Response

from services.intake.application import IntakeApplication, Uitslag
from services.intake.domain import Melding
from services.intake.organisaties import Organisatieregister, melder_of_refusal
from services.intake.schemas import (
    CorrectieCreate,
    IntrekkingCreate,
    MeldingCreate,
    MeldingPublic,
    MeldingVastgelegd,
)
from shared.api import (
    IdempotencyKey,
    IfMatch,
    RequiredIdempotencyKey,
    expected_version,
    invalid,
    mark_replayed,
    set_etag,
)
from shared.problems import documented
from shared.security.wiring import CurrentActor


def get_application(request: Request) -> IntakeApplication:
    return request.app.state.intake  # type: ignore[no-any-return]


def get_gewist(request: Request) -> Callable[[UUID], bool]:
    """Whether a case's personal data was erased (kept apart from the melding's events)."""
    statussen = getattr(request.app.state, "meldingstatussen", None)
    if statussen is None:
        return lambda zaak_id: False
    return lambda zaak_id: statussen.store.gewist_op(str(zaak_id)) is not None


def register(request: Request) -> Organisatieregister:
    """The register of organisations (loaded by the composition root)."""
    return request.app.state.organisaties  # type: ignore[no-any-return]


App = Annotated[IntakeApplication, Depends(get_application)]
Gewist = Annotated[Callable[[UUID], bool], Depends(get_gewist)]
#: The problems of a command on a melding (shared/problems.py, docs/api.md).
CHANGE_PROBLEMS = documented(404, 409, 412, 422)


def public(melding: Melding, *, gewist: bool = False) -> MeldingPublic:
    """The melding without personal data; `gewist`: its personal data was erased."""
    return MeldingPublic(
        zaak_id=melding.id,
        referentie=melding.referentie,
        versie=melding.version,
        gemeld_op=melding.gemeld_op,
        onderwerp=melding.onderwerp,
        betrokkene=melding.betrokkene,
        land=melding.land,
        melder=melding.melder,
        nationaliteit=melding.nationaliteit,
        brp_ingeschreven=melding.brp_ingeschreven,
        verblijfsrecht=melding.verblijfsrecht,
        bz_betrokken=melding.bz_betrokken,
        ingetrokken=melding.ingetrokken,
        heeft_persoonsgegevens=melding.persoonsgegevens is not None and not gewist,
        correcties=melding.correcties,  # type: ignore[arg-type]
    )


def build_router(notify: Callable[[], None]) -> APIRouter:
    """Routes of intake; `notify()` wakes the relay after a save."""
    router = APIRouter(prefix="/v1")

    @router.post(
        "/meldingen",
        status_code=201,
        response_model=MeldingVastgelegd,
        operation_id="meld",
        tags=["meldingen"],
        responses=documented(422),
    )
    def meld(
        body: MeldingCreate,
        key: RequiredIdempotencyKey,
        app: App,
        actor: CurrentActor,
        request: Request,
        response: Response,
    ) -> MeldingVastgelegd:
        """Record a melding (gemeld); a retry with the same Idempotency-Key gets the 1st answer."""
        verzoek = body.as_command()
        verzoek["melder"] = melder_of_refusal(register(request), actor, verzoek["melder"])
        result = app.meld(melder_org=actor.org, idempotency_key=key, verzoek=verzoek)
        if result.nieuw:
            notify()
        else:
            response.headers["Idempotent-Replayed"] = "true"
        response.headers["Location"] = f"/v1/meldingen/{result.zaak_id}"
        set_etag(response, result.versie)
        return MeldingVastgelegd(
            zaak_id=result.zaak_id, referentie=result.referentie, versie=result.versie
        )

    @router.get(
        "/meldingen/{zaak_id}",
        response_model=MeldingPublic,
        operation_id="get_melding",
        tags=["meldingen"],
        responses=documented(404),
    )
    def get_melding(zaak_id: UUID, app: App, gewist: Gewist, response: Response) -> MeldingPublic:
        """The melding as intake knows it, with its versie (also as ETag)."""
        melding = app.get_melding(zaak_id)
        set_etag(response, melding.version)
        return public(melding, gewist=gewist(zaak_id))

    @router.get(
        "/zaken/{zaak_id}",
        response_model=MeldingPublic,
        operation_id="get_zaak",
        tags=["meldingen"],
        responses=documented(404),
    )
    def get_zaak(zaak_id: UUID, app: App, gewist: Gewist, response: Response) -> MeldingPublic:
        """The case as intake knows it (same as GET /v1/meldingen/{zaak_id})."""
        return get_melding(zaak_id, app, gewist, response)

    def _change(fn: Callable[[], Uitslag], response: Response) -> MeldingPublic:
        """Run a command (its errors are problems: problems.py); answer with the melding."""
        uitslag = fn()
        if uitslag.nieuw:
            notify()
        mark_replayed(response, not uitslag.nieuw)
        set_etag(response, uitslag.melding.version)
        return public(uitslag.melding)

    @router.post(
        "/meldingen/{zaak_id}/correcties",
        response_model=MeldingPublic,
        operation_id="corrigeer",
        tags=["meldingen"],
        responses=CHANGE_PROBLEMS,
    )
    def corrigeer(
        zaak_id: UUID,
        body: CorrectieCreate,
        key: RequiredIdempotencyKey,
        app: App,
        response: Response,
        if_match: IfMatch = None,
    ) -> MeldingPublic:
        """Correct onderwerp, betrokkene, land or gemeld_op; the old value stays in the history.

        A retry with the same Idempotency-Key gets the first answer (not a 409 or 412)."""
        wijzigingen = body.wijzigingen()
        if not wijzigingen:
            raise invalid(
                "body",
                "at_least_one",
                "name at least one of onderwerp, betrokkene, land, gemeld_op",
            )
        versie = expected_version(if_match)
        return _change(
            lambda: app.corrigeer(
                zaak_id,
                wijzigingen=wijzigingen,
                reden=body.reden,
                datum=body.datum,
                verwachte_versie=versie,
                sleutel=key,
            ),
            response,
        )

    @router.post(
        "/meldingen/{zaak_id}/intrekking",
        response_model=MeldingPublic,
        operation_id="trek_in",
        tags=["meldingen"],
        responses=CHANGE_PROBLEMS,
    )
    def trek_in(
        zaak_id: UUID,
        body: IntrekkingCreate,
        app: App,
        response: Response,
        if_match: IfMatch = None,
        key: IdempotencyKey = None,
    ) -> MeldingPublic:
        """Withdraw a melding made in error (it then counts nowhere)."""
        versie = expected_version(if_match)
        return _change(
            lambda: app.trek_in(
                zaak_id,
                reden=body.reden,
                datum=body.datum,
                verwachte_versie=versie,
                sleutel=key,
            ),
            response,
        )

    return router
