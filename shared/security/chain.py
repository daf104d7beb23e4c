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

import re
import struct
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from hashlib import sha256
from typing import Any

from sqlalchemy import Connection, text

EVENTS = "events"
AUDIT = "audit"

#: Columns of the audit log that are hashed, in order (after position and recorded_at).
AUDIT_COLUMNS = (
    "service",
    "action",
    "object",
    "zaak_id",
    "decision",
    "result",
    "reason",
    "origin",
    "actor_org",
    "actor_rol",
    "actor_user",
    "trace_id",
    "doel",
    "reden",
    "personal_data",
)

_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
_NULL = b"\xff\xff\xff\xff"
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def sql_name(name: str) -> str:
    """A schema or table name, quoted, after checking it is a plain identifier."""
    if not _NAME.match(name):
        raise ValueError(f"not a plain SQL identifier: {name!r}")
    return f'"{name}"'


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


def _audit_sql(s: str) -> str:
    fields = " || ".join(
        f"{s}.chain_text(NEW.{c}::text)" for c in ("position", "recorded_at_us", *AUDIT_COLUMNS)
    ).replace(
        "NEW.recorded_at_us::text",
        "((extract(epoch FROM NEW.recorded_at) * 1000000)::bigint)::text",
    )
    columns = ",\n  ".join(f"{c} text" for c in AUDIT_COLUMNS if c != "personal_data")
    return f"""
CREATE TABLE IF NOT EXISTS {s}.audit_log (
  position bigint PRIMARY KEY,
  recorded_at timestamptz NOT NULL,
  {columns},
  personal_data boolean NOT NULL DEFAULT false,
  prev_hash bytea NOT NULL,
  hash bytea NOT NULL
);
CREATE INDEX IF NOT EXISTS audit_log_zaak ON {s}.audit_log (zaak_id);
INSERT INTO {s}.chains (name, source, genesis)
  VALUES ('{AUDIT}', 'audit_log', sha256(convert_to(
    'knooppunt:{s.strip(chr(34))}:{AUDIT}:' || gen_random_uuid()::text, 'UTF8')))
  ON CONFLICT (name) DO NOTHING;
CREATE OR REPLACE FUNCTION {s}.audit_link() RETURNS trigger LANGUAGE plpgsql AS $body$
DECLARE
  last_position bigint;
  last_hash bytea;
BEGIN
  PERFORM pg_advisory_xact_lock(hashtext(TG_TABLE_SCHEMA || '.audit_log'));
  SELECT position, hash INTO last_position, last_hash
    FROM {s}.audit_log ORDER BY position DESC LIMIT 1;
  IF last_position IS NULL THEN
    SELECT genesis INTO last_hash FROM {s}.chains WHERE name = '{AUDIT}';
    last_position := 0;
  END IF;
  NEW.position := last_position + 1;
  NEW.recorded_at := clock_timestamp();
  NEW.prev_hash := last_hash;
  NEW.hash := sha256(last_hash || {fields});
  RETURN NEW;
END $body$;
CREATE OR REPLACE TRIGGER audit_link BEFORE INSERT ON {s}.audit_log
  FOR EACH ROW EXECUTE FUNCTION {s}.audit_link();
"""


def _base_sql(s: str) -> str:
    return rf"""
CREATE TABLE IF NOT EXISTS {s}.chains (
  name text PRIMARY KEY,
  source text NOT NULL,
  genesis bytea NOT NULL
);
CREATE TABLE IF NOT EXISTS {s}.checkpoints (
  id bigserial PRIMARY KEY,
  chain text NOT NULL,
  position bigint NOT NULL,
  signed_at timestamptz NOT NULL,
  payload text NOT NULL,
  signature bytea NOT NULL
);
CREATE OR REPLACE FUNCTION {s}.chain_field(value bytea) RETURNS bytea
  LANGUAGE sql IMMUTABLE AS $body$
  SELECT CASE WHEN value IS NULL THEN '\xffffffff'::bytea
              ELSE int4send(length(value)) || value END
$body$;
CREATE OR REPLACE FUNCTION {s}.chain_text(value text) RETURNS bytea
  LANGUAGE sql IMMUTABLE AS $body$ SELECT {s}.chain_field(convert_to(value, 'UTF8')) $body$;
CREATE OR REPLACE FUNCTION {s}.append_only() RETURNS trigger LANGUAGE plpgsql AS $body$
BEGIN
  RAISE EXCEPTION USING MESSAGE = TG_TABLE_SCHEMA || '.' || TG_TABLE_NAME
    || ' is append-only: ' || TG_OP || ' refused';
END $body$;
"""


def _append_only_sql(s: str, table: str) -> str:
    name = table.strip('"')
    return f"""
CREATE OR REPLACE TRIGGER {name}_append_only BEFORE UPDATE OR DELETE ON {s}.{table}
  FOR EACH ROW EXECUTE FUNCTION {s}.append_only();
CREATE OR REPLACE TRIGGER {name}_no_truncate BEFORE TRUNCATE ON {s}.{table}
  FOR EACH STATEMENT EXECUTE FUNCTION {s}.append_only();
"""


def _event_sql(s: str, t: str) -> str:
    return f"""
CREATE TABLE IF NOT EXISTS {s}.event_chain (
  position bigint PRIMARY KEY,
  notification_id bigint NOT NULL UNIQUE,
  prev_hash bytea NOT NULL,
  hash bytea NOT NULL
);
INSERT INTO {s}.chains (name, source, genesis)
  VALUES ('{EVENTS}', '{t.strip('"')}', sha256(convert_to(
    'knooppunt:{s.strip(chr(34))}:{EVENTS}:' || gen_random_uuid()::text, 'UTF8')))
  ON CONFLICT (name) DO NOTHING;
CREATE OR REPLACE FUNCTION {s}.event_append(
  n bigint, originator text, version bigint, topic text, state bytea
) RETURNS void LANGUAGE plpgsql AS $body$
DECLARE
  last_position bigint;
  last_hash bytea;
BEGIN
  PERFORM pg_advisory_xact_lock(hashtext('{s}.event_chain'));
  SELECT position, hash INTO last_position, last_hash
    FROM {s}.event_chain ORDER BY position DESC LIMIT 1;
  IF last_position IS NULL THEN
    SELECT genesis INTO last_hash FROM {s}.chains WHERE name = '{EVENTS}';
    last_position := 0;
  END IF;
  INSERT INTO {s}.event_chain (position, notification_id, prev_hash, hash)
  VALUES (last_position + 1, n, last_hash, sha256(last_hash
    || {s}.chain_text((last_position + 1)::text) || {s}.chain_text(n::text)
    || {s}.chain_text(originator) || {s}.chain_text(version::text)
    || {s}.chain_text(topic) || {s}.chain_field(state)));
END $body$;
CREATE OR REPLACE FUNCTION {s}.event_link() RETURNS trigger LANGUAGE plpgsql AS $body$
BEGIN
  PERFORM {s}.event_append(NEW.notification_id, NEW.originator_id::text,
    NEW.originator_version, NEW.topic, NEW.state);
  RETURN NULL;
END $body$;
LOCK TABLE {s}.{t} IN EXCLUSIVE MODE;
DO $body$
DECLARE r record;
BEGIN
  FOR r IN SELECT e.* FROM {s}.{t} e
           WHERE NOT EXISTS (SELECT 1 FROM {s}.event_chain c
                             WHERE c.notification_id = e.notification_id)
           ORDER BY e.notification_id LOOP
    PERFORM {s}.event_append(r.notification_id, r.originator_id::text,
      r.originator_version, r.topic, r.state);
  END LOOP;
END $body$;
CREATE OR REPLACE TRIGGER event_link AFTER INSERT ON {s}.{t}
  FOR EACH ROW EXECUTE FUNCTION {s}.event_link();
"""


def install_chains(conn: Connection, schema: str, events_table: str | None) -> None:
    """Create (idempotently) the audit log, the chains and their triggers in `schema`."""
    s = sql_name(schema)
    conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock(hashtext('{schema}.install_chains'))")
    conn.exec_driver_sql(_base_sql(s))
    conn.exec_driver_sql(_audit_sql(s))
    for table in ("audit_log", "checkpoints", "chains"):  # chains: the genesis never changes
        conn.exec_driver_sql(_append_only_sql(s, table))
    if events_table is not None:
        t = sql_name(events_table)
        conn.exec_driver_sql(_event_sql(s, t))
        for table in ("event_chain", t):
            conn.exec_driver_sql(_append_only_sql(s, table))


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
    """Check both chains of one service."""
    results = [verify_audit(conn, schema, progress)]
    events = verify_events(conn, schema, progress)
    if events is not None:
        results.append(events)
    return results


def _links(schema: str, chain: str) -> str:
    """The table that holds a chain's links."""
    return f"{sql_name(schema)}.{'audit_log' if chain == AUDIT else 'event_chain'}"


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
