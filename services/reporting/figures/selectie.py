"""Selection criteria as data: the filter language shared by table definitions and statistics.

A criteria mapping holds, per dimension, the allowed value or list of values
(``{"onderwerp": ["achterlating"], "uitkomst": ["vastgesteld"]}``); all keys must hold.
Special keys:

* ``gemeld_van`` / ``gemeld_tot``: inclusive range on ``gemeld_op`` (ISO date or ``date``);
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
from .model import ZaakStaat

DIMENSIES: Final[Mapping[str, Callable[[ZaakStaat], object]]] = {
    "onderwerp": lambda z: z.onderwerp,
    "onderwerp_vastgesteld": lambda z: z.onderwerp_vastgesteld,
    "betrokkene": lambda z: z.betrokkene,
    "geslacht": lambda z: z.geslacht,
    "leeftijd": lambda z: z.leeftijd,
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

DATUMGRENZEN: Final = frozenset({"gemeld_van", "gemeld_tot"})
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
        else:
            eigen = waarde(zaak, sleutel)
            if not any(_gelijk(eigen, w) for w in _toegestaan(toegestaan)):
                return False
    return True


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
