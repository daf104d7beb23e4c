"""Verification's published payloads, version 1: codes, ids and dates only.

The toelichtingen, the nazorg omschrijving, the besluiten of a regieoverleg and the
omschrijvingen of its actions are free text and stay in verification, encrypted under the
case's own key (its HTTP API shows them to the LKHA; docs/security.md). The mirrored melding
(intake's own events, seen here) is never republished.
"""

from __future__ import annotations

from datetime import date
from typing import Any, ClassVar

from pydantic import Field

from services.verification.codes import (
    Bevinding,
    Onderwerp,
    Organisatie,
    RedenAfsluiting,
    RedenHeropening,
    RedenHerziening,
    RedenOnbekend,
    Uitkomst,
)
from shared.contracts import Part, Payload

ZAAK = "5d0c2a51-8a55-4d3f-9a8e-2f1e0c5b7a10"
OVERLEG = "0b6f3c2e-2c55-4b0e-a1f8-7d4c3b2a1e90"
ACTIE = "9a1e4d3c-6b2f-4e5a-8c7d-1f0e2d3c4b5a"


class OnderzoekGestart(Payload):
    """Verification began its investigation of the case."""

    event_type: ClassVar[str] = "onderzoek_gestart"
    examples: ClassVar[tuple[dict[str, Any], ...]] = ({"datum": "2018-03-16"},)

    datum: date


class Geverifieerd(Payload):
    """The outcome of the verification (a herziening replaces an earlier outcome from its
    besloten_op on)."""

    event_type: ClassVar[str] = "geverifieerd"
    examples: ClassVar[tuple[dict[str, Any], ...]] = (
        {
            "uitkomst": "onbekend",
            "reden": "geen_contactgegevens",
            "bevinding": None,
            "onderwerp": "achterlating",
            "besloten_op": "2018-05-14",
            "herziening": False,
            "reden_herziening": None,
        },
        {
            "uitkomst": "vastgesteld",
            "reden": None,
            "bevinding": None,
            "onderwerp": "huwelijksdwang_en_achterlating",
            "besloten_op": "2018-07-02",
            "herziening": True,
            "reden_herziening": "alsnog_contact",
        },
        {
            "uitkomst": "niet_vastgesteld",
            "reden": None,
            "bevinding": "verhuizing",
            "onderwerp": "achterlating",
            "besloten_op": "2018-06-01",
            "herziening": False,
            "reden_herziening": None,
        },
    )

    uitkomst: Uitkomst
    reden: RedenOnbekend | None = Field(description="only with uitkomst onbekend")
    bevinding: Bevinding | None = Field(description="only with uitkomst niet_vastgesteld")
    onderwerp: Onderwerp = Field(
        description="the onderwerp as established (the melding's unless verification said "
        "otherwise)"
    )
    besloten_op: date = Field(description="business date of the outcome")
    herziening: bool = Field(description="true: replaces the earlier outcome")
    reden_herziening: RedenHerziening | None = Field(description="only on a herziening")


class Afgesloten(Payload):
    """The case was closed."""

    event_type: ClassVar[str] = "afgesloten"
    examples: ClassVar[tuple[dict[str, Any], ...]] = (
        {"reden": "teruggekeerd", "datum": "2018-09-03"},
    )

    reden: RedenAfsluiting
    datum: date


class Heropend(Payload):
    """A closed case was reopened."""

    event_type: ClassVar[str] = "heropend"
    examples: ClassVar[tuple[dict[str, Any], ...]] = (
        {"reden": "nieuwe_hulpvraag", "datum": "2018-10-01"},
    )

    reden: RedenHeropening
    datum: date


class NazorgGeregeld(Payload):
    """Aftercare was arranged (its omschrijving stays in verification)."""

    event_type: ClassVar[str] = "nazorg_geregeld"
    examples: ClassVar[tuple[dict[str, Any], ...]] = ({"datum": "2018-09-10"},)

    datum: date


class Actie(Part):
    """An action agreed in a regieoverleg (its omschrijving stays in verification)."""

    actie_id: str
    eigenaar: Organisatie
    deadline: date


class BesprokenZaak(Part):
    """A case discussed in a regieoverleg: how many besluiten (their text stays) and its
    actions."""

    zaak_id: str
    aantal_besluiten: int = Field(ge=0)
    acties: list[Actie]


class RegieoverlegGehouden(Payload):
    """A regieoverleg was held (zaak_id of the envelope is null: it is about several cases)."""

    event_type: ClassVar[str] = "regieoverleg_gehouden"
    examples: ClassVar[tuple[dict[str, Any], ...]] = (
        {
            "overleg_id": OVERLEG,
            "datum": "2018-04-16",
            "deelnemers": ["lkha", "bz"],
            "zaken": [
                {
                    "zaak_id": ZAAK,
                    "aantal_besluiten": 1,
                    "acties": [{"actie_id": ACTIE, "eigenaar": "bz", "deadline": "2018-04-19"}],
                }
            ],
        },
    )

    overleg_id: str
    datum: date
    deelnemers: list[Organisatie]
    zaken: list[BesprokenZaak]


class ActieAfgerond(Payload):
    """An action of a regieoverleg was done (zaak_id of the envelope is the action's case)."""

    event_type: ClassVar[str] = "actie_afgerond"
    examples: ClassVar[tuple[dict[str, Any], ...]] = (
        {"overleg_id": OVERLEG, "actie_id": ACTIE, "datum": "2018-04-18"},
    )

    overleg_id: str
    actie_id: str
    datum: date


PAYLOADS: tuple[type[Payload], ...] = (
    OnderzoekGestart,
    Geverifieerd,
    Afgesloten,
    Heropend,
    NazorgGeregeld,
    RegieoverlegGehouden,
    ActieAfgerond,
)
