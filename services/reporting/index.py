"""Reporting's facts in memory: each case's history, and the projections asked for recently.

The store (PostgreSQL) is the record; this index is what requests read, so no request reloads
or refolds every fact. It is filled from the store at start and then grows by one fact at a
time, right after the consumer committed it. Projections and reports derived from it are
remembered per (question, position): a new fact moves the position, so nothing stale is served.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable, Mapping
from datetime import date, datetime
from typing import Any, TypeVar

from services.reporting.figures import (
    Zaakhistorie,
    ZaakStaat,
    parse_envelope,
    staten,
    zaken_van,
)

Envelope = Mapping[str, Any]
T = TypeVar("T")

ONTHOUDEN = 128
"""How many derived answers (projections, reports) are remembered."""


class Feitenindex:
    """Every fact once, per case in fold order; thread-safe (routes and the consumer share it)."""

    def __init__(self) -> None:
        self._slot = threading.RLock()
        self._feiten: list[Envelope] = []
        self._ids: set[tuple[str, str]] = set()
        self._historie: dict[str, Zaakhistorie] = {}
        self._per_zaak: dict[str, list[Envelope]] = {}
        self._onthouden: OrderedDict[Hashable, object] = OrderedDict()

    @property
    def positie(self) -> int:
        """How many facts the index holds (grows by one per new fact)."""
        return len(self._feiten)

    def voeg_toe(self, envelope: Envelope) -> bool:
        """Add one fact; False when it is unusable or known already (same source and event_id)."""
        return self.voeg_toe_alle([envelope]) == 1

    def voeg_toe_alle(self, envelopes: Iterable[Envelope]) -> int:
        """Add facts in any order; returns how many were new."""
        nieuw: dict[str, list[Any]] = {}
        with self._slot:
            teller = 0
            for envelope in envelopes:
                event = parse_envelope(envelope)
                if event is None or event.sleutel in self._ids:
                    continue
                self._ids.add(event.sleutel)
                self._feiten.append(envelope)
                teller += 1
                for zaak_id in zaken_van(event):
                    nieuw.setdefault(zaak_id, []).append(event)
                    self._per_zaak.setdefault(zaak_id, []).append(envelope)
            for zaak_id, events in nieuw.items():
                historie = self._historie.get(zaak_id)
                if historie is None:
                    historie = self._historie[zaak_id] = Zaakhistorie(zaak_id)
                historie.voeg_toe_alle(events)
            return teller

    def sinds(self, positie: int) -> tuple[int, list[Envelope]]:
        """The facts added after ``positie``, and the position after the last of them."""
        with self._slot:
            return len(self._feiten), self._feiten[positie:]

    def feiten_van(self, zaak_id: str) -> list[Envelope]:
        """The facts about one case (with the regieoverleggen about it), in recorded order."""
        with self._slot:
            eigen = list(self._per_zaak.get(zaak_id, ()))
        return sorted(eigen, key=lambda e: (str(e.get("recorded_at")), str(e.get("event_id"))))

    def zaak(self, zaak_id: str, peildatum: date) -> ZaakStaat | None:
        """One case as of a peildatum (None when it is no melding by then)."""
        with self._slot:
            historie = self._historie.get(zaak_id)
            return historie.staat(peildatum) if historie is not None else None

    def zaken(self, peildatum: date, registratie_tot: datetime | None = None) -> list[ZaakStaat]:
        """Every melding as of a peildatum (and registratie_tot), like figures.zaken_as_of."""
        return self.onthoud(
            ("zaken", peildatum, registratie_tot),
            lambda: staten(self._historie.values(), peildatum, registratie_tot),
        )

    def onthoud(self, vraag: Hashable, bereken: Callable[[], T]) -> T:
        """The answer to ``vraag`` at the current position, computed once (least recently used
        answers are forgotten first). ``bereken`` runs under the index's lock."""
        with self._slot:
            sleutel = (vraag, len(self._feiten))
            if sleutel in self._onthouden:
                self._onthouden.move_to_end(sleutel)
                return self._onthouden[sleutel]  # type: ignore[return-value]
            antwoord = bereken()
            self._onthouden[sleutel] = antwoord
            while len(self._onthouden) > ONTHOUDEN:
                self._onthouden.popitem(last=False)
            return antwoord
