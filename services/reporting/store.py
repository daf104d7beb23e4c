"""Reporting's own store: every integration event it consumed (facts), with positions.

The figures are folded from these facts (see figures/); they can be dropped and rebuilt
from the producers' streams at any time.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Engine,
    Index,
    Integer,
    MetaData,
    Table,
    Text,
    select,
)
from sqlalchemy.dialects.postgresql import JSONB, insert

from shared.consumer import Delivery
from shared.db import PositionStore, positions_table

metadata = MetaData()
positions = positions_table(metadata)

feiten = Table(
    "feiten",
    metadata,
    Column("event_id", Text, primary_key=True),
    Column("zaak_id", Text, nullable=True),
    Column("source", Text, nullable=False),
    Column("event_type", Text, nullable=False),
    Column("contract_version", Integer, nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
    Column("recorded_by", JSONB, nullable=True),
    Column("data", JSONB, nullable=False),
    Column("stream", Text, nullable=False),
    Column("sequence", BigInteger, nullable=False),
    Index("feiten_zaak", "zaak_id"),
)


def envelope(row: Any) -> dict[str, Any]:
    """A stored fact as the envelope it arrived in (docs/contracts.md)."""
    return {
        "event_id": row.event_id,
        "event_type": row.event_type,
        "source": row.source,
        "contract_version": row.contract_version,
        "zaak_id": row.zaak_id,
        "recorded_at": row.recorded_at.isoformat()
        if isinstance(row.recorded_at, datetime)
        else row.recorded_at,
        "recorded_by": row.recorded_by,
        "data": row.data,
    }


class FactStore:
    """Stores consumed events and the stream position in one transaction."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.positions = PositionStore(engine, positions)

    def record(self, delivery: Delivery) -> bool:
        """Store one delivered event; False if this position was processed before."""
        event = delivery.event
        with self.engine.begin() as conn:
            done = conn.execute(
                select(positions.c.position)
                .where(positions.c.name == delivery.position_name)
                .with_for_update()
            ).scalar()
            if done is not None and delivery.sequence <= done:
                return False
            conn.execute(
                insert(feiten)
                .values(
                    event_id=event.event_id,
                    zaak_id=event.zaak_id,
                    source=event.source,
                    event_type=event.event_type,
                    contract_version=event.contract_version,
                    recorded_at=event.recorded_at,
                    recorded_by=event.recorded_by,
                    data=event.data,
                    stream=delivery.stream,
                    sequence=delivery.sequence,
                )
                .on_conflict_do_nothing(index_elements=[feiten.c.event_id])
            )
            self.positions.set(delivery.position_name, delivery.sequence, conn)
        return True

    def all_envelopes(self) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(feiten).order_by(feiten.c.recorded_at, feiten.c.event_id))
            return [envelope(r) for r in rows]

    def envelopes_of(self, zaak_id: str) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(feiten)
                .where(feiten.c.zaak_id == zaak_id)
                .order_by(feiten.c.recorded_at, feiten.c.event_id)
            )
            return [envelope(r) for r in rows]
