"""Verification's published contract: codes, ids and dates over NATS, no free text.

The payload models (v1.py) are the contract; docs/contracts.md and docs/contracts/
verification/ are generated from them (``make contracts``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from services.verification.codes import Organisatie
from services.verification.contracts.v1 import (
    PAYLOADS,
    Actie,
    ActieAfgerond,
    Afgesloten,
    BesprokenZaak,
    Geverifieerd,
    Heropend,
    NazorgGeregeld,
    OnderzoekGestart,
    RegieoverlegGehouden,
)
from services.verification.domain import Regieoverleg, Zaak
from shared.contracts import Payload, envelope
from shared.messaging import IntegrationEvent

SOURCE = "verification"
EVENT_TYPES = [p.event_type for p in PAYLOADS]
__all__ = ["EVENT_TYPES", "PAYLOADS", "SOURCE", "to_integration_event"]


def _geverifieerd(event: Zaak.Geverifieerd) -> Geverifieerd:
    velden = ("uitkomst", "reden", "bevinding", "onderwerp", "besloten_op", "herziening")
    return Geverifieerd.model_validate(
        {veld: getattr(event, veld) for veld in (*velden, "reden_herziening")}
    )


def _regieoverleg(event: Regieoverleg.Gehouden) -> RegieoverlegGehouden:
    return RegieoverlegGehouden(
        overleg_id=str(event.originator_id),
        datum=event.datum,
        deelnemers=[Organisatie(org) for org in event.deelnemers],
        zaken=[
            BesprokenZaak(
                zaak_id=zaak["zaak_id"],
                aantal_besluiten=len(zaak["besluiten"]),
                acties=[
                    Actie(
                        actie_id=actie["actie_id"],
                        eigenaar=Organisatie(actie["eigenaar"]),
                        deadline=actie["deadline"],
                    )
                    for actie in zaak["acties"]
                ],
            )
            for zaak in event.zaken
        ],
    )


#: Per published domain event class, how its payload is made (any other event stays inside).
PUBLISHED: dict[type[Any], Callable[[Any], Payload]] = {
    Zaak.OnderzoekGestart: lambda event: OnderzoekGestart(datum=event.datum),
    Zaak.Geverifieerd: _geverifieerd,
    Zaak.Afgesloten: lambda event: Afgesloten(reden=event.reden, datum=event.datum),
    Zaak.Heropend: lambda event: Heropend(reden=event.reden, datum=event.datum),
    Zaak.NazorgGeregeld: lambda event: NazorgGeregeld(datum=event.datum),
    Regieoverleg.Gehouden: _regieoverleg,
    Regieoverleg.ActieAfgerond: lambda event: ActieAfgerond(
        overleg_id=str(event.originator_id), actie_id=event.actie_id, datum=event.datum
    ),
}


def _zaak_id(event: Any) -> str | None:
    """The case an event is about: a case's own id, an action's case, none for an overleg."""
    if isinstance(event, Regieoverleg.Gehouden):
        return None
    if isinstance(event, Regieoverleg.ActieAfgerond):
        return str(event.zaak_id)
    return str(event.originator_id)


def to_integration_event(event: Any) -> IntegrationEvent | None:
    """Translate a stored verification event into its published form (None: internal)."""
    make = PUBLISHED.get(type(event))
    if make is None:
        return None
    return envelope(make(event), event, source=SOURCE, zaak_id=_zaak_id(event))
