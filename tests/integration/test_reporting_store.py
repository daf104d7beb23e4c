"""Reporting's fact store on the real PostgreSQL: one fact per producer's event, exactly once."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import Engine, text

from services.reporting.index import Feitenindex
from services.reporting.store import FactStore, metadata
from shared.consumer import Delivery
from shared.db import ensure_schema, make_engine
from shared.messaging import IntegrationEvent, stream_name

pytestmark = pytest.mark.integration


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url, "reporting")
    ensure_schema(engine, "reporting")
    yield engine
    engine.dispose()


def _delivery(source: str, sequence: int, event_id: str, event_type: str) -> Delivery:
    event = IntegrationEvent(
        event_id=event_id,
        event_type=event_type,
        source=source,
        zaak_id="z1",
        recorded_at=datetime(2018, 5, 1, 9, tzinfo=UTC),
        data={"datum": "2018-05-01", "reden": "teruggekeerd", "afloop": "wil_geen_hulp"},
    )
    return Delivery(event=event, stream=stream_name(source), sequence=sequence)


def test_two_producers_events_with_the_same_id_are_both_kept(engine: Engine) -> None:
    metadata.create_all(engine)
    nieuw: list[dict[str, Any]] = []
    store = FactStore(engine, on_new_fact=nieuw.append)
    assert store.record(_delivery("verification", 5, "z1:2", "afgesloten"))
    assert store.record(_delivery("consular", 3, "z1:2", "afloop_vastgelegd"))
    assert store.count() == 2
    assert [(f["source"], f["event_type"]) for f in nieuw] == [
        ("verification", "afgesloten"),
        ("consular", "afloop_vastgelegd"),
    ]


def test_a_redelivered_or_republished_event_reaches_the_index_once(engine: Engine) -> None:
    metadata.create_all(engine)
    index = Feitenindex()
    store = FactStore(engine, on_new_fact=index.voeg_toe)
    assert store.record(_delivery("verification", 5, "z1:2", "afgesloten")) is True
    assert store.record(_delivery("verification", 5, "z1:2", "afgesloten")) is False
    assert store.record(_delivery("verification", 9, "z1:2", "afgesloten")) is True
    assert index.positie == 1
    assert store.count() == 1
    assert store.positions.get("stream:VERIFICATION") == 9


def test_an_older_table_keyed_by_event_id_alone_is_migrated(engine: Engine) -> None:
    metadata.create_all(engine)
    with engine.begin() as conn:
        conn.execute(text("ALTER TABLE feiten DROP CONSTRAINT feiten_pkey"))
        conn.execute(text("ALTER TABLE feiten ADD PRIMARY KEY (event_id)"))
    store = FactStore(engine)
    store.migrate()
    store.migrate()  # a second start changes nothing
    store.record(_delivery("verification", 5, "z1:2", "afgesloten"))
    store.record(_delivery("consular", 3, "z1:2", "afloop_vastgelegd"))
    assert store.count() == 2
    assert len(list(store.all_envelopes())) == 2
