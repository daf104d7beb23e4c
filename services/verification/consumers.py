"""Verification's side of other services' contracts: its readers (readers.py), then application
calls.

- intake's meldingen open, correct and withdraw cases here (event-sourced, tracked in the
  event store's tracking table in the same transaction as the case's new events); intake's
  `persoonsgegevens_gewist` deletes the key of the case's free text here (teksten.py);
- consular's bijstand_verleend and afloop_vastgelegd are only "recent developments" for the
  regieoverleg agenda: they go straight into the agenda read model, tracked there. They may
  arrive before or after the melding; the agenda shows them once the case is known here.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from uuid import UUID

from eventsourcing.persistence import Tracking

from services.verification.application import VerificationApplication
from services.verification.readers import (
    CONSULAR,
    INTAKE,
    AfloopVastgelegd,
    BijstandVerleend,
    Gecorrigeerd,
    Gemeld,
    Ingetrokken,
    PersoonsgegevensGewist,
)
from services.verification.readmodel import AgendaStore
from shared.consumer import Delivery

log = logging.getLogger(__name__)

INTAKE_EVENTS = INTAKE.event_types
CONSULAR_EVENTS = CONSULAR.event_types


class IntakeHandler:
    """Applies intake's events to verification's cases; `stored()` wakes the projection."""

    def __init__(
        self, app: VerificationApplication, stored: Callable[[], None] | None = None
    ) -> None:
        self.app = app
        self.stored = stored or (lambda: None)

    def __call__(self, delivery: Delivery) -> None:
        event = delivery.event
        tracking = Tracking(
            application_name=delivery.position_name, notification_id=delivery.sequence
        )
        try:
            zaak_id = UUID(str(event.zaak_id))
            versie = event.producer_version
        except ValueError:
            log.warning("skipping %s %s: no zaak_id or version", event.event_type, event.event_id)
            self.app.skip(tracking)
            return
        match INTAKE.read(event):
            case Gemeld() as gemeld:
                self.app.ontvang_melding(zaak_id, versie, gemeld.melding(), tracking)
            case Gecorrigeerd() as correctie:
                self.app.neem_correctie_over(
                    zaak_id,
                    versie,
                    correctie.wijzigingen,
                    tracking,
                    vorige=correctie.vorige,
                    datum=correctie.datum,
                )
            case Ingetrokken():
                self.app.neem_intrekking_over(zaak_id, versie, tracking)
            case PersoonsgegevensGewist():
                self.app.wis_teksten(zaak_id, tracking)
                return
            case _:  # another event type, or without the fields needed (logged)
                self.app.skip(tracking)
                return
        self.stored()


class ConsularHandler:
    """Records consular aid and afloop as recent developments on the agenda."""

    def __init__(self, agenda: AgendaStore) -> None:
        self.agenda = agenda

    def __call__(self, delivery: Delivery) -> None:
        event = delivery.event
        match CONSULAR.read(event):
            case (
                BijstandVerleend(soort=soort, datum=datum)
                | AfloopVastgelegd(afloop=soort, datum=datum)
            ):
                pass
            case _:
                soort = datum = None
        if event.zaak_id is None or datum is None or soort is None:
            self.agenda.skip(delivery.position_name, delivery.sequence)
            return
        self.agenda.record_ontwikkeling(
            position_name=delivery.position_name,
            sequence=delivery.sequence,
            event_id=event.event_id,
            zaak_id=str(event.zaak_id),
            bron="consular",
            soort=f"{event.event_type}:{soort}",
            datum=datum,
        )
