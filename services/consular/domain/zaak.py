"""A case as BZ's consular desk knows it (codes only, never personal data)."""

from __future__ import annotations

from datetime import date
from typing import Any

from eventsourcing.domain import Aggregate, event


class ConsularError(Exception):
    """Base of every rule the consular domain enforces."""


class ZaakNotFound(ConsularError):
    pass


class Zaak(Aggregate):
    """A reported case as far as consular aid goes.

    Invariants: it exists only once intake's melding arrived; it mirrors intake's
    classification (corrections included) by intake's version, applying each at most once.
    """

    class MeldingOntvangen(Aggregate.Created):
        referentie: str
        gemeld_op: date
        onderwerp: str
        betrokkene: dict[str, Any]
        land: str
        bz_betrokken: bool
        intake_versie: int

    @event(MeldingOntvangen)
    def __init__(
        self,
        *,
        referentie: str,
        gemeld_op: date,
        onderwerp: str,
        betrokkene: dict[str, Any],
        land: str,
        bz_betrokken: bool,
        intake_versie: int,
    ) -> None:
        self.referentie = referentie
        self.gemeld_op = gemeld_op
        self.onderwerp = onderwerp
        self.betrokkene = dict(betrokkene)
        self.land = land
        self.bz_betrokken = bz_betrokken
        self.intake_versie = intake_versie
        self.ingetrokken = False

    class MeldingGecorrigeerd(Aggregate.Event):
        wijzigingen: dict[str, Any]
        intake_versie: int

    @event(MeldingGecorrigeerd)
    def _melding_gecorrigeerd(self, wijzigingen: dict[str, Any], intake_versie: int) -> None:
        for veld, waarde in wijzigingen.items():
            setattr(self, veld, date.fromisoformat(waarde) if veld == "gemeld_op" else waarde)
        self.intake_versie = intake_versie

    def neem_correctie_over(self, *, wijzigingen: dict[str, Any], intake_versie: int) -> bool:
        """Apply intake's correction once; False if it was applied already."""
        if intake_versie <= self.intake_versie:
            return False
        self._melding_gecorrigeerd(wijzigingen=wijzigingen, intake_versie=intake_versie)
        return True

    class MeldingIngetrokken(Aggregate.Event):
        intake_versie: int

    @event(MeldingIngetrokken)
    def _melding_ingetrokken(self, intake_versie: int) -> None:
        self.ingetrokken = True
        self.intake_versie = intake_versie

    def neem_intrekking_over(self, *, intake_versie: int) -> bool:
        """Mark the melding withdrawn at intake; False if already applied."""
        if intake_versie <= self.intake_versie:
            return False
        self._melding_ingetrokken(intake_versie=intake_versie)
        return True
