"""A running service verifies its own chains: a break, a rewrite or a refused change made in
PostgreSQL (as the superuser, who can switch the triggers off) raises an alarm within the
interval: an ERROR in the log, the OpenTelemetry counter, an audit record `keten_breuk` and
"degraded" in /ready."""

# ruff: noqa: S608 - the SQL names only this test's own tables

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import nats
import pytest
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from sqlalchemy import Engine, text

from services.consular.main import create_app as consular_app
from services.consular.settings import ConsularSettings
from shared.context import SYSTEM, Actor
from shared.db import make_engine
from shared.messaging import ensure_stream
from shared.security.audit import AuditEntry, AuditLog
from tests.helpers import eventually, serving
from tests.security.conftest import fresh_database, settings_for

pytestmark = pytest.mark.integration

S = "consular"
INTERVAL = 0.3


@dataclass
class Watched:
    client: httpx.AsyncClient
    engine: Engine  # the superuser's
    reader: InMemoryMetricReader

    def alarms_counted(self) -> dict[tuple[str, str], int]:
        counted: dict[tuple[str, str], int] = {}
        data = self.reader.get_metrics_data()
        for resource in data.resource_metrics if data else []:
            for scope in resource.scope_metrics:
                for metric in scope.metrics:
                    if metric.name != "knooppunt.integriteit.alarmen":
                        continue
                    for point in metric.data.data_points:
                        a = point.attributes or {}
                        key = (str(a["keten"]), str(a["soort"]))
                        counted[key] = counted.get(key, 0) + int(point.value)  # type: ignore[union-attr]
        return counted

    def alarm_records(self) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            rows = conn.execute(
                text(f"SELECT * FROM {S}.audit_log WHERE action = 'keten_breuk' ORDER BY position")
            )
            return [dict(r._mapping) for r in rows]

    async def alarm(self, soort: str) -> dict[str, Any]:
        """Wait (at most a few intervals) until /ready shows an alarm of this kind."""

        async def shown() -> dict[str, Any] | None:
            body = (await self.client.get("/ready")).json()
            integrity = body.get("degraded", {}).get("integriteit", {})
            found = [a for a in integrity.get("alarmen", []) if a["soort"] == soort]
            return {"ready": body, "alarm": found[0]} if found else None

        return await eventually(shown, within=INTERVAL * 20, what=f"an alarm {soort}")


@pytest.fixture
async def watched(postgres_admin_url: str, nats_server_url: str) -> AsyncIterator[Watched]:
    nc = await nats.connect(nats_server_url)  # the streams consular consumes: it is ready
    for producer in ("intake", "verification"):
        await ensure_stream(nc.jetstream(), producer)
    await nc.close()
    database_url = fresh_database(postgres_admin_url, "watch")
    settings = settings_for(
        S, database_url, nats_server_url, chain_verify_interval_seconds=INTERVAL
    )
    app = consular_app(ConsularSettings(**settings))
    reader = InMemoryMetricReader()
    app.state.runtime.meter_provider = MeterProvider(metric_readers=[reader])
    engine = make_engine(database_url, S, pool_size=1)
    async with serving(app, headers={}) as client:
        log = AuditLog(engine, S)
        for i in range(12):
            log.write(
                AuditEntry(
                    service=S,
                    action="get_zaak",
                    decision="allowed",
                    result="200",
                    actor=Actor("bz", "bz_consulair", f"post-{i}"),
                )
            )
        yield Watched(client, engine, reader)
    engine.dispose()


async def test_an_intact_service_is_ready_without_alarms(watched: Watched) -> None:
    async def checked_twice() -> dict[str, Any] | None:
        response = await watched.client.get("/ready")  # 503 until its consumers run
        status = dict(response.json())
        assert status["status"] != "degraded", status
        return status if response.status_code == 200 and status["status"] == "ready" else None

    await eventually(checked_twice, within=5)
    assert watched.alarms_counted() == {}
    assert watched.alarm_records() == []


async def test_a_changed_record_raises_an_alarm_within_the_interval(
    watched: Watched, caplog: pytest.LogCaptureFixture
) -> None:
    with watched.engine.begin() as conn:  # as the superuser, triggers off
        conn.execute(text("SET LOCAL session_replication_role = replica"))
        conn.execute(text(f"UPDATE {S}.audit_log SET actor_user = 'iemand' WHERE position = 7"))
    with caplog.at_level(logging.ERROR, logger="shared.security.watch"):
        shown = await watched.alarm("keten_gebroken")
    assert shown["ready"]["status"] == "degraded"
    assert shown["alarm"]["keten"] == "audit" and shown["alarm"]["positie"] == 7
    assert "changed" in shown["alarm"]["probleem"]
    assert any("INTEGRITY ALARM consular/audit" in r.getMessage() for r in caplog.records)
    assert watched.alarms_counted() == {("audit", "keten_gebroken"): 1}
    (record,) = watched.alarm_records()
    assert record["decision"] == "alarm" and record["reason"] == "keten_gebroken"
    assert record["object"] == f"{S}/audit" and record["result"] == "7"
    assert (record["actor_org"], record["actor_rol"]) == (SYSTEM.org, SYSTEM.rol)


async def test_a_refused_change_raises_an_alarm(watched: Watched) -> None:
    for statement in (
        f"DELETE FROM {S}.audit_log WHERE position = 3",
        f"TRUNCATE {S}.checkpoints",
        f"TRUNCATE {S}.audit_log",
    ):
        with watched.engine.connect() as conn, pytest.raises(Exception, match="append-only"):
            conn.execute(text(statement))
    shown = await watched.alarm("wijziging_geweigerd")
    assert shown["ready"]["status"] == "degraded"
    await watched.alarm("wijziging_geweigerd")

    async def both() -> set[str] | None:
        tables = {
            r["object"] for r in watched.alarm_records() if r["reason"] == "wijziging_geweigerd"
        }
        return tables if tables == {f"{S}/audit_log", f"{S}/checkpoints"} else None

    await eventually(both, within=INTERVAL * 20, what="an alarm per table")
    counted = watched.alarms_counted()
    assert counted[("audit_log", "wijziging_geweigerd")] >= 1
    assert counted[("checkpoints", "wijziging_geweigerd")] == 1
    refused = {r["object"]: int(r["result"]) for r in watched.alarm_records()}
    assert refused[f"{S}/audit_log"] == 2  # the DELETE and the TRUNCATE: the count is kept


async def test_a_whole_chain_rewritten_while_running_raises_an_alarm(watched: Watched) -> None:
    async def verified() -> bool:
        body = (await watched.client.get("/ready")).json()
        return body["status"] == "ready"

    await eventually(verified, within=5)
    await _wait_rounds(watched, 2)
    with watched.engine.begin() as conn:
        conn.execute(text("SET LOCAL session_replication_role = replica"))
        conn.execute(text(f"DELETE FROM {S}.checkpoints"))
        conn.execute(text(f"DELETE FROM {S}.audit_log"))
    log = AuditLog(watched.engine, S)
    for i in range(3):  # a short chain, valid in itself, from the genesis
        log.write(AuditEntry(service=S, action="get_zaak", decision="refused", result=str(i)))
    shown = await watched.alarm("keten_herschreven")
    assert shown["alarm"]["keten"] == "audit"
    kinds = {a["soort"] for a in shown["ready"]["degraded"]["integriteit"]["alarmen"]}
    assert "keten_herschreven" in kinds


async def _wait_rounds(watched: Watched, rounds: int) -> None:
    await asyncio.sleep(INTERVAL * rounds + 0.2)
