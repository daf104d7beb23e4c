"""What a signed-in user may see on the pages (need to know, shared/DOMAIN.md).

These decide only what the pages offer. The APIs behind them decide again and log: a page
never shows more than the API it calls gives to the same token.
"""

from __future__ import annotations

from dataclasses import dataclass

from shared.context import Actor

CASUSORGANISATIES = frozenset({"lkha", "bz"})
"""The agencies that hold the regieoverleg."""


@dataclass(frozen=True)
class Rechten:
    zaken: bool
    """Agenda, case list and case pages (cases without personal data)."""
    persoonsgegevens: bool
    """May ask intake for a case's personal data, stating a purpose."""
    cijfers: bool
    """The figures page and its downloads (aggregated only)."""


def rechten_van(actor: Actor) -> Rechten:
    """LKHA and BZ case workers see cases; policy sees figures only."""
    werkt_aan_zaken = actor.org in CASUSORGANISATIES and actor.rol in {
        "coordinator",
        "casemanager",
        "consulair",
    }
    return Rechten(
        zaken=werkt_aan_zaken,
        persoonsgegevens=werkt_aan_zaken and actor.rol != "coordinator_zonder_inzage",
        cijfers=werkt_aan_zaken or actor.rol in {"beleid", "auditor"},
    )
