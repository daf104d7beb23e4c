"""Consular's published contract: codes, amounts, dates and the post over NATS.

The payload models (v1.py) are the contract; docs/contracts.md and docs/contracts/consular/
are generated from them (``make contracts``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from services.consular.contracts.v1 import (
    BIJSTAND_DETAILS,
    PAYLOADS,
    AfloopVastgelegd,
    BijstandVerleend,
)
from services.consular.domain import Zaak
from shared.contracts import Payload, envelope
from shared.messaging import IntegrationEvent

SOURCE = "consular"
EVENT_TYPES = [p.event_type for p in PAYLOADS]
__all__ = ["BIJSTAND_DETAILS", "EVENT_TYPES", "PAYLOADS", "SOURCE", "to_integration_event"]


def _bijstand(event: Zaak.BijstandVerleend) -> BijstandVerleend:
    details = {k: getattr(event, k) for k in BIJSTAND_DETAILS}
    return BijstandVerleend.model_validate(
        {"soort": event.soort, "datum": event.datum, "post": event.post, **details}
    )


#: Per published domain event class, how its payload is made (any other event stays inside).
PUBLISHED: dict[type[Any], Callable[[Any], Payload]] = {
    Zaak.BijstandVerleend: _bijstand,
    Zaak.AfloopVastgelegd: lambda event: AfloopVastgelegd(afloop=event.afloop, datum=event.datum),
}


def to_integration_event(event: Any) -> IntegrationEvent | None:
    """Translate a stored consular event into its published form (None: internal)."""
    make = PUBLISHED.get(type(event))
    if make is None:
        return None
    return envelope(make(event), event, source=SOURCE, zaak_id=str(event.originator_id))
