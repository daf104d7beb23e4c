"""The published form of an adviesvraag (docs/contracts.md, intake): no vraag, ever."""

from __future__ import annotations

from typing import Any

from services.intake.adviesvragen.domain import Adviesvraag
from shared.messaging import IntegrationEvent
from shared.relay import Translator

SOURCE = "intake"


def to_integration_event(event: Any) -> IntegrationEvent | None:
    """adviesvraag_ontvangen for a recorded adviesvraag (None for any other event)."""
    if not isinstance(event, Adviesvraag.Ontvangen):
        return None
    return IntegrationEvent(
        event_id=f"{event.originator_id}:{event.originator_version}",
        event_type="adviesvraag_ontvangen",
        source=SOURCE,
        zaak_id=str(event.originator_id),
        recorded_at=event.timestamp,
        data={
            "ontvangen_op": event.ontvangen_op.isoformat(),
            "onderwerp": event.onderwerp,
            "melder": {"type": event.melder.get("type")},  # the organisatie is free text
        },
    )


def met_adviesvragen(translate: Translator) -> Translator:
    """Intake's translator, extended with adviesvraag_ontvangen."""

    def both(event: Any) -> IntegrationEvent | None:
        return to_integration_event(event) or translate(event)

    return both
