"""Verification's read model for the regieoverleg agenda (SQL, in verification's schema).

Kept by a tracked projection of verification's own notification log (projection.py) and
by the consumer of consular's developments; queried by the agenda (agenda.py).
"""

from services.verification.readmodel.agenda import Agenda, AgendaPunt, AgendaStore
from services.verification.readmodel.projection import AgendaProjection
from services.verification.readmodel.tables import metadata

__all__ = ["Agenda", "AgendaProjection", "AgendaPunt", "AgendaStore", "metadata"]
