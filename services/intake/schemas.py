"""Request and response bodies of intake's HTTP API (validation at the edge)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any
from uuid import UUID

import pycountry
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from services.intake.codes import (
    BetrokkeneCategorie,
    Geslacht,
    MelderType,
    Nationaliteit,
    Onderwerp,
    Verblijfsrecht,
)
from shared.fields import BusinessDate, FreeText, IsoDate, StrictBool, StrictInt, Text


def _iso_land(value: str) -> str:
    code = value.upper()
    if len(code) != 2 or pycountry.countries.get(alpha_2=code) is None:
        raise ValueError(f"{value!r} is not an ISO 3166-1 alpha-2 country code (e.g. MA, PK, SO)")
    return code


Land = Annotated[Text, AfterValidator(_iso_land)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Betrokkene(Strict):
    categorie: BetrokkeneCategorie
    geslacht: Geslacht | None = None
    geboortejaar: StrictInt | None = Field(default=None, ge=1900, le=2100)
    leeftijd: StrictInt | None = Field(default=None, ge=0, le=120)
    aantal_kinderen: StrictInt | None = Field(default=None, ge=1, le=20)

    @model_validator(mode="after")
    def _kinderen_alleen_bij_moeder(self) -> Betrokkene:
        if self.aantal_kinderen is not None and (
            self.categorie != BetrokkeneCategorie.moeder_met_minderjarige_kinderen
        ):
            raise ValueError("aantal_kinderen only with categorie moeder_met_minderjarige_kinderen")
        return self


class Melder(Strict):
    type: MelderType
    organisatie: Text | None = None


class Persoonsgegevens(Strict):
    """Personal data: encrypted per case on arrival, never sent to other services."""

    naam: Text | None = None
    geboortedatum: IsoDate | None = None
    contactgegevens: FreeText | None = Field(default=None, max_length=1000)
    verblijfadres: FreeText | None = Field(default=None, max_length=1000)


class MeldingCreate(Strict):
    gemeld_op: BusinessDate
    onderwerp: Onderwerp
    betrokkene: Betrokkene
    land: Land
    #: Who reported: stated by the LKHA and BZ; for a partner it follows from its token's
    #: org and the register of organisations (organisaties.py), whatever is given here.
    melder: Melder | None = None
    nationaliteit: Nationaliteit = Nationaliteit.onbekend
    brp_ingeschreven: StrictBool | None = None
    verblijfsrecht: Verblijfsrecht = Verblijfsrecht.onbekend
    bz_betrokken: StrictBool = False
    persoonsgegevens: Persoonsgegevens | None = None
    toelichting: FreeText | None = None

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "gemeld_op": "2018-03-14",
                    "onderwerp": "achterlating",
                    "betrokkene": {
                        "categorie": "minderjarige",
                        "geslacht": "vrouw",
                        "geboortejaar": 2003,
                    },
                    "land": "MA",
                    "melder": {"type": "school", "organisatie": "Leerplicht Utrecht"},
                    "nationaliteit": "bipatride",
                    "brp_ingeschreven": True,
                    "verblijfsrecht": "ja",
                    "bz_betrokken": True,
                    "persoonsgegevens": {
                        "naam": "Testpersoon A",
                        "contactgegevens": "+212 600 000000",
                    },
                    "toelichting": "Niet teruggekomen na de zomervakantie.",
                }
            ]
        },
    )

    def as_command(self) -> dict[str, Any]:
        data = self.model_dump(mode="python")
        data["onderwerp"] = str(self.onderwerp)
        data["betrokkene"] = self.betrokkene.model_dump(mode="json", exclude_none=True)
        data["melder"] = (
            self.melder.model_dump(mode="json", exclude_none=True) if self.melder else None
        )
        data["nationaliteit"] = str(self.nationaliteit)
        data["verblijfsrecht"] = str(self.verblijfsrecht)
        data["persoonsgegevens"] = (
            self.persoonsgegevens.model_dump(mode="json", exclude_none=True)
            if self.persoonsgegevens
            else None
        )
        return data


class MeldingVastgelegd(BaseModel):
    zaak_id: UUID
    referentie: str
    versie: int


class Correctie(BaseModel):
    wijzigingen: dict[str, Any]
    vorige: dict[str, Any]
    reden: str
    datum: date


class MeldingPublic(BaseModel):
    """A melding as intake knows it, without personal data."""

    zaak_id: UUID
    referentie: str
    versie: int
    gemeld_op: date
    onderwerp: str
    betrokkene: dict[str, Any]
    land: str
    melder: dict[str, Any]
    nationaliteit: str
    brp_ingeschreven: bool | None
    verblijfsrecht: str
    bz_betrokken: bool
    ingetrokken: bool
    heeft_persoonsgegevens: bool
    correcties: list[Correctie]


class CorrectieCreate(Strict):
    onderwerp: Onderwerp | None = None
    betrokkene: Betrokkene | None = None
    land: Land | None = None
    gemeld_op: BusinessDate | None = None
    reden: FreeText = Field(max_length=2000)
    datum: BusinessDate

    def wijzigingen(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.onderwerp is not None:
            out["onderwerp"] = str(self.onderwerp)
        if self.betrokkene is not None:
            out["betrokkene"] = self.betrokkene.model_dump(mode="json", exclude_none=True)
        if self.land is not None:
            out["land"] = self.land
        if self.gemeld_op is not None:
            out["gemeld_op"] = self.gemeld_op.isoformat()
        return out


class IntrekkingCreate(Strict):
    reden: FreeText = Field(max_length=2000)
    datum: BusinessDate
