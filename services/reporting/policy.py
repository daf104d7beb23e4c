"""Who may do what at reporting (shared/DOMAIN.md, "Who may see what"; docs/security.md).

Aggregated figures are open to policy (beleid) and to the LKHA and BZ; a single case's
events only to the LKHA and the auditor. Exact figures are the LKHA's only (EXACTE_CIJFERS):
every other role gets every figure under disclosure control (figures/geheimhouding.py,
docs/security.md), BZ too (the figures cover cases BZ may not see) and the auditor (whose
reads of a case are logged one by one; exact figures would be an unlogged way round).

The pages under /ui sign their users in with a session cookie holding the same bearer token
(services/reporting/web) and are therefore passed by the bearer check; the APIs they call
decide again.
"""

from __future__ import annotations

from shared.security.policy import LKHA, Policy, Rol, rollen

CIJFERS = rollen(LKHA, Rol.bz_consulair, Rol.beleid, Rol.auditor)

EXACTE_CIJFERS = rollen(LKHA)
"""The roles that get exact figures; every other role's figures are protected."""


def exacte_cijfers(rol: str | None) -> bool:
    """May this role see exact figures? (No role, no exact figures.)"""
    return rol is not None and rol in EXACTE_CIJFERS


POLICY = Policy(
    service="reporting",
    operations={
        "statistieken": CIJFERS,
        "doorlooptijden": CIJFERS,
        "noodfonds": CIJFERS,
        "consulaire_bijstand": CIJFERS,
        "jaarcijfers": CIJFERS,
        "jaarcijfers_csv": CIJFERS,
        "jaarcijfers_xlsx": CIJFERS,
        "jaarcijfers_html": CIJFERS,
        "jaarcijfers_pdf": CIJFERS,
        "get_zaak": rollen(LKHA, Rol.auditor),
    },
    own_authentication=("/ui",),
)
