"""The NATS of the security tests: log in as any user of deploy/nats, set up the streams and
every service's durables, and take a snapshot of everything one service could sabotage."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import nats
from nats.aio.client import Client as NATS
from nats.aio.msg import Msg
from nats.js.api import AckPolicy, ConsumerConfig

from deploy.nats.permissions import PRODUCERS, REBUILD_USER, SERVICES
from shared.messaging import ensure_stream
from tests.helpers import NATS_SECRETS, nats_credentials

USERS = (*SERVICES, REBUILD_USER)
#: Every durable of the shipped configuration: (stream, name) of <service>-<producer>.
DURABLES = [(p.upper(), f"{s}-{p}") for s in SERVICES for p in PRODUCERS if s != p]


@asynccontextmanager
async def login(url: str, user: str, errors: list[str] | None = None) -> AsyncIterator[NATS]:
    """Connected as `user` (its NKey seed; admin: its password); errors collects what the
    server refused."""
    plain = nats_credentials(url, "intake")["nats_url"]

    async def collect(exc: Exception) -> None:
        if errors is not None:
            errors.append(str(exc).lower())

    auth: dict[str, Any] = (
        {"user": "admin", "password": NATS_SECRETS["admin"]}
        if user == "admin"
        else {"nkeys_seed_str": NATS_SECRETS[user]}
    )
    nc = await nats.connect(
        plain,
        inbox_prefix=f"_INBOX.{user}",
        error_cb=collect,
        allow_reconnect=False,
        max_reconnect_attempts=0,
        **auth,
    )
    try:
        yield nc
    finally:
        await nc.close()


def durable_config(name: str, producer: str, **extra: Any) -> ConsumerConfig:
    """A durable as shared/consumer.py makes it (name bound in the subject)."""
    return ConsumerConfig(
        name=name,
        durable_name=name,
        ack_policy=AckPolicy.EXPLICIT,
        max_ack_pending=1,
        filter_subject=f"knooppunt.{producer}.>",
        **extra,
    )


async def set_up(url: str) -> None:
    """The three streams with one event each, and every durable, made by its own service."""
    for producer in PRODUCERS:
        async with login(url, producer) as nc:
            js = nc.jetstream(timeout=2)
            await ensure_stream(js, producer)
            await js.publish(f"knooppunt.{producer}.v1.gemeld", b'{"echt": 1}', stream=None)
    for service in SERVICES:
        async with login(url, service) as nc:
            js = nc.jetstream(timeout=2)
            for producer in PRODUCERS:
                if producer != service:
                    durable = f"{service}-{producer}"
                    await js.add_consumer(producer.upper(), durable_config(durable, producer))


@dataclass
class Snapshot:
    """What another service could break: streams (messages, subjects, limits) and every
    consumer (filters, where it stands)."""

    streams: dict[str, Any] = field(default_factory=dict)
    consumers: dict[str, Any] = field(default_factory=dict)

    def differences(self, other: Snapshot) -> list[str]:
        out = []
        for part in ("streams", "consumers"):
            mine, theirs = getattr(self, part), getattr(other, part)
            for key in sorted(set(mine) | set(theirs)):
                if mine.get(key) != theirs.get(key):
                    out.append(f"{key}: {mine.get(key)} -> {theirs.get(key)}")
        return out


async def snapshot(url: str) -> Snapshot:
    shot = Snapshot()
    async with login(url, "admin") as nc:
        js = nc.jetstream()
        for info in await js.streams_info():
            c = info.config
            shot.streams[info.config.name] = (
                info.state.messages,
                info.state.last_seq,
                tuple(c.subjects or ()),
                c.max_msgs,
                c.max_age,
                c.republish,
            )
            for ci in await js.consumers_info(info.config.name):
                k = ci.config
                shot.consumers[f"{info.config.name}/{ci.name}"] = (
                    k.filter_subject,
                    tuple(k.filter_subjects or ()),
                    k.deliver_subject,
                    ci.delivered.stream_seq,
                    ci.ack_floor.stream_seq,
                    ci.num_pending,
                )
    return shot


async def send(nc: NATS, subject: str, body: Any = b"", reply: str = "") -> None:
    """Publish, fire and forget (a refused publish is only reported to the error callback)."""
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    await nc.publish(subject, data, reply=reply)


class Inbox:
    """A service's own inbox subscription, to see whether anything reaches it."""

    def __init__(self) -> None:
        self.received: list[Msg] = []

    async def cb(self, msg: Msg) -> None:
        self.received.append(msg)


async def settle(*clients: NATS) -> None:
    for nc in clients:
        await nc.flush()
    await asyncio.sleep(0.3)
