"""Intake's published contract: what leaves the service over NATS, and nothing personal.

The payload models (v1.py) are the contract; docs/contracts.md and docs/contracts/intake/
are generated from them (``make contracts``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from services.intake.codes import Nationaliteit, Onderwerp, Verblijfsrecht
from services.intake.contracts.v1 import (
    PAYLOADS,
    Betrokkene,
    Correctievelden,
    Gecorrigeerd,
    Gemeld,
    Ingetrokken,
    Melder,
    PersoonsgegevensGewist,
)
from services.intake.domain import Melding
from shared.contracts import Payload, envelope
from shared.messaging import IntegrationEvent

SOURCE = "intake"
#: The event types of meldingen (adviesvraag_ontvangen is published by adviesvragen/).
EVENT_TYPES = [
    Gemeld.event_type,
    Gecorrigeerd.event_type,
    Ingetrokken.event_type,
    PersoonsgegevensGewist.event_type,
]
__all__ = ["EVENT_TYPES", "PAYLOADS", "SOURCE", "to_integration_event"]


def _gemeld(event: Melding.Gemeld) -> Gemeld:
    return Gemeld(
        referentie=event.referentie,
        gemeld_op=event.gemeld_op,
        onderwerp=Onderwerp(event.onderwerp),
        betrokkene=Betrokkene.model_validate(event.betrokkene),
        land=event.land,
        melder=Melder(type=event.melder["type"]),  # the organisatie is free text: not published
        nationaliteit=Nationaliteit(event.nationaliteit),
        brp_ingeschreven=event.brp_ingeschreven,
        verblijfsrecht=Verblijfsrecht(event.verblijfsrecht),
        bz_betrokken=event.bz_betrokken,
    )


def _gecorrigeerd(event: Melding.Gecorrigeerd) -> Gecorrigeerd:
    return Gecorrigeerd(
        wijzigingen=Correctievelden.model_validate(event.wijzigingen),
        vorige=Correctievelden.model_validate(event.vorige),
        datum=event.datum,
    )


#: Per published domain event class, how its payload is made (any other event stays inside).
PUBLISHED: dict[type[Any], Callable[[Any], Payload]] = {
    Melding.Gemeld: _gemeld,
    Melding.Gecorrigeerd: _gecorrigeerd,
    Melding.Ingetrokken: lambda event: Ingetrokken(datum=event.datum),
    Melding.Gewist: lambda event: PersoonsgegevensGewist(datum=event.timestamp.date()),
}


def to_integration_event(event: Any) -> IntegrationEvent | None:
    """Translate a stored intake event into its published form (None: not published)."""
    make = PUBLISHED.get(type(event))
    if make is None:
        return None
    return envelope(make(event), event, source=SOURCE, zaak_id=str(event.originator_id))
