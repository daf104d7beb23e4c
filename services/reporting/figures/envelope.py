"""Tolerant parsing of integration-event envelopes (docs/contracts.md) for the projection.

Consumers parse tolerantly: unknown fields are ignored, malformed dates fall back to the
recorded date, envelopes without a usable ``recorded_at`` or ``event_type`` are skipped.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, Final

BUSINESS_DATE_FIELD: Final[Mapping[str, str]] = {
    "gemeld": "gemeld_op",
    "gecorrigeerd": "datum",
    "ingetrokken": "datum",
    "persoonsgegevens_gewist": "datum",
    "adviesvraag_ontvangen": "ontvangen_op",
    "onderzoek_gestart": "datum",
    "geverifieerd": "besloten_op",
    "afgesloten": "datum",
    "heropend": "datum",
    "nazorg_geregeld": "datum",
    "regieoverleg_gehouden": "datum",
    "actie_afgerond": "datum",
    "bijstand_verleend": "datum",
    "afloop_vastgelegd": "datum",
}
"""Which ``data`` field holds the business date, per event type."""


@dataclass(frozen=True, slots=True)
class Event:
    """An envelope reduced to what the projection needs."""

    event_id: str
    event_type: str
    source: str
    zaak_id: str | None
    recorded_at: datetime
    datum: date
    data: Mapping[str, Any]

    @property
    def sleutel(self) -> tuple[str, str]:
        """What identifies an event: event ids are unique per producing service only (each
        service numbers its own aggregate, and they share the case's id)."""
        return (self.source, self.event_id)

    @property
    def volgorde(self) -> tuple[date, datetime, str]:
        """Fold order: business date, then recorded_at, then event_id (deterministic)."""
        return (self.datum, self.recorded_at, self.event_id)


def as_utc(moment: datetime) -> datetime:
    """Make a datetime timezone-aware; naive datetimes are taken to be UTC."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def parse_datetime(value: object) -> datetime | None:
    """Parse an ISO datetime (``Z`` allowed); ``None`` when missing or malformed."""
    if isinstance(value, datetime):
        return as_utc(value)
    if not isinstance(value, str) or not value:
        return None
    try:
        return as_utc(datetime.fromisoformat(value))
    except ValueError:
        return None


def parse_date(value: object) -> date | None:
    """Parse an ISO date (a datetime string is cut to its date); ``None`` when unusable."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if not isinstance(value, str) or len(value) < 10:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def parse_int(value: object) -> int | None:
    """An int, or ``None`` (bools and non-numbers are not ints here)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value)
    return None


JA_NEE: Final[Mapping[str, bool]] = {"ja": True, "nee": False}


def parse_bool(value: object) -> bool | None:
    """A bool (``"ja"``/``"nee"`` as intake sends verblijfsrecht count too), or ``None``."""
    if isinstance(value, bool):
        return value
    return JA_NEE.get(value) if isinstance(value, str) else None


def parse_str(value: object) -> str | None:
    """A non-empty string, or ``None``."""
    return value if isinstance(value, str) and value else None


def parse_envelope(envelope: Mapping[str, Any]) -> Event | None:
    """Turn one envelope into an :class:`Event`, or ``None`` when it cannot be used."""
    event_type = parse_str(envelope.get("event_type"))
    recorded_at = parse_datetime(envelope.get("recorded_at"))
    if event_type is None or recorded_at is None:
        return None
    raw_data = envelope.get("data")
    data: Mapping[str, Any] = raw_data if isinstance(raw_data, Mapping) else {}
    field = BUSINESS_DATE_FIELD.get(event_type, "datum")
    datum = parse_date(data.get(field)) or recorded_at.date()
    zaak_id = envelope.get("zaak_id")
    event_id = parse_str(envelope.get("event_id")) or (
        f"{event_type}:{zaak_id}:{recorded_at.isoformat()}"
    )
    return Event(
        event_id=event_id,
        event_type=event_type,
        source=parse_str(envelope.get("source")) or "",
        zaak_id=str(zaak_id) if zaak_id else None,
        recorded_at=recorded_at,
        datum=datum,
        data=data,
    )
