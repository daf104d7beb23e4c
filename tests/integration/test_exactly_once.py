"""A crash at any point loses no acknowledged event and duplicates no effect."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from nats.aio.client import Client as NATS
from opentelemetry.sdk.trace import TracerProvider
from sqlalchemy import MetaData, func, select

from services.intake.application import InMemoryReferenties, IntakeApplication
from services.intake.contracts import to_integration_event
from services.reporting.store import FactStore, feiten
from services.reporting.store import metadata as reporting_metadata
from services.verification.application import VerificationApplication
from services.verification.consumers import IntakeHandler
from services.verification.teksten import Teksten
from shared.consumer import Delivery
from shared.crypto import InMemoryCaseKeys
from shared.db import PositionStore, ensure_schema, make_engine, positions_table
from shared.eventstore import postgres_env
from shared.messaging import IntegrationEvent, ensure_stream
from shared.relay import EventRelay
from tests.helpers import melding

pytestmark = pytest.mark.integration
TRACER = TracerProvider().get_tracer("test")


class Crash(Exception):
    pass


class CrashingPositions(PositionStore):
    """Publishes go through, but the process dies before recording how far it got."""

    def set(self, name: str, position: int, conn: Any = None) -> None:
        raise Crash


def _intake(database_url: str) -> IntakeApplication:
    engine = make_engine(database_url, "intake")
    ensure_schema(engine, "intake")
    return IntakeApplication(
        postgres_env(database_url, "intake"),
        cipher=InMemoryCaseKeys(),
        referenties=InMemoryReferenties(),
    )


def _positions(database_url: str, crashing: bool = False) -> PositionStore:
    engine = make_engine(database_url, "intake")
    table = positions_table(MetaData())
    table.metadata.create_all(engine)
    return (CrashingPositions if crashing else PositionStore)(engine, table)


def _verzoek() -> dict[str, Any]:
    body = melding()
    body["gemeld_op"] = datetime(2018, 3, 14).date()
    body.pop("persoonsgegevens")
    return body


async def test_relay_restarted_after_a_crash_publishes_each_event_once(
    database_url: str, nats_client: NATS
) -> None:
    intake = _intake(database_url)
    js = nats_client.jetstream()
    await ensure_stream(js, "intake")
    # The relay is down while the melding is stored: nothing is published yet.
    intake.meld(melder_org="vt", idempotency_key="crash-1", verzoek=_verzoek())
    info = await js.stream_info("INTAKE")
    assert info.state.messages == 0

    def relay(positions: PositionStore) -> EventRelay:
        return EventRelay(
            source="intake",
            recorder=intake.recorder,
            mapper=intake.mapper,
            translate=to_integration_event,
            js=js,
            positions=positions,
            tracer=TRACER,
        )

    # It comes up, publishes, and crashes before it records its position ...
    with pytest.raises(Crash):
        await relay(_positions(database_url, crashing=True)).relay_once()
    assert (await js.stream_info("INTAKE")).state.messages == 1
    # ... so the restarted relay publishes the same event again: JetStream drops it.
    restarted = relay(_positions(database_url))
    assert await restarted.relay_once() == 1
    assert restarted.published == 0
    assert (await js.stream_info("INTAKE")).state.messages == 1
    assert await restarted.relay_once() == 0
    intake.close()


def _delivery(sequence: int, event_id: str = "00000000-0000-0000-0000-00000000000a:1") -> Delivery:
    event = IntegrationEvent(
        event_id=event_id,
        event_type="gemeld",
        source="intake",
        zaak_id=event_id.split(":")[0],
        recorded_at=datetime(2018, 3, 14, 9, tzinfo=UTC),
        data={
            "referentie": "LKHA-2018-0001",
            "gemeld_op": "2018-03-14",
            "onderwerp": "achterlating",
            "betrokkene": {"categorie": "minderjarige"},
            "land": "MA",
            "bz_betrokken": True,
        },
    )
    return Delivery(event=event, stream="INTAKE", sequence=sequence)


def test_a_redelivered_message_changes_nothing_in_verification(database_url: str) -> None:
    engine = make_engine(database_url, "verification")
    ensure_schema(engine, "verification")
    app = VerificationApplication(
        postgres_env(database_url, "verification"), teksten=Teksten(InMemoryCaseKeys())
    )
    handler = IntakeHandler(app)
    handler(_delivery(1))
    handler(_delivery(1))  # redelivered: same stream position
    handler(_delivery(7))  # republished after the duplicate window: new position, same event
    zaak = app.get_zaak(_delivery(1).event.zaak_id)  # type: ignore[arg-type]
    assert zaak.version == 1
    assert app.recorder.max_notification_id() == 1
    assert app.recorder.max_tracking_id("stream:INTAKE") == 7
    app.close()


def test_a_redelivered_message_is_counted_once_in_reporting(database_url: str) -> None:
    engine = make_engine(database_url, "reporting")
    ensure_schema(engine, "reporting")
    reporting_metadata.create_all(engine)
    store = FactStore(engine)
    assert store.record(_delivery(1)) is True
    assert store.record(_delivery(1)) is False
    store.record(_delivery(9))
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(feiten)).scalar() == 1
    assert store.positions.get("stream:INTAKE") == 9
