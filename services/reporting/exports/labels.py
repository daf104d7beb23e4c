"""How codes read in the published report (Dutch, as in the LKHA jaarcijfers)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

ONDERWERP: Final[Mapping[str, str]] = {
    "huwelijksdwang": "huwelijksdwang",
    "huwelijksdwang_en_achterlating": "huwelijksdwang en achterlating",
    "achterlating": "achterlating",
    "huiselijk_geweld_buitenland": "huiselijk geweld buitenland",
    "huwelijkse_gevangenschap": "huwelijkse gevangenschap",
}

BETROKKENE: Final[Mapping[str, str]] = {
    "minderjarige": "minderjarigen",
    "volwassene": "volwassenen",
    "moeder_met_minderjarige_kinderen": "moeder met minderjarige kinderen",
}


def label(soort: Mapping[str, str], code: str) -> str:
    """The published word for a code (the code itself, readable, when there is none)."""
    return soort.get(code, code.replace("_", " "))
