"""Selection criteria as data: the filter language shared by table definitions and statistics.

A criteria mapping holds, per dimension, the allowed value or list of values
(``{"onderwerp": ["achterlating"], "uitkomst": ["vastgesteld"]}``); all keys must hold.
Special keys:

* ``gemeld_van`` / ``gemeld_tot``: inclusive range on ``gemeld_op`` (ISO date or ``date``);
* ``open_op``: the case was open on that date: gemeld by then and not yet verified (its first
  verification, if any, was decided later), e.g. "the cases open on 31 December 2018" asked
  as of a later peildatum;
* ``niet``: a nested criteria mapping that must *not* hold
  (``{"uitkomst": ["vastgesteld"], "niet": {"afloop": ["teruggekeerd_na_inzet_lkha"]}}``);
* ``zaak_id`` / ``referentie``: restrict to given cases.

``null`` (``None``) is a value like any other, so ``{"afloop": [null]}`` selects cases without
an afloop. Unknown keys are an error, so a typo in a definition fails loudly.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import date
from typing import Any, Final

from .envelope import parse_date
from .geheimhouding import leeftijdsklasse
from .model import ZaakStaat

DIMENSIES: Final[Mapping[str, Callable[[ZaakStaat], object]]] = {
    "onderwerp": lambda z: z.onderwerp,
    "onderwerp_vastgesteld": lambda z: z.onderwerp_vastgesteld,
    "betrokkene": lambda z: z.betrokkene,
    "geslacht": lambda z: z.geslacht,
    "leeftijd": lambda z: z.leeftijd,
    "leeftijdsklasse": lambda z: leeftijdsklasse(z.leeftijd),
    "land": lambda z: z.land,
    "melder": lambda z: z.melder,
    "nationaliteit": lambda z: z.nationaliteit,
    "brp_ingeschreven": lambda z: z.brp_ingeschreven,
    "verblijfsrecht": lambda z: z.verblijfsrecht,
    "bz_betrokken": lambda z: z.bz_betrokken,
    "uitkomst": lambda z: z.uitkomst,
    "reden": lambda z: z.reden,
    "bevinding": lambda z: z.bevinding,
    "afloop": lambda z: z.afloop,
    "teruggekeerd": lambda z: z.teruggekeerd,
    "jaar": lambda z: z.jaar,
    "stage": lambda z: z.stage,
    "consulaire_bijstand": lambda z: z.consulaire_bijstand,
    "herzien": lambda z: z.herzien,
    "zaak_id": lambda z: z.zaak_id,
    "referentie": lambda z: z.referentie,
}
"""Every dimension a count can be grouped by or filtered on, with how to read it."""

BOOLEAN_DIMENSIES: Final = frozenset(
    {
        "brp_ingeschreven",
        "verblijfsrecht",
        "bz_betrokken",
        "teruggekeerd",
        "consulaire_bijstand",
        "herzien",
    }
)
GETAL_DIMENSIES: Final = frozenset({"jaar", "leeftijd"})

DATUMGRENZEN: Final = frozenset({"gemeld_van", "gemeld_tot", "open_op"})
NIET: Final = "niet"

Criteria = Mapping[str, Any]


def waarde(zaak: ZaakStaat, dimensie: str) -> object:
    """The value of one dimension for a case (KeyError for an unknown dimension)."""
    return DIMENSIES[dimensie](zaak)


def controleer(criteria: Criteria) -> None:
    """Raise ``ValueError`` when criteria use an unknown key or a malformed value."""
    for sleutel, toegestaan in criteria.items():
        if sleutel == NIET:
            if not isinstance(toegestaan, Mapping):
                raise ValueError("'niet' must hold a criteria mapping")
            controleer(toegestaan)
        elif sleutel in DATUMGRENZEN:
            if parse_date(toegestaan) is None:
                raise ValueError(f"{sleutel} must be an ISO date, got {toegestaan!r}")
        elif sleutel not in DIMENSIES:
            bekend = ", ".join(sorted([*DIMENSIES, *DATUMGRENZEN, NIET]))
            raise ValueError(f"unknown criterion {sleutel!r}; known: {bekend}")


def _toegestaan(waarden: object) -> list[object]:
    if isinstance(waarden, list | tuple | set | frozenset):
        return list(waarden)
    return [waarden]


def _gelijk(a: object, b: object) -> bool:
    # Keep True and 1 apart: a bool only matches a bool.
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a is b
    return a == b


def voldoet(zaak: ZaakStaat, criteria: Criteria) -> bool:
    """True when the case meets all criteria."""
    for sleutel, toegestaan in criteria.items():
        if sleutel == NIET:
            if voldoet(zaak, toegestaan):
                return False
        elif sleutel == "gemeld_van":
            grens = parse_date(toegestaan)
            if grens is None or zaak.gemeld_op < grens:
                return False
        elif sleutel == "gemeld_tot":
            grens = parse_date(toegestaan)
            if grens is None or zaak.gemeld_op > grens:
                return False
        elif sleutel == "open_op":
            if not _open_op(zaak, parse_date(toegestaan)):
                return False
        else:
            eigen = waarde(zaak, sleutel)
            if not any(_gelijk(eigen, w) for w in _toegestaan(toegestaan)):
                return False
    return True


def _open_op(zaak: ZaakStaat, dag: date | None) -> bool:
    if dag is None or zaak.gemeld_op > dag:
        return False
    return zaak.verificatie_datum is None or zaak.verificatie_datum > dag


def selecteer(zaken: Iterable[ZaakStaat], criteria: Criteria | None = None) -> list[ZaakStaat]:
    """The cases meeting the criteria (all cases when there are none)."""
    if not criteria:
        return list(zaken)
    controleer(criteria)
    return [z for z in zaken if voldoet(z, criteria)]


def met_periode(
    criteria: Criteria | None, gemeld_van: date | None, gemeld_tot: date | None
) -> dict[str, Any]:
    """Criteria extended with an inclusive gemeld_op range."""
    uitgebreid = dict(criteria or {})
    if gemeld_van is not None:
        uitgebreid["gemeld_van"] = gemeld_van.isoformat()
    if gemeld_tot is not None:
        uitgebreid["gemeld_tot"] = gemeld_tot.isoformat()
    return uitgebreid


def _uit_tekst(dimensie: str, tekst: str) -> object:
    tekst = tekst.strip()
    if tekst in {"null", "none", ""}:
        return None
    if dimensie in BOOLEAN_DIMENSIES:
        if tekst.lower() not in {"true", "false"}:
            raise ValueError(f"{dimensie} must be true or false, got {tekst!r}")
        return tekst.lower() == "true"
    if dimensie in GETAL_DIMENSIES:
        try:
            return int(tekst)
        except ValueError as fout:
            raise ValueError(f"{dimensie} must be a whole number, got {tekst!r}") from fout
    return tekst


def criteria_uit_query(parameters: Mapping[str, str | Iterable[str]]) -> dict[str, Any]:
    """Criteria from query-string parameters (for the HTTP layer).

    ``{"onderwerp": "achterlating,huwelijksdwang", "bz_betrokken": "true", "jaar": "2018",
    "gemeld_van": "2018-01-01"}``: comma-separated or repeated values; ``true``/``false`` for
    yes/no dimensions, whole numbers for jaar and leeftijd, ``null`` for unknown. Unknown
    keys raise ``ValueError``; strip non-filter parameters (peildatum, groepeer) first.
    """
    criteria: dict[str, Any] = {}
    for sleutel, ruw in parameters.items():
        teksten = [ruw] if isinstance(ruw, str) else list(ruw)
        if sleutel in DATUMGRENZEN:
            criteria[sleutel] = teksten[-1]
            continue
        if sleutel not in DIMENSIES:
            raise ValueError(f"unknown filter {sleutel!r}; known: {', '.join(sorted(DIMENSIES))}")
        criteria[sleutel] = [
            _uit_tekst(sleutel, deel) for tekst in teksten for deel in tekst.split(",")
        ]
    controleer(criteria)
    return criteria
