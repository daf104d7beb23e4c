"""Questions and answers of reporting's HTTP API (validation at the edge).

Every question is a query-string model with ``extra="forbid"``: an unknown parameter or code is
a 400 naming the field and the allowed values (a country must be an ISO 3166-1 code, a date an
ISO date from 1990 to 2100). Counts are whole numbers, or the suppression mark (``"<5"``) in
figures under disclosure control (``geheimhouding``, docs/security.md).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

from services.reporting.codes import (
    Afloop,
    Betrokkene,
    Bevinding,
    Bijstandsoort,
    Dimensie,
    Geslacht,
    Leeftijdsklasse,
    Melder,
    Nationaliteit,
    Onderwerp,
    Per,
    Reden,
    Stage,
    Uitkomst,
)
from services.reporting.vraagvelden import Aantal, Datum, Drempel, Jaar, Land, Moment, Wijze


class Vraag(BaseModel):
    """As of when: a business date, and optionally what had been recorded by then.

    Query keys are lower camelCase (`registratieTot`, ADR /core/query-keys-camel-case); the
    snake_case keys of version 1.0 still work, deprecated (main.py: QUERY_ALIASES)."""

    model_config = ConfigDict(extra="forbid", alias_generator=to_camel)

    geheimhouding: Wijze | None = Field(
        default=None,
        description=(
            "exact: the exact figures (the LKHA only; its default); beschermd: the figures as "
            "they leave the organisation (every other role always gets these)."
        ),
    )
    onderdrukking: Drempel = None
    peildatum: Datum | None = Field(
        default=None,
        description="Business date the figures are as of (default: today).",
        examples=["2018-12-31"],
    )
    registratie_tot: Moment | None = Field(
        default=None,
        description=(
            "Only what had been recorded by this moment (ISO; a date means its start, UTC): "
            "the figures as they could be produced then."
        ),
        examples=["2019-01-01"],
    )

    def grens(self) -> datetime | None:
        """registratie_tot as an aware datetime (naive values are UTC)."""
        if self.registratie_tot is None:
            return None
        moment = self.registratie_tot
        return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


class Filters(Vraag):
    """Which meldingen count: every filter given must hold; repeat a parameter for 'or'."""

    onderwerp: list[Onderwerp] = Field(default_factory=list, examples=[["achterlating"]])
    onderwerp_vastgesteld: list[Onderwerp] = Field(default_factory=list)
    betrokkene: list[Betrokkene] = Field(default_factory=list, examples=[["minderjarige"]])
    geslacht: list[Geslacht] = Field(default_factory=list)
    leeftijd: list[Annotated[int, Field(ge=0, le=120)]] = Field(
        default_factory=list, description="Ages (outside the LKHA widened to their bands)."
    )
    leeftijdsklasse: list[Leeftijdsklasse] = Field(default_factory=list)
    land: list[Land] = Field(default_factory=list, examples=[["SO"]])
    melder: list[Melder] = Field(default_factory=list)
    nationaliteit: list[Nationaliteit] = Field(default_factory=list)
    uitkomst: list[Uitkomst] = Field(default_factory=list)
    reden: list[Reden] = Field(default_factory=list)
    bevinding: list[Bevinding] = Field(default_factory=list)
    afloop: list[Afloop] = Field(default_factory=list)
    stage: list[Stage] = Field(default_factory=list, examples=[["open", "lopend"]])
    jaar: list[Jaar] = Field(default_factory=list, description="Year of gemeld_op.")
    bz_betrokken: bool | None = None
    brp_ingeschreven: bool | None = None
    verblijfsrecht: bool | None = None
    teruggekeerd: bool | None = None
    consulaire_bijstand: bool | None = None
    herzien: bool | None = None
    gemeld_van: Datum | None = Field(default=None, description="gemeld_op on or after.")
    gemeld_tot: Datum | None = Field(default=None, description="gemeld_op on or before.")
    open_op: Datum | None = Field(
        default=None, description="Open (gemeld, not yet verified) on this date."
    )

    def criteria(self) -> dict[str, Any]:
        """The filters in the figures core's criteria language (figures/selectie.py)."""
        criteria: dict[str, Any] = {}
        for naam in Filters.model_fields:
            if naam in Vraag.model_fields:
                continue
            waarde = getattr(self, naam)
            if waarde is None or waarde == []:
                continue
            if isinstance(waarde, date):
                criteria[naam] = waarde.isoformat()
            elif isinstance(waarde, list):
                criteria[naam] = [str(w) if isinstance(w, str) else w for w in waarde]
            else:
                criteria[naam] = waarde
        return criteria


class Onderdrukking(BaseModel):
    drempel: int
    teken: str


class Geheimhoudingsblok(BaseModel):
    """The disclosure control an answer got (null: the LKHA's exact figures)."""

    methode: str = Field(
        examples=["cell key method (ABS) + minimum cell size + secondary suppression"]
    )
    drempel: int = Field(description="Minimum cell size: smaller cells are marked, not shown.")
    teken: str = Field(description="The mark of a suppressed cell (never shown as 0).")
    max_ruis: int = Field(description="A shown count differs from the exact one by at most this.")
    bedragen: str = Field(description="How amounts are protected.")
    grofheid: list[str] = Field(description="How the question was coarsened.")


class Afgeschermd(BaseModel):
    """What disclosure control an answer got: both null for the LKHA's exact figures."""

    onderdrukking: Onderdrukking | None = None
    geheimhouding: Geheimhoudingsblok | None = None


class StatistiekVraag(Filters):
    """Counts of meldingen, grouped by any dimensions, filtered, as of a peildatum."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "peildatum": "2019-06-16",
                    "groepeer": ["jaar"],
                    "stage": ["open", "lopend"],
                }
            ]
        },
    )

    groepeer: list[Dimensie] = Field(default_factory=list, examples=[["jaar", "onderwerp"]])


class Groep(BaseModel):
    sleutel: dict[str, Any]
    aantal: Aantal


class Statistieken(Afgeschermd):
    """Counts as of a peildatum: the total, per onderwerp, and per group asked for."""

    peildatum: date
    registratie_tot: datetime | None
    groepeer: list[Dimensie]
    filters: dict[str, Any]
    totaal: Aantal
    per_onderwerp: dict[str, Aantal]
    groepen: list[Groep]


class DoorlooptijdenVraag(Filters):
    """Days from melding to verification and to return, per year of gemeld_op."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"peildatum": "2019-12-31", "onderwerp": ["achterlating"]}]
        },
    )


class Samenvatting(BaseModel):
    aantal: Aantal
    mediaan_dagen: float | None
    min_dagen: int | None
    max_dagen: int | None


class DoorlooptijdPerJaar(BaseModel):
    jaar: int
    meldingen: Aantal
    verificatie: Samenvatting
    terugkeer: Samenvatting


class Doorlooptijden(Afgeschermd):
    peildatum: date
    registratie_tot: datetime | None
    filters: dict[str, Any]
    per_jaar: list[DoorlooptijdPerJaar]


class NoodfondsVraag(Filters):
    """Emergency-fund payments dated within [van, tot], of the meldingen that count."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"van": "2017-01-01", "tot": "2017-12-31"}]},
    )

    van: Datum | None = Field(default=None, description="Payments on or after.")
    tot: Datum | None = Field(default=None, description="Payments on or before.")


class Besteding(BaseModel):
    aantal: Aantal
    totaal_cent: Aantal


class Noodfonds(Afgeschermd):
    peildatum: date
    registratie_tot: datetime | None
    aantal_uitgaven: Aantal
    aantal_zaken: Aantal
    totaal_cent: Aantal
    per_doel: dict[str, Besteding]
    per_jaar: dict[str, Besteding]


class BijstandVraag(Filters):
    """Consular aid per post or per country, of the kinds asked, dated within [van, tot]."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"per": "land", "soort": ["voorlopige_voogdij"]}]},
    )

    per: Per = Per.post
    soort: list[Bijstandsoort] = Field(default_factory=list)
    van: Datum | None = None
    tot: Datum | None = None


class BijstandRij(BaseModel):
    waarde: str | None = Field(description="The post, or the country's ISO code.")
    aantal_zaken: Aantal
    aantal_handelingen: Aantal
    per_soort: dict[str, Aantal]


class ConsulaireBijstand(Afgeschermd):
    peildatum: date
    registratie_tot: datetime | None
    per: Per
    rijen: list[BijstandRij]


class JaarcijfersVraag(Vraag):
    """The annual figures of a year, as of a peildatum (default: as its definition says)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"peildatum": "2018-12-31"}]},
    )


class Rij(BaseModel):
    label: str
    code: str
    aantal: Aantal


class Tabel(BaseModel):
    nummer: int
    titel: str
    n: Aantal
    rijen: list[Rij]
    niet_ingedeeld: Aantal


class PerOnderwerp(BaseModel):
    totaal: Aantal
    per_onderwerp: dict[str, Aantal]


class Verschil(BaseModel):
    totaal: Aantal
    per_onderwerp: dict[str, Aantal]


class VorigJaar(BaseModel):
    jaar: int
    peildatum: date
    totaal: Aantal
    per_onderwerp: dict[str, Aantal]
    verschil: Verschil


class JaarReeks(BaseModel):
    jaar: int
    peildatum: date
    totaal: Aantal
    per_onderwerp: dict[str, Aantal]


class Jaarcijfers(Afgeschermd):
    """The annual figures as published: totals, the previous year, betrokkenen, tables."""

    jaar: int
    titel: str
    definitie: int
    peildatum: date
    registratie_tot: datetime | None
    totaal: Aantal
    per_onderwerp: dict[str, Aantal]
    niet_ingedeeld: Aantal
    vorig_jaar: VorigJaar
    per_betrokkene: dict[str, PerOnderwerp]
    tabellen: list[Tabel]
    meldingen_per_jaar: list[JaarReeks]


class ZaakVraag(BaseModel):
    """One case as of a peildatum (default: today); one-word keys, so no aliases."""

    model_config = ConfigDict(extra="forbid")

    peildatum: Datum | None = Field(default=None, examples=["2018-12-31"])


class Gebeurtenis(BaseModel):
    event_id: str
    event_type: str
    source: str
    recorded_at: datetime
    recorded_by: dict[str, Any] | None
    data: dict[str, Any]


class Zaak(BaseModel):
    """A case as reporting knows it: its state on the peildatum and its timeline."""

    zaak_id: str
    peildatum: date
    staat: dict[str, Any] | None = Field(
        description="The case projection (ZaakStaat) on the peildatum; null before gemeld_op "
        "or when the melding was withdrawn."
    )
    tijdlijn: list[Gebeurtenis]


#: The snake_case query keys of version 1.0, still read as their camelCase successors
#: (deprecated: docs/api-changelog.md; shared/apirules.py QueryAliasMiddleware).
QUERY_ALIASES: dict[str, str] = {
    naam: veld.alias
    for vraag in (StatistiekVraag, DoorlooptijdenVraag, NoodfondsVraag, BijstandVraag, Vraag)
    for naam, veld in vraag.model_fields.items()
    if veld.alias and veld.alias != naam
}
