"""The NL API Design Rules at run time, on the four services running on a real PostgreSQL and
NATS (docs/api.md): problem details for every error, the API-Version and security headers on
every response, CORS, the OpenAPI document at /v1/openapi.json, no trailing-slash redirect,
406 and 415; and every error provoked here is documented in the operation's OpenAPI."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

from tests.helpers import auth_headers, melding
from tests.security.conftest import SERVICES, System

COORDINATOR = auth_headers("lkha", "coordinator", "c.coordinator")
MELDER = auth_headers("veilig_thuis_utrecht", "melder", "m.melder")
SEMVER = re.compile(r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$")
PROBLEM_KEYS = {"type", "title", "status", "detail", "instance"}


def _is_problem(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["Content-Type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert set(body) >= PROBLEM_KEYS and body["status"] == status
    assert body["type"].startswith("https://knooppunt.nl/problemen/")
    return body


def _has_rule_headers(response: httpx.Response, version: str) -> None:
    headers = response.headers
    assert headers["API-Version"] == version
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Cache-Control"] == "no-store"
    assert "Strict-Transport-Security" not in headers  # plain HTTP: no HSTS


async def _document(system: System, service: str) -> dict[str, Any]:
    response = await system.clients[service].get("/v1/openapi.json")
    assert response.status_code == 200
    return dict(response.json())


def _documented(document: dict[str, Any], path: str, method: str, status: int) -> None:
    operation = document["paths"][path.removeprefix("/v1")][method]
    content = operation["responses"][str(status)]["content"]
    assert "application/problem+json" in content, (path, status)


@pytest.mark.parametrize("service", SERVICES)
async def test_the_document_is_served_under_v1_without_a_token_to_any_origin(
    system: System, service: str
) -> None:
    response = await system.clients[service].get(
        "/v1/openapi.json", headers={"Origin": "https://elders.example"}
    )
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    document = response.json()
    assert document["servers"][0]["url"] == "/v1"
    assert {"name", "url", "email"} <= set(document["info"]["contact"])
    assert SEMVER.match(document["info"]["version"])
    assert response.headers["API-Version"] == document["info"]["version"]


@pytest.mark.parametrize("service", SERVICES)
async def test_every_answer_carries_the_version_and_the_security_headers(
    system: System, service: str
) -> None:
    client = system.clients[service]
    version = (await _document(system, service))["info"]["version"]
    answers = [
        await client.get("/health"),
        await client.get("/v1/audit/checkpoints"),  # 401: no token
        await client.get("/v1/bestaat-niet", headers=COORDINATOR),  # 404
        await client.get("/v1/audit/checkpoints", headers=COORDINATOR),  # 403
    ]
    assert [a.status_code for a in answers] == [200, 401, 404, 403]
    for answer in answers:
        _has_rule_headers(answer, version)
    for answer in answers[1:]:
        _is_problem(answer, answer.status_code)


async def test_hsts_behind_a_proxy_that_ends_tls(system: System) -> None:
    response = await system.clients["intake"].get("/health", headers={"X-Forwarded-Proto": "https"})
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


@pytest.mark.parametrize("service", SERVICES)
async def test_a_trailing_slash_is_404_never_a_redirect(system: System, service: str) -> None:
    response = await system.clients[service].get("/v1/audit/checkpoints/", headers=COORDINATOR)
    _is_problem(response, 404)
    assert "Location" not in response.headers


async def test_cors_allows_no_other_origin_by_default(system: System) -> None:
    client = system.clients["intake"]
    simple = await client.get("/health", headers={"Origin": "https://elders.example"})
    assert "Access-Control-Allow-Origin" not in simple.headers
    preflight = await client.options(
        "/v1/meldingen",
        headers={"Origin": "https://elders.example", "Access-Control-Request-Method": "POST"},
    )
    assert preflight.status_code == 400
    assert "Access-Control-Allow-Origin" not in preflight.headers


async def test_invalid_input_is_400_with_every_field_error_at_once(system: System) -> None:
    body = melding()
    body["betrokkene"]["leeftijd"] = "oud"
    body["onderwerp"] = "onbekend"
    response = await system.clients["intake"].post(
        "/v1/meldingen", json=body, headers={"Idempotency-Key": "regels-0001", **MELDER}
    )
    problem = _is_problem(response, 400)
    assert problem["type"].endswith("/ongeldige-invoer") and problem["instance"] == "/v1/meldingen"
    assert {e["field"] for e in problem["errors"]} == {"betrokkene.leeftijd", "onderwerp"}
    assert all({"field", "rule", "message"} <= set(e) for e in problem["errors"])
    _documented(await _document(system, "intake"), "/v1/meldingen", "post", 400)


async def test_a_body_that_is_not_json_is_415_and_audited(system: System) -> None:
    before = system.audit_head("intake")
    response = await system.clients["intake"].post(
        "/v1/meldingen",
        content=b"onderwerp=huwelijksdwang",
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Idempotency-Key": "regels-0002",
            **MELDER,
        },
    )
    _is_problem(response, 415)
    [record] = system.audit_after("intake", before)
    assert record["result"] == "415"
    _documented(await _document(system, "intake"), "/v1/meldingen", "post", 415)


async def test_an_accept_the_operation_cannot_serve_is_406(system: System) -> None:
    client = system.clients["verification"]
    path = "/v1/regieoverleggen/agenda"
    assert (await client.get(path, headers={**COORDINATOR, "Accept": "*/*"})).status_code == 200
    json_too = {**COORDINATOR, "Accept": "text/html;q=0.9, application/json"}
    assert (await client.get(path, headers=json_too)).status_code == 200
    refused = await client.get(path, headers={**COORDINATOR, "Accept": "text/csv"})
    _is_problem(refused, 406)
    _documented(await _document(system, "verification"), path, "get", 406)


async def test_an_unknown_case_is_a_documented_404_problem(system: System) -> None:
    path = "/v1/zaken/00000000-0000-4000-8000-000000000000"
    for service in ("verification", "consular"):
        response = await system.clients[service].get(path, headers=COORDINATOR)
        problem = _is_problem(response, 404)
        assert problem["type"].endswith("/niet-gevonden")
        _documented(await _document(system, service), "/v1/zaken/{zaak_id}", "get", 404)


async def test_query_keys_are_camel_case_and_the_old_ones_deprecated_aliases(
    system: System,
) -> None:
    client = system.clients["reporting"]
    nieuw = await client.get(
        "/v1/statistieken", params={"registratieTot": "2019-01-01"}, headers=COORDINATOR
    )
    assert nieuw.status_code == 200 and "Deprecation" not in nieuw.headers
    oud = await client.get(
        "/v1/statistieken", params={"registratie_tot": "2019-01-01"}, headers=COORDINATOR
    )
    assert oud.status_code == 200 and oud.json() == nieuw.json()
    assert oud.headers["Deprecation"].startswith("@") and "Sunset" in oud.headers
    assert 'rel="deprecation"' in oud.headers["Link"]
    document = await _document(system, "reporting")
    names = {p["name"] for p in document["paths"]["/statistieken"]["get"]["parameters"]}
    assert {"registratieTot", "gemeldVan", "bzBetrokken"} <= names
    assert not {n for n in names if "_" in n}


async def test_the_jaarcijfers_formats_by_accept_and_the_old_paths_deprecated(
    system: System,
) -> None:
    client = system.clients["reporting"]
    csv = await client.get("/v1/jaarcijfers/2018", headers={**COORDINATOR, "Accept": "text/csv"})
    assert csv.status_code == 200, csv.text
    assert csv.headers["Content-Type"].startswith("text/csv")
    json = await client.get("/v1/jaarcijfers/2018", headers=COORDINATOR)
    assert json.headers["Content-Type"] == "application/json" and json.json()["jaar"] == 2018
    oud = await client.get("/v1/jaarcijfers/2018.csv", headers=COORDINATOR)
    assert oud.status_code == 200 and oud.content == csv.content
    assert oud.headers["Deprecation"].startswith("@")
    document = await _document(system, "reporting")
    assert not [p for p in document["paths"] if "." in p.rsplit("/", 1)[-1]]
    content = document["paths"]["/jaarcijfers/{jaar}"]["get"]["responses"]["200"]["content"]
    assert {"application/json", "text/csv", "application/pdf"} <= set(content)
