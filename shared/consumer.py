"""Durable JetStream consumers that hand each event, in order, to a service's handler.

The handler records the stream position it processed in the same database transaction as the
change it makes (see docs/architecture.md), so a redelivered message changes nothing. One
message is in flight at a time (max_ack_pending=1): the events of a stream are applied in the
order they were stored.

No single message can stop a consumer: a message the handler keeps refusing is parked after
`max_attempts` (shared/parking.py), one in a contract version the consumer does not read
(shared/contracts.py) at once, and the consumer goes on; a case with a parked event holds
its later events. A failure of the connection or the server is retried without limit (it is
not the message's fault) and shows as a stall in /ready. A short ack_wait with progress
heartbeats while a handler works brings the message in flight at a crash back in seconds.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from nats.aio.msg import Msg
from nats.errors import TimeoutError as NatsTimeoutError
from nats.js import JetStreamContext
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy
from nats.js.errors import NotFoundError
from opentelemetry import metrics, trace
from opentelemetry.trace import SpanKind
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

from shared.contracts import ContractRefused
from shared.messaging import SUBJECT_ROOT, IntegrationEvent, stream_name
from shared.parking import (
    HELD,
    PARKED,
    ParkedMessage,
    ParkingLot,
    StreamState,
    case_key,
    headers_of,
    is_transient,
    reason_of,
)

log = logging.getLogger(__name__)
_propagator = TraceContextTextMapPropagator()

#: How long JetStream waits for an ack before it redelivers (a crashed consumer's message).
ACK_WAIT_SECONDS = 5.0
#: Attempts of a message before it is parked; the first retry waits RETRY_DELAY_SECONDS,
#: each next one twice as long.
MAX_ATTEMPTS = 5
RETRY_DELAY_SECONDS = 0.5
#: How often a consumer looks for retry requests and discards (knooppunt parked ...).
PARKED_POLL_SECONDS = 1.0


@dataclass(frozen=True)
class Delivery:
    """An integration event together with where it stands in its stream."""

    event: IntegrationEvent
    stream: str
    sequence: int
    #: Where the handler records it processed this delivery; a retried parked message has a
    #: position of its own (the stream's position is past it already).
    position: str | None = None

    @property
    def position_name(self) -> str:
        return self.position or f"stream:{self.stream}"


#: Applies one delivery; runs in a worker thread; must be idempotent per (stream, sequence).
Handler = Callable[[Delivery], None]


def retry_position(stream: str, sequence: int) -> str:
    """The position a retried parked message is recorded under."""
    return f"parked:{stream}:{sequence}"


class EventConsumer:
    """A durable pull consumer on one producer's stream."""

    def __init__(
        self,
        *,
        js: JetStreamContext,
        source: str,
        durable: str,
        handler: Handler,
        tracer: trace.Tracer,
        event_types: list[str] | None = None,
        ack_wait: float = ACK_WAIT_SECONDS,
        parking: ParkingLot | None = None,
        max_attempts: int = MAX_ATTEMPTS,
        retry_delay: float = RETRY_DELAY_SECONDS,
        meter: metrics.Meter | None = None,
    ) -> None:
        self.js = js
        self.source = source
        self.stream = stream_name(source)
        self.durable = durable
        self.handler = handler
        self.tracer = tracer
        self.filters = [f"{SUBJECT_ROOT}.{source}.*.{t}" for t in event_types or []] or [
            f"{SUBJECT_ROOT}.{source}.>"
        ]
        self.ack_wait = ack_wait
        self.parking = parking
        self.max_attempts = max_attempts
        self.retry_delay = retry_delay
        self.running = False
        self.handled = 0
        self.parked = StreamState()
        #: When the consumer last moved on (a message done, or nothing left to do).
        self.last_progress = time.monotonic()
        self._failing: tuple[int, int, datetime] | None = None  # sequence, attempts, first
        self._stopping = asyncio.Event()
        meter = meter or metrics.get_meter("knooppunt.consumer")
        self._parked_counter = meter.create_counter(
            "knooppunt.consumer.parked",
            unit="{message}",
            description="Messages a consumer parked (failed every attempt, or held behind one)",
        )
        meter.create_observable_gauge(
            "knooppunt.consumer.parked_waiting",
            callbacks=[self._observe_waiting],
            unit="{message}",
            description="Parked messages waiting for an operator (parked, held or retried)",
        )

    def _observe_waiting(self, options: metrics.CallbackOptions) -> list[metrics.Observation]:
        return [metrics.Observation(self.parked.waiting, {"durable": self.durable})]

    def stop(self) -> None:
        """Finish the message in hand, then stop."""
        self._stopping.set()

    async def _subscribe(self) -> JetStreamContext.PullSubscription:
        config = ConsumerConfig(
            # name and durable_name: created on $JS.API.CONSUMER.CREATE.<stream>.<durable>...,
            # the subject a service's NATS user is bound to (deploy/nats/permissions.py)
            name=self.durable,
            durable_name=self.durable,
            ack_policy=AckPolicy.EXPLICIT,
            deliver_policy=DeliverPolicy.ALL,
            max_ack_pending=1,
            ack_wait=self.ack_wait,
            max_deliver=-1,
            filter_subjects=self.filters if len(self.filters) > 1 else None,
            filter_subject=self.filters[0] if len(self.filters) == 1 else None,
        )
        while True:
            try:
                await self.js.add_consumer(self.stream, config)
                return await self.js.pull_subscribe_bind(durable=self.durable, stream=self.stream)
            except NotFoundError:
                log.info("stream %s does not exist yet; waiting for its producer", self.stream)
                await asyncio.sleep(1)

    async def backlog(self) -> int:
        """Messages of the durable not yet acknowledged (pending and in flight)."""
        info = await self.js.consumer_info(self.stream, self.durable)
        return int(info.num_pending or 0) + int(info.num_ack_pending or 0)

    async def stalled(self, seconds: float) -> bool:
        """True when the consumer has a backlog and made no progress for `seconds`."""
        if time.monotonic() - self.last_progress < seconds:
            return False
        try:
            return await asyncio.wait_for(self.backlog(), timeout=2) > 0
        except Exception:  # NATS does not answer: the nats check says so
            return False

    async def run(self) -> None:
        """Consume until cancelled."""
        await self._load_parked()
        sub = await self._subscribe()
        self.running = True
        self.last_progress = time.monotonic()
        next_poll = time.monotonic() + PARKED_POLL_SECONDS
        try:
            while not self._stopping.is_set():
                if self.parking is not None and time.monotonic() >= next_poll:
                    await self._parked_work()
                    next_poll = time.monotonic() + PARKED_POLL_SECONDS
                try:
                    messages = await sub.fetch(1, timeout=0.5)
                except (NatsTimeoutError, TimeoutError):
                    if self._failing is None:
                        self.last_progress = time.monotonic()  # nothing waiting: caught up
                    continue
                for msg in messages:
                    await self._handle(msg)
        finally:
            self.running = False
            try:
                await sub.unsubscribe()
            except Exception:  # the connection may already be gone
                log.debug("unsubscribe of %s failed", self.durable, exc_info=True)

    def _done(self) -> None:
        self._failing = None
        self.last_progress = time.monotonic()

    async def _handle(self, msg: Msg) -> None:
        sequence = msg.metadata.sequence.stream
        if sequence in self.parked.dealt:  # parked before; the ack was lost
            await msg.ack()
            self._done()
            return
        headers = dict(msg.headers or {})
        try:
            event = IntegrationEvent.from_json(msg.data, headers)
        except ValueError:
            if self.parking is None:
                log.error("poison message on %s (seq %s): terminated", msg.subject, sequence)
                await msg.term()
                return
            await self._park(msg, None, PARKED, "not a Knooppunt integration event", 1)
            return
        case = case_key(event.zaak_id)
        if self.parking is not None and case is not None and case in self.parked.held_cases:
            reason = "held: an earlier event of this case is parked"
            await self._park(msg, case, HELD, reason, 0)
            return
        delivery = Delivery(event=event, stream=self.stream, sequence=sequence)
        try:
            await self._apply(delivery, headers, msg)
        except Exception as exc:
            await self._failed(msg, case, exc)
            return
        await msg.ack()
        self.handled += 1
        self._done()

    async def _apply(self, delivery: Delivery, headers: dict[str, str], msg: Msg) -> None:
        """Run the handler in a thread, telling JetStream meanwhile that it works."""
        heartbeat = asyncio.create_task(self._heartbeat(msg))
        try:
            await asyncio.to_thread(self._apply_now, delivery, headers)
        finally:
            heartbeat.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await heartbeat

    def _apply_now(self, delivery: Delivery, headers: dict[str, str]) -> None:
        """Run the handler (blocking) in the event's trace."""
        event = delivery.event
        parent = _propagator.extract(headers)
        with self.tracer.start_as_current_span(
            f"consume {event.subject}",
            context=parent,
            kind=SpanKind.CONSUMER,
            attributes={
                "messaging.system": "nats",
                "messaging.destination.name": event.subject,
                "messaging.message.id": event.event_id,
                "messaging.consumer.group.name": self.durable,
            },
        ) as span:
            try:
                self.handler(delivery)
            except Exception as exc:
                span.record_exception(exc)
                raise

    async def _heartbeat(self, msg: Msg) -> None:
        """Keep the message ours while the handler works (it may take longer than ack_wait)."""
        while True:
            await asyncio.sleep(self.ack_wait / 3)
            try:
                await msg.in_progress()
            except Exception:
                log.debug("progress heartbeat of %s failed", self.durable, exc_info=True)

    async def _failed(self, msg: Msg, case: str | None, exc: BaseException) -> None:
        sequence = msg.metadata.sequence.stream
        reason = reason_of(exc)
        if isinstance(exc, ContractRefused) and self.parking is not None:
            await self._park(msg, case, PARKED, reason, 1)  # no attempt reads it better
            return
        if is_transient(exc) or self.parking is None:
            log.warning(
                "handler %s failed on seq %s (%s); will be redelivered",
                self.durable, sequence, reason,
            )  # fmt: skip
            if self._failing is None or self._failing[0] != sequence:
                self._failing = (sequence, 0, datetime.now(UTC))
            await msg.nak(delay=1)
            return
        _, attempts, first = (
            self._failing
            if self._failing is not None and self._failing[0] == sequence
            else (sequence, 0, datetime.now(UTC))
        )
        attempts += 1
        self._failing = (sequence, attempts, first)
        if attempts < self.max_attempts:
            delay = self.retry_delay * 2 ** (attempts - 1)
            log.warning(
                "handler %s failed on seq %s, attempt %s of %s (%s); retried in %.1f s",
                self.durable, sequence, attempts, self.max_attempts, reason, delay,
            )  # fmt: skip
            await msg.nak(delay=delay)
            return
        await self._park(msg, case, PARKED, reason, attempts, first)

    async def _park(
        self,
        msg: Msg,
        case: str | None,
        status: str,
        reason: str,
        attempts: int,
        first: datetime | None = None,
    ) -> None:
        """Keep the message in the parking lot, then acknowledge it: the consumer goes on."""
        assert self.parking is not None
        sequence = msg.metadata.sequence.stream
        now = datetime.now(UTC)
        parked = ParkedMessage(
            stream=self.stream,
            sequence=sequence,
            durable=self.durable,
            subject=msg.subject,
            headers=headers_of(msg.headers),
            payload=bytes(msg.data),
            zaak_id=case,
            status=status,
            reason=reason,
            attempts=attempts,
            first_failed_at=first or now,
            last_failed_at=now,
        )
        try:
            await asyncio.to_thread(self.parking.park, parked)
        except Exception as exc:
            log.warning("parking seq %s of %s failed (%s)", sequence, self.durable, exc)
            await msg.nak(delay=1)
            return
        self.parked.dealt.add(sequence)
        self.parked.waiting += 1
        if case is not None:
            self.parked.held_cases.add(case)
        self._parked_counter.add(1, {"durable": self.durable, "status": status})
        log.warning(
            "%s %s seq %s on %s after %s attempts: %s (knooppunt parked list)",
            status, self.durable, sequence, self.stream, attempts, reason,
        )  # fmt: skip
        await msg.ack()
        self._done()

    async def _load_parked(self) -> None:
        if self.parking is None:
            return
        while True:
            try:
                self.parked = await asyncio.to_thread(self.parking.state, self.stream)
                return
            except Exception as exc:
                if not is_transient(exc):
                    raise
                log.warning("reading the parked messages of %s failed: %s", self.durable, exc)
                await asyncio.sleep(1)

    async def _parked_work(self) -> None:
        """Apply the cases an operator asked to retry; take in discards (from the table)."""
        assert self.parking is not None
        try:
            state = await asyncio.to_thread(self.parking.state, self.stream)
            for request in state.retry:
                await self._retry_case(request)
            if state.retry:
                state = await asyncio.to_thread(self.parking.state, self.stream)
        except Exception as exc:
            log.warning("parked messages of %s: %s", self.durable, reason_of(exc))
            return
        self.parked = state

    async def _retry_case(self, request: ParkedMessage) -> None:
        """Apply a case's waiting messages again, in stream order (shared/parking.py)."""
        assert self.parking is not None

        def apply(message: ParkedMessage) -> None:
            event = IntegrationEvent.from_json(message.payload, message.headers)
            position = retry_position(self.stream, message.sequence)
            delivery = Delivery(event, self.stream, message.sequence, position)
            self._apply_now(delivery, message.headers)

        await asyncio.to_thread(self.parking.retry_case, request, apply)
