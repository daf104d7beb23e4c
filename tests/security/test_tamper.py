"""Tampering with the audit log or the event store directly in PostgreSQL is detected, and
located: a few hundred random changes, deletions and reorderings per run.

Each round disables the triggers the way a database superuser could (session_replication_role
= replica), changes the rows, runs the verification in the same transaction and rolls back.
A removed tail leaves a valid but shorter chain: the signed checkpoint catches that.
"""

# ruff: noqa: S608 - the SQL names only this test's own tables

from __future__ import annotations

import os
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Connection, Engine, text
from typer.testing import CliRunner

from deploy.cli import app as cli
from services.intake.application import InMemoryReferenties, IntakeApplication
from shared.context import Actor
from shared.crypto import InMemoryCaseKeys
from shared.db import ensure_schema, make_engine
from shared.eventstore import postgres_env
from shared.security.audit import AuditEntry, AuditLog, audited_env
from shared.security.chain import install_chains
from shared.security.checkpoints import (
    Checkpoint,
    CheckpointWriter,
    export,
    load_signing_key,
    public_pem,
    stored_checkpoints,
)
from shared.security.verify import Report, verify_database
from tests.helpers import melding
from tests.security.conftest import CHECKPOINT_KEYS, TRUSTED, fresh_database

pytestmark = pytest.mark.integration

ROUNDS = int(os.environ.get("TAMPER_ROUNDS", "300"))
SEED = int(os.environ.get("TAMPER_SEED", str(random.randrange(2**32))))
S = "intake"
TEXT_COLUMNS = ("action", "object", "decision", "result", "origin", "actor_org", "actor_user")


@dataclass
class Store:
    engine: Engine
    database_url: str
    events_table: str
    audit_length: int
    event_length: int


def _verzoek(i: int) -> dict[str, Any]:
    body = melding(land=random.Random(i).choice(["MA", "PK", "SO", "IQ"]))
    body["gemeld_op"] = date(2018, 1 + i % 12, 1 + i % 28)
    return body


@pytest.fixture(scope="module")
def store(postgres_admin_url: str) -> Iterator[Store]:
    """Intake's schema with ~60 events and ~80 audit records, both chained, and a checkpoint."""
    database_url = fresh_database(postgres_admin_url, "tamper")
    engine = make_engine(database_url, S, pool_size=2)
    ensure_schema(engine, S)
    intake = IntakeApplication(
        audited_env(postgres_env(database_url, S)),
        cipher=InMemoryCaseKeys(),
        referenties=InMemoryReferenties(),
        vandaag=lambda: date(2019, 6, 30),
    )
    table = intake.recorder.events_table_name
    with engine.begin() as conn:
        install_chains(conn, S, table)
    log = AuditLog(engine, S)
    for i in range(30):
        gemeld = intake.meld(melder_org="vt", idempotency_key=f"k-{i:04d}", verzoek=_verzoek(i))
        intake.corrigeer(
            gemeld.zaak_id, wijzigingen={"land": "SD"}, reden="land", datum=date(2019, 1, 2)
        )
        for j in range(2 + i % 2):
            log.write(
                AuditEntry(
                    service=S,
                    action=random.Random(i * 10 + j).choice(["get_melding", "corrigeer", "meld"]),
                    decision="allowed" if j else "refused",
                    object=f"/v1/meldingen/{gemeld.zaak_id}",
                    zaak_id=str(gemeld.zaak_id),
                    result="200",
                    origin="10.0.0.7",
                    actor=Actor(org="lkha", rol="coordinator", user=f"u{i}"),
                    trace_id=f"{i:032x}",
                    doel="verificatie" if j == 1 else None,
                    personal_data=j == 1,
                )
            )
    CheckpointWriter(
        engine=engine, schema=S, key=load_signing_key(CHECKPOINT_KEYS[S]), interval=60
    ).write_now()
    intake.close()
    with engine.connect() as conn:
        audit_length = int(conn.execute(text(f"SELECT count(*) FROM {S}.audit_log")).scalar_one())
        event_length = int(conn.execute(text(f"SELECT count(*) FROM {S}.event_chain")).scalar_one())
    yield Store(engine, database_url, table, audit_length, event_length)
    engine.dispose()


def _swap(conn: Connection, table: str, key: str, a: int, b: int, columns: str) -> None:
    """Exchange the `columns` of two rows (a reordering that keeps the keys)."""
    conn.execute(
        text(
            f"UPDATE {S}.{table} t SET ({columns}) = (SELECT {columns} FROM {S}.{table} "
            f"WHERE {key} = CASE WHEN t.{key} = :a THEN :b ELSE :a END) "
            f"WHERE {key} IN (:a, :b)"
        ),
        {"a": a, "b": b},
    )


def _renumber(conn: Connection, table: str, key: str, a: int, b: int) -> None:
    """Exchange the keys of two rows (moves each record to the other's place)."""
    for old, new in ((a, -1), (b, a), (-1, b)):
        conn.execute(
            text(f"UPDATE {S}.{table} SET {key} = :n WHERE {key} = :o"), {"n": new, "o": old}
        )


def _nid(conn: Connection, position: int) -> int:
    return int(
        conn.execute(
            text(f"SELECT notification_id FROM {S}.event_chain WHERE position = :p"),
            {"p": position},
        ).scalar_one()
    )


#: A mutation changes the rows and says which chain must break at which position.
Mutation = Callable[[Connection, random.Random, Store], tuple[str, int, str]]


def change_audit_value(conn: Connection, rng: random.Random, store: Store) -> tuple[str, int, str]:
    p, column = rng.randint(1, store.audit_length), rng.choice(TEXT_COLUMNS)
    conn.execute(
        text(
            f"UPDATE {S}.audit_log SET {column} = coalesce({column}, '') || 'x' WHERE position = :p"
        ),
        {"p": p},
    )
    return "audit", p, f"changed {column} of audit record {p}"


def change_audit_time(conn: Connection, rng: random.Random, store: Store) -> tuple[str, int, str]:
    p = rng.randint(1, store.audit_length)
    conn.execute(
        text(
            f"UPDATE {S}.audit_log SET recorded_at = recorded_at - interval '1 microsecond' "
            "WHERE position = :p"
        ),
        {"p": p},
    )
    return "audit", p, f"moved the time of audit record {p}"


def hide_personal_data_read(
    conn: Connection, rng: random.Random, store: Store
) -> tuple[str, int, str]:
    p = rng.randint(1, store.audit_length)
    conn.execute(
        text(f"UPDATE {S}.audit_log SET personal_data = NOT personal_data WHERE position = :p"),
        {"p": p},
    )
    return "audit", p, f"flipped personal_data of audit record {p}"


def delete_audit_record(conn: Connection, rng: random.Random, store: Store) -> tuple[str, int, str]:
    p = rng.randint(1, store.audit_length)
    conn.execute(text(f"DELETE FROM {S}.audit_log WHERE position = :p"), {"p": p})
    return "audit", p, f"deleted audit record {p}"


def swap_audit_records(conn: Connection, rng: random.Random, store: Store) -> tuple[str, int, str]:
    a, b = sorted(rng.sample(range(1, store.audit_length + 1), 2))
    _swap(conn, "audit_log", "position", a, b, "action, actor_user, recorded_at, result")
    return "audit", a, f"swapped the contents of audit records {a} and {b}"


def reorder_audit_records(
    conn: Connection, rng: random.Random, store: Store
) -> tuple[str, int, str]:
    a, b = sorted(rng.sample(range(1, store.audit_length + 1), 2))
    _renumber(conn, "audit_log", "position", a, b)
    return "audit", a, f"exchanged the positions of audit records {a} and {b}"


def flip_event_byte(conn: Connection, rng: random.Random, store: Store) -> tuple[str, int, str]:
    p = rng.randint(1, store.event_length)
    n = _nid(conn, p)
    length = int(
        conn.execute(
            text(f"SELECT length(state) FROM {S}.{store.events_table} WHERE notification_id = :n"),
            {"n": n},
        ).scalar_one()
    )
    i = rng.randrange(length)
    conn.execute(
        text(
            f"UPDATE {S}.{store.events_table} SET state = set_byte(state, :i, "
            "(get_byte(state, :i) + 1) % 256) WHERE notification_id = :n"
        ),
        {"i": i, "n": n},
    )
    return "events", p, f"changed byte {i} of event {n}"


def change_event_version(
    conn: Connection, rng: random.Random, store: Store
) -> tuple[str, int, str]:
    p = rng.randint(1, store.event_length)
    conn.execute(
        text(
            f"UPDATE {S}.{store.events_table} SET originator_version = originator_version + 100 "
            "WHERE notification_id = :n"
        ),
        {"n": _nid(conn, p)},
    )
    return "events", p, f"renumbered the version of the event at {p}"


def delete_event(conn: Connection, rng: random.Random, store: Store) -> tuple[str, int, str]:
    p = rng.randint(1, store.event_length)
    conn.execute(
        text(f"DELETE FROM {S}.{store.events_table} WHERE notification_id = :n"),
        {"n": _nid(conn, p)},
    )
    return "events", p, f"deleted the event at {p}"


def delete_link(conn: Connection, rng: random.Random, store: Store) -> tuple[str, int, str]:
    p = rng.randint(1, store.event_length)
    conn.execute(text(f"DELETE FROM {S}.event_chain WHERE position = :p"), {"p": p})
    return "events", p, f"deleted link {p} of the event chain"


def swap_event_states(conn: Connection, rng: random.Random, store: Store) -> tuple[str, int, str]:
    a, b = sorted(rng.sample(range(1, store.event_length + 1), 2))
    _swap(conn, store.events_table, "notification_id", _nid(conn, a), _nid(conn, b), "state")
    return "events", a, f"swapped the stored states of the events at {a} and {b}"


def reorder_events(conn: Connection, rng: random.Random, store: Store) -> tuple[str, int, str]:
    a, b = sorted(rng.sample(range(1, store.event_length + 1), 2))
    _renumber(conn, store.events_table, "notification_id", _nid(conn, a), _nid(conn, b))
    return "events", a, f"exchanged the notification ids of the events at {a} and {b}"


def forge_event(conn: Connection, rng: random.Random, store: Store) -> tuple[str, int, str]:
    conn.execute(
        text(
            f"INSERT INTO {S}.{store.events_table} "
            "(originator_id, originator_version, topic, state, notification_id) "
            f"SELECT gen_random_uuid(), 1, topic, state, (SELECT max(notification_id) + 1 "
            f"FROM {S}.{store.events_table}) FROM {S}.{store.events_table} LIMIT 1"
        )
    )
    return "events", store.event_length + 1, "inserted a forged event"


MUTATIONS: list[Mutation] = [
    change_audit_value,
    change_audit_time,
    hide_personal_data_read,
    delete_audit_record,
    swap_audit_records,
    reorder_audit_records,
    flip_event_byte,
    change_event_version,
    delete_event,
    delete_link,
    swap_event_states,
    reorder_events,
    forge_event,
]


def _located(report: Report, chain: str, position: int, length: int) -> bool:
    """The report breaks `chain` at `position`, or (a removed tail) a checkpoint fails there."""
    broken = [c for c in report.chains if not c.ok]
    if broken:
        return broken[0].chain == chain and broken[0].broken_at == position
    return position == length and any(
        c.problem and f"position {position}" in c.problem and c.checkpoint.data["chain"] == chain
        for c in report.checkpoints
    )


def _held(store: Store) -> list[Checkpoint]:
    """The checkpoints as a holder outside the database keeps them."""
    with store.engine.connect() as conn:
        return stored_checkpoints(conn, S)


def test_the_untouched_store_verifies(store: Store) -> None:
    with store.engine.connect() as conn:
        report = verify_database(conn, trusted=TRUSTED, exported=_held(store))
    assert report.ok, report.lines()
    assert {c.chain: c.length for c in report.chains} == {
        "audit": store.audit_length,
        "events": store.event_length,
    }
    assert store.audit_length >= 75 and store.event_length == 60


def test_random_changes_deletions_and_reorderings_are_detected_and_located(store: Store) -> None:
    rng = random.Random(SEED)
    missed = []
    for round_ in range(ROUNDS):
        mutate = (
            MUTATIONS[round_ % len(MUTATIONS)] if round_ < len(MUTATIONS) else rng.choice(MUTATIONS)
        )
        with store.engine.connect() as conn:
            transaction = conn.begin()
            conn.execute(text("SET LOCAL session_replication_role = replica"))
            chain, position, what = mutate(conn, rng, store)
            report = verify_database(conn, trusted=TRUSTED, require_anchor=False)
            length = store.audit_length if chain == "audit" else store.event_length
            if not _located(report, chain, position, length):
                missed.append(f"{what}: expected {chain} at {position}, got {report.lines()[:3]}")
            transaction.rollback()
    assert not missed, f"seed {SEED}:\n" + "\n".join(missed[:10])


def test_the_tables_refuse_changes_outright(store: Store) -> None:
    for statement in (
        f"UPDATE {S}.audit_log SET result = '200'",
        f"DELETE FROM {S}.audit_log WHERE position = 1",
        f"TRUNCATE {S}.audit_log",
        f"DELETE FROM {S}.event_chain",
        f"UPDATE {S}.{store.events_table} SET topic = topic",
        f"DELETE FROM {S}.{store.events_table}",
        f"DELETE FROM {S}.checkpoints",
    ):
        with store.engine.connect() as conn, pytest.raises(Exception, match="append-only"):
            conn.execute(text(statement))


def test_audit_verify_reports_the_first_broken_record_by_position(
    store: Store, tmp_path: Path
) -> None:
    keys = tmp_path / "keys"
    keys.mkdir()
    (keys / f"checkpoint-{S}.pub").write_text(public_pem(load_signing_key(CHECKPOINT_KEYS[S])))
    export(_held(store), tmp_path / "held")
    args = ["audit", "verify", "--database-url", store.database_url, "--keys", str(keys)]
    args += ["--checkpoints", str(tmp_path / "held")]
    runner = CliRunner()
    holds = runner.invoke(cli, args)
    assert holds.exit_code == 0, holds.output
    assert "the audit trail holds" in holds.stderr
    assert "intake/audit: anchored at" in holds.stdout
    with store.engine.begin() as conn:
        conn.execute(text("SET LOCAL session_replication_role = replica"))
        original = conn.execute(
            text(f"SELECT actor_user FROM {S}.audit_log WHERE position = 17")
        ).scalar_one()
        conn.execute(text(f"UPDATE {S}.audit_log SET actor_user = 'iemand' WHERE position = 17"))
    try:
        broken = runner.invoke(cli, args)
        assert broken.exit_code == 1
        assert "intake/audit: BROKEN at position 17" in broken.output
        assert "first broken record: intake/audit position 17" in broken.stderr
    finally:
        with store.engine.begin() as conn:
            conn.execute(text("SET LOCAL session_replication_role = replica"))
            conn.execute(
                text(f"UPDATE {S}.audit_log SET actor_user = :u WHERE position = 17"),
                {"u": original},
            )
