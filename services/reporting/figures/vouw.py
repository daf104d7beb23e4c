"""Folding one case's events into a ``ZaakStaat`` (the rules are in projection.py's docstring).

``melding_uit`` applies the intake events (gemeld, gecorrigeerd, ingetrokken) regardless of the
peildatum; ``Verloop`` folds the other events in business-date order; ``staat_uit`` builds the
frozen result.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Final

from .envelope import Event, parse_bool, parse_int, parse_str
from .model import OPEN, STAGE_AFGESLOTEN, STAGE_LOPEND, STAGE_OPEN, Bijstand, ZaakStaat

NOOIT_MELDING: Final = frozenset({"adviesvraag_ontvangen"})
"""Event types that never make or change a melding."""

RETROACTIEF: Final = frozenset({"gemeld", "gecorrigeerd", "ingetrokken"})
"""Intake events handled outside the business-date fold (see projection.py)."""

CORRIGEERBAAR: Final = frozenset(
    {
        "onderwerp",
        "betrokkene",
        "land",
        "gemeld_op",
        # Not in contract v1, accepted tolerantly should intake ever correct them:
        "melder",
        "nationaliteit",
        "brp_ingeschreven",
        "verblijfsrecht",
        "bz_betrokken",
    }
)

Melding = tuple[dict[str, Any], tuple[str, ...]]
"""The melding's data with corrections applied, and the names of the corrected fields."""


def melding_uit(events: Sequence[Event]) -> Melding | None:
    """The melding's data with all known corrections applied, or None when there is none."""
    gemeld = sorted((e for e in events if e.event_type == "gemeld"), key=lambda e: e.volgorde)
    if not gemeld or any(e.event_type == "ingetrokken" for e in events):
        return None
    melding = dict(gemeld[0].data)
    melding.setdefault("gemeld_op", gemeld[0].datum.isoformat())
    gewijzigd: list[str] = []
    correcties = sorted((e for e in events if e.event_type == "gecorrigeerd"), key=_correctie_orde)
    for correctie in correcties:
        wijzigingen = correctie.data.get("wijzigingen")
        if not isinstance(wijzigingen, Mapping):
            continue
        for veld, nieuw in wijzigingen.items():
            if veld not in CORRIGEERBAAR:
                continue
            oud = melding.get(veld)
            if isinstance(oud, Mapping) and isinstance(nieuw, Mapping):
                nieuw = {**oud, **nieuw}
            elif veld == "betrokkene" and isinstance(nieuw, str) and isinstance(oud, Mapping):
                nieuw = {**oud, "categorie": nieuw}
            melding[veld] = nieuw
            if veld not in gewijzigd:
                gewijzigd.append(veld)
    return melding, tuple(gewijzigd)


def _correctie_orde(event: Event) -> tuple[datetime, date, str]:
    return (event.recorded_at, event.datum, event.event_id)


@dataclass
class Verloop:
    """Mutable accumulator for the business-date fold of one case."""

    uitkomst: str = OPEN
    reden: str | None = None
    bevinding: str | None = None
    onderwerp_vastgesteld: str | None = None
    verificatie_datum: date | None = None
    uitkomst_besloten_op: date | None = None
    herzien: bool = False
    afloop: str | None = None
    afloop_datum: date | None = None
    bijstand: list[Bijstand] = field(default_factory=list)
    onderzoek_gestart_op: date | None = None
    afgesloten_op: date | None = None
    nazorg_op: date | None = None
    regieoverleggen: int = 0

    def verwerk(self, event: Event) -> None:
        data = event.data
        soort = event.event_type
        if soort == "geverifieerd":
            self._geverifieerd(event)
        elif soort == "onderzoek_gestart":
            self.onderzoek_gestart_op = self.onderzoek_gestart_op or event.datum
        elif soort == "afloop_vastgelegd":
            self.afloop = parse_str(data.get("afloop"))
            self.afloop_datum = event.datum
        elif soort == "bijstand_verleend":
            self.bijstand.append(_bijstand(event))
        elif soort == "afgesloten":
            self.afgesloten_op = event.datum
        elif soort == "heropend":
            self.afgesloten_op = None
        elif soort == "nazorg_geregeld":
            self.nazorg_op = self.nazorg_op or event.datum
        elif soort == "regieoverleg_gehouden":
            self.regieoverleggen += 1

    def _geverifieerd(self, event: Event) -> None:
        data = event.data
        uitkomst = parse_str(data.get("uitkomst"))
        if uitkomst is None:
            return
        if self.verificatie_datum is None:
            self.verificatie_datum = event.datum
        else:
            self.herzien = True
        self.uitkomst = uitkomst
        self.uitkomst_besloten_op = event.datum
        self.reden = parse_str(data.get("reden")) if uitkomst == "onbekend" else None
        self.bevinding = (
            parse_str(data.get("bevinding")) if uitkomst == "niet_vastgesteld" else None
        )
        self.onderwerp_vastgesteld = parse_str(data.get("onderwerp"))

    @property
    def stage(self) -> str:
        if self.afgesloten_op is not None:
            return STAGE_AFGESLOTEN
        return STAGE_OPEN if self.uitkomst == OPEN else STAGE_LOPEND


def _bijstand(event: Event) -> Bijstand:
    data = event.data
    return Bijstand(
        soort=parse_str(data.get("soort")) or "onbekend",
        datum=event.datum,
        post=parse_str(data.get("post")),
        bedrag_cent=parse_int(data.get("bedrag_cent")),
        doel=parse_str(data.get("doel")),
        document=parse_str(data.get("document")),
        via=parse_str(data.get("via")),
        antwoord=parse_str(data.get("antwoord")),
    )


def staat_uit(
    zaak_id: str,
    melding: Mapping[str, Any],
    gemeld_op: date,
    gecorrigeerd: tuple[str, ...],
    verloop: Verloop,
) -> ZaakStaat:
    betrokkene = melding.get("betrokkene")
    persoon: Mapping[str, Any] = betrokkene if isinstance(betrokkene, Mapping) else {}
    categorie = parse_str(betrokkene) if isinstance(betrokkene, str) else None
    melder = melding.get("melder")
    door: Mapping[str, Any] = melder if isinstance(melder, Mapping) else {}
    geboortejaar = parse_int(persoon.get("geboortejaar"))
    leeftijd = parse_int(persoon.get("leeftijd"))
    if leeftijd is None and geboortejaar is not None:
        leeftijd = gemeld_op.year - geboortejaar
    land = parse_str(melding.get("land"))
    return ZaakStaat(
        zaak_id=zaak_id,
        referentie=parse_str(melding.get("referentie")),
        gemeld_op=gemeld_op,
        onderwerp=parse_str(melding.get("onderwerp")),
        betrokkene=categorie or parse_str(persoon.get("categorie")),
        geslacht=parse_str(persoon.get("geslacht")),
        geboortejaar=geboortejaar,
        leeftijd=leeftijd,
        aantal_kinderen=parse_int(persoon.get("aantal_kinderen")),
        land=land.upper() if land else None,
        melder=parse_str(door.get("type")) or (melder if isinstance(melder, str) else None),
        melder_organisatie=parse_str(door.get("organisatie")),
        nationaliteit=parse_str(melding.get("nationaliteit")),
        brp_ingeschreven=parse_bool(melding.get("brp_ingeschreven")),
        verblijfsrecht=parse_bool(melding.get("verblijfsrecht")),
        bz_betrokken=parse_bool(melding.get("bz_betrokken")),
        uitkomst=verloop.uitkomst,
        reden=verloop.reden,
        bevinding=verloop.bevinding,
        onderwerp_vastgesteld=verloop.onderwerp_vastgesteld,
        verificatie_datum=verloop.verificatie_datum,
        uitkomst_besloten_op=verloop.uitkomst_besloten_op,
        herzien=verloop.herzien,
        afloop=verloop.afloop,
        afloop_datum=verloop.afloop_datum,
        bijstand=tuple(verloop.bijstand),
        consulaire_bijstand=bool(verloop.bijstand),
        stage=verloop.stage,
        onderzoek_gestart_op=verloop.onderzoek_gestart_op,
        afgesloten_op=verloop.afgesloten_op,
        nazorg_op=verloop.nazorg_op,
        regieoverleggen=verloop.regieoverleggen,
        gecorrigeerd=gecorrigeerd,
    )
