"""Consular's side of other services' contracts: its readers (readers.py), then application
calls.

- intake's meldingen open, correct and withdraw cases here;
- verification's steps (onderzoek_gestart, geverifieerd, afgesloten, heropend) tell whether
  a case is verified, established or closed: the rules for aid and afloop depend on them.

Each handler records the stream position in the same transaction as its change (the event
store's tracking table). Intake's and verification's event ids are '<zaak uuid>:<version>':
the version makes an event republished after JetStream's duplicate window harmless.
Unknown event types and events without the fields needed are skipped (and logged); an
event in a contract version consular does not read is refused and parked.
"""

from __future__ import annotations

import logging
from uuid import UUID

from eventsourcing.persistence import Tracking

from services.consular.application import ConsularApplication
from services.consular.readers import (
    INTAKE,
    VERIFICATION,
    Gecorrigeerd,
    Gemeld,
    Ingetrokken,
    feit,
)
from shared.consumer import Delivery

log = logging.getLogger(__name__)

INTAKE_EVENTS = INTAKE.event_types
VERIFICATION_EVENTS = VERIFICATION.event_types


def _tracking(delivery: Delivery) -> Tracking:
    return Tracking(application_name=delivery.position_name, notification_id=delivery.sequence)


def _zaak_en_versie(delivery: Delivery) -> tuple[UUID, int] | None:
    event = delivery.event
    try:
        return UUID(str(event.zaak_id)), event.producer_version
    except ValueError:
        log.warning("skipping %s %s: no zaak_id or version", event.event_type, event.event_id)
        return None


class IntakeHandler:
    """Applies intake's events to consular's cases."""

    def __init__(self, app: ConsularApplication) -> None:
        self.app = app

    def __call__(self, delivery: Delivery) -> None:
        event = delivery.event
        tracking = _tracking(delivery)
        gevonden = _zaak_en_versie(delivery)
        if gevonden is None:
            self.app.skip(tracking)
            return
        zaak_id, versie = gevonden
        match INTAKE.read(event):
            case Gemeld() as gemeld:
                self.app.ontvang_melding(zaak_id, versie, gemeld.melding(), tracking)
            case Gecorrigeerd() as correctie:
                self.app.neem_correctie_over(zaak_id, versie, correctie.wijzigingen, tracking)
            case Ingetrokken():
                self.app.neem_intrekking_over(zaak_id, versie, tracking)
            case _:  # another event type, or without the fields needed (logged)
                self.app.skip(tracking)


class VerificationHandler:
    """Applies verification's steps to consular's cases (or their wachtrij)."""

    def __init__(self, app: ConsularApplication) -> None:
        self.app = app

    def __call__(self, delivery: Delivery) -> None:
        event = delivery.event
        tracking = _tracking(delivery)
        if event.event_type not in VERIFICATION_EVENTS:
            self.app.skip(tracking)
            return
        gevonden = _zaak_en_versie(delivery)
        if gevonden is None:
            self.app.skip(tracking)
            return
        zaak_id, versie = gevonden
        stap = VERIFICATION.read(event)
        gelezen = feit(event.event_type, stap, versie) if stap is not None else None
        if gelezen is None:  # without the fields needed (logged)
            self.app.skip(tracking)
            return
        self.app.neem_verificatie_over(zaak_id, gelezen, tracking)
