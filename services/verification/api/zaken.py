"""Routes on one case: read it, start the onderzoek, verify, close, reopen, nazorg."""

from __future__ import annotations

from collections.abc import Callable
from uuid import UUID

from fastapi import APIRouter, Response

from services.verification.api.common import (
    CHANGE_PROBLEMS,
    App,
    beantwoord,
)
from services.verification.domain import Zaak
from services.verification.schemas import (
    AfsluitingCreate,
    CorrectiePublic,
    HeropeningCreate,
    NazorgCreate,
    NazorgPublic,
    OnderzoekCreate,
    VerificatieCreate,
    VerificatiePublic,
    VerloopPublic,
    ZaakPublic,
)
from shared.api import IdempotencyKey, IfMatch, expected_version, set_etag
from shared.problems import documented


def public(zaak: Zaak) -> ZaakPublic:
    verificaties = [VerificatiePublic.model_validate(v) for v in zaak.verificaties]
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
        stage=zaak.stage,
        onderzoek_gestart_op=zaak.onderzoek_gestart_op,
        verificatie=verificaties[-1] if verificaties else None,
        verificaties=verificaties,
        afgesloten_op=zaak.afgesloten_op,
        verloop=[VerloopPublic.model_validate(s) for s in zaak.verloop],
        nazorg=[NazorgPublic.model_validate(n) for n in zaak.nazorg],
        correcties=[CorrectiePublic.model_validate(c) for c in zaak.correcties],
    )


def build_router(notify: Callable[[], None]) -> APIRouter:
    """Routes on one case; `notify()` wakes the relay and the projection after a save."""
    router = APIRouter(prefix="/v1/zaken", tags=["zaken"])

    @router.get(
        "/{zaak_id}", response_model=ZaakPublic, operation_id="get_zaak", responses=documented(404)
    )
    def get_zaak(zaak_id: UUID, app: App, response: Response) -> ZaakPublic:
        """The case as verification knows it (404 until intake's melding has arrived)."""
        zaak = app.get_zaak(zaak_id)
        set_etag(response, zaak.version)
        return public(zaak)

    @router.post(
        "/{zaak_id}/onderzoek",
        response_model=ZaakPublic,
        operation_id="start_onderzoek",
        responses=CHANGE_PROBLEMS,
    )
    def start_onderzoek(
        zaak_id: UUID,
        body: OnderzoekCreate,
        app: App,
        response: Response,
        if_match: IfMatch = None,
        key: IdempotencyKey = None,
    ) -> ZaakPublic:
        """Record that the investigation started (onderzoek_gestart)."""
        versie = expected_version(if_match)
        uitslag = app.start_onderzoek(
            zaak_id, datum=body.datum, verwachte_versie=versie, sleutel=key
        )
        return public(beantwoord(uitslag, response, notify))

    @router.post(
        "/{zaak_id}/verificatie",
        response_model=ZaakPublic,
        operation_id="verifieer",
        responses=CHANGE_PROBLEMS,
    )
    def verifieer(
        zaak_id: UUID,
        body: VerificatieCreate,
        app: App,
        response: Response,
        if_match: IfMatch = None,
        key: IdempotencyKey = None,
    ) -> ZaakPublic:
        """Record the verification's uitkomst (geverifieerd); a later one is a herziening."""
        versie = expected_version(if_match)
        uitslag = app.verifieer(
            zaak_id,
            uitkomst=str(body.uitkomst),
            reden=str(body.reden) if body.reden else None,
            bevinding=str(body.bevinding) if body.bevinding else None,
            onderwerp=str(body.onderwerp) if body.onderwerp else None,
            besloten_op=body.besloten_op,
            reden_herziening=str(body.reden_herziening) if body.reden_herziening else None,
            toelichting=body.toelichting,
            verwachte_versie=versie,
            sleutel=key,
        )
        return public(beantwoord(uitslag, response, notify))

    @router.post(
        "/{zaak_id}/afsluiting",
        response_model=ZaakPublic,
        operation_id="sluit_af",
        responses=CHANGE_PROBLEMS,
    )
    def sluit_af(
        zaak_id: UUID,
        body: AfsluitingCreate,
        app: App,
        response: Response,
        if_match: IfMatch = None,
        key: IdempotencyKey = None,
    ) -> ZaakPublic:
        """Close the case (afgesloten)."""
        versie = expected_version(if_match)
        uitslag = app.sluit_af(
            zaak_id,
            reden=str(body.reden),
            datum=body.datum,
            toelichting=body.toelichting,
            verwachte_versie=versie,
            sleutel=key,
        )
        return public(beantwoord(uitslag, response, notify))

    @router.post(
        "/{zaak_id}/heropening",
        response_model=ZaakPublic,
        operation_id="heropen",
        responses=CHANGE_PROBLEMS,
    )
    def heropen(
        zaak_id: UUID,
        body: HeropeningCreate,
        app: App,
        response: Response,
        if_match: IfMatch = None,
        key: IdempotencyKey = None,
    ) -> ZaakPublic:
        """Reopen a closed case (heropend)."""
        versie = expected_version(if_match)
        uitslag = app.heropen(
            zaak_id,
            reden=str(body.reden),
            datum=body.datum,
            toelichting=body.toelichting,
            verwachte_versie=versie,
            sleutel=key,
        )
        return public(beantwoord(uitslag, response, notify))

    @router.post(
        "/{zaak_id}/nazorg",
        response_model=ZaakPublic,
        operation_id="regel_nazorg",
        responses=CHANGE_PROBLEMS,
    )
    def regel_nazorg(
        zaak_id: UUID,
        body: NazorgCreate,
        app: App,
        response: Response,
        if_match: IfMatch = None,
        key: IdempotencyKey = None,
    ) -> ZaakPublic:
        """Record the aftercare the LKHA arranged (nazorg_geregeld)."""
        versie = expected_version(if_match)
        uitslag = app.regel_nazorg(
            zaak_id,
            datum=body.datum,
            omschrijving=body.omschrijving,
            verwachte_versie=versie,
            sleutel=key,
        )
        return public(beantwoord(uitslag, response, notify))

    return router
