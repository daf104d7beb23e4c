"""Verification's use cases: verify, close and reopen cases, hold regieoverleggen.

Every command loads, changes and saves one aggregate. Commands accept the version the caller
saw (If-Match) and an Idempotency-Key; the key is stored in the event the command causes, so
a retry after a crash still finds it and gets the first answer (the aggregate as it stood
right after the first request), also when its If-Match is stale by now.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, Generic, TypeVar
from uuid import NAMESPACE_URL, UUID, uuid4, uuid5

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.persistence import IntegrityError, Tracking, TrackingRecorder

from services.verification.domain import (
    RegelGeschonden,
    Regieoverleg,
    RegieoverlegNotFound,
    VersieConflict,
    Zaak,
    ZaakNotFound,
)
from services.verification.teksten import Teksten, wis_record
from shared.eventstore import ServiceApplication
from shared.idempotency import vingerafdruk, voer_uit
from shared.security.audit import AuditLog

OVERLEG_NAMESPACE = uuid5(NAMESPACE_URL, "https://knooppunt.lkha.nl/regieoverleg")
POGINGEN = 3

A = TypeVar("A", Zaak, Regieoverleg)


class GelijktijdigGewijzigd(RegelGeschonden):
    """The aggregate kept changing while the command was applied; retry."""


@dataclass(frozen=True)
class Uitslag(Generic[A]):
    """The answer to a command: the aggregate right after it; `nieuw` is False for a retry."""

    waarde: A
    nieuw: bool


def overleg_id_voor(sleutel: str) -> UUID:
    """A regieoverleg's id follows from its Idempotency-Key: a retry finds it."""
    return uuid5(OVERLEG_NAMESPACE, f"regieoverleg:{sleutel}")


class VerificationApplication(ServiceApplication):
    """The LKHA's verification desk, together with BZ."""

    def __init__(
        self,
        env: Mapping[str, str] | None = None,
        *,
        teksten: Teksten,
        vandaag: Callable[[], date] = date.today,
    ) -> None:
        super().__init__(env)
        self.teksten = teksten
        self.vandaag = vandaag
        self.audit_log: AuditLog | None = None  # set by the composition root

    # -- queries ---------------------------------------------------------------------------

    def get_zaak(self, zaak_id: UUID, versie: int | None = None) -> Zaak:
        """The case (as it stood at `versie`, if given)."""
        try:
            zaak: object = self.repository.get(zaak_id, version=versie)
        except AggregateNotFoundError as exc:
            raise ZaakNotFound(f"zaak {zaak_id} is not yet known here") from exc
        if not isinstance(zaak, Zaak):
            raise ZaakNotFound(f"zaak {zaak_id} is not yet known here")
        return zaak

    def get_regieoverleg(self, overleg_id: UUID, versie: int | None = None) -> Regieoverleg:
        """One regieoverleg (as it stood at `versie`, if given)."""
        try:
            overleg: object = self.repository.get(overleg_id, version=versie)
        except AggregateNotFoundError as exc:
            raise RegieoverlegNotFound(f"regieoverleg {overleg_id} not found") from exc
        if not isinstance(overleg, Regieoverleg):
            raise RegieoverlegNotFound(f"regieoverleg {overleg_id} not found")
        return overleg

    # -- commands on a case ------------------------------------------------------------------

    def start_onderzoek(
        self,
        zaak_id: UUID,
        *,
        datum: date,
        verwachte_versie: int | None = None,
        sleutel: str | None = None,
    ) -> Uitslag[Zaak]:
        """Record that the investigation of a case started."""
        velden = {"datum": datum}
        return self._op_zaak(zaak_id, Zaak.start_onderzoek, velden, verwachte_versie, sleutel)

    def verifieer(
        self,
        zaak_id: UUID,
        *,
        uitkomst: str,
        besloten_op: date,
        reden: str | None = None,
        bevinding: str | None = None,
        onderwerp: str | None = None,
        reden_herziening: str | None = None,
        toelichting: str | None = None,
        verwachte_versie: int | None = None,
        sleutel: str | None = None,
    ) -> Uitslag[Zaak]:
        """Record the outcome of the verification; a later one is a herziening."""
        velden = {
            "uitkomst": uitkomst,
            "besloten_op": besloten_op,
            "reden": reden,
            "bevinding": bevinding,
            "onderwerp": onderwerp,
            "reden_herziening": reden_herziening,
            "toelichting": toelichting,
        }
        return self._op_zaak(zaak_id, Zaak.verifieer, velden, verwachte_versie, sleutel)

    def sluit_af(
        self,
        zaak_id: UUID,
        *,
        reden: str,
        datum: date,
        toelichting: str | None = None,
        verwachte_versie: int | None = None,
        sleutel: str | None = None,
    ) -> Uitslag[Zaak]:
        """Close a case."""
        velden = {"reden": reden, "datum": datum, "toelichting": toelichting}
        return self._op_zaak(zaak_id, Zaak.sluit_af, velden, verwachte_versie, sleutel)

    def heropen(
        self,
        zaak_id: UUID,
        *,
        reden: str,
        datum: date,
        toelichting: str | None = None,
        verwachte_versie: int | None = None,
        sleutel: str | None = None,
    ) -> Uitslag[Zaak]:
        """Reopen a closed case."""
        velden = {"reden": reden, "datum": datum, "toelichting": toelichting}
        return self._op_zaak(zaak_id, Zaak.heropen, velden, verwachte_versie, sleutel)

    def regel_nazorg(
        self,
        zaak_id: UUID,
        *,
        datum: date,
        omschrijving: str,
        verwachte_versie: int | None = None,
        sleutel: str | None = None,
    ) -> Uitslag[Zaak]:
        """Record the aftercare the LKHA arranged."""
        velden = {"datum": datum, "omschrijving": omschrijving}
        return self._op_zaak(zaak_id, Zaak.regel_nazorg, velden, verwachte_versie, sleutel)

    def _op_zaak(
        self,
        zaak_id: UUID,
        opdracht: Callable[..., None],
        velden: dict[str, Any],
        verwachte_versie: int | None,
        sleutel: str | None,
    ) -> Uitslag[Zaak]:
        """Apply one of the case's commands (a Zaak method) with the request's fields; its
        free text is sealed under the case's key first (services/verification/teksten.py)."""
        self.get_zaak(zaak_id)  # 404 before anything else for an unknown case
        blind, velden = self.teksten.verzegel(str(zaak_id), velden)
        return self._wijzig(
            lambda: self.get_zaak(zaak_id),
            lambda versie: self.get_zaak(zaak_id, versie),
            vingerafdruk(opdracht.__name__, blind),
            verwachte_versie,
            sleutel,
            lambda zaak, vinger: opdracht(
                zaak, **velden, vandaag=self.vandaag(), sleutel=sleutel, vingerafdruk=vinger
            ),
        )

    # -- the regieoverleg ----------------------------------------------------------------------

    def houd_regieoverleg(
        self,
        *,
        datum: date,
        deelnemers: list[str],
        zaken: list[dict[str, Any]],
        sleutel: str | None = None,
    ) -> Uitslag[Regieoverleg]:
        """Record a regieoverleg with, per case, its besluiten and acties (sealed under
        each case's own key)."""
        for zaak_data in zaken:
            self.get_zaak(UUID(str(zaak_data["zaak_id"])))  # 404 first for an unknown case
        blind, zaken = self.teksten.verzegel_overleg(zaken)
        vinger = vingerafdruk(
            "houd_regieoverleg", {"datum": datum, "deelnemers": deelnemers, "zaken": blind}
        )
        overleg_id = overleg_id_voor(sleutel) if sleutel is not None else uuid4()
        eerder = self._eerder_gehouden(overleg_id, sleutel, vinger)
        if eerder is not None:
            return eerder
        gemeld_op: dict[str, date] = {}
        for zaak_data in zaken:
            zaak = self.get_zaak(UUID(str(zaak_data["zaak_id"])))
            if zaak.ingetrokken:
                raise RegelGeschonden(
                    f"zaak {zaak.id} was withdrawn (ingetrokken): it is not discussed"
                )
            gemeld_op[str(zaak.id)] = zaak.gemeld_op
        overleg = Regieoverleg.houd(
            overleg_id=overleg_id,
            datum=datum,
            deelnemers=deelnemers,
            zaken=zaken,
            gemeld_op=gemeld_op,
            vandaag=self.vandaag(),
            sleutel=sleutel,
            vingerafdruk=vinger,
        )
        try:
            self.save(overleg)
        except IntegrityError:
            eerder = self._eerder_gehouden(overleg_id, sleutel, vinger)
            if eerder is None:
                raise
            return eerder
        return Uitslag(overleg, nieuw=True)

    def _eerder_gehouden(
        self, overleg_id: UUID, sleutel: str | None, vinger: str
    ) -> Uitslag[Regieoverleg] | None:
        if sleutel is None:
            return None
        try:
            overleg = self.get_regieoverleg(overleg_id)
        except RegieoverlegNotFound:
            return None
        versie = overleg.eerder_verwerkt(sleutel, vinger)
        assert versie is not None
        return Uitslag(self.get_regieoverleg(overleg_id, versie), nieuw=False)

    def rond_actie_af(
        self,
        overleg_id: UUID,
        actie_id: UUID,
        *,
        datum: date,
        verwachte_versie: int | None = None,
        sleutel: str | None = None,
    ) -> Uitslag[Regieoverleg]:
        """Mark an action of a regieoverleg done."""
        return self._wijzig(
            lambda: self.get_regieoverleg(overleg_id),
            lambda versie: self.get_regieoverleg(overleg_id, versie),
            vingerafdruk("rond_actie_af", {"actie_id": actie_id, "datum": datum}),
            verwachte_versie,
            sleutel,
            lambda overleg, vinger: overleg.rond_actie_af(
                str(actie_id),
                datum=datum,
                vandaag=self.vandaag(),
                sleutel=sleutel,
                vingerafdruk=vinger,
            ),
        )

    def _wijzig(
        self,
        laad: Callable[[], A],
        laad_versie: Callable[[int], A],
        vinger: str,
        verwachte_versie: int | None,
        sleutel: str | None,
        wijzig: Callable[[A, str], None],
    ) -> Uitslag[A]:
        """Load, check key and version, change, save; on a concurrent save, look again."""
        aggregaat, nieuw = voer_uit(
            laad=laad,
            laad_versie=laad_versie,
            vinger=vinger,
            sleutel=sleutel,
            verwachte_versie=verwachte_versie,
            wijzig=lambda a: wijzig(a, vinger),
            bewaar=self.save,
            versie_conflict=VersieConflict,
            gelijktijdig=GelijktijdigGewijzigd,
            pogingen=POGINGEN,
        )
        return Uitslag(aggregaat, nieuw)

    # -- what intake tells us (called by the consumer, exactly once per stream position) ----

    @property
    def tracking_recorder(self) -> TrackingRecorder:
        """The event store's recorder, which also keeps the upstream positions."""
        recorder = self.recorder
        assert isinstance(recorder, TrackingRecorder)
        return recorder

    def al_verwerkt(self, tracking: Tracking) -> bool:
        return self.tracking_recorder.has_tracking_id(
            tracking.application_name, tracking.notification_id
        )

    def _bestaat(self, zaak_id: UUID) -> Zaak | None:
        try:
            return self.get_zaak(zaak_id)
        except ZaakNotFound:
            return None

    def ontvang_melding(
        self, zaak_id: UUID, intake_versie: int, melding: Mapping[str, Any], tracking: Tracking
    ) -> None:
        """A melding arrived from intake: open the case here (once)."""
        if self.al_verwerkt(tracking):
            return
        if self._bestaat(zaak_id) is not None:
            self.tracking_recorder.insert_tracking(tracking)
            return
        self.teksten.nieuw(str(zaak_id))  # the case's own key for its free text
        zaak = Zaak._create(
            Zaak.MeldingOntvangen,
            id=zaak_id,
            referentie=melding["referentie"],
            gemeld_op=melding["gemeld_op"],
            onderwerp=melding["onderwerp"],
            betrokkene=dict(melding.get("betrokkene") or {}),
            land=melding["land"],
            bz_betrokken=bool(melding.get("bz_betrokken")),
            intake_versie=intake_versie,
        )
        self.save_tracked(tracking, zaak)

    def neem_correctie_over(
        self,
        zaak_id: UUID,
        intake_versie: int,
        wijzigingen: Mapping[str, Any],
        tracking: Tracking,
        *,
        vorige: Mapping[str, Any] | None = None,
        datum: date | None = None,
    ) -> None:
        """Intake corrected the melding's classification."""
        if self.al_verwerkt(tracking):
            return
        zaak = self._bestaat(zaak_id)
        if zaak is None or not zaak.neem_correctie_over(
            wijzigingen=dict(wijzigingen),
            intake_versie=intake_versie,
            vorige=dict(vorige or {}),
            datum=datum,
        ):
            self.tracking_recorder.insert_tracking(tracking)
            return
        self.save_tracked(tracking, zaak)

    def neem_intrekking_over(self, zaak_id: UUID, intake_versie: int, tracking: Tracking) -> None:
        """Intake withdrew the melding."""
        if self.al_verwerkt(tracking):
            return
        zaak = self._bestaat(zaak_id)
        if zaak is None or not zaak.neem_intrekking_over(intake_versie=intake_versie):
            self.tracking_recorder.insert_tracking(tracking)
            return
        self.save_tracked(tracking, zaak)

    def wis_teksten(self, zaak_id: UUID, tracking: Tracking) -> None:
        """Intake erased the case's personal data: delete the key of its free text here."""
        if self.al_verwerkt(tracking):
            return
        self.teksten.wis(str(zaak_id))  # idempotent: a redelivery deletes nothing twice
        if self.audit_log is not None:
            self.audit_log.write(wis_record(str(zaak_id)))
        self.tracking_recorder.insert_tracking(tracking)

    def skip(self, tracking: Tracking) -> None:
        """Record that an event needed no change here."""
        if not self.al_verwerkt(tracking):
            self.tracking_recorder.insert_tracking(tracking)
