"""Request and response bodies of consular's HTTP API (validation at the edge)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import AfterValidator, BaseModel, ConfigDict, Field
from pydantic_core import PydanticCustomError

from services.consular.codes import (
    Afloop,
    AntwoordAutoriteiten,
    NoodfondsDoel,
    OpvangVia,
    Reisdocument,
    post_code,
)
from shared.fields import BusinessDate, Text


def _post(value: str) -> str:
    code = post_code(value)
    if code is None:
        raise PydanticCustomError(
            "onbekende_post",
            "post is the code or name of a Dutch embassy or consulate-general "
            "(e.g. rabat, islamabad, erbil; the list: GET /v1/posten)",
        )
    return code


#: The embassy or consulate-general, by the code of the posts' list (codes.POSTEN); its name
#: is accepted too and stored as the code.
Post = Annotated[Text, Field(max_length=60), AfterValidator(_post)]


#: Euro cents, a whole number above 0 (at most 1,000,000 euro: a typo guard).
BedragCent = Annotated[int, Field(strict=True, gt=0, le=100_000_000)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


def _voorbeeld(**velden: Any) -> ConfigDict:
    return ConfigDict(
        json_schema_extra={
            "examples": [{"datum": "2018-04-02", "post": "rabat", **velden}],
        }
    )


class _Bijstand(Strict):
    datum: BusinessDate = Field(description="when the aid was given (business date)")
    post: Post = Field(description="the code of the embassy or consulate-general, e.g. rabat")

    def details(self) -> dict[str, Any]:
        """The fields of this kind of aid besides soort, datum and post."""
        return self.model_dump(mode="json", exclude={"soort", "datum", "post"})


class BijstandGestart(_Bijstand):
    model_config = _voorbeeld(soort="bijstand_gestart")
    soort: Literal["bijstand_gestart"]


class ReisdocumentVerstrekt(_Bijstand):
    model_config = _voorbeeld(soort="reisdocument_verstrekt", document="noodpaspoort")
    soort: Literal["reisdocument_verstrekt"]
    document: Reisdocument


class NoodfondsUitgave(_Bijstand):
    model_config = _voorbeeld(soort="noodfonds_uitgave", bedrag_cent=79500, doel="tickets")
    soort: Literal["noodfonds_uitgave"]
    bedrag_cent: BedragCent
    doel: NoodfondsDoel


class OpvangGeregeld(_Bijstand):
    model_config = _voorbeeld(soort="opvang_geregeld", via="safehouse")
    soort: Literal["opvang_geregeld"]
    via: OpvangVia


class ContactLokaleAutoriteiten(_Bijstand):
    model_config = _voorbeeld(soort="contact_lokale_autoriteiten", antwoord="medewerking")
    soort: Literal["contact_lokale_autoriteiten"]
    antwoord: AntwoordAutoriteiten


class VervangendeToestemming(_Bijstand):
    model_config = _voorbeeld(soort="vervangende_toestemming")
    soort: Literal["vervangende_toestemming"]


class VoorlopigeVoogdij(_Bijstand):
    model_config = _voorbeeld(soort="voorlopige_voogdij")
    soort: Literal["voorlopige_voogdij"]


#: One act of consular aid; `soort` says which, and which fields come with it.
BijstandCreate = Annotated[
    BijstandGestart
    | ReisdocumentVerstrekt
    | NoodfondsUitgave
    | OpvangGeregeld
    | ContactLokaleAutoriteiten
    | VervangendeToestemming
    | VoorlopigeVoogdij,
    Field(discriminator="soort"),
]


class AfloopCreate(Strict):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"afloop": "teruggekeerd_met_ondersteuning", "datum": "2018-05-20"}]
        }
    )
    afloop: Afloop
    datum: BusinessDate = Field(description="when it happened, e.g. the day of the return")


class BijstandPublic(BaseModel):
    soort: str
    datum: date
    post: str
    document: str | None = None
    bedrag_cent: int | None = None
    doel: str | None = None
    via: str | None = None
    antwoord: str | None = None
    versie: int


class AfloopPublic(BaseModel):
    afloop: str
    datum: date
    versie: int


class VerificatiePublic(BaseModel):
    """What consular knows of the verification: the stage, outcome and dates, no reasons."""

    stand: Literal["niet_gestart", "in_onderzoek", "geverifieerd", "afgesloten"]
    onderzoek_gestart_op: date | None
    uitkomst: str | None
    onderwerp: str | None
    besloten_op: date | None
    herzien: bool
    afgesloten_op: date | None


class ZaakPublic(BaseModel):
    """A case as consular knows it."""

    zaak_id: UUID
    referentie: str
    versie: int
    gemeld_op: date
    onderwerp: str
    betrokkene: dict[str, Any]
    land: str
    bz_betrokken: bool
    ingetrokken: bool
    verificatie: VerificatiePublic
    bijstand: list[BijstandPublic]
    noodfonds_totaal_cent: int
    afloop: AfloopPublic | None
    aflopen: list[AfloopPublic]


class PostPublic(BaseModel):
    code: str
    naam: str
    land: str = Field(description="ISO 3166-1 alpha-2 code of the country of the post")
    soort: Literal["ambassade", "consulaat-generaal"]
