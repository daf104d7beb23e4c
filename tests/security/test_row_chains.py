"""The tables that change in place are chained too: intake's status, retention clock and
erasure records, reporting's facts. The services' migrations install the row chains as the
owner roles; every change through any code path (the runtime roles' and the owner's) is
linked; a change made with the triggers off (the superuser) is detected at the link it
contradicts."""

# ruff: noqa: S608 - the SQL names only this test's own tables

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from sqlalchemy import Connection, Engine, MetaData, text

from services.intake.bewaring import bewaring_tables
from services.intake.main import CHAINED
from services.intake.main import migrate as migrate_intake
from services.intake.status import SqlStatusStore, Stadium, Voortgang
from services.reporting.main import CHAINED as REPORTING_CHAINED
from services.reporting.main import migrate as migrate_reporting
from shared import dbroles
from shared.db import make_engine
from shared.security.chain import ChainResult, verify_schema
from shared.security.watch import ChainWatch
from tests.helpers import PG_PASSWORDS, database_credentials
from tests.security.conftest import fresh_database

pytestmark = pytest.mark.integration

Z1, Z2, Z3 = (f"00000000-0000-4000-8000-00000000000{i}" for i in (1, 2, 3))
CHAINS = ("intake", "reporting")  # the services with row chains


@dataclass
class Installed:
    intake: Engine  # the superuser's
    reporting: Engine
    url: str

    def results(self, schema: str, conn: Connection | None = None) -> dict[str, ChainResult]:
        if conn is not None:
            return {r.chain: r for r in verify_schema(conn, schema)}
        engine = self.intake if schema == "intake" else self.reporting
        with engine.connect() as own:
            return {r.chain: r for r in verify_schema(own, schema)}


def _role(url: str, role: str, schema: str) -> Engine:
    return make_engine(dbroles.role_url(url, role, PG_PASSWORDS), schema, pool_size=1)


@pytest.fixture(scope="module")
def installed(postgres_admin_url: str) -> Iterator[Installed]:
    url = fresh_database(postgres_admin_url, "rows")
    database_credentials(url, "intake")  # the roles and schemas, as `knooppunt db setup`
    earlier = _role(url, dbroles.owner_role("intake"), "intake")
    bewaring_tables(tables := MetaData())
    tables.create_all(earlier)
    with earlier.begin() as conn:  # a row from before the chain: linked when it is made
        conn.execute(text("INSERT INTO intake.bewaring VALUES (:z, '2019-01-02', 3)"), {"z": Z3})
    earlier.dispose()
    owner_url = {s: dbroles.role_url(url, dbroles.owner_role(s), PG_PASSWORDS) for s in CHAINS}
    migrate_intake(owner_url["intake"])
    migrate_reporting(owner_url["reporting"])
    # what the services do, as their runtime roles: status upserts, the retention clock, an
    # erasure, facts; and a rebuild of the facts, as reporting's owner (rebuild.py)
    runtime = _role(url, dbroles.runtime_role("intake"), "intake")
    status = SqlStatusStore(runtime, MetaData())
    now = datetime(2019, 5, 1, tzinfo=UTC)
    status.record("stream:VERIFICATION", 1, Voortgang(Z1, Stadium.in_onderzoek, 1, now))
    status.record("stream:VERIFICATION", 2, Voortgang(Z1, Stadium.afgerond, 2, now))
    status.record("stream:VERIFICATION", 3, Voortgang(Z2, Stadium.in_onderzoek, 1, now))
    with runtime.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO intake.bewaring VALUES (:z, '2019-05-01', 2) ON CONFLICT (zaak_id) "
                "DO UPDATE SET afgesloten_op = excluded.afgesloten_op"
            ),
            {"z": Z1},
        )
        conn.execute(
            text("UPDATE intake.bewaring SET afgesloten_op = NULL WHERE zaak_id = :z"), {"z": Z3}
        )
        conn.execute(
            text(
                "INSERT INTO intake.wissingen VALUES (:z, now(), 'verzoek_betrokkene', 'lkha', "
                "'coordinator', 'c.coordinator', NULL)"
            ),
            {"z": Z1},
        )
    runtime.dispose()
    facts = {
        "runtime": _role(url, dbroles.runtime_role("reporting"), "reporting"),
        "rebuild": _role(url, dbroles.owner_role("reporting"), "reporting"),
    }
    for rebuild, engine in enumerate(facts.values()):
        with engine.begin() as conn:
            if rebuild:
                conn.execute(text("DELETE FROM reporting.feiten"))
            for i in range(3):
                conn.execute(
                    text(
                        "INSERT INTO reporting.feiten (source, event_id, zaak_id, event_type, "
                        "contract_version, recorded_at, data, stream, sequence) VALUES "
                        "('intake', :e, :z, 'gemeld', 1, now(), '{\"land\": \"MA\"}', 'INTAKE', :i)"
                    ),
                    {"e": f"{Z1}:{i}", "z": Z1, "i": i + 1},
                )
        engine.dispose()
    intake, reporting = (make_engine(url, s, pool_size=1) for s in CHAINS)
    yield Installed(intake, reporting, url)
    intake.dispose()
    reporting.dispose()


def test_every_change_is_linked_and_the_chains_verify(installed: Installed) -> None:
    intake = installed.results("intake")
    assert all(r.ok for r in intake.values()), [r.describe() for r in intake.values()]
    assert {c: r.length for c, r in intake.items() if c in CHAINED} == {
        "melding_status": 3,  # Z1 inserted, Z1 updated, Z2 inserted
        "bewaring": 3,  # Z3 from before, Z1 inserted, Z3 updated
        "wissingen": 1,
    }
    reporting = installed.results("reporting")
    assert reporting["feiten"].ok and reporting["feiten"].length == 9  # 3 + 3 deleted + 3
    with installed.intake.connect() as conn:
        links = conn.execute(
            text("SELECT op, row_key, db_user FROM intake.bewaring_chain ORDER BY position")
        ).fetchall()
    owner, runtime = dbroles.owner_role("intake"), dbroles.runtime_role("intake")
    assert [(r.op, r.row_key, r.db_user) for r in links] == [
        ("BASELINE", f'["{Z3}"]', owner),  # linked by the migration
        ("INSERT", f'["{Z1}"]', runtime),  # the login that made the change
        ("UPDATE", f'["{Z3}"]', runtime),
    ]


@pytest.mark.parametrize("schema", CHAINS)
def test_the_service_s_watch_verifies_its_row_chains_as_its_runtime_role(
    installed: Installed, schema: str
) -> None:
    engine = _role(installed.url, dbroles.runtime_role(schema), schema)
    try:
        watch = ChainWatch(engine=engine, schema=schema, interval=60)
        assert watch.check_now() == []  # raises if the role may not read what it verifies
    finally:
        engine.dispose()
    chained = CHAINED if schema == "intake" else REPORTING_CHAINED
    assert set(chained) <= set(watch.lengths) and all(watch.lengths[c] for c in chained)


Tamper = Callable[[Connection], None]
CASES: dict[str, tuple[str, str, Tamper, str]] = {
    "status changed": (
        "intake",
        "melding_status",
        lambda c: c.execute(text("UPDATE intake.melding_status SET stadium = 'ontvangen'")),
        "differs from its link",
    ),
    "retention clock moved": (
        "intake",
        "bewaring",
        lambda c: c.execute(text("UPDATE intake.bewaring SET afgesloten_op = '2001-01-01'")),
        "differs from its link",
    ),
    "retention row deleted": (
        "intake",
        "bewaring",
        lambda c: c.execute(text(f"DELETE FROM intake.bewaring WHERE zaak_id = '{Z1}'")),
        "gone from the table",
    ),
    "erasure record removed": (
        "intake",
        "wissingen",
        lambda c: c.execute(text("DELETE FROM intake.wissingen")),
        "gone from the table",
    ),
    "erasure record forged": (
        "intake",
        "wissingen",
        lambda c: c.execute(
            text(
                f"INSERT INTO intake.wissingen VALUES ('{Z2}', now(), 'verzoek_betrokkene', "
                "'lkha', 'coordinator', 'iemand', NULL)"
            )
        ),
        "not in the chain",
    ),
    "a fact changed": (
        "reporting",
        "feiten",
        lambda c: c.execute(text('UPDATE reporting.feiten SET data = \'{"land": "PK"}\'')),
        "differs from its link",
    ),
    "a link changed": (
        "intake",
        "melding_status",
        lambda c: c.execute(
            text("UPDATE intake.melding_status_chain SET op = 'INSERT' WHERE position = 2")
        ),
        "does not match its hash",
    ),
    "the newest link removed": (
        "reporting",
        "feiten",
        lambda c: c.execute(
            text(
                "DELETE FROM reporting.feiten_chain WHERE position = (SELECT max(position) "
                "FROM reporting.feiten_chain)"
            )
        ),
        "not in the chain",
    ),
}


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_a_change_with_the_triggers_off_is_detected(
    installed: Installed, case: tuple[str, str, Tamper, str]
) -> None:
    schema, chain, tamper, problem = case
    engine = installed.intake if schema == "intake" else installed.reporting
    with engine.connect() as conn:
        transaction = conn.begin()
        conn.execute(text("SET LOCAL session_replication_role = replica"))
        tamper(conn)
        results = installed.results(schema, conn)
        transaction.rollback()
    broken = [r for r in results.values() if not r.ok]
    assert [r.chain for r in broken] == [chain], [r.describe() for r in results.values()]
    assert problem in str(broken[0].problem), broken[0].describe()


@pytest.mark.parametrize(
    "statement",
    [
        "TRUNCATE intake.melding_status",
        "TRUNCATE intake.wissingen",
        "UPDATE intake.bewaring_chain SET op = 'x'",
        "DELETE FROM intake.wissingen_chain",
    ],
)
def test_truncate_and_changes_to_the_links_are_refused(
    installed: Installed, statement: str
) -> None:
    with installed.intake.connect() as conn, pytest.raises(Exception, match="append-only"):
        conn.execute(text(statement))


def test_a_link_written_directly_by_another_role_is_refused(installed: Installed) -> None:
    with installed.intake.connect() as conn:
        transaction = conn.begin()
        conn.execute(text("CREATE ROLE linkvervalser NOLOGIN"))
        conn.execute(text("GRANT USAGE ON SCHEMA intake TO linkvervalser"))
        conn.execute(text("GRANT SELECT, INSERT ON intake.wissingen_chain TO linkvervalser"))
        conn.execute(text("SET LOCAL ROLE linkvervalser"))
        with pytest.raises(Exception, match="takes links from its trigger only"):
            conn.execute(
                text(
                    "INSERT INTO intake.wissingen_chain SELECT position + 1, recorded_at, "
                    "db_user, op, row_key, row_digest, hash, hash FROM intake.wissingen_chain"
                )
            )
        transaction.rollback()
