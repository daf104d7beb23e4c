"""Dutch labels for the contract codes (docs/contracts.md), as the coordinators say them.

Only presentation: the codes themselves stay the contract's. An unknown code is shown as is,
with underscores as spaces, so a new code from a producer never breaks a page.
"""

from __future__ import annotations

import gettext
from collections.abc import Mapping
from enum import StrEnum
from functools import cache
from typing import Final

import pycountry

ONDERWERP: Final[Mapping[str, str]] = {
    "huwelijksdwang": "huwelijksdwang",
    "huwelijksdwang_en_achterlating": "huwelijksdwang en achterlating",
    "achterlating": "achterlating",
    "huiselijk_geweld_buitenland": "huiselijk geweld buitenland",
    "huwelijkse_gevangenschap": "huwelijkse gevangenschap",
}

BETROKKENE: Final[Mapping[str, str]] = {
    "minderjarige": "minderjarige",
    "volwassene": "volwassene",
    "moeder_met_minderjarige_kinderen": "moeder met minderjarige kinderen",
}

FASE: Final[Mapping[str, str]] = {
    "open": "nieuw, niet geverifieerd",
    "lopend": "geverifieerd, loopt",
    "afgesloten": "afgesloten",
}

UITKOMST: Final[Mapping[str, str]] = {
    "open": "open",
    "vastgesteld": "vastgesteld",
    "niet_vastgesteld": "niet vastgesteld",
    "geen_verblijfsrecht": "geen verblijfsrecht",
    "onbekend": "onbekend",
    "zelf_teruggekeerd": "zelf teruggekeerd",
}

REDEN: Final[Mapping[str, str]] = {
    "geen_contactgegevens": "geen contactgegevens kunnen achterhalen",
    "alleen_persoonsgegevens": "alleen persoonsgegevens gemeld",
    "geen_medewerking": "geen medewerking",
    "overig": "overig",
}

BEVINDING: Final[Mapping[str, str]] = {
    "overdracht_hulpverlening": "overdracht aan hulpverlening",
    "internationale_kinderontvoering": "internationale kinderontvoering",
    "bemiddeling": "bemiddeling",
    "verhuizing": "verhuizing",
    "scheiding": "scheiding",
}

AFLOOP: Final[Mapping[str, str]] = {
    "teruggekeerd_met_ondersteuning": "terug in Nederland met ondersteuning",
    "teruggekeerd_na_inzet_lkha": "teruggekeerd na inzet LKHA",
    "wil_geen_hulp": "wil geen hulp",
    "niet_teruggekeerd": "niet teruggekeerd",
}

REDEN_AFSLUITING: Final[Mapping[str, str]] = {
    "teruggekeerd": "teruggekeerd",
    "zelf_teruggekeerd": "zelf teruggekeerd",
    "wil_geen_hulp": "wil geen hulp",
    "niet_teruggekeerd": "niet teruggekeerd",
    "niet_vastgesteld": "niet vastgesteld",
    "geen_verblijfsrecht": "geen verblijfsrecht",
    "niet_te_verifieren": "niet te verifiëren",
    "doorverwezen": "doorverwezen",
    "overig": "overig",
}

REDEN_HEROPENING: Final[Mapping[str, str]] = {
    "nieuwe_informatie": "nieuwe informatie",
    "nieuwe_hulpvraag": "nieuwe hulpvraag",
    "ten_onrechte_afgesloten": "ten onrechte afgesloten",
    "overig": "overig",
}

REDEN_HERZIENING: Final[Mapping[str, str]] = {
    "nieuwe_informatie": "nieuwe informatie",
    "alsnog_contact": "alsnog contact",
    "onjuist_vastgelegd": "onjuist vastgelegd",
    "overig": "overig",
}

MELDER: Final[Mapping[str, str]] = {
    "veilig_thuis": "Veilig Thuis",
    "bz": "BZ",
    "politie": "politie",
    "raad_voor_de_kinderbescherming": "Raad voor de Kinderbescherming",
    "ind": "IND",
    "school": "school",
    "hulpverlening": "hulpverlening",
    "ngo": "ngo",
    "slachtoffer": "slachtoffer zelf",
    "omstander": "omstander",
    "overig": "overig",
}

NATIONALITEIT: Final[Mapping[str, str]] = {
    "nederlands": "Nederlands",
    "bipatride": "bipatride (twee nationaliteiten)",
    "anders": "anders",
    "onbekend": "onbekend",
}

BIJSTAND: Final[Mapping[str, str]] = {
    "bijstand_gestart": "consulaire bijstand gestart",
    "reisdocument_verstrekt": "reisdocument verstrekt",
    "noodfonds_uitgave": "uitgave uit het noodfonds",
    "opvang_geregeld": "opvang geregeld",
    "contact_lokale_autoriteiten": "contact met lokale autoriteiten",
    "vervangende_toestemming": "vervangende toestemming verkregen",
    "voorlopige_voogdij": "voorlopige voogdij verkregen",
}

ORGANISATIE: Final[Mapping[str, str]] = {
    "lkha": "LKHA",
    "bz": "BZ",
    "veilig_thuis": "Veilig Thuis",
    "politie": "politie",
    "raad_voor_de_kinderbescherming": "Raad voor de Kinderbescherming",
    "ind": "IND",
    "gemeente": "gemeente",
    "school": "school",
    "hulpverlening": "hulpverlening",
    "ngo": "ngo",
    "overig": "overig",
    "knooppunt": "systeem",
}
"""Agencies (org of a signed-in user; deelnemer or eigenaar in a regieoverleg)."""


class Organisatie(StrEnum):
    """The agencies of a regieoverleg (deelnemer, eigenaar): the pages' own copy of the codes."""

    lkha = "lkha"
    bz = "bz"
    veilig_thuis = "veilig_thuis"
    politie = "politie"
    raad_voor_de_kinderbescherming = "raad_voor_de_kinderbescherming"
    ind = "ind"
    gemeente = "gemeente"
    school = "school"
    hulpverlening = "hulpverlening"
    ngo = "ngo"
    overig = "overig"


INSTANTIES: Final = tuple(str(o) for o in Organisatie)
"""The agencies a regieoverleg form offers, in this order."""

ROL: Final[Mapping[str, str]] = {
    "coordinator": "coördinator",
    "lkha_medewerker": "medewerker",
    "bz_consulair": "consulair medewerker",
    "melder": "melder",
    "beleid": "beleid en statistiek",
    "auditor": "auditor",
    "systeem": "systeem",
}

GEBEURTENIS: Final[Mapping[str, str]] = {
    "gemeld": "Melding ontvangen",
    "gecorrigeerd": "Melding gecorrigeerd",
    "ingetrokken": "Melding ingetrokken",
    "onderzoek_gestart": "Onderzoek gestart",
    "geverifieerd": "Geverifieerd",
    "herzien": "Verificatie herzien",
    "afgesloten": "Zaak afgesloten",
    "heropend": "Zaak heropend",
    "nazorg_geregeld": "Nazorg geregeld",
    "regieoverleg_gehouden": "Regieoverleg gehouden",
    "actie_afgerond": "Actie afgerond",
    "bijstand_verleend": "Consulaire bijstand",
    "afloop_vastgelegd": "Afloop vastgelegd",
}

DIENST: Final[Mapping[str, str]] = {
    "intake": "intake",
    "verification": "verificatie",
    "consular": "consulair",
}


def _leesbaar(code: str) -> str:
    return code.replace("_", " ")


def label(soort: Mapping[str, str], code: object) -> str:
    """The Dutch label of a code in one list; an unknown code readably as is; '—' for none."""
    if code is None or code == "":
        return "—"
    if isinstance(code, bool):
        return "ja" if code else "nee"
    tekst = str(code)
    return soort.get(tekst, _leesbaar(tekst))


@cache
def _landnamen() -> Mapping[str, str]:
    vertaling = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["nl"])
    return {land.alpha_2: vertaling.gettext(land.name) for land in pycountry.countries}


def land(code: object) -> str:
    """The Dutch name of an ISO 3166-1 alpha-2 country ('—' for none)."""
    if not code:
        return "—"
    return _landnamen().get(str(code).upper(), str(code))


def organisatie(code: object) -> str:
    return label(ORGANISATIE, code)


LIJSTEN: Final[Mapping[str, Mapping[str, str]]] = {
    "onderwerp": ONDERWERP,
    "betrokkene": BETROKKENE,
    "fase": FASE,
    "uitkomst": UITKOMST,
    "reden": REDEN,
    "bevinding": BEVINDING,
    "afloop": AFLOOP,
    "melder": MELDER,
    "nationaliteit": NATIONALITEIT,
    "bijstand": BIJSTAND,
    "organisatie": ORGANISATIE,
    "rol": ROL,
    "gebeurtenis": GEBEURTENIS,
    "dienst": DIENST,
}
"""The lists by name, for the templates' `code` filter."""
