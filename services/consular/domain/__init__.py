"""Consular's domain: the case as BZ knows it, and the wachtrij for early news."""

from services.consular.domain.regels import (
    ConsularError,
    IdempotencyConflict,
    OngeldigeWaarde,
    RegelGeschonden,
    VersieConflict,
    ZaakNotFound,
)
from services.consular.domain.wachtrij import Wachtrij, wachtrij_id
from services.consular.domain.zaak import Zaak

__all__ = [
    "ConsularError",
    "IdempotencyConflict",
    "OngeldigeWaarde",
    "RegelGeschonden",
    "VersieConflict",
    "Wachtrij",
    "Zaak",
    "ZaakNotFound",
    "wachtrij_id",
]
