"""The audit log: every authorisation decision and every read of personal data, append-only.

One record per request to a protected endpoint, written
- in the same transaction as the events the request stores (`AuditingProcessRecorder`,
  through eventsourcing's own hook for extra statements in the insert transaction), or in
  the same transaction as another change (`AuditLog.write(entry, conn)`), and otherwise
- before the response starts (the security middleware): a failed write turns the response
  into a 500, so no read of personal data is answered without its record.
PostgreSQL chains every record to the one before it (shared/security/chain.py).
"""

# ruff: noqa: S608 - identifiers in the SQL are checked by sql_name(); values are bound

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, replace
from typing import Any

from eventsourcing.persistence import IntegrityError, StoredEvent
from eventsourcing.postgres import PostgresProcessRecorder
from psycopg import Cursor
from psycopg.rows import DictRow
from psycopg.sql import SQL, Identifier
from sqlalchemy import Connection, Engine, text

from shared.context import Actor
from shared.eventstore import pending_claims
from shared.fields import storable
from shared.security.chain import AUDIT_COLUMNS, sql_name

ALLOWED = "allowed"
REFUSED = "refused"
#: `result` of a record written together with the events a request stored.
STORED = "stored"


@dataclass(frozen=True)
class AuditEntry:
    """What one audit record says (position, time and hashes are added by the database)."""

    service: str
    action: str
    decision: str
    object: str | None = None
    zaak_id: str | None = None
    result: str | None = None
    reason: str | None = None
    origin: str | None = None
    actor: Actor | None = None
    trace_id: str | None = None
    doel: str | None = None
    reden: str | None = None
    personal_data: bool = False

    def values(self) -> dict[str, Any]:
        """The record as column values (AUDIT_COLUMNS); text a request brought unchecked
        (its path, a reden) is stored with what PostgreSQL cannot hold escaped (storable),
        so no request can make its own record fail."""
        values = self._raw_values()
        return {k: storable(v) if isinstance(v, str) else v for k, v in values.items()}

    def _raw_values(self) -> dict[str, Any]:
        return {
            "service": self.service,
            "action": self.action,
            "object": self.object,
            "zaak_id": self.zaak_id,
            "decision": self.decision,
            "result": self.result,
            "reason": self.reason,
            "origin": self.origin,
            "actor_org": self.actor.org if self.actor else None,
            "actor_rol": self.actor.rol if self.actor else None,
            "actor_user": self.actor.user if self.actor else None,
            "trace_id": self.trace_id,
            "doel": self.doel,
            "reden": self.reden,
            "personal_data": self.personal_data,
        }


class RequestAudit:
    """The audit record of the request in hand, filled in as the request goes.

    The middleware opens it; the routes add what only they know (a refusal for a case the
    caller may not see, the doel of a read of personal data); whoever writes it first marks
    it written, so a request leaves exactly one record.
    """

    def __init__(self, entry: AuditEntry) -> None:
        self.entry = entry
        self.written = False

    def update(self, **changes: Any) -> None:
        self.entry = replace(self.entry, **changes)

    def refuse(self, reason: str) -> None:
        """Record that the request was refused (the route then answers 403 or 404)."""
        self.update(decision=REFUSED, reason=reason)

    def personal_data(self, *, doel: str, reden: str | None = None) -> None:
        """Record that this request reads personal data, and why."""
        self.update(personal_data=True, doel=doel, reden=reden)

    def final(self, result: str) -> AuditEntry:
        return replace(self.entry, result=self.entry.result or result)


#: The audit record of the request being handled (None outside requests, e.g. consumers).
current_audit: ContextVar[RequestAudit | None] = ContextVar("current_audit", default=None)

_COLUMNS = ", ".join(AUDIT_COLUMNS)
_PLACEHOLDERS = ", ".join(f":{c}" for c in AUDIT_COLUMNS)


class AuditLog:
    """Writes audit records to the service's own schema."""

    def __init__(self, engine: Engine, schema: str) -> None:
        self.engine = engine
        self.schema = schema
        self._insert = text(
            f"INSERT INTO {sql_name(schema)}.audit_log ({_COLUMNS}) VALUES ({_PLACEHOLDERS}) "
            f"RETURNING position"
        )

    def write(self, entry: AuditEntry, conn: Connection | None = None) -> int:
        """Append a record (in `conn`'s transaction if given); returns its position."""
        if conn is not None:
            return int(conn.execute(self._insert, entry.values()).scalar_one())
        with self.engine.begin() as own:
            return int(own.execute(self._insert, entry.values()).scalar_one())

    def write_request(
        self, audit: RequestAudit, result: str, conn: Connection | None = None
    ) -> int:
        """Write the request's record (in `conn`'s transaction if given) and mark it written."""
        position = self.write(audit.final(result), conn)
        audit.written = True
        return position


#: Work to do in the transaction that inserts a request's events, after them (e.g. an
#: erasure's own record and the deletion of the case's key: if it fails, nothing is stored).
with_events: ContextVar[Callable[[Cursor[DictRow]], None] | None] = ContextVar(
    "with_events", default=None
)


def insert_audit(curs: Cursor[DictRow], schema: str, entry: AuditEntry) -> None:
    """Append an audit record through a psycopg cursor (inside its transaction)."""
    values = entry.values()
    statement = SQL("INSERT INTO {schema}.audit_log ({columns}) VALUES ({values})").format(
        schema=Identifier(schema),
        columns=SQL(", ").join(Identifier(c) for c in AUDIT_COLUMNS),
        values=SQL(", ").join(SQL("%s") for _ in AUDIT_COLUMNS),
    )
    curs.execute(statement, [values[c] for c in AUDIT_COLUMNS])


class InMemoryAuditLog:
    """The records in a list: for tests and benchmarks of pages without a database."""

    def __init__(self) -> None:
        self.records: list[AuditEntry] = []

    def write_request(
        self, audit: RequestAudit, result: str, conn: Connection | None = None
    ) -> int:
        self.records.append(audit.final(result))
        audit.written = True
        return len(self.records)


class AuditingProcessRecorder(PostgresProcessRecorder):
    """eventsourcing's process recorder that also inserts the request's audit record, in
    the transaction that inserts the request's events (see `audited_env`), and runs the
    `with_events` work of the caller there."""

    def _insert_events(
        self, curs: Cursor[DictRow], stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> None:
        super()._insert_events(curs, stored_events, **kwargs)
        if not stored_events:
            return
        self._insert_claims(curs)
        audit = current_audit.get()
        if audit is not None and not audit.written:
            entry = audit.final(STORED)
            if entry.zaak_id is None:
                entry = replace(entry, zaak_id=str(stored_events[0].originator_id))
            insert_audit(curs, self.datastore.schema, entry)
        extra = with_events.get()
        if extra is not None:
            extra(curs)

    def _insert_claims(self, curs: Cursor[DictRow]) -> None:
        """The rows the save claims (shared.eventstore.claiming), or no save at all."""
        for claim in pending_claims.get():
            statement = SQL(claim.sql).format(schema=Identifier(self.datastore.schema))
            curs.execute(statement, list(claim.params))
            if curs.fetchone() is None:
                raise IntegrityError(f"claim refused: {claim.params}")

    def insert_events(
        self, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        ids: Sequence[int] | None = super().insert_events(stored_events, **kwargs)
        audit = current_audit.get()
        if audit is not None and stored_events:
            audit.written = True  # committed together with the events
        return ids


RECORDER_TOPIC = f"{AuditingProcessRecorder.__module__}:{AuditingProcessRecorder.__qualname__}"


def audited_env(env: Mapping[str, str]) -> dict[str, str]:
    """An eventsourcing environment whose recorder writes the request's audit record in the
    transaction of the request's events."""
    return {**env, "PROCESS_RECORDER_TOPIC": RECORDER_TOPIC}
