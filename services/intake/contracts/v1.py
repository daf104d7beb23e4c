"""Intake's published payloads, version 1: codes and dates, nothing personal.

The ciphertext of personal data and of every free text (the toelichting, the melder's
organisatie, the redenen of a correction or a withdrawal, an adviesvraag's vraag) never
leaves the service. `persoonsgegevens_gewist` tells the other services to delete their own
keys of the case.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, ClassVar

from pydantic import Field

from services.intake.codes import (
    BetrokkeneCategorie,
    Geslacht,
    MelderType,
    Nationaliteit,
    Onderwerp,
    Verblijfsrecht,
)
from shared.contracts import Payload, WithoutEmpty

#: A country: ISO 3166-1 alpha-2, upper case.
Land = Annotated[str, Field(pattern=r"^[A-Z]{2}$", description="ISO 3166-1 alpha-2")]

#: The fields of a melding a correction may change (the domain's CORRIGEERBARE_VELDEN).
CORRIGEERBAAR = ("onderwerp", "betrokkene", "land", "gemeld_op")


class Betrokkene(WithoutEmpty):
    """Who the melding is about, without personal data; fields without a value are absent."""

    categorie: BetrokkeneCategorie
    geslacht: Geslacht | None = None
    geboortejaar: int | None = None
    leeftijd: int | None = Field(default=None, description="on gemeld_op")
    aantal_kinderen: int | None = Field(
        default=None, description="only with categorie moeder_met_minderjarige_kinderen"
    )


class Melder(WithoutEmpty):
    """Who reported: the kind of reporter (the organisation's name is free text, encrypted
    at intake, and is not published)."""

    type: MelderType


_BETROKKENE = {"categorie": "minderjarige", "geslacht": "vrouw", "geboortejaar": 2003}


class Gemeld(Payload):
    """A melding was recorded at intake (the case begins)."""

    event_type: ClassVar[str] = "gemeld"
    examples: ClassVar[tuple[dict[str, Any], ...]] = (
        {
            "referentie": "LKHA-2018-0042",
            "gemeld_op": "2018-03-14",
            "onderwerp": "achterlating",
            "betrokkene": _BETROKKENE,
            "land": "MA",
            "melder": {"type": "school"},
            "nationaliteit": "bipatride",
            "brp_ingeschreven": True,
            "verblijfsrecht": "ja",
            "bz_betrokken": True,
        },
        {
            "referentie": "LKHA-2018-0043",
            "gemeld_op": "2018-03-15",
            "onderwerp": "huwelijksdwang",
            "betrokkene": {"categorie": "moeder_met_minderjarige_kinderen", "aantal_kinderen": 2},
            "land": "TR",
            "melder": {"type": "slachtoffer"},
            "nationaliteit": "onbekend",
            "brp_ingeschreven": None,
            "verblijfsrecht": "onbekend",
            "bz_betrokken": False,
        },
    )

    referentie: str = Field(description="the LKHA's reference of the melding")
    gemeld_op: date = Field(description="business date of the melding")
    onderwerp: Onderwerp
    betrokkene: Betrokkene
    land: Land
    melder: Melder
    nationaliteit: Nationaliteit
    brp_ingeschreven: bool | None = Field(description="null: not known")
    verblijfsrecht: Verblijfsrecht
    bz_betrokken: bool


class Correctievelden(WithoutEmpty):
    """Corrected fields of a melding, each present only when it is corrected."""

    onderwerp: Onderwerp | None = None
    betrokkene: Betrokkene | None = None
    land: Land | None = None
    gemeld_op: date | None = None


class Gecorrigeerd(Payload):
    """A wrongly recorded classification was corrected; the old values are kept. The
    correction's reden is free text and is not published."""

    event_type: ClassVar[str] = "gecorrigeerd"
    examples: ClassVar[tuple[dict[str, Any], ...]] = (
        {
            "wijzigingen": {"onderwerp": "huwelijksdwang_en_achterlating", "land": "DZ"},
            "vorige": {"onderwerp": "achterlating", "land": "MA"},
            "datum": "2018-04-02",
        },
        {
            "wijzigingen": {"gemeld_op": "2018-03-12", "betrokkene": {"categorie": "volwassene"}},
            "vorige": {"gemeld_op": "2018-03-14", "betrokkene": _BETROKKENE},
            "datum": "2018-04-03",
        },
    )

    wijzigingen: Correctievelden = Field(description="the new values")
    vorige: Correctievelden = Field(description="the values they replace")
    datum: date = Field(description="business date of the correction")


class Ingetrokken(Payload):
    """The melding was made in error and withdrawn: it no longer counts anywhere. The
    withdrawal's reden is free text and is not published."""

    event_type: ClassVar[str] = "ingetrokken"
    examples: ClassVar[tuple[dict[str, Any], ...]] = ({"datum": "2018-04-05"},)

    datum: date = Field(description="business date of the withdrawal")


class AdviesvraagOntvangen(Payload):
    """A request for advice was received (zaak_id is the adviesvraag's id). Never counted;
    its vraag (free text) is encrypted at intake and never published."""

    event_type: ClassVar[str] = "adviesvraag_ontvangen"
    examples: ClassVar[tuple[dict[str, Any], ...]] = (
        {
            "ontvangen_op": "2018-03-20",
            "onderwerp": "huwelijksdwang",
            "melder": {"type": "hulpverlening"},
        },
    )

    ontvangen_op: date = Field(description="business date the question came in")
    onderwerp: Onderwerp
    melder: Melder


class PersoonsgegevensGewist(Payload):
    """The melding's personal data and free text were erased at intake (its key deleted):
    every service deletes its own key of the case."""

    event_type: ClassVar[str] = "persoonsgegevens_gewist"
    examples: ClassVar[tuple[dict[str, Any], ...]] = ({"datum": "2023-04-02"},)

    datum: date = Field(description="the day of the erasure")


PAYLOADS: tuple[type[Payload], ...] = (
    Gemeld,
    Gecorrigeerd,
    Ingetrokken,
    PersoonsgegevensGewist,
    AdviesvraagOntvangen,
)
