"""Issue 9, finding 3: no NATS user can sabotage another service. For every service user and
reporting's rebuild user, on the real nats-server with the shipped configuration, each
attack is sent and then the streams, every consumer and the other services' inboxes are
compared with how they were: nothing may have changed (a refusal alone is not enough)."""

from __future__ import annotations

import asyncio
import os
import time
from typing import Any

import pytest

from deploy.nats.permissions import PRODUCERS, REBUILD_USER, SERVICES, publish_allowed
from tests.security.nats_world import (
    DURABLES,
    USERS,
    Inbox,
    login,
    send,
    set_up,
    settle,
    snapshot,
)

pytestmark = pytest.mark.integration


@pytest.fixture
def server(nats_url: str) -> str:
    if os.environ.get("NATS_URL"):
        pytest.skip("NATS_URL names a server configured elsewhere")
    return nats_url


def _others_durables(attacker: str) -> list[tuple[str, str]]:
    return [(s, n) for s, n in DURABLES if not n.startswith(f"{attacker}-")]


def _consumer_attacks(stream: str, name: str) -> list[tuple[str, Any]]:
    """Every way to change, remove, pause, rewind or read another service's consumer."""
    producer = stream.lower()
    other = f"knooppunt.{producer}.v1.niets"
    config = {"ack_policy": "explicit", "deliver_policy": "all", "max_ack_pending": 1}
    return [
        # the finding: the legacy subject takes the name from the body, action update
        *[
            (
                f"$JS.API.CONSUMER.CREATE.{stream}",
                {
                    "stream_name": stream,
                    "action": action,
                    "config": {**config, "name": name, "filter_subject": other},
                },
            )
            for action in ("update", "create")
        ],
        *[
            (
                f"$JS.API.CONSUMER.CREATE.{stream}.{name}.{other}",
                {
                    "stream_name": stream,
                    "action": action,
                    "config": {
                        **config,
                        "name": name,
                        "durable_name": name,
                        "filter_subject": other,
                    },
                },
            )
            for action in ("update", "create", "")
        ],
        (
            f"$JS.API.CONSUMER.CREATE.{stream}.{name}",
            {
                "stream_name": stream,
                "action": "update",
                "config": {
                    **config,
                    "name": name,
                    "durable_name": name,
                    "filter_subjects": [other],
                },
            },
        ),
        (
            f"$JS.API.CONSUMER.DURABLE.CREATE.{stream}.{name}",
            {
                "stream_name": stream,
                "config": {**config, "durable_name": name, "filter_subject": other},
            },
        ),
        (f"$JS.API.CONSUMER.DELETE.{stream}.{name}", b""),
        (f"$JS.API.CONSUMER.PAUSE.{stream}.{name}", {"pause_until": "2099-01-01T00:00:00Z"}),
        (f"$JS.API.CONSUMER.RESET.{stream}.{name}", {"seq": 1}),
        (f"$JS.API.CONSUMER.MSG.NEXT.{stream}.{name}", {"batch": 1, "expires": 200_000_000}),
        (f"$JS.ACK.{stream}.{name}.1.1.1.{time.time_ns()}.0", b"+ACK"),
        (f"$JS.ACK.{stream}.{name}.1.1.1.{time.time_ns()}.0", b"+TERM"),
    ]


def _stream_attacks(stream: str) -> list[tuple[str, Any]]:
    """Purge, delete, delete messages, shrink (drops history), redirect, or add a stream."""
    subjects = [f"knooppunt.{stream.lower()}.>"]
    shrunk = {"name": stream, "subjects": subjects, "storage": "file", "max_msgs": 1}
    republish = {
        **shrunk,
        "max_msgs": -1,
        "republish": {"src": ">", "dest": "knooppunt.consular.v1.kopie"},
    }
    return [
        (f"$JS.API.STREAM.PURGE.{stream}", {}),
        (f"$JS.API.STREAM.PURGE.{stream}", {"filter": subjects[0], "keep": 0}),
        (f"$JS.API.STREAM.DELETE.{stream}", b""),
        (f"$JS.API.STREAM.MSG.DELETE.{stream}", {"seq": 1}),
        (f"$JS.API.STREAM.MSG.DELETE.{stream}", {"seq": 1, "no_erase": True}),
        (f"$JS.API.STREAM.UPDATE.{stream}", shrunk),
        (f"$JS.API.STREAM.UPDATE.{stream}", republish),
        (f"$JS.API.STREAM.CREATE.{stream}", shrunk),
        ("$JS.API.STREAM.CREATE.VANG", {"name": "VANG", "subjects": ["knooppunt.*.v2.>"]}),
    ]


@pytest.mark.parametrize("attacker", USERS)
async def test_no_user_can_change_another_services_consumers_or_any_stream(
    server: str, attacker: str
) -> None:
    await set_up(server)
    before = await snapshot(server)
    failures: list[str] = []
    errors: list[str] = []
    async with login(server, attacker, errors) as nc:
        groups = [(f"{s}/{n}", _consumer_attacks(s, n)) for s, n in _others_durables(attacker)]
        groups += [(p.upper(), _stream_attacks(p.upper())) for p in PRODUCERS]
        for target, attacks in groups:
            for subject, body in attacks:
                await send(nc, subject, body, reply=f"_INBOX.{attacker}.antwoord")
            await settle(nc)
            if changed := before.differences(await snapshot(server)):
                failures.append(f"{target}: {changed}")
                await set_up(server)  # start again from the intact state
                before = await snapshot(server)
    assert failures == [], "\n".join(failures)
    assert any("permissions violation" in e for e in errors), errors


@pytest.mark.parametrize("attacker", USERS)
async def test_no_user_can_take_another_services_consumer_name(server: str, attacker: str) -> None:
    """Before a service started, its durable does not exist yet: nobody else may create it."""
    await set_up(server)
    async with login(server, "admin") as admin:
        js = admin.jetstream()
        for stream, name in DURABLES:
            await js.delete_consumer(stream, name)
    async with login(server, attacker) as nc:
        for stream, name in _others_durables(attacker):
            for subject, body in _consumer_attacks(stream, name)[:7]:
                await send(nc, subject, body, reply=f"_INBOX.{attacker}.antwoord")
        await settle(nc)
    assert (await snapshot(server)).consumers == {}


@pytest.mark.parametrize("attacker", USERS)
async def test_no_user_writes_into_another_stream_directly_or_through_a_reply(
    server: str, attacker: str
) -> None:
    """Publishing to another producer's subjects, and every request the user may make with
    a reply subject that is another producer's stream subject: JetStream answers (with an
    API response, an ack or the consumer's next message) only into the requester's own
    account, so no other stream grows."""
    await set_up(server)
    before = await snapshot(server)
    targets = [p for p in PRODUCERS if p != attacker]
    async with login(server, attacker) as nc:
        for target in targets:
            await send(nc, f"knooppunt.{target}.v1.gemeld", {"event_id": "vals"})
            for subject in _concrete(publish_allowed(attacker)):
                await send(nc, subject, _body_for(subject), reply=f"knooppunt.{target}.v1.x")
        await settle(nc)
        await asyncio.sleep(0.5)
    after = await snapshot(server)
    grown = {
        t.upper(): (before.streams[t.upper()][0], after.streams[t.upper()][0]) for t in targets
    }
    assert all(b == a for b, a in grown.values()), grown
    assert set(after.streams) == set(before.streams)


@pytest.mark.parametrize("attacker", USERS)
async def test_no_user_reaches_or_reads_another_services_inbox(server: str, attacker: str) -> None:
    """Another service's inbox gets nothing (direct, or as the reply of a request the
    attacker may make), and the attacker cannot subscribe to it or to anything but its own."""
    await set_up(server)
    victims = [u for u in USERS if u != attacker]
    inboxes = {v: Inbox() for v in victims}
    stolen = Inbox()
    errors: list[str] = []
    async with login(server, attacker, errors) as nc:
        for wide in ("_INBOX.>", ">", "knooppunt.>", "$JS.>", *[f"_INBOX.{v}.>" for v in victims]):
            await nc.subscribe(wide, cb=stolen.cb)
        for victim in victims:
            async with login(server, victim) as vc:
                await vc.subscribe(f"_INBOX.{victim}.>", cb=inboxes[victim].cb)
                await vc.flush()
                await send(nc, f"_INBOX.{victim}.x", b"vals antwoord")
                for subject in _concrete(publish_allowed(attacker)):
                    await send(nc, subject, _body_for(subject), reply=f"_INBOX.{victim}.x")
                # the victim's own requests: their answers must reach the victim only
                js = vc.jetstream(timeout=2)
                for stream, name in DURABLES:
                    if name.startswith(f"{victim}-"):
                        await js.consumer_info(stream, name)
                await settle(nc, vc)
    planted = {
        v: [m.data for m in i.received if m.subject == f"_INBOX.{v}.x"] for v, i in inboxes.items()
    }
    assert planted == {v: [] for v in victims}
    assert all(i.received for v, i in inboxes.items() if v != REBUILD_USER)  # their own answers
    assert stolen.received == []
    for wide in ("_inbox.>", "knooppunt.>"):
        assert any(f'subscription to "{wide}"' in e for e in errors), errors


def _concrete(subjects: list[str]) -> list[str]:
    """A publishable subject for each allowed one (wildcards filled in)."""
    out = []
    for subject in subjects:
        if subject.startswith("$JS.ACK."):
            out.append(subject.replace(">", f"1.1.1.{time.time_ns()}.0"))
        elif ".knooppunt." in subject and subject.startswith("$JS.API.CONSUMER.CREATE."):
            out.append(subject.replace(">", "v1.x"))
        else:
            out.append(subject.replace(">", "v1.antwoord"))
    return out


def _body_for(subject: str) -> bytes:
    if ".MSG.NEXT." in subject:
        return b'{"batch": 5, "expires": 300000000}'
    return b""


def test_every_user_of_the_configuration_is_attacked() -> None:
    assert set(USERS) == {*SERVICES, REBUILD_USER}
