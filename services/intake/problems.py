"""Intake's domain errors as HTTP problems (shared/problems.py; the list is in docs/api.md)."""

from __future__ import annotations

from dataclasses import replace

from eventsourcing.persistence import IntegrityError

from services.intake.adviesvragen.domain import AdviesvraagNotFound
from services.intake.application import GelijktijdigGewijzigd, VersieConflict
from services.intake.bewaring import WissingConflict
from services.intake.domain import (
    IdempotencyConflict,
    MeldingNotFound,
    OngeldigeWaarde,
    RegelGeschonden,
)
from shared.crypto import KeyDestroyed
from shared.problems import (
    GELIJKTIJDIG_GEWIJZIGD,
    GEWIST,
    NIET_GEVONDEN,
    ONGELDIGE_INVOER,
    REGEL_GESCHONDEN,
    SLEUTEL_HERGEBRUIKT,
    VERSIE_VEROUDERD,
    Problemen,
)

PROBLEMS: Problemen = {
    MeldingNotFound: NIET_GEVONDEN,
    AdviesvraagNotFound: NIET_GEVONDEN,
    OngeldigeWaarde: ONGELDIGE_INVOER,
    IdempotencyConflict: SLEUTEL_HERGEBRUIKT,
    WissingConflict: SLEUTEL_HERGEBRUIKT,
    VersieConflict: VERSIE_VEROUDERD,
    GelijktijdigGewijzigd: GELIJKTIJDIG_GEWIJZIGD,
    # The event store refused a version another request wrote first.
    IntegrityError: replace(
        GELIJKTIJDIG_GEWIJZIGD, detail="the melding changed meanwhile; reload and retry"
    ),
    KeyDestroyed: replace(GEWIST, detail="the personal data of this melding was erased"),
    RegelGeschonden: REGEL_GESCHONDEN,
}
