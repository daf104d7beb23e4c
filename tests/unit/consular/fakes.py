"""Intake's and verification's streams as fakes that feed consular's handlers in memory."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

from services.consular.application import ConsularApplication
from services.consular.consumers import IntakeHandler, VerificationHandler
from shared.consumer import Delivery
from shared.messaging import IntegrationEvent

VANDAAG = date(2019, 6, 30)
ZAAK = UUID("00000000-0000-4000-8000-0000000000c1")


def gemeld(**overrides: Any) -> dict[str, Any]:
    """intake's `gemeld` data (docs/contracts.md); fields can be overridden."""
    data: dict[str, Any] = {
        "referentie": "LKHA-2018-0001",
        "gemeld_op": "2018-03-14",
        "onderwerp": "achterlating",
        "betrokkene": {"categorie": "minderjarige", "geslacht": "vrouw"},
        "land": "MA",
        "melder": {"type": "school"},
        "bz_betrokken": True,
    }
    data.update(overrides)
    return data


class Stromen:
    """Delivers intake's and verification's events to consular's handlers, in stream order.

    Each producer's aggregate version per case is counted as the real producers do, so the
    event ids ('<zaak>:<versie>') look like theirs.
    """

    def __init__(self, app: ConsularApplication) -> None:
        self.handlers = {
            "intake": IntakeHandler(app),
            "verification": VerificationHandler(app),
        }
        self.sequence: dict[str, int] = defaultdict(int)
        self.versie: dict[tuple[str, UUID], int] = defaultdict(int)

    def delivery(
        self, source: str, event_type: str, data: dict[str, Any], zaak_id: UUID = ZAAK
    ) -> Delivery:
        self.versie[(source, zaak_id)] += 1
        self.sequence[source] += 1
        event = IntegrationEvent(
            event_id=f"{zaak_id}:{self.versie[(source, zaak_id)]}",
            event_type=event_type,
            source=source,
            zaak_id=str(zaak_id),
            recorded_at=datetime(2019, 6, 1, 9, tzinfo=UTC),
            data=data,
        )
        return Delivery(event=event, stream=source.upper(), sequence=self.sequence[source])

    def deliver(self, delivery: Delivery) -> Delivery:
        self.handlers[delivery.event.source](delivery)
        return delivery

    def republish(self, delivery: Delivery) -> Delivery:
        """The same event again at a new stream position (after the duplicate window)."""
        source = delivery.event.source
        self.sequence[source] += 1
        return self.deliver(replace(delivery, sequence=self.sequence[source]))

    def intake(self, event_type: str, data: dict[str, Any], zaak_id: UUID = ZAAK) -> Delivery:
        return self.deliver(self.delivery("intake", event_type, data, zaak_id))

    def verification(self, event_type: str, data: dict[str, Any], zaak_id: UUID = ZAAK) -> Delivery:
        return self.deliver(self.delivery("verification", event_type, data, zaak_id))

    def melding(self, zaak_id: UUID = ZAAK, **overrides: Any) -> Delivery:
        return self.intake("gemeld", gemeld(**overrides), zaak_id)

    def geverifieerd(
        self, uitkomst: str = "vastgesteld", zaak_id: UUID = ZAAK, **overrides: Any
    ) -> Delivery:
        data: dict[str, Any] = {
            "uitkomst": uitkomst,
            "onderwerp": "achterlating",
            "besloten_op": "2018-04-01",
            "herziening": False,
        }
        data.update(overrides)
        return self.verification("geverifieerd", data, zaak_id)
