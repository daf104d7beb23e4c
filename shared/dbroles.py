"""The roles of the database: per service an owner and a runtime role, and a read-only one.

- `knooppunt_<service>_owner` owns the service's schema and everything in it. Only the
  migration (`migrate_schema`: tables, the event store, triggers, chains) logs in as it.
- `knooppunt_<service>` is the running service: USAGE on its own schema only (none on
  another service's, none on `public`), SELECT and INSERT on its tables, UPDATE only on the
  tables its migration names (positions, counters, state), MAINTAIN where it must lock or
  vacuum a table. The chains (their genesis) and the links of the row chains
  (`<table>_chain`, written by their SECURITY DEFINER trigger) it may only read. Never
  UPDATE, DELETE or TRUNCATE on the event store, the audit log, the chains' links or the
  checkpoints; not being the owner it cannot ALTER TABLE ... DISABLE TRIGGER (nor drop the
  row chains' triggers on the tables it may change).
- `knooppunt_auditor` may read every service's schema (`knooppunt audit verify`).

`provision(admin_url, passwords)` makes the roles and the schemas (as an administrator,
idempotently, also on an external server); `migrate_schema` runs as the service's owner.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Collection, Mapping
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit

import psycopg
from eventsourcing.application import Application
from eventsourcing.persistence import InfrastructureFactory
from eventsourcing.utils import Environment
from psycopg import sql
from sqlalchemy import Connection, Engine, MetaData, text

from shared.db import ensure_schema, make_engine
from shared.eventstore import postgres_env
from shared.parking import parked_table
from shared.security.chain import install_chains
from shared.security.rowchain import install_row_chains, links_table

SERVICES = ("intake", "verification", "consular", "reporting")
SUPERUSER = "postgres"
AUDITOR = "knooppunt_auditor"
#: Tables only ever appended to (and the chains, only read): no UPDATE for the runtime role.
APPEND_ONLY = ("audit_log", "event_chain", "checkpoints", "chains")


def owner_role(service: str) -> str:
    return f"knooppunt_{service}_owner"


def runtime_role(service: str) -> str:
    return f"knooppunt_{service}"


def login_roles() -> list[str]:
    """Every role the set-up makes, the auditor's last."""
    return [r for s in SERVICES for r in (owner_role(s), runtime_role(s))] + [AUDITOR]


def new_passwords() -> dict[str, str]:
    """A random password for the superuser of a local server and for every role."""
    return {role: secrets.token_urlsafe(32) for role in (SUPERUSER, *login_roles())}


def with_credentials(url: str, user: str, password: str) -> str:
    """`url` (postgresql://...) logging in as `user` with `password`."""
    parts = urlsplit(url)
    host = parts.hostname or "127.0.0.1"
    port = f":{parts.port}" if parts.port else ""
    netloc = f"{quote(user, safe='')}:{quote(password, safe='')}@{host}{port}"
    return urlunsplit(parts._replace(netloc=netloc))


def role_url(url: str, role: str, passwords: Mapping[str, str]) -> str:
    return with_credentials(url, role, passwords[role])


def _ident(*names: str) -> sql.Composable:
    return sql.SQL(", ").join(sql.Identifier(n) for n in names)


def provision(admin_url: str, passwords: Mapping[str, str]) -> None:
    """Make (or update) every role with its password, and each service's schema owned by its
    owner role, in the database of `admin_url` (a role allowed to create roles)."""
    with psycopg.connect(admin_url, autocommit=True) as conn:
        for role in login_roles():
            exists = conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,)).fetchone()
            conn.execute(
                sql.SQL(
                    "{verb} ROLE {role} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT "
                    "NOREPLICATION NOBYPASSRLS PASSWORD {password}"
                ).format(
                    verb=sql.SQL("ALTER" if exists else "CREATE"),
                    role=sql.Identifier(role),
                    password=sql.Literal(passwords[role]),
                )
            )
        database = sql.Identifier(conn.info.dbname)
        conn.execute(sql.SQL("REVOKE ALL ON DATABASE {} FROM PUBLIC").format(database))
        conn.execute(
            sql.SQL("GRANT CONNECT ON DATABASE {} TO {}").format(database, _ident(*login_roles()))
        )
        conn.execute("REVOKE ALL ON SCHEMA public FROM PUBLIC")
        for service in SERVICES:
            _own_schema(conn, service)


def _own_schema(conn: psycopg.Connection[tuple[object, ...]], service: str) -> None:
    schema, owner = sql.Identifier(service), sql.Identifier(owner_role(service))
    conn.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {} AUTHORIZATION {}").format(schema, owner))
    conn.execute(sql.SQL("ALTER SCHEMA {} OWNER TO {}").format(schema, owner))
    # Objects made before the roles existed (by the superuser) go to the owner too.
    foreign = conn.execute(
        """SELECT c.relname, c.relkind FROM pg_class c JOIN pg_namespace n
             ON n.oid = c.relnamespace
           WHERE n.nspname = %s AND c.relkind IN ('r', 'p', 'v', 'm')
             AND c.relowner <> n.nspowner""",
        (service,),
    ).fetchall()
    for name, _ in foreign:
        conn.execute(
            sql.SQL("ALTER TABLE {}.{} OWNER TO {}").format(
                schema, sql.Identifier(str(name)), owner
            )
        )
    functions = conn.execute(
        """SELECT p.oid::regprocedure::text FROM pg_proc p JOIN pg_namespace n
             ON n.oid = p.pronamespace WHERE n.nspname = %s AND p.proowner <> n.nspowner""",
        (service,),
    ).fetchall()
    for (signature,) in functions:
        function = sql.SQL(str(signature))  # regprocedure's text: quoted where it must be
        conn.execute(sql.SQL("ALTER FUNCTION {} OWNER TO {}").format(function, owner))
    conn.execute(sql.SQL("REVOKE ALL ON SCHEMA {} FROM PUBLIC").format(schema))
    conn.execute(
        sql.SQL("GRANT USAGE ON SCHEMA {} TO {}").format(
            schema, _ident(runtime_role(service), AUDITOR)
        )
    )


def create_event_store(owner_url: str, schema: str, application: type[Application[Any]]) -> str:
    """Create an eventsourcing application's tables (as the owner); their events table."""
    env = Environment(application.name, {**postgres_env(owner_url, schema, pool_size=1)})
    env["CREATE_TABLE"] = "y"
    factory = InfrastructureFactory.construct(env)
    try:
        recorder = factory.process_recorder()
        return str(getattr(recorder, "events_table_name"))  # noqa: B009 - not on the protocol
    finally:
        factory.close()


def migrate_schema(
    owner_url: str,
    schema: str,
    *,
    metadata: MetaData,
    application: type[Application[Any]] | None = None,
    updates: Collection[str] = (),
    maintain: Collection[str] = (),
    chained: Collection[str] = (),
    extra: Callable[[Engine], None] | None = None,
) -> None:
    """Create (idempotently) a service's tables, event store, audit log and chains as its
    owner role, then give its runtime role what it needs and no more: SELECT and INSERT,
    UPDATE on `updates` (and on `positions` and the event store's tracking table), MAINTAIN
    on `maintain` (and the events table, which eventsourcing locks when it inserts). Every
    change of the tables `chained` is linked by a row trigger (shared/security/rowchain.py)."""
    engine = make_engine(owner_url, schema, pool_size=1)
    try:
        ensure_schema(engine, schema)
        parked_table(metadata)  # every service's consumers park into it (shared/parking.py)
        metadata.create_all(engine)
        if extra is not None:
            extra(engine)
        events = None
        if application is not None:
            events = create_event_store(owner_url, schema, application)
        with engine.begin() as conn:
            install_chains(conn, schema, events)
            install_row_chains(conn, schema, chained)
            tracking = [f"{application.name.lower()}_tracking"] if application else []
            grant_runtime(
                conn,
                schema,
                updates=[*updates, "positions", "parked_messages", *tracking],
                maintain=[*maintain, *([events] if events else [])],
                links=[links_table(t) for t in chained],
            )
    finally:
        engine.dispose()


def grant_runtime(
    conn: Connection,
    schema: str,
    *,
    updates: Collection[str],
    maintain: Collection[str],
    links: Collection[str] = (),
) -> None:
    """The runtime role's privileges on the tables of `schema` (reset each migration).
    `links`: the row chains' link tables, only read (their trigger writes them as the owner)."""
    s, runtime = f'"{schema}"', f'"{runtime_role(schema)}"'
    existing = set(
        conn.execute(
            text("SELECT tablename FROM pg_tables WHERE schemaname = :s"), {"s": schema}
        ).scalars()
    )
    statements = [
        f"REVOKE ALL ON ALL TABLES IN SCHEMA {s} FROM PUBLIC, {runtime}",
        f"GRANT SELECT, INSERT ON ALL TABLES IN SCHEMA {s} TO {runtime}",
        f"REVOKE INSERT ON {s}.chains FROM {runtime}",
        *(f'REVOKE INSERT ON {s}."{table}" FROM {runtime}' for table in sorted(links)),
        f"GRANT USAGE ON ALL SEQUENCES IN SCHEMA {s} TO {runtime}",
        f"REVOKE ALL ON ALL FUNCTIONS IN SCHEMA {s} FROM PUBLIC",
        f"GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA {s} TO {runtime}",
        f'GRANT SELECT ON ALL TABLES IN SCHEMA {s} TO "{AUDITOR}"',
    ]
    for table in sorted(set(updates) & existing - set(APPEND_ONLY) - set(links)):
        statements.append(f'GRANT UPDATE ON {s}."{table}" TO {runtime}')
    for table in sorted(set(maintain) & existing):
        statements.append(f'GRANT MAINTAIN ON {s}."{table}" TO {runtime}')
    for statement in statements:
        conn.exec_driver_sql(statement)


def refuse_privileged(engine: Engine, schema: str) -> None:
    """Refuse to serve as a superuser or as a role that owns (or may act as the owner of)
    the service's schema: the running service logs in as its runtime role."""
    with engine.connect() as conn:
        row = conn.execute(
            text(
                "SELECT current_user AS role, r.rolsuper, n.oid IS NOT NULL AS migrated, "
                "coalesce(pg_has_role(current_user, n.nspowner, 'USAGE'), false) AS owner "
                "FROM pg_roles r LEFT JOIN pg_namespace n ON n.nspname = :s "
                "WHERE r.rolname = current_user"
            ),
            {"s": schema},
        ).one()
    if row.rolsuper or row.owner:
        what = "a superuser" if row.rolsuper else f"the owner of schema {schema}"
        raise RuntimeError(
            f"DATABASE_URL logs in as {row.role}, {what}: a service runs as its runtime role "
            f"{runtime_role(schema)} (docs/operations.md, 'Database roles')"
        )
    if not row.migrated:
        raise RuntimeError(
            f"schema {schema} does not exist: run `knooppunt db setup` and `knooppunt db "
            "migrate`, or give the service DATABASE_OWNER_URL (docs/operations.md)"
        )
