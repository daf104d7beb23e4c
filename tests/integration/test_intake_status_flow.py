"""Intake over the real PostgreSQL and NATS: the melding's status from verification's events,
and adviesvragen published as adviesvraag_ontvangen.

Verification's events are published by the test to the VERIFICATION stream, standing in for
the verification service.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from nats.aio.client import Client as NATS
from nats.js import JetStreamContext
from sqlalchemy import text

from services.intake.main import create_app
from services.intake.settings import IntakeSettings
from shared.db import make_engine
from shared.messaging import IntegrationEvent, ensure_stream
from tests.helpers import database_credentials, eventually, key_service, melding, serving

pytestmark = pytest.mark.integration


@dataclass
class Intake:
    client: httpx.AsyncClient
    js: JetStreamContext
    database_url: str

    async def verificatie(self, zaak_id: str, versie: int, event_type: str, **data: Any) -> None:
        """Publish one of verification's events the way its relay would."""
        event = IntegrationEvent(
            event_id=f"{zaak_id}:{versie}",
            event_type=event_type,
            source="verification",
            zaak_id=zaak_id,
            recorded_at=datetime.now(UTC),
            data=data,
        )
        await self.js.publish(
            event.subject, event.to_json(), headers=event.headers(), stream="VERIFICATION"
        )

    async def status_wordt(self, zaak_id: str, status: str) -> None:
        async def check() -> bool:
            response = await self.client.get(f"/v1/meldingen/{zaak_id}/status")
            return response.status_code == 200 and response.json()["status"] == status

        await eventually(check, what=f"status {status}")


@pytest.fixture
async def intake(database_url: str, nats_url: str, nats_client: NATS) -> AsyncIterator[Intake]:
    js = nats_client.jetstream()
    await ensure_stream(js, "verification")
    settings = IntakeSettings(
        **key_service("intake"),
        **database_credentials(database_url, "intake"),
        nats_url=nats_url,
        environment="test",
        relay_poll_seconds=0.1,
    )
    async with serving(create_app(settings)) as client:
        yield Intake(client, js, database_url)


async def test_the_status_follows_verification_and_says_nothing_more(intake: Intake) -> None:
    response = await intake.client.post(
        "/v1/meldingen", json=melding(), headers={"Idempotency-Key": "status-flow-0001"}
    )
    zaak_id = response.json()["zaak_id"]
    status = await intake.client.get(f"/v1/meldingen/{zaak_id}/status")
    assert status.json() == {
        "zaak_id": zaak_id,
        "referentie": response.json()["referentie"],
        "status": "ontvangen",
        "heeft_persoonsgegevens": True,
        "gewijzigd_op": status.json()["gewijzigd_op"],
    }
    await intake.verificatie(zaak_id, 2, "onderzoek_gestart", datum="2018-03-15")
    await intake.status_wordt(zaak_id, "in_onderzoek")
    await intake.verificatie(
        zaak_id,
        3,
        "geverifieerd",
        uitkomst="niet_vastgesteld",
        bevinding="verhuizing",
        besloten_op="2018-04-01",
        herziening=False,
    )
    await intake.verificatie(zaak_id, 4, "afgesloten", reden="niet_vastgesteld", datum="2018-04-02")
    await intake.status_wordt(zaak_id, "afgerond")
    body = (await intake.client.get(f"/v1/meldingen/{zaak_id}/status")).json()
    assert "verhuizing" not in json.dumps(body) and "niet_vastgesteld" not in json.dumps(body)
    await intake.verificatie(zaak_id, 5, "heropend", reden="nieuwe_informatie", datum="2018-05-01")
    await intake.status_wordt(zaak_id, "heropend")

    with make_engine(intake.database_url, "intake").connect() as conn:
        rij = conn.execute(text("SELECT stadium, verificatie_versie FROM melding_status")).one()
        positie = conn.execute(
            text("SELECT position FROM positions WHERE name = 'stream:VERIFICATION'")
        ).scalar()
    assert tuple(rij) == ("heropend", 5) and positie == 4


async def test_a_withdrawn_melding_is_ingetrokken(intake: Intake) -> None:
    response = await intake.client.post(
        "/v1/meldingen", json=melding(), headers={"Idempotency-Key": "status-flow-0002"}
    )
    zaak_id = response.json()["zaak_id"]
    await intake.verificatie(zaak_id, 2, "onderzoek_gestart", datum="2018-03-15")
    await intake.status_wordt(zaak_id, "in_onderzoek")
    ingetrokken = await intake.client.post(
        f"/v1/meldingen/{zaak_id}/intrekking", json={"reden": "dubbel", "datum": "2018-03-16"}
    )
    assert ingetrokken.status_code == 200, ingetrokken.text
    status = await intake.client.get(f"/v1/meldingen/{zaak_id}/status")
    assert status.json()["status"] == "ingetrokken"


async def test_an_adviesvraag_is_published_once_without_its_vraag(intake: Intake) -> None:
    body = {
        "ontvangen_op": "2018-03-14",
        "onderwerp": "achterlating",
        "melder": {"type": "school"},
        "vraag": "Een leerling is na de meivakantie niet teruggekeerd. Wat nu?",
    }
    headers = {"Idempotency-Key": "advies-flow-0001"}
    eerste = await intake.client.post("/v1/adviesvragen", json=body, headers=headers)
    assert eerste.status_code == 201, eerste.text
    retry = await intake.client.post("/v1/adviesvragen", json=body, headers=headers)
    assert retry.json() == eerste.json()
    adviesvraag_id = eerste.json()["adviesvraag_id"]
    gelezen = await intake.client.get(f"/v1/adviesvragen/{adviesvraag_id}")
    assert gelezen.json()["heeft_vraag"] is True

    async def gepubliceerd() -> bool:
        return (await intake.js.stream_info("INTAKE")).state.messages >= 1

    await eventually(gepubliceerd, what="adviesvraag_ontvangen on INTAKE")
    sub = await intake.js.pull_subscribe("knooppunt.intake.>", stream="INTAKE")
    (msg,) = await sub.fetch(1, timeout=2)
    event = json.loads(msg.data)
    assert event["event_type"] == "adviesvraag_ontvangen"
    assert event["zaak_id"] == adviesvraag_id
    assert event["data"] == {
        "ontvangen_op": "2018-03-14",
        "onderwerp": "achterlating",
        "melder": {"type": "school"},
    }
    assert b"meivakantie" not in msg.data
    assert (await intake.js.stream_info("INTAKE")).state.messages == 1
    melding_status = await intake.client.get(f"/v1/meldingen/{adviesvraag_id}/status")
    assert melding_status.status_code == 404
