"""Fakes for intake's unit tests: a melding request and verification's stream."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

from services.intake.consumers import VerificationHandler
from shared.consumer import Delivery
from shared.messaging import IntegrationEvent

VANDAAG = date(2019, 6, 30)


def verzoek(**overrides: object) -> dict[str, object]:
    """A melding as intake's application takes it."""
    base: dict[str, object] = {
        "gemeld_op": date(2018, 3, 14),
        "onderwerp": "achterlating",
        "betrokkene": {"categorie": "minderjarige"},
        "land": "MA",
        "melder": {"type": "school"},
        "nationaliteit": "bipatride",
        "brp_ingeschreven": True,
        "verblijfsrecht": "ja",
        "bz_betrokken": True,
        "persoonsgegevens": {"naam": "Testpersoon Theta"},
        "toelichting": None,
    }
    base.update(overrides)
    return base


class Verificatie:
    """Delivers verification-shaped events to intake's handler, in stream order."""

    def __init__(self, handler: VerificationHandler) -> None:
        self.handler = handler
        self.sequence = 0
        self.versie: dict[UUID, int] = defaultdict(int)

    def __call__(self, zaak_id: UUID, event_type: str, **data: Any) -> Delivery:
        self.versie[zaak_id] += 1
        self.sequence += 1
        delivery = Delivery(
            event=IntegrationEvent(
                event_id=f"{zaak_id}:{self.versie[zaak_id]}",
                event_type=event_type,
                source="verification",
                zaak_id=str(zaak_id),
                recorded_at=datetime(2018, 4, 1, 9, tzinfo=UTC),
                data=data,
            ),
            stream="VERIFICATION",
            sequence=self.sequence,
        )
        self.handler(delivery)
        return delivery
