"""Consular's published contract (v1); see docs/contracts.md."""

from __future__ import annotations

from typing import Any

from shared.messaging import IntegrationEvent

SOURCE = "consular"


def to_integration_event(event: Any) -> IntegrationEvent | None:
    """Translate a stored consular event into its published form (None: internal)."""
    return None
