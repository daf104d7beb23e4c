"""Every error response as RFC 9457 problem details, in one way for every service.

A service's composition root calls `install_problems(app, PROBLEMEN)` with its own table
(services/<svc>/problemen.py) that maps each domain error to a `Problem`: the status, the
stable `type` URI (https://knooppunt.nl/problemen/<rule>, listed in docs/api.md) and the
title. Routes raise the domain's errors and never build an error answer themselves; what
is not in the table is answered here too:

- a request that breaks the schema (pydantic) or a domain's `OngeldigeWaarde` (an exception
  with `veld` and `regel`): 400 `ongeldige-invoer` with every field error at once in the
  extension `errors: [{field, rule, message}]` (ADR 2.2 /core/error-handling/invalid-input);
- an `HTTPException` (FastAPI's, Starlette's 404 and 405, the guard's 401, 403 and 404):
  the problem of its status (`BY_STATUS`), its text as `detail`;
- anything else: 500 `interne-fout`, without internals.

The body is `application/problem+json` with type, title, status, detail and instance (the
request's path).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse, Response

PROBLEM_JSON = "application/problem+json"
TYPE_BASE = "https://knooppunt.nl/problemen/"


@dataclass(frozen=True)
class Problem:
    """One kind of error: its HTTP status, its rule (the last part of its `type` URI) and
    its title (the same for every occurrence; `detail` says what happened this time)."""

    status: int
    rule: str
    title: str
    #: The detail to give instead of the error's own text (a library's error, whose text
    #: may hold internals).
    detail: str | None = None

    @property
    def type(self) -> str:
        return TYPE_BASE + self.rule


ONGELDIGE_INVOER = Problem(400, "ongeldige-invoer", "De invoer voldoet niet aan de regels")
NIET_GEAUTHENTICEERD = Problem(401, "niet-geauthenticeerd", "Geen geldig bearer token")
GEEN_TOEGANG = Problem(403, "geen-toegang", "Deze rol mag dit niet")
NIET_GEVONDEN = Problem(404, "niet-gevonden", "Niet gevonden")
METHODE_NIET_TOEGESTAAN = Problem(405, "methode-niet-toegestaan", "Methode niet toegestaan")
NIET_LEVERBAAR = Problem(406, "niet-leverbaar", "Geen van de gevraagde mediatypes is leverbaar")
REGEL_GESCHONDEN = Problem(409, "regel-geschonden", "Een regel van het domein verbiedt dit")
GELIJKTIJDIG_GEWIJZIGD = Problem(
    409, "gelijktijdig-gewijzigd", "Tegelijk door een ander verzoek gewijzigd: laad opnieuw"
)
GEWIST = Problem(410, "gewist", "De persoonsgegevens zijn gewist")
VERSIE_VEROUDERD = Problem(412, "versie-verouderd", "If-Match noemt een oudere versie")
TE_GROOT = Problem(413, "verzoek-te-groot", "Het verzoek is te groot")
MEDIATYPE_NIET_ONDERSTEUND = Problem(
    415, "mediatype-niet-ondersteund", "Het mediatype van het verzoek wordt niet ondersteund"
)
#: The same Idempotency-Key with another body: 422 as the IETF Idempotency-Key header draft
#: asks (docs/api.md explains why this is the one 422 kept).
SLEUTEL_HERGEBRUIKT = Problem(
    422,
    "idempotency-key-hergebruikt",
    "De Idempotency-Key is eerder gebruikt voor een ander verzoek",
)
INTERNE_FOUT = Problem(500, "interne-fout", "Interne fout")
NIET_AUDITEERBAAR = Problem(
    503, "niet-auditeerbaar", "Het verzoek kon niet worden vastgelegd en is geweigerd"
)

#: The problem of an HTTPException of this status (the routes' and the framework's).
BY_STATUS: dict[int, Problem] = {
    p.status: p
    for p in (
        ONGELDIGE_INVOER,
        NIET_GEAUTHENTICEERD,
        GEEN_TOEGANG,
        NIET_GEVONDEN,
        METHODE_NIET_TOEGESTAAN,
        NIET_LEVERBAAR,
        REGEL_GESCHONDEN,
        GEWIST,
        VERSIE_VEROUDERD,
        TE_GROOT,
        MEDIATYPE_NIET_ONDERSTEUND,
        SLEUTEL_HERGEBRUIKT,
        INTERNE_FOUT,
        NIET_AUDITEERBAAR,
    )
}

#: A service's table: each domain error (and its subclasses, unless listed themselves).
Problemen = Mapping[type[Exception], Problem]


class ProblemError(Exception):
    """An error a route raises when no domain error fits (rare: prefer the domain's)."""

    def __init__(
        self,
        problem: Problem,
        detail: str,
        *,
        errors: Sequence[Mapping[str, str]] = (),
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.problem = problem
        self.detail = detail
        self.errors = list(errors)
        self.headers = dict(headers or {})


def problem_body(
    problem: Problem,
    detail: str,
    instance: str,
    errors: Sequence[Mapping[str, Any]] | None = None,
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": problem.type,
        "title": problem.title,
        "status": problem.status,
        "detail": detail,
        "instance": instance,
    }
    if errors:
        body["errors"] = [dict(e) for e in errors]
    return body


class ProblemResponse(JSONResponse):
    media_type = PROBLEM_JSON


def problem_response(
    problem: Problem,
    detail: str,
    instance: str,
    *,
    errors: Sequence[Mapping[str, Any]] | None = None,
    headers: Mapping[str, str] | None = None,
) -> ProblemResponse:
    return ProblemResponse(
        problem_body(problem, detail, instance, errors),
        status_code=problem.status,
        headers=dict(headers) if headers else None,
    )


def summary(errors: Sequence[Mapping[str, Any]]) -> str:
    """The field errors in one line: `field: message; field: message`."""
    return "; ".join(f"{e['field']}: {e['message']}" for e in errors)


def field_errors(exc: RequestValidationError) -> list[dict[str, Any]]:
    """Pydantic's errors as {field, rule, message}: the field dotted, without `body`."""
    errors = []
    for err in exc.errors():
        loc = [str(p) for p in err.get("loc", ()) if p not in ("body",)]
        field = ".".join(loc) or "body"
        message = err.get("msg", "")
        if err.get("type") in ("too_long", "too_short") and isinstance(err.get("input"), str):
            message = message.replace(" items", " characters")  # a text's length, not a list's
        errors.append({"field": field, "rule": err.get("type"), "message": message})
    return errors


def invalid_input(request: Request, errors: Sequence[Mapping[str, Any]]) -> ProblemResponse:
    return problem_response(ONGELDIGE_INVOER, summary(errors), request.url.path, errors=errors)


def install_problems(app: FastAPI, table: Problemen) -> None:
    """Answer every error of this app as problem details; `table` maps the domain's errors."""

    async def on_invalid(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        return invalid_input(request, field_errors(exc))

    async def on_http(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        problem = BY_STATUS.get(exc.status_code) or Problem(
            exc.status_code, f"status-{exc.status_code}", "Fout"
        )
        detail = exc.detail if isinstance(exc.detail, str) else problem.title
        return problem_response(problem, detail, request.url.path, headers=exc.headers)

    async def on_problem(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, ProblemError)
        return problem_response(
            exc.problem, exc.detail, request.url.path, errors=exc.errors, headers=exc.headers
        )

    async def on_domain(request: Request, exc: Exception) -> Response:
        problem = next((table[c] for c in type(exc).__mro__ if c in table), INTERNE_FOUT)
        veld, regel = getattr(exc, "veld", None), getattr(exc, "regel", None)
        if problem.status == 400 and isinstance(veld, str) and isinstance(regel, str):
            return invalid_input(request, [{"field": veld, "rule": regel, "message": str(exc)}])
        return problem_response(problem, problem.detail or str(exc), request.url.path)

    async def on_unexpected(request: Request, exc: Exception) -> Response:
        return problem_response(INTERNE_FOUT, "an unexpected error occurred", request.url.path)

    app.add_exception_handler(RequestValidationError, on_invalid)
    app.add_exception_handler(HTTPException, on_http)
    app.add_exception_handler(ProblemError, on_problem)
    for error in table:
        app.add_exception_handler(error, on_domain)
    app.add_exception_handler(Exception, on_unexpected)


def documented(*statuses: int, **descriptions: str) -> dict[int | str, dict[str, Any]]:
    """The `responses` of a route for the problems it can give beyond those every operation
    of its kind gives (shared/openapi.py adds those, and the problem+json content):
    `documented(404, 412)`; a description per status as `s409="..."`."""
    return {
        status: {"description": descriptions.get(f"s{status}", BY_STATUS[status].title)}
        for status in statuses
    }
