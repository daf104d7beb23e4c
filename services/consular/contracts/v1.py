"""Consular's published payloads, version 1: codes, amounts, dates and the post.

What consular mirrors from intake and verification, the wachtrij, and the Idempotency-Keys
stay inside the service.
"""

from __future__ import annotations

from datetime import date
from typing import Any, ClassVar

from pydantic import Field

from services.consular.codes import (
    Afloop,
    AntwoordAutoriteiten,
    BijstandSoort,
    NoodfondsDoel,
    OpvangVia,
    Reisdocument,
)
from shared.contracts import Payload

#: The fields of bijstand_verleend besides soort, datum and post, present per soort.
BIJSTAND_DETAILS = ("document", "bedrag_cent", "doel", "via", "antwoord")


class BijstandVerleend(Payload):
    """Consular aid was given. Each soort carries exactly its own extra fields (reisdocument_
    verstrekt: document; noodfonds_uitgave: bedrag_cent and doel; opvang_geregeld: via;
    contact_lokale_autoriteiten: antwoord); the others are absent. vervangende_toestemming and
    voorlopige_voogdij only for a case about a minor."""

    event_type: ClassVar[str] = "bijstand_verleend"
    examples: ClassVar[tuple[dict[str, Any], ...]] = (
        {"soort": "bijstand_gestart", "datum": "2018-03-20", "post": "rabat"},
        {"soort": "reisdocument_verstrekt", "datum": "2018-03-22", "post": "rabat",
         "document": "noodpaspoort"},
        {"soort": "noodfonds_uitgave", "datum": "2018-03-23", "post": "rabat",
         "bedrag_cent": 45000, "doel": "tickets"},
        {"soort": "opvang_geregeld", "datum": "2018-03-21", "post": "erbil", "via": "safehouse"},
        {"soort": "contact_lokale_autoriteiten", "datum": "2018-03-21", "post": "erbil",
         "antwoord": "geen_antwoord"},
        {"soort": "voorlopige_voogdij", "datum": "2018-03-24", "post": "Rabat"},
    )  # fmt: skip

    soort: BijstandSoort
    datum: date
    post: str = Field(
        description="the code of the embassy or consulate-general (services/consular/posten."
        "json, e.g. rabat); events recorded before the list may hold a short name (Rabat)"
    )
    document: Reisdocument | None = None
    bedrag_cent: int | None = Field(default=None, gt=0, description="euro cents")
    doel: NoodfondsDoel | None = None
    via: OpvangVia | None = None
    antwoord: AntwoordAutoriteiten | None = None

    def data(self) -> dict[str, Any]:
        """The details a soort does not carry are absent, not null."""
        return self.model_dump(mode="json", exclude_none=True)


class AfloopVastgelegd(Payload):
    """How a case ended abroad (the users' "teruggekeerd" when afloop is a return). Recorded
    only for a case verified as vastgesteld, once, and again only after a heropend."""

    event_type: ClassVar[str] = "afloop_vastgelegd"
    examples: ClassVar[tuple[dict[str, Any], ...]] = (
        {"afloop": "teruggekeerd_met_ondersteuning", "datum": "2018-04-02"},
        {"afloop": "niet_teruggekeerd", "datum": "2018-06-30"},
    )

    afloop: Afloop
    datum: date


PAYLOADS: tuple[type[Payload], ...] = (BijstandVerleend, AfloopVastgelegd)
