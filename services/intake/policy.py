"""Who may do what at intake (shared/DOMAIN.md, "Who may see what"; docs/security.md).

The security middleware checks every request against POLICY before the route runs: the
role against the operation, and for a route with a {zaak_id} the check per case below. A
case the caller may not see is answered exactly like an unknown one (404).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any
from uuid import UUID

from services.intake.domain import Melding, MeldingNotFound
from shared.context import Actor
from shared.security.policy import LKHA, Policy, Rol, rollen


class Doel(StrEnum):
    """Why personal data is read: the caller must state one (it is logged with the read)."""

    contact_slachtoffer = "contact_slachtoffer"
    verificatie = "verificatie"
    veiligheid = "veiligheid"
    consulaire_bijstand = "consulaire_bijstand"
    terugkeer = "terugkeer"
    nazorg = "nazorg"


#: The purposes each role may read personal data for.
DOELEN: dict[Rol, frozenset[Doel]] = {
    Rol.coordinator: frozenset(Doel),
    Rol.lkha_medewerker: frozenset(Doel),
    Rol.bz_consulair: frozenset(
        {Doel.contact_slachtoffer, Doel.consulaire_bijstand, Doel.terugkeer}
    ),
}

#: The personal data consular aid needs: BZ sees these fields, not the LKHA's toelichting.
BZ_VELDEN = ("naam", "geboortedatum", "contactgegevens", "verblijfadres")


def melding_not_found(zaak_id: str) -> str:
    """The 404 detail for an unknown melding (and for one the caller may not see)."""
    return f"melding {zaak_id} not found"


def gemeld_door(app: Any, melding: Melding) -> str | None:
    """The org that reported the melding (the actor stored with its Gemeld event)."""
    org = app.state.meldingstatussen.gemeld_door_org(melding)
    return str(org) if org else None


def zaak_zichtbaar(app: Any, actor: Actor, operation: str, zaak_id: str) -> bool:
    """LKHA sees every case; BZ only cases with a consular question (bz_betrokken); a
    reporting partner only the meldingen its own org made. False for an unknown case:
    the guard's 404 then comes before any other check (shared/security/policy.py)."""
    if actor.rol in LKHA or actor.rol == Rol.auditor:
        return True
    try:
        melding = app.state.intake.get_melding(UUID(zaak_id))
    except MeldingNotFound:
        return False
    except ValueError:
        return True  # not an id at all: the route's 400 for the path tells nothing
    if actor.rol == Rol.bz_consulair:
        return bool(melding.bz_betrokken)
    if actor.rol == Rol.melder:
        return gemeld_door(app, melding) == actor.org
    return False


POLICY = Policy(
    service="intake",
    operations={
        "meld": rollen(LKHA, Rol.bz_consulair, Rol.melder),
        "get_melding": rollen(LKHA, Rol.bz_consulair, Rol.auditor),
        "get_zaak": rollen(LKHA, Rol.bz_consulair, Rol.auditor),
        "corrigeer": rollen(LKHA),
        "trek_in": rollen(LKHA),
        "get_melding_status": rollen(LKHA, Rol.bz_consulair, Rol.melder),
        "lees_persoonsgegevens": rollen(LKHA, Rol.bz_consulair),
        "wis_persoonsgegevens": rollen(Rol.coordinator),
        "ontvang_adviesvraag": rollen(LKHA, Rol.bz_consulair, Rol.melder),
        "get_adviesvraag": rollen(LKHA),
    },
    free_text=frozenset({"reden", "toelichting", "vraag"}),
    case_visible=zaak_zichtbaar,
    case_not_found=melding_not_found,
)
