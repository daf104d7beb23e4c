"""Reporting's composition root."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import ExitStack, asynccontextmanager

from fastapi import FastAPI
from opentelemetry.sdk.trace.export import SpanExporter
from sqlalchemy import Engine

from services.reporting.api import build_router
from services.reporting.index import Feitenindex
from services.reporting.policy import POLICY
from services.reporting.problems import PROBLEMS
from services.reporting.rapportage import Rapportage
from services.reporting.rebuild import SOURCES
from services.reporting.schemas import QUERY_ALIASES
from services.reporting.settings import ReportingSettings
from services.reporting.store import FactStore, metadata
from services.reporting.web import install_pages
from shared.apirules import API_VERSION, QueryAliasMiddleware, install_api_rules
from shared.consumer import Delivery
from shared.dbroles import migrate_schema
from shared.http import health_router, install_http_basics
from shared.problems import install_problems
from shared.runtime import ServiceRuntime, Subscription
from shared.security.sessions import forget_expired_sessions
from shared.security.wiring import secure
from shared.telemetry import build_tracer_provider

SERVICE = "reporting"
log = logging.getLogger(__name__)
#: Every change of the facts (a rebuild's too) is chained by a row trigger the migration
#: installs (shared/security/rowchain.py).
CHAINED = ("feiten",)


def migrate(owner_url: str) -> None:
    """Create reporting's tables and audit log chain as reporting's owner role (its facts it
    only appends; a rebuild, which drops them, runs as the owner: services/reporting/rebuild.py).
    The pages' sign-outs (revoked_sessions) the runtime role may only add; the migration
    forgets those whose token has expired."""

    def extra(engine: Engine) -> None:
        FactStore(engine).migrate()
        forget_expired_sessions(engine)

    migrate_schema(owner_url, SERVICE, metadata=metadata, extra=extra, chained=CHAINED)


def create_app(
    settings: ReportingSettings | None = None, *, span_exporter: SpanExporter | None = None
) -> FastAPI:
    """Build the reporting service."""
    settings = settings or ReportingSettings()
    provider = build_tracer_provider(
        SERVICE, settings.otel_exporter, settings.otel_endpoint, span_exporter
    )
    tracer = provider.get_tracer("knooppunt.reporting")
    runtime = ServiceRuntime(
        service=SERVICE, settings=settings, tracer=tracer, metadata=metadata, migration=migrate
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = await runtime.connect_database()
        index = Feitenindex()
        facts = FactStore(engine, on_new_fact=index.voeg_toe)
        app.state.facts = facts
        app.state.rapportage = Rapportage(index, sleutel=settings.cel_sleutel())
        with ExitStack() as held:
            # Waits while a rebuild (knooppunt reporting rebuild) is writing the facts.
            await asyncio.to_thread(held.enter_context, facts.in_use())
            if await asyncio.to_thread(facts.rebuild_interrupted):
                # An earlier version emptied the facts before replaying: serve what there
                # is, clearly degraded in /ready, until `knooppunt reporting rebuild` ran.
                log.warning("an earlier rebuild was interrupted; the facts may be incomplete")
                runtime.degraded["rebuild_interrupted"] = True
            await asyncio.to_thread(index.voeg_toe_alle, facts.all_envelopes())

            def record(delivery: Delivery) -> None:
                facts.record(delivery)

            await runtime.connect_nats()
            runtime.start_consumers([Subscription(source, record) for source in SOURCES])
            try:
                yield
            finally:
                await runtime.stop()
                provider.shutdown()

    app = FastAPI(
        title="Knooppunt reporting",
        summary="Jaarcijfers and ad-hoc figures, exact and as of any date.",
        version=API_VERSION,
        lifespan=lifespan,
        redirect_slashes=False,  # a trailing slash is 404, never a redirect (ADR)
    )
    app.state.runtime = runtime
    secure(app, runtime=runtime, policy=POLICY)  # first: guards every route included after
    install_http_basics(app, tracer=tracer, max_body_bytes=settings.max_body_bytes)
    install_problems(app, PROBLEMS)  # every error as problem details (docs/api.md)
    install_api_rules(app, cors_origins=settings.cors_origins)  # headers, CORS, 406/415
    app.add_middleware(QueryAliasMiddleware, aliases=QUERY_ALIASES)  # snake_case: deprecated
    app.include_router(health_router(runtime.readiness, runtime.degradation))
    app.include_router(build_router())
    # The coordinators' web pages under /ui (services/reporting/web, docs/ui.md).
    install_pages(app, settings)
    return app
