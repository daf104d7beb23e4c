"""HTTP plumbing shared by the services: tracing, body limit, health."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from opentelemetry import trace
from opentelemetry.trace import SpanKind
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.problems import TE_GROOT, problem_response

log = logging.getLogger(__name__)
_propagator = TraceContextTextMapPropagator()


class BodyTooLarge(Exception):
    pass


class BodyLimitMiddleware:
    """Refuses request bodies over `max_bytes` with 413, before anything reads them whole."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await self._refuse(scope, receive, send)
            return
        seen = 0

        async def limited_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    raise BodyTooLarge
            return message

        try:
            await self.app(scope, limited_receive, send)
        except BodyTooLarge:
            await self._refuse(scope, receive, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = problem_response(
            TE_GROOT, f"request body larger than {self.max_bytes} bytes", scope.get("path", "")
        )
        await response(scope, receive, send)


def install_http_basics(app: FastAPI, *, tracer: trace.Tracer, max_body_bytes: int) -> None:
    """Tracing of every request and the body-size limit (errors: shared/problems.py)."""

    @app.middleware("http")
    async def _trace(request: Request, call_next: Callable[[Request], Awaitable[Any]]) -> Any:
        parent = _propagator.extract(dict(request.headers))
        route = request.url.path
        with tracer.start_as_current_span(
            f"{request.method} {route}",
            context=parent,
            kind=SpanKind.SERVER,
            attributes={"http.request.method": request.method, "url.path": route},
        ) as span:
            response = await call_next(request)
            span.set_attribute("http.response.status_code", response.status_code)
            return response

    app.add_middleware(BodyLimitMiddleware, max_bytes=max_body_bytes)


def health_router(
    readiness: Callable[[], Awaitable[dict[str, bool]]],
    degradation: Callable[[], Awaitable[dict[str, Any]]] | None = None,
) -> Any:
    """GET /health (the process lives) and GET /ready (its dependencies answer).

    /ready answers 503 when a check fails (a consumer stalled on a backlog is one), and 200
    with status "degraded" and what is degraded (the count of parked messages, an integrity
    alarm) when every check passes but something needs an operator: the service serves."""
    from fastapi import APIRouter

    router = APIRouter(tags=["health"])

    @router.get("/health", operation_id="health", summary="Liveness")
    async def health() -> dict[str, str]:
        """The process is alive."""
        return {"status": "ok"}

    @router.get("/ready", operation_id="ready", summary="Readiness")
    async def ready() -> JSONResponse:
        """PostgreSQL and NATS reachable, relay and consumers running."""
        checks = await readiness()
        ok = all(checks.values())
        degraded = await degradation() if degradation is not None else {}
        status = ("degraded" if degraded else "ready") if ok else "not ready"
        content: dict[str, Any] = {"status": status, "checks": checks}
        if degraded:
            content["degraded"] = degraded
        return JSONResponse(status_code=200 if ok else 503, content=content)

    return router
