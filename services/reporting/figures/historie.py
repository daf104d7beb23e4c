"""One case's history, kept in fold order, folded as of any date (the unit of the projection).

A fold depends only on the melding (the intake events, applied whatever the peildatum) and on
the other events up to the peildatum. Kept sorted by business date, those form a prefix of the
history, so a fold is remembered per prefix length: asking the same case as of many dates, or
the same date many times, folds it once per distinct prefix. With ``registratie_tot`` the
remembered fold is reused when nothing in that prefix was recorded after it; otherwise the case
is folded from the events recorded by then.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable
from datetime import date, datetime
from itertools import accumulate

from .envelope import Event, as_utc, parse_date
from .model import ZaakStaat
from .vouw import RETROACTIEF, Melding, Verloop, melding_uit, staat_uit

_ONBEKEND = object()


class Zaakhistorie:
    """Every known event about one case; folds it to a :class:`ZaakStaat` as of a date.

    Invariants: an event is held at most once (by source and ``event_id``); the non-intake
    events are kept sorted by :attr:`Event.volgorde`; remembered folds are forgotten whenever
    an event is added.
    """

    def __init__(self, zaak_id: str) -> None:
        self.zaak_id = zaak_id
        self._ids: set[tuple[str, str]] = set()
        self._intake: list[Event] = []
        self._verloop: list[Event] = []
        self._datums: list[date] = []
        self._laatst_opgenomen: list[datetime] = []
        """Running maximum of recorded_at along ``_verloop``."""
        self._melding: object = _ONBEKEND
        self._folds: dict[int, ZaakStaat | None] = {}

    def __len__(self) -> int:
        return len(self._ids)

    def voeg_toe(self, event: Event) -> bool:
        """Add one event; False when it was known already (same source and event_id)."""
        return self.voeg_toe_alle([event]) == 1

    def voeg_toe_alle(self, events: Iterable[Event]) -> int:
        """Add events (in any order); returns how many were new."""
        nieuw = 0
        verloop = False
        for event in events:
            if event.sleutel in self._ids:
                continue
            self._ids.add(event.sleutel)
            nieuw += 1
            if event.event_type in RETROACTIEF:
                self._intake.append(event)
                self._melding = _ONBEKEND
            else:
                self._verloop.append(event)
                verloop = True
        if nieuw:
            self._folds.clear()
        if verloop:
            self._verloop.sort(key=lambda e: e.volgorde)
            self._datums = [e.datum for e in self._verloop]
            self._laatst_opgenomen = list(accumulate((e.recorded_at for e in self._verloop), max))
        return nieuw

    def staat(self, peildatum: date, registratie_tot: datetime | None = None) -> ZaakStaat | None:
        """The case as of ``peildatum`` (None when it is no melding by then)."""
        prefix = bisect_right(self._datums, peildatum)
        grens = as_utc(registratie_tot) if registratie_tot is not None else None
        if grens is not None and not self._alles_opgenomen(prefix, grens):
            intake = [e for e in self._intake if e.recorded_at <= grens]
            verloop = [e for e in self._verloop[:prefix] if e.recorded_at <= grens]
            return _vouw(self.zaak_id, melding_uit(intake), verloop, peildatum)
        if prefix not in self._folds:
            melding = self._huidige_melding()
            self._folds[prefix] = _vouw(self.zaak_id, melding, self._verloop[:prefix], date.max)
        staat = self._folds[prefix]
        if staat is None or staat.gemeld_op > peildatum:
            return None
        return staat

    def _huidige_melding(self) -> Melding | None:
        if self._melding is _ONBEKEND:
            self._melding = melding_uit(self._intake)
        return self._melding  # type: ignore[return-value]

    def _alles_opgenomen(self, prefix: int, grens: datetime) -> bool:
        """Whether the intake events and the first ``prefix`` others were recorded by ``grens``."""
        if any(e.recorded_at > grens for e in self._intake):
            return False
        return prefix == 0 or self._laatst_opgenomen[prefix - 1] <= grens


def _vouw(
    zaak_id: str, gevonden: Melding | None, verloop: list[Event], peildatum: date
) -> ZaakStaat | None:
    if gevonden is None:
        return None
    melding, gecorrigeerd = gevonden
    gemeld_op = parse_date(melding.get("gemeld_op"))
    if gemeld_op is None or gemeld_op > peildatum:
        return None
    staat = Verloop()
    for event in verloop:
        staat.verwerk(event)
    return staat_uit(zaak_id, melding, gemeld_op, gecorrigeerd, staat)
