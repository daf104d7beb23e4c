"""The moving parts every service has, built once by the service's composition root.

`ServiceRuntime` connects to PostgreSQL (first running the service's migration as its owner
role when DATABASE_OWNER_URL is given, then as its runtime role) and NATS, creates its
stream (producers), and starts its relay and consumers as tasks.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from nats.aio.client import Client as NATS
from nats.js import JetStreamContext
from opentelemetry import metrics, trace
from sqlalchemy import Engine, MetaData, text

from shared.consumer import EventConsumer, Handler
from shared.db import PositionStore, make_engine, positions_table
from shared.dbroles import refuse_privileged
from shared.eventstore import ServiceApplication
from shared.messaging import connect, ensure_stream
from shared.parking import ParkingLot, parked_table
from shared.relay import EventRelay, Translator
from shared.settings import ServiceSettings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Subscription:
    """What a service consumes: one producer's events of the given types (all if empty)."""

    source: str
    handler: Handler
    event_types: list[str] = field(default_factory=list)


class ServiceRuntime:
    """Connections, relay and consumers of one service process."""

    def __init__(
        self,
        *,
        service: str,
        settings: ServiceSettings,
        tracer: trace.Tracer,
        metadata: MetaData,
        migration: Callable[[str], None],
    ) -> None:
        self.service = service
        self.migration = migration
        self.settings = settings
        self.tracer = tracer
        self.metadata = metadata
        self.positions_table = positions_table(metadata)
        self.parked_table = parked_table(metadata)
        self.parking: ParkingLot | None = None
        #: What the service itself reports as degraded in /ready (beside parked messages),
        #: e.g. an integrity alarm (shared/security/watch.py).
        self.degraded: dict[str, Any] = {}
        #: The service's metrics (parked messages, integrity alarms); the global provider
        #: unless set.
        self.meter_provider: metrics.MeterProvider | None = None
        self.engine: Engine | None = None
        self.positions: PositionStore | None = None
        self.nc: NATS | None = None
        self.js: JetStreamContext | None = None
        self.relay: EventRelay | None = None
        self.consumers: list[EventConsumer] = []
        self._tasks: list[asyncio.Task[Any]] = []
        self._loop: asyncio.AbstractEventLoop | None = None

    @property
    def schema(self) -> str:
        return self.service

    async def connect_database(self) -> Engine:
        """Engine on the service's own schema, as its runtime role (refused: a superuser or
        an owner); first its migration as the owner role if DATABASE_OWNER_URL is set."""
        owner = self.settings.database_owner_url
        if owner is not None:
            await asyncio.to_thread(self.migration, owner.get_secret_value())
        engine = make_engine(
            self.settings.database_url, self.schema, pool_size=self.settings.pool_size
        )
        try:
            await asyncio.to_thread(refuse_privileged, engine, self.schema)
        except BaseException:
            engine.dispose()
            raise
        self.engine = engine
        self.positions = PositionStore(engine, self.positions_table)
        self.parking = ParkingLot(engine, self.parked_table)
        return engine

    async def connect_nats(self) -> JetStreamContext:
        self.nc = await connect(
            self.settings.nats_url,
            name=f"knooppunt-{self.service}",
            user=self.settings.nats_user,
            nkey_seed=seed.get_secret_value() if (seed := self.settings.nats_nkey_seed) else None,
        )
        self.js = self.nc.jetstream()
        return self.js

    async def start_relay(self, app: ServiceApplication, translate: Translator) -> EventRelay:
        """Create this service's stream and start relaying its event store to it."""
        assert self.js is not None and self.positions is not None
        await ensure_stream(self.js, self.service)
        self.relay = EventRelay(
            source=self.service,
            recorder=app.recorder,
            mapper=app.mapper,
            translate=translate,
            js=self.js,
            positions=self.positions,
            tracer=self.tracer,
            poll_seconds=self.settings.relay_poll_seconds,
        )
        self._loop = asyncio.get_running_loop()
        self._tasks.append(asyncio.create_task(self.relay.run(), name=f"relay-{self.service}"))
        return self.relay

    def start_consumers(self, subscriptions: list[Subscription]) -> None:
        assert self.js is not None
        for sub in subscriptions:
            consumer = EventConsumer(
                js=self.js,
                source=sub.source,
                durable=f"{self.service}-{sub.source}",
                handler=sub.handler,
                tracer=self.tracer,
                event_types=sub.event_types,
                ack_wait=self.settings.consumer_ack_wait_seconds,
                parking=self.parking,
                max_attempts=self.settings.consumer_max_attempts,
                retry_delay=self.settings.consumer_retry_delay_seconds,
                meter=(self.meter_provider or metrics.get_meter_provider()).get_meter(
                    "knooppunt.consumer"
                ),
            )
            self.consumers.append(consumer)
            self._tasks.append(asyncio.create_task(consumer.run(), name=consumer.durable))

    def events_stored(self) -> None:
        """Wake the relay now (thread-safe; called by request handlers after a save)."""
        if self.relay is not None and self._loop is not None:
            self._loop.call_soon_threadsafe(self.relay.nudge)

    async def readiness(self) -> dict[str, bool]:
        """Whether PostgreSQL and NATS answer and the relay and consumers are running."""
        checks: dict[str, bool] = {}
        try:
            assert self.engine is not None
            await asyncio.wait_for(asyncio.to_thread(self._ping_database), timeout=2)
            checks["postgresql"] = True
        except Exception:
            checks["postgresql"] = False
        checks["nats"] = bool(self.nc is not None and self.nc.is_connected)
        for task in self._tasks:
            checks[task.get_name()] = not task.done()
        stall = self.settings.consumer_stall_seconds
        for consumer in self.consumers:
            checks[consumer.durable] = consumer.running and not await consumer.stalled(stall)
        return checks

    async def degradation(self) -> dict[str, Any]:
        """What works but needs an operator: parked messages (knooppunt parked list),
        an integrity alarm (shared/security/watch.py)."""
        degraded = dict(self.degraded)
        if self.parking is None:
            return degraded
        try:
            parked = await asyncio.wait_for(asyncio.to_thread(self.parking.count), timeout=2)
        except Exception:  # the postgresql check says so
            return degraded
        if parked:
            degraded["parked_messages"] = parked
        return degraded

    def _ping_database(self) -> None:
        assert self.engine is not None
        with self.engine.connect() as conn:
            conn.execute(text("SELECT 1"))

    async def stop(self) -> None:
        """Let consumers finish the message in hand, stop the relay, close connections."""
        for consumer in self.consumers:
            consumer.stop()
        if self.relay is not None:
            self.relay.stop()
        if self._tasks:
            _, pending = await asyncio.wait(self._tasks, timeout=3)
            for task in pending:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)
        if self.nc is not None and self.nc.is_connected:
            try:
                await self.nc.flush(timeout=2)  # acknowledgements still in the buffer
            except Exception:
                log.warning("NATS flush failed on shutdown", exc_info=True)
            await self.nc.close()
        if self.engine is not None:
            self.engine.dispose()
