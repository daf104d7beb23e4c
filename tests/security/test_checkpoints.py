"""Signed checkpoints let a holder outside the database tell this chain from any other: a
valid chain does not pass against a checkpoint of another installation, of an earlier
(rewritten) version of itself, of a longer version of itself, or signed by another key."""

# ruff: noqa: S608 - the SQL names only this test's own tables

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from typer.testing import CliRunner, Result

from deploy.cli import app as cli
from shared.context import Actor
from shared.db import ensure_schema, make_engine
from shared.security.audit import AuditEntry, AuditLog
from shared.security.chain import install_chains, verify_audit
from shared.security.checkpoints import (
    Checkpoint,
    CheckpointWriter,
    export,
    load_signing_key,
    new_signing_key,
    public_pem,
    read_exported,
    stored_checkpoints,
    verify_checkpoint,
)
from shared.security.verify import verify_database
from tests.security.conftest import CHECKPOINT_KEYS, TRUSTED, fresh_database

pytestmark = pytest.mark.integration

S = "consular"


def _entry(i: int) -> AuditEntry:
    return AuditEntry(
        service=S,
        action="get_zaak",
        decision="allowed",
        result="200",
        actor=Actor(org="bz", rol="bz_consulair", user=f"post-{i}"),
    )


def _installation(admin_url: str, records: int) -> Engine:
    """A fresh database with one service's audit chain of `records` identical records."""
    engine = make_engine(fresh_database(admin_url, "chk"), S, pool_size=1)
    ensure_schema(engine, S)
    with engine.begin() as conn:
        install_chains(conn, S, None)
    log = AuditLog(engine, S)
    for i in range(records):
        log.write(_entry(i))
    return engine


def _sign(engine: Engine, key: str = CHECKPOINT_KEYS[S]) -> Checkpoint:
    made = CheckpointWriter(
        engine=engine, schema=S, key=load_signing_key(key), interval=60
    ).write_now()
    assert len(made) == 1
    return made[0]


def _check(engine: Engine, checkpoint: Checkpoint) -> str | None:
    with engine.connect() as conn:
        return verify_checkpoint(checkpoint, TRUSTED, conn)


@pytest.fixture
def here(postgres_admin_url: str) -> Iterator[Engine]:
    engine = _installation(postgres_admin_url, 10)
    yield engine
    engine.dispose()


def test_a_checkpoint_holds_while_the_chain_grows(here: Engine, tmp_path: Path) -> None:
    checkpoint = _sign(here)
    AuditLog(here, S).write(_entry(99))
    assert _check(here, checkpoint) is None
    export([checkpoint], tmp_path)
    assert [c.payload for c in read_exported(tmp_path)] == [checkpoint.payload]
    assert checkpoint.data["position"] == 10


def test_a_checkpoint_of_another_installation_does_not_pass(
    here: Engine, postgres_admin_url: str
) -> None:
    elsewhere = _installation(postgres_admin_url, 10)  # same records, same key, another genesis
    try:
        foreign = _sign(elsewhere)
    finally:
        elsewhere.dispose()
    problem = _check(here, foreign)
    assert problem is not None and "another installation" in problem


def test_a_checkpoint_signed_with_another_key_does_not_pass(here: Engine) -> None:
    problem = _check(here, _sign(here, key=new_signing_key()))
    assert problem is not None and "not trusted" in problem


def test_an_altered_checkpoint_does_not_pass(here: Engine) -> None:
    checkpoint = _sign(here)
    altered = replace(
        checkpoint, payload=checkpoint.payload.replace('"position":10', '"position":9')
    )
    problem = _check(here, altered)
    assert problem is not None and "signature" in problem


def test_a_rewritten_chain_does_not_pass_against_the_older_checkpoint(here: Engine) -> None:
    older = _sign(here)
    with here.begin() as conn:  # rewrite from record 6 on: the database recomputes valid links
        conn.execute(text("SET LOCAL session_replication_role = replica"))
        conn.execute(text(f"DELETE FROM {S}.audit_log WHERE position >= 6"))
    log = AuditLog(here, S)
    for i in range(6, 11):
        log.write(replace(_entry(i), result="403", decision="refused"))
    with here.connect() as conn:
        assert verify_audit(conn, S).ok  # the rewritten chain is valid in itself
    problem = _check(here, older)
    assert problem is not None and "differs from the checkpoint at position 10" in problem


def test_a_chain_rolled_back_behind_a_checkpoint_does_not_pass(here: Engine) -> None:
    checkpoint = _sign(here)
    with here.begin() as conn:
        conn.execute(text("SET LOCAL session_replication_role = replica"))
        conn.execute(text(f"DELETE FROM {S}.audit_log WHERE position > 7"))
    problem = _check(here, checkpoint)
    assert problem is not None and "ends at 7" in problem


def _rewrite_whole_chain(engine: Engine) -> None:
    """What whoever can write the database can do: remove the chain and the checkpoints
    (triggers off) and write a chain of other records, valid in itself, from the genesis."""
    with engine.begin() as conn:
        conn.execute(text("SET LOCAL session_replication_role = replica"))
        conn.execute(text(f"DELETE FROM {S}.checkpoints"))
        conn.execute(text(f"DELETE FROM {S}.audit_log"))
    log = AuditLog(engine, S)
    for i in range(10):
        log.write(replace(_entry(i), result="403", decision="refused"))


def _verify(engine: Engine, keys: Path, held: Path, *extra: str) -> Result:
    url = engine.url.render_as_string(hide_password=False).replace("+psycopg", "")
    args = ["audit", "verify", "--database-url", url, "--keys", str(keys)]
    return CliRunner().invoke(cli, [*args, "--checkpoints", str(held), *extra])


def _trusted_keys(tmp_path: Path) -> Path:
    keys = tmp_path / "keys"
    keys.mkdir()
    (keys / f"checkpoint-{S}.pub").write_text(public_pem(load_signing_key(CHECKPOINT_KEYS[S])))
    return keys


def test_verify_requires_a_checkpoint_held_outside_the_database(
    here: Engine, tmp_path: Path
) -> None:
    keys = _trusted_keys(tmp_path)
    _sign(here)  # the service's own checkpoint, in the database: not an anchor
    (tmp_path / "empty").mkdir()
    for held in ("empty", "missing"):
        result = _verify(here, keys, tmp_path / held)
        assert result.exit_code == 1, result.output
        assert f"{S}/audit: 10 records, every link holds" in result.stdout
        assert f"{S}/audit: NOT ANCHORED" in result.stdout
    with here.connect() as conn:
        export(stored_checkpoints(conn, S), tmp_path / "held")
    AuditLog(here, S).write(_entry(11))
    result = _verify(here, keys, tmp_path / "held")
    assert result.exit_code == 0, result.output
    assert f"{S}/audit: anchored at 10" in result.stdout and "1 newer records" in result.stdout


def test_a_whole_chain_rewritten_fails_verify_against_the_held_checkpoints(
    here: Engine, tmp_path: Path
) -> None:
    keys = _trusted_keys(tmp_path)
    export([_sign(here)], tmp_path / "held")
    (tmp_path / "empty").mkdir()
    _rewrite_whole_chain(here)
    without = _verify(here, keys, tmp_path / "empty")
    assert without.exit_code == 1 and f"{S}/audit: NOT ANCHORED" in without.stdout
    result = _verify(here, keys, tmp_path / "held", "--json")
    assert result.exit_code == 1, result.output
    report = json.loads(result.stdout)
    (audit,) = report["chains"]
    assert audit["ok"] and audit["length"] == 10  # valid in itself ...
    assert not audit["anchored"] and not report["ok"]  # ... but not the chain that was held
    (held,) = report["checkpoints"]
    assert "differs from the checkpoint at position 10" in held["problem"]


def test_verify_tells_its_progress_per_chain(here: Engine) -> None:
    told: list[tuple[str, str, int]] = []
    with here.connect() as conn:
        report = verify_database(
            conn, trusted=TRUSTED, require_anchor=False, progress=lambda *a: told.append(a)
        )
    assert report.ok
    assert told[-1] == (S, "audit", 10)
