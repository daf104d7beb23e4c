"""Who may do what at consular (shared/DOMAIN.md, "Who may see what"; docs/security.md).

The security middleware checks every request against POLICY before the route runs: the
role against the operation, and for a route with a {zaak_id} the check per case below (BZ
works only on cases with a consular question). A case one may not see gets the 404 of a
case that is not yet known here.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from services.consular.domain import ZaakNotFound
from shared.context import Actor
from shared.security.policy import LKHA, Policy, Rol, rollen


def zaak_zichtbaar(app: Any, actor: Actor, operation: str, zaak_id: str) -> bool:
    """LKHA sees every case, BZ only bz_betrokken ones. False for an unknown case:
    the guard's 404 then comes before any other check (shared/security/policy.py)."""
    if actor.rol in LKHA or actor.rol == Rol.auditor:
        return True
    if actor.rol != Rol.bz_consulair:
        return False
    try:
        zaak = app.state.consular.get_zaak(UUID(zaak_id))
    except ZaakNotFound:
        return False
    except ValueError:
        return True  # not an id at all: the route's 400 for the path tells nothing
    return bool(getattr(zaak, "bz_betrokken", False))


POLICY = Policy(
    service="consular",
    operations={
        "get_zaak": rollen(LKHA, Rol.bz_consulair, Rol.auditor),
        "posten": rollen(LKHA, Rol.bz_consulair, Rol.auditor),
        "verleen_bijstand": rollen(Rol.bz_consulair),
        "leg_afloop_vast": rollen(Rol.bz_consulair, LKHA),
    },
    free_text=frozenset({"toelichting", "omschrijving", "notitie"}),
    case_visible=zaak_zichtbaar,
)
