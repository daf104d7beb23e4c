"""The OpenAPI description: every route explained, named and, for commands, exemplified."""

from __future__ import annotations

from typing import Any

from services.verification.main import create_app
from services.verification.settings import VerificationSettings


def openapi() -> dict[str, Any]:
    return create_app(VerificationSettings(environment="test")).openapi()


def test_every_route_has_an_operation_id_and_a_description() -> None:
    for path, operations in openapi()["paths"].items():
        for method, operation in operations.items():
            if method == "servers":  # the unversioned paths' own server (shared/openapi.py)
                continue
            assert operation.get("operationId"), (method, path)
            assert operation.get("description"), (method, path)


def test_every_command_body_has_an_example() -> None:
    document = openapi()
    schemas = document["components"]["schemas"]
    bodies = 0
    for path, operations in document["paths"].items():
        if "post" not in operations:
            continue
        ref = operations["post"]["requestBody"]["content"]["application/json"]["schema"]["$ref"]
        schema = schemas[ref.rsplit("/", 1)[1]]
        assert schema.get("examples"), path
        bodies += 1
    assert bodies == 7


def test_commands_on_a_case_accept_if_match_and_an_idempotency_key() -> None:
    paths = openapi()["paths"]
    for path in ("/zaken/{zaak_id}/verificatie", "/zaken/{zaak_id}/afsluiting"):
        headers = {p["name"] for p in paths[path]["post"]["parameters"] if p["in"] == "header"}
        assert headers == {"If-Match", "Idempotency-Key"}
