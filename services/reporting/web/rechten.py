"""What a signed-in user may see and do on the pages (need to know, shared/DOMAIN.md).

These decide only what the pages offer. The APIs behind them decide again and log: a page
never shows more than the API it calls gives the same token (intake checks the role and
the doel of every read of personal data; verification who may record a regieoverleg).
"""

from __future__ import annotations

from dataclasses import dataclass

from services.reporting.figures import ZaakStaat
from shared.context import Actor

LKHA = frozenset({"coordinator", "lkha_medewerker"})
BZ = frozenset({"bz_consulair"})

DOELEN: dict[str, tuple[tuple[str, str], ...]] = {
    "lkha": (
        ("verificatie", "Verificatie van de melding"),
        ("contact_slachtoffer", "Contact opnemen met de betrokkene"),
        ("veiligheid", "Veiligheid van de betrokkene of van helpers"),
        ("terugkeer", "Terugkeer regelen"),
        ("nazorg", "Nazorg regelen"),
        ("consulaire_bijstand", "Consulaire bijstand"),
    ),
    "bz": (
        ("consulaire_bijstand", "Consulaire bijstand verlenen"),
        ("contact_slachtoffer", "Contact opnemen met de betrokkene"),
        ("terugkeer", "Terugkeer regelen"),
    ),
}
"""The purposes (intake's doel codes) a role may state for reading personal data."""


@dataclass(frozen=True)
class Rechten:
    zaken: bool
    """Agenda, case list and case pages (cases without personal data)."""
    alle_zaken: bool
    """Every case; otherwise only those with a consular question (bz_betrokken)."""
    vastleggen: bool
    """Record a regieoverleg and mark its actions done (through verification)."""
    doelen: tuple[tuple[str, str], ...]
    """The purposes this role may read personal data for; none: the case without them."""
    cijfers: bool
    """The figures page and its downloads (aggregated only)."""

    @property
    def persoonsgegevens(self) -> bool:
        return bool(self.doelen)

    def ziet(self, zaak: ZaakStaat) -> bool:
        """Whether this user may see the case at all."""
        return self.zaken and (self.alle_zaken or bool(zaak.bz_betrokken))


def rechten_van(actor: Actor) -> Rechten:
    """LKHA sees every case, BZ the cases with a consular question; policy and audit the
    figures only; reporting partners nothing here."""
    lkha, bz = actor.rol in LKHA, actor.rol in BZ
    return Rechten(
        zaken=lkha or bz,
        alle_zaken=lkha,
        vastleggen=lkha or bz,
        doelen=DOELEN["lkha"] if lkha else DOELEN["bz"] if bz else (),
        cijfers=lkha or bz or actor.rol in {"beleid", "auditor"},
    )
