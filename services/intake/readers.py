"""Intake's own, tolerant reading of verification's events: which step, and a closing date.

Only the event type, the case, verification's version and the date of afgesloten and heropend
are read; the rest of the payload (uitkomst, redenen) is not. A contract version intake does
not read is refused, and the consumer parks the event (shared/contracts.py).
"""

from __future__ import annotations

from shared.contracts import Reader, Readers, TolerantDate


class Stap(Reader):
    """A step of verification: intake reads only that it happened."""


class Afsluiting(Reader):
    """afgesloten or heropend: the date the retention period runs from (or is stopped)."""

    datum: TolerantDate = None


VERIFICATION = Readers(
    "verification",
    {
        ("onderzoek_gestart", 1): Stap,
        ("geverifieerd", 1): Stap,
        ("afgesloten", 1): Afsluiting,
        ("heropend", 1): Afsluiting,
    },
)
