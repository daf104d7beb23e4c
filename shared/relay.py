"""The outbox relay: follows the event store's notification log and publishes to JetStream.

Requests only append to the event store. This relay, running beside them, reads new
notifications in order, turns each into the service's published contract, publishes it with
Nats-Msg-Id = event id and then records how far it got. A crash between publish and record
republishes the same ids, which JetStream drops as duplicates (and consumers track positions
and ids too), so every stored event arrives once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

from eventsourcing.persistence import ApplicationRecorder, Mapper, Notification
from nats.js import JetStreamContext
from opentelemetry import trace
from opentelemetry.trace import SpanKind
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

from shared.db import PositionStore
from shared.eventstore import metadata_of
from shared.messaging import IntegrationEvent, stream_name

log = logging.getLogger(__name__)
_propagator = TraceContextTextMapPropagator()

#: Turns a stored domain event into the published contract, or None if it is not published.
Translator = Callable[[Any], IntegrationEvent | None]


class EventRelay:
    """Publishes a service's stored events to its JetStream stream, in order, at least once."""

    def __init__(
        self,
        *,
        source: str,
        recorder: ApplicationRecorder,
        mapper: Mapper[Any],
        translate: Translator,
        js: JetStreamContext,
        positions: PositionStore,
        tracer: trace.Tracer,
        batch_size: int = 200,
        poll_seconds: float = 0.5,
    ) -> None:
        self.source = source
        self.name = f"relay:{source}"
        self.recorder = recorder
        self.mapper = mapper
        self.translate = translate
        self.js = js
        self.positions = positions
        self.tracer = tracer
        self.batch_size = batch_size
        self.poll_seconds = poll_seconds
        self._wake = asyncio.Event()
        self._stopping = False
        self._position: int | None = None  # read once; only this relay moves it
        self.published = 0

    def stop(self) -> None:
        """Finish the batch in hand, then stop."""
        self._stopping = True
        self._wake.set()

    def nudge(self) -> None:
        """Tell the relay new events were stored (it also polls)."""
        self._wake.set()

    async def run(self) -> None:
        """Relay until cancelled; errors are logged and retried."""
        while not self._stopping:
            try:
                moved = await self.relay_once()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("relay %s failed; retrying", self.source)
                await asyncio.sleep(1)
                continue
            if not moved and not self._stopping:
                self._wake.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), timeout=self.poll_seconds)

    async def relay_once(self) -> int:
        """Publish the next batch of notifications; return how many were read."""
        if self._position is None:
            self._position = await asyncio.to_thread(self.positions.get, self.name)
        notifications: Sequence[Notification] = await asyncio.to_thread(
            self.recorder.select_notifications, self._position + 1, self.batch_size
        )
        for notification in notifications:
            await self._publish(notification)
        if notifications:
            await asyncio.to_thread(self.positions.set, self.name, notifications[-1].id)
            self._position = notifications[-1].id
        return len(notifications)

    async def _publish(self, notification: Notification) -> None:
        domain_event = self.mapper.to_domain_event(notification)
        event = self.translate(domain_event)
        if event is None:
            return
        meta = metadata_of(domain_event)
        if event.recorded_by is None and meta.get("actor"):
            event = replace(event, recorded_by=meta["actor"])
        parent = _propagator.extract(meta.get("trace") or {})
        with self.tracer.start_as_current_span(
            f"publish {event.subject}",
            context=parent,
            kind=SpanKind.PRODUCER,
            attributes={
                "messaging.system": "nats",
                "messaging.destination.name": event.subject,
                "messaging.message.id": event.event_id,
            },
        ):
            headers = event.headers()
            _propagator.inject(headers)
            ack = await self.js.publish(
                event.subject, event.to_json(), headers=headers, stream=stream_name(self.source)
            )
            if not ack.duplicate:
                self.published += 1
