"""Fixtures for verification's rules, in memory (eventsourcing's default persistence)."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import date
from typing import Any
from uuid import UUID, uuid4

import pytest
from eventsourcing.persistence import Tracking

from services.verification.application import VerificationApplication
from services.verification.teksten import Teksten
from shared.crypto import InMemoryCaseKeys

VANDAAG = date(2019, 6, 30)
GEMELD_OP = date(2018, 3, 14)

NieuweZaak = Callable[..., UUID]


@pytest.fixture
def app() -> VerificationApplication:
    return VerificationApplication(teksten=Teksten(InMemoryCaseKeys()), vandaag=lambda: VANDAAG)


@pytest.fixture
def nieuwe_zaak(app: VerificationApplication) -> NieuweZaak:
    """Let a melding arrive from intake; returns its zaak_id."""
    volgnummer = itertools.count(1)

    def maak(**overrides: Any) -> UUID:
        zaak_id = uuid4()
        nummer = next(volgnummer)
        melding: dict[str, Any] = {
            "referentie": f"LKHA-2018-{nummer:04d}",
            "gemeld_op": GEMELD_OP,
            "onderwerp": "achterlating",
            "betrokkene": {"categorie": "minderjarige"},
            "land": "MA",
            "bz_betrokken": True,
            **overrides,
        }
        app.ontvang_melding(zaak_id, 1, melding, Tracking("stream:INTAKE", nummer))
        return zaak_id

    return maak


@pytest.fixture
def zaak(nieuwe_zaak: NieuweZaak) -> UUID:
    """A case whose melding arrived (gemeld_op 2018-03-14)."""
    return nieuwe_zaak()
