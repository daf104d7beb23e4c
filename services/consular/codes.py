"""The codes consular records and reads, in the users' words (DOMAIN.md, docs/contracts.md).

Consular keeps its own copy of the codes it needs: services never import each other.
"""

from __future__ import annotations

import json
import unicodedata
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path


class BijstandSoort(StrEnum):
    """A kind of consular aid."""

    bijstand_gestart = "bijstand_gestart"
    reisdocument_verstrekt = "reisdocument_verstrekt"
    noodfonds_uitgave = "noodfonds_uitgave"
    opvang_geregeld = "opvang_geregeld"
    contact_lokale_autoriteiten = "contact_lokale_autoriteiten"
    vervangende_toestemming = "vervangende_toestemming"
    voorlopige_voogdij = "voorlopige_voogdij"


class Reisdocument(StrEnum):
    noodpaspoort = "noodpaspoort"
    laissez_passer = "laissez_passer"


class NoodfondsDoel(StrEnum):
    tickets = "tickets"
    reisdocument = "reisdocument"
    opvang = "opvang"


class OpvangVia(StrEnum):
    safehouse = "safehouse"
    lokale_ngo = "lokale_ngo"


class AntwoordAutoriteiten(StrEnum):
    medewerking = "medewerking"
    geweigerd = "geweigerd"
    geen_antwoord = "geen_antwoord"


class Afloop(StrEnum):
    """How an established case ended ("teruggekeerd" when it is a return)."""

    teruggekeerd_met_ondersteuning = "teruggekeerd_met_ondersteuning"
    teruggekeerd_na_inzet_lkha = "teruggekeerd_na_inzet_lkha"
    wil_geen_hulp = "wil_geen_hulp"
    niet_teruggekeerd = "niet_teruggekeerd"


class BetrokkeneCategorie(StrEnum):
    minderjarige = "minderjarige"
    volwassene = "volwassene"
    moeder_met_minderjarige_kinderen = "moeder_met_minderjarige_kinderen"


#: The verification outcome that makes a case established (the others do not).
VASTGESTELD = "vastgesteld"

#: Aid that a court or the RvdK gives for a minor: only for cases about minors.
ALLEEN_VOOR_MINDERJARIGEN = frozenset(
    {BijstandSoort.vervangende_toestemming, BijstandSoort.voorlopige_voogdij}
)
MET_MINDERJARIGEN = frozenset(
    {BetrokkeneCategorie.minderjarige, BetrokkeneCategorie.moeder_met_minderjarige_kinderen}
)

#: The extra field (and its codes) each kind of aid carries besides datum and post.
DETAILS: dict[BijstandSoort, dict[str, type[StrEnum] | type[int]]] = {
    BijstandSoort.bijstand_gestart: {},
    BijstandSoort.reisdocument_verstrekt: {"document": Reisdocument},
    BijstandSoort.noodfonds_uitgave: {"bedrag_cent": int, "doel": NoodfondsDoel},
    BijstandSoort.opvang_geregeld: {"via": OpvangVia},
    BijstandSoort.contact_lokale_autoriteiten: {"antwoord": AntwoordAutoriteiten},
    BijstandSoort.vervangende_toestemming: {},
    BijstandSoort.voorlopige_voogdij: {},
}


@dataclass(frozen=True)
class Post:
    """A Dutch embassy (ambassade) or consulate-general abroad: where consular aid is given."""

    code: str
    naam: str
    land: str
    soort: str


def _laad_posten() -> dict[str, Post]:
    data = json.loads((Path(__file__).parent / "posten.json").read_text(encoding="utf-8"))
    return {p["code"]: Post(**p) for p in data["posten"]}


#: The posts by code (posten.json: the list to keep up to date when a post opens or closes).
POSTEN: dict[str, Post] = _laad_posten()


def post_code(waarde: str) -> str | None:
    """The code of the post `waarde` names: its code or its name, in any case, with or
    without accents ("Rabat", "rabat", "Caïro", "Addis Abeba"); None if no post has it."""
    zonder_accenten = "".join(
        c for c in unicodedata.normalize("NFKD", waarde) if not unicodedata.combining(c)
    )
    code = "-".join(zonder_accenten.lower().replace("-", " ").split())
    return code if code in POSTEN else None
