"""Consular's use cases: record aid and afloop; mirror intake's and verification's news.

Every command loads, changes and saves one case. Commands accept the version the caller saw
(If-Match) and an Idempotency-Key; the key is stored in the event the command causes, so a
retry after a crash still finds it and gets the first answer (the case as it stood right
after the first request), also when its If-Match is stale by now.

Verification's steps can arrive before intake's melding (the two streams have no common
order). They are then kept in the case's Wachtrij, stored with the stream position, and
applied, in order, in the same transaction that opens the case when the melding arrives.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.persistence import IntegrityError, Tracking, TrackingRecorder

from services.consular.domain import (
    RegelGeschonden,
    VersieConflict,
    Wachtrij,
    Zaak,
    ZaakNotFound,
    wachtrij_id,
)
from shared.eventstore import ServiceApplication
from shared.idempotency import vingerafdruk, voer_uit

#: How often a command is retried when the case changed between loading and saving it.
POGINGEN = 3


class GelijktijdigGewijzigd(RegelGeschonden):
    """The case kept changing while the command was applied; retry."""


@dataclass(frozen=True)
class Uitslag:
    """The answer to a command: the case right after it; `nieuw` is False for a retry."""

    zaak: Zaak
    nieuw: bool


class ConsularApplication(ServiceApplication):
    """BZ (Directie Consulaire Zaken and its posts)."""

    def __init__(
        self, env: Mapping[str, str] | None = None, *, vandaag: Callable[[], date] = date.today
    ) -> None:
        super().__init__(env)
        self.vandaag = vandaag

    # -- queries ---------------------------------------------------------------------------

    def get_zaak(self, zaak_id: UUID, versie: int | None = None) -> Zaak:
        """The case (as it stood at `versie`, if given)."""
        zaak = self._bestaat(zaak_id, versie)
        if zaak is None:
            raise ZaakNotFound(f"zaak {zaak_id} is not yet known here")
        return zaak

    def _bestaat(self, zaak_id: UUID, versie: int | None = None) -> Zaak | None:
        try:
            zaak: object = self.repository.get(zaak_id, version=versie)
        except AggregateNotFoundError:
            return None
        return zaak if isinstance(zaak, Zaak) else None

    def _wachtrij(self, zaak_id: UUID) -> Wachtrij | None:
        try:
            wachtrij: object = self.repository.get(wachtrij_id(zaak_id))
        except AggregateNotFoundError:
            return None
        return wachtrij if isinstance(wachtrij, Wachtrij) else None

    # -- commands on a case ----------------------------------------------------------------

    def verleen_bijstand(
        self,
        zaak_id: UUID,
        *,
        soort: str,
        datum: date,
        post: str,
        details: Mapping[str, Any] | None = None,
        verwachte_versie: int | None = None,
        sleutel: str | None = None,
    ) -> Uitslag:
        """Record one act of consular aid (bijstand verleend)."""
        velden = {k: v for k, v in (details or {}).items() if v is not None}
        vinger = vingerafdruk(
            "verleen_bijstand", {"soort": soort, "datum": datum, "post": post, **velden}
        )
        return self._wijzig(
            zaak_id,
            vinger,
            verwachte_versie,
            sleutel,
            lambda zaak: zaak.verleen_bijstand(
                soort=soort,
                datum=datum,
                post=post,
                details=velden,
                vandaag=self.vandaag(),
                sleutel=sleutel,
                vingerafdruk=vinger,
            ),
        )

    def leg_afloop_vast(
        self,
        zaak_id: UUID,
        *,
        afloop: str,
        datum: date,
        verwachte_versie: int | None = None,
        sleutel: str | None = None,
    ) -> Uitslag:
        """Record how an established case ended (the users' "teruggekeerd")."""
        vinger = vingerafdruk("leg_afloop_vast", {"afloop": afloop, "datum": datum})
        return self._wijzig(
            zaak_id,
            vinger,
            verwachte_versie,
            sleutel,
            lambda zaak: zaak.leg_afloop_vast(
                afloop=afloop,
                datum=datum,
                vandaag=self.vandaag(),
                sleutel=sleutel,
                vingerafdruk=vinger,
            ),
        )

    def _wijzig(
        self,
        zaak_id: UUID,
        vinger: str,
        verwachte_versie: int | None,
        sleutel: str | None,
        wijziging: Callable[[Zaak], None],
    ) -> Uitslag:
        """Load, answer a retry with its first answer, check If-Match, change and save.

        A consumer may change the case between loading and saving (the save then fails on
        the version): the command is tried again on the fresh case, where If-Match and the
        Idempotency-Key decide again.
        """
        zaak, nieuw = voer_uit(
            laad=lambda: self.get_zaak(zaak_id),
            laad_versie=lambda versie: self.get_zaak(zaak_id, versie),
            vinger=vinger,
            sleutel=sleutel,
            verwachte_versie=verwachte_versie,
            wijzig=wijziging,
            bewaar=self.save,
            versie_conflict=VersieConflict,
            gelijktijdig=GelijktijdigGewijzigd,
            pogingen=POGINGEN,
        )
        return Uitslag(zaak, nieuw)

    # -- what other services tell us (each with its stream position, in one transaction) ----

    @property
    def tracking_recorder(self) -> TrackingRecorder:
        """The event store's recorder, which also keeps the upstream positions."""
        recorder = self.recorder
        assert isinstance(recorder, TrackingRecorder)
        return recorder

    def al_verwerkt(self, tracking: Tracking) -> bool:
        """Whether this stream position was processed before (a redelivery)."""
        return self.tracking_recorder.has_tracking_id(
            tracking.application_name, tracking.notification_id
        )

    def skip(self, tracking: Tracking) -> None:
        """Record that an event needed no change here."""
        if not self.al_verwerkt(tracking):
            self.tracking_recorder.insert_tracking(tracking)

    def ontvang_melding(
        self, zaak_id: UUID, intake_versie: int, melding: Mapping[str, Any], tracking: Tracking
    ) -> None:
        """A melding arrived from intake: open the case here (once), with any early news.

        Opening the case always closes its wachtrij in the same transaction. Verification's
        consumer, running at the same time, writes that same wachtrij when the case is not
        there yet, so the two can never both miss each other: one of them meets a version
        conflict and is tried again on the new state.
        """
        _opnieuw_bij_conflict(
            lambda: self._ontvang_melding(zaak_id, intake_versie, melding, tracking)
        )

    def _ontvang_melding(
        self, zaak_id: UUID, intake_versie: int, melding: Mapping[str, Any], tracking: Tracking
    ) -> None:
        if self.al_verwerkt(tracking):
            return
        if self._bestaat(zaak_id) is not None:
            self.tracking_recorder.insert_tracking(tracking)
            return
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
        wachtrij = self._wachtrij(zaak_id) or Wachtrij.open(zaak_id)
        for feit in wachtrij.draag_over():
            zaak.neem_verificatie_over(feit)
        self.save_tracked(tracking, zaak, wachtrij)

    def neem_correctie_over(
        self, zaak_id: UUID, intake_versie: int, wijzigingen: Mapping[str, Any], tracking: Tracking
    ) -> None:
        """Intake corrected the melding's classification."""
        if self.al_verwerkt(tracking):
            return
        zaak = self._bestaat(zaak_id)
        if zaak is None or not zaak.neem_correctie_over(
            wijzigingen=dict(wijzigingen), intake_versie=intake_versie
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

    def neem_verificatie_over(
        self, zaak_id: UUID, feit: Mapping[str, Any], tracking: Tracking
    ) -> None:
        """Verification took a step (onderzoek, uitkomst, afsluiting, heropening).

        Applied to the case if it is known here, else kept in its wachtrij until it is
        (see ontvang_melding for why this cannot race the melding).
        """
        _opnieuw_bij_conflict(lambda: self._neem_verificatie_over(zaak_id, feit, tracking))

    def _neem_verificatie_over(
        self, zaak_id: UUID, feit: Mapping[str, Any], tracking: Tracking
    ) -> None:
        if self.al_verwerkt(tracking):
            return
        zaak = self._bestaat(zaak_id)
        if zaak is not None:
            if zaak.neem_verificatie_over(dict(feit)):
                self.save_tracked(tracking, zaak)
            else:
                self.tracking_recorder.insert_tracking(tracking)
            return
        wachtrij = self._wachtrij(zaak_id) or Wachtrij.open(zaak_id)
        if wachtrij.overgedragen:
            # The case opened after we looked: the conflict retry will find it.
            raise IntegrityError(f"zaak {zaak_id} opened meanwhile")
        if wachtrij.houd_vast(dict(feit)):
            self.save_tracked(tracking, wachtrij)
        else:
            self.tracking_recorder.insert_tracking(tracking)


def _opnieuw_bij_conflict(opdracht: Callable[[], None], pogingen: int = 5) -> None:
    """Run a consumer step; on a version conflict with a concurrent writer, run it again on
    the new state (the step re-reads everything it decides on)."""
    for poging in range(pogingen):
        try:
            opdracht()
            return
        except IntegrityError:
            if poging == pogingen - 1:
                raise
