"""A case as the LKHA's verification desk knows it (codes only, never personal data)."""

from __future__ import annotations

from datetime import date
from typing import Any

from eventsourcing.domain import Aggregate, event

from services.verification.codes import (
    Onderwerp,
    RedenAfsluiting,
    RedenHeropening,
    RedenHerziening,
    Stage,
)
from services.verification.domain.regels import (
    OngeldigeWaarde,
    controleer_afsluiting,
    controleer_code,
    controleer_datum,
    controleer_eenmalig_onderzoek,
    controleer_heropening,
    controleer_herziening,
    controleer_niet_afgesloten,
    controleer_niet_ingetrokken,
    controleer_uitkomst,
    eerder_verwerkt,
)
from shared.idempotency import Verzoeken, onthoud_verzoek


class Zaak(Aggregate):
    """A reported case under verification.

    Invariants:
    - it exists only once intake's melding arrived; it mirrors intake's classification
      (corrections and withdrawal included) by intake's version, applying each at most once;
    - business dates never lie in the future nor before gemeld_op, and a step is never dated
      before the step it follows (a herziening before the verification it revises, a
      heropening before the afsluiting, an afsluiting before the last heropening);
    - reden only and always with uitkomst onbekend, bevinding only and always with
      niet_vastgesteld;
    - a verification after the first is a herziening and names its reden_herziening; the
      earlier verifications stay in the history;
    - a withdrawn (ingetrokken) case takes no further steps; a closed case takes no
      onderzoek or verification until it is reopened; only a closed case can be reopened;
    - the onderzoek is started once;
    - every request carrying an Idempotency-Key is applied once: its key is stored in the
      event it caused, together with a fingerprint of the request.
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
        self.correcties: list[dict[str, Any]] = []
        self.onderzoek_gestart_op: date | None = None
        self.verificaties: list[dict[str, Any]] = []
        self.verloop: list[dict[str, Any]] = []  # afsluitingen and heropeningen, in order
        self.nazorg: list[dict[str, Any]] = []
        self.verzoeken: Verzoeken = {}

    # -- what intake tells us ------------------------------------------------------------

    class MeldingGecorrigeerd(Aggregate.Event):
        """Intake corrected the melding. v2 adds `vorige` and the correction's `datum`."""

        class_version = 2

        wijzigingen: dict[str, Any]
        intake_versie: int
        vorige: dict[str, Any]
        datum: date | None

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            """v1 events knew only the new values: the old ones and the date are unknown."""
            state["vorige"] = {}
            state["datum"] = None

    @event(MeldingGecorrigeerd)
    def _melding_gecorrigeerd(
        self,
        wijzigingen: dict[str, Any],
        intake_versie: int,
        vorige: dict[str, Any],
        datum: date | None,
    ) -> None:
        for veld, waarde in wijzigingen.items():
            setattr(self, veld, date.fromisoformat(waarde) if veld == "gemeld_op" else waarde)
        self.intake_versie = intake_versie
        self.correcties.append({"wijzigingen": wijzigingen, "vorige": vorige, "datum": datum})

    def neem_correctie_over(
        self,
        *,
        wijzigingen: dict[str, Any],
        intake_versie: int,
        vorige: dict[str, Any] | None = None,
        datum: date | None = None,
    ) -> bool:
        """Apply intake's correction once; False if it was applied already."""
        if intake_versie <= self.intake_versie:
            return False
        self._melding_gecorrigeerd(
            wijzigingen=wijzigingen, intake_versie=intake_versie, vorige=vorige or {}, datum=datum
        )
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

    # -- what the LKHA records -------------------------------------------------------------

    @property
    def stage(self) -> Stage:
        if self.afgesloten_op is not None:
            return Stage.afgesloten
        return Stage.lopend if self.verificaties else Stage.open

    @property
    def verificatie(self) -> dict[str, Any] | None:
        """The current verification (the last one), None while open."""
        return self.verificaties[-1] if self.verificaties else None

    @property
    def afgesloten_op(self) -> date | None:
        """The date of the afsluiting while the case is closed (None while it is not)."""
        laatste = self.verloop[-1] if self.verloop else None
        return laatste["datum"] if laatste and laatste["soort"] == "afgesloten" else None

    def eerder_verwerkt(self, sleutel: str | None, vingerafdruk: str) -> int | None:
        """The version of the first answer to this Idempotency-Key (None: a new request)."""
        return eerder_verwerkt(self.verzoeken, sleutel, vingerafdruk)

    class OnderzoekGestart(Aggregate.Event):
        datum: date
        sleutel: str | None
        vingerafdruk: str | None

    @event(OnderzoekGestart)
    def _onderzoek_gestart(
        self, datum: date, sleutel: str | None, vingerafdruk: str | None
    ) -> None:
        self.onderzoek_gestart_op = datum
        onthoud_verzoek(self.verzoeken, sleutel, vingerafdruk, self.version + 1)

    def start_onderzoek(
        self,
        *,
        datum: date,
        vandaag: date,
        sleutel: str | None = None,
        vingerafdruk: str | None = None,
    ) -> None:
        """Record that the investigation started."""
        controleer_datum("datum", datum, gemeld_op=self.gemeld_op, vandaag=vandaag)
        controleer_niet_ingetrokken(self.ingetrokken, "onderzoek")
        controleer_niet_afgesloten(self.afgesloten_op, "starting an onderzoek")
        controleer_eenmalig_onderzoek(self.onderzoek_gestart_op)
        self._onderzoek_gestart(datum=datum, sleutel=sleutel, vingerafdruk=vingerafdruk)

    class Geverifieerd(Aggregate.Event):
        uitkomst: str
        reden: str | None
        bevinding: str | None
        onderwerp: str
        besloten_op: date
        herziening: bool
        reden_herziening: str | None
        toelichting: str | None
        sleutel: str | None
        vingerafdruk: str | None

    @event(Geverifieerd)
    def _geverifieerd(
        self,
        uitkomst: str,
        reden: str | None,
        bevinding: str | None,
        onderwerp: str,
        besloten_op: date,
        herziening: bool,
        reden_herziening: str | None,
        toelichting: str | None,
        sleutel: str | None,
        vingerafdruk: str | None,
    ) -> None:
        self.verificaties.append(
            {
                "uitkomst": uitkomst,
                "reden": reden,
                "bevinding": bevinding,
                "onderwerp": onderwerp,
                "besloten_op": besloten_op,
                "herziening": herziening,
                "reden_herziening": reden_herziening,
                "toelichting": toelichting,
                "versie": self.version + 1,
            }
        )
        onthoud_verzoek(self.verzoeken, sleutel, vingerafdruk, self.version + 1)

    def verifieer(
        self,
        *,
        uitkomst: str,
        besloten_op: date,
        vandaag: date,
        reden: str | None = None,
        bevinding: str | None = None,
        onderwerp: str | None = None,
        reden_herziening: str | None = None,
        toelichting: str | None = None,
        sleutel: str | None = None,
        vingerafdruk: str | None = None,
    ) -> None:
        """Record the outcome; a later one is a herziening and says why."""
        controleer_uitkomst(uitkomst, reden, bevinding)
        if onderwerp is not None:
            controleer_code("onderwerp", onderwerp, Onderwerp)
        if reden_herziening is not None:
            controleer_code("reden_herziening", reden_herziening, RedenHerziening)
        controleer_datum("besloten_op", besloten_op, gemeld_op=self.gemeld_op, vandaag=vandaag)
        controleer_niet_ingetrokken(self.ingetrokken, "verification")
        controleer_niet_afgesloten(self.afgesloten_op, "verifying")
        vorige = self.verificatie
        controleer_herziening(vorige, reden_herziening, besloten_op)
        self._geverifieerd(
            uitkomst=uitkomst,
            reden=reden,
            bevinding=bevinding,
            onderwerp=onderwerp or self.onderwerp,
            besloten_op=besloten_op,
            herziening=vorige is not None,
            reden_herziening=reden_herziening,
            toelichting=toelichting,
            sleutel=sleutel,
            vingerafdruk=vingerafdruk,
        )

    class Afgesloten(Aggregate.Event):
        reden: str
        datum: date
        toelichting: str | None
        sleutel: str | None
        vingerafdruk: str | None

    @event(Afgesloten)
    def _afgesloten(
        self,
        reden: str,
        datum: date,
        toelichting: str | None,
        sleutel: str | None,
        vingerafdruk: str | None,
    ) -> None:
        self.verloop.append(
            {"soort": "afgesloten", "reden": reden, "datum": datum, "toelichting": toelichting}
        )
        onthoud_verzoek(self.verzoeken, sleutel, vingerafdruk, self.version + 1)

    def sluit_af(
        self,
        *,
        reden: str,
        datum: date,
        vandaag: date,
        toelichting: str | None = None,
        sleutel: str | None = None,
        vingerafdruk: str | None = None,
    ) -> None:
        """Close the case."""
        controleer_code("reden", reden, RedenAfsluiting)
        controleer_datum("datum", datum, gemeld_op=self.gemeld_op, vandaag=vandaag)
        controleer_niet_ingetrokken(self.ingetrokken, "afsluiting")
        controleer_afsluiting(self.afgesloten_op, self.verloop, datum)
        self._afgesloten(
            reden=reden,
            datum=datum,
            toelichting=toelichting,
            sleutel=sleutel,
            vingerafdruk=vingerafdruk,
        )

    class Heropend(Aggregate.Event):
        reden: str
        datum: date
        toelichting: str | None
        sleutel: str | None
        vingerafdruk: str | None

    @event(Heropend)
    def _heropend(
        self,
        reden: str,
        datum: date,
        toelichting: str | None,
        sleutel: str | None,
        vingerafdruk: str | None,
    ) -> None:
        self.verloop.append(
            {"soort": "heropend", "reden": reden, "datum": datum, "toelichting": toelichting}
        )
        onthoud_verzoek(self.verzoeken, sleutel, vingerafdruk, self.version + 1)

    def heropen(
        self,
        *,
        reden: str,
        datum: date,
        vandaag: date,
        toelichting: str | None = None,
        sleutel: str | None = None,
        vingerafdruk: str | None = None,
    ) -> None:
        """Reopen a closed case."""
        controleer_code("reden", reden, RedenHeropening)
        controleer_datum("datum", datum, gemeld_op=self.gemeld_op, vandaag=vandaag)
        controleer_niet_ingetrokken(self.ingetrokken, "heropening")
        controleer_heropening(self.afgesloten_op, datum)
        self._heropend(
            reden=reden,
            datum=datum,
            toelichting=toelichting,
            sleutel=sleutel,
            vingerafdruk=vingerafdruk,
        )

    class NazorgGeregeld(Aggregate.Event):
        datum: date
        omschrijving: str
        sleutel: str | None
        vingerafdruk: str | None

    @event(NazorgGeregeld)
    def _nazorg_geregeld(
        self, datum: date, omschrijving: str, sleutel: str | None, vingerafdruk: str | None
    ) -> None:
        self.nazorg.append({"datum": datum, "omschrijving": omschrijving})
        onthoud_verzoek(self.verzoeken, sleutel, vingerafdruk, self.version + 1)

    def regel_nazorg(
        self,
        *,
        datum: date,
        omschrijving: str,
        vandaag: date,
        sleutel: str | None = None,
        vingerafdruk: str | None = None,
    ) -> None:
        """Record the aftercare the LKHA arranged (also after the case was closed)."""
        controleer_datum("datum", datum, gemeld_op=self.gemeld_op, vandaag=vandaag)
        if not omschrijving.strip():
            raise OngeldigeWaarde("omschrijving", "verplicht", "nazorg needs an omschrijving")
        controleer_niet_ingetrokken(self.ingetrokken, "nazorg")
        self._nazorg_geregeld(
            datum=datum, omschrijving=omschrijving, sleutel=sleutel, vingerafdruk=vingerafdruk
        )
