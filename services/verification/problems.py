"""Verification's domain errors as HTTP problems (shared/problems.py; docs/api.md)."""

from __future__ import annotations

from services.verification.application import GelijktijdigGewijzigd
from services.verification.domain import (
    ActieNotFound,
    IdempotencyConflict,
    OngeldigeWaarde,
    RegelGeschonden,
    RegieoverlegNotFound,
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
    RegieoverlegNotFound: NIET_GEVONDEN,
    ActieNotFound: NIET_GEVONDEN,
    OngeldigeWaarde: ONGELDIGE_INVOER,
    IdempotencyConflict: SLEUTEL_HERGEBRUIKT,
    VersieConflict: VERSIE_VEROUDERD,
    GelijktijdigGewijzigd: GELIJKTIJDIG_GEWIJZIGD,
    RegelGeschonden: REGEL_GESCHONDEN,
}
