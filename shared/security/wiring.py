"""Wiring the security plumbing into a service: `secure(app, runtime=..., policy=...)`.

Called once by each service's composition root right after creating the app. It adds the
security middleware (authentication, audit records; inside the tracing middleware), the
guard as a global dependency (the policy's role check and check per case, before every
route), the auditor's routes, the bearer scheme in the OpenAPI document, and, once the
service's own start-up is done, opens the audit log (the service's migration installed it
and the hash chains, shared/dbroles.py) and starts the checkpoint writer.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, FastAPI, HTTPException, Query, Request
from opentelemetry import metrics
from sqlalchemy import Engine
from starlette.middleware import Middleware

from shared.context import Actor
from shared.fields import Text
from shared.runtime import ServiceRuntime
from shared.security.audit import AuditLog, InMemoryAuditLog, RequestAudit
from shared.security.checkpoints import (
    Checkpoint,
    CheckpointWriter,
    load_signing_key,
    stored_checkpoints,
)
from shared.security.middleware import AUDIT_SCOPE_KEY, SecurityMiddleware
from shared.security.policy import Policy, api_routes
from shared.security.replay import Decryptor, case_history
from shared.security.sessions import (
    InMemoryRevocations,
    Revocations,
    SqlRevocations,
    session_id,
)
from shared.security.tokens import TokenInvalid, TokenVerifier
from shared.security.watch import ChainWatch
from shared.settings import ServiceSettings

log = logging.getLogger(__name__)


def unguarded_routes(app: FastAPI, policy: Policy) -> list[str]:
    """Non-public routes that lack the guard dependency."""
    return sorted(
        f"{path} ({route.operation_id or route.name})"
        for path, route in api_routes(app)
        if not policy.is_public(path)
        and not any(d.call is guard for d in route.dependant.dependencies)
    )


class Security:
    """The security plumbing of one service process."""

    def __init__(
        self,
        *,
        service: str,
        settings: ServiceSettings,
        policy: Policy,
        decrypt: Decryptor | None = None,
    ) -> None:
        self.service = service
        self.settings = settings
        self.policy = policy
        self.decrypt = decrypt
        self.verifier = TokenVerifier.from_settings(settings)
        key = settings.checkpoint_key
        self.signing_key = load_signing_key(key.get_secret_value()) if key else None
        self.engine: Engine | None = None
        self.audit_log: AuditLog | InMemoryAuditLog | None = None
        self.decode: Callable[[bytes], Mapping[str, Any]] | None = None
        self.checkpoints: CheckpointWriter | None = None
        self.revocations: Revocations | None = None
        self.watch: ChainWatch | None = None
        self.app: FastAPI | None = None

    async def start(self, runtime: ServiceRuntime) -> None:
        """Open the audit log (its migration installed it and the chains); start checkpointing."""
        assert runtime.engine is not None, "the service's start-up connects the database first"
        self.engine = runtime.engine
        if runtime.relay is not None:
            self.decode = runtime.relay.mapper.transcoder.decode
        self.audit_log = AuditLog(self.engine, runtime.schema)
        if self.policy.session is not None:
            revocations = SqlRevocations(self.engine)
            await asyncio.to_thread(revocations.check)  # its migration made the table
            self.revocations = revocations
        if self.app is not None:
            unguarded = unguarded_routes(self.app, self.policy)
            if unguarded:
                raise RuntimeError(
                    f"routes included before secure() are not guarded: {unguarded}; "
                    "call secure() right after creating the app"
                )
            unlisted = self.policy.unlisted_operations(self.app)
            if unlisted:
                log.warning("operations without a policy row (refused to all): %s", unlisted)
        self._watch(runtime)
        if self.signing_key is None:
            log.warning("CHECKPOINT_KEY is not set: %s signs no checkpoints", self.service)
            return
        export_dir = self.settings.checkpoint_export_dir
        self.checkpoints = CheckpointWriter(
            engine=self.engine,
            schema=runtime.schema,
            key=self.signing_key,
            interval=self.settings.checkpoint_interval_seconds,
            export_dir=Path(export_dir) if export_dir else None,
        )
        await asyncio.to_thread(self.checkpoints.write_now)
        self.checkpoints.start()

    def _watch(self, runtime: ServiceRuntime) -> None:
        """Start verifying the chains at intervals; an alarm shows in /ready (degraded)."""
        assert self.engine is not None
        provider = getattr(runtime, "meter_provider", None) or metrics.get_meter_provider()
        watch = ChainWatch(
            engine=self.engine,
            schema=runtime.schema,
            interval=self.settings.chain_verify_interval_seconds,
            public_key=self.signing_key.public_key() if self.signing_key else None,
            meter=provider.get_meter("knooppunt.security"),
        )

        def changed() -> None:
            runtime.degraded["integriteit"] = watch.status()

        self.watch = watch
        watch.start(changed)

    async def stop(self) -> None:
        if self.watch is not None:
            await self.watch.stop()
        if self.checkpoints is not None:
            await self.checkpoints.stop()

    def write_audit(self, audit: RequestAudit, result: str) -> None:
        """Write the request's audit record (once)."""
        if audit.written:
            return
        if self.audit_log is None:
            raise RuntimeError("the audit log is not installed yet")
        self.audit_log.write_request(audit, result)

    def session_revoked(self, session: str) -> bool:
        """Whether a page session was signed out (fail closed before start-up)."""
        if self.revocations is None:
            raise RuntimeError("the session revocations are not installed yet")
        return self.revocations.is_revoked(session)

    def sign_out(self, token: str) -> None:
        """End a page session on the server: its token is refused from now on."""
        if self.revocations is None:
            raise RuntimeError("the session revocations are not installed yet")
        try:
            expires_at = self.verifier.verified(token).expires_at
        except TokenInvalid:
            return  # refused anyway
        self.revocations.revoke(session_id(token), expires_at)

    def history(self, zaak_id: str, *, unmask: bool) -> dict[str, Any]:
        assert self.engine is not None
        with self.engine.connect() as conn:
            return case_history(
                conn,
                schema=self.service,
                zaak_id=zaak_id,
                decode=self.decode,
                free_text=self.policy.free_text,
                unmask=unmask,
                decrypt=self.decrypt,
            )

    def stored_checkpoints(self) -> list[Checkpoint]:
        assert self.engine is not None
        with self.engine.connect() as conn:
            return stored_checkpoints(conn, self.service)


async def guard(request: Request) -> None:
    """The role check and the check per case, before every route (a global dependency).

    The operation is the route FastAPI chose (scope["route"]); a case the caller may not see
    gets the 404 of an unknown case. Without the middleware's audit record: 401 (fail closed).
    """
    security: Security = request.app.state.security
    policy = security.policy
    if policy.is_public(request.url.path):
        return
    audit = request.scope.get(AUDIT_SCOPE_KEY)
    if not isinstance(audit, RequestAudit) or audit.entry.actor is None:
        raise HTTPException(status_code=401, detail="not authenticated")
    route = request.scope.get("route")
    operation = getattr(route, "operation_id", None) or getattr(route, "name", None)
    zaak_id = request.path_params.get("zaak_id")
    audit.update(action=operation or audit.entry.action, zaak_id=zaak_id and str(zaak_id))
    refusal = policy.check(operation or "", audit.entry.actor)
    if refusal is not None:
        audit.refuse(refusal.reason)
        raise HTTPException(status_code=403, detail=refusal.detail)
    if zaak_id is not None and policy.case_visible is not None and operation:
        visible = await asyncio.to_thread(
            policy.case_visible, request.app, audit.entry.actor, operation, str(zaak_id)
        )
        if not visible:
            audit.refuse("niet_zichtbaar")
            raise HTTPException(status_code=404, detail=policy.case_not_found(str(zaak_id)))


def get_request_audit(request: Request) -> RequestAudit:
    """The audit record of this request (the route adds refusals and reads of personal data)."""
    audit = request.scope.get(AUDIT_SCOPE_KEY)
    if not isinstance(audit, RequestAudit):
        raise HTTPException(status_code=401, detail="not authenticated")
    return audit


def get_actor(request: Request) -> Actor:
    """The authenticated caller."""
    actor = get_request_audit(request).entry.actor
    if actor is None:
        raise HTTPException(status_code=401, detail="not authenticated")
    return actor


CurrentActor = Annotated[Actor, Depends(get_actor)]
CurrentAudit = Annotated[RequestAudit, Depends(get_request_audit)]
Reden = Annotated[
    Text | None,
    Query(
        min_length=3,
        max_length=300,
        description="Why the auditor needs the personal data unmasked (itself logged)",
    ),
]


def audit_router(security: Security) -> APIRouter:
    """The auditor's routes, the same in every service."""
    router = APIRouter(prefix="/v1/audit", tags=["audit"])

    @router.get("/zaken/{zaak_id}", operation_id="audit_historie")
    def audit_historie(zaak_id: UUID, audit: CurrentAudit, reden: Reden = None) -> dict[str, Any]:
        """A case's history in this service, each link checked; personal data masked."""
        if reden is not None:
            audit.personal_data(doel="audit", reden=reden)
        return security.history(str(zaak_id), unmask=reden is not None)

    @router.get("/checkpoints", operation_id="audit_checkpoints")
    def audit_checkpoints() -> list[dict[str, str]]:
        """The signed checkpoints of this service's chains, to keep outside the database."""
        return [json.loads(c.to_json()) for c in security.stored_checkpoints()]

    return router


def _document_bearer(app: FastAPI, policy: Policy) -> None:
    """Show the bearer scheme, the roles and 401/403 in the OpenAPI document."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = generate()
        components = schema.setdefault("components", {})
        components.setdefault("securitySchemes", {})["bearer"] = {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "JWT",
            "description": "A token with org, rol and sub; see docs/security.md",
        }
        for path, item in schema.get("paths", {}).items():
            if policy.is_public(path):
                continue
            for operation in item.values():
                if not isinstance(operation, dict) or "operationId" not in operation:
                    continue
                roles = policy.roles_for(operation["operationId"]) or frozenset()
                operation["security"] = [{"bearer": []}]
                note = f"Roles: {', '.join(sorted(roles)) or 'none'}."
                operation["description"] = f"{operation.get('description', '')}\n\n{note}".strip()
                responses = operation.setdefault("responses", {})
                responses.setdefault("401", {"description": "no valid bearer token"})
                responses.setdefault("403", {"description": "the role may not do this"})
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


def protect(app: FastAPI, security: Security) -> None:
    """The middleware, the guard and the auditor's routes on an app (secure() does this and
    starts the audit log with the service; tests of pages may give an in-memory one)."""
    security.app = app
    app.state.security = security
    # Appended last = innermost of the user middleware: inside tracing and the body limit.
    app.user_middleware.append(Middleware(SecurityMiddleware, security=security))
    # A global dependency: every route included from here on is guarded.
    app.router.dependencies.append(Depends(guard))
    app.include_router(audit_router(security))
    _document_bearer(app, security.policy)


def protect_in_memory(
    app: FastAPI, *, service: str, settings: ServiceSettings, policy: Policy
) -> tuple[Security, InMemoryAuditLog]:
    """protect() with the audit log and the signed-out sessions in memory: for tests and
    benchmarks of pages without a database (never a service's composition root)."""
    security = Security(service=service, settings=settings, policy=policy)
    records = InMemoryAuditLog()
    security.audit_log = records
    security.revocations = InMemoryRevocations()
    protect(app, security)
    return security, records


def secure(
    app: FastAPI,
    *,
    runtime: ServiceRuntime,
    policy: Policy,
    decrypt: Decryptor | None = None,
) -> Security:
    """Put authentication, authorisation, the audit log and the chains on a service.

    Call it right after creating the app, before including any router: the guard becomes
    a dependency of every route included afterwards (a route included before is refused
    at start-up).
    """
    security = Security(
        service=runtime.service, settings=runtime.settings, policy=policy, decrypt=decrypt
    )
    protect(app, security)
    original = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(application: FastAPI) -> AsyncIterator[Any]:
        async with original(application) as state:
            await security.start(runtime)
            try:
                yield state
            finally:
                await security.stop()

    app.router.lifespan_context = lifespan
    return security
