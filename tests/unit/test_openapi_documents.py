"""The four OpenAPI documents as the ADR linter wants them, checked without Node.js (make lint
runs the linter itself): servers with the major version, a contact, SemVer, problem details
for every error, API-Version on every success, 400 everywhere and no framework 422."""

from __future__ import annotations

import re
from typing import Any

import pytest

from deploy.openapi import documents

DOCUMENTS = documents()
METHODS = ("get", "post", "put", "patch", "delete")


def _operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (path, method, operation)
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if method in METHODS
    ]


@pytest.mark.parametrize("service", sorted(DOCUMENTS))
def test_the_document_names_its_version_server_and_contact(service: str) -> None:
    document = DOCUMENTS[service]
    assert re.fullmatch(r"\d+\.\d+\.\d+", document["info"]["version"])
    assert document["servers"][0]["url"] == "/v1"
    assert {"name", "url", "email"} <= set(document["info"]["contact"])
    assert not [p for p in document["paths"] if p.startswith("/v1/") or p.endswith("/")]


@pytest.mark.parametrize("service", sorted(DOCUMENTS))
def test_every_error_is_a_problem_and_every_success_has_api_version(service: str) -> None:
    document = DOCUMENTS[service]
    problem = document["components"]["schemas"]["Probleem"]
    assert {"type", "title", "status", "detail", "instance"} <= set(problem["required"])
    for path, method, operation in _operations(document):
        responses = operation["responses"]
        assert "400" in responses, (method, path)
        for status, response in responses.items():
            if status[0] in "45":
                [media_type] = response["content"]
                assert media_type == "application/problem+json", (method, path, status)
                assert response["content"][media_type]["example"]["status"] == int(status)
            else:
                assert "API-Version" in response["headers"], (method, path, status)
        if "422" in responses:
            assert responses["422"]["description"] != "Validation Error", (method, path)
