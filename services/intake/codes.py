"""The classification codes of a melding, in the users' words (DOMAIN.md)."""

from __future__ import annotations

from enum import StrEnum


class Onderwerp(StrEnum):
    huwelijksdwang = "huwelijksdwang"
    huwelijksdwang_en_achterlating = "huwelijksdwang_en_achterlating"
    achterlating = "achterlating"
    huiselijk_geweld_buitenland = "huiselijk_geweld_buitenland"
    huwelijkse_gevangenschap = "huwelijkse_gevangenschap"


class BetrokkeneCategorie(StrEnum):
    minderjarige = "minderjarige"
    volwassene = "volwassene"
    moeder_met_minderjarige_kinderen = "moeder_met_minderjarige_kinderen"


class Geslacht(StrEnum):
    vrouw = "vrouw"
    man = "man"
    anders = "anders"
    onbekend = "onbekend"


class MelderType(StrEnum):
    veilig_thuis = "veilig_thuis"
    bz = "bz"
    politie = "politie"
    raad_voor_de_kinderbescherming = "raad_voor_de_kinderbescherming"
    ind = "ind"
    school = "school"
    hulpverlening = "hulpverlening"
    ngo = "ngo"
    slachtoffer = "slachtoffer"
    omstander = "omstander"
    overig = "overig"


class Nationaliteit(StrEnum):
    nederlands = "nederlands"
    bipatride = "bipatride"
    anders = "anders"
    onbekend = "onbekend"


class Verblijfsrecht(StrEnum):
    ja = "ja"
    nee = "nee"
    onbekend = "onbekend"
