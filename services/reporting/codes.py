"""The codes reporting accepts in questions: its own reading of docs/contracts.md.

Reporting never imports another service's codes; it validates the filters of a question
against the contract's code lists, so a typo is a 400 that names the allowed values.
"""

from __future__ import annotations

from enum import StrEnum


class Onderwerp(StrEnum):
    huwelijksdwang = "huwelijksdwang"
    huwelijksdwang_en_achterlating = "huwelijksdwang_en_achterlating"
    achterlating = "achterlating"
    huiselijk_geweld_buitenland = "huiselijk_geweld_buitenland"
    huwelijkse_gevangenschap = "huwelijkse_gevangenschap"


class Betrokkene(StrEnum):
    minderjarige = "minderjarige"
    volwassene = "volwassene"
    moeder_met_minderjarige_kinderen = "moeder_met_minderjarige_kinderen"


class Uitkomst(StrEnum):
    vastgesteld = "vastgesteld"
    niet_vastgesteld = "niet_vastgesteld"
    geen_verblijfsrecht = "geen_verblijfsrecht"
    onbekend = "onbekend"
    zelf_teruggekeerd = "zelf_teruggekeerd"
    open = "open"


class Reden(StrEnum):
    geen_contactgegevens = "geen_contactgegevens"
    alleen_persoonsgegevens = "alleen_persoonsgegevens"
    geen_medewerking = "geen_medewerking"
    overig = "overig"


class Bevinding(StrEnum):
    overdracht_hulpverlening = "overdracht_hulpverlening"
    internationale_kinderontvoering = "internationale_kinderontvoering"
    bemiddeling = "bemiddeling"
    verhuizing = "verhuizing"
    scheiding = "scheiding"


class Afloop(StrEnum):
    teruggekeerd_met_ondersteuning = "teruggekeerd_met_ondersteuning"
    teruggekeerd_na_inzet_lkha = "teruggekeerd_na_inzet_lkha"
    wil_geen_hulp = "wil_geen_hulp"
    niet_teruggekeerd = "niet_teruggekeerd"


class Melder(StrEnum):
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


class Stage(StrEnum):
    """Where a case stands on the peildatum: not verified, verified, closed."""

    open = "open"
    lopend = "lopend"
    afgesloten = "afgesloten"


class Bijstandsoort(StrEnum):
    bijstand_gestart = "bijstand_gestart"
    reisdocument_verstrekt = "reisdocument_verstrekt"
    noodfonds_uitgave = "noodfonds_uitgave"
    opvang_geregeld = "opvang_geregeld"
    contact_lokale_autoriteiten = "contact_lokale_autoriteiten"
    vervangende_toestemming = "vervangende_toestemming"
    voorlopige_voogdij = "voorlopige_voogdij"


class Dimensie(StrEnum):
    """What counts can be grouped by (never by single case: figures stay aggregated)."""

    onderwerp = "onderwerp"
    onderwerp_vastgesteld = "onderwerp_vastgesteld"
    betrokkene = "betrokkene"
    geslacht = "geslacht"
    leeftijd = "leeftijd"
    """Outside the LKHA always given as leeftijdsklasse."""
    leeftijdsklasse = "leeftijdsklasse"
    land = "land"
    melder = "melder"
    nationaliteit = "nationaliteit"
    brp_ingeschreven = "brp_ingeschreven"
    verblijfsrecht = "verblijfsrecht"
    bz_betrokken = "bz_betrokken"
    uitkomst = "uitkomst"
    reden = "reden"
    bevinding = "bevinding"
    afloop = "afloop"
    teruggekeerd = "teruggekeerd"
    jaar = "jaar"
    """Year of gemeld_op."""
    stage = "stage"
    consulaire_bijstand = "consulaire_bijstand"
    herzien = "herzien"


class Per(StrEnum):
    """How consular aid is grouped."""

    post = "post"
    land = "land"


class Geslacht(StrEnum):
    vrouw = "vrouw"
    man = "man"
    anders = "anders"
    onbekend = "onbekend"


class Leeftijdsklasse(StrEnum):
    """The age bands of figures outside the LKHA (figures/geheimhouding.py)."""

    kind = "0-11"
    tiener = "12-17"
    jong_volwassen = "18-22"
    twintiger = "23-29"
    ouder = "30+"
