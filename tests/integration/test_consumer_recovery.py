"""After a crash the message that was in flight comes back within seconds, not ack_wait 30 s.

A consumer process fetches a message and dies before acknowledging it (its connection drops
without a word, as after kill -9). The next consumer on the same durable must get the message
within a few seconds; a handler that takes longer than ack_wait keeps its message by sending
progress heartbeats instead of having it redelivered.
"""

from __future__ import annotations

import asyncio
import threading
import time
from datetime import UTC, datetime

import nats
import pytest
from nats.aio.client import Client as NATS
from opentelemetry.sdk.trace import TracerProvider

from shared.consumer import ACK_WAIT_SECONDS, Delivery, EventConsumer
from shared.messaging import IntegrationEvent, ensure_stream
from tests.helpers import eventually

pytestmark = pytest.mark.integration
TRACER = TracerProvider().get_tracer("test")


def _event(n: int) -> IntegrationEvent:
    return IntegrationEvent(
        event_id=f"zaak-{n}:1",
        event_type="gemeld",
        source="intake",
        zaak_id=f"zaak-{n}",
        recorded_at=datetime(2026, 1, 1, tzinfo=UTC),
        data={"n": n},
    )


async def _true(value: bool) -> bool:
    return value


async def _publish(js: object, n: int) -> None:
    event = _event(n)
    await js.publish(event.subject, event.to_json(), headers=event.headers())  # type: ignore[attr-defined]


async def test_the_message_in_flight_at_a_crash_is_redelivered_within_seconds(
    nats_client: NATS, nats_url: str
) -> None:
    js = nats_client.jetstream()
    await ensure_stream(js, "intake")
    await _publish(js, 1)

    # The first consumer takes the message and "dies": no ack, the connection just drops.
    doomed = await nats.connect(nats_url, allow_reconnect=False)
    first = EventConsumer(
        js=doomed.jetstream(),
        source="intake",
        durable="t-intake",
        handler=lambda d: None,
        tracer=TRACER,
    )
    sub = await first._subscribe()
    (taken,) = await sub.fetch(1, timeout=5)
    assert taken.metadata.sequence.stream == 1
    doomed._transport.close()  # type: ignore[union-attr]  # a crash: no UNSUB, no ack
    await asyncio.sleep(0.2)

    seen: list[tuple[int, float]] = []
    restarted = time.monotonic()
    second = EventConsumer(
        js=js,
        source="intake",
        durable="t-intake",
        handler=lambda d: seen.append((d.sequence, time.monotonic() - restarted)),
        tracer=TRACER,
    )
    task = asyncio.create_task(second.run())
    try:
        await eventually(lambda: _true(bool(seen)), within=20, what="the redelivery")
        assert seen, "the message in flight at the crash never came back"
        sequence, after = seen[0]
        assert sequence == 1
        assert after < ACK_WAIT_SECONDS + 2, f"redelivered only after {after:.1f} s"
        assert ACK_WAIT_SECONDS <= 5
    finally:
        second.stop()
        await task
        await doomed.close()


async def test_a_handler_slower_than_ack_wait_keeps_its_message(nats_client: NATS) -> None:
    js = nats_client.jetstream()
    await ensure_stream(js, "intake")
    await _publish(js, 1)
    await _publish(js, 2)
    calls: list[int] = []
    lock = threading.Lock()

    def slow(delivery: Delivery) -> None:
        with lock:
            calls.append(delivery.sequence)
        if delivery.sequence == 1:
            time.sleep(2.5)  # longer than this consumer's ack_wait of 1 s

    consumer = EventConsumer(
        js=js, source="intake", durable="t-slow", handler=slow, tracer=TRACER, ack_wait=1
    )
    task = asyncio.create_task(consumer.run())
    try:
        await eventually(lambda: _true(consumer.handled == 2), within=15, what="both handled")
        assert calls == [1, 2], "the slow message was redelivered while being handled"
    finally:
        consumer.stop()
        await task


async def test_a_durable_made_with_the_old_ack_wait_gets_the_new_one(nats_client: NATS) -> None:
    js = nats_client.jetstream()
    await ensure_stream(js, "intake")
    old = EventConsumer(
        js=js, source="intake", durable="t-old", handler=lambda d: None, tracer=TRACER, ack_wait=30
    )
    await (await old._subscribe()).unsubscribe()
    new = EventConsumer(
        js=js, source="intake", durable="t-old", handler=lambda d: None, tracer=TRACER
    )
    await (await new._subscribe()).unsubscribe()
    assert (await js.consumer_info("INTAKE", "t-old")).config.ack_wait == ACK_WAIT_SECONDS
