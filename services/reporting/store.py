"""Reporting's own store: every integration event it consumed (facts), with positions.

The figures are folded from these facts (see figures/); they can be dropped and rebuilt
from the producers' streams at any time (rebuild.py). A running reporting service holds a
shared advisory lock on its database; a rebuild takes it exclusively, so the two never
write at the same time.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
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
    delete,
    func,
    select,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB, insert

from shared.consumer import Delivery
from shared.db import PositionStore, positions_table

metadata = MetaData()
positions = positions_table(metadata)

feiten = Table(
    "feiten",
    metadata,
    # event_id is unique per producer only: each numbers its own aggregate of the case.
    Column("source", Text, primary_key=True),
    Column("event_id", Text, primary_key=True),
    Column("zaak_id", Text, nullable=True),
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


#: The position row that marks a rebuild under way (present until it completed).
REBUILDING = "rebuild:under_way"

#: The advisory lock that keeps a rebuild and a running reporting service apart.
LOCK_KEY = 0x4B4E_5250  # "KNRP"


class StoreInUse(RuntimeError):
    """The facts are in use by a running reporting service (stop it before a rebuild)."""


class FactStore:
    """Stores consumed events and the stream position in one transaction.

    ``on_new_fact`` is called with the envelope of every fact stored for the first time, after
    its transaction committed (reporting keeps its in-memory index up to date with it).
    """

    def __init__(
        self, engine: Engine, on_new_fact: Callable[[dict[str, Any]], object] | None = None
    ) -> None:
        self.engine = engine
        self.positions = PositionStore(engine, positions)
        self.on_new_fact = on_new_fact

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
            stored = conn.execute(
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
                .on_conflict_do_nothing(index_elements=[feiten.c.source, feiten.c.event_id])
                .returning(feiten)
            ).first()
            self.positions.set(delivery.position_name, delivery.sequence, conn)
        if stored is not None and self.on_new_fact is not None:
            self.on_new_fact(envelope(stored))
        return True

    def all_envelopes(self) -> Iterator[dict[str, Any]]:
        """Every stored fact as its envelope, in recorded order (streamed)."""
        with self.engine.connect() as conn:
            rows = conn.execution_options(yield_per=5000).execute(
                select(feiten).order_by(feiten.c.recorded_at, feiten.c.event_id)
            )
            for row in rows:
                yield envelope(row)

    def count(self) -> int:
        """How many facts are stored."""
        with self.engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(feiten)).scalar() or 0)

    def migrate(self) -> None:
        """Bring an older ``feiten`` table up to date (its key was event_id alone).

        Facts that the old key dropped (another producer's event with the same id) are not
        there: ``knooppunt reporting rebuild`` brings them back from the streams.
        """
        with self.engine.begin() as conn:
            sleutel = conn.execute(
                text(
                    "SELECT count(*) FROM information_schema.key_column_usage "
                    "WHERE table_schema = current_schema() AND table_name = 'feiten' "
                    "AND constraint_name = 'feiten_pkey'"
                )
            ).scalar()
            if sleutel == 1:
                conn.execute(text("ALTER TABLE feiten DROP CONSTRAINT feiten_pkey"))
                conn.execute(text("ALTER TABLE feiten ADD PRIMARY KEY (source, event_id)"))

    def begin_rebuild(self) -> None:
        """Drop every fact and stream position, and mark the rebuild as under way."""
        with self.engine.begin() as conn:
            conn.execute(feiten.delete())
            conn.execute(delete(positions).where(positions.c.name.like("stream:%")))
            self.positions.set(REBUILDING, 1, conn)

    def end_rebuild(self) -> None:
        """The replay is complete: the service may consume again."""
        with self.engine.begin() as conn:
            conn.execute(delete(positions).where(positions.c.name == REBUILDING))

    def rebuild_interrupted(self) -> bool:
        """True when a rebuild began and did not finish (the facts are incomplete)."""
        return self.positions.get(REBUILDING) > 0

    @contextmanager
    def in_use(self) -> Iterator[None]:
        """Held by a running reporting service: a rebuild cannot start meanwhile."""
        with self.engine.connect() as conn:
            conn.execute(text("SELECT pg_advisory_lock_shared(:key)"), {"key": LOCK_KEY})
            conn.commit()
            try:
                yield
            finally:
                conn.execute(text("SELECT pg_advisory_unlock_shared(:key)"), {"key": LOCK_KEY})
                conn.commit()

    @contextmanager
    def exclusively(self) -> Iterator[None]:
        """Held by a rebuild; raises StoreInUse while a reporting service runs."""
        with self.engine.connect() as conn:
            taken = conn.execute(
                text("SELECT pg_try_advisory_lock(:key)"), {"key": LOCK_KEY}
            ).scalar()
            conn.commit()
            if not taken:
                raise StoreInUse("a reporting service is running on this database: stop it first")
            try:
                yield
            finally:
                conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": LOCK_KEY})
                conn.commit()
