"""Each service logs in to NATS as its own user and may touch only its own subjects: publish
its own events, read other services' streams through its own durable consumers only."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

import nats
import pytest
from nats.aio.client import Client as NATS
from nats.js.api import AckPolicy, ConsumerConfig

from deploy.nats.permissions import render
from deploy.servers import NATS_CONF
from shared.messaging import ensure_stream
from tests.helpers import NATS_PASSWORDS, nats_credentials

pytestmark = pytest.mark.integration


def test_the_shipped_configuration_is_the_one_reviewed_in_permissions_py() -> None:
    assert NATS_CONF.read_text() == render(), "run: python -m deploy.nats.permissions"


@pytest.fixture
def server(nats_url: str) -> str:
    if os.environ.get("NATS_URL"):
        pytest.skip("NATS_URL names a server configured elsewhere")
    return nats_url


@asynccontextmanager
async def login(url: str, user: str, errors: list[str] | None = None) -> AsyncIterator[NATS]:
    credentials = nats_credentials(url, user if user != "admin" else "intake")

    async def collect(exc: Exception) -> None:
        if errors is not None:
            errors.append(str(exc))

    nc = await nats.connect(
        credentials["nats_url"],
        user=user,
        password=NATS_PASSWORDS[user],
        inbox_prefix=f"_INBOX.{user}",
        error_cb=collect,
        allow_reconnect=False,
        max_reconnect_attempts=0,
    )
    try:
        yield nc
    finally:
        await nc.close()


async def _refused(call: Callable[[], object]) -> bool:
    try:
        await call()  # type: ignore[misc]
    except Exception:
        return True
    return False


async def test_a_wrong_password_is_refused(server: str) -> None:
    url = nats_credentials(server, "intake")["nats_url"]
    with pytest.raises(Exception, match=r"(?i)authorization"):
        await nats.connect(
            url, user="intake", password="fout", allow_reconnect=False, max_reconnect_attempts=0
        )


async def test_a_service_publishes_only_its_own_events(server: str) -> None:
    async with login(server, "admin") as admin:
        for source in ("intake", "verification"):
            await ensure_stream(admin.jetstream(), source)
    errors: list[str] = []
    async with login(server, "intake", errors) as intake:
        js = intake.jetstream(timeout=0.5)
        ack = await js.publish("knooppunt.intake.v1.test", b"{}", stream="INTAKE")
        assert ack.stream == "INTAKE"
        assert await _refused(lambda: js.publish("knooppunt.verification.v1.afgesloten", b"{}"))
        await intake.flush()
    assert any("permissions violation" in e.lower() for e in errors), errors


async def test_a_service_reads_other_streams_only_through_its_own_consumer(server: str) -> None:
    async with login(server, "admin") as admin:
        await ensure_stream(admin.jetstream(), "intake")
        await admin.jetstream().publish("knooppunt.intake.v1.gemeld", b"{}", stream="INTAKE")
    errors: list[str] = []
    async with login(server, "verification", errors) as verification:
        js = verification.jetstream(timeout=0.5)
        own = ConsumerConfig(durable_name="verification-intake", ack_policy=AckPolicy.EXPLICIT)
        await js.add_consumer("INTAKE", own)
        sub = await js.pull_subscribe_bind(durable="verification-intake", stream="INTAKE")
        [msg] = await sub.fetch(1, timeout=2)
        await msg.ack()
        other = ConsumerConfig(durable_name="reporting-intake", ack_policy=AckPolicy.EXPLICIT)
        assert await _refused(lambda: js.add_consumer("INTAKE", other))
        assert await _refused(lambda: js.get_msg("INTAKE", 1))
        assert await _refused(lambda: js.delete_stream("INTAKE"))
        await verification.subscribe("knooppunt.>")
        await verification.subscribe("_INBOX.intake.>")
        await verification.flush()
    async with login(server, "admin") as admin:
        assert (await admin.jetstream().stream_info("INTAKE")).state.messages == 1
    refused = " ".join(e.lower() for e in errors if "permissions violation" in e.lower())
    for subject in (
        'publish to "$js.api.consumer.durable.create.intake.reporting-intake"',
        'publish to "$js.api.stream.msg.get.intake"',
        'publish to "$js.api.stream.delete.intake"',
        'subscription to "knooppunt.>"',
        'subscription to "_inbox.intake.>"',
    ):
        assert subject in refused, errors
