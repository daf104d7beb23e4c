"""What a signed-in user is offered on the pages (need to know, shared/DOMAIN.md).

Read from reporting's policy (services/reporting/policy.py, the `ui_*` operations), which the
guard enforces on every page: the menu never offers what the guard would refuse. The case
pages are the LKHA's, the figures also BZ's, policy's and the auditor's; a role bound to an
agency (coordinator: lkha) gets nothing with another org. The APIs decide again and log:
intake checks the role and the doel of every read of personal data.
"""

from __future__ import annotations

from dataclasses import dataclass

from services.reporting.policy import POLICY
from shared.context import Actor

DOELEN: tuple[tuple[str, str], ...] = (
    ("verificatie", "Verificatie van de melding"),
    ("contact_slachtoffer", "Contact opnemen met de betrokkene"),
    ("veiligheid", "Veiligheid van de betrokkene of van helpers"),
    ("terugkeer", "Terugkeer regelen"),
    ("nazorg", "Nazorg regelen"),
    ("consulaire_bijstand", "Consulaire bijstand"),
)
"""The purposes (intake's doel codes) the LKHA may state for reading personal data."""


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


def mag(actor: Actor, operation: str) -> bool:
    """Whether the guard lets the actor through to a page (role and the role's org)."""
    return POLICY.check(operation, actor) is None


def rechten_van(actor: Actor) -> Rechten:
    """The LKHA works on cases; BZ, policy and the auditor see the figures; partners nothing."""
    return Rechten(
        zaken=mag(actor, "ui_zaak"),
        doelen=DOELEN if mag(actor, "ui_persoonsgegevens") else (),
        cijfers=mag(actor, "ui_cijfers"),
    )
