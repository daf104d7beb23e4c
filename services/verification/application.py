"""Verification's use cases."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from typing import Any
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.persistence import Tracking

from services.verification.domain import Zaak, ZaakNotFound
from shared.eventstore import ServiceApplication


class VerificationApplication(ServiceApplication):
    """The LKHA's verification desk, together with BZ."""

    def __init__(
        self, env: Mapping[str, str] | None = None, *, vandaag: Callable[[], date] = date.today
    ) -> None:
        super().__init__(env)
        self.vandaag = vandaag

    def get_zaak(self, zaak_id: UUID) -> Zaak:
        try:
            return self.repository.get(zaak_id)  # type: ignore[no-any-return]
        except AggregateNotFoundError as exc:
            raise ZaakNotFound(f"zaak {zaak_id} is not yet known here") from exc

    def _bestaat(self, zaak_id: UUID) -> Zaak | None:
        try:
            return self.repository.get(zaak_id)  # type: ignore[no-any-return]
        except AggregateNotFoundError:
            return None

    def al_verwerkt(self, tracking: Tracking) -> bool:
        return bool(
            self.recorder.has_tracking_id(tracking.application_name, tracking.notification_id)
        )

    def ontvang_melding(
        self, zaak_id: UUID, intake_versie: int, data: Mapping[str, Any], tracking: Tracking
    ) -> None:
        """A melding arrived from intake: open the case here (once)."""
        if self.al_verwerkt(tracking):
            return
        if self._bestaat(zaak_id) is not None:
            self.recorder.insert_tracking(tracking)
            return
        zaak = Zaak._create(
            Zaak.MeldingOntvangen,
            id=zaak_id,
            referentie=data["referentie"],
            gemeld_op=date.fromisoformat(data["gemeld_op"]),
            onderwerp=data["onderwerp"],
            betrokkene=dict(data.get("betrokkene") or {}),
            land=data["land"],
            bz_betrokken=bool(data.get("bz_betrokken")),
            intake_versie=intake_versie,
        )
        self.save_tracked(tracking, zaak)

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
            self.recorder.insert_tracking(tracking)
            return
        self.save_tracked(tracking, zaak)

    def neem_intrekking_over(self, zaak_id: UUID, intake_versie: int, tracking: Tracking) -> None:
        """Intake withdrew the melding."""
        if self.al_verwerkt(tracking):
            return
        zaak = self._bestaat(zaak_id)
        if zaak is None or not zaak.neem_intrekking_over(intake_versie=intake_versie):
            self.recorder.insert_tracking(tracking)
            return
        self.save_tracked(tracking, zaak)

    def skip(self, tracking: Tracking) -> None:
        """Record that an event needed no change here."""
        if not self.al_verwerkt(tracking):
            self.recorder.insert_tracking(tracking)
