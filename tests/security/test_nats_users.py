"""Each service logs in to NATS as its own user (an NKey) in its own account and may do only
its own job: publish its own events, create its own stream, create, read and acknowledge
its own durables; reporting's rebuild only reads the streams (deploy/nats/permissions.py).
The sabotage a service could mount on another is refused: tests/security/test_nats_attacks.py.
"""

from __future__ import annotations

import os

import bcrypt
import nats
import nkeys
import pytest

from deploy.nats.permissions import PRODUCERS, REBUILD_CONSUMER, REBUILD_USER, SERVICES, render
from deploy.servers import NATS_CONF, nats_server_env, new_nats_secrets
from services.reporting import rebuild
from shared.messaging import ensure_stream
from tests.helpers import NATS_SECRETS, nats_credentials
from tests.security.nats_world import durable_config, login, set_up, snapshot

pytestmark = pytest.mark.integration


def test_the_shipped_configuration_is_the_one_reviewed_in_permissions_py() -> None:
    assert NATS_CONF.read_text() == render(), "run: python -m deploy.nats.permissions"
    assert (rebuild.REBUILD_USER, rebuild.REBUILD_CONSUMER) == (REBUILD_USER, REBUILD_CONSUMER)


def test_nats_server_is_given_no_secret() -> None:
    """nats-server holds the services' public keys and the bcrypt hash of the admin's
    password; the seeds and the password stay with their owners."""
    made = new_nats_secrets()
    env = nats_server_env(made)
    for user, secret in made.items():
        assert all(secret not in value for value in env.values()), user
    for user in (*SERVICES, REBUILD_USER):
        public = env[f"KNOOPPUNT_NATS_{user.upper()}_NKEY"]
        assert public.startswith("U") and made[user].startswith("SU")
    hashed = env["KNOOPPUNT_NATS_ADMIN_PASSWORD_HASH"].strip('"')
    assert hashed.startswith("$2") and bcrypt.checkpw(made["admin"].encode(), hashed.encode())
    assert "password" not in NATS_CONF.read_text().split("accounts {")[1].replace(
        "password: $KNOOPPUNT_NATS_ADMIN_PASSWORD_HASH", ""
    )


@pytest.fixture
def server(nats_url: str) -> str:
    if os.environ.get("NATS_URL"):
        pytest.skip("NATS_URL names a server configured elsewhere")
    return nats_url


async def test_an_unknown_key_or_a_wrong_password_is_refused(server: str) -> None:
    url = nats_credentials(server, "intake")["nats_url"]
    stranger = nkeys.encode_seed(os.urandom(32), nkeys.PREFIX_BYTE_USER).decode()
    with pytest.raises(Exception, match=r"(?i)authorization"):
        await nats.connect(
            url, nkeys_seed_str=stranger, allow_reconnect=False, max_reconnect_attempts=0
        )
    for user, password in (("admin", "fout"), ("intake", NATS_SECRETS["intake"])):
        with pytest.raises(Exception, match=r"(?i)authorization"):
            await nats.connect(
                url, user=user, password=password, allow_reconnect=False, max_reconnect_attempts=0
            )


async def test_each_service_does_its_own_job(server: str) -> None:
    """Producers create their stream (again: idempotent) and publish their events; every
    consumer creates its durables (with the name bound in the subject), pulls and acks."""
    await set_up(server)
    for producer in PRODUCERS:
        async with login(server, producer) as nc:
            js = nc.jetstream(timeout=2)
            await ensure_stream(js, producer)
            ack = await js.publish(f"knooppunt.{producer}.v1.tweede", b"{}")
            assert ack.stream == producer.upper() and ack.seq == 2
    for service in SERVICES:
        async with login(server, service) as nc:
            js = nc.jetstream(timeout=2)
            for producer in PRODUCERS:
                if producer == service:
                    continue
                durable, stream = f"{service}-{producer}", producer.upper()
                again = await js.add_consumer(stream, durable_config(durable, producer))
                assert again.name == durable
                sub = await js.pull_subscribe_bind(durable=durable, stream=stream)
                for seq in (1, 2):
                    [msg] = await sub.fetch(1, timeout=2)
                    assert msg.metadata.sequence.stream == seq
                    await msg.in_progress()
                    await msg.ack_sync()
                info = await js.consumer_info(stream, durable)
                assert info.ack_floor.stream_seq == 2 and info.num_pending == 0
                await sub.unsubscribe()
    shot = await snapshot(server)
    assert {k: v[0] for k, v in shot.streams.items()} == {p.upper(): 2 for p in PRODUCERS}


async def test_the_rebuild_user_reads_every_stream_and_leaves_no_consumer(server: str) -> None:
    await set_up(server)
    async with login(server, REBUILD_USER) as nc:
        standen = await rebuild._standen(nc)
        for producer in PRODUCERS:
            assert standen[producer] is not None
            sub = await rebuild._herhaalconsument(nc.jetstream(timeout=2), producer)
            [msg] = await sub.fetch(5, timeout=2)
            assert msg.subject == f"knooppunt.{producer}.v1.gemeld"
            await rebuild._ruim_op(nc.jetstream(timeout=2), producer.upper())
    consumers = (await snapshot(server)).consumers
    assert not [name for name in consumers if REBUILD_CONSUMER in name]


async def test_a_producer_leaves_a_stream_of_another_configuration_as_it_is(
    server: str, caplog: pytest.LogCaptureFixture
) -> None:
    """It may create its stream, not change it: a release with another configuration logs a
    warning and publishes on; an operator applies the change as admin."""
    async with login(server, "admin") as admin:
        await admin.jetstream().add_stream(
            name="INTAKE", subjects=["knooppunt.intake.>"], max_msgs=1000
        )
    async with login(server, "intake") as nc:
        js = nc.jetstream(timeout=2)
        await ensure_stream(js, "intake")
        assert (await js.publish("knooppunt.intake.v1.gemeld", b"{}")).seq == 1
    assert "exists with another configuration" in caplog.text
    async with login(server, "admin") as admin:
        assert (await admin.jetstream().stream_info("INTAKE")).config.max_msgs == 1000
