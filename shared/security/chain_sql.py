"""The SQL that makes the chains in a service's schema: tables, the triggers that link every
insert (under an advisory lock, in the inserting transaction), and the append-only triggers.

`shared/security/chain.py` installs it and verifies the result in Python. The append-only
trigger counts every change it refuses in a sequence (`<table>_refused`) before it raises:
a sequence is not rolled back with the refused transaction, so the service's watch
(`shared/security/watch.py`) sees each attempt and raises an alarm.
"""

# ruff: noqa: S608 - identifiers in the SQL are checked by sql_name(); values are bound

from __future__ import annotations

import re

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


def sql_name(name: str) -> str:
    """A schema or table name, quoted, after checking it is a plain identifier."""
    if not _NAME.match(name):
        raise ValueError(f"not a plain SQL identifier: {name!r}")
    return f'"{name}"'


def audit_sql(s: str) -> str:
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


def base_sql(s: str) -> str:
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
CREATE OR REPLACE FUNCTION {s}.append_only() RETURNS trigger LANGUAGE plpgsql
  SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $body$
BEGIN
  -- Count the attempt first: a sequence is not rolled back with the refused transaction.
  PERFORM nextval((quote_ident(TG_TABLE_SCHEMA) || '.'
    || quote_ident(TG_TABLE_NAME || '_refused'))::regclass);
  RAISE EXCEPTION USING MESSAGE = TG_TABLE_SCHEMA || '.' || TG_TABLE_NAME
    || ' is append-only: ' || TG_OP || ' refused';
END $body$;
CREATE OR REPLACE FUNCTION {s}.refused_changes() RETURNS TABLE (table_name text, refused bigint)
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $body$
  SELECT left(sequencename, -length('_refused')), coalesce(last_value, 0) FROM pg_sequences
   WHERE schemaname = '{s.strip(chr(34))}' AND right(sequencename, 8) = '_refused'
$body$;
"""


def append_only_sql(s: str, table: str) -> str:
    """Refuse UPDATE, DELETE and TRUNCATE on a table, counting each refusal."""
    name = table.strip('"')
    return f"""
CREATE SEQUENCE IF NOT EXISTS {s}.{sql_name(name + "_refused")};
CREATE OR REPLACE TRIGGER {name}_append_only BEFORE UPDATE OR DELETE ON {s}.{table}
  FOR EACH ROW EXECUTE FUNCTION {s}.append_only();
CREATE OR REPLACE TRIGGER {name}_no_truncate BEFORE TRUNCATE ON {s}.{table}
  FOR EACH STATEMENT EXECUTE FUNCTION {s}.append_only();
"""


def event_sql(s: str, t: str) -> str:
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
-- A store from before the chain: link its events once, when the chain is made. Never later:
-- an event stored while the trigger was off would be made legitimate by a restart.
DO $body$
DECLARE r record;
BEGIN
  IF EXISTS (SELECT 1 FROM {s}.event_chain) THEN
    RETURN;
  END IF;
  FOR r IN SELECT e.* FROM {s}.{t} e ORDER BY e.notification_id LOOP
    PERFORM {s}.event_append(r.notification_id, r.originator_id::text,
      r.originator_version, r.topic, r.state);
  END LOOP;
END $body$;
CREATE OR REPLACE TRIGGER event_link AFTER INSERT ON {s}.{t}
  FOR EACH ROW EXECUTE FUNCTION {s}.event_link();
"""
