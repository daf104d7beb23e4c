"""A small builder of contract envelopes (docs/contracts.md) for the pages' unit tests."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

SOURCE = {
    "gemeld": "intake",
    "gecorrigeerd": "intake",
    "ingetrokken": "intake",
    "bijstand_verleend": "consular",
    "afloop_vastgelegd": "consular",
}
LKHA = {"org": "lkha", "rol": "coordinator", "user": "j.jansen"}


class Envelopes:
    """Makes envelopes with increasing recorded_at and unique event ids."""

    def __init__(self) -> None:
        self._n = itertools.count(1)
        self.start = datetime(2018, 1, 1, 9, tzinfo=UTC)

    def event(
        self,
        event_type: str,
        zaak_id: str | None,
        recorded_by: dict[str, str] | None = None,
        **data: Any,
    ) -> dict[str, Any]:
        n = next(self._n)
        return {
            "event_id": f"e-{n}",
            "event_type": event_type,
            "contract_version": 1,
            "source": SOURCE.get(event_type, "verification"),
            "zaak_id": zaak_id,
            "recorded_at": (self.start + timedelta(hours=n)).isoformat(),
            "recorded_by": recorded_by,
            "data": data,
        }

    def gemeld(self, zaak_id: str, referentie: str, gemeld_op: str, **data: Any) -> dict[str, Any]:
        body = {
            "referentie": referentie,
            "gemeld_op": gemeld_op,
            "onderwerp": "achterlating",
            "betrokkene": {"categorie": "minderjarige"},
            "land": "MA",
            "melder": {"type": "school", "organisatie": "Leerplicht Utrecht"},
            **data,
        }
        return self.event("gemeld", zaak_id, LKHA, **body)

    def overleg(
        self, overleg_id: str, datum: str, zaak_id: str, *acties: tuple[str, str, str]
    ) -> dict[str, Any]:
        """A regieoverleg about one case; acties are (actie_id, eigenaar, deadline)."""
        return self.event(
            "regieoverleg_gehouden",
            None,
            LKHA,
            overleg_id=overleg_id,
            datum=datum,
            deelnemers=["lkha", "bz"],
            zaken=[
                {
                    "zaak_id": zaak_id,
                    "aantal_besluiten": 1,
                    "acties": [{"actie_id": a, "eigenaar": e, "deadline": d} for a, e, d in acties],
                }
            ],
        )


@pytest.fixture
def maak() -> Envelopes:
    return Envelopes()
