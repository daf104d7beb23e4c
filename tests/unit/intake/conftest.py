"""Intake in memory: the application, the status store, and verification's stream as a fake."""

from __future__ import annotations

import pytest

from services.intake.adviesvragen.application import Adviesvragen
from services.intake.application import InMemoryReferenties, IntakeApplication
from services.intake.consumers import VerificationHandler
from services.intake.status import InMemoryStatusStore, MeldingStatussen
from shared.crypto import InMemoryCaseKeys
from tests.unit.intake.fakes import VANDAAG, Verificatie


@pytest.fixture
def intake() -> IntakeApplication:
    return IntakeApplication(
        cipher=InMemoryCaseKeys(),
        referenties=InMemoryReferenties(),
        vandaag=lambda: VANDAAG,
    )


@pytest.fixture
def store() -> InMemoryStatusStore:
    return InMemoryStatusStore()


@pytest.fixture
def statussen(intake: IntakeApplication, store: InMemoryStatusStore) -> MeldingStatussen:
    return MeldingStatussen(intake, store)


@pytest.fixture
def verificatie(store: InMemoryStatusStore) -> Verificatie:
    return Verificatie(VerificationHandler(store))


@pytest.fixture
def adviesvragen(intake: IntakeApplication) -> Adviesvragen:
    return Adviesvragen(intake)
