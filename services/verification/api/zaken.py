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
from services.verification.teksten import Teksten
from shared.api import IdempotencyKey, IfMatch, expected_version, set_etag
from shared.problems import documented
from shared.security.free_text import Inzage, inzage
from shared.security.wiring import CurrentActor, CurrentAudit, Reden


def public(zaak: Zaak, teksten: Teksten, zicht: Inzage = Inzage.volledig) -> ZaakPublic:
    """The case as the caller may see it: the LKHA's free text (toelichtingen, nazorg
    omschrijvingen) in full for the LKHA, masked for the auditor without a reden, left out
    for BZ (shared/security/free_text.py)."""
    waarden = [
        *(v["toelichting"] for v in zaak.verificaties),
        *(s["toelichting"] for s in zaak.verloop),
        *(n["omschrijving"] for n in zaak.nazorg),
    ]
    gelezen = iter(teksten.lees(str(zaak.id), waarden, zicht))
    verificaties = [
        VerificatiePublic.model_validate({**v, "toelichting": next(gelezen)})
        for v in zaak.verificaties
    ]
    verloop = [
        VerloopPublic.model_validate({**s, "toelichting": next(gelezen)}) for s in zaak.verloop
    ]
    nazorg = [
        NazorgPublic.model_validate({**n, "omschrijving": next(gelezen)}) for n in zaak.nazorg
    ]
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
        verloop=verloop,
        nazorg=nazorg,
        correcties=[CorrectiePublic.model_validate(c) for c in zaak.correcties],
    )


def build_router(notify: Callable[[], None]) -> APIRouter:
    """Routes on one case; `notify()` wakes the relay and the projection after a save."""
    router = APIRouter(prefix="/v1/zaken", tags=["zaken"])

    @router.get(
        "/{zaak_id}", response_model=ZaakPublic, operation_id="get_zaak", responses=documented(404)
    )
    def get_zaak(
        zaak_id: UUID,
        app: App,
        actor: CurrentActor,
        audit: CurrentAudit,
        response: Response,
        reden: Reden = None,
    ) -> ZaakPublic:
        """The case as verification knows it (404 until intake's melding has arrived). The
        LKHA's notes are left out for BZ and masked for the auditor unless a reden is given
        (logged)."""
        zaak = app.get_zaak(zaak_id)
        set_etag(response, zaak.version)
        return public(zaak, app.teksten, inzage(actor, audit, reden))

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
        return public(beantwoord(uitslag, response, notify), app.teksten)

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
        return public(beantwoord(uitslag, response, notify), app.teksten)

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
        return public(beantwoord(uitslag, response, notify), app.teksten)

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
        return public(beantwoord(uitslag, response, notify), app.teksten)

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
        return public(beantwoord(uitslag, response, notify), app.teksten)

    return router
