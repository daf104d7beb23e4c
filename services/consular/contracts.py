"""Consular's published contract (v1); see docs/contracts.md.

Only codes, amounts, dates and the post travel. What consular mirrors from intake and
verification, the wachtrij, and the Idempotency-Keys stay inside the service.
"""

from __future__ import annotations

from typing import Any

from services.consular.domain import Zaak
from shared.messaging import IntegrationEvent

SOURCE = "consular"
EVENT_TYPES = ["bijstand_verleend", "afloop_vastgelegd"]
#: The fields of bijstand_verleend besides soort, datum and post, present per soort.
BIJSTAND_DETAILS = ("document", "bedrag_cent", "doel", "via", "antwoord")


def _envelope(event: Any, event_type: str, data: dict[str, Any]) -> IntegrationEvent:
    return IntegrationEvent(
        event_id=f"{event.originator_id}:{event.originator_version}",
        event_type=event_type,
        source=SOURCE,
        zaak_id=str(event.originator_id),
        recorded_at=event.timestamp,
        data=data,
    )


def to_integration_event(event: Any) -> IntegrationEvent | None:
    """Translate a stored consular event into its published form (None: internal)."""
    if isinstance(event, Zaak.BijstandVerleend):
        details = {k: getattr(event, k) for k in BIJSTAND_DETAILS}
        return _envelope(
            event,
            "bijstand_verleend",
            {
                "soort": event.soort,
                "datum": event.datum.isoformat(),
                "post": event.post,
                **{k: v for k, v in details.items() if v is not None},
            },
        )
    if isinstance(event, Zaak.AfloopVastgelegd):
        return _envelope(
            event, "afloop_vastgelegd", {"afloop": event.afloop, "datum": event.datum.isoformat()}
        )
    return None
