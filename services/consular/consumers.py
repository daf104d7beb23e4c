"""Consular's side of other services' contracts: tolerant parsing, then application calls.

- intake's meldingen open, correct and withdraw cases here;
- verification's steps (onderzoek_gestart, geverifieerd, afgesloten, heropend) tell whether
  a case is verified, established or closed: the rules for aid and afloop depend on them.

Each handler records the stream position in the same transaction as its change (the event
store's tracking table). Intake's and verification's event ids are '<zaak uuid>:<version>':
the version makes an event republished after JetStream's duplicate window harmless.
Unknown event types and events without the fields needed are skipped (and logged).
"""

from __future__ import annotations

import logging
from datetime import date
from typing import Any
from uuid import UUID

from eventsourcing.persistence import Tracking

from services.consular.application import ConsularApplication
from shared.consumer import Delivery

log = logging.getLogger(__name__)

INTAKE_EVENTS = ["gemeld", "gecorrigeerd", "ingetrokken"]
VERIFICATION_EVENTS = ["onderzoek_gestart", "geverifieerd", "afgesloten", "heropend"]
CORRIGEERBAAR = ("onderwerp", "betrokkene", "land", "gemeld_op")


def event_version(event_id: str) -> int:
    """The producer's aggregate version in an event id '<uuid>:<version>'."""
    return int(event_id.rsplit(":", 1)[1])


def _tracking(delivery: Delivery) -> Tracking:
    return Tracking(application_name=delivery.position_name, notification_id=delivery.sequence)


def _datum(value: Any) -> date | None:
    try:
        return date.fromisoformat(str(value)) if value is not None else None
    except ValueError:
        return None


def _code(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _zaak_en_versie(delivery: Delivery) -> tuple[UUID, int] | None:
    event = delivery.event
    try:
        return UUID(str(event.zaak_id)), event_version(event.event_id)
    except (ValueError, IndexError):
        log.warning("skipping %s %s: no zaak_id or version", event.event_type, event.event_id)
        return None


def melding_uit(data: dict[str, Any]) -> dict[str, Any] | None:
    """The fields consular needs from intake's `gemeld`, or None if they are not there."""
    gemeld_op = _datum(data.get("gemeld_op"))
    velden = {k: _code(data.get(k)) for k in ("referentie", "onderwerp", "land")}
    if gemeld_op is None or not all(velden.values()):
        return None
    betrokkene = data.get("betrokkene")
    return {
        **velden,
        "gemeld_op": gemeld_op,
        "betrokkene": betrokkene if isinstance(betrokkene, dict) else {},
        "bz_betrokken": bool(data.get("bz_betrokken")),
    }


def wijzigingen_uit(data: Any) -> dict[str, Any]:
    """The corrected fields consular mirrors, each with a value it can apply."""
    if not isinstance(data, dict):
        return {}
    out = {k: v for k, v in data.items() if k in CORRIGEERBAAR and v is not None}
    if "gemeld_op" in out and _datum(out["gemeld_op"]) is None:
        del out["gemeld_op"]
    return out


def feit_uit(event_type: str, data: dict[str, Any], versie: int) -> dict[str, Any] | None:
    """A verification step as the consular case applies it, or None if it is not usable."""
    if event_type == "geverifieerd":
        uitkomst = _code(data.get("uitkomst"))
        besloten_op = _datum(data.get("besloten_op"))
        if uitkomst is None or besloten_op is None:
            return None
        return {
            "soort": event_type,
            "verificatie_versie": versie,
            "uitkomst": uitkomst,
            "onderwerp": _code(data.get("onderwerp")),
            "besloten_op": besloten_op,
            "herziening": data.get("herziening") is True,
        }
    if event_type in ("onderzoek_gestart", "afgesloten", "heropend"):
        datum = _datum(data.get("datum"))
        if datum is None:
            return None
        return {"soort": event_type, "verificatie_versie": versie, "datum": datum}
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
        if event.event_type == "gemeld":
            melding = melding_uit(event.data)
            if melding is None:
                log.warning("skipping gemeld %s: fields missing", event.event_id)
                self.app.skip(tracking)
                return
            self.app.ontvang_melding(zaak_id, versie, melding, tracking)
        elif event.event_type == "gecorrigeerd":
            wijzigingen = wijzigingen_uit(event.data.get("wijzigingen"))
            self.app.neem_correctie_over(zaak_id, versie, wijzigingen, tracking)
        elif event.event_type == "ingetrokken":
            self.app.neem_intrekking_over(zaak_id, versie, tracking)
        else:
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
        feit = feit_uit(event.event_type, event.data, versie)
        if feit is None:
            log.warning("skipping %s %s: fields missing", event.event_type, event.event_id)
            self.app.skip(tracking)
            return
        self.app.neem_verificatie_over(zaak_id, feit, tracking)
