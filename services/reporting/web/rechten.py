"""What a signed-in user may see and do on the pages (need to know, shared/DOMAIN.md).

The pages follow the policies of the APIs they stand on and never offer more: verification
gives the agenda and the regieoverleg to the LKHA only, reporting a single case's events to
the LKHA only (services/*/policy.py), so the case pages are the LKHA's; BZ, policy and the
auditor get the figures. The APIs decide again and log: intake checks the role and the
doel of every read of personal data.
"""

from __future__ import annotations

from dataclasses import dataclass

from shared.context import Actor
from shared.security.policy import LKHA, Rol

DOELEN: tuple[tuple[str, str], ...] = (
    ("verificatie", "Verificatie van de melding"),
    ("contact_slachtoffer", "Contact opnemen met de betrokkene"),
    ("veiligheid", "Veiligheid van de betrokkene of van helpers"),
    ("terugkeer", "Terugkeer regelen"),
    ("nazorg", "Nazorg regelen"),
    ("consulaire_bijstand", "Consulaire bijstand"),
)
"""The purposes (intake's doel codes) the LKHA may state for reading personal data."""

CIJFERS = frozenset({*LKHA, Rol.bz_consulair, Rol.beleid, Rol.auditor})


@dataclass(frozen=True)
class Rechten:
    zaken: bool
    """Agenda, case list and case pages (cases without personal data); recording a
    regieoverleg and marking its actions done (through verification)."""
    doelen: tuple[tuple[str, str], ...]
    """The purposes this role may read personal data for; none: the case without them."""
    cijfers: bool
    """The figures page and its downloads (aggregated only)."""

    @property
    def persoonsgegevens(self) -> bool:
        return bool(self.doelen)


def rechten_van(actor: Actor) -> Rechten:
    """The LKHA works on cases; BZ, policy and the auditor see the figures; partners nothing."""
    lkha = actor.rol in LKHA
    return Rechten(zaken=lkha, doelen=DOELEN if lkha else (), cijfers=actor.rol in CIJFERS)
