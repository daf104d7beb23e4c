"""The sentences of the published report, written from the figures (any year, any layout)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from services.reporting.exports.labels import BETROKKENE, ONDERWERP, label


def opsomming(delen: Sequence[str]) -> str:
    """'a', 'a en b', 'a, b en c'."""
    if len(delen) <= 1:
        return "".join(delen)
    return f"{', '.join(delen[:-1])} en {delen[-1]}"


def datum(iso: str) -> str:
    """2018-12-31 -> 31-12-2018, as the report writes dates."""
    return date.fromisoformat(iso[:10]).strftime("%d-%m-%Y")


def totaal_zin(rapport: Mapping[str, Any]) -> str:
    """'In 2018 zijn 57 casussen gemeld, dit zijn er 19 meer dan in 2017.'"""
    jaar, totaal = rapport["jaar"], rapport["totaal"]
    vorig = rapport["vorig_jaar"]
    verschil = vorig["verschil"]["totaal"]
    begin = f"In {jaar} zijn {totaal} casussen gemeld"
    if not isinstance(verschil, int):
        return f"{begin} (in {vorig['jaar']}: {vorig['totaal']})."
    if verschil == 0:
        return f"{begin}, evenveel als in {vorig['jaar']}."
    richting = "meer" if verschil > 0 else "minder"
    return f"{begin}, dit zijn er {abs(verschil)} {richting} dan in {vorig['jaar']}."


def onderwerp_zin(rapport: Mapping[str, Any]) -> str:
    """How each onderwerp changed since the previous year, in one sentence."""
    vorig = rapport["vorig_jaar"]
    delen: list[str] = []
    for onderwerp, nu in rapport["per_onderwerp"].items():
        toen = vorig["per_onderwerp"].get(onderwerp, 0)
        verschil = vorig["verschil"]["per_onderwerp"].get(onderwerp)
        naam = label(ONDERWERP, onderwerp)
        if not isinstance(verschil, int):
            delen.append(f"{naam}: {nu} (vorig jaar {toen})")
        elif toen == 0 and verschil > 0:
            delen.append(f"er zijn {nu} meldingen van {naam} ontvangen")
        elif verschil > 0:
            delen.append(f"het aantal meldingen {naam} nam toe met {verschil}")
        elif verschil < 0:
            delen.append(f"het aantal meldingen {naam} nam af met {-verschil}")
        elif nu:
            delen.append(f"het aantal meldingen {naam} is gelijk gebleven ({nu})")
    if not delen:
        return ""
    zin = opsomming(delen)
    return zin[0].upper() + zin[1:] + "."


def betrokkene_zinnen(rapport: Mapping[str, Any]) -> list[str]:
    """'In 16 gevallen betrof de melding minderjarigen: achterlating 11, ...'."""
    zinnen = []
    for categorie, regel in rapport["per_betrokkene"].items():
        delen = [
            f"{label(ONDERWERP, onderwerp)} {aantal}"
            for onderwerp, aantal in regel["per_onderwerp"].items()
            if aantal != 0
        ]
        zin = f"In {regel['totaal']} gevallen betrof de melding {label(BETROKKENE, categorie)}"
        zinnen.append(f"{zin}: {opsomming(delen)}." if delen else f"{zin}.")
    return zinnen


def kop(rapport: Mapping[str, Any]) -> str:
    """The line under the title: peildatum, registratie_tot, definition, suppression."""
    delen = [f"Peildatum {datum(rapport['peildatum'])}"]
    if rapport.get("registratie_tot"):
        delen.append(f"geregistreerd tot {rapport['registratie_tot']}")
    delen.append(f"indeling {rapport['definitie']}")
    onderdrukking = rapport.get("onderdrukking")
    if onderdrukking:
        delen.append(f"aantallen kleiner dan {onderdrukking['drempel']} zijn afgeschermd")
    return " · ".join(delen)


VOETNOOT = (
    "Niet opgenomen in dit overzicht zijn de adviesvragen van professionals over complexe "
    "casuïstiek."
)
