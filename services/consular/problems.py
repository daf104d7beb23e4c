"""Consular's domain errors as HTTP problems (shared/problems.py; docs/api.md)."""

from __future__ import annotations

from services.consular.application import GelijktijdigGewijzigd
from services.consular.domain.regels import (
    ConsularError,
    IdempotencyConflict,
    OngeldigeWaarde,
    RegelGeschonden,
    VersieConflict,
    ZaakNotFound,
)
from shared.problems import (
    GELIJKTIJDIG_GEWIJZIGD,
    NIET_GEVONDEN,
    ONGELDIGE_INVOER,
    REGEL_GESCHONDEN,
    SLEUTEL_HERGEBRUIKT,
    VERSIE_VEROUDERD,
    Problemen,
)

PROBLEMS: Problemen = {
    ZaakNotFound: NIET_GEVONDEN,
    OngeldigeWaarde: ONGELDIGE_INVOER,
    IdempotencyConflict: SLEUTEL_HERGEBRUIKT,
    VersieConflict: VERSIE_VEROUDERD,
    GelijktijdigGewijzigd: GELIJKTIJDIG_GEWIJZIGD,
    RegelGeschonden: REGEL_GESCHONDEN,
    ConsularError: REGEL_GESCHONDEN,  # every other rule of the domain
}
