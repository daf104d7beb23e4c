"""Value types of the case projection: one frozen ``ZaakStaat`` per melding as of a peildatum.

Codes are the contract codes of docs/contracts.md. ``uitkomst`` is ``"open"`` when no
``geverifieerd`` is known on the peildatum; ``stage`` is the lifecycle derived from it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Final

OPEN: Final = "open"
"""uitkomst of a case without a verification outcome on the peildatum (a state, not an event)."""

STAGE_OPEN: Final = "open"
"""Not verified yet."""
STAGE_LOPEND: Final = "lopend"
"""Verified, not closed."""
STAGE_AFGESLOTEN: Final = "afgesloten"
"""Closed (afgesloten, not reopened since)."""

TERUGKEER_AFLOPEN: Final = frozenset(
    {"teruggekeerd_met_ondersteuning", "teruggekeerd_na_inzet_lkha"}
)
"""afloop codes that mean the victim is back in the Netherlands."""

NOODFONDS: Final = "noodfonds_uitgave"
"""bijstand soort of an emergency-fund payment (carries bedrag_cent and doel)."""


@dataclass(frozen=True, slots=True)
class Bijstand:
    """One act of consular aid (a ``bijstand_verleend`` event)."""

    soort: str
    datum: date
    post: str | None = None
    bedrag_cent: int | None = None
    doel: str | None = None
    document: str | None = None
    via: str | None = None
    antwoord: str | None = None


@dataclass(frozen=True, slots=True)
class ZaakStaat:
    """The state of one melding (zaak) as of a peildatum, as far as recorded by registratie_tot.

    ``onderwerp``, ``betrokkene``, ``land`` and ``gemeld_op`` are the melding's values with all
    corrections applied; ``onderwerp_vastgesteld`` is the onderwerp as established by the
    verification. Published tables classify by ``onderwerp``.
    """

    zaak_id: str
    referentie: str | None
    gemeld_op: date
    onderwerp: str | None
    betrokkene: str | None
    geslacht: str | None
    geboortejaar: int | None
    leeftijd: int | None
    aantal_kinderen: int | None
    land: str | None
    melder: str | None
    melder_organisatie: str | None
    nationaliteit: str | None
    brp_ingeschreven: bool | None
    verblijfsrecht: bool | None
    bz_betrokken: bool | None
    uitkomst: str
    reden: str | None
    bevinding: str | None
    onderwerp_vastgesteld: str | None
    verificatie_datum: date | None
    """besloten_op of the first verification (used for time-to-verification)."""
    uitkomst_besloten_op: date | None
    """besloten_op of the outcome in force (differs from verificatie_datum after a herziening)."""
    herzien: bool
    afloop: str | None
    afloop_datum: date | None
    bijstand: tuple[Bijstand, ...]
    consulaire_bijstand: bool
    stage: str
    onderzoek_gestart_op: date | None
    afgesloten_op: date | None
    nazorg_op: date | None
    regieoverleggen: int
    gecorrigeerd: tuple[str, ...]
    """Names of the melding fields changed by corrections known by registratie_tot."""

    @property
    def jaar(self) -> int:
        """Year of gemeld_op (the year a melding is counted in)."""
        return self.gemeld_op.year

    @property
    def teruggekeerd(self) -> bool:
        """True when the afloop is a return to the Netherlands."""
        return self.afloop in TERUGKEER_AFLOPEN

    @property
    def noodfonds_cent(self) -> int:
        """Total emergency-fund spending on this case, in cents."""
        return sum(b.bedrag_cent or 0 for b in self.bijstand if b.soort == NOODFONDS)
