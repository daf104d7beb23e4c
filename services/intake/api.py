"""Intake's HTTP API: the routes only translate HTTP to application calls and back.

Who may call which route, and which cases they may see, is checked before a route runs
(policy.py, shared/security); `CurrentActor` is the authenticated caller.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any
from uuid import UUID

from eventsourcing.persistence import IntegrityError
from fastapi import APIRouter, Depends, Header, HTTPException, Request, Response

from services.intake.application import IdempotencyConflict, IntakeApplication, VersieConflict
from services.intake.domain import Melding, MeldingNotFound, RegelGeschonden
from services.intake.schemas import (
    CorrectieCreate,
    ErrorBody,
    IntrekkingCreate,
    MeldingCreate,
    MeldingPublic,
    MeldingVastgelegd,
)
from shared.api import expected_version, set_etag
from shared.crypto import KeyDestroyed
from shared.security.free_text import ERASED, MASKED, Inzage, inzage
from shared.security.wiring import CurrentActor, CurrentAudit, Reden


def get_application(request: Request) -> IntakeApplication:
    return request.app.state.intake  # type: ignore[no-any-return]


App = Annotated[IntakeApplication, Depends(get_application)]
IdempotencyKey = Annotated[
    str,
    Header(
        alias="Idempotency-Key",
        min_length=8,
        max_length=200,
        description="A unique key per melding, reused on retry",
    ),
]
IfMatch = Annotated[str | None, Header(alias="If-Match")]

ERRORS: dict[int | str, dict[str, object]] = {
    404: {"model": ErrorBody},
    409: {"model": ErrorBody},
    412: {"model": ErrorBody},
}


def toon(app: IntakeApplication, melding: Melding, zicht: Inzage) -> MeldingPublic:
    """The melding as the caller may see it: its free text (the correcties' redenen, the
    melder's organisatie) in full, masked or left out (shared/security/free_text.py)."""
    organisatie = melding.melder.get("organisatie")
    redenen = [c["reden"] for c in melding.correcties]
    if zicht == Inzage.volledig:
        try:
            organisatie, *redenen = app.ontsleutel(str(melding.id), [organisatie, *redenen])
        except KeyDestroyed:
            organisatie = ERASED if organisatie else None
            redenen = [ERASED for _ in redenen]
    elif zicht == Inzage.afgeschermd:
        organisatie = MASKED if organisatie else None
        redenen = [MASKED for _ in redenen]
    else:
        organisatie, redenen = None, [None for _ in redenen]
    melder = {k: v for k, v in melding.melder.items() if k != "organisatie"}
    if organisatie:
        melder["organisatie"] = organisatie
    correcties = [{**c, "reden": r} for c, r in zip(melding.correcties, redenen, strict=True)]
    return public(melding, melder=melder, correcties=correcties)


def public(
    melding: Melding, *, melder: dict[str, Any], correcties: list[dict[str, Any]]
) -> MeldingPublic:
    return MeldingPublic(
        zaak_id=melding.id,
        referentie=melding.referentie,
        versie=melding.version,
        gemeld_op=melding.gemeld_op,
        onderwerp=melding.onderwerp,
        betrokkene=melding.betrokkene,
        land=melding.land,
        melder=melder,
        nationaliteit=melding.nationaliteit,
        brp_ingeschreven=melding.brp_ingeschreven,
        verblijfsrecht=melding.verblijfsrecht,
        bz_betrokken=melding.bz_betrokken,
        ingetrokken=melding.ingetrokken,
        heeft_persoonsgegevens=melding.persoonsgegevens is not None,
        correcties=correcties,  # type: ignore[arg-type]
    )


def build_router(notify: Callable[[], None]) -> APIRouter:
    """Routes of intake; `notify()` wakes the relay after a save."""
    router = APIRouter(prefix="/v1", responses=ERRORS)

    @router.post(
        "/meldingen",
        status_code=201,
        response_model=MeldingVastgelegd,
        operation_id="meld",
        tags=["meldingen"],
    )
    def meld(
        body: MeldingCreate, key: IdempotencyKey, app: App, actor: CurrentActor, response: Response
    ) -> MeldingVastgelegd:
        """Record a melding (gemeld); a retry with the same Idempotency-Key gets the 1st answer."""
        try:
            result = app.meld(melder_org=actor.org, idempotency_key=key, verzoek=body.as_command())
        except IdempotencyConflict as exc:
            raise HTTPException(status_code=422, detail=f"Idempotency-Key: {exc}") from exc
        except RegelGeschonden as exc:
            raise HTTPException(status_code=422, detail=str(exc)) from exc
        if result.nieuw:
            notify()
        else:
            response.headers["Idempotent-Replayed"] = "true"
        response.headers["Location"] = f"/v1/meldingen/{result.zaak_id}"
        set_etag(response, result.versie)
        return MeldingVastgelegd(
            zaak_id=result.zaak_id, referentie=result.referentie, versie=result.versie
        )

    def _get(app: IntakeApplication, zaak_id: UUID) -> Melding:
        try:
            return app.get_melding(zaak_id)
        except MeldingNotFound as exc:
            raise HTTPException(status_code=404, detail=f"melding {zaak_id} not found") from exc

    @router.get(
        "/meldingen/{zaak_id}",
        response_model=MeldingPublic,
        operation_id="get_melding",
        tags=["meldingen"],
    )
    def get_melding(
        zaak_id: UUID,
        app: App,
        actor: CurrentActor,
        audit: CurrentAudit,
        response: Response,
        reden: Reden = None,
    ) -> MeldingPublic:
        """The melding as intake knows it, with its versie (also as ETag). Its free text is
        the LKHA's: masked for the auditor unless a reden is given (logged), left out for
        others."""
        melding = _get(app, zaak_id)
        set_etag(response, melding.version)
        return toon(app, melding, inzage(actor, audit, reden))

    @router.get(
        "/zaken/{zaak_id}",
        response_model=MeldingPublic,
        operation_id="get_zaak",
        tags=["meldingen"],
    )
    def get_zaak(
        zaak_id: UUID,
        app: App,
        actor: CurrentActor,
        audit: CurrentAudit,
        response: Response,
        reden: Reden = None,
    ) -> MeldingPublic:
        """The case as intake knows it (same as GET /v1/meldingen/{zaak_id})."""
        return get_melding(zaak_id, app, actor, audit, response, reden)

    def _change(fn: object) -> Melding:
        try:
            return fn()  # type: ignore[operator,no-any-return]
        except MeldingNotFound as exc:
            raise HTTPException(status_code=404, detail=str(exc)) from exc
        except VersieConflict as exc:
            raise HTTPException(status_code=412, detail=str(exc)) from exc
        except IntegrityError as exc:
            raise HTTPException(
                status_code=409, detail="the melding changed meanwhile; reload and retry"
            ) from exc
        except RegelGeschonden as exc:
            raise HTTPException(status_code=409, detail=str(exc)) from exc

    @router.post(
        "/meldingen/{zaak_id}/correcties",
        response_model=MeldingPublic,
        operation_id="corrigeer",
        tags=["meldingen"],
    )
    def corrigeer(
        zaak_id: UUID,
        body: CorrectieCreate,
        app: App,
        response: Response,
        if_match: IfMatch = None,
    ) -> MeldingPublic:
        """Correct onderwerp, betrokkene, land or gemeld_op; the old value stays in the history."""
        wijzigingen = body.wijzigingen()
        if not wijzigingen:
            raise HTTPException(
                status_code=422,
                detail="name at least one of onderwerp, betrokkene, land, gemeld_op",
            )
        versie = expected_version(if_match)
        melding = _change(
            lambda: app.corrigeer(
                zaak_id,
                wijzigingen=wijzigingen,
                reden=body.reden,
                datum=body.datum,
                verwachte_versie=versie,
            )
        )
        notify()
        set_etag(response, melding.version)
        return toon(app, melding, Inzage.volledig)

    @router.post(
        "/meldingen/{zaak_id}/intrekking",
        response_model=MeldingPublic,
        operation_id="trek_in",
        tags=["meldingen"],
    )
    def trek_in(
        zaak_id: UUID,
        body: IntrekkingCreate,
        app: App,
        response: Response,
        if_match: IfMatch = None,
    ) -> MeldingPublic:
        """Withdraw a melding made in error (it then counts nowhere)."""
        versie = expected_version(if_match)
        melding = _change(
            lambda: app.trek_in(
                zaak_id, reden=body.reden, datum=body.datum, verwachte_versie=versie
            )
        )
        notify()
        set_etag(response, melding.version)
        return toon(app, melding, Inzage.volledig)

    return router
