"""Durable JetStream consumers that hand each event, in order, to a service's handler.

The handler records the stream position it processed in the same database transaction as the
change it makes (see docs/architecture.md), so a redelivered message changes nothing. One
message is in flight at a time (max_ack_pending=1): the events of a stream are applied in the
order they were stored.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass

from nats.aio.msg import Msg
from nats.errors import TimeoutError as NatsTimeoutError
from nats.js import JetStreamContext
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy
from nats.js.errors import NotFoundError
from opentelemetry import trace
from opentelemetry.trace import SpanKind
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

from shared.messaging import SUBJECT_ROOT, IntegrationEvent, stream_name

log = logging.getLogger(__name__)
_propagator = TraceContextTextMapPropagator()


@dataclass(frozen=True)
class Delivery:
    """An integration event together with where it stands in its stream."""

    event: IntegrationEvent
    stream: str
    sequence: int

    @property
    def position_name(self) -> str:
        return f"stream:{self.stream}"


#: Applies one delivery; runs in a worker thread; must be idempotent per (stream, sequence).
Handler = Callable[[Delivery], None]


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
        ack_wait: float = 30,
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
        self.running = False
        self.handled = 0
        self._stopping = asyncio.Event()

    def stop(self) -> None:
        """Finish the message in hand, then stop."""
        self._stopping.set()

    async def _subscribe(self) -> JetStreamContext.PullSubscription:
        config = ConsumerConfig(
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

    async def run(self) -> None:
        """Consume until cancelled."""
        sub = await self._subscribe()
        self.running = True
        try:
            while not self._stopping.is_set():
                try:
                    messages = await sub.fetch(1, timeout=0.5)
                except (NatsTimeoutError, TimeoutError):
                    continue
                for msg in messages:
                    await self._handle(msg)
        finally:
            self.running = False
            try:
                await sub.unsubscribe()
            except Exception:  # the connection may already be gone
                log.debug("unsubscribe of %s failed", self.durable, exc_info=True)

    async def _handle(self, msg: Msg) -> None:
        headers = dict(msg.headers or {})
        try:
            event = IntegrationEvent.from_json(msg.data, headers)
        except ValueError:
            log.error(
                "poison message on %s (seq %s): terminated",
                msg.subject,
                msg.metadata.sequence.stream,
            )
            await msg.term()
            return
        delivery = Delivery(event=event, stream=self.stream, sequence=msg.metadata.sequence.stream)
        parent = _propagator.extract(headers)
        with self.tracer.start_as_current_span(
            f"consume {msg.subject}",
            context=parent,
            kind=SpanKind.CONSUMER,
            attributes={
                "messaging.system": "nats",
                "messaging.destination.name": msg.subject,
                "messaging.message.id": event.event_id,
                "messaging.consumer.group.name": self.durable,
            },
        ) as span:
            try:
                await asyncio.to_thread(self.handler, delivery)
            except Exception as exc:
                span.record_exception(exc)
                log.exception(
                    "handler %s failed on %s; will be redelivered", self.durable, event.event_id
                )
                await msg.nak(delay=2)
                return
        await msg.ack()
        self.handled += 1
