"""A case as BZ's consular desk knows it (codes only, never personal data)."""

from __future__ import annotations

from datetime import date
from typing import Any

from eventsourcing.domain import Aggregate, event

from services.consular.codes import (
    ALLEEN_VOOR_MINDERJARIGEN,
    DETAILS,
    MET_MINDERJARIGEN,
    VASTGESTELD,
    Afloop,
    BijstandSoort,
)
from services.consular.domain.regels import (
    OngeldigeWaarde,
    RegelGeschonden,
    controleer_code,
    controleer_datum,
    eerder_verwerkt,
)
from shared.idempotency import Verzoeken


class Zaak(Aggregate):
    """A reported case as far as consular aid goes.

    Invariants:
    - it exists only once intake's melding arrived; it mirrors intake's classification
      (corrections and withdrawal included) by intake's version, and verification's progress
      (onderzoek, uitkomst, afsluiting, heropening) by verification's version, applying each
      at most once and never an older one after a newer;
    - aid and afloop are dated on or after gemeld_op and never in the future;
    - a withdrawn (ingetrokken) melding takes no aid and no afloop;
    - a closed case takes no aid until it is reopened;
    - vervangende toestemming and voorlopige voogdij only for a case about a minor
      (betrokkene minderjarige or moeder_met_minderjarige_kinderen);
    - an afloop only for a verified case whose current uitkomst is vastgesteld, and only
      once, unless the case was reopened since the last afloop;
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
        self.verificatie_versie = 0
        self.onderzoek_gestart_op: date | None = None
        self.uitkomst: str | None = None
        self.onderwerp_vastgesteld: str | None = None
        self.besloten_op: date | None = None
        self.herzien = False
        self.afgesloten_op: date | None = None
        self.heropend_na_afloop = False
        self.bijstand: list[dict[str, Any]] = []
        self.aflopen: list[dict[str, Any]] = []
        self.verzoeken: Verzoeken = {}

    # -- what intake tells us --------------------------------------------------------------

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

    # -- what verification tells us --------------------------------------------------------

    class OnderzoekGestart(Aggregate.Event):
        datum: date
        verificatie_versie: int

    @event(OnderzoekGestart)
    def _onderzoek_gestart(self, datum: date, verificatie_versie: int) -> None:
        self.onderzoek_gestart_op = datum
        self.verificatie_versie = verificatie_versie

    class Geverifieerd(Aggregate.Event):
        uitkomst: str
        onderwerp: str | None
        besloten_op: date
        herziening: bool
        verificatie_versie: int

    @event(Geverifieerd)
    def _geverifieerd(
        self,
        uitkomst: str,
        onderwerp: str | None,
        besloten_op: date,
        herziening: bool,
        verificatie_versie: int,
    ) -> None:
        self.herzien = self.herzien or herziening or self.uitkomst is not None
        self.uitkomst = uitkomst
        self.onderwerp_vastgesteld = onderwerp
        self.besloten_op = besloten_op
        self.verificatie_versie = verificatie_versie

    class Afgesloten(Aggregate.Event):
        datum: date
        verificatie_versie: int

    @event(Afgesloten)
    def _afgesloten(self, datum: date, verificatie_versie: int) -> None:
        self.afgesloten_op = datum
        self.verificatie_versie = verificatie_versie

    class Heropend(Aggregate.Event):
        datum: date
        verificatie_versie: int

    @event(Heropend)
    def _heropend(self, datum: date, verificatie_versie: int) -> None:
        self.afgesloten_op = None
        self.heropend_na_afloop = bool(self.aflopen)
        self.verificatie_versie = verificatie_versie

    def neem_verificatie_over(self, feit: dict[str, Any]) -> bool:
        """Apply one of verification's steps once; False if it was applied already.

        `feit` holds `soort` (onderzoek_gestart, geverifieerd, afgesloten, heropend),
        `verificatie_versie` and the step's codes and dates (see consumers.py).
        """
        versie = int(feit["verificatie_versie"])
        if versie <= self.verificatie_versie:
            return False
        soort = feit["soort"]
        if soort == "onderzoek_gestart":
            self._onderzoek_gestart(datum=feit["datum"], verificatie_versie=versie)
        elif soort == "geverifieerd":
            self._geverifieerd(
                uitkomst=feit["uitkomst"],
                onderwerp=feit.get("onderwerp"),
                besloten_op=feit["besloten_op"],
                herziening=bool(feit.get("herziening")),
                verificatie_versie=versie,
            )
        elif soort == "afgesloten":
            self._afgesloten(datum=feit["datum"], verificatie_versie=versie)
        elif soort == "heropend":
            self._heropend(datum=feit["datum"], verificatie_versie=versie)
        else:
            return False
        return True

    # -- what BZ records -------------------------------------------------------------------

    @property
    def verificatiestand(self) -> str:
        """niet_gestart, in_onderzoek, geverifieerd or afgesloten."""
        if self.afgesloten_op is not None:
            return "afgesloten"
        if self.uitkomst is not None:
            return "geverifieerd"
        return "in_onderzoek" if self.onderzoek_gestart_op is not None else "niet_gestart"

    @property
    def afloop(self) -> dict[str, Any] | None:
        """The last afloop recorded (None if none yet)."""
        return self.aflopen[-1] if self.aflopen else None

    @property
    def noodfonds_totaal_cent(self) -> int:
        return sum(int(b.get("bedrag_cent") or 0) for b in self.bijstand)

    def eerder_verwerkt(self, sleutel: str | None, vingerafdruk: str) -> int | None:
        """The version of the first answer to this Idempotency-Key (None: a new request)."""
        return eerder_verwerkt(self.verzoeken, sleutel, vingerafdruk)

    def _onthoud(self, sleutel: str | None, vingerafdruk: str | None) -> None:
        if sleutel is not None:
            self.verzoeken[sleutel] = {"vingerafdruk": vingerafdruk, "versie": self.version + 1}

    def _niet_ingetrokken(self, wat: str) -> None:
        if self.ingetrokken:
            raise RegelGeschonden(f"the melding was withdrawn (ingetrokken): no {wat}")

    class BijstandVerleend(Aggregate.Event):
        soort: str
        datum: date
        post: str
        document: str | None
        bedrag_cent: int | None
        doel: str | None
        via: str | None
        antwoord: str | None
        sleutel: str | None
        vingerafdruk: str | None

    @event(BijstandVerleend)
    def _bijstand_verleend(
        self,
        soort: str,
        datum: date,
        post: str,
        document: str | None,
        bedrag_cent: int | None,
        doel: str | None,
        via: str | None,
        antwoord: str | None,
        sleutel: str | None,
        vingerafdruk: str | None,
    ) -> None:
        details = {
            "document": document,
            "bedrag_cent": bedrag_cent,
            "doel": doel,
            "via": via,
            "antwoord": antwoord,
        }
        self.bijstand.append(
            {
                "soort": soort,
                "datum": datum,
                "post": post,
                **{k: v for k, v in details.items() if v is not None},
                "versie": self.version + 1,
            }
        )
        self._onthoud(sleutel, vingerafdruk)

    def verleen_bijstand(
        self,
        *,
        soort: str,
        datum: date,
        post: str,
        vandaag: date,
        details: dict[str, Any] | None = None,
        sleutel: str | None = None,
        vingerafdruk: str | None = None,
    ) -> None:
        """Record one act of consular aid."""
        details = {k: v for k, v in (details or {}).items() if v is not None}
        controleer_code("soort", soort, BijstandSoort)
        _controleer_details(BijstandSoort(soort), details)
        if not post.strip():
            raise OngeldigeWaarde("post", "verplicht", "post names the embassy or consulate")
        controleer_datum("datum", datum, gemeld_op=self.gemeld_op, vandaag=vandaag)
        self._niet_ingetrokken("consular aid")
        if self.afgesloten_op is not None:
            raise RegelGeschonden(
                f"the case was closed on {self.afgesloten_op.isoformat()}: "
                "no consular aid until it is reopened"
            )
        categorie = self.betrokkene.get("categorie")
        if soort in ALLEEN_VOOR_MINDERJARIGEN and categorie not in MET_MINDERJARIGEN:
            raise RegelGeschonden(
                f"{soort} is only for a case about a minor (betrokkene minderjarige or "
                f"moeder_met_minderjarige_kinderen); this case is about: {categorie}"
            )
        self._bijstand_verleend(
            soort=soort,
            datum=datum,
            post=post.strip(),
            document=details.get("document"),
            bedrag_cent=details.get("bedrag_cent"),
            doel=details.get("doel"),
            via=details.get("via"),
            antwoord=details.get("antwoord"),
            sleutel=sleutel,
            vingerafdruk=vingerafdruk,
        )

    class AfloopVastgelegd(Aggregate.Event):
        afloop: str
        datum: date
        sleutel: str | None
        vingerafdruk: str | None

    @event(AfloopVastgelegd)
    def _afloop_vastgelegd(
        self, afloop: str, datum: date, sleutel: str | None, vingerafdruk: str | None
    ) -> None:
        self.aflopen.append({"afloop": afloop, "datum": datum, "versie": self.version + 1})
        self.heropend_na_afloop = False
        self._onthoud(sleutel, vingerafdruk)

    def leg_afloop_vast(
        self,
        *,
        afloop: str,
        datum: date,
        vandaag: date,
        sleutel: str | None = None,
        vingerafdruk: str | None = None,
    ) -> None:
        """Record how the established case ended (teruggekeerd, or another afloop)."""
        controleer_code("afloop", afloop, Afloop)
        controleer_datum("datum", datum, gemeld_op=self.gemeld_op, vandaag=vandaag)
        self._niet_ingetrokken("afloop")
        if self.uitkomst is None:
            raise RegelGeschonden(
                "the case is not verified yet: an afloop is recorded only after verification "
                "established the case (uitkomst vastgesteld)"
            )
        if self.uitkomst != VASTGESTELD:
            raise RegelGeschonden(
                f"an afloop is recorded only for an established case (uitkomst vastgesteld); "
                f"this case's uitkomst is {self.uitkomst}"
            )
        vorige = self.afloop
        if vorige is not None and not self.heropend_na_afloop:
            raise RegelGeschonden(
                f"the afloop was recorded already ({vorige['afloop']} on "
                f"{vorige['datum'].isoformat()}): another only after the case is reopened"
            )
        self._afloop_vastgelegd(
            afloop=afloop, datum=datum, sleutel=sleutel, vingerafdruk=vingerafdruk
        )


def _controleer_details(soort: BijstandSoort, details: dict[str, Any]) -> None:
    """Each kind of aid carries exactly its own fields (codes.DETAILS)."""
    verwacht = DETAILS[soort]
    for veld in details:
        if veld not in verwacht:
            raise OngeldigeWaarde(veld, "niet_bij_deze_soort", f"{veld} is not part of {soort}")
    for veld, codes in verwacht.items():
        waarde = details.get(veld)
        if waarde is None:
            raise OngeldigeWaarde(veld, "verplicht", f"{soort} needs {veld}")
        if codes is int:
            if not isinstance(waarde, int) or isinstance(waarde, bool) or waarde <= 0:
                raise OngeldigeWaarde(
                    veld, "positief_geheel_getal", f"{veld} is a whole number of cents above 0"
                )
        else:
            controleer_code(veld, waarde, codes)  # type: ignore[arg-type]
