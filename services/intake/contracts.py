"""Intake's published contract (v1): what leaves the service, and nothing personal.

See docs/contracts.md. Only codes and dates travel: the ciphertext of personal data and of every
free text (toelichting, the melder's organisatie, the redenen) never leaves the service.
`persoonsgegevens_gewist` tells the other services to delete their own keys of the case.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from services.intake.domain import Melding
from shared.messaging import IntegrationEvent

SOURCE = "intake"
EVENT_TYPES = ["gemeld", "gecorrigeerd", "ingetrokken", "persoonsgegevens_gewist"]


def _iso(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


def _envelope(event: Any, event_type: str, data: dict[str, Any]) -> IntegrationEvent:
    return IntegrationEvent(
        event_id=f"{event.originator_id}:{event.originator_version}",
        event_type=event_type,
        source=SOURCE,
        zaak_id=str(event.originator_id),
        recorded_at=event.timestamp,
        data={k: _iso(v) for k, v in data.items()},
    )


def to_integration_event(event: Any) -> IntegrationEvent | None:
    """Translate a stored intake event into its published form."""
    if isinstance(event, Melding.Gemeld):
        return _envelope(
            event,
            "gemeld",
            {
                "referentie": event.referentie,
                "gemeld_op": event.gemeld_op,
                "onderwerp": event.onderwerp,
                "betrokkene": dict(event.betrokkene),
                "land": event.land,
                "melder": {"type": event.melder.get("type")},  # organisatie: free text
                "nationaliteit": event.nationaliteit,
                "brp_ingeschreven": event.brp_ingeschreven,
                "verblijfsrecht": event.verblijfsrecht,
                "bz_betrokken": event.bz_betrokken,
            },
        )
    if isinstance(event, Melding.Gecorrigeerd):
        return _envelope(
            event,
            "gecorrigeerd",
            {
                "wijzigingen": dict(event.wijzigingen),
                "vorige": dict(event.vorige),
                "datum": event.datum,
            },
        )
    if isinstance(event, Melding.Ingetrokken):
        return _envelope(event, "ingetrokken", {"datum": event.datum})
    if isinstance(event, Melding.Gewist):
        return _envelope(event, "persoonsgegevens_gewist", {"datum": event.timestamp.date()})
    return None
