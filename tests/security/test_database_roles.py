"""The roles of the database (shared/dbroles.py, docs/security.md): no connection without a
password; each service runs as a runtime role that can only append to its audit log, event
store and chains, cannot disable their triggers, cannot reach another service's schema, and
cannot change a chain's genesis; not even the owner can change the genesis."""

# ruff: noqa: S608 - the names in the SQL are the tests' own constants

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest
from psycopg import errors

from services.intake.main import CHAINED as intake_chained
from services.intake.main import create_app as intake_app
from services.intake.settings import IntakeSettings
from services.reporting.main import CHAINED as reporting_chained
from shared import dbroles
from shared.security.rowchain import links_table
from tests.helpers import PG_PASSWORDS, auth_headers, key_service, melding, serving
from tests.security.conftest import SERVICES, System, fresh_database, settings_for

pytestmark = pytest.mark.integration

#: Each service's event store (reporting has none: its facts are copies of the streams).
EVENTS = {
    "intake": "intakeapplication_events",
    "verification": "verificationapplication_events",
    "consular": "consularapplication_events",
}
APPEND_ONLY = ("audit_log", "checkpoints", "chains")
#: The tables each service changes in place, every change linked in `<table>_chain`
#: (shared/security/rowchain.py): the runtime role may change them, never their links.
ROW_CHAINED = {"intake": intake_chained, "reporting": reporting_chained}
#: A column of each table to overwrite.
COLUMN = {"chains": "genesis", "audit_log": "hash", "event_chain": "hash", "checkpoints": "payload"}
COLUMN.update({links_table(t): "row_digest" for ts in ROW_CHAINED.values() for t in ts})


def _tables(service: str) -> list[str]:
    return [
        *APPEND_ONLY,
        *(["event_chain", EVENTS[service]] if service in EVENTS else []),
        *(links_table(table) for table in ROW_CHAINED.get(service, ())),
    ]


def _as(system: System, role: str) -> psycopg.Connection[tuple[object, ...]]:
    return psycopg.connect(dbroles.role_url(system.database_url, role, PG_PASSWORDS))


@pytest.fixture(scope="module")
async def stored(system: System) -> System:
    """A melding stored and seen by every service, so every table has rows to attack."""
    response = await system.clients["intake"].post(
        "/v1/meldingen",
        json=melding(),
        headers={**auth_headers(), "Idempotency-Key": f"rollen-{uuid.uuid4().hex}"},
    )
    assert response.status_code == 201, response.text
    return system


def _refused(conn: psycopg.Connection[tuple[object, ...]], statement: str) -> str:
    """Run `statement`; it must be refused. Returns PostgreSQL's message."""
    with pytest.raises(errors.Error) as refused:
        conn.execute(statement)
    conn.rollback()
    return str(refused.value)


@pytest.mark.skipif(bool(os.environ.get("DATABASE_URL")), reason="the tests' own server only")
def test_a_connection_without_the_password_is_refused(postgres_admin_url: str) -> None:
    parts = urlsplit(postgres_admin_url)
    host = f"{parts.hostname}:{parts.port}"
    for netloc in (f"postgres@{host}", f"postgres:wrong@{host}", f"knooppunt_intake@{host}"):
        with pytest.raises(psycopg.OperationalError, match="password"):
            psycopg.connect(urlunsplit(parts._replace(netloc=netloc)), connect_timeout=5)
    with psycopg.connect(postgres_admin_url) as conn:
        methods = conn.execute("SELECT DISTINCT auth_method FROM pg_hba_file_rules").fetchall()
    assert methods == [("scram-sha-256",)]


@pytest.mark.parametrize("service", SERVICES)
def test_each_service_runs_as_its_own_runtime_role(stored: System, service: str) -> None:
    engine = stored.apps[service].state.runtime.engine
    with engine.connect() as conn:
        role = conn.exec_driver_sql("SELECT current_user").scalar()
        superuser = conn.exec_driver_sql(
            "SELECT rolsuper FROM pg_roles WHERE rolname = current_user"
        ).scalar()
    assert role == dbroles.runtime_role(service)
    assert superuser is False


@pytest.mark.parametrize("service", SERVICES)
def test_the_runtime_role_cannot_change_or_remove_what_its_service_stored(
    stored: System, service: str
) -> None:
    with _as(stored, dbroles.runtime_role(service)) as conn:
        for table in _tables(service):
            t = f'"{service}"."{table}"'
            assert conn.execute(f"SELECT count(*) FROM {t}").fetchone() is not None
            for statement in (
                f"UPDATE {t} SET {COLUMN.get(table, 'state')} = NULL",
                f"DELETE FROM {t}",
                f"TRUNCATE {t}",
                f"ALTER TABLE {t} DISABLE TRIGGER ALL",
                f"DROP TABLE {t}",
            ):
                message = _refused(conn, statement)
                assert "permission denied" in message or "must be owner" in message, statement
            conn.rollback()


def test_reporting_s_runtime_role_adds_sign_outs_and_cannot_take_one_back(stored: System) -> None:
    """The pages' sign-outs (revoked_sessions): reporting's migration made the table as the
    owner; the running service may add and read a sign-out, never change or drop one."""
    t = '"reporting"."revoked_sessions"'
    session = f"test-{uuid.uuid4().hex}"
    with _as(stored, dbroles.runtime_role("reporting")) as conn:
        conn.execute(
            f"INSERT INTO {t} (session_id, expires_at) VALUES (%s, now() + interval '1 hour')",
            (session,),
        )
        conn.commit()
        found = conn.execute(f"SELECT count(*) FROM {t} WHERE session_id = %s", (session,))
        assert found.fetchone() == (1,)
        for statement in (
            f"UPDATE {t} SET session_id = 'terug' WHERE session_id = '{session}'",
            f"DELETE FROM {t} WHERE session_id = '{session}'",
            f"TRUNCATE {t}",
            f"DROP TABLE {t}",
        ):
            message = _refused(conn, statement)
            assert "permission denied" in message or "must be owner" in message, statement
    with _as(stored, dbroles.owner_role("reporting")) as conn:
        owner = conn.execute(
            "SELECT tableowner FROM pg_tables WHERE schemaname = 'reporting' "
            "AND tablename = 'revoked_sessions'"
        ).fetchone()
    assert owner == (dbroles.owner_role("reporting"),)


@pytest.mark.parametrize("service", sorted(ROW_CHAINED))
def test_the_runtime_role_cannot_unlink_the_tables_it_changes(stored: System, service: str) -> None:
    """The tables a service changes in place stay chained: their links are written by the
    trigger only, which the runtime role can neither switch off nor drop nor skip."""
    with _as(stored, dbroles.runtime_role(service)) as conn:
        for table in ROW_CHAINED[service]:
            t, links = f'"{service}"."{table}"', f'"{service}"."{links_table(table)}"'
            assert conn.execute(f"SELECT count(*) FROM {links}").fetchone() is not None
            for statement in (
                f"TRUNCATE {t}",
                f"ALTER TABLE {t} DISABLE TRIGGER ALL",
                f'ALTER TABLE {t} DISABLE TRIGGER "{links_table(table)}"',
                f'DROP TRIGGER "{links_table(table)}" ON {t}',
                f"INSERT INTO {links} SELECT * FROM {links} LIMIT 1",
                f'ALTER TABLE {links} DISABLE TRIGGER "{links_table(table)}_guard"',
            ):
                message = _refused(conn, statement)
                assert "permission denied" in message or "must be owner" in message, statement
            conn.rollback()


@pytest.mark.parametrize("service", SERVICES)
def test_the_runtime_role_cannot_reach_another_service_s_schema_or_create_anything(
    stored: System, service: str
) -> None:
    with _as(stored, dbroles.runtime_role(service)) as conn:
        for other in SERVICES:
            if other == service:
                continue
            message = _refused(conn, f'SELECT * FROM "{other}".audit_log')
            assert "permission denied for schema" in message
        for schema in ("public", service):
            message = _refused(conn, f'CREATE TABLE "{schema}".smokkel (x int)')
            assert "permission denied for schema" in message
        assert "permission denied" in _refused(
            conn, f"INSERT INTO \"{service}\".chains VALUES ('nep', 'audit_log', '\\x00')"
        )


@pytest.mark.parametrize("service", SERVICES)
def test_not_even_the_owner_changes_a_chain_s_genesis(stored: System, service: str) -> None:
    with _as(stored, dbroles.owner_role(service)) as conn:
        for statement in (
            f"UPDATE \"{service}\".chains SET genesis = sha256('nep')",
            f'DELETE FROM "{service}".chains',
            f'TRUNCATE "{service}".chains',
        ):
            assert "append-only" in _refused(conn, statement), statement


def test_the_auditor_reads_every_schema_and_changes_nothing(stored: System) -> None:
    with _as(stored, dbroles.AUDITOR) as conn:
        for service in SERVICES:
            count = conn.execute(f'SELECT count(*) FROM "{service}".audit_log').fetchone()
            assert count is not None  # reading is allowed
            message = _refused(conn, f"INSERT INTO \"{service}\".audit_log (service) VALUES ('x')")
            assert "permission denied" in message


@pytest.fixture
def superuser_settings(stored: System) -> Iterator[IntakeSettings]:
    base = settings_for("intake", stored.database_url, "nats://127.0.0.1:1")
    yield IntakeSettings(
        **key_service("intake"),
        **{**base, "database_url": stored.database_url, "database_owner_url": None},
    )


async def test_a_service_refuses_to_serve_as_a_superuser_or_as_the_owner(
    stored: System, superuser_settings: IntakeSettings
) -> None:
    with pytest.raises(RuntimeError, match="a superuser"):
        async with serving(intake_app(superuser_settings)):
            pass
    owner = dbroles.role_url(stored.database_url, dbroles.owner_role("intake"), PG_PASSWORDS)
    as_owner = superuser_settings.model_copy(update={"database_url": owner})
    with pytest.raises(RuntimeError, match="the owner of schema intake"):
        async with serving(intake_app(as_owner)):
            pass


def test_the_set_up_hands_what_the_superuser_made_earlier_to_the_owner(
    postgres_admin_url: str,
) -> None:
    """A database from before the roles (everything the superuser's) is taken over."""
    url = fresh_database(postgres_admin_url, "oud")
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("CREATE SCHEMA intake")
        conn.execute("CREATE TABLE intake.audit_log (position bigint)")
        conn.execute("CREATE FUNCTION intake.f() RETURNS int LANGUAGE sql AS 'SELECT 1'")
    dbroles.provision(url, PG_PASSWORDS)
    with psycopg.connect(url) as conn:
        owners = conn.execute(
            "SELECT tableowner FROM pg_tables WHERE schemaname = 'intake' UNION "
            "SELECT p.proowner::regrole::text FROM pg_proc p "
            "JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'intake'"
        ).fetchall()
    assert owners == [(dbroles.owner_role("intake"),)]
