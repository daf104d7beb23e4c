"""The four services as real processes on free ports, over the session's servers."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from deploy.stack import Stack
from tests.helpers import NATS_SECRETS, PG_PASSWORDS


@pytest.fixture(scope="module")
def stack(
    tmp_path_factory: pytest.TempPathFactory, postgres_admin_url: str, nats_server_url: str
) -> Iterator[Stack]:
    import asyncio
    import uuid

    import psycopg

    from tests.conftest import _delete_streams, _with_database

    asyncio.run(_delete_streams(nats_server_url))
    name = f"e2e_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(_with_database(postgres_admin_url, "postgres"), autocommit=True) as c:
        c.execute(f'CREATE DATABASE "{name}"')
    data_dir: Path = tmp_path_factory.mktemp("stack")
    running = Stack.on_free_ports(
        data_dir,
        database_url=_with_database(postgres_admin_url, name),
        nats_url=nats_server_url,
        environment="test",
        given_nats_secrets=dict(NATS_SECRETS),
        given_pg_passwords=dict(PG_PASSWORDS),
    )
    try:
        running.start()
        yield running
    finally:
        running.stop()
