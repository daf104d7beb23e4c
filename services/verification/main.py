"""Verification's composition root: everything is built here, at start-up, never at import."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from opentelemetry.sdk.trace.export import SpanExporter

from services.verification.api import build_router
from services.verification.application import VerificationApplication
from services.verification.consumers import (
    CONSULAR_EVENTS,
    INTAKE_EVENTS,
    ConsularHandler,
    IntakeHandler,
)
from services.verification.contracts import SOURCE, to_integration_event
from services.verification.policy import POLICY
from services.verification.problems import PROBLEMS
from services.verification.readmodel import AgendaProjection, AgendaStore, metadata
from services.verification.settings import VerificationSettings
from shared.apirules import API_VERSION, install_api_rules
from shared.dbroles import migrate_schema
from shared.eventstore import postgres_env
from shared.http import health_router, install_http_basics
from shared.problems import install_problems
from shared.runtime import ServiceRuntime, Subscription
from shared.security.audit import audited_env
from shared.security.wiring import secure
from shared.telemetry import build_tracer_provider

#: Tables the running service changes in place: its read model (everything else it appends).
UPDATES = ("agenda_zaken", "agenda_acties")


def migrate(owner_url: str) -> None:
    """Create verification's tables, event store, audit log and chains as its owner role."""
    migrate_schema(
        owner_url, SOURCE, metadata=metadata, application=VerificationApplication, updates=UPDATES
    )


def create_app(
    settings: VerificationSettings | None = None, *, span_exporter: SpanExporter | None = None
) -> FastAPI:
    """Build the verification service."""
    settings = settings or VerificationSettings()
    provider = build_tracer_provider(
        SOURCE, settings.otel_exporter, settings.otel_endpoint, span_exporter
    )
    tracer = provider.get_tracer("knooppunt.verification")
    runtime = ServiceRuntime(
        service=SOURCE, settings=settings, tracer=tracer, metadata=metadata, migration=migrate
    )
    projections: list[AgendaProjection] = []

    def events_stored() -> None:
        """Wake the relay and the agenda projection (thread-safe)."""
        runtime.events_stored()
        for projection in projections:
            projection.nudge()

    async def readiness() -> dict[str, bool]:
        checks = await runtime.readiness()
        for projection in projections:
            checks["projection-agenda"] = projection.running
        return checks

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = await runtime.connect_database()
        verification = await asyncio.to_thread(
            VerificationApplication,
            audited_env(
                postgres_env(
                    settings.database_url, SOURCE, pool_size=settings.pool_size, create_table=False
                )
            ),
        )
        projection = AgendaProjection(
            engine=engine,
            recorder=verification.recorder,
            mapper=verification.mapper,
            poll_seconds=settings.relay_poll_seconds,
            parking=runtime.parking,
            max_attempts=settings.consumer_max_attempts,
        )
        projections.append(projection)
        agenda = AgendaStore(engine)
        app.state.verification = verification
        app.state.agenda = agenda
        app.state.projection = projection
        projecting = asyncio.create_task(projection.run(), name="projection-agenda")
        await runtime.connect_nats()
        await runtime.start_relay(verification, to_integration_event)
        runtime.start_consumers(
            [
                Subscription("intake", IntakeHandler(verification, events_stored), INTAKE_EVENTS),
                Subscription("consular", ConsularHandler(agenda), CONSULAR_EVENTS),
            ]
        )
        try:
            yield
        finally:
            projection.stop()
            await runtime.stop()
            with contextlib.suppress(asyncio.CancelledError, TimeoutError):
                await asyncio.wait_for(projecting, timeout=3)
            verification.close()
            provider.shutdown()

    app = FastAPI(
        title="Knooppunt verification",
        summary="Verification of meldingen, closing and reopening, and the regieoverleg "
        "(LKHA with BZ).",
        version=API_VERSION,
        lifespan=lifespan,
        redirect_slashes=False,  # a trailing slash is 404, never a redirect (ADR)
    )
    app.state.runtime = runtime
    secure(app, runtime=runtime, policy=POLICY)  # first: guards every route included after
    install_http_basics(app, tracer=tracer, max_body_bytes=settings.max_body_bytes)
    install_problems(app, PROBLEMS)  # every error as problem details (docs/api.md)
    install_api_rules(app, cors_origins=settings.cors_origins)  # headers, CORS, 406/415
    app.include_router(health_router(readiness, runtime.degradation))
    app.include_router(build_router(events_stored))
    return app
