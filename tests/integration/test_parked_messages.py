"""Parked messages end to end: a real consumer parks, `knooppunt parked` lists, shows,
retries (the held events of the case follow, in order) and discards (audited)."""

from __future__ import annotations

import asyncio
import json
import threading
from datetime import UTC, datetime
from typing import Any

import pytest
from nats.aio.client import Client as NATS
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.trace import TracerProvider
from sqlalchemy import MetaData, text
from typer.testing import CliRunner

from deploy.cli import app
from shared.consumer import Delivery, EventConsumer
from shared.db import ensure_schema, make_engine
from shared.messaging import IntegrationEvent, ensure_stream
from shared.parking import ParkingLot, parked_table
from shared.security.chain import install_chains
from tests.helpers import eventually

pytestmark = pytest.mark.integration
TRACER = TracerProvider().get_tracer("test")


def _event(zaak: str, versie: int) -> IntegrationEvent:
    return IntegrationEvent(
        event_id=f"{zaak}:{versie}",
        event_type="bijstand_verleend",
        source="consular",
        zaak_id=zaak,
        recorded_at=datetime(2026, 1, 1, tzinfo=UTC),
        data={"soort": "noodpaspoort"},
    )


def cli(database_url: str, *args: str) -> Any:
    return CliRunner().invoke(
        app, ["parked", *args, "--service", "intake", "--database-url", database_url]
    )


async def test_park_list_show_retry_discard(database_url: str, nats_client: NATS) -> None:
    engine = make_engine(database_url, "intake")
    ensure_schema(engine, "intake")
    table = parked_table(MetaData())
    table.metadata.create_all(engine)
    with engine.begin() as conn:
        install_chains(conn, "intake", None)
    lot = ParkingLot(engine, table)

    kapot = {"A:1", "B:1"}
    toegepast: list[str] = []
    slot = threading.Lock()

    def handler(delivery: Delivery) -> None:
        if delivery.event.event_id in kapot:
            raise ValueError(f"cannot apply {delivery.event.event_id!r}")
        with slot:
            toegepast.append(delivery.event.event_id)

    reader = InMemoryMetricReader()
    js = nats_client.jetstream()
    await ensure_stream(js, "consular")
    consumer = EventConsumer(
        js=js,
        source="consular",
        durable="intake-consular",
        handler=handler,
        tracer=TRACER,
        parking=lot,
        max_attempts=2,
        retry_delay=0.05,
        meter=MeterProvider(metric_readers=[reader]).get_meter("test"),
    )
    task = asyncio.create_task(consumer.run())

    async def publish(*events: IntegrationEvent) -> None:
        for event in events:
            await js.publish(event.subject, event.to_json(), headers=event.headers())

    async def check(value: bool) -> bool:
        return value

    try:
        await publish(_event("A", 1), _event("A", 2), _event("C", 1), _event("B", 1))
        await publish(_event("B", 2))
        await eventually(lambda: check(lot.count() == 4), within=20, what="four parked")
        await eventually(lambda: check(toegepast == ["C:1"]), what="C applied")

        listed = cli(database_url, "list", "--json")
        assert listed.exit_code == 0, listed.output
        rows = json.loads(listed.stdout)
        assert [(r["sequence"], r["status"], r["zaak_id"]) for r in rows] == [
            (1, "parked", "A"),
            (2, "held", "A"),
            (4, "parked", "B"),
            (5, "held", "B"),
        ]
        assert rows[0]["attempts"] == 2 and rows[0]["reason"] == "ValueError: cannot apply …"

        shown = cli(database_url, "show", "1", "--json")
        assert shown.exit_code == 0, shown.output
        assert json.loads(json.loads(shown.stdout)["payload"])["event_id"] == "A:1"

        def parked_total() -> int:
            data = reader.get_metrics_data().resource_metrics[0].scope_metrics[0].metrics
            parked = next(m for m in data if m.name == "knooppunt.consumer.parked")
            return sum(p.value for p in parked.data.data_points)

        await eventually(lambda: check(parked_total() == 4), what="the parked counter at 4")

        # A repaired: retry applies A's parked and held events in order; then A flows again.
        kapot.discard("A:1")
        retried = await asyncio.to_thread(cli, database_url, "retry", "1", "--wait", "20")
        assert retried.exit_code == 0, retried.output
        assert "applied" in retried.stdout
        await publish(_event("A", 3))
        await eventually(lambda: check(len(toegepast) == 4), what="A's events applied")
        assert toegepast == ["C:1", "A:1", "A:2", "A:3"]

        # B given up: kept, audited, and the event held behind it is applied.
        discarded = cli(database_url, "discard", "4", "--reason", "test", "--by", "beheerder.t")
        assert discarded.exit_code == 0, discarded.output
        await eventually(lambda: check("B:2" in toegepast), within=20, what="B:2 released")
        assert lot.count() == 0
        kept = lot.get("CONSULAR", 4)
        assert kept is not None and kept.status == "discarded"
        assert kept.discarded_by == "beheerder.t"
        with engine.connect() as conn:
            audit = conn.execute(
                text("SELECT action, actor_user, reason, object FROM intake.audit_log")
            ).all()
        assert [tuple(a) for a in audit] == [
            ("parked.discard", "beheerder.t", "test", "CONSULAR:4")
        ]
        await eventually(lambda: check(consumer.parked.waiting == 0), what="the gauge at 0")

        # One clear line and a non-zero exit for what cannot be done.
        missing = cli(database_url, "show", "99")
        assert missing.exit_code == 3
        assert "no parked message with sequence 99" in missing.output
        again = cli(database_url, "discard", "4", "--reason", "twice")
        assert again.exit_code == 2 and "discarded already" in again.output
        unknown = CliRunner().invoke(app, ["parked", "list", "--service", "nope"])
        assert unknown.exit_code == 2
    finally:
        consumer.stop()
        await task
        engine.dispose()
