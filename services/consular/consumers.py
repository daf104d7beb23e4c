"""Consular's side of intake's contract: tolerant parsing, then application calls."""

from __future__ import annotations

from uuid import UUID

from eventsourcing.persistence import Tracking

from services.consular.application import ConsularApplication
from shared.consumer import Delivery

INTAKE_EVENTS = ["gemeld", "gecorrigeerd", "ingetrokken"]


def intake_version(event_id: str) -> int:
    """Intake's event ids are '<zaak uuid>:<version>'."""
    return int(event_id.rsplit(":", 1)[1])


class IntakeHandler:
    """Applies intake's events to consular's cases."""

    def __init__(self, app: ConsularApplication) -> None:
        self.app = app

    def __call__(self, delivery: Delivery) -> None:
        event = delivery.event
        tracking = Tracking(
            application_name=delivery.position_name, notification_id=delivery.sequence
        )
        if event.zaak_id is None:
            self.app.skip(tracking)
            return
        zaak_id = UUID(event.zaak_id)
        versie = intake_version(event.event_id)
        if event.event_type == "gemeld":
            self.app.ontvang_melding(zaak_id, versie, event.data, tracking)
        elif event.event_type == "gecorrigeerd":
            self.app.neem_correctie_over(
                zaak_id, versie, event.data.get("wijzigingen") or {}, tracking
            )
        elif event.event_type == "ingetrokken":
            self.app.neem_intrekking_over(zaak_id, versie, tracking)
        else:
            self.app.skip(tracking)
