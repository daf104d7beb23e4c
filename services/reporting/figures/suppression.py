"""Plain small-cell suppression of a computed report (the core's ``onderdrukking_drempel``).

The figures that leave the LKHA get more than this: .geheimhouding (coarse questions, the
cell key method, minimum cell size and secondary suppression), applied by the service for
every role without case access.

Primary suppression: a count ``0 < aantal < drempel`` is shown as ``"<drempel"`` (zeros stay
visible unless ``onderdruk_nul``). Secondary suppression: the total of a row is published,
so a row with exactly one suppressed cell would give it away (total minus the other cells);
then the next smallest cell is suppressed too, preferring a non-zero cell. A row of one
suppressed cell cannot be protected that way, so its total is suppressed instead.

Limits: protection is per row (table, per-onderwerp line, per-betrokkene line); a table's
``n`` that is itself small is suppressed, but no attempt is made to solve suppression across
tables (linked tables) as a full statistical-disclosure tool would.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

Cel = int | str


def teken(drempel: int) -> str:
    """How a suppressed cell is shown."""
    return f"<{drempel}"


def _klein(aantal: int, drempel: int, onderdruk_nul: bool) -> bool:
    return aantal < drempel and (aantal > 0 or onderdruk_nul)


def onderdruk(
    cellen: Mapping[str, int], drempel: int = 5, *, onderdruk_nul: bool = False
) -> dict[str, Cel]:
    """Suppress one row of cells whose total is published (primary + secondary)."""
    if drempel < 1:
        raise ValueError("drempel must be at least 1")
    onderdrukt = {k for k, v in cellen.items() if _klein(v, drempel, onderdruk_nul)}
    if len(onderdrukt) == 1:
        kandidaten = sorted(
            (v == 0, v, i, k) for i, (k, v) in enumerate(cellen.items()) if k not in onderdrukt
        )
        if kandidaten:
            onderdrukt.add(kandidaten[0][3])
    return {k: (teken(drempel) if k in onderdrukt else v) for k, v in cellen.items()}


def onderdruk_rij(
    cellen: Mapping[str, int], totaal: int, drempel: int = 5, *, onderdruk_nul: bool = False
) -> tuple[dict[str, Cel], Cel]:
    """Like :func:`onderdruk`, also deciding whether the row total must go."""
    getoond = onderdruk(cellen, drempel, onderdruk_nul=onderdruk_nul)
    verborgen = [k for k, v in getoond.items() if isinstance(v, str)]
    enige_cel = len(cellen) == 1 and len(verborgen) == 1
    klein_totaal = _klein(totaal, drempel, onderdruk_nul=False)
    return getoond, (teken(drempel) if enige_cel or klein_totaal else totaal)


def onderdruk_telling(telling: Mapping[str, Any], drempel: int = 5) -> dict[str, Any]:
    """Suppress a :func:`~.statistieken.tel` result (its groups are one row with a total)."""
    resultaat = copy.deepcopy(dict(telling))
    groepen = resultaat.get("groepen", [])
    cellen = {str(i): int(g["aantal"]) for i, g in enumerate(groepen)}
    getoond, totaal = onderdruk_rij(cellen, int(resultaat.get("totaal", 0)), drempel)
    for i, groep in enumerate(groepen):
        groep["aantal"] = getoond[str(i)]
    resultaat["totaal"] = totaal
    resultaat["onderdrukking"] = {"drempel": drempel, "teken": teken(drempel)}
    return resultaat


def _tabel(tabel: dict[str, Any], drempel: int) -> None:
    cellen = {str(i): int(r["aantal"]) for i, r in enumerate(tabel["rijen"])}
    n = int(tabel["n"])
    getoond, totaal = onderdruk_rij(cellen, n, drempel)
    for i, rij in enumerate(tabel["rijen"]):
        rij["aantal"] = getoond[str(i)]
    if isinstance(totaal, str):
        tabel["n"] = totaal
        tabel["titel"] = str(tabel["titel"]).replace(f"n={n}", f"n={totaal}")


def onderdruk_jaarcijfers(rapport: Mapping[str, Any], drempel: int = 5) -> dict[str, Any]:
    """A suppressed copy of a :func:`~.jaarcijfers.bereken_jaarcijfers` result."""
    uit = copy.deepcopy(dict(rapport))
    for tabel in uit["tabellen"]:
        _tabel(tabel, drempel)
    uit["per_onderwerp"], uit["totaal"] = onderdruk_rij(
        uit["per_onderwerp"], uit["totaal"], drempel
    )
    vorig = uit["vorig_jaar"]
    vorig["per_onderwerp"], vorig["totaal"] = onderdruk_rij(
        vorig["per_onderwerp"], vorig["totaal"], drempel
    )
    verschil = vorig["verschil"]["per_onderwerp"]
    for onderwerp in verschil:
        if isinstance(uit["per_onderwerp"][onderwerp], str) or isinstance(
            vorig["per_onderwerp"][onderwerp], str
        ):
            verschil[onderwerp] = teken(drempel)
    if isinstance(uit["totaal"], str) or isinstance(vorig["totaal"], str):
        vorig["verschil"]["totaal"] = teken(drempel)
    for regel in uit["per_betrokkene"].values():
        regel["per_onderwerp"], regel["totaal"] = onderdruk_rij(
            regel["per_onderwerp"], regel["totaal"], drempel
        )
    uit["onderdrukking"] = {"drempel": drempel, "teken": teken(drempel)}
    return uit


def onderdruk_doorlooptijden(antwoord: Mapping[str, Any], drempel: int = 5) -> dict[str, Any]:
    """A suppressed copy of lead times: a year or a summary over fewer than ``drempel`` cases
    shows its count as ``"<drempel"`` and no days (a median of two cases gives them away)."""
    uit = copy.deepcopy(dict(antwoord))
    for regel in uit["per_jaar"]:
        if _klein(int(regel["meldingen"]), drempel, onderdruk_nul=False):
            regel["meldingen"] = teken(drempel)
        for soort in ("verificatie", "terugkeer"):
            samenvatting = regel[soort]
            if _klein(int(samenvatting["aantal"]), drempel, onderdruk_nul=False):
                regel[soort] = {
                    "aantal": teken(drempel),
                    "mediaan_dagen": None,
                    "min_dagen": None,
                    "max_dagen": None,
                }
    uit["onderdrukking"] = {"drempel": drempel, "teken": teken(drempel)}
    return uit
