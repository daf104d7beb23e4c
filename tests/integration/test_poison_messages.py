"""No single message stops a consumer: a message it cannot apply is parked and it goes on.

A melding with a NUL character in a text field is published straight into JetStream (as a
producer without input validation would): PostgreSQL's jsonb refuses it. Reporting parks it
after its attempts, holds the later events of that case, applies the other cases' meldingen,
says so in /ready (degraded, with the count) and a rebuild parks it again instead of failing.
"""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from nats.aio.client import Client as NATS
from sqlalchemy import select

from services.reporting import rebuild
from services.reporting.main import create_app
from services.reporting.rebuild import herbouw_met
from services.reporting.settings import ReportingSettings
from services.reporting.store import FactStore, parked
from shared.messaging import IntegrationEvent, ensure_stream
from tests.helpers import (
    as_rebuild,
    database_credentials,
    eventually,
    nats_credentials,
    reporting_facts,
    serving,
)
from tests.pgproxy import CommitCutter

pytestmark = pytest.mark.integration


def gemeld(zaak_id: str, organisatie: str = "Leerplicht Utrecht") -> IntegrationEvent:
    return IntegrationEvent(
        event_id=f"{zaak_id}:1",
        event_type="gemeld",
        source="intake",
        zaak_id=zaak_id,
        recorded_at=datetime(2018, 3, 14, 9, tzinfo=UTC),
        data={
            "referentie": f"LKHA-2018-{zaak_id[:4]}",
            "gemeld_op": "2018-03-14",
            "onderwerp": "achterlating",
            "betrokkene": {"categorie": "minderjarige", "geslacht": "vrouw", "geboortejaar": 2003},
            "land": "MA",
            "melder": {"type": "school", "organisatie": organisatie},
            "bz_betrokken": True,
        },
    )


def gecorrigeerd(zaak_id: str) -> IntegrationEvent:
    return IntegrationEvent(
        event_id=f"{zaak_id}:2",
        event_type="gecorrigeerd",
        source="intake",
        zaak_id=zaak_id,
        recorded_at=datetime(2018, 3, 15, 9, tzinfo=UTC),
        data={"wijzigingen": {"land": "SO"}, "reden": "verkeerd land", "datum": "2018-03-15"},
    )


async def publish(nc: NATS, *events: IntegrationEvent) -> None:
    js = nc.jetstream()
    for source in ("intake", "verification", "consular"):
        await ensure_stream(js, source)
    for event in events:
        await js.publish(event.subject, event.to_json(), headers=event.headers())


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


def parked_rows(facts: FactStore) -> list[Any]:
    with facts.engine.connect() as conn:
        return conn.execute(select(parked).order_by(parked.c.sequence)).all()


async def known(client: httpx.AsyncClient, zaak_id: str) -> bool:
    return (await client.get(f"/v1/zaken/{zaak_id}")).status_code == 200


async def test_a_nul_in_a_melding_is_parked_and_later_meldingen_go_on(
    settings: ReportingSettings, facts: FactStore, nats_client: NATS
) -> None:
    vergiftigd, ander = str(uuid.uuid4()), str(uuid.uuid4())
    await publish(
        nats_client,
        gemeld(vergiftigd, organisatie="Veilig Thuis\u0000 Utrecht"),
        gecorrigeerd(vergiftigd),  # a later event of the same case: held, not applied alone
        gemeld(ander),
    )
    async with serving(create_app(settings)) as reporting:
        await eventually(lambda: known(reporting, ander), within=30, what="the later melding")
        assert not await known(reporting, vergiftigd)

        ready = await reporting.get("/ready")
        assert ready.status_code == 200, ready.text
        assert ready.json()["status"] == "degraded"
        assert ready.json()["degraded"]["parked_messages"] == 2

    rows = parked_rows(facts)
    assert [(r.sequence, r.status, r.zaak_id) for r in rows] == [
        (1, "parked", vergiftigd),
        (2, "held", vergiftigd),
    ]
    assert b"\x00" in bytes(rows[0].payload).replace(b"\\u0000", b"\x00")
    assert rows[0].attempts == 3
    assert "SQLSTATE 22P05" in rows[0].reason
    assert "Veilig Thuis" not in rows[0].reason  # the data it failed on is not repeated

    # A rebuild parks the same message again instead of failing, and the facts stay whole.
    verslag = await herbouw_met(as_rebuild(settings))
    assert [(p.sequence, p.status) for p in verslag.geparkeerd] == [(1, "parked"), (2, "held")]
    assert facts.count() == 1
    assert [(r.sequence, r.status) for r in parked_rows(facts)] == [(1, "parked"), (2, "held")]
    async with serving(create_app(settings)) as reporting:
        assert await known(reporting, ander)
        assert (await reporting.get("/ready")).json()["degraded"]["parked_messages"] == 2


async def test_a_failed_rebuild_leaves_the_facts_as_they_were(
    settings: ReportingSettings,
    facts: FactStore,
    nats_client: NATS,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    zaak = str(uuid.uuid4())
    await publish(nats_client, gemeld(zaak))
    async with serving(create_app(settings)) as reporting:
        await eventually(lambda: known(reporting, zaak), within=30, what="the melding")

    echt = rebuild._speel_af

    async def afgebroken(nc: NATS, store: FactStore, source: str, *args: Any) -> Any:
        if source != "intake":  # intake's stream is replayed, then the replay breaks off
            raise RuntimeError(f"{source}: no message after 0 of 7")
        return await echt(nc, store, source, *args)

    monkeypatch.setattr(rebuild, "_speel_af", afgebroken)
    with pytest.raises(RuntimeError, match="no message after"):
        await rebuild.herbouw(facts, nats_client)
    assert facts.count() == 1
    async with serving(create_app(settings)) as reporting:
        assert await known(reporting, zaak)

        async def ready() -> bool:  # its consumers connect after start-up
            return bool((await reporting.get("/ready")).json()["status"] == "ready")

        await eventually(ready, within=30, what="reporting ready after the failed rebuild")


async def test_a_fact_whose_commit_answer_was_lost_still_reaches_the_index(
    settings: ReportingSettings, facts: FactStore, nats_client: NATS
) -> None:
    """COMMIT succeeds in PostgreSQL, its answer is lost: the redelivery finds the fact stored
    and must still bring the in-memory index (case page, timeline) up to date."""
    proxy = CommitCutter(settings.database_url, watch=b"INSERT INTO feiten").start()
    try:
        via_proxy = settings.model_copy(update={"database_url": proxy.url})
        async with serving(create_app(via_proxy)) as reporting:
            await publish(nats_client)  # the streams exist: the consumers are running
            await eventually(lambda: _ready(reporting), within=30, what="reporting ready")
            zaak = str(uuid.uuid4())
            proxy.arm()
            await publish(nats_client, gemeld(zaak))
            assert await asyncio.to_thread(proxy.cut.wait, 30), "no COMMIT was cut"
            assert facts.count() == 1  # committed, although reporting never heard so

            await eventually(lambda: known(reporting, zaak), within=20, what="the case page")
            antwoord = (await reporting.get(f"/v1/zaken/{zaak}")).json()
            assert [stap["event_type"] for stap in antwoord["tijdlijn"]] == ["gemeld"]
    finally:
        proxy.stop()


async def _ready(client: httpx.AsyncClient) -> bool:
    return (await client.get("/ready")).status_code == 200
