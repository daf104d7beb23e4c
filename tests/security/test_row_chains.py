"""The tables that change in place are chained too: intake's status, retention clock and
erasure records, reporting's facts. Every change through any code path is linked; a change
made with the triggers off (the superuser) is detected at the link it contradicts."""

# ruff: noqa: S608 - the SQL names only this test's own tables

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from sqlalchemy import Connection, Engine, MetaData, text

from services.intake.bewaring import bewaring_tables
from services.intake.main import CHAINED
from services.intake.status import SqlStatusStore, Stadium, Voortgang
from services.reporting.store import metadata as reporting_metadata
from shared.db import ensure_schema, make_engine
from shared.security.chain import ChainResult, install_chains, verify_schema
from shared.security.rowchain import install_row_chains
from tests.security.conftest import fresh_database

pytestmark = pytest.mark.integration

Z1, Z2, Z3 = (f"00000000-0000-4000-8000-00000000000{i}" for i in (1, 2, 3))


@dataclass
class Installed:
    intake: Engine
    reporting: Engine

    def results(self, schema: str, conn: Connection | None = None) -> dict[str, ChainResult]:
        if conn is not None:
            return {r.chain: r for r in verify_schema(conn, schema)}
        engine = self.intake if schema == "intake" else self.reporting
        with engine.connect() as own:
            return {r.chain: r for r in verify_schema(own, schema)}


def _install(engine: Engine, schema: str, tables: tuple[str, ...]) -> None:
    with engine.begin() as conn:
        install_chains(conn, schema, None)
        install_row_chains(conn, schema, tables)


@pytest.fixture(scope="module")
def installed(postgres_admin_url: str) -> Iterator[Installed]:
    url = fresh_database(postgres_admin_url, "rows")
    intake = make_engine(url, "intake", pool_size=1)
    ensure_schema(intake, "intake")
    metadata = MetaData()
    status = SqlStatusStore(intake, metadata)
    bewaring_tables(metadata)
    metadata.create_all(intake)
    with intake.begin() as conn:  # a row from before the chain: linked when it is made
        conn.execute(text("INSERT INTO intake.bewaring VALUES (:z, '2019-01-02', 3)"), {"z": Z3})
    _install(intake, "intake", CHAINED)
    reporting = make_engine(url, "reporting", pool_size=1)
    ensure_schema(reporting, "reporting")
    reporting_metadata.create_all(reporting)
    _install(reporting, "reporting", ("feiten",))
    # what the services do: status upserts, the retention clock, an erasure, facts and a rebuild
    now = datetime(2019, 5, 1, tzinfo=UTC)
    status.record("stream:VERIFICATION", 1, Voortgang(Z1, Stadium.in_onderzoek, 1, now))
    status.record("stream:VERIFICATION", 2, Voortgang(Z1, Stadium.afgerond, 2, now))
    status.record("stream:VERIFICATION", 3, Voortgang(Z2, Stadium.in_onderzoek, 1, now))
    with intake.begin() as conn:
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
    with reporting.begin() as conn:
        for rebuild in range(2):
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
    yield Installed(intake, reporting)
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
    assert [(r.op, r.row_key) for r in links] == [
        ("BASELINE", f'["{Z3}"]'),
        ("INSERT", f'["{Z1}"]'),
        ("UPDATE", f'["{Z3}"]'),
    ]
    assert all(r.db_user for r in links)


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
