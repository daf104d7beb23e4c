"""Consular over the real PostgreSQL and NATS: cases from intake, steps from verification,
aid and afloop over HTTP, and what consular publishes.

Verification's events are published by the test to the VERIFICATION stream (standing in for
the verification service), so consular's rules can be driven step by step.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

import httpx
import pytest
from nats.aio.client import Client as NATS
from nats.js import JetStreamContext

from services.consular.main import create_app as consular_app
from services.consular.settings import ConsularSettings
from services.intake.main import create_app as intake_app
from services.intake.settings import IntakeSettings
from shared.messaging import IntegrationEvent, ensure_stream, stream_name
from tests.helpers import (
    auth_headers,
    database_credentials,
    eventually,
    key_service,
    melding,
    serving,
)

pytestmark = pytest.mark.integration

NOODFONDS = {
    "soort": "noodfonds_uitgave",
    "datum": "2018-04-03",
    "post": "rabat",
    "bedrag_cent": 79500,
    "doel": "tickets",
}
TERUG = {"afloop": "teruggekeerd_met_ondersteuning", "datum": "2018-05-20"}


async def publiceer(
    js: JetStreamContext,
    source: str,
    event_type: str,
    zaak_id: str,
    versie: int,
    data: dict[str, Any],
) -> None:
    """Publish another service's event the way its relay would."""
    event = IntegrationEvent(
        event_id=f"{zaak_id}:{versie}",
        event_type=event_type,
        source=source,
        zaak_id=zaak_id,
        recorded_at=datetime.now(UTC),
        data=data,
    )
    await js.publish(
        event.subject, event.to_json(), headers=event.headers(), stream=stream_name(source)
    )


async def zaak(client: httpx.AsyncClient, zaak_id: str, **verwacht: Any) -> dict[str, Any]:
    """The case at consular once it is known there (and its verification as expected)."""

    async def check() -> dict[str, Any] | None:
        response = await client.get(f"/v1/zaken/{zaak_id}")
        if response.status_code != 200:
            return None
        body: dict[str, Any] = response.json()
        ok = all(body["verificatie"].get(k) == v for k, v in verwacht.items())
        return body if ok else None

    return await eventually(check, what=f"zaak {zaak_id} at consular with {verwacht}")


async def consular_events(js: JetStreamContext, aantal: int) -> list[dict[str, Any]]:
    """The first `aantal` events on the CONSULAR stream."""

    async def genoeg() -> bool:
        try:
            return (await js.stream_info("CONSULAR")).state.messages >= aantal
        except Exception:
            return False

    await eventually(genoeg, what=f"{aantal} consular events")
    sub = await js.pull_subscribe("knooppunt.consular.>", stream="CONSULAR")
    messages = await sub.fetch(aantal, timeout=2)
    await sub.unsubscribe()
    return [json.loads(m.data) for m in messages]


@dataclass
class Stack:
    intake: httpx.AsyncClient
    consular: httpx.AsyncClient
    js: JetStreamContext


@pytest.fixture
async def stack(database_url: str, nats_url: str, nats_client: NATS) -> AsyncIterator[Stack]:
    common: dict[str, Any] = {
        "nats_url": nats_url,
        "environment": "test",
        "relay_poll_seconds": 0.1,
    }
    js = nats_client.jetstream()
    await ensure_stream(js, "verification")
    async with (
        serving(
            intake_app(
                IntakeSettings(
                    **key_service("intake"),
                    **common,
                    **database_credentials(database_url, "intake"),
                )
            )
        ) as intake,
        serving(
            consular_app(
                ConsularSettings(**common, **database_credentials(database_url, "consular"))
            ),
            headers=auth_headers("bz", "bz_consulair"),
        ) as consular,
    ):
        yield Stack(intake, consular, js)


async def test_a_case_from_intake_gets_aid_and_its_afloop_once_verified(stack: Stack) -> None:
    response = await stack.intake.post(
        "/v1/meldingen", json=melding(), headers={"Idempotency-Key": "consular-flow-0001"}
    )
    zaak_id = response.json()["zaak_id"]
    bekend = await zaak(stack.consular, zaak_id)
    assert bekend["referentie"] == response.json()["referentie"] and bekend["versie"] == 1

    aid = await stack.consular.post(
        f"/v1/zaken/{zaak_id}/bijstand", json=NOODFONDS, headers={"If-Match": 'W/"1"'}
    )
    assert aid.status_code == 201, aid.text
    te_vroeg = await stack.consular.post(f"/v1/zaken/{zaak_id}/afloop", json=TERUG)
    assert te_vroeg.status_code == 409 and "not verified yet" in te_vroeg.json()["detail"]

    gestart = {"datum": "2018-03-15"}
    await publiceer(stack.js, "verification", "onderzoek_gestart", zaak_id, 2, gestart)
    await publiceer(
        stack.js,
        "verification",
        "geverifieerd",
        zaak_id,
        3,
        {
            "uitkomst": "vastgesteld",
            "reden": None,
            "bevinding": None,
            "onderwerp": "achterlating",
            "besloten_op": "2018-04-01",
            "herziening": False,
            "reden_herziening": None,
        },
    )
    geverifieerd = await zaak(stack.consular, zaak_id, uitkomst="vastgesteld")
    assert geverifieerd["verificatie"]["onderzoek_gestart_op"] == "2018-03-15"

    terug = await stack.consular.post(
        f"/v1/zaken/{zaak_id}/afloop",
        json=TERUG,
        headers={"If-Match": f'W/"{geverifieerd["versie"]}"'},
    )
    assert terug.status_code == 201, terug.text
    assert terug.json()["afloop"]["afloop"] == "teruggekeerd_met_ondersteuning"

    gepubliceerd = await consular_events(stack.js, 2)
    assert [e["event_type"] for e in gepubliceerd] == ["bijstand_verleend", "afloop_vastgelegd"]
    assert gepubliceerd[0]["data"] == NOODFONDS
    assert gepubliceerd[1]["data"] == TERUG
    assert all(e["zaak_id"] == zaak_id and e["source"] == "consular" for e in gepubliceerd)


async def test_verification_news_before_the_melding_is_not_lost(
    database_url: str, nats_url: str, nats_client: NATS
) -> None:
    js = nats_client.jetstream()
    await ensure_stream(js, "verification")
    await ensure_stream(js, "intake")
    app = consular_app(
        ConsularSettings(
            **database_credentials(database_url, "consular"),
            nats_url=nats_url,
            environment="test",
            relay_poll_seconds=0.1,
        )
    )
    async with serving(app) as consular:
        zaak_id = str(uuid4())
        await publiceer(
            js,
            "verification",
            "geverifieerd",
            zaak_id,
            2,
            {"uitkomst": "vastgesteld", "besloten_op": "2018-04-01", "herziening": False},
        )
        verification = next(c for c in app.state.runtime.consumers if c.source == "verification")

        async def gehouden() -> bool:
            return verification.handled >= 1

        await eventually(gehouden, what="consular consumed the early geverifieerd")
        assert (await consular.get(f"/v1/zaken/{zaak_id}")).status_code == 404

        await publiceer(
            js,
            "intake",
            "gemeld",
            zaak_id,
            1,
            {
                "referentie": "LKHA-2018-0077",
                "gemeld_op": "2018-03-14",
                "onderwerp": "huwelijksdwang",
                "betrokkene": {"categorie": "volwassene"},
                "land": "PK",
                "bz_betrokken": True,
            },
        )
        bekend = await zaak(consular, zaak_id, uitkomst="vastgesteld")
        assert bekend["land"] == "PK" and bekend["verificatie"]["stand"] == "geverifieerd"
        terug = await consular.post(f"/v1/zaken/{zaak_id}/afloop", json=TERUG)
        assert terug.status_code == 201, terug.text


async def test_concurrent_changes_with_the_same_if_match_let_one_win(stack: Stack) -> None:
    response = await stack.intake.post(
        "/v1/meldingen", json=melding(), headers={"Idempotency-Key": "consular-flow-0002"}
    )
    zaak_id = response.json()["zaak_id"]
    await zaak(stack.consular, zaak_id)
    url = f"/v1/zaken/{zaak_id}/bijstand"
    bodies = [{**NOODFONDS, "bedrag_cent": 100 + i} for i in range(4)]
    antwoorden = await asyncio.gather(
        *(stack.consular.post(url, json=b, headers={"If-Match": 'W/"1"'}) for b in bodies)
    )
    assert sorted(a.status_code for a in antwoorden) == [201, 412, 412, 412]
    assert len((await stack.consular.get(f"/v1/zaken/{zaak_id}")).json()["bijstand"]) == 1


async def test_a_retry_with_its_key_stores_and_publishes_nothing_new(stack: Stack) -> None:
    response = await stack.intake.post(
        "/v1/meldingen", json=melding(), headers={"Idempotency-Key": "consular-flow-0003"}
    )
    zaak_id = response.json()["zaak_id"]
    await zaak(stack.consular, zaak_id)
    url = f"/v1/zaken/{zaak_id}/bijstand"
    headers = {"Idempotency-Key": "bijstand-retry-0001"}
    eerste = await stack.consular.post(url, json=NOODFONDS, headers=headers)
    retry = await stack.consular.post(url, json=NOODFONDS, headers=headers)
    assert eerste.status_code == retry.status_code == 201
    assert retry.json() == eerste.json() and retry.headers["Idempotent-Replayed"] == "true"
    await stack.consular.post(url, json={**NOODFONDS, "doel": "opvang"})
    gepubliceerd = await consular_events(stack.js, 2)
    assert [e["data"]["doel"] for e in gepubliceerd] == ["tickets", "opvang"]
    assert (await stack.js.stream_info("CONSULAR")).state.messages == 2
