"""Consular in memory: the application, and intake's and verification's streams as fakes."""

from __future__ import annotations

import pytest

from services.consular.application import ConsularApplication
from tests.unit.consular.fakes import VANDAAG, Stromen


@pytest.fixture
def app() -> ConsularApplication:
    return ConsularApplication(vandaag=lambda: VANDAAG)


@pytest.fixture
def stromen(app: ConsularApplication) -> Stromen:
    return Stromen(app)
