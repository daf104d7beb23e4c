"""The agenda of the next regieoverleg, from verification's answer, in three parts.

Verification decides which cases are on the agenda and why (GET
/v1/regieoverleggen/agenda); the page groups them by reason and adds what reporting knows
of each case (betrokkene, uitkomst).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from services.reporting.figures.envelope import parse_date, parse_str
from services.reporting.figures.model import ZaakStaat
from services.reporting.web import labels
from services.reporting.web.labels import label
from services.reporting.web.tijdlijn import Actie
from services.reporting.web.zakenlijst import Zaakrij


@dataclass(frozen=True)
class Ontwikkeling:
    """A dated step since the previous overleg; soort is `event_type[:code]`."""

    soort: str
    datum: date | None
    bron: str | None

    @property
    def tekst(self) -> str:
        """'Geverifieerd: vastgesteld', 'Consulaire bijstand: reisdocument verstrekt', ..."""
        soort, _, code = self.soort.partition(":")
        wat = label(labels.GEBEURTENIS, soort)
        return f"{wat}: {label(_DETAIL.get(soort, {}), code)}" if code else wat


_DETAIL = {
    "geverifieerd": labels.UITKOMST,
    "herzien": labels.UITKOMST,
    "bijstand_verleend": labels.BIJSTAND,
    "afloop_vastgelegd": labels.AFLOOP,
}


@dataclass(frozen=True)
class Agendapunt:
    rij: Zaakrij
    redenen: tuple[str, ...]
    ontwikkelingen: tuple[Ontwikkeling, ...]


@dataclass(frozen=True)
class Sectie:
    reden: str
    titel: str
    uitleg: str
    leeg: str
    punten: list[Agendapunt]


SECTIES = (
    (
        "niet_geverifieerd",
        "Nieuw en nog niet geverifieerd",
        "Meldingen zonder uitkomst van de verificatie, oudste eerst.",
        "Geen nieuwe of ongeverifieerde zaken.",
    ),
    (
        "actie_verlopen",
        "Acties over de deadline",
        "Zaken met een actie uit een eerder regieoverleg die nog open staat na de deadline.",
        "Geen acties over de deadline.",
    ),
    (
        "recente_ontwikkeling",
        "Recente ontwikkelingen",
        "Zaken waarin sinds het vorige overleg iets is gebeurd.",
        "Geen ontwikkelingen sinds het vorige overleg.",
    ),
)


def _acties(punt: Mapping[str, Any], zaak_id: str) -> tuple[Actie, ...]:
    acties = []
    for ruw in punt.get("open_acties") or []:
        if not isinstance(ruw, Mapping):
            continue
        acties.append(
            Actie(
                overleg_id=str(ruw.get("overleg_id")),
                actie_id=str(ruw.get("actie_id")),
                zaak_id=zaak_id,
                eigenaar=parse_str(ruw.get("eigenaar")),
                omschrijving=parse_str(ruw.get("omschrijving")),
                deadline=parse_date(ruw.get("deadline")),
                afgesproken_op=None,
            )
        )
    return tuple(acties)


def agendapunt(
    punt: Mapping[str, Any], datum: date, zaak: Callable[[str], ZaakStaat | None]
) -> Agendapunt | None:
    """One case on the agenda (None for an entry that is not a case)."""
    zaak_id = parse_str(punt.get("zaak_id"))
    gemeld_op = parse_date(punt.get("gemeld_op"))
    if zaak_id is None or gemeld_op is None:
        return None
    bekend = zaak(zaak_id)
    acties = _acties(punt, zaak_id)
    rij = Zaakrij(
        zaak_id=zaak_id,
        referentie=parse_str(punt.get("referentie")) or zaak_id,
        gemeld_op=gemeld_op,
        dagen=(datum - gemeld_op).days,
        fase=parse_str(punt.get("stage")) or (bekend.stage if bekend else "open"),
        onderwerp=parse_str(punt.get("onderwerp")),
        betrokkene=bekend.betrokkene if bekend else None,
        land=parse_str(punt.get("land")),
        uitkomst=bekend.uitkomst if bekend else "open",
        open_acties=acties,
        te_laat=sum(1 for a in acties if a.te_laat(datum)),
    )
    ontwikkelingen = tuple(
        Ontwikkeling(
            soort=str(o.get("soort")),
            datum=parse_date(o.get("datum")),
            bron=parse_str(o.get("bron")),
        )
        for o in punt.get("ontwikkelingen") or []
        if isinstance(o, Mapping)
    )
    redenen = tuple(str(r) for r in punt.get("redenen") or [])
    return Agendapunt(rij=rij, redenen=redenen, ontwikkelingen=ontwikkelingen)


def secties(
    agenda: Mapping[str, Any], datum: date, zaak: Callable[[str], ZaakStaat | None]
) -> list[Sectie]:
    """The agenda in three parts; a case is in each part it has a reason for."""
    punten: Sequence[Agendapunt] = [
        p for p in (agendapunt(z, datum, zaak) for z in agenda.get("zaken") or []) if p is not None
    ]
    uitkomst = []
    for reden, titel, uitleg, leeg in SECTIES:
        eigen = [p for p in punten if reden in p.redenen]
        if reden == "niet_geverifieerd":
            eigen.sort(key=lambda p: (-p.rij.dagen, p.rij.referentie))
        uitkomst.append(Sectie(reden, titel, uitleg, leeg, eigen))
    return uitkomst
