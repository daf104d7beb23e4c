"""Verification's published contract (v1); see docs/contracts.md.

Only codes, ids and dates travel: the toelichtingen, the nazorg omschrijving, the besluiten of
a regieoverleg and the omschrijvingen of its actions are free text and stay in verification.
The mirrored melding (intake's own events, seen here) is never republished.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from services.verification.domain import Regieoverleg, Zaak
from shared.messaging import IntegrationEvent

SOURCE = "verification"
EVENT_TYPES = [
    "onderzoek_gestart",
    "geverifieerd",
    "afgesloten",
    "heropend",
    "nazorg_geregeld",
    "regieoverleg_gehouden",
    "actie_afgerond",
]


def _iso(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


def _envelope(
    event: Any, event_type: str, data: dict[str, Any], *, zaak_id: str | None
) -> IntegrationEvent:
    return IntegrationEvent(
        event_id=f"{event.originator_id}:{event.originator_version}",
        event_type=event_type,
        source=SOURCE,
        zaak_id=zaak_id,
        recorded_at=event.timestamp,
        data={k: _iso(v) for k, v in data.items()},
    )


def _zaak(event: Any, event_type: str, data: dict[str, Any]) -> IntegrationEvent:
    return _envelope(event, event_type, data, zaak_id=str(event.originator_id))


def _regieoverleg(event: Regieoverleg.Gehouden) -> IntegrationEvent:
    zaken = [
        {
            "zaak_id": zaak["zaak_id"],
            "aantal_besluiten": len(zaak["besluiten"]),
            "acties": [
                {
                    "actie_id": actie["actie_id"],
                    "eigenaar": actie["eigenaar"],
                    "deadline": _iso(actie["deadline"]),
                }
                for actie in zaak["acties"]
            ],
        }
        for zaak in event.zaken
    ]
    data = {
        "overleg_id": str(event.originator_id),
        "datum": event.datum,
        "deelnemers": list(event.deelnemers),
        "zaken": zaken,
    }
    return _envelope(event, "regieoverleg_gehouden", data, zaak_id=None)


def to_integration_event(event: Any) -> IntegrationEvent | None:
    """Translate a stored verification event into its published form (None: internal)."""
    if isinstance(event, Zaak.OnderzoekGestart):
        return _zaak(event, "onderzoek_gestart", {"datum": event.datum})
    if isinstance(event, Zaak.Geverifieerd):
        return _zaak(
            event,
            "geverifieerd",
            {
                "uitkomst": event.uitkomst,
                "reden": event.reden,
                "bevinding": event.bevinding,
                "onderwerp": event.onderwerp,
                "besloten_op": event.besloten_op,
                "herziening": event.herziening,
                "reden_herziening": event.reden_herziening,
            },
        )
    if isinstance(event, Zaak.Afgesloten):
        return _zaak(event, "afgesloten", {"reden": event.reden, "datum": event.datum})
    if isinstance(event, Zaak.Heropend):
        return _zaak(event, "heropend", {"reden": event.reden, "datum": event.datum})
    if isinstance(event, Zaak.NazorgGeregeld):
        return _zaak(event, "nazorg_geregeld", {"datum": event.datum})
    if isinstance(event, Regieoverleg.Gehouden):
        return _regieoverleg(event)
    if isinstance(event, Regieoverleg.ActieAfgerond):
        return _envelope(
            event,
            "actie_afgerond",
            {
                "overleg_id": str(event.originator_id),
                "actie_id": event.actie_id,
                "datum": event.datum,
            },
            zaak_id=event.zaak_id,
        )
    return None
