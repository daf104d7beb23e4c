"""Intake's side of verification's contract: the stage of each melding, nothing more.

Only the event type, the case and verification's version are read (readers.py); the payload
(uitkomst, redenen, dates) is not. Unknown event types and events without a case are skipped, their
position recorded all the same.
"""

from __future__ import annotations

import logging
from uuid import UUID

from services.intake.readers import VERIFICATION
from services.intake.status import STADIUM_NA, StatusStore, Voortgang
from shared.consumer import Delivery

log = logging.getLogger(__name__)

VERIFICATION_EVENTS = VERIFICATION.event_types


def voortgang_uit(delivery: Delivery) -> Voortgang | None:
    """The stage an event of verification brings its case to (None: no change)."""
    event = delivery.event
    stadium = STADIUM_NA.get(event.event_type)
    if stadium is None or VERIFICATION.read(event) is None:
        return None
    try:
        zaak_id = str(UUID(str(event.zaak_id)))
        versie = event.producer_version
    except ValueError:
        log.warning("skipping %s %s: no zaak_id or version", event.event_type, event.event_id)
        return None
    return Voortgang(zaak_id=zaak_id, stadium=stadium, versie=versie, recorded_at=event.recorded_at)


class VerificationHandler:
    """Records the stage verification's events bring a melding to."""

    def __init__(self, store: StatusStore) -> None:
        self.store = store

    def __call__(self, delivery: Delivery) -> None:
        self.store.record(delivery.position_name, delivery.sequence, voortgang_uit(delivery))
