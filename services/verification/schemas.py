"""Request and response bodies of verification's HTTP API (validation at the edge)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from services.verification.codes import (
    Bevinding,
    Onderwerp,
    Organisatie,
    RedenAfsluiting,
    RedenHeropening,
    RedenHerziening,
    RedenOnbekend,
    Stage,
    Uitkomst,
)
from shared.fields import BusinessDate, FreeText

#: Free text of a step (toelichting, omschrijving, besluit): at most 2,000 characters.
Tekst = Annotated[FreeText, Field(max_length=2000)]

#: A date or null, with `format: date` beside the anyOf as well (the ADR linter looks there).
DATUM_OF_NULL: dict[str, Any] = {"format": "date"}


def _strict(example: dict[str, Any]) -> ConfigDict:
    return ConfigDict(
        extra="forbid", str_strip_whitespace=True, json_schema_extra={"examples": [example]}
    )


class OnderzoekCreate(BaseModel):
    model_config = _strict({"datum": "2018-03-16"})

    datum: BusinessDate


class VerificatieCreate(BaseModel):
    """reden only with uitkomst onbekend; bevinding only with niet_vastgesteld; a second
    verification is a herziening and names its reden_herziening."""

    model_config = _strict(
        {
            "uitkomst": "onbekend",
            "reden": "geen_contactgegevens",
            "onderwerp": "achterlating",
            "besloten_op": "2018-05-14",
            "toelichting": "Gezin uitgeschreven; geen adres in het buitenland bekend.",
        }
    )

    uitkomst: Uitkomst
    reden: RedenOnbekend | None = None
    bevinding: Bevinding | None = None
    onderwerp: Onderwerp | None = Field(
        default=None, description="the onderwerp as established (default: the melding's)"
    )
    besloten_op: BusinessDate
    reden_herziening: RedenHerziening | None = None
    toelichting: Tekst | None = None


class AfsluitingCreate(BaseModel):
    model_config = _strict(
        {
            "reden": "teruggekeerd",
            "datum": "2018-09-03",
            "toelichting": "Teruggekeerd, nazorg loopt via de gemeente.",
        }
    )

    reden: RedenAfsluiting
    datum: BusinessDate
    toelichting: Tekst | None = None


class HeropeningCreate(BaseModel):
    model_config = _strict(
        {"reden": "nieuwe_informatie", "datum": "2018-10-01", "toelichting": "Nieuwe melding."}
    )

    reden: RedenHeropening
    datum: BusinessDate
    toelichting: Tekst | None = None


class NazorgCreate(BaseModel):
    model_config = _strict(
        {"datum": "2018-09-10", "omschrijving": "Opvang en begeleiding geregeld met de gemeente"}
    )

    datum: BusinessDate
    omschrijving: Tekst


class ActieCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    eigenaar: Organisatie
    omschrijving: Tekst
    deadline: BusinessDate


class OverlegZaakCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    zaak_id: UUID
    besluiten: list[Tekst] = Field(default_factory=list, max_length=50)
    acties: list[ActieCreate] = Field(default_factory=list, max_length=50)


class RegieoverlegCreate(BaseModel):
    model_config = _strict(
        {
            "datum": "2018-04-16",
            "deelnemers": ["lkha", "bz"],
            "zaken": [
                {
                    "zaak_id": "6f1c2a0e-3b7d-5c1e-9a44-4b6e6b6f7070",
                    "besluiten": ["BZ verifieert nationaliteit en verblijfplaats via de post"],
                    "acties": [
                        {
                            "eigenaar": "bz",
                            "omschrijving": "Post legt contact met betrokkene",
                            "deadline": "2018-04-19",
                        }
                    ],
                }
            ],
        }
    )

    datum: BusinessDate
    deelnemers: list[Organisatie] = Field(min_length=1, max_length=20)
    zaken: list[OverlegZaakCreate] = Field(min_length=1, max_length=500)

    def as_command(self) -> dict[str, Any]:
        return {
            "datum": self.datum,
            "deelnemers": [str(d) for d in self.deelnemers],
            "zaken": [
                {
                    "zaak_id": str(z.zaak_id),
                    "besluiten": list(z.besluiten),
                    "acties": [
                        {
                            "eigenaar": str(a.eigenaar),
                            "omschrijving": a.omschrijving,
                            "deadline": a.deadline,
                        }
                        for a in z.acties
                    ],
                }
                for z in self.zaken
            ],
        }


class ActieAfrondingCreate(BaseModel):
    model_config = _strict({"datum": "2018-04-18"})

    datum: BusinessDate


# -- answers ---------------------------------------------------------------------------------


class VerificatiePublic(BaseModel):
    uitkomst: Uitkomst
    reden: RedenOnbekend | None
    bevinding: Bevinding | None
    onderwerp: str
    besloten_op: date
    herziening: bool
    reden_herziening: RedenHerziening | None
    toelichting: str | None
    versie: int


class VerloopPublic(BaseModel):
    """An afsluiting or heropening."""

    soort: str
    reden: str
    datum: date
    toelichting: str | None


class NazorgPublic(BaseModel):
    datum: date
    omschrijving: str


class CorrectiePublic(BaseModel):
    wijzigingen: dict[str, Any]
    vorige: dict[str, Any]
    datum: date | None = Field(json_schema_extra=DATUM_OF_NULL)


class ZaakPublic(BaseModel):
    """A case as verification knows it."""

    zaak_id: UUID
    referentie: str
    versie: int
    gemeld_op: date
    onderwerp: str
    betrokkene: dict[str, Any]
    land: str
    bz_betrokken: bool
    ingetrokken: bool
    stage: Stage
    onderzoek_gestart_op: date | None
    verificatie: VerificatiePublic | None = Field(description="the current verification")
    verificaties: list[VerificatiePublic] = Field(description="every verification, oldest first")
    afgesloten_op: date | None
    verloop: list[VerloopPublic] = Field(description="afsluitingen and heropeningen, in order")
    nazorg: list[NazorgPublic]
    correcties: list[CorrectiePublic]


class ActiePublic(BaseModel):
    actie_id: UUID
    eigenaar: Organisatie
    omschrijving: str
    deadline: date
    afgerond_op: date | None


class OverlegZaakPublic(BaseModel):
    zaak_id: UUID
    besluiten: list[str]
    acties: list[ActiePublic]


class RegieoverlegPublic(BaseModel):
    overleg_id: UUID
    versie: int
    datum: date
    deelnemers: list[Organisatie]
    zaken: list[OverlegZaakPublic]


class AgendaActie(BaseModel):
    overleg_id: UUID
    actie_id: UUID
    eigenaar: str
    omschrijving: str
    deadline: date
    verlopen: bool


class AgendaOntwikkeling(BaseModel):
    soort: str
    datum: date
    bron: str


class AgendaZaak(BaseModel):
    zaak_id: UUID
    referentie: str
    stage: Stage
    gemeld_op: date
    leeftijd_dagen: int
    onderwerp: str
    land: str
    redenen: list[str] = Field(
        description="why it is on the agenda: actie_verlopen, niet_geverifieerd, "
        "recente_ontwikkeling"
    )
    open_acties: list[AgendaActie]
    ontwikkelingen: list[AgendaOntwikkeling] = Field(
        description="dated steps since the previous regieoverleg"
    )


class AgendaPublic(BaseModel):
    datum: date
    vorig_overleg_id: UUID | None
    vorig_overleg_datum: date | None = Field(json_schema_extra=DATUM_OF_NULL)
    zaken: list[AgendaZaak]
