"""The security middleware: authentication and the audit record of every request.

For every request to a path that is not public it
1. verifies the bearer token (401, with nothing that helps an attacker, when it is missing or
   invalid), before anything else reads the request;
2. sets `current_actor` (stored with every event) and `current_audit` for the request; the
   guard dependency (wiring.py) then checks the route's operation against the Policy;
3. writes the request's audit record, unless the request's own transaction did, before the
   response starts; when that write fails the caller gets a 500 instead of the answer.
It runs inside the tracing middleware, so every record carries the request's trace id.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import TYPE_CHECKING

from opentelemetry import trace
from starlette.datastructures import Headers
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.context import Actor, current_actor
from shared.security.audit import ALLOWED, REFUSED, AuditEntry, RequestAudit, current_audit
from shared.security.tokens import TokenInvalid

if TYPE_CHECKING:
    from shared.security.wiring import Security

log = logging.getLogger(__name__)

#: Where the request's RequestAudit is kept in the ASGI scope.
AUDIT_SCOPE_KEY = "knooppunt.audit"
MAX_TOKEN_LENGTH = 8192
NOT_AUTHENTICATED = {"detail": "not authenticated"}
CHALLENGE = {"WWW-Authenticate": 'Bearer realm="knooppunt"'}


def _trace_id() -> str | None:
    context = trace.get_current_span().get_span_context()
    return format(context.trace_id, "032x") if context.is_valid else None


def _origin(scope: Scope) -> str | None:
    client = scope.get("client")
    return str(client[0]) if client else None


class SecurityMiddleware:
    def __init__(self, app: ASGIApp, security: Security) -> None:
        self.app = app
        self.security = security

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or self.security.policy.is_public(scope["path"]):
            await self.app(scope, receive, send)
            return
        audit = RequestAudit(
            AuditEntry(
                service=self.security.service,
                action=f"{scope['method']} {scope['path']}"[:300],
                decision=ALLOWED,
                object=scope["path"][:300],
                origin=_origin(scope),
                trace_id=_trace_id(),
            )
        )
        scope[AUDIT_SCOPE_KEY] = audit
        reset = current_audit.set(audit)
        try:
            await self._handle(scope, receive, send, audit)
        finally:
            current_audit.reset(reset)

    async def _handle(
        self, scope: Scope, receive: Receive, send: Send, audit: RequestAudit
    ) -> None:
        actor, reason = await self._authenticate(scope)
        if actor is None:
            audit.update(decision=REFUSED, reason=reason)
            await self._answer(scope, receive, send, audit, 401, NOT_AUTHENTICATED, CHALLENGE)
            return
        audit.update(actor=actor)
        token = current_actor.set(actor)
        try:
            await self.app(scope, receive, self._recording(send, audit))
        except Exception:
            if not audit.written:
                with contextlib.suppress(Exception):
                    await asyncio.to_thread(self.security.write_audit, audit, "500")
            raise
        finally:
            current_actor.reset(token)

    async def _authenticate(self, scope: Scope) -> tuple[Actor | None, str]:
        header = Headers(scope=scope).get("authorization")
        if not header:
            return None, "geen_token"
        scheme, _, token = header.partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token or len(token) > MAX_TOKEN_LENGTH:
            return None, "geen_bearer_token"
        verifier = self.security.verifier
        try:
            if verifier.jwks is not None:
                return await asyncio.to_thread(verifier.verify, token), ""
            return verifier.verify(token), ""
        except TokenInvalid as exc:
            log.info("token refused (from %s): %s", _origin(scope), exc)
            return None, "token_ongeldig"

    async def _answer(
        self,
        scope: Scope,
        receive: Receive,
        send: Send,
        audit: RequestAudit,
        status: int,
        body: dict[str, str],
        headers: dict[str, str] | None = None,
    ) -> None:
        """Answer from here (401, 403) after writing the record."""
        try:
            await asyncio.to_thread(self.security.write_audit, audit, str(status))
        except Exception:
            log.exception("audit record could not be written")
            status, body, headers = 500, {"detail": "the audit log is unavailable"}, None
        await JSONResponse(body, status_code=status, headers=headers)(scope, receive, send)

    def _recording(self, send: Send, audit: RequestAudit) -> Send:
        """A send that writes the audit record before the response starts."""
        refused = False

        async def recording_send(message: Message) -> None:
            nonlocal refused
            if refused:
                return
            if message["type"] == "http.response.start" and not audit.written:
                try:
                    await asyncio.to_thread(
                        self.security.write_audit, audit, str(message["status"])
                    )
                except Exception:
                    log.exception("audit record could not be written: the answer is withheld")
                    refused = True
                    await send(
                        {
                            "type": "http.response.start",
                            "status": 500,
                            "headers": [(b"content-type", b"application/json")],
                        }
                    )
                    await send(
                        {
                            "type": "http.response.body",
                            "body": b'{"detail":"the audit log is unavailable"}',
                        }
                    )
                    return
            await send(message)

        return recording_send
