"""The OpenAPI document of a service, as the NL API Design Rules want it (docs/api.md).

`document_api(app)` (called by `install_api_rules`) rewrites the document FastAPI makes:
- `servers: [{url: /v1}]` with the paths relative to it (ADR /core/uri-version); the
  unversioned paths (/health, /ready) carry their own `servers: [{url: /}]`;
- `info.contact` (/core/doc-openapi-contact);
- every error response as `application/problem+json` with the `Probleem` schema and an
  example, and only the statuses the operation can give: 400 everywhere (a URL with a
  control character is refused on every path), 406 (an Accept it cannot serve), 413 and 415
  with a body, 401, 403 and 503 (not auditable) where a token is needed, 404 on a case a
  caller may not see; the rest as each route declares (`shared/problems.documented`);
- the `API-Version` header on every 2xx and 3xx response (/core/version-header).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI

from shared.problems import BY_STATUS, PROBLEM_JSON, problem_body

#: Where partners ask about the API (ADR /core/doc-openapi-contact).
CONTACT = {
    "name": "Landelijk Knooppunt Huwelijksdwang en Achterlating (LKHA), functioneel beheer",
    "url": "https://knooppunt.nl/api",
    "email": "api@knooppunt.nl",
}
VERSION_PREFIX = "/v1"
_FIELD_ERROR = {
    "type": "object",
    "description": "One field that broke a rule",
    "required": ["field", "rule", "message"],
    "properties": {
        "field": {"type": "string", "description": "The field, dotted; query.<naam>, path"},
        "rule": {"type": "string", "description": "The rule broken, e.g. missing, enum"},
        "message": {"type": "string", "description": "What is wrong, for a person"},
    },
}
_PROBLEM = {
    "type": "object",
    "description": "An error as RFC 9457 problem details (docs/api.md, Errors)",
    "required": ["type", "title", "status", "detail", "instance"],
    "properties": {
        "type": {"type": "string", "format": "uri", "description": "Stable per kind of problem"},
        "title": {"type": "string", "description": "The same for every problem of this type"},
        "status": {"type": "integer", "description": "The HTTP status"},
        "detail": {"type": "string", "description": "What happened this time"},
        "instance": {"type": "string", "description": "The path of the request"},
        "errors": {
            "type": "array",
            "description": "With 400: every field error at once",
            "items": {"$ref": "#/components/schemas/Veldfout"},
        },
    },
}
_EXAMPLE_DETAIL = {
    400: "betrokkene.leeftijd: Input should be a valid integer",
    401: "not authenticated",
    403: "rol beleid may not call this operation",
    404: "zaak 3f1c2d9e-0b7a-4c51-9d2e-6a8b0c4d2e1f is not yet known here",
    406: "Accept text/xml: this operation answers application/json",
    409: "the case is closed",
    410: "the personal data of this melding was erased",
    412: 'If-Match W/"2" names an older versie than 3',
    413: "request body larger than 262144 bytes",
    415: "Content-Type text/plain: send application/json",
    422: "Idempotency-Key was already used for a different request",
    503: "the request could not be audited and was refused; retry later",
}


def _problem_response(status: int, description: str, instance: str) -> dict[str, Any]:
    problem = BY_STATUS[status]
    errors = None
    if status == 400:
        errors = [
            {"field": "betrokkene.leeftijd", "rule": "int_parsing", "message": "not an integer"}
        ]
    example = problem_body(problem, _EXAMPLE_DETAIL[status], instance, errors)
    return {
        "description": description,
        "content": {
            PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Probleem"}, "example": example}
        },
    }


def _statuses(path: str, operation: dict[str, Any]) -> set[int]:
    """The problems an operation can give beyond those its route declares."""
    statuses = {400, 406}
    if "requestBody" in operation:
        statuses |= {413, 415}
    if operation.get("security"):
        statuses |= {401, 403, 503}
        if "{zaak_id}" in path:
            statuses.add(404)  # a case the caller may not see is an unknown one
    return statuses


def _document_operation(path: str, operation: dict[str, Any]) -> None:
    responses: dict[str, Any] = operation.setdefault("responses", {})
    framework_422 = responses.get("422", {}).get("description") == "Validation Error"
    if framework_422:
        del responses["422"]  # FastAPI's own: invalid input is 400 here
    declared = {int(s) for s in responses if s.isdigit() and int(s) >= 400}
    for status in sorted(declared | _statuses(path, operation)):
        given = responses.get(str(status), {})
        description = given.get("description") or BY_STATUS[status].title
        responses[str(status)] = _problem_response(status, description, path)
    for code, response in responses.items():
        if str(code)[:1] in ("2", "3"):
            headers = response.setdefault("headers", {})
            headers["API-Version"] = {"$ref": "#/components/headers/API-Version"}
    operation["responses"] = dict(sorted(responses.items()))


def rewrite(schema: dict[str, Any]) -> dict[str, Any]:
    """The document FastAPI made, as ADR wants it (see the module's docstring)."""
    version = schema["info"]["version"]
    schema["info"]["contact"] = CONTACT
    schema["servers"] = [{"url": VERSION_PREFIX, "description": "This service, version 1"}]
    paths: dict[str, Any] = {}
    for path, item in schema.get("paths", {}).items():
        for method, operation in item.items():
            if isinstance(operation, dict) and method in ("get", "post", "put", "patch", "delete"):
                _document_operation(path, operation)
        if path.startswith(VERSION_PREFIX + "/"):
            paths[path.removeprefix(VERSION_PREFIX)] = item
        else:
            paths[path] = {**item, "servers": [{"url": "/", "description": "Unversioned"}]}
    schema["paths"] = paths
    components = schema.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    for unused in ("HTTPValidationError", "ValidationError"):
        schemas.pop(unused, None)
    schemas["Probleem"] = _PROBLEM
    schemas["Veldfout"] = _FIELD_ERROR
    components.setdefault("headers", {})["API-Version"] = {
        "description": f"The full version of the API that answered (SemVer): {version}",
        "schema": {"type": "string", "example": version},
    }
    return schema


def document_api(app: FastAPI) -> None:
    """Serve the rewritten document (built once, on first use)."""
    generate: Callable[[], dict[str, Any]] = app.openapi
    done: list[dict[str, Any]] = []

    def openapi() -> dict[str, Any]:
        if not done:
            done.append(rewrite(generate()))
        app.openapi_schema = done[0]
        return done[0]

    app.openapi = openapi  # type: ignore[method-assign]
