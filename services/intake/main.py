"""Intake's composition root: everything is built here, at start-up, never at import."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any

from fastapi import FastAPI
from opentelemetry.sdk.trace.export import SpanExporter
from sqlalchemy import MetaData

from services.intake.adapters import SqlReferenties, SqlSleutels, metadata
from services.intake.adviesvragen.api import build_adviesvragen_router
from services.intake.adviesvragen.application import Adviesvragen
from services.intake.adviesvragen.contracts import met_adviesvragen
from services.intake.api import build_router
from services.intake.api_persoonsgegevens import build_persoonsgegevens_router
from services.intake.api_status import build_status_router
from services.intake.application import IntakeApplication
from services.intake.bewaring import Bewaring, BewaringTaak, bewaring_tables
from services.intake.consumers import VERIFICATION_EVENTS, VerificationHandler
from services.intake.contracts import SOURCE, to_integration_event
from services.intake.organisaties import Organisatieregister
from services.intake.policy import POLICY
from services.intake.problems import PROBLEMS
from services.intake.settings import IntakeSettings
from services.intake.status import MeldingStatussen, SqlStatusStore, melding_status_table
from shared.apirules import API_VERSION, install_api_rules
from shared.consumer import Delivery
from shared.crypto import TransitCaseKeys
from shared.db import positions_table
from shared.dbroles import migrate_schema
from shared.eventstore import postgres_env
from shared.http import health_router, install_http_basics
from shared.problems import install_problems
from shared.runtime import ServiceRuntime, Subscription
from shared.security.audit import audited_env
from shared.security.wiring import secure
from shared.telemetry import build_tracer_provider

#: Tables the running service changes in place (everything else it only appends to).
UPDATES = ("melding_status", "bewaring")
MAINTAIN: tuple[str, ...] = ()
#: Tables that change in place, each change chained by a row trigger the migration installs
#: (shared/security/rowchain.py): the status, the retention clock and the erasure records.
CHAINED = ("melding_status", "bewaring", "wissingen")


def _tables() -> MetaData:
    melding_status_table(metadata)
    bewaring_tables(metadata)
    positions_table(metadata)
    return metadata


def migrate(owner_url: str) -> None:
    """Create intake's tables, event store, audit log and chains as intake's owner role."""
    migrate_schema(
        owner_url,
        SOURCE,
        metadata=_tables(),
        application=IntakeApplication,
        updates=UPDATES,
        maintain=MAINTAIN,
        chained=CHAINED,
    )


def create_app(
    settings: IntakeSettings | None = None, *, span_exporter: SpanExporter | None = None
) -> FastAPI:
    """Build the intake service."""
    settings = settings or IntakeSettings()
    if settings.openbao_addr is None or settings.openbao_token is None:
        raise RuntimeError(
            "OPENBAO_ADDR and OPENBAO_TOKEN are not set (knooppunt run starts OpenBao)"
        )
    keys = TransitCaseKeys.connect(
        settings.openbao_addr, settings.openbao_token.get_secret_value(), settings.openbao_mount
    )
    provider = build_tracer_provider(
        SOURCE, settings.otel_exporter, settings.otel_endpoint, span_exporter
    )
    tracer = provider.get_tracer("knooppunt.intake")
    runtime = ServiceRuntime(
        service=SOURCE, settings=settings, tracer=tracer, metadata=_tables(), migration=migrate
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = await runtime.connect_database()
        await asyncio.to_thread(keys.check)
        intake = await asyncio.to_thread(
            IntakeApplication,
            audited_env(
                postgres_env(
                    settings.database_url, SOURCE, pool_size=settings.pool_size, create_table=False
                )
            ),
            cipher=keys,
            referenties=SqlReferenties(),
            sleutels=SqlSleutels(engine),
        )
        app.state.intake = intake
        app.state.adviesvragen = Adviesvragen(intake)
        statussen = SqlStatusStore(engine, metadata)
        app.state.meldingstatussen = MeldingStatussen(intake, statussen)
        bewaring = Bewaring(
            engine,
            metadata,
            schema=SOURCE,
            termijn=timedelta(days=settings.bewaartermijn_dagen),
            keys=keys,
            meldingen=intake,
        )
        app.state.bewaring = bewaring
        stadia = VerificationHandler(statussen)

        def bij_verificatie(delivery: Delivery) -> None:
            bewaring.noteer(delivery)  # idempotent, so first: a redelivery repeats it harmlessly
            stadia(delivery)

        await runtime.connect_nats()
        await runtime.start_relay(intake, met_adviesvragen(to_integration_event))
        runtime.start_consumers(
            [Subscription("verification", bij_verificatie, VERIFICATION_EVENTS)]
        )
        retention = BewaringTaak(bewaring, settings.bewaring_interval_seconden)
        retention.start()
        try:
            yield
        finally:
            await retention.stop()
            await runtime.stop()
            intake.close()
            provider.shutdown()

    app = FastAPI(
        title="Knooppunt intake",
        summary="The LKHA's front door: partners report meldingen here.",
        version=API_VERSION,
        lifespan=lifespan,
        redirect_slashes=False,  # a trailing slash is 404, never a redirect (ADR)
    )
    app.state.runtime = runtime
    app.state.organisaties = Organisatieregister.laad(settings.organisatieregister)

    def ontsleutel(zaak_id: str, token: str) -> Any:
        plain: bytes = app.state.intake.cipher.decrypt(zaak_id, token)
        return json.loads(plain) if plain.startswith(b"{") else plain.decode()

    secure(app, runtime=runtime, policy=POLICY, decrypt=ontsleutel)  # first: guards all routes
    install_http_basics(app, tracer=tracer, max_body_bytes=settings.max_body_bytes)
    install_problems(app, PROBLEMS)  # every error as problem details (docs/api.md)
    install_api_rules(app, cors_origins=settings.cors_origins)  # headers, CORS, 406/415
    app.include_router(health_router(runtime.readiness, runtime.degradation))
    app.include_router(build_router(runtime.events_stored))
    app.include_router(build_status_router())
    app.include_router(build_adviesvragen_router(runtime.events_stored))
    app.include_router(build_persoonsgegevens_router(runtime.events_stored))
    return app
