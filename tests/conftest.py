"""Test fixtures: a real PostgreSQL, NATS with JetStream and OpenBao for the whole session.

Started from the PyPI wheels on free ports, or taken from DATABASE_URL / NATS_URL when set
(an administrator's URL: services built in tests log in as their own roles,
`tests.helpers.database_credentials`; PostgreSQL refuses connections without a password).
Every test that asks for `database_url` gets a fresh database; `nats_url` comes with all
streams deleted, so tests do not see each other's events.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import tempfile
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import nats
import psycopg
import pytest

from deploy.openbao import KEY_SERVICES, LocalOpenBao
from deploy.servers import LocalNats, LocalPostgres
from tests.helpers import KEY_SERVICE, NATS_SECRETS, PG_PASSWORDS, TEST_JWKS

# Every service built in a test trusts this run's token key (tests/helpers.py).
os.environ["JWT_PUBLIC_KEYS"] = TEST_JWKS

OUTPUT = Path(__file__).parent.parent / "test-output"


@pytest.fixture(scope="session")
def servers_dir() -> Iterator[Path]:
    path = Path(tempfile.mkdtemp(prefix="knooppunt-test-"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres_admin_url(servers_dir: Path) -> Iterator[str]:
    if os.environ.get("DATABASE_URL"):
        yield os.environ["DATABASE_URL"]
        return
    server = LocalPostgres(servers_dir / "postgres", password=PG_PASSWORDS["postgres"]).start()
    yield server.admin_url
    server.stop()


@pytest.fixture(scope="session")
def nats_server_url(servers_dir: Path) -> Iterator[str]:
    if os.environ.get("NATS_URL"):
        yield os.environ["NATS_URL"]
        return
    server = LocalNats(servers_dir / "nats", secrets=dict(NATS_SECRETS)).start()
    yield server.url_for("admin")  # services log in as themselves: nats_credentials()
    server.stop()


@pytest.fixture(scope="session", autouse=True)
def openbao(servers_dir: Path) -> Iterator[LocalOpenBao]:
    """The key service: a real OpenBao (raft storage, initialised and unsealed here), with a
    token per service that holds free text (tests.helpers.key_service)."""
    server = LocalOpenBao(servers_dir / "openbao", keys_dir=servers_dir / "keys").start()
    KEY_SERVICE["addr"] = server.url
    for service in KEY_SERVICES:
        KEY_SERVICE[service] = server.service_token(service)
    yield server
    KEY_SERVICE.clear()
    server.stop()


def _with_database(url: str, name: str) -> str:
    base, _, _ = url.rpartition("/")
    return f"{base}/{name}"


@pytest.fixture
def database_url(postgres_admin_url: str) -> str:
    """A fresh, empty database on the session's PostgreSQL server."""
    name = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(_with_database(postgres_admin_url, "postgres"), autocommit=True) as c:
        c.execute(f'CREATE DATABASE "{name}"')
    return _with_database(postgres_admin_url, name)


async def _delete_streams(url: str) -> None:
    nc = await nats.connect(url)
    try:
        js = nc.jetstream()
        for info in await js.streams_info():
            await js.delete_stream(info.config.name)
    finally:
        await nc.close()


@pytest.fixture
def nats_url(nats_server_url: str) -> str:
    """The session's NATS server with no streams left from earlier tests."""
    asyncio.run(_delete_streams(nats_server_url))
    return nats_server_url


@pytest.fixture
async def nats_client(nats_url: str) -> AsyncIterator[nats.NATS]:
    nc = await nats.connect(nats_url)
    yield nc
    await nc.close()


@pytest.fixture(scope="session")
def output_dir() -> Path:
    OUTPUT.mkdir(exist_ok=True)
    return OUTPUT
