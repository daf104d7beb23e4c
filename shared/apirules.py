"""The NL API Design Rules at run time, the same in every service (docs/api.md).

`install_api_rules(app, cors_origins=...)`, called by each composition root after
`secure()` and before the routers, puts on the app:
- on every response: `API-Version` (the document's `info.version`), and, unless the route
  set its own, `Cache-Control: no-store`, `X-Content-Type-Options: nosniff`,
  `Content-Security-Policy: frame-ancestors 'none'` (with `default-src 'none'` for what is
  not HTML), `X-Frame-Options: DENY`, `Referrer-Policy: no-referrer`; HSTS when the request
  came over TLS (`https`, also as `X-Forwarded-Proto` from the proxy that ends TLS);
- a CORS policy: the origins of `CORS_ORIGINS` only (none by default: the partners' systems
  call server to server); the OpenAPI document to any origin (/core/publish-openapi);
- the OpenAPI document also at /v1/openapi.json (no token), rewritten by shared/openapi.py;
- content negotiation on the API's operations: 406 for an `Accept` the operation cannot
  serve, 415 for a body that is not JSON (both as problem details, inside the security
  middleware, so audited like any refusal).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, urlencode

from fastapi import FastAPI, Request
from starlette.datastructures import Headers, MutableHeaders
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.responses import JSONResponse, Response
from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.openapi import document_api
from shared.problems import MEDIATYPE_NIET_ONDERSTEUND, NIET_LEVERBAAR, problem_response
from shared.security.policy import api_routes

#: The version of the HTTP API, the same for the four services (docs/api-changelog.md).
API_VERSION = "1.1.0"
OPENAPI_PATHS = ("/openapi.json", "/v1/openapi.json")
HSTS = "max-age=31536000; includeSubDomains"
FRAMES = "frame-ancestors 'none'"
#: Paths outside the API (the reporting pages set their own headers and read forms).
NOT_API = ("/ui",)
_MEDIA_RANGE = re.compile(r"^\s*([^/;\s]+)/([^;\s]+)\s*(;.*)?$")
_QUALITY = re.compile(r";\s*q\s*=\s*([0-9.]+)")


class ApiHeadersMiddleware:
    """The version and security headers on every response (outermost: also on errors)."""

    def __init__(self, app: ASGIApp, version: str) -> None:
        self.app = app
        self.version = version

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Headers(scope=scope)
        tls = scope.get("scheme") == "https" or (
            request.get("x-forwarded-proto", "").split(",")[0].strip().lower() == "https"
        )
        openapi = scope.get("path") in OPENAPI_PATHS

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers["API-Version"] = self.version
                html = headers.get("content-type", "").startswith("text/html")
                csp = (
                    "frame-ancestors 'none'"
                    if html
                    else "default-src 'none'; frame-ancestors 'none'"
                )
                for name, value in (
                    ("Cache-Control", "no-store"),
                    ("X-Content-Type-Options", "nosniff"),
                    ("Content-Security-Policy", csp),
                    ("X-Frame-Options", "DENY"),
                    ("Referrer-Policy", "no-referrer"),
                ):
                    if name not in headers:
                        headers[name] = value
                if tls:
                    headers["Strict-Transport-Security"] = HSTS
                if openapi:
                    headers["Access-Control-Allow-Origin"] = "*"
            await send(message)

        await self.app(scope, receive, with_headers)


def _ranges(accept: str) -> list[tuple[str, str]]:
    """The media ranges of an Accept header with a quality above 0, the preferred first."""
    found = []
    for part in accept.split(","):
        match = _MEDIA_RANGE.match(part)
        if match is None:
            continue
        quality = _QUALITY.search(match.group(3) or "")
        try:
            q = float(quality.group(1)) if quality is not None else 1.0
        except ValueError:
            q = 1.0
        if q > 0:
            found.append((q, match.group(1).lower(), match.group(2).lower()))
    found.sort(key=lambda r: -r[0])  # stable: equal qualities keep the client's order
    return [(kind, sub) for _, kind, sub in found]


def choose(accept: str | None, offered: Sequence[str]) -> str | None:
    """The first of `offered` (the default first) the Accept header prefers; None: none."""
    if accept is None or not accept.strip():
        return offered[0]
    for kind, sub in _ranges(accept):
        for media_type in offered:
            have_kind, _, have_sub = media_type.split(";")[0].strip().lower().partition("/")
            if kind == "*" or (kind == have_kind and sub in ("*", have_sub)):
                return media_type
    return None


def acceptable(accept: str | None, media_types: Sequence[str]) -> bool:
    """Whether an Accept header admits one of `media_types` (no header: any)."""
    return choose(accept, media_types) is not None


def media_types(route: Any) -> list[str]:
    """What a route answers with: its response class's type and those it documents."""
    response_class = getattr(route.response_class, "value", route.response_class)
    own = getattr(response_class, "media_type", None)
    types = [own] if isinstance(own, str) else []
    for response in route.responses.values():
        types.extend(str(t) for t in response.get("content", {}))
    return types or ["application/json"]


def _is_json(content_type: str) -> bool:
    kind = content_type.split(";")[0].strip().lower()
    return kind == "application/json" or (
        kind.startswith("application/") and kind.endswith("+json")
    )


class NegotiationMiddleware:
    """406 and 415 on the API's operations, before the route reads anything."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.routes: list[Any] | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        route = self._route(scope)
        if route is None:
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        path = scope["path"]
        accept = headers.get("accept")
        types = media_types(route)
        if not acceptable(accept, types):
            detail = f"Accept {(accept or '')[:100]!r}: this operation answers {', '.join(types)}"
            await problem_response(NIET_LEVERBAAR, detail, path)(scope, receive, send)
            return
        content_type = headers.get("content-type")
        has_body = headers.get("content-length", "0") != "0" or "transfer-encoding" in headers
        if (
            route.body_field is not None
            and has_body
            and content_type
            and not _is_json(content_type)
        ):
            detail = f"Content-Type {content_type[:100]!r}: send application/json"
            await problem_response(MEDIATYPE_NIET_ONDERSTEUND, detail, path)(scope, receive, send)
            return
        await self.app(scope, receive, send)

    def _route(self, scope: Scope) -> Any:
        """The API route (as FastAPI runs it, prefixes included) the request will reach."""
        if scope["type"] != "http" or scope.get("path", "").startswith(NOT_API):
            return None
        if self.routes is None:
            self.routes = [route for _, route in api_routes(scope["app"])]
        for route in self.routes:
            match, _ = route.matches(scope)
            if match is Match.FULL:
                return route
        return None


#: When the deprecated query keys and file-extension paths were deprecated (RFC 9745) and
#: when they go (RFC 8594), and where that is explained (docs/api-changelog.md).
DEPRECATED_SINCE = int(datetime(2026, 12, 1, tzinfo=UTC).timestamp())
SUNSET = "Tue, 01 Jun 2027 00:00:00 GMT"
CHANGELOG = "https://knooppunt.nl/api/changelog"


def deprecation_headers() -> dict[str, str]:
    """The headers of an answer to a deprecated form of a request."""
    return {
        "Deprecation": f"@{DEPRECATED_SINCE}",
        "Sunset": SUNSET,
        "Link": f'<{CHANGELOG}>; rel="deprecation"',
    }


class QueryAliasMiddleware:
    """Reads the deprecated query keys as the current ones (`registratie_tot` as
    `registratieTot`) and marks such an answer with Deprecation, Sunset and Link."""

    def __init__(self, app: ASGIApp, aliases: Mapping[str, str]) -> None:
        self.app = app
        self.aliases = dict(aliases)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        query = scope.get("query_string", b"") if scope["type"] == "http" else b""
        pairs = parse_qsl(query.decode("latin-1"), keep_blank_values=True)
        if not any(key in self.aliases for key, _ in pairs):
            await self.app(scope, receive, send)
            return
        renamed = [(self.aliases.get(key, key), value) for key, value in pairs]
        scope = {**scope, "query_string": urlencode(renamed).encode("latin-1")}

        async def deprecated(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in deprecation_headers().items():
                    headers[name] = value
            await send(message)

        await self.app(scope, receive, deprecated)


def install_api_rules(app: FastAPI, *, cors_origins: Sequence[str] = ()) -> None:
    """Put the runtime rules on `app` (see the module's docstring)."""
    document_api(app)

    async def openapi_document(request: Request) -> Response:
        return JSONResponse(app.openapi())

    app.add_route("/v1/openapi.json", openapi_document, include_in_schema=False)
    # Appended = innermost: inside the security middleware, so 406 and 415 are audited.
    app.user_middleware.append(Middleware(NegotiationMiddleware))
    app.add_middleware(
        CORSMiddleware,
        allow_origins=list(cors_origins),
        allow_methods=["GET", "POST"],
        allow_headers=[
            "Authorization",
            "Content-Type",
            "Idempotency-Key",
            "If-Match",
            "traceparent",
        ],
        expose_headers=["API-Version", "ETag", "Location", "Idempotent-Replayed", "Deprecation"],
        max_age=600,
    )
    app.add_middleware(ApiHeadersMiddleware, version=app.version)
