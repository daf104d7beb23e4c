"""Pure reporting core of the reporting service (standard library only).

Feed integration-event envelopes (docs/contracts.md) to :func:`zaken_as_of` to get the case
projection as of a peildatum (and optionally a registratie_tot); compute the annual figures
with :func:`bereken_jaarcijfers` / :func:`jaarcijfers_uit_events` from the data definitions in
``definitions/``, ad-hoc counts with :mod:`.statistieken`, lead times with :mod:`.timings`, and
optional small-cell suppression with :mod:`.suppression`.
"""

from .definitie import (
    Definitie,
    DefinitieFout,
    beschikbare_definities,
    definitie_uit_dict,
    laad_definitie,
    lees_definitie,
)
from .envelope import Event, parse_envelope
from .historie import Zaakhistorie
from .jaarcijfers import (
    bereken_jaarcijfers,
    jaarcijfers_uit_events,
    meldingen_per_jaar,
    vorige_peildatum,
)
from .model import (
    OPEN,
    STAGE_AFGESLOTEN,
    STAGE_LOPEND,
    STAGE_OPEN,
    TERUGKEER_AFLOPEN,
    Bijstand,
    ZaakStaat,
)
from .projection import historie_per_zaak, staten, zaken_as_of, zaken_van
from .selectie import DIMENSIES, criteria_uit_query, selecteer, voldoet
from .statistieken import aantal, consulaire_bijstand_per, noodfonds, per, statistiek, tel
from .suppression import onderdruk, onderdruk_jaarcijfers, onderdruk_rij, onderdruk_telling
from .timings import doorlooptijden

__all__ = [
    "DIMENSIES",
    "OPEN",
    "STAGE_AFGESLOTEN",
    "STAGE_LOPEND",
    "STAGE_OPEN",
    "TERUGKEER_AFLOPEN",
    "Bijstand",
    "Definitie",
    "DefinitieFout",
    "Event",
    "ZaakStaat",
    "Zaakhistorie",
    "aantal",
    "bereken_jaarcijfers",
    "beschikbare_definities",
    "consulaire_bijstand_per",
    "criteria_uit_query",
    "definitie_uit_dict",
    "doorlooptijden",
    "historie_per_zaak",
    "jaarcijfers_uit_events",
    "laad_definitie",
    "lees_definitie",
    "meldingen_per_jaar",
    "noodfonds",
    "onderdruk",
    "onderdruk_jaarcijfers",
    "onderdruk_rij",
    "onderdruk_telling",
    "parse_envelope",
    "per",
    "selecteer",
    "staten",
    "statistiek",
    "tel",
    "voldoet",
    "vorige_peildatum",
    "zaken_as_of",
    "zaken_van",
]
