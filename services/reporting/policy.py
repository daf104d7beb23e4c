"""Who may do what at reporting (shared/DOMAIN.md, "Who may see what"; docs/security.md).

Aggregated figures are open to policy (beleid) and to the LKHA and BZ; a single case's
events only to the LKHA and the auditor. Exact figures are the LKHA's only (EXACTE_CIJFERS):
every other role gets every figure under disclosure control (figures/geheimhouding.py,
docs/security.md), BZ too (the figures cover cases BZ may not see) and the auditor (whose
reads of a case are logged one by one; exact figures would be an unlogged way round).

The coordinators' pages under /ui are operations of this policy like the APIs (`ui_*`): their
users sign in with a session cookie holding the same bearer token (`SESSIE`), and every page
goes through the same guard (role, the role's fixed org, the case) and leaves one audit
record. The APIs the pages call decide again.
"""

from __future__ import annotations

from typing import Any

from shared.context import Actor
from shared.security.policy import LKHA, Policy, Rol, rollen
from shared.security.sessions import CookieSession

CIJFERS = rollen(LKHA, Rol.bz_consulair, Rol.beleid, Rol.auditor)

EXACTE_CIJFERS = rollen(LKHA)
"""The roles that get exact figures; every other role's figures are protected."""


def exacte_cijfers(rol: str | None) -> bool:
    """May this role see exact figures? (No role, no exact figures.)"""
    return rol is not None and rol in EXACTE_CIJFERS


SESSIE = CookieSession(
    prefix="/ui",
    cookie="knooppunt_sessie",
    sign_in="/ui/aanmelden",
    public=("/ui/aanmelden", "/ui/static"),
    language="nl",
    invalid_url_title="Dit adres bevat tekens die geen pagina aanneemt",
)
"""The pages' session: the cookie, the sign-in page and what needs no session."""

#: The pages (services/reporting/web, docs/ui.md): the case pages are the LKHA's, as
#: verification gives the agenda and the regieoverleg to the LKHA only; figures as the APIs.
PAGINAS = {
    "ui_start": rollen(LKHA, CIJFERS),
    "ui_afmelden": frozenset(Rol),
    "ui_agenda": LKHA,
    "ui_zaken": LKHA,
    "ui_zaak": LKHA,
    "ui_regieoverleg": LKHA,
    "ui_actie_afgerond": LKHA,
    "ui_persoonsgegevens": LKHA,
    "ui_cijfers": CIJFERS,
    "ui_cijfers_bestand": CIJFERS,
}


def zaak_zichtbaar(app: Any, actor: Actor, operation: str, zaak_id: str) -> bool:
    """Reporting shows single cases to the LKHA and the auditor only, and to them all."""
    return actor.rol in LKHA or actor.rol == Rol.auditor


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
        **PAGINAS,
    },
    session=SESSIE,
    case_visible=zaak_zichtbaar,
)
