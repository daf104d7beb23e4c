"""Lead times (doorlooptijden): days from melding to verification and to return.

* verificatie: ``verificatie_datum - gemeld_op`` for cases verified on the peildatum
  (the first verification; a later herziening does not reset the clock);
* terugkeer: ``afloop_datum - gemeld_op`` for cases whose afloop is a return to the
  Netherlands (``teruggekeerd_met_ondersteuning`` or ``teruggekeerd_na_inzet_lkha``).

Medians are per year of gemeld_op, in days (a .5 when the count is even).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from statistics import median
from typing import Any

from .model import ZaakStaat
from .selectie import Criteria, selecteer


def _samenvatting(dagen: list[int]) -> dict[str, Any]:
    if not dagen:
        return {"aantal": 0, "mediaan_dagen": None, "min_dagen": None, "max_dagen": None}
    return {
        "aantal": len(dagen),
        "mediaan_dagen": median(dagen),
        "min_dagen": min(dagen),
        "max_dagen": max(dagen),
    }


def dagen_tot_verificatie(zaak: ZaakStaat) -> int | None:
    """Days from gemeld_op to the first verification, or None when not verified."""
    if zaak.verificatie_datum is None:
        return None
    return (zaak.verificatie_datum - zaak.gemeld_op).days


def dagen_tot_terugkeer(zaak: ZaakStaat) -> int | None:
    """Days from gemeld_op to the return, or None when the afloop is not a return."""
    if not zaak.teruggekeerd or zaak.afloop_datum is None:
        return None
    return (zaak.afloop_datum - zaak.gemeld_op).days


def doorlooptijden(
    zaken: Iterable[ZaakStaat], filters: Criteria | None = None
) -> list[dict[str, Any]]:
    """Per year of gemeld_op: ``{jaar, meldingen, verificatie: {aantal, mediaan_dagen, min_dagen,
    max_dagen}, terugkeer: {...}}``, oldest year first."""
    verificatie: dict[int, list[int]] = defaultdict(list)
    terugkeer: dict[int, list[int]] = defaultdict(list)
    meldingen: dict[int, int] = defaultdict(int)
    for zaak in selecteer(zaken, filters):
        meldingen[zaak.jaar] += 1
        if (dagen := dagen_tot_verificatie(zaak)) is not None:
            verificatie[zaak.jaar].append(dagen)
        if (dagen := dagen_tot_terugkeer(zaak)) is not None:
            terugkeer[zaak.jaar].append(dagen)
    return [
        {
            "jaar": jaar,
            "meldingen": meldingen[jaar],
            "verificatie": _samenvatting(verificatie[jaar]),
            "terugkeer": _samenvatting(terugkeer[jaar]),
        }
        for jaar in sorted(meldingen)
    ]
