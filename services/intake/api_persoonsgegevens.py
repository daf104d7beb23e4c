"""Routes for personal data: reading it for a stated doel, and erasing it.

Who may call them is decided before they run (policy.py: the role, and whether the caller
may see the case at all); these routes add the doel check, BZ's subset of fields and the
audit record's doel. Every read is logged before it is answered; an erasure is logged in the
transaction that destroys the key.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from services.intake.application import IntakeApplication
from services.intake.bewaring import Bewaring, WisGrond
from services.intake.policy import BZ_VELDEN, DOELEN, Doel
from shared.api import (
    IdempotencyKey,
    IfMatch,
    expected_version,
    invalid,
    mark_replayed,
    set_etag,
)
from shared.problems import (
    GEEN_TOEGANG,
    REGEL_GESCHONDEN,
    VERSIE_VEROUDERD,
    ProblemError,
    documented,
)
from shared.security.policy import Rol
from shared.security.wiring import CurrentActor, CurrentAudit


def get_application(request: Request) -> IntakeApplication:
    return request.app.state.intake  # type: ignore[no-any-return]


def get_bewaring(request: Request) -> Bewaring:
    return request.app.state.bewaring  # type: ignore[no-any-return]


App = Annotated[IntakeApplication, Depends(get_application)]
BewaringDep = Annotated[Bewaring, Depends(get_bewaring)]


class PersoonsgegevensPublic(BaseModel):
    """A melding's personal data, as far as the caller's role needs it."""

    zaak_id: UUID
    doel: Doel
    naam: str | None = None
    geboortedatum: date | None = None
    contactgegevens: str | None = None
    verblijfadres: str | None = None
    toelichting: str | None = None


class WissingCreate(BaseModel):
    """An erasure request: why the personal data must go."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"grond": "verzoek_betrokkene"}]},
    )

    grond: WisGrond = Field(description="verzoek_betrokkene or onrechtmatig_verwerkt")


class WissingPublic(BaseModel):
    zaak_id: UUID
    gewist_op: datetime
    grond: str


def build_persoonsgegevens_router() -> APIRouter:
    """GET .../persoonsgegevens?doel=... and POST .../wissen."""
    router = APIRouter(prefix="/v1", tags=["persoonsgegevens"], responses=documented(404))

    @router.get(
        "/meldingen/{zaak_id}/persoonsgegevens",
        response_model=PersoonsgegevensPublic,
        response_model_exclude_none=True,
        operation_id="lees_persoonsgegevens",
        responses=documented(403, 410, s403="the doel is not one of the role's"),
    )
    def lees_persoonsgegevens(
        zaak_id: UUID,
        doel: Annotated[Doel, Query(description="Why the personal data is needed (logged)")],
        app: App,
        actor: CurrentActor,
        audit: CurrentAudit,
        response: Response,
    ) -> PersoonsgegevensPublic:
        """A melding's personal data for a stated doel; every read is logged first."""
        rol = Rol(actor.rol)
        if doel not in DOELEN.get(rol, frozenset()):
            audit.refuse("doel")
            allowed = ", ".join(sorted(DOELEN.get(rol, frozenset())))
            raise ProblemError(
                GEEN_TOEGANG, f"rol {rol} may not read personal data for {doel}; allowed: {allowed}"
            )
        melding = app.get_melding(zaak_id)
        audit.personal_data(doel=str(doel))
        gegevens = app.persoonsgegevens(zaak_id)  # KeyDestroyed: 410 (problems.py)
        velden = dict(gegevens.get("persoonsgegevens") or {})
        if rol != Rol.bz_consulair:
            velden["toelichting"] = gegevens.get("toelichting")
        else:
            velden = {k: v for k, v in velden.items() if k in BZ_VELDEN}
        set_etag(response, melding.version)
        response.headers["Cache-Control"] = "no-store"
        return PersoonsgegevensPublic(zaak_id=zaak_id, doel=doel, **velden)

    @router.post(
        "/meldingen/{zaak_id}/wissen",
        response_model=WissingPublic,
        operation_id="wis_persoonsgegevens",
        responses=documented(409, 412, 422, s409="already erased (by another request)"),
    )
    def wis_persoonsgegevens(
        zaak_id: UUID,
        body: WissingCreate,
        app: App,
        bewaring: BewaringDep,
        actor: CurrentActor,
        audit: CurrentAudit,
        response: Response,
        if_match: IfMatch = None,
        key: IdempotencyKey = None,
    ) -> WissingPublic:
        """Erase a melding's personal data for good (its data key is destroyed)."""
        if body.grond == WisGrond.bewaartermijn_verstreken:
            raise invalid(
                "grond",
                "enum",
                "bewaartermijn_verstreken is the system's own; "
                "use verzoek_betrokkene or onrechtmatig_verwerkt",
            )
        melding = app.get_melding(zaak_id)
        versie = expected_version(if_match)
        if versie is not None and versie != melding.version:
            raise ProblemError(
                VERSIE_VEROUDERD, f"melding is at versie {melding.version}, not {versie}"
            )
        wissing = bewaring.wis(
            str(zaak_id), grond=body.grond, door=actor, idempotency_key=key, audit=audit
        )
        if not wissing.nieuw and not wissing.herhaald:
            raise ProblemError(
                REGEL_GESCHONDEN,
                f"the personal data was already erased on "
                f"{wissing.gewist_op.date().isoformat()} (grond {wissing.grond})",
            )
        mark_replayed(response, wissing.herhaald)
        set_etag(response, melding.version)
        return WissingPublic(zaak_id=zaak_id, gewist_op=wissing.gewist_op, grond=wissing.grond)

    return router
