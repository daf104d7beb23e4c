"""The audit commands against the running system (the four services as processes): a token
from the stack's directory is accepted everywhere, replay knows an unknown case from an
intact one and its JSON is JSON, verify is anchored by the checkpoints the services export."""

from __future__ import annotations

import json
import time
import uuid
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from deploy.cli import app as cli
from deploy.stack import SERVICES, Stack
from tests.helpers import melding

pytestmark = pytest.mark.e2e

runner = CliRunner()


@pytest.fixture
def service_urls(stack: Stack, monkeypatch: pytest.MonkeyPatch) -> Stack:
    for service in SERVICES:
        monkeypatch.setenv(f"KNOOPPUNT_{service.upper()}_URL", stack.url(service))
    monkeypatch.delenv("KNOOPPUNT_TOKEN", raising=False)
    return stack


def _token(stack: Stack, org: str, rol: str) -> str:
    args = ["token", "--org", org, "--rol", rol, "--data-dir", str(stack.data_dir)]
    result = runner.invoke(cli, args)
    assert result.exit_code == 0, result.output
    return result.stdout.strip()


def _meld(stack: Stack) -> str:
    response = httpx.post(
        f"{stack.url('intake')}/v1/meldingen",
        json=melding(),
        headers={
            "Idempotency-Key": f"cli-{uuid.uuid4()}",
            "Authorization": f"Bearer {_token(stack, 'lkha', 'coordinator')}",
        },
    )
    assert response.status_code == 201, response.text
    return str(response.json()["zaak_id"])


def test_a_token_from_the_stacks_directory_is_accepted_by_every_service(stack: Stack) -> None:
    auditor = {"Authorization": f"Bearer {_token(stack, 'adr', 'auditor')}"}
    for service in SERVICES:
        response = httpx.get(f"{stack.url(service)}/v1/audit/checkpoints", headers=auditor)
        assert response.status_code == 200, (service, response.text)


def test_replay_of_a_case_no_service_knows_fails(service_urls: Stack) -> None:
    unknown = str(uuid.uuid4())
    args = ["audit", "replay", unknown, "--data-dir", str(service_urls.data_dir)]
    for extra in ([], ["--json"]):
        result = runner.invoke(cli, [*args, *extra])
        assert result.exit_code == 3, result.output
        assert f"zaak {unknown} is unknown" in result.stderr
        assert "every link holds" not in result.output
        assert result.stdout == ""


def test_replay_json_is_valid_json_and_only_json(service_urls: Stack) -> None:
    zaak = _meld(service_urls)
    args = ["audit", "replay", zaak, "--json", "--data-dir", str(service_urls.data_dir)]
    result = runner.invoke(cli, args)
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    assert body["zaak_id"] == zaak and body["integriteit"] == "ok"
    assert any("gemeld" in row["wat"].lower() for row in body["tijdlijn"])
    assert "every link holds" in result.stderr


def test_verify_is_anchored_by_the_checkpoints_the_services_export(stack: Stack) -> None:
    _meld(stack)
    assert stack.database_url is not None
    args = ["--data-dir", str(stack.data_dir), "--database-url", stack.database_url]
    signed = runner.invoke(cli, ["audit", "checkpoint", "--sign", *args])
    assert signed.exit_code == 0, signed.output
    deadline = time.monotonic() + 30
    while True:  # another service may be writing its next record meanwhile: that is fine
        result = runner.invoke(cli, ["audit", "verify", "--json", *args])
        report = json.loads(result.stdout)
        if result.exit_code == 0 or time.monotonic() > deadline:
            break
        time.sleep(1)
    assert result.exit_code == 0, result.output
    assert report["ok"]
    chains = {(c["service"], c["chain"]): c for c in report["chains"]}
    assert ("intake", "events") in chains and ("reporting", "audit") in chains
    assert all(c["anchored"] for c in chains.values())
    held = Path(stack.data_dir / "checkpoints")
    assert any(held.glob("intake-events-*.json"))
