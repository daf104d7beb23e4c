"""The codes verification records, in the users' words (DOMAIN.md, docs/contracts.md).

Verification keeps its own copy of the codes it needs: services never import each other.
"""

from __future__ import annotations

from enum import StrEnum


class Onderwerp(StrEnum):
    huwelijksdwang = "huwelijksdwang"
    huwelijksdwang_en_achterlating = "huwelijksdwang_en_achterlating"
    achterlating = "achterlating"
    huiselijk_geweld_buitenland = "huiselijk_geweld_buitenland"
    huwelijkse_gevangenschap = "huwelijkse_gevangenschap"


class Uitkomst(StrEnum):
    """The outcome of a verification (`open` is a state, never recorded)."""

    vastgesteld = "vastgesteld"
    niet_vastgesteld = "niet_vastgesteld"
    geen_verblijfsrecht = "geen_verblijfsrecht"
    onbekend = "onbekend"
    zelf_teruggekeerd = "zelf_teruggekeerd"


class RedenOnbekend(StrEnum):
    """Why a case could not be verified (only with uitkomst onbekend)."""

    geen_contactgegevens = "geen_contactgegevens"
    alleen_persoonsgegevens = "alleen_persoonsgegevens"
    geen_medewerking = "geen_medewerking"
    overig = "overig"


class Bevinding(StrEnum):
    """What was found instead (only with uitkomst niet_vastgesteld)."""

    overdracht_hulpverlening = "overdracht_hulpverlening"
    internationale_kinderontvoering = "internationale_kinderontvoering"
    bemiddeling = "bemiddeling"
    verhuizing = "verhuizing"
    scheiding = "scheiding"


class RedenHerziening(StrEnum):
    """Why an earlier verification is revised."""

    nieuwe_informatie = "nieuwe_informatie"
    alsnog_contact = "alsnog_contact"
    onjuist_vastgelegd = "onjuist_vastgelegd"
    overig = "overig"


class RedenAfsluiting(StrEnum):
    """Why a case is closed."""

    teruggekeerd = "teruggekeerd"
    zelf_teruggekeerd = "zelf_teruggekeerd"
    wil_geen_hulp = "wil_geen_hulp"
    niet_teruggekeerd = "niet_teruggekeerd"
    niet_vastgesteld = "niet_vastgesteld"
    geen_verblijfsrecht = "geen_verblijfsrecht"
    niet_te_verifieren = "niet_te_verifieren"
    doorverwezen = "doorverwezen"
    overig = "overig"


class RedenHeropening(StrEnum):
    """Why a closed case is reopened."""

    nieuwe_informatie = "nieuwe_informatie"
    nieuwe_hulpvraag = "nieuwe_hulpvraag"
    ten_onrechte_afgesloten = "ten_onrechte_afgesloten"
    overig = "overig"


class Organisatie(StrEnum):
    """An agency taking part in a regieoverleg or owning one of its actions."""

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


class Stage(StrEnum):
    """Where a case stands at verification."""

    open = "open"  # not verified yet
    lopend = "lopend"  # verified, not closed
    afgesloten = "afgesloten"
