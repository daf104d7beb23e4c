"""Hash chains over tables that change: every INSERT, UPDATE and DELETE of a row is a link.

A service's state tables that are not events (intake's melding_status, bewaring and
wissingen; reporting's feiten) change in place, so they cannot be append-only. Instead a row
trigger appends a link for every change to `<table>_chain`: position, time, the database
user (session_user), the operation, the row's primary key and the sha256 of the row as
stored (`to_jsonb(row)::text` in UTC; NULL for a DELETE), chained like the other chains
(chain.py's encoding). The link table is append-only, the table refuses TRUNCATE (it would
skip the row triggers), and the trigger's work runs as the tables' owner (SECURITY
DEFINER), so the services' runtime roles only read the link tables (SELECT, for their
watch), and a link inserted directly by any other role is refused. The service's migration
installs all of it as the owner role (shared/dbroles.py, `migrate_schema(..., chained=...)`):
the runtime role cannot create or drop triggers.

`verify_rows` recomputes every link in Python and then compares the table with the chain:
every row must be the one its newest link describes, and every key whose newest link is
not a DELETE must still be there. A row changed, inserted or deleted with the triggers off
breaks that, at the position of the link it contradicts.
"""

# ruff: noqa: S608 - identifiers in the SQL are checked by sql_name(); values are bound

from __future__ import annotations

from collections.abc import Iterable, Mapping
from hashlib import sha256
from typing import Any

from sqlalchemy import Connection, text

from shared.security.chain import ChainResult, Progress, _batches, _field, _text, _walk, chain_names
from shared.security.chain_sql import append_only_sql, sql_name

#: The `source` of a row chain in the chains table: "rows:<table>".
ROWS = "rows:"


def rows_hash(prev_hash: bytes, row: Mapping[str, Any]) -> bytes:
    """The hash of a row-chain link (as the database computes it)."""
    parts = [
        _text(row["position"]),
        _text(row["recorded_at"]),
        _text(row["db_user"]),
        _text(row["op"]),
        _text(row["row_key"]),
        _field(bytes(row["row_digest"]) if row["row_digest"] is not None else None),
    ]
    return sha256(prev_hash + b"".join(parts)).digest()


def _functions_sql(s: str) -> str:
    return f"""
CREATE OR REPLACE FUNCTION {s}.row_append(chain text, op text, r jsonb, keys text[])
  RETURNS void LANGUAGE plpgsql SECURITY DEFINER
  SET search_path = pg_catalog, pg_temp AS $body$
DECLARE
  links text := '{s}.' || quote_ident(chain || '_chain');
  k text;
  d bytea;
  t timestamptz := clock_timestamp();
  last_position bigint;
  last_hash bytea;
BEGIN
  SELECT jsonb_agg(r -> a ORDER BY i)::text INTO k FROM unnest(keys) WITH ORDINALITY AS u(a, i);
  d := CASE WHEN op = 'DELETE' THEN NULL ELSE sha256(convert_to(r::text, 'UTF8')) END;
  PERFORM pg_advisory_xact_lock(hashtext(links));
  EXECUTE 'SELECT position, hash FROM ' || links || ' ORDER BY position DESC LIMIT 1'
    INTO last_position, last_hash;
  IF last_position IS NULL THEN
    SELECT genesis INTO last_hash FROM {s}.chains WHERE name = chain;
    last_position := 0;
  END IF;
  EXECUTE 'INSERT INTO ' || links || ' (position, recorded_at, db_user, op, row_key, '
    || 'row_digest, prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)'
  USING last_position + 1, t, session_user::text, op, k, d, last_hash, sha256(last_hash
    || {s}.chain_text((last_position + 1)::text)
    || {s}.chain_text(((extract(epoch FROM t) * 1000000)::bigint)::text)
    || {s}.chain_text(session_user::text) || {s}.chain_text(op) || {s}.chain_text(k)
    || {s}.chain_field(d));
END $body$;
CREATE OR REPLACE FUNCTION {s}.links_guard() RETURNS trigger LANGUAGE plpgsql AS $body$
BEGIN  -- links are made by row_append (which runs as the owner), never written directly
  IF current_user::text <> (SELECT pg_get_userbyid(relowner) FROM pg_class WHERE oid = TG_RELID)
  THEN
    RAISE EXCEPTION USING MESSAGE = TG_TABLE_SCHEMA || '.' || TG_TABLE_NAME
      || ' takes links from its trigger only: INSERT by ' || current_user || ' refused';
  END IF;
  RETURN NEW;
END $body$;
CREATE OR REPLACE FUNCTION {s}.row_link() RETURNS trigger LANGUAGE plpgsql
  SET TimeZone = 'UTC' SET extra_float_digits = 1 AS $body$
BEGIN
  IF TG_OP = 'DELETE' THEN
    PERFORM {s}.row_append(TG_TABLE_NAME, 'DELETE', to_jsonb(OLD), TG_ARGV);
  ELSE
    IF TG_OP = 'UPDATE' AND EXISTS (
      SELECT 1 FROM unnest(TG_ARGV) a WHERE to_jsonb(OLD) -> a IS DISTINCT FROM to_jsonb(NEW) -> a
    ) THEN  -- a new key: the old row is gone
      PERFORM {s}.row_append(TG_TABLE_NAME, 'DELETE', to_jsonb(OLD), TG_ARGV);
    END IF;
    PERFORM {s}.row_append(TG_TABLE_NAME, TG_OP, to_jsonb(NEW), TG_ARGV);
  END IF;
  RETURN NULL;
END $body$;
"""


def _primary_key(conn: Connection, schema: str, table: str) -> list[str]:
    rows = conn.execute(
        text(
            "SELECT a.attname FROM pg_index i "
            "JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey) "
            "WHERE i.indrelid = (quote_ident(:s) || '.' || quote_ident(:t))::regclass "
            "AND i.indisprimary ORDER BY array_position(i.indkey, a.attnum)"
        ),
        {"s": schema, "t": table},
    )
    keys = [str(r[0]) for r in rows]
    if not keys:
        raise ValueError(f"{schema}.{table} has no primary key: it cannot be chained by row")
    return keys


def _table_sql(s: str, table: str, keys: list[str]) -> str:
    t, links = sql_name(table), sql_name(f"{table}_chain")
    args = ", ".join(f"'{k}'" for k in keys)
    array = f"ARRAY[{args}]::text[]"
    return f"""
CREATE TABLE IF NOT EXISTS {s}.{links} (
  position bigint PRIMARY KEY,
  recorded_at timestamptz NOT NULL,
  db_user text NOT NULL,
  op text NOT NULL,
  row_key text NOT NULL,
  row_digest bytea,
  prev_hash bytea NOT NULL,
  hash bytea NOT NULL
);
CREATE INDEX IF NOT EXISTS {sql_name(f"{table}_chain_key")} ON {s}.{links} (row_key, position);
INSERT INTO {s}.chains (name, source, genesis)
  VALUES ('{table}', '{ROWS}{table}', sha256(convert_to(
    'knooppunt:{s.strip(chr(34))}:{table}:' || gen_random_uuid()::text, 'UTF8')))
  ON CONFLICT (name) DO NOTHING;
LOCK TABLE {s}.{t} IN EXCLUSIVE MODE;
SET LOCAL TimeZone = 'UTC';
SET LOCAL extra_float_digits = 1;
-- The rows from before the chain: linked once, when the chain is made (never later).
DO $body$
DECLARE r record;
BEGIN
  IF EXISTS (SELECT 1 FROM {s}.{links}) THEN
    RETURN;
  END IF;
  FOR r IN SELECT to_jsonb(x) AS j FROM {s}.{t} x ORDER BY {", ".join(sql_name(k) for k in keys)}
  LOOP
    PERFORM {s}.row_append('{table}', 'BASELINE', r.j, {array});
  END LOOP;
END $body$;
CREATE OR REPLACE TRIGGER {sql_name(f"{table}_chain")} AFTER INSERT OR UPDATE OR DELETE
  ON {s}.{t} FOR EACH ROW EXECUTE FUNCTION {s}.row_link({args});
CREATE OR REPLACE TRIGGER {sql_name(f"{table}_chain_guard")} BEFORE INSERT ON {s}.{links}
  FOR EACH ROW EXECUTE FUNCTION {s}.links_guard();
CREATE SEQUENCE IF NOT EXISTS {s}.{sql_name(f"{table}_refused")};
CREATE OR REPLACE TRIGGER {sql_name(f"{table}_no_truncate")} BEFORE TRUNCATE ON {s}.{t}
  FOR EACH STATEMENT EXECUTE FUNCTION {s}.append_only();
"""


def links_table(table: str) -> str:
    """The table that holds the links of `table`'s row chain."""
    return f"{table}_chain"


def install_row_chains(conn: Connection, schema: str, tables: Iterable[str]) -> None:
    """Chain every change of each table (after install_chains, in the same transaction).

    Run by the service's migration as its owner role (shared/dbroles.py): it creates
    triggers and functions, which the runtime role may not."""
    s = sql_name(schema)
    tables = list(tables)
    if not tables:
        return
    conn.exec_driver_sql(_functions_sql(s))
    for table in tables:
        keys = _primary_key(conn, schema, table)
        conn.exec_driver_sql(_table_sql(s, table, keys))
        conn.exec_driver_sql(append_only_sql(s, sql_name(links_table(table))))


def verify_rows(
    conn: Connection, schema: str, chain: str, progress: Progress | None = None
) -> ChainResult:
    """Recompute every link of a row chain, then compare the table with its newest links."""
    source, genesis = chain_names(conn, schema)[chain]
    table = source.removeprefix(ROWS)
    s, links = sql_name(schema), sql_name(f"{table}_chain")
    rows = _batches(conn, f"SELECT * FROM {s}.{links} WHERE position > :after", "position")

    def check(m: Mapping[str, Any], prev: bytes) -> str | None:
        if rows_hash(prev, m) != bytes(m["hash"]):
            return "the link does not match its hash (changed)"
        return None

    result = _walk(schema, chain, genesis, rows, check, progress)
    if not result.ok:
        return result
    problem = _state_differs(conn, schema, table, result.length)
    if problem is None:
        return result
    at, what = problem
    return ChainResult(schema, chain, result.length, genesis, result.head, at, what)


def _state_differs(
    conn: Connection, schema: str, table: str, length: int
) -> tuple[int, str] | None:
    """The first contradiction between the table and its chain: (position, what)."""
    s, t, links = sql_name(schema), sql_name(table), sql_name(f"{table}_chain")
    key = (
        "jsonb_build_array("
        + ", ".join(f"to_jsonb(x) -> '{k}'" for k in _primary_key(conn, schema, table))
        + ")::text"
    )
    conn.execute(text("SET LOCAL TimeZone = 'UTC'"))
    conn.execute(text("SET LOCAL extra_float_digits = 1"))
    rows = conn.execute(
        text(
            f"WITH newest AS (SELECT DISTINCT ON (row_key) row_key, position, op, row_digest "
            f"FROM {s}.{links} ORDER BY row_key, position DESC), "
            f"present AS (SELECT {key} AS row_key, to_jsonb(x)::text AS row FROM {s}.{t} x) "
            "SELECT coalesce(n.row_key, p.row_key) AS row_key, n.position, n.op, n.row_digest, "
            "p.row FROM newest n FULL JOIN present p ON p.row_key = n.row_key"
        )
    )
    first: tuple[int, str] | None = None
    for r in rows:
        found: tuple[int, str] | None = None
        if r.position is None:
            found = (length + 1, f"row {r.row_key} is in the table but not in the chain (inserted)")
        elif r.row is None and r.op != "DELETE":
            found = (int(r.position), f"row {r.row_key} is gone from the table (deleted)")
        elif r.row is not None and r.op == "DELETE":
            found = (length + 1, f"row {r.row_key} is back in the table but not in the chain")
        elif r.row is not None and sha256(r.row.encode()).digest() != bytes(r.row_digest):
            found = (int(r.position), f"row {r.row_key} differs from its link (changed)")
        if found is not None and (first is None or found[0] < first[0]):
            first = found
    return first
