"""Consular's composition root."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from opentelemetry.sdk.trace.export import SpanExporter
from sqlalchemy import MetaData

from services.consular.api import build_router
from services.consular.application import ConsularApplication
from services.consular.consumers import (
    INTAKE_EVENTS,
    VERIFICATION_EVENTS,
    IntakeHandler,
    VerificationHandler,
)
from services.consular.contracts import SOURCE, to_integration_event
from services.consular.policy import POLICY
from services.consular.problems import PROBLEMS
from services.consular.settings import ConsularSettings
from shared.apirules import API_VERSION, install_api_rules
from shared.db import positions_table
from shared.dbroles import migrate_schema
from shared.eventstore import postgres_env
from shared.http import health_router, install_http_basics
from shared.problems import install_problems
from shared.runtime import ServiceRuntime, Subscription
from shared.security.audit import audited_env
from shared.security.wiring import secure
from shared.telemetry import build_tracer_provider


def _tables() -> MetaData:
    metadata = MetaData()
    positions_table(metadata)
    return metadata


def migrate(owner_url: str) -> None:
    """Create consular's event store, audit log and chains as consular's owner role."""
    migrate_schema(owner_url, SOURCE, metadata=_tables(), application=ConsularApplication)


def create_app(
    settings: ConsularSettings | None = None, *, span_exporter: SpanExporter | None = None
) -> FastAPI:
    """Build the consular service."""
    settings = settings or ConsularSettings()
    provider = build_tracer_provider(
        SOURCE, settings.otel_exporter, settings.otel_endpoint, span_exporter
    )
    tracer = provider.get_tracer("knooppunt.consular")
    runtime = ServiceRuntime(
        service=SOURCE, settings=settings, tracer=tracer, metadata=_tables(), migration=migrate
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await runtime.connect_database()
        consular = await asyncio.to_thread(
            ConsularApplication,
            audited_env(
                postgres_env(
                    settings.database_url, SOURCE, pool_size=settings.pool_size, create_table=False
                )
            ),
        )
        app.state.consular = consular
        await runtime.connect_nats()
        await runtime.start_relay(consular, to_integration_event)
        runtime.start_consumers(
            [
                Subscription("intake", IntakeHandler(consular), INTAKE_EVENTS),
                Subscription("verification", VerificationHandler(consular), VERIFICATION_EVENTS),
            ]
        )
        try:
            yield
        finally:
            await runtime.stop()
            consular.close()
            provider.shutdown()

    app = FastAPI(
        title="Knooppunt consular",
        summary="Consular aid by BZ and its posts, and the afloop of a case.",
        version=API_VERSION,
        lifespan=lifespan,
        redirect_slashes=False,  # a trailing slash is 404, never a redirect (ADR)
    )
    app.state.runtime = runtime
    secure(app, runtime=runtime, policy=POLICY)  # first: guards every route included after
    install_http_basics(app, tracer=tracer, max_body_bytes=settings.max_body_bytes)
    install_problems(app, PROBLEMS)  # every error as problem details (docs/api.md)
    install_api_rules(app, cors_origins=settings.cors_origins)  # headers, CORS, 406/415
    app.include_router(health_router(runtime.readiness, runtime.degradation))
    app.include_router(build_router(runtime.events_stored))
    return app
