"""Reporting's own store: every integration event it consumed (facts), with positions.

The figures are folded from these facts (see figures/); they can be rebuilt from the
producers' streams at any time (rebuild.py): into a table of their own (``feiten_herbouw``),
swapped in by one transaction only when the replay completed, so a failed rebuild leaves the
facts as they were. A running reporting service holds a shared advisory lock on its
database; a rebuild takes it exclusively, so the two never write at the same time.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    Connection,
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

from services.reporting import readers
from shared.consumer import Delivery
from shared.db import PositionStore, positions_table
from shared.parking import DISCARDED, ParkedMessage, ParkingLot, parked_table
from shared.security.sessions import revoked_sessions_table

log = logging.getLogger(__name__)
metadata = MetaData()
positions = positions_table(metadata)
parked = parked_table(metadata)
#: The pages' signed-out sessions (shared/security/sessions.py): SELECT and INSERT only.
revoked_sessions = revoked_sessions_table(metadata)


def _feiten(name: str, meta: MetaData) -> Table:
    return Table(
        name,
        meta,
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
        Index(f"{name}_zaak", "zaak_id"),
    )


feiten = _feiten("feiten", metadata)
#: Where a rebuild replays the streams to (not created with the service's tables).
feiten_herbouw = _feiten("feiten_herbouw", MetaData())
#: The prefix of a rebuild's positions until it is swapped in.
HERBOUW = "herbouw:"


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


#: The position row by which an earlier version marked a rebuild under way.
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
        self,
        engine: Engine,
        on_new_fact: Callable[[dict[str, Any]], object] | None = None,
        *,
        table: Table = feiten,
        prefix: str = "",
    ) -> None:
        self.engine = engine
        self.positions = PositionStore(engine, positions)
        self.on_new_fact = on_new_fact
        self.table = table
        self.prefix = prefix

    def record(self, delivery: Delivery) -> bool:
        """Store one delivered event; False if this position was processed before.

        Either way the fact as stored is handed to ``on_new_fact``: when a COMMIT succeeded
        but its answer was lost, the redelivery finds the fact stored already, and what is
        derived from the facts (the index) must still get it (the index drops a fact it has).
        """
        event = delivery.event
        readers.check(event)  # a contract version reporting does not read: refused, parked
        position = self.prefix + delivery.position_name
        with self.engine.begin() as conn:
            done = conn.execute(
                select(positions.c.position).where(positions.c.name == position).with_for_update()
            ).scalar()
            if done is not None and delivery.sequence <= done:
                self._derive(conn, event.source, event.event_id)
                return False
            stored = conn.execute(
                insert(self.table)
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
                .on_conflict_do_nothing(index_elements=[self.table.c.source, self.table.c.event_id])
                .returning(self.table)
            ).first()
            self.positions.set(position, delivery.sequence, conn)
            if stored is None:  # stored before (republished, or redelivered after a commit)
                self._derive(conn, event.source, event.event_id)
        if stored is not None and self.on_new_fact is not None:
            self.on_new_fact(envelope(stored))
        return True

    def _derive(self, conn: Connection, source: str, event_id: str) -> None:
        """Hand an already stored fact to ``on_new_fact`` (committed: it was stored before)."""
        if self.on_new_fact is None:
            return
        row = conn.execute(
            select(self.table).where(
                self.table.c.source == source, self.table.c.event_id == event_id
            )
        ).first()
        if row is not None:
            self.on_new_fact(envelope(row))

    def all_envelopes(self) -> Iterator[dict[str, Any]]:
        """Every stored fact as its envelope, in recorded order (streamed)."""
        with self.engine.connect() as conn:
            rows = conn.execution_options(yield_per=5000).execute(
                select(self.table).order_by(self.table.c.recorded_at, self.table.c.event_id)
            )
            for row in rows:
                yield envelope(row)

    def count(self) -> int:
        """How many facts are stored."""
        with self.engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(self.table)).scalar() or 0)

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

    def begin_rebuild(self) -> FactStore:
        """An empty ``feiten_herbouw`` to replay the streams into (a store of its own)."""
        with self.engine.begin() as conn:
            feiten_herbouw.drop(conn, checkfirst=True)
            feiten_herbouw.create(conn)
            conn.execute(delete(positions).where(positions.c.name.like(f"{HERBOUW}%")))
        return FactStore(self.engine, table=feiten_herbouw, prefix=HERBOUW)

    def swap_in(self, rebuilt: FactStore, geparkeerd: list[ParkedMessage]) -> None:
        """Make a completed rebuild the facts, in one transaction: its facts, its positions
        and what it parked replace the old ones (given-up messages stay given up)."""
        kolommen = [c.name for c in feiten.columns]
        with self.engine.begin() as conn:
            conn.execute(text("LOCK TABLE feiten IN EXCLUSIVE MODE"))
            conn.execute(feiten.delete())
            conn.execute(
                insert(feiten).from_select(kolommen, select(*rebuilt.table.c[tuple(kolommen)]))
            )
            conn.execute(
                delete(positions).where(
                    positions.c.name.like("stream:%") | positions.c.name.like("parked:%")
                )
            )
            for row in conn.execute(
                select(positions).where(positions.c.name.like(f"{HERBOUW}%"))
            ).all():
                self.positions.set(row.name.removeprefix(HERBOUW), row.position, conn)
            conn.execute(delete(positions).where(positions.c.name.like(f"{HERBOUW}%")))
            conn.execute(delete(parked).where(parked.c.status != DISCARDED))
            lot = ParkingLot(self.engine, parked)
            for message in geparkeerd:
                lot.park(message, conn)
            conn.execute(delete(positions).where(positions.c.name == REBUILDING))
            rebuilt.table.drop(conn)

    def abandon_rebuild(self) -> None:
        """Drop what a failed rebuild replayed (the facts were never touched)."""
        try:
            with self.engine.begin() as conn:
                feiten_herbouw.drop(conn, checkfirst=True)
                conn.execute(delete(positions).where(positions.c.name.like(f"{HERBOUW}%")))
        except Exception:
            log.warning("dropping the rebuild's table failed; the next rebuild drops it")

    def discarded(self) -> set[tuple[str, int]]:
        """The (stream, sequence) of messages an operator gave up (a rebuild skips them)."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(parked.c.stream, parked.c.sequence).where(parked.c.status == DISCARDED)
            ).all()
        return {(r.stream, int(r.sequence)) for r in rows}

    def rebuild_interrupted(self) -> bool:
        """True when a rebuild of an earlier version began and did not finish (it emptied
        the facts first; a rebuild now leaves them alone until it completed)."""
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
