"""The melding as the LKHA's front door knows it: what was reported, by whom, and its fixes.

Pure domain code: no web, messaging, SQL or tracing. Personal data reaches this module only
as an opaque ciphertext token (encrypted per case by the application layer).
"""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from shared.idempotency import Verzoeken, eerder_verwerkt, onthoud_verzoek


class IntakeError(Exception):
    """Base of every rule the intake domain enforces."""


class MeldingNotFound(IntakeError):
    pass


class RegelGeschonden(IntakeError):
    """A domain rule was broken; the message says which."""


class MeldingIngetrokken(RegelGeschonden):
    pass


class IdempotencyConflict(RegelGeschonden):
    """The Idempotency-Key was used before for a different request."""


class OngeldigeWaarde(RegelGeschonden):
    """A value in the request does not fit the rules: names the field and the rule (400)."""

    def __init__(self, veld: str, regel: str, bericht: str) -> None:
        super().__init__(bericht)
        self.veld = veld
        self.regel = regel


CORRIGEERBARE_VELDEN = ("onderwerp", "betrokkene", "land", "gemeld_op")
#: The age from which a betrokkene is an adult.
MEERDERJARIG = 18


def controleer_datum(naam: str, datum: date, *, niet_voor: date | None, vandaag: date) -> None:
    """A business date may not lie in the future nor before the melding."""
    if datum > vandaag:
        raise OngeldigeWaarde(
            naam, "niet_in_de_toekomst", f"{naam} {datum.isoformat()} lies in the future"
        )
    if niet_voor is not None and datum < niet_voor:
        raise OngeldigeWaarde(
            naam,
            "niet_voor_gemeld_op",
            f"{naam} {datum.isoformat()} lies before gemeld_op {niet_voor.isoformat()}",
        )


def _leeftijd(geboren: date, op: date) -> int:
    return op.year - geboren.year - ((op.month, op.day) < (geboren.month, geboren.day))


def controleer_betrokkene(
    betrokkene: dict[str, Any], gemeld_op: date, *, veld: str = "betrokkene"
) -> None:
    """Age and birth year fit each other, gemeld_op and the categorie (a minderjarige is
    under 18 on gemeld_op, a volwassene 18 or older)."""
    categorie = betrokkene.get("categorie")
    jaar = betrokkene.get("geboortejaar")
    leeftijd = betrokkene.get("leeftijd")
    if isinstance(jaar, int):
        if jaar > gemeld_op.year:
            raise OngeldigeWaarde(
                f"{veld}.geboortejaar",
                "niet_na_gemeld_op",
                f"geboortejaar {jaar} lies after gemeld_op {gemeld_op.isoformat()}",
            )
        # Born in `jaar`: on gemeld_op one is gemeld_op.year - jaar or one year younger.
        oudste, jongste = gemeld_op.year - jaar, max(gemeld_op.year - jaar - 1, 0)
        if isinstance(leeftijd, int) and not jongste <= leeftijd <= oudste:
            raise OngeldigeWaarde(
                f"{veld}.leeftijd",
                "past_bij_geboortejaar",
                f"leeftijd {leeftijd} does not fit geboortejaar {jaar} on gemeld_op "
                f"{gemeld_op.isoformat()} ({jongste} or {oudste})",
            )
        if categorie == "minderjarige" and jongste >= MEERDERJARIG:
            raise OngeldigeWaarde(
                f"{veld}.geboortejaar",
                "minderjarige_onder_18",
                f"a minderjarige born in {jaar} was at least {jongste} on gemeld_op",
            )
        if categorie == "volwassene" and oudste < MEERDERJARIG:
            raise OngeldigeWaarde(
                f"{veld}.geboortejaar",
                "volwassene_vanaf_18",
                f"a volwassene born in {jaar} was at most {oudste} on gemeld_op",
            )
    if isinstance(leeftijd, int):
        if categorie == "minderjarige" and leeftijd >= MEERDERJARIG:
            raise OngeldigeWaarde(
                f"{veld}.leeftijd",
                "minderjarige_onder_18",
                f"a minderjarige is under {MEERDERJARIG}, not {leeftijd}",
            )
        if categorie == "volwassene" and leeftijd < MEERDERJARIG:
            raise OngeldigeWaarde(
                f"{veld}.leeftijd",
                "volwassene_vanaf_18",
                f"a volwassene is {MEERDERJARIG} or older, not {leeftijd}",
            )


def controleer_geboortedatum(
    geboortedatum: date, betrokkene: dict[str, Any], gemeld_op: date, *, vandaag: date
) -> None:
    """The personal data's geboortedatum: not in the future, not after gemeld_op, and
    fitting the categorie and the geboortejaar."""
    veld = "persoonsgegevens.geboortedatum"
    controleer_datum(veld, geboortedatum, niet_voor=None, vandaag=vandaag)
    if geboortedatum > gemeld_op:
        raise OngeldigeWaarde(
            veld,
            "niet_na_gemeld_op",
            f"geboortedatum {geboortedatum.isoformat()} lies after gemeld_op",
        )
    jaar = betrokkene.get("geboortejaar")
    if isinstance(jaar, int) and jaar != geboortedatum.year:
        raise OngeldigeWaarde(
            veld, "past_bij_geboortejaar", f"geboortedatum does not lie in geboortejaar {jaar}"
        )
    leeftijd = _leeftijd(geboortedatum, gemeld_op)
    categorie = betrokkene.get("categorie")
    if categorie == "minderjarige" and leeftijd >= MEERDERJARIG:
        raise OngeldigeWaarde(
            veld, "minderjarige_onder_18", f"a minderjarige born then was {leeftijd} on gemeld_op"
        )
    if categorie == "volwassene" and leeftijd < MEERDERJARIG:
        raise OngeldigeWaarde(
            veld, "volwassene_vanaf_18", f"a volwassene born then was {leeftijd} on gemeld_op"
        )


class Melding(Aggregate):
    """A report (melding) of forced marriage or abandonment abroad.

    Invariants: gemeld_op never lies in the future; a correction changes only onderwerp,
    betrokkene, land or gemeld_op, names a reden and keeps the old value in the history;
    a withdrawn melding takes no further corrections. Personal data is held only as a
    ciphertext token.
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
        self.correcties: list[dict[str, Any]] = []
        self.verzoeken: Verzoeken = {}

    @classmethod
    def meld(cls, *, zaak_id: UUID, vandaag: date, **velden: Any) -> Melding:
        """Record a new melding."""
        controleer_datum("gemeld_op", velden["gemeld_op"], niet_voor=None, vandaag=vandaag)
        controleer_betrokkene(velden["betrokkene"], velden["gemeld_op"])
        return cls._create(cls.Gemeld, id=zaak_id, **velden)

    def eerder_verwerkt(self, sleutel: str | None, vingerafdruk: str) -> int | None:
        """The version of the first answer to this Idempotency-Key (None: a new request)."""
        return eerder_verwerkt(self.verzoeken, sleutel, vingerafdruk, IdempotencyConflict)

    class Gecorrigeerd(Aggregate.Event):
        """v2 adds the request's Idempotency-Key and fingerprint."""

        class_version = 2

        wijzigingen: dict[str, Any]
        vorige: dict[str, Any]
        reden: str
        datum: date
        sleutel: str | None
        vingerafdruk: str | None

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["sleutel"] = None
            state["vingerafdruk"] = None

    @event(Gecorrigeerd)
    def _gecorrigeerd(
        self,
        wijzigingen: dict[str, Any],
        vorige: dict[str, Any],
        reden: str,
        datum: date,
        sleutel: str | None,
        vingerafdruk: str | None,
    ) -> None:
        onthoud_verzoek(self.verzoeken, sleutel, vingerafdruk, self.version + 1)
        for veld, waarde in wijzigingen.items():
            setattr(self, veld, date.fromisoformat(waarde) if veld == "gemeld_op" else waarde)
        self.correcties.append(
            {"wijzigingen": wijzigingen, "vorige": vorige, "reden": reden, "datum": datum}
        )

    def corrigeer(
        self,
        *,
        wijzigingen: dict[str, Any],
        reden: str,
        datum: date,
        vandaag: date,
        sleutel: str | None = None,
        vingerafdruk: str | None = None,
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
        nieuwe_gemeld_op = date.fromisoformat(
            wijzigingen.get("gemeld_op", self._waarde("gemeld_op"))
        )
        controleer_betrokkene(wijzigingen.get("betrokkene", self.betrokkene), nieuwe_gemeld_op)
        echte = {k: v for k, v in wijzigingen.items() if self._waarde(k) != v}
        if not echte:
            raise RegelGeschonden("the correction changes nothing")
        vorige = {k: self._waarde(k) for k in echte}
        self._gecorrigeerd(
            wijzigingen=echte,
            vorige=vorige,
            reden=reden,
            datum=datum,
            sleutel=sleutel,
            vingerafdruk=vingerafdruk,
        )

    def _waarde(self, veld: str) -> Any:
        waarde = getattr(self, veld)
        return waarde.isoformat() if isinstance(waarde, date) else waarde

    class Ingetrokken(Aggregate.Event):
        """v2 adds the request's Idempotency-Key and fingerprint."""

        class_version = 2

        reden: str
        datum: date
        sleutel: str | None
        vingerafdruk: str | None

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["sleutel"] = None
            state["vingerafdruk"] = None

    @event(Ingetrokken)
    def _ingetrokken(
        self, reden: str, datum: date, sleutel: str | None, vingerafdruk: str | None
    ) -> None:
        self.ingetrokken = True
        onthoud_verzoek(self.verzoeken, sleutel, vingerafdruk, self.version + 1)

    def trek_in(
        self,
        *,
        reden: str,
        datum: date,
        vandaag: date,
        sleutel: str | None = None,
        vingerafdruk: str | None = None,
    ) -> None:
        """Withdraw a melding made in error; it then counts nowhere."""
        if self.ingetrokken:
            raise MeldingIngetrokken("the melding was already withdrawn")
        if not reden.strip():
            raise RegelGeschonden("a withdrawal needs a reden")
        controleer_datum("datum", datum, niet_voor=self.gemeld_op, vandaag=vandaag)
        self._ingetrokken(reden=reden, datum=datum, sleutel=sleutel, vingerafdruk=vingerafdruk)
