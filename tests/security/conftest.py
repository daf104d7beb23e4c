"""The four services in-process on one fresh database, each with its own NATS user and its own
checkpoint key: the setting of the security tests (docs/security.md)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import psycopg
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from fastapi import FastAPI
from pydantic import SecretStr
from sqlalchemy import Engine, text

from services.consular.main import create_app as consular_app
from services.consular.settings import ConsularSettings
from services.intake.main import create_app as intake_app
from services.intake.settings import IntakeSettings
from services.reporting.main import create_app as reporting_app
from services.reporting.settings import ReportingSettings
from services.verification.main import create_app as verification_app
from services.verification.settings import VerificationSettings
from shared.db import make_engine
from shared.security.checkpoints import load_signing_key, new_signing_key
from tests.conftest import _delete_streams, _with_database
from tests.helpers import database_credentials, key_service, nats_credentials, serving

pytestmark = pytest.mark.integration

SERVICES = ("intake", "verification", "consular", "reporting")
#: Each service's checkpoint signing key for this test run, and the trusted public keys.
CHECKPOINT_KEYS = {service: new_signing_key() for service in SERVICES}
TRUSTED: dict[str, list[Ed25519PublicKey]] = {
    service: [load_signing_key(key).public_key()] for service, key in CHECKPOINT_KEYS.items()
}


def fresh_database(admin_url: str, prefix: str = "sec") -> str:
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(_with_database(admin_url, "postgres"), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return _with_database(admin_url, name)


def settings_for(service: str, database_url: str, nats_url: str, **extra: Any) -> dict[str, Any]:
    """A service's settings: its own NATS user and checkpoint key, fast relay and checkpoints."""
    return {
        **database_credentials(database_url, service),
        **nats_credentials(nats_url, service),
        "environment": "test",
        "relay_poll_seconds": 0.1,
        "checkpoint_key": SecretStr(CHECKPOINT_KEYS[service]),
        **extra,
    }


def build_apps(database_url: str, nats_url: str, **intake_extra: Any) -> dict[str, FastAPI]:
    def s(service: str, **extra: Any) -> dict[str, Any]:
        return settings_for(service, database_url, nats_url, **extra)

    return {
        "intake": intake_app(
            IntakeSettings(**key_service("intake"), **s("intake", **intake_extra))
        ),
        "verification": verification_app(
            VerificationSettings(**key_service("verification"), **s("verification"))
        ),
        "consular": consular_app(ConsularSettings(**s("consular"))),
        "reporting": reporting_app(ReportingSettings(**s("reporting"))),
    }


@dataclass
class System:
    """The running services, a client per service (no token by default) and the database."""

    apps: dict[str, FastAPI]
    clients: dict[str, httpx.AsyncClient]
    database_url: str
    engine: Engine

    def audit_head(self, service: str) -> int:
        with self.engine.connect() as conn:
            query = f'SELECT max(position) FROM "{service}".audit_log'  # noqa: S608
            value = conn.execute(text(query)).scalar()
        return int(value or 0)

    def audit_after(self, service: str, position: int) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            query = f'SELECT * FROM "{service}".audit_log WHERE position > :p'  # noqa: S608
            rows = conn.execute(text(query + " ORDER BY position"), {"p": position})
            return [dict(r._mapping) for r in rows]


@pytest.fixture(scope="module")
async def system(postgres_admin_url: str, nats_server_url: str) -> AsyncIterator[System]:
    """The four services on a database of this module's own, on the session's servers."""
    await _delete_streams(nats_server_url)
    database_url = fresh_database(postgres_admin_url)
    apps = build_apps(database_url, nats_server_url)
    engine = make_engine(database_url, "public", pool_size=2)
    async with (
        serving(apps["intake"], headers={}) as intake,
        serving(apps["verification"], headers={}) as verification,
        serving(apps["consular"], headers={}) as consular,
        serving(apps["reporting"], headers={}) as reporting,
    ):
        clients = {
            "intake": intake,
            "verification": verification,
            "consular": consular,
            "reporting": reporting,
        }
        yield System(apps, clients, database_url, engine)
    engine.dispose()
    await asyncio.sleep(0)
