"""The published form of an adviesvraag (intake's contract, services/intake/contracts): no
vraag, ever."""

from __future__ import annotations

from typing import Any

from services.intake.adviesvragen.domain import Adviesvraag
from services.intake.codes import Onderwerp
from services.intake.contracts.v1 import AdviesvraagOntvangen, Melder
from shared.contracts import envelope
from shared.messaging import IntegrationEvent
from shared.relay import Translator

SOURCE = "intake"


def to_integration_event(event: Any) -> IntegrationEvent | None:
    """adviesvraag_ontvangen for a recorded adviesvraag (None for any other event)."""
    if not isinstance(event, Adviesvraag.Ontvangen):
        return None
    payload = AdviesvraagOntvangen(
        ontvangen_op=event.ontvangen_op,
        onderwerp=Onderwerp(event.onderwerp),
        melder=Melder(type=event.melder["type"]),  # the organisatie is free text: not published
    )
    return envelope(payload, event, source=SOURCE, zaak_id=str(event.originator_id))


def met_adviesvragen(translate: Translator) -> Translator:
    """Intake's translator, extended with adviesvraag_ontvangen."""

    def both(event: Any) -> IntegrationEvent | None:
        return to_integration_event(event) or translate(event)

    return both
