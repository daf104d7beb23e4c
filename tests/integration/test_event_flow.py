"""Events cross services over the real NATS, from the real PostgreSQL event stores."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from uuid import UUID

import httpx
import pytest
from nats.aio.client import Client as NATS
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from services.consular.main import create_app as consular_app
from services.consular.settings import ConsularSettings
from services.intake.main import create_app as intake_app
from services.intake.settings import IntakeSettings
from services.reporting.main import create_app as reporting_app
from services.reporting.settings import ReportingSettings
from services.verification.main import create_app as verification_app
from services.verification.settings import VerificationSettings
from tests.helpers import (
    database_credentials,
    eventually,
    key_service,
    melding,
    nats_credentials,
    serving,
)

pytestmark = pytest.mark.integration


@dataclass
class System:
    intake: httpx.AsyncClient
    verification: httpx.AsyncClient
    consular: httpx.AsyncClient
    reporting: httpx.AsyncClient
    spans: InMemorySpanExporter


@pytest.fixture
async def system(database_url: str, nats_url: str) -> AsyncIterator[System]:
    spans = InMemorySpanExporter()
    common = {"environment": "test", "relay_poll_seconds": 0.1}

    def own(service: str) -> dict[str, object]:  # each service as its own NATS and DB user
        return {
            **common,
            **nats_credentials(nats_url, service),
            **database_credentials(database_url, service),
        }

    async with (
        serving(
            intake_app(
                IntakeSettings(**key_service("intake"), **own("intake")),
                span_exporter=spans,
            )
        ) as intake,
        serving(
            verification_app(
                VerificationSettings(**key_service("verification"), **own("verification")),
                span_exporter=spans,
            )
        ) as ver,
        serving(consular_app(ConsularSettings(**own("consular")), span_exporter=spans)) as cons,
        serving(reporting_app(ReportingSettings(**own("reporting")), span_exporter=spans)) as rep,
    ):
        yield System(intake, ver, cons, rep, spans)


async def _post(client: httpx.AsyncClient, key: str, **overrides: object) -> httpx.Response:
    return await client.post(
        "/v1/meldingen", json=melding(**overrides), headers={"Idempotency-Key": key}
    )


async def test_a_melding_reaches_every_service_and_is_counted(system: System) -> None:
    response = await _post(system.intake, "skeleton-0001")
    assert response.status_code == 201, response.text
    zaak_id = response.json()["zaak_id"]
    assert response.json()["referentie"].startswith("LKHA-2018-")

    for client in (system.verification, system.consular, system.reporting):

        async def arrived(c: httpx.AsyncClient = client) -> bool:
            return (await c.get(f"/v1/zaken/{zaak_id}")).status_code == 200

        await eventually(arrived, what=f"zaak at {client}")
    seen = (await system.verification.get(f"/v1/zaken/{zaak_id}")).json()
    assert seen["onderwerp"] == "achterlating" and seen["land"] == "MA"
    stats = (await system.reporting.get("/v1/statistieken?peildatum=2018-12-31")).json()
    assert stats["per_onderwerp"] == {"achterlating": 1}
    before = (await system.reporting.get("/v1/statistieken?peildatum=2018-03-13")).json()
    assert before["totaal"] == 0


async def test_unknown_case_answers_404_not_yet_known(system: System) -> None:
    response = await system.verification.get(f"/v1/zaken/{UUID(int=7)}")
    assert response.status_code == 404
    assert "not yet known here" in response.json()["detail"]


async def test_no_personal_data_travels_over_nats(system: System, nats_client: NATS) -> None:
    response = await _post(system.intake, "privacy-0001")
    zaak_id = response.json()["zaak_id"]

    async def counted() -> bool:
        return (await system.reporting.get(f"/v1/zaken/{zaak_id}")).status_code == 200

    await eventually(counted, what="melding at reporting")
    js = nats_client.jetstream()
    sub = await js.pull_subscribe("knooppunt.intake.>", durable="privacy-probe", stream="INTAKE")
    messages = await sub.fetch(10, timeout=2)
    assert messages
    for msg in messages:
        assert b"Testpersoon" not in msg.data and b"+212" not in msg.data
        assert b"zomervakantie" not in msg.data


async def test_one_trace_spans_the_request_and_the_consumers(system: System) -> None:
    response = await system.intake.post(
        "/v1/meldingen", json=melding(), headers={"Idempotency-Key": "trace-0001"}
    )
    zaak_id = response.json()["zaak_id"]

    async def consumed() -> bool:
        return (await system.verification.get(f"/v1/zaken/{zaak_id}")).status_code == 200

    await eventually(consumed, what="verification consumed the melding")
    spans = system.spans.get_finished_spans()
    request = next(s for s in spans if s.name == "POST /v1/meldingen")
    trace_id = request.context.trace_id
    in_trace = {s.name for s in spans if s.context.trace_id == trace_id}
    assert "publish knooppunt.intake.v1.gemeld" in in_trace
    consumers = [
        s for s in spans if s.context.trace_id == trace_id and s.name.startswith("consume")
    ]
    services = {s.resource.attributes["service.name"] for s in consumers}
    assert {"knooppunt-verification", "knooppunt-consular"} <= services


async def test_verifications_real_events_drive_intakes_status_and_consulars_rules(
    system: System,
) -> None:
    """The consumers' contract tests publish envelopes by hand; here the real verification
    service produces them, so a drift between producer and consumers fails a test."""
    zaak_id = (await _post(system.intake, "contract-0001")).json()["zaak_id"]

    async def known_at_verification() -> bool:
        return (await system.verification.get(f"/v1/zaken/{zaak_id}")).status_code == 200

    await eventually(known_at_verification, what="melding at verification")

    async def status() -> str:
        response = await system.intake.get(f"/v1/meldingen/{zaak_id}/status")
        assert response.status_code == 200, response.text
        return str(response.json()["status"])

    assert await status() == "ontvangen"
    started = await system.verification.post(
        f"/v1/zaken/{zaak_id}/onderzoek", json={"datum": "2018-03-16"}
    )
    assert started.status_code == 200, started.text
    await eventually(lambda: _is(status, "in_onderzoek"), what="status in_onderzoek")

    verified = await system.verification.post(
        f"/v1/zaken/{zaak_id}/verificatie",
        json={"uitkomst": "vastgesteld", "besloten_op": "2018-04-02"},
    )
    assert verified.status_code == 200, verified.text

    async def consular_knows_the_outcome() -> bool:
        response = await system.consular.get(f"/v1/zaken/{zaak_id}")
        return (
            response.status_code == 200
            and response.json()["verificatie"]["uitkomst"] == "vastgesteld"
        )

    await eventually(consular_knows_the_outcome, what="uitkomst at consular")
    closed = await system.verification.post(
        f"/v1/zaken/{zaak_id}/afsluiting", json={"reden": "teruggekeerd", "datum": "2018-09-03"}
    )
    assert closed.status_code == 200, closed.text
    await eventually(lambda: _is(status, "afgerond"), what="status afgerond")


async def _is(read: Callable[[], Awaitable[str]], expected: str) -> bool:
    return await read() == expected
