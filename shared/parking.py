"""Parked messages (a dead letter per service): what a consumer could not apply, kept and visible.

A message that a handler keeps refusing (after a bounded number of attempts) is parked: a row
in the consuming service's own schema with the message as it arrived (subject, headers,
payload bytes) and why it failed, committed before the message is acknowledged, so the
consumer goes on with the next one. The row is the consumer's record that the sequence was
dealt with: a redelivery of a parked sequence is acknowledged and nothing else.

A case's events keep their order: once an event of a case is parked, the later events of
that case on the same stream are parked as ``held`` rather than applied out of order; other
cases flow on. ``knooppunt parked retry`` asks the running service to apply a parked case
again (``retry``), in stream order, releasing its held events; ``discard`` marks a message
as given up (kept, audited) and releases the events held behind it.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    Connection,
    DateTime,
    Engine,
    Integer,
    LargeBinary,
    MetaData,
    Table,
    Text,
    and_,
    func,
    select,
)
from sqlalchemy.dialects.postgresql import insert

log = logging.getLogger(__name__)

PARKED = "parked"
"""The message failed every attempt: it waits for an operator."""
HELD = "held"
"""An earlier event of the same case is parked: this one waits behind it, unapplied."""
RETRY = "retry"
"""An operator asked to apply the case's parked and held messages again."""
DISCARDED = "discarded"
"""An operator gave the message up (who and why are kept, and in the audit log)."""

APPLIED = "applied"
"""Applied after all, on a retry (kept as a record of what happened)."""

WAITING = (PARKED, HELD, RETRY)
"""The statuses of a message that is not applied and not given up."""


def parked_table(metadata: MetaData) -> Table:
    """The service's parked messages, one row per (stream, sequence)."""
    if "parked_messages" in metadata.tables:
        return metadata.tables["parked_messages"]
    return Table(
        "parked_messages",
        metadata,
        Column("stream", Text, primary_key=True),
        Column("sequence", BigInteger, primary_key=True),
        Column("durable", Text, nullable=False),
        Column("subject", Text, nullable=False),
        # bytes as they arrived: a payload may hold anything (a NUL, invalid UTF-8)
        Column("headers", LargeBinary, nullable=False),
        Column("payload", LargeBinary, nullable=False),
        Column("zaak_id", Text, nullable=True),
        Column("status", Text, nullable=False),
        Column("reason", Text, nullable=False),
        Column("attempts", Integer, nullable=False),
        Column("first_failed_at", DateTime(timezone=True), nullable=False),
        Column("last_failed_at", DateTime(timezone=True), nullable=False),
        Column("discarded_by", Text, nullable=True),
        Column("discarded_because", Text, nullable=True),
    )


_QUOTED = re.compile(r"\"[^\"]*\"|'[^']*'")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def safe_text(value: object, limit: int = 300) -> str:
    """Text that PostgreSQL can store and a log can show: no control characters, bounded."""
    return _CONTROL.sub("?", str(value))[:limit]


def case_key(zaak_id: object) -> str | None:
    """The key a message's case is held under (the envelope's zaak_id), storable as text."""
    return safe_text(zaak_id, 200) if zaak_id not in (None, "") else None


def _chain(exc: BaseException) -> Iterable[BaseException]:
    seen: set[int] = set()
    todo: list[BaseException | None] = [exc]
    while todo:
        current = todo.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        todo.extend([current.__cause__, current.__context__, getattr(current, "orig", None)])


def reason_of(exc: BaseException) -> str:
    """Why a handler failed, without the data it failed on: the exception's type, the
    database's error code and primary message (quoted values removed), never a DETAIL or
    CONTEXT line (PostgreSQL quotes the offending data there)."""
    for item in _chain(exc):
        diag = getattr(item, "diag", None)
        sqlstate = getattr(diag, "sqlstate", None)
        if sqlstate:
            primary = _QUOTED.sub("…", str(getattr(diag, "message_primary", "") or ""))
            return safe_text(f"{type(item).__name__} (SQLSTATE {sqlstate}): {primary}")
    first = str(exc).splitlines()[0] if str(exc) else ""
    return safe_text(f"{type(exc).__name__}: {_QUOTED.sub('…', first)}")


_TRANSIENT = {"OperationalError", "InterfaceError", "TimeoutError", "PoolTimeout"}


def is_transient(exc: BaseException) -> bool:
    """A failure of the connection or the server, not of the message: retried without limit
    and never parked (a consumer that keeps failing so shows as stalled in /ready)."""
    for item in _chain(exc):
        if isinstance(item, ConnectionError | TimeoutError):
            return True
        if getattr(item, "connection_invalidated", False):
            return True
        if {c.__name__ for c in type(item).__mro__} & _TRANSIENT:
            return True
    return False


@dataclass(frozen=True)
class ParkedMessage:
    """One parked message as it arrived, with why and how often it failed."""

    stream: str
    sequence: int
    durable: str
    subject: str
    headers: dict[str, str]
    payload: bytes
    zaak_id: str | None
    status: str
    reason: str
    attempts: int
    first_failed_at: datetime
    last_failed_at: datetime
    discarded_by: str | None = None
    discarded_because: str | None = None

    @classmethod
    def of(cls, row: Any) -> ParkedMessage:
        values = dict(row._mapping)
        values["headers"] = json.loads(bytes(values["headers"]) or b"{}")
        values["payload"] = bytes(values["payload"])
        return cls(**values)


@dataclass
class StreamState:
    """What a consumer must know of its stream's parked messages, read in one query."""

    dealt: set[int] = field(default_factory=set)
    """Sequences parked, held or discarded: a redelivery of one is only acknowledged."""
    held_cases: set[str] = field(default_factory=set)
    """Cases with a message waiting: their later events are held."""
    retry: list[ParkedMessage] = field(default_factory=list)
    """Cases an operator asked to retry (one message each; the whole case is retried)."""
    waiting: int = 0


class ParkingLot:
    """The parked messages of one service (its own schema)."""

    def __init__(self, engine: Engine, table: Table) -> None:
        self.engine = engine
        self.table = table

    def park(self, message: ParkedMessage, conn: Connection | None = None) -> None:
        """Keep a message (or count one more failed attempt of a parked one)."""
        values = {
            "stream": message.stream,
            "sequence": message.sequence,
            "durable": message.durable,
            "subject": safe_text(message.subject, 500),
            "headers": json.dumps(message.headers, default=str).encode(),
            "payload": message.payload,
            "zaak_id": message.zaak_id,
            "status": message.status,
            "reason": safe_text(message.reason),
            "attempts": message.attempts,
            "first_failed_at": message.first_failed_at,
            "last_failed_at": message.last_failed_at,
        }
        stmt = insert(self.table).values(**values)
        stmt = stmt.on_conflict_do_update(
            index_elements=[self.table.c.stream, self.table.c.sequence],
            set_={
                "status": stmt.excluded.status,
                "reason": stmt.excluded.reason,
                "attempts": self.table.c.attempts + stmt.excluded.attempts,
                "last_failed_at": stmt.excluded.last_failed_at,
            },
            where=self.table.c.status != DISCARDED,
        )
        if conn is not None:
            conn.execute(stmt)
            return
        with self.engine.begin() as own:
            own.execute(stmt)

    def state(self, stream: str) -> StreamState:
        """The stream's parked sequences, held cases and retry requests."""
        state = StreamState()
        t = self.table
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(t.c.sequence, t.c.zaak_id, t.c.status).where(t.c.stream == stream)
            ).all()
            retry = conn.execute(
                select(t).where(t.c.stream == stream, t.c.status == RETRY).order_by(t.c.sequence)
            ).all()
        for sequence, zaak_id, status in rows:
            state.dealt.add(int(sequence))
            if status in WAITING:
                state.waiting += 1
                if zaak_id is not None:
                    state.held_cases.add(zaak_id)
        state.retry = [ParkedMessage.of(r) for r in retry]
        return state

    def of_case(self, stream: str, zaak_id: str | None, sequence: int) -> list[ParkedMessage]:
        """The waiting messages of a case in stream order (only the one without a case)."""
        t = self.table
        where = (
            and_(t.c.stream == stream, t.c.zaak_id == zaak_id, t.c.status.in_(WAITING))
            if zaak_id is not None
            else and_(t.c.stream == stream, t.c.sequence == sequence)
        )
        with self.engine.connect() as conn:
            rows = conn.execute(select(t).where(where).order_by(t.c.sequence)).all()
        return [ParkedMessage.of(r) for r in rows]

    def applied(self, stream: str, sequence: int) -> None:
        """A parked message was applied after all (the row stays, marked: the runtime role
        never deletes)."""
        t = self.table
        with self.engine.begin() as conn:
            conn.execute(
                t.update()
                .where(t.c.stream == stream, t.c.sequence == sequence)
                .values(status=APPLIED)
            )

    def retry_case(self, request: ParkedMessage, apply: Callable[[ParkedMessage], None]) -> None:
        """Apply the waiting messages of a case again, in stream order (blocking); at the
        first that fails again the rest are held again. A failure of the server is raised."""
        for message in self.of_case(request.stream, request.zaak_id, request.sequence):
            try:
                apply(message)
            except Exception as exc:
                if is_transient(exc):
                    raise
                self.failed_again(message, reason_of(exc))
                log.warning(
                    "retry of %s seq %s failed again: %s",
                    message.stream, message.sequence, reason_of(exc),
                )  # fmt: skip
                return
            self.applied(message.stream, message.sequence)
            log.warning("parked %s seq %s applied on retry", message.stream, message.sequence)

    def failed_again(self, message: ParkedMessage, reason: str) -> None:
        """A retried message failed again: parked again, the case's others held again."""
        stream, sequence = message.stream, message.sequence
        with self.engine.begin() as conn:
            self._failed_again(stream, sequence, reason, conn)
            self.hold_rest(stream, message.zaak_id, conn)

    def _failed_again(self, stream: str, sequence: int, reason: str, conn: Connection) -> None:
        t = self.table
        conn.execute(
            t.update()
            .where(t.c.stream == stream, t.c.sequence == sequence)
            .values(
                status=PARKED,
                reason=safe_text(reason),
                attempts=t.c.attempts + 1,
                last_failed_at=datetime.now(UTC),
            )
        )

    def hold_rest(self, stream: str, zaak_id: str | None, conn: Connection) -> None:
        """After a failed retry, the case's other retried messages wait again (held)."""
        t = self.table
        if zaak_id is not None:
            conn.execute(
                t.update()
                .where(t.c.stream == stream, t.c.zaak_id == zaak_id, t.c.status == RETRY)
                .values(status=HELD)
            )

    def get(self, stream: str | None, sequence: int) -> ParkedMessage | None:
        t = self.table
        query = select(t).where(t.c.sequence == sequence)
        if stream is not None:
            query = query.where(t.c.stream == stream)
        with self.engine.connect() as conn:
            rows = conn.execute(query).all()
        return ParkedMessage.of(rows[0]) if len(rows) == 1 else None

    def list(self, *, include_discarded: bool = False) -> list[ParkedMessage]:
        t = self.table
        query = select(t).order_by(t.c.stream, t.c.sequence)
        if not include_discarded:
            query = query.where(t.c.status.in_(WAITING))
        with self.engine.connect() as conn:
            return [ParkedMessage.of(r) for r in conn.execute(query).all()]

    def count(self) -> int:
        """How many messages wait (parked, held or to be retried)."""
        t = self.table
        with self.engine.connect() as conn:
            query = select(func.count()).select_from(t).where(t.c.status.in_(WAITING))
            return int(conn.execute(query).scalar() or 0)

    def request_retry(self, stream: str, sequence: int, conn: Connection) -> None:
        t = self.table
        conn.execute(
            t.update()
            .where(t.c.stream == stream, t.c.sequence == sequence, t.c.status.in_(WAITING))
            .values(status=RETRY)
        )

    def discard(
        self, stream: str, sequence: int, *, by: str, because: str, conn: Connection
    ) -> None:
        """Give a message up; the case's held messages are released (retried) when no other
        parked message of the case remains."""
        t = self.table
        row = conn.execute(
            t.update()
            .where(t.c.stream == stream, t.c.sequence == sequence, t.c.status.in_(WAITING))
            .values(status=DISCARDED, discarded_by=safe_text(by), discarded_because=because)
            .returning(t.c.zaak_id)
        ).first()
        if row is None or row.zaak_id is None:
            return
        case = and_(t.c.stream == stream, t.c.zaak_id == row.zaak_id)
        still_parked = conn.execute(
            select(func.count()).select_from(t).where(case, t.c.status == PARKED)
        ).scalar()
        if not still_parked:
            conn.execute(t.update().where(case, t.c.status == HELD).values(status=RETRY))


def headers_of(raw: Mapping[str, str] | None) -> dict[str, str]:
    return {safe_text(k, 100): safe_text(v, 1000) for k, v in (raw or {}).items()}
