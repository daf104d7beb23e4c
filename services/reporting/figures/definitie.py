"""Versioned jaarcijfers definitions: table layouts as data (definitions/jaarcijfers_<jaar>.json).

A definition applies from its ``jaar`` until a newer definition exists: for a requested year
the newest definition whose ``jaar`` is not after it is used, so 2019 reuses the 2018 layout
until someone adds ``jaarcijfers_2019.json``. Nothing year-specific lives in code.

File format (all keys but ``tabellen`` optional)::

    {"jaar": 2018,
     "titel": "... jaarcijfers {jaar}",
     "peildatum": {"maand": 12, "dag": 31},       # default peildatum within the year
     "populatie": {},                              # criteria: which meldingen count at all
     "onderwerpen": ["huwelijksdwang", ...],       # text figures: per onderwerp, in this order
     "betrokkenen": ["minderjarige", ...],         # text figures: per betrokkene x onderwerp
     "tabellen": [{"nummer": 1, "titel": "Overzicht meldingen {jaar}", "populatie": {...},
                   "rijen": [{"label": "...", "code": "...", "match": {...}}]}]}

Titles are kept as published; ``{jaar}`` and ``{n}`` placeholders are filled in when present.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Final

from .selectie import controleer

DEFINITIE_MAP: Final = Path(__file__).resolve().parent / "definitions"
"""Where the JSON definitions live."""

PATROON: Final = "jaarcijfers_*.json"


class DefinitieFout(ValueError):
    """A definition file is malformed or no definition applies."""


@dataclass(frozen=True, slots=True)
class RijDefinitie:
    label: str
    code: str
    match: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class TabelDefinitie:
    nummer: int
    titel: str
    populatie: Mapping[str, Any]
    rijen: tuple[RijDefinitie, ...]
    toelichting: str | None = None

    def titel_voor(self, jaar: int, n: int) -> str:
        """The title with ``{jaar}`` and ``{n}`` filled in (published quirks kept verbatim)."""
        return self.titel.replace("{jaar}", str(jaar)).replace("{n}", str(n))


@dataclass(frozen=True, slots=True)
class Definitie:
    jaar: int
    titel: str
    peildatum_maand: int
    peildatum_dag: int
    populatie: Mapping[str, Any]
    onderwerpen: tuple[str, ...]
    betrokkenen: tuple[str, ...]
    tabellen: tuple[TabelDefinitie, ...]
    bron: str | None = None

    def standaard_peildatum(self, jaar: int) -> date:
        """The default peildatum for a report year (31 December unless defined otherwise)."""
        return date(jaar, self.peildatum_maand, self.peildatum_dag)

    def titel_voor(self, jaar: int) -> str:
        return self.titel.replace("{jaar}", str(jaar))


def _criteria(waarde: object, waar: str) -> Mapping[str, Any]:
    if waarde is None:
        return {}
    if not isinstance(waarde, Mapping):
        raise DefinitieFout(f"{waar}: criteria must be an object")
    try:
        controleer(waarde)
    except ValueError as fout:
        raise DefinitieFout(f"{waar}: {fout}") from fout
    return waarde


def _tekst(ruw: Mapping[str, Any], sleutel: str, waar: str) -> str:
    waarde = ruw.get(sleutel)
    if not isinstance(waarde, str) or not waarde:
        raise DefinitieFout(f"{waar}: {sleutel!r} must be a non-empty string")
    return waarde


def _tabel(ruw: Mapping[str, Any], waar: str) -> TabelDefinitie:
    nummer = ruw.get("nummer")
    if not isinstance(nummer, int):
        raise DefinitieFout(f"{waar}: 'nummer' must be an integer")
    waar = f"{waar} tabel {nummer}"
    rijen_ruw = ruw.get("rijen")
    if not isinstance(rijen_ruw, list) or not rijen_ruw:
        raise DefinitieFout(f"{waar}: 'rijen' must be a non-empty list")
    rijen = tuple(
        RijDefinitie(
            label=_tekst(rij, "label", waar),
            code=_tekst(rij, "code", waar),
            match=_criteria(rij.get("match"), f"{waar} rij {rij.get('code')}"),
        )
        for rij in rijen_ruw
    )
    toelichting = ruw.get("toelichting")
    return TabelDefinitie(
        nummer=nummer,
        titel=_tekst(ruw, "titel", waar),
        populatie=_criteria(ruw.get("populatie"), waar),
        rijen=rijen,
        toelichting=toelichting if isinstance(toelichting, str) else None,
    )


def _codes(ruw: object, waar: str) -> tuple[str, ...]:
    if not isinstance(ruw, list) or not all(isinstance(c, str) for c in ruw):
        raise DefinitieFout(f"{waar} must be a list of codes")
    return tuple(ruw)


def definitie_uit_dict(ruw: Mapping[str, Any], waar: str = "definitie") -> Definitie:
    """Validate and build a :class:`Definitie` from parsed JSON."""
    jaar = ruw.get("jaar")
    if not isinstance(jaar, int):
        raise DefinitieFout(f"{waar}: 'jaar' must be an integer")
    peildatum = ruw.get("peildatum") or {"maand": 12, "dag": 31}
    if not isinstance(peildatum, Mapping):
        raise DefinitieFout(f"{waar}: 'peildatum' must be an object")
    tabellen_ruw = ruw.get("tabellen")
    if not isinstance(tabellen_ruw, list):
        raise DefinitieFout(f"{waar}: 'tabellen' must be a list")
    definitie = Definitie(
        jaar=jaar,
        titel=str(ruw.get("titel") or "Jaarcijfers {jaar}"),
        peildatum_maand=int(peildatum.get("maand", 12)),
        peildatum_dag=int(peildatum.get("dag", 31)),
        populatie=_criteria(ruw.get("populatie"), waar),
        onderwerpen=_codes(ruw.get("onderwerpen", []), f"{waar}: 'onderwerpen'"),
        betrokkenen=_codes(ruw.get("betrokkenen", []), f"{waar}: 'betrokkenen'"),
        tabellen=tuple(_tabel(t, waar) for t in tabellen_ruw),
        bron=ruw.get("bron") if isinstance(ruw.get("bron"), str) else None,
    )
    nummers = [t.nummer for t in definitie.tabellen]
    if len(nummers) != len(set(nummers)):
        raise DefinitieFout(f"{waar}: table numbers must be unique")
    definitie.standaard_peildatum(jaar)  # raises ValueError on an impossible month/day
    return definitie


def lees_definitie(pad: Path) -> Definitie:
    """Read and validate one definition file."""
    with pad.open(encoding="utf-8") as bestand:
        ruw = json.load(bestand)
    if not isinstance(ruw, Mapping):
        raise DefinitieFout(f"{pad.name}: must hold a JSON object")
    return definitie_uit_dict(ruw, pad.name)


def beschikbare_definities(map_: Path | None = None) -> list[Definitie]:
    """All definitions in a directory, oldest first."""
    paden = sorted((map_ or DEFINITIE_MAP).glob(PATROON))
    definities = sorted((lees_definitie(p) for p in paden), key=lambda d: d.jaar)
    jaren = [d.jaar for d in definities]
    if len(jaren) != len(set(jaren)):
        raise DefinitieFout("two definitions for the same year")
    return definities


def laad_definitie(jaar: int, map_: Path | None = None) -> Definitie:
    """The definition in force for a report year: the newest one whose jaar <= jaar."""
    geldig = [d for d in beschikbare_definities(map_) if d.jaar <= jaar]
    if not geldig:
        raise DefinitieFout(f"no jaarcijfers definition applies to {jaar}")
    return geldig[-1]
