"""Verification's domain: the case (Zaak) and the regieoverleg, and their rules.

Pure domain code: no web, messaging, SQL or tracing.
"""

from services.verification.domain.regels import (
    ActieNotFound,
    IdempotencyConflict,
    OngeldigeWaarde,
    RegelGeschonden,
    RegieoverlegNotFound,
    VerificationError,
    VersieConflict,
    ZaakNotFound,
)
from services.verification.domain.regieoverleg import Regieoverleg
from services.verification.domain.zaak import Zaak

__all__ = [
    "ActieNotFound",
    "IdempotencyConflict",
    "OngeldigeWaarde",
    "RegelGeschonden",
    "Regieoverleg",
    "RegieoverlegNotFound",
    "VerificationError",
    "VersieConflict",
    "Zaak",
    "ZaakNotFound",
]
