"""Hash chains over what a service stores: its event store and its audit log.

Each link carries the hash of the previous link and a hash over the record *as stored* (for
events: the stored state, in which personal data is ciphertext), so destroying a case's data
key leaves every chain intact. PostgreSQL makes the links itself, in the inserting
transaction (triggers; sha256 is built in), so no code path can store an event or an audit
record without its link, and the tables refuse UPDATE, DELETE and TRUNCATE. `verify_*`
recompute every link here in Python, independently of the database's functions.

Encoding of a link (the same in SQL and in Python): sha256(prev_hash || f1 || f2 || ...),
each field as a 4-byte big-endian length followed by its UTF-8 bytes (NULL: length -1).
"""

# ruff: noqa: S608 - identifiers in the SQL are checked by sql_name(); values are bound

from __future__ import annotations

import struct
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from hashlib import sha256
from typing import Any

from sqlalchemy import Connection, text

from shared.security.chain_sql import (
    AUDIT,
    AUDIT_COLUMNS,
    EVENTS,
    append_only_sql,
    audit_sql,
    base_sql,
    event_sql,
    sql_name,
)

__all__ = [
    "AUDIT",
    "AUDIT_COLUMNS",
    "EVENTS",
    "ChainResult",
    "Progress",
    "audit_hash",
    "chain_names",
    "chained_schemas",
    "event_hash",
    "head",
    "install_chains",
    "link_at",
    "refused_changes",
    "sql_name",
    "verify_audit",
    "verify_events",
    "verify_schema",
]

_NULL = b"\xff\xff\xff\xff"
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _field(value: bytes | None) -> bytes:
    return _NULL if value is None else struct.pack(">i", len(value)) + value


def _text(value: object) -> bytes:
    if value is None:
        return _NULL
    if isinstance(value, bool):
        return _field(b"true" if value else b"false")
    if isinstance(value, datetime):
        return _field(str((value - _EPOCH) // timedelta(microseconds=1)).encode())
    return _field(str(value).encode())


def audit_hash(prev_hash: bytes, row: Mapping[str, Any]) -> bytes:
    """The hash of an audit record (as the database computes it)."""
    parts = [_text(row["position"]), _text(row["recorded_at"])]
    parts += [_text(row[c]) for c in AUDIT_COLUMNS]
    return sha256(prev_hash + b"".join(parts)).digest()


def event_hash(prev_hash: bytes, position: int, row: Mapping[str, Any]) -> bytes:
    """The hash of an event link over the stored event (as the database computes it)."""
    parts = [
        _text(position),
        _text(row["notification_id"]),
        _text(row["originator_id"]),
        _text(row["originator_version"]),
        _text(row["topic"]),
        _field(bytes(row["state"]) if row["state"] is not None else None),
    ]
    return sha256(prev_hash + b"".join(parts)).digest()


def install_chains(conn: Connection, schema: str, events_table: str | None) -> None:
    """Create (idempotently) the audit log, the chains and their triggers in `schema`."""
    s = sql_name(schema)
    conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock(hashtext('{schema}.install_chains'))")
    conn.exec_driver_sql(base_sql(s))
    conn.exec_driver_sql(audit_sql(s))
    for table in ("chains", "audit_log", "checkpoints"):  # chains: the genesis never changes
        conn.exec_driver_sql(append_only_sql(s, table))
    if events_table is not None:
        t = sql_name(events_table)
        conn.exec_driver_sql(event_sql(s, t))
        for table in ("event_chain", t):
            conn.exec_driver_sql(append_only_sql(s, table))


@dataclass(frozen=True)
class ChainResult:
    """The outcome of checking one chain from its genesis to its head."""

    service: str
    chain: str
    length: int
    genesis: bytes
    head: bytes
    broken_at: int | None = None
    problem: str | None = None

    @property
    def ok(self) -> bool:
        return self.problem is None

    def describe(self) -> str:
        name = f"{self.service}/{self.chain}"
        if self.ok:
            return f"{name}: {self.length} records, every link holds"
        return f"{name}: BROKEN at position {self.broken_at}: {self.problem}"


def chained_schemas(conn: Connection) -> list[str]:
    """The schemas of this database that hold chains (one per service)."""
    rows = conn.execute(
        text(
            "SELECT table_schema FROM information_schema.tables "
            "WHERE table_name = 'chains' ORDER BY table_schema"
        )
    )
    return [str(r[0]) for r in rows]


def refused_changes(conn: Connection, schema: str) -> dict[str, int]:
    """How many changes the append-only triggers of a schema refused so far, per table."""
    rows = conn.execute(
        text(f"SELECT table_name, refused FROM {sql_name(schema)}.refused_changes()")
    )
    return {str(r.table_name): int(r.refused) for r in rows}


def chain_names(conn: Connection, schema: str) -> dict[str, tuple[str, bytes]]:
    """Chain name -> (source table, genesis) in a schema."""
    rows = conn.execute(text(f"SELECT name, source, genesis FROM {sql_name(schema)}.chains"))
    return {str(r.name): (str(r.source), bytes(r.genesis)) for r in rows}


def _batches(conn: Connection, query: str, order: str, size: int = 5000) -> Iterator[Any]:
    """Rows of `query` (which filters on :after) in order, a batch at a time."""
    after: int = -1
    while True:
        batch = conn.execute(
            text(f"{query} ORDER BY {order} LIMIT {size}"), {"after": after}
        ).fetchall()
        yield from batch
        if len(batch) < size:
            return
        after = int(batch[-1]._mapping["position"])


#: Told (service, chain, records checked so far) while a chain is verified.
Progress = Callable[[str, str, int], None]


def _walk(
    schema: str,
    chain: str,
    genesis: bytes,
    rows: Iterable[Any],
    check: Any,
    progress: Progress | None = None,
) -> ChainResult:
    expected, prev = 1, genesis
    for row in rows:
        if progress is not None and expected % 1000 == 0:
            progress(schema, chain, expected)
        m = row._mapping
        problem = None
        if m["position"] != expected:
            problem = f"record {expected} is missing or out of order (found {m['position']})"
        elif bytes(m["prev_hash"]) != prev:
            problem = "does not link to the record before it"
        else:
            problem = check(m, prev)
        if problem is not None:
            return ChainResult(schema, chain, expected - 1, genesis, prev, expected, problem)
        prev = bytes(m["hash"])
        expected += 1
    if progress is not None:
        progress(schema, chain, expected - 1)
    return ChainResult(schema, chain, expected - 1, genesis, prev)


def verify_audit(conn: Connection, schema: str, progress: Progress | None = None) -> ChainResult:
    """Recompute every link of a schema's audit log."""
    s = sql_name(schema)
    _, genesis = chain_names(conn, schema)[AUDIT]
    rows = _batches(conn, f"SELECT * FROM {s}.audit_log WHERE position > :after", "position")

    def check(m: Mapping[str, Any], prev: bytes) -> str | None:
        if audit_hash(prev, m) != bytes(m["hash"]):
            return "the record does not match its hash (changed)"
        return None

    return _walk(schema, AUDIT, genesis, rows, check, progress)


def verify_events(
    conn: Connection, schema: str, progress: Progress | None = None
) -> ChainResult | None:
    """Recompute every link of a schema's event chain against the stored events."""
    chains = chain_names(conn, schema)
    if EVENTS not in chains:
        return None
    table, genesis = chains[EVENTS]
    s, t = sql_name(schema), sql_name(table)
    rows = _batches(
        conn,
        f"SELECT c.position, c.notification_id, c.prev_hash, c.hash, "
        f"e.notification_id AS stored, e.originator_id::text AS originator_id, "
        f"e.originator_version, e.topic, e.state "
        f"FROM {s}.event_chain c LEFT JOIN {s}.{t} e "
        f"ON e.notification_id = c.notification_id WHERE c.position > :after",
        "c.position",
    )

    def check(m: Mapping[str, Any], prev: bytes) -> str | None:
        if m["stored"] is None:
            return f"event {m['notification_id']} is gone from the event store (deleted)"
        if event_hash(prev, int(m["position"]), m) != bytes(m["hash"]):
            return f"event {m['notification_id']} does not match its link (changed)"
        return None

    result = _walk(schema, EVENTS, genesis, rows, check, progress)
    if not result.ok:
        return result
    orphan = conn.execute(
        text(
            f"SELECT min(e.notification_id) FROM {s}.{t} e "
            f"LEFT JOIN {s}.event_chain c ON c.notification_id = e.notification_id "
            f"WHERE c.position IS NULL"
        )
    ).scalar()
    if orphan is not None:
        at = conn.execute(
            text(f"SELECT min(position) FROM {s}.event_chain WHERE notification_id > :n"),
            {"n": orphan},
        ).scalar()
        return ChainResult(
            schema,
            EVENTS,
            result.length,
            genesis,
            result.head,
            int(at) if at is not None else result.length + 1,
            f"event {orphan} is in the event store but not in the chain (inserted or moved)",
        )
    return result


def verify_schema(
    conn: Connection, schema: str, progress: Progress | None = None
) -> list[ChainResult]:
    """Check every chain of one service: audit, events, and the row chains (rowchain.py)."""
    from shared.security.rowchain import ROWS, verify_rows

    results = [verify_audit(conn, schema, progress)]
    events = verify_events(conn, schema, progress)
    if events is not None:
        results.append(events)
    for chain, (source, _) in sorted(chain_names(conn, schema).items()):
        if source.startswith(ROWS):
            results.append(verify_rows(conn, schema, chain, progress))
    return results


def _links(schema: str, chain: str) -> str:
    """The table that holds a chain's links (a row chain's: `<table>_chain`)."""
    table = {AUDIT: "audit_log", EVENTS: "event_chain"}.get(chain, f"{chain}_chain")
    return f"{sql_name(schema)}.{sql_name(table)}"


def link_at(conn: Connection, schema: str, chain: str, position: int) -> bytes | None:
    """The hash of the link at `position` (None if the chain is shorter)."""
    value = conn.execute(
        text(f"SELECT hash FROM {_links(schema, chain)} WHERE position = :p"), {"p": position}
    ).scalar()
    return bytes(value) if value is not None else None


def head(conn: Connection, schema: str, chain: str) -> tuple[int, bytes] | None:
    """The last link of a chain (position, hash), None while it is empty."""
    row = conn.execute(
        text(f"SELECT position, hash FROM {_links(schema, chain)} ORDER BY position DESC LIMIT 1")
    ).first()
    return (int(row.position), bytes(row.hash)) if row is not None else None
