"""An event in a contract version its consumer does not read is parked at once (a poison
message: another attempt reads it no better), and the consumer goes on with the next."""

from __future__ import annotations

import dataclasses
import uuid
from typing import Any

import httpx
import pytest
from nats.aio.client import Client as NATS
from sqlalchemy import select

from services.reporting.main import create_app
from services.reporting.settings import ReportingSettings
from services.reporting.store import FactStore, parked
from tests.helpers import (
    database_credentials,
    eventually,
    nats_credentials,
    reporting_facts,
    serving,
)
from tests.integration.test_poison_messages import gemeld, publish

pytestmark = pytest.mark.integration


@pytest.fixture
def settings(database_url: str, nats_url: str) -> ReportingSettings:
    return ReportingSettings(
        **database_credentials(database_url, "reporting"),
        environment="test",
        consumer_max_attempts=3,
        consumer_retry_delay_seconds=0.1,
        **nats_credentials(nats_url, "reporting"),
    )


@pytest.fixture
def facts(settings: ReportingSettings) -> Any:
    with reporting_facts(settings) as facts:
        yield facts


async def known(client: httpx.AsyncClient, zaak_id: str) -> bool:
    return (await client.get(f"/v1/zaken/{zaak_id}")).status_code == 200


async def test_an_unknown_contract_version_is_parked_at_once_and_the_next_goes_on(
    settings: ReportingSettings, facts: FactStore, nats_client: NATS
) -> None:
    nieuw, ander = str(uuid.uuid4()), str(uuid.uuid4())
    await publish(
        nats_client,
        dataclasses.replace(gemeld(nieuw), contract_version=2),
        gemeld(ander),
    )
    async with serving(create_app(settings)) as reporting:
        await eventually(lambda: known(reporting, ander), within=30, what="the v1 melding")
        assert not await known(reporting, nieuw)
    with facts.engine.connect() as conn:
        rows = conn.execute(select(parked).order_by(parked.c.sequence)).all()
    assert [(r.sequence, r.status, r.zaak_id, r.attempts) for r in rows] == [
        (1, "parked", nieuw, 1)
    ]
    assert rows[0].subject == "knooppunt.intake.v2.gemeld"
    assert "ContractRefused" in rows[0].reason
    assert "contract version 2" in rows[0].reason
    assert facts.count() == 1
