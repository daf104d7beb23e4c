"""Where the pages read the cases: reporting's in-memory fact index and its reports.

The index (services/reporting/index.py) holds every fact per case and remembers its folds;
`Bron` adds what only the pages need, the regieoverleg actions per case, kept up to date by
reading just the facts added since its last look, and today's cases newest first.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping, Sequence
from datetime import date
from typing import Any

from services.reporting.figures import ZaakStaat, parse_envelope, zaken_van
from services.reporting.figures.geheimhouding import Geheimhouding
from services.reporting.index import Feitenindex
from services.reporting.policy import exacte_cijfers
from services.reporting.rapportage import Rapportage
from services.reporting.web.tijdlijn import Actie, acties_per_zaak

Envelope = Mapping[str, Any]

OVERLEG_EVENTS = frozenset({"regieoverleg_gehouden", "actie_afgerond"})


def _zaak_ids(envelope: Envelope) -> list[str]:
    """The cases a fact is about, as the index files it (figures.zaken_van)."""
    event = parse_envelope(envelope)
    return zaken_van(event) if event is not None else []


class Bron:
    """Today's cases, their actions and timelines, and the figures (thread-safe)."""

    def __init__(self, rapportage: Rapportage, *, vandaag: Callable[[], date] = date.today) -> None:
        self.rapportage = rapportage
        self.index: Feitenindex = rapportage.index
        self.vandaag = vandaag
        self._slot = threading.Lock()
        self._positie = 0
        self._acties: dict[str, list[Actie]] = {}

    def warm(self) -> None:
        """Fold every case once at start-up, so the first page is as quick as the next."""
        self.zaken()
        self.acties()

    def acties(self) -> Mapping[str, Sequence[Actie]]:
        """The regieoverleg actions per case (refolded only for cases with new ones)."""
        with self._slot:
            positie, nieuw = self.index.sinds(self._positie)
            geraakt = {
                zaak_id
                for envelope in nieuw
                if envelope.get("event_type") in OVERLEG_EVENTS
                for zaak_id in _zaak_ids(envelope)
            }
            for zaak_id in geraakt:
                acties = acties_per_zaak(self.index.feiten_van(zaak_id)).get(zaak_id)
                if acties:
                    self._acties[zaak_id] = acties
                else:
                    self._acties.pop(zaak_id, None)
            self._positie = positie
            return self._acties

    def zaken(self) -> Sequence[ZaakStaat]:
        """Every melding as of today, newest first (withdrawn ones left out)."""
        vandaag = self.vandaag()
        return self.index.onthoud(
            ("pagina's: nieuwste eerst", vandaag),
            lambda: sorted(
                self.index.zaken(vandaag),
                key=lambda z: (z.gemeld_op, z.referentie or ""),
                reverse=True,
            ),
        )

    def zaak(self, zaak_id: str) -> ZaakStaat | None:
        """One case as of today (None: not a melding, or not known here yet)."""
        return self.index.zaak(zaak_id, self.vandaag())

    def gebeurtenissen(self, zaak_id: str) -> list[Envelope]:
        """The facts about one case, including the regieoverleggen that discussed it."""
        return self.index.feiten_van(zaak_id)

    def geheimhouding_voor(self, rol: str) -> Geheimhouding | None:
        """The disclosure control of a role's figures (None: exact, the LKHA's)."""
        return None if exacte_cijfers(rol) else self.rapportage.geheimhouding()

    def jaarcijfers(
        self, jaar: int, peildatum: date, *, geheimhouding: Geheimhouding | None
    ) -> tuple[dict[str, Any], list[ZaakStaat]]:
        """The jaarcijfers of `jaar` as of `peildatum`, and every case as of that date (none
        under disclosure control: the charts then draw from the protected report only).

        Raises rapportage.GeenDefinitie for a year no definition covers."""
        rapport = self.rapportage.jaarcijfers(
            jaar, geheimhouding=geheimhouding, peildatum=peildatum
        )
        return rapport, self.index.zaken(peildatum) if geheimhouding is None else []

    def bestand(
        self, formaat: str, jaar: int, peildatum: date, *, geheimhouding: Geheimhouding | None
    ) -> str | bytes:
        """The jaarcijfers as a csv, xlsx or pdf file (reporting's own exports)."""
        return self.rapportage.jaarcijfers_als(
            formaat, jaar, geheimhouding=geheimhouding, peildatum=peildatum
        )

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
