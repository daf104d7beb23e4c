"""Reporting's errors as HTTP problems (shared/problems.py; docs/api.md)."""

from __future__ import annotations

from services.reporting.rapportage import GeenDefinitie, ZaakOnbekend
from shared.problems import NIET_GEVONDEN, Problemen

PROBLEMS: Problemen = {
    ZaakOnbekend: NIET_GEVONDEN,
    GeenDefinitie: NIET_GEVONDEN,
}
