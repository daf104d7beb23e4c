"""The security middleware: authentication and the audit record of every request.

For every request to a path that is not public it
1. verifies the bearer token (401, with nothing that helps an attacker, when it is missing or
   invalid), before anything else reads the request; on the pages of a `CookieSession` the
   token comes from the session cookie, a signed-out session is refused too, and a browser
   without a valid session is sent to the sign-in page (303) instead of a 401;
2. sets `current_actor` (stored with every event) and `current_audit` for the request; the
   guard dependency (wiring.py) then checks the route's operation against the Policy;
3. writes the request's audit record, unless the request's own transaction did, before the
   response starts. When that write fails the request is refused (503, "could not be
   audited") and a record of the refusal is still made: a minimal one in the audit log, or,
   when the database cannot take even that, a log line with the whole record.
A URL whose path or query holds a character no text field accepts (a NUL, any control
character: shared/fields.py) is refused first with 400 naming the part and the rule (on the
pages as a short HTML page), and audited like any refusal. It runs inside the tracing
middleware, so every record carries the request's trace id.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl

from opentelemetry import trace
from starlette.datastructures import Headers
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.context import Actor, current_actor
from shared.fields import unstorable
from shared.problems import (
    NIET_AUDITEERBAAR,
    NIET_GEAUTHENTICEERD,
    ONGELDIGE_INVOER,
    PROBLEM_JSON,
    problem_body,
    problem_response,
    summary,
)
from shared.security.audit import ALLOWED, REFUSED, AuditEntry, RequestAudit, current_audit
from shared.security.sessions import session_id
from shared.security.tokens import TokenInvalid

if TYPE_CHECKING:
    from shared.security.wiring import Security

log = logging.getLogger(__name__)

#: Where the request's RequestAudit is kept in the ASGI scope.
AUDIT_SCOPE_KEY = "knooppunt.audit"
MAX_TOKEN_LENGTH = 8192
NOT_AUTHENTICATED = "not authenticated"
CHALLENGE = {"WWW-Authenticate": 'Bearer realm="knooppunt"'}
UNAUDITED = "the request could not be audited and was refused; retry later"
UNAUDITED_HEADERS = {"Retry-After": "5"}


def url_errors(scope: Scope) -> list[dict[str, str]]:
    """What in the URL no service accepts (a control character in the path or the query),
    in the field-error format of shared/problems.py; [] when the URL is fine."""
    errors = []
    problem = unstorable(scope.get("path", ""), multiline=False)
    if problem is not None:
        errors.append({"field": "path", "rule": problem[0], "message": problem[1]})
    query = scope.get("query_string", b"").decode("latin-1")
    for name, value in parse_qsl(query, keep_blank_values=True, errors="replace"):
        for part, text in (("name", name), ("value", value)):
            problem = unstorable(text, multiline=False)
            if problem is not None:
                field = f"query.{name}" if part == "value" else "query"
                errors.append({"field": field, "rule": problem[0], "message": problem[1]})
    return errors


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
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        refused_url = url_errors(scope)
        if not refused_url and self.security.policy.is_public(scope["path"]):
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
            await self._handle(scope, receive, send, audit, refused_url)
        finally:
            current_audit.reset(reset)

    async def _handle(
        self,
        scope: Scope,
        receive: Receive,
        send: Send,
        audit: RequestAudit,
        refused_url: list[dict[str, str]],
    ) -> None:
        session = self.security.policy.session
        on_page = session is not None and session.covers(scope["path"])
        if on_page:
            actor, reason = await self._authenticate_session(scope)
        else:
            actor, reason = await self._authenticate(scope)
        if refused_url:  # with or without a valid token: the record names who, if known
            audit.update(actor=actor, decision=REFUSED, reason="url_ongeldig")
            refusal = (
                session.invalid_url(refused_url)
                if session is not None and on_page
                else problem_response(
                    ONGELDIGE_INVOER, summary(refused_url), scope["path"], errors=refused_url
                )
            )
            await self._answer(scope, receive, send, audit, refusal)
            return
        if actor is None:
            audit.update(decision=REFUSED, reason=reason)
            if session is not None and on_page:
                await self._answer(scope, receive, send, audit, session.to_sign_in(scope))
                return
            answer = problem_response(
                NIET_GEAUTHENTICEERD, NOT_AUTHENTICATED, scope["path"], headers=CHALLENGE
            )
            await self._answer(scope, receive, send, audit, answer)
            return
        audit.update(actor=actor)
        token = current_actor.set(actor)
        recording = _Recording(self, send, audit)
        try:
            await self.app(scope, receive, recording)
        except Exception:
            if not audit.written:
                try:
                    await asyncio.to_thread(self.security.write_audit, audit, "500")
                except Exception:
                    # Neither done nor recorded (the audit log refused the record, e.g. in the
                    # aborted transaction of the request's own events): refused unaudited.
                    await self._record_refusal(audit)
                    if not recording.started:
                        await recording.refuse()
                        return
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
        return await self._verify(scope, token)

    async def _verify(self, scope: Scope, token: str) -> tuple[Actor | None, str]:
        verifier = self.security.verifier
        try:
            if verifier.jwks is not None:
                return await asyncio.to_thread(verifier.verify, token), ""
            return verifier.verify(token), ""
        except TokenInvalid as exc:
            log.info("token refused (from %s): %s", _origin(scope), exc)
            return None, "token_ongeldig"

    async def _authenticate_session(self, scope: Scope) -> tuple[Actor | None, str]:
        """The pages: the token from the session cookie, unless that session signed out."""
        session = self.security.policy.session
        assert session is not None
        token = session.token(scope)
        if not token:
            return None, "geen_sessie"
        if len(token) > MAX_TOKEN_LENGTH:
            return None, "token_ongeldig"
        actor, reason = await self._verify(scope, token)
        if actor is None:
            return None, reason
        try:
            revoked = await asyncio.to_thread(self.security.session_revoked, session_id(token))
        except Exception:  # fail closed: a session that cannot be checked is not trusted
            log.exception("signed-out sessions could not be read")
            return None, "sessie_niet_te_controleren"
        if revoked:
            return None, "sessie_afgemeld"
        return actor, ""

    async def _answer(
        self, scope: Scope, receive: Receive, send: Send, audit: RequestAudit, answer: Response
    ) -> None:
        """Answer from here (401, 400, a page's 303 to sign in) after writing the record."""
        try:
            await asyncio.to_thread(self.security.write_audit, audit, str(answer.status_code))
        except Exception:
            await self._record_refusal(audit)
            answer = problem_response(
                NIET_AUDITEERBAAR, UNAUDITED, scope["path"], headers=UNAUDITED_HEADERS
            )
        await answer(scope, receive, send)

    async def _record_refusal(self, audit: RequestAudit) -> None:
        """The request's record could not be written: record that it was refused for that,
        in the audit log if it takes a minimal record, else in the log."""
        log.exception("audit record could not be written: the request is refused")
        entry = audit.entry
        refusal = AuditEntry(
            service=entry.service,
            action=entry.action[:300],
            decision=REFUSED,
            object=(entry.object or "")[:300] or None,
            zaak_id=entry.zaak_id if entry.zaak_id and len(entry.zaak_id) <= 64 else None,
            result="503",
            reason="niet_auditeerbaar",
            origin=entry.origin,
            actor=entry.actor,
            trace_id=entry.trace_id,
        )
        try:
            await asyncio.to_thread(self.security.write_audit, RequestAudit(refusal), "503")
        except Exception:
            with contextlib.suppress(Exception):
                log.error(
                    "audit record of a request refused unaudited: %s",
                    json.dumps(refusal.values(), default=str),
                )


class _Recording:
    """A send that writes the audit record before the response starts; when that write
    fails, the response becomes the 503 of a request that could not be audited."""

    def __init__(self, middleware: SecurityMiddleware, send: Send, audit: RequestAudit) -> None:
        self.middleware, self.send, self.audit = middleware, send, audit
        self.started = False
        self.refused = False

    async def __call__(self, message: Message) -> None:
        if self.refused:
            return
        if message["type"] == "http.response.start" and not self.audit.written:
            try:
                await asyncio.to_thread(
                    self.middleware.security.write_audit, self.audit, str(message["status"])
                )
            except Exception:
                await self.middleware._record_refusal(self.audit)
                await self.refuse()
                return
        if message["type"] == "http.response.start":
            self.started = True
        await self.send(message)

    async def refuse(self) -> None:
        """Answer 503 (not audited) instead of whatever the request would have answered."""
        self.refused = self.started = True
        body = problem_body(NIET_AUDITEERBAAR, UNAUDITED, self.audit.entry.object or "")
        await self.send(
            {
                "type": "http.response.start",
                "status": 503,
                "headers": [
                    (b"content-type", PROBLEM_JSON.encode()),
                    (b"retry-after", UNAUDITED_HEADERS["Retry-After"].encode()),
                ],
            }
        )
        await self.send({"type": "http.response.body", "body": json.dumps(body).encode()})
