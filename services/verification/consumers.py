"""Verification's side of other services' contracts: tolerant parsing, then application calls.

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
from datetime import date
from typing import Any
from uuid import UUID

from eventsourcing.persistence import Tracking

from services.verification.application import VerificationApplication
from services.verification.readmodel import AgendaStore
from shared.consumer import Delivery

log = logging.getLogger(__name__)

INTAKE_EVENTS = ["gemeld", "gecorrigeerd", "ingetrokken", "persoonsgegevens_gewist"]
CONSULAR_EVENTS = ["bijstand_verleend", "afloop_vastgelegd"]
CORRIGEERBAAR = ("onderwerp", "betrokkene", "land", "gemeld_op")


def intake_version(event_id: str) -> int:
    """Intake's event ids are '<zaak uuid>:<version>'; ValueError for anything else."""
    _, separator, versie = event_id.rpartition(":")
    if not separator:
        raise ValueError(f"event id {event_id!r} names no version")
    return int(versie)


def _datum(value: Any) -> date | None:
    try:
        return date.fromisoformat(str(value)) if value is not None else None
    except ValueError:
        return None


def _wijzigingen(data: Any) -> dict[str, Any]:
    """The corrected fields verification mirrors, each with a value it can apply."""
    if not isinstance(data, dict):
        return {}
    out = {k: v for k, v in data.items() if k in CORRIGEERBAAR and v is not None}
    if "gemeld_op" in out and _datum(out["gemeld_op"]) is None:
        del out["gemeld_op"]
    return out


def _melding(data: dict[str, Any]) -> dict[str, Any] | None:
    """The fields verification needs from `gemeld`, or None if they are not there."""
    gemeld_op = _datum(data.get("gemeld_op"))
    velden = {k: data.get(k) for k in ("referentie", "onderwerp", "land")}
    if gemeld_op is None or not all(isinstance(v, str) and v for v in velden.values()):
        return None
    betrokkene = data.get("betrokkene")
    return {
        **velden,
        "gemeld_op": gemeld_op,
        "betrokkene": betrokkene if isinstance(betrokkene, dict) else {},
        "bz_betrokken": bool(data.get("bz_betrokken")),
    }


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
            versie = intake_version(event.event_id)
        except ValueError:
            log.warning("skipping %s %s: no zaak_id or version", event.event_type, event.event_id)
            self.app.skip(tracking)
            return
        data = event.data
        if event.event_type == "gemeld":
            melding = _melding(data)
            if melding is None:
                log.warning("skipping gemeld %s: fields missing", event.event_id)
                self.app.skip(tracking)
                return
            self.app.ontvang_melding(zaak_id, versie, melding, tracking)
        elif event.event_type == "gecorrigeerd":
            vorige = data.get("vorige")
            self.app.neem_correctie_over(
                zaak_id,
                versie,
                _wijzigingen(data.get("wijzigingen")),
                tracking,
                vorige=vorige if isinstance(vorige, dict) else {},
                datum=_datum(data.get("datum")),
            )
        elif event.event_type == "ingetrokken":
            self.app.neem_intrekking_over(zaak_id, versie, tracking)
        elif event.event_type == "persoonsgegevens_gewist":
            self.app.wis_teksten(zaak_id, tracking)
            return
        else:
            self.app.skip(tracking)
            return
        self.stored()


class ConsularHandler:
    """Records consular aid and afloop as recent developments on the agenda."""

    def __init__(self, agenda: AgendaStore) -> None:
        self.agenda = agenda

    def __call__(self, delivery: Delivery) -> None:
        event = delivery.event
        data = event.data
        datum = _datum(data.get("datum"))
        soort = {
            "bijstand_verleend": data.get("soort"),
            "afloop_vastgelegd": data.get("afloop"),
        }.get(event.event_type)
        if event.zaak_id is None or datum is None or not isinstance(soort, str):
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
