"""Where the pages read the cases: reporting's facts, kept in memory and folded per case.

`Bron` reads only the facts stored since its last look, adds them to each case's history
(figures.Zaakhistorie, which remembers its folds) and refolds only the cases that changed,
so a page over 10,000 cases never folds 50,000 events again.
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol

from sqlalchemy import Engine, and_, or_, select

from services.reporting.figures import (
    Zaakhistorie,
    ZaakStaat,
    bereken_jaarcijfers,
    laad_definitie,
    parse_envelope,
    staten,
    vorige_peildatum,
    zaken_van,
)
from services.reporting.store import envelope, feiten
from services.reporting.web.tijdlijn import Actie, acties_per_zaak, gaat_over

Envelope = Mapping[str, Any]
Positie = Mapping[str, int]
"""How far the pages have read: the last sequence per stream."""


class Feiten(Protocol):
    """What the pages need of reporting's store: the facts stored after a position."""

    def sinds(self, positie: Positie) -> tuple[Positie, list[Envelope]]:
        """The facts stored after `positie`, and the position after the last of them."""
        ...


class FeitenUitStore:
    """The facts in reporting's own table, read incrementally per stream."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def sinds(self, positie: Positie) -> tuple[Positie, list[Envelope]]:
        nieuw = [
            and_(feiten.c.stream == stream, feiten.c.sequence > sequence)
            for stream, sequence in positie.items()
        ]
        if positie:
            nieuw.append(feiten.c.stream.not_in(list(positie)))
        query = select(feiten).order_by(feiten.c.stream, feiten.c.sequence)
        if nieuw:
            query = query.where(or_(*nieuw))
        with self.engine.connect() as conn:
            rows = list(conn.execute(query))
        verder = dict(positie)
        for row in rows:
            verder[row.stream] = max(verder.get(row.stream, 0), row.sequence)
        return verder, [envelope(row) for row in rows]


@dataclass
class _Stand:
    positie: Positie = field(default_factory=dict)
    versie: int = 0
    vandaag: date = date.min
    envelopes: dict[str, list[Envelope]] = field(default_factory=lambda: defaultdict(list))
    historie: dict[str, Zaakhistorie] = field(default_factory=dict)
    zaken: dict[str, ZaakStaat] = field(default_factory=dict)
    acties: dict[str, list[Actie]] = field(default_factory=dict)
    nieuwste_eerst: list[ZaakStaat] = field(default_factory=list)
    cijfers: dict[tuple[int, date], tuple[int, dict[str, Any], list[ZaakStaat]]] = field(
        default_factory=dict
    )


class Bron:
    """Today's cases and actions, refreshed from the facts before each read (thread-safe)."""

    def __init__(self, feiten: Feiten, *, vandaag: Callable[[], date] = date.today) -> None:
        self.feiten = feiten
        self.vandaag = vandaag
        self._stand = _Stand()
        self._slot = threading.Lock()

    def _ververs(self) -> _Stand:
        with self._slot:
            stand = self._stand
            positie, nieuw = self.feiten.sinds(stand.positie)
            vandaag = self.vandaag()
            if not nieuw and vandaag == stand.vandaag:
                return stand
            geraakt: dict[str, list[Any]] = defaultdict(list)
            for ruw in nieuw:
                event = parse_envelope(ruw)
                if event is None:
                    continue
                for zaak_id in zaken_van(event):
                    stand.envelopes[zaak_id].append(ruw)
                    geraakt[zaak_id].append(event)
            for zaak_id, events in geraakt.items():
                stand.historie.setdefault(zaak_id, Zaakhistorie(zaak_id)).voeg_toe_alle(events)
                self._acties(stand, zaak_id)
            opnieuw = stand.historie if vandaag != stand.vandaag else geraakt
            for zaak_id in opnieuw:
                staat = stand.historie[zaak_id].staat(vandaag)
                if staat is None:
                    stand.zaken.pop(zaak_id, None)
                else:
                    stand.zaken[zaak_id] = staat
            stand.positie = positie
            stand.vandaag = vandaag
            stand.versie += 1
            stand.nieuwste_eerst = sorted(
                stand.zaken.values(), key=lambda z: (z.gemeld_op, z.referentie or ""), reverse=True
            )
            return stand

    @staticmethod
    def _acties(stand: _Stand, zaak_id: str) -> None:
        acties = acties_per_zaak(stand.envelopes[zaak_id]).get(zaak_id)
        if acties:
            stand.acties[zaak_id] = acties
        else:
            stand.acties.pop(zaak_id, None)

    def zaken(self) -> Sequence[ZaakStaat]:
        """Every melding as of today, newest first (withdrawn ones left out)."""
        return self._ververs().nieuwste_eerst

    def acties(self) -> Mapping[str, Sequence[Actie]]:
        """The regieoverleg actions per case."""
        return self._ververs().acties

    def zaak(self, zaak_id: str) -> ZaakStaat | None:
        return self._ververs().zaken.get(zaak_id)

    def gebeurtenissen(self, zaak_id: str) -> list[Envelope]:
        """The facts about one case, including the regieoverleggen that discussed it."""
        stand = self._ververs()
        return [e for e in stand.envelopes.get(zaak_id, []) if gaat_over(e, zaak_id)]

    def jaarcijfers(self, jaar: int, peildatum: date) -> tuple[dict[str, Any], list[ZaakStaat]]:
        """The jaarcijfers of `jaar` as of `peildatum`, and every case as of that date."""
        stand = self._ververs()
        with self._slot:  # folds are remembered inside the histories: one folder at a time
            bewaard = stand.cijfers.get((jaar, peildatum))
            if bewaard is not None and bewaard[0] == stand.versie:
                return bewaard[1], bewaard[2]
            historie = list(stand.historie.values())
            zaken = staten(historie, peildatum)
            vorig = staten(historie, vorige_peildatum(peildatum))
            rapport = bereken_jaarcijfers(
                zaken, vorig, laad_definitie(jaar), jaar=jaar, peildatum=peildatum
            )
            if len(stand.cijfers) >= 32:
                stand.cijfers.clear()
            stand.cijfers[(jaar, peildatum)] = (stand.versie, rapport, zaken)
            return rapport, zaken

    def wacht_op(
        self, voorwaarde: Callable[[Envelope], bool], zaak_id: str, seconden: float
    ) -> bool:
        """Wait until a fact about the case meets `voorwaarde` (read your own writes)."""
        einde = time.monotonic() + seconden
        while True:
            if any(voorwaarde(e) for e in self.gebeurtenissen(zaak_id)):
                return True
            if time.monotonic() >= einde:
                return False
            time.sleep(0.05)
