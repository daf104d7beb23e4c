"""The melding as the LKHA's front door knows it: what was reported, by whom, and its fixes.

Pure domain code: no web, messaging, SQL or tracing. Personal data reaches this module only
as an opaque ciphertext token (encrypted per case by the application layer).
"""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event


class IntakeError(Exception):
    """Base of every rule the intake domain enforces."""


class MeldingNotFound(IntakeError):
    pass


class RegelGeschonden(IntakeError):
    """A domain rule was broken; the message says which."""


class MeldingIngetrokken(RegelGeschonden):
    pass


CORRIGEERBARE_VELDEN = ("onderwerp", "betrokkene", "land", "gemeld_op")


def controleer_datum(naam: str, datum: date, *, niet_voor: date | None, vandaag: date) -> None:
    """A business date may not lie in the future nor before the melding."""
    if datum > vandaag:
        raise RegelGeschonden(f"{naam} {datum.isoformat()} lies in the future")
    if niet_voor is not None and datum < niet_voor:
        raise RegelGeschonden(
            f"{naam} {datum.isoformat()} lies before gemeld_op {niet_voor.isoformat()}"
        )


class Melding(Aggregate):
    """A report (melding) of forced marriage or abandonment abroad.

    Invariants: gemeld_op never lies in the future; a correction changes only onderwerp,
    betrokkene, land or gemeld_op, names a reden and keeps the old value in the history;
    a withdrawn melding takes no further corrections; an erasure happens once. Personal data
    and free text (toelichting, the melder's organisatie, every reden) are held only as
    ciphertext tokens.
    """

    class Gemeld(Aggregate.Created):
        referentie: str
        gemeld_op: date
        onderwerp: str
        betrokkene: dict[str, Any]
        land: str
        melder: dict[str, Any]
        nationaliteit: str
        brp_ingeschreven: bool | None
        verblijfsrecht: str
        bz_betrokken: bool
        persoonsgegevens: str | None
        verzoek_vingerafdruk: str

    @event(Gemeld)
    def __init__(
        self,
        *,
        referentie: str,
        gemeld_op: date,
        onderwerp: str,
        betrokkene: dict[str, Any],
        land: str,
        melder: dict[str, Any],
        nationaliteit: str,
        brp_ingeschreven: bool | None,
        verblijfsrecht: str,
        bz_betrokken: bool,
        persoonsgegevens: str | None,
        verzoek_vingerafdruk: str,
    ) -> None:
        self.referentie = referentie
        self.gemeld_op = gemeld_op
        self.onderwerp = onderwerp
        self.betrokkene = dict(betrokkene)
        self.land = land
        self.melder = dict(melder)
        self.nationaliteit = nationaliteit
        self.brp_ingeschreven = brp_ingeschreven
        self.verblijfsrecht = verblijfsrecht
        self.bz_betrokken = bz_betrokken
        self.persoonsgegevens = persoonsgegevens
        self.verzoek_vingerafdruk = verzoek_vingerafdruk
        self.ingetrokken = False
        self.gewist = False
        self.correcties: list[dict[str, Any]] = []

    @classmethod
    def meld(cls, *, zaak_id: UUID, vandaag: date, **velden: Any) -> Melding:
        """Record a new melding."""
        controleer_datum("gemeld_op", velden["gemeld_op"], niet_voor=None, vandaag=vandaag)
        return cls._create(cls.Gemeld, id=zaak_id, **velden)

    class Gecorrigeerd(Aggregate.Event):
        wijzigingen: dict[str, Any]
        vorige: dict[str, Any]
        reden: str
        datum: date

    @event(Gecorrigeerd)
    def _gecorrigeerd(
        self, wijzigingen: dict[str, Any], vorige: dict[str, Any], reden: str, datum: date
    ) -> None:
        for veld, waarde in wijzigingen.items():
            setattr(self, veld, date.fromisoformat(waarde) if veld == "gemeld_op" else waarde)
        self.correcties.append(
            {"wijzigingen": wijzigingen, "vorige": vorige, "reden": reden, "datum": datum}
        )

    def corrigeer(
        self, *, wijzigingen: dict[str, Any], reden: str, datum: date, vandaag: date
    ) -> None:
        """Correct a wrongly recorded classification, keeping the old value."""
        if self.ingetrokken:
            raise MeldingIngetrokken("a withdrawn melding cannot be corrected")
        onbekend = set(wijzigingen) - set(CORRIGEERBARE_VELDEN)
        if onbekend:
            raise RegelGeschonden(
                f"cannot correct {sorted(onbekend)}: only {list(CORRIGEERBARE_VELDEN)}"
            )
        if not reden.strip():
            raise RegelGeschonden("a correction needs a reden")
        controleer_datum("datum", datum, niet_voor=self.gemeld_op, vandaag=vandaag)
        if "gemeld_op" in wijzigingen:
            controleer_datum(
                "gemeld_op",
                date.fromisoformat(wijzigingen["gemeld_op"]),
                niet_voor=None,
                vandaag=vandaag,
            )
        echte = {k: v for k, v in wijzigingen.items() if self._waarde(k) != v}
        if not echte:
            raise RegelGeschonden("the correction changes nothing")
        vorige = {k: self._waarde(k) for k in echte}
        self._gecorrigeerd(wijzigingen=echte, vorige=vorige, reden=reden, datum=datum)

    def _waarde(self, veld: str) -> Any:
        waarde = getattr(self, veld)
        return waarde.isoformat() if isinstance(waarde, date) else waarde

    class Ingetrokken(Aggregate.Event):
        reden: str
        datum: date

    @event(Ingetrokken)
    def _ingetrokken(self, reden: str, datum: date) -> None:
        self.ingetrokken = True

    def trek_in(self, *, reden: str, datum: date, vandaag: date) -> None:
        """Withdraw a melding made in error; it then counts nowhere."""
        if self.ingetrokken:
            raise MeldingIngetrokken("the melding was already withdrawn")
        if not reden.strip():
            raise RegelGeschonden("a withdrawal needs a reden")
        controleer_datum("datum", datum, niet_voor=self.gemeld_op, vandaag=vandaag)
        self._ingetrokken(reden=reden, datum=datum)

    class Gewist(Aggregate.Event):
        """The personal data and free text of the melding were erased (their key deleted)."""

        grond: str

    @event(Gewist)
    def _gewist(self, grond: str) -> None:
        self.gewist = True

    def wis(self, *, grond: str) -> None:
        """Record the erasure of the melding's personal data and free text."""
        if self.gewist:
            raise RegelGeschonden("the personal data of this melding was erased already")
        self._gewist(grond=grond)
