"""Erasing personal data, on request and at the end of the retention period, with the four
services as real processes: afterwards it is unreadable everywhere and found nowhere in plain
text (PostgreSQL, the JetStream streams, the logs, the exports), the key is gone from disk,
the figures are unchanged and every chain still verifies."""

# ruff: noqa: S608 - the SQL names only catalog-listed tables of this test's database

from __future__ import annotations

import asyncio
import json
import os
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import nats
import psycopg
import pytest
from typer.testing import CliRunner

from deploy.cli import app as cli
from deploy.stack import Stack
from tests.conftest import _delete_streams, _with_database
from tests.helpers import NATS_SECRETS, PG_PASSWORDS, melding

pytestmark = pytest.mark.e2e

NAAM = "Testpersoon Erasmus-Wissel"
TELEFOON = "+31 6 11223344"
ADRES = "Wisselstraat 9, Casablanca"
TOELICHTING = "Schuiladres bij de tante van Erasmus-Wissel."
GEHEIM = [NAAM, TELEFOON, ADRES, TOELICHTING]
#: Not personal, stored and published in plain text: proves each search can find things.
CONTROLE = "Leerplicht Wisseldorp"


@pytest.fixture(scope="module")
def stack(
    tmp_path_factory: pytest.TempPathFactory, postgres_admin_url: str, nats_server_url: str
) -> Iterator[Stack]:
    asyncio.run(_delete_streams(nats_server_url))
    name = f"wis_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(_with_database(postgres_admin_url, "postgres"), autocommit=True) as c:
        c.execute(f'CREATE DATABASE "{name}"')
    running = Stack.on_free_ports(
        tmp_path_factory.mktemp("wisstack"),
        database_url=_with_database(postgres_admin_url, name),
        nats_url=nats_server_url,
        environment="test",
        given_nats_secrets=dict(NATS_SECRETS),
        given_pg_passwords=dict(PG_PASSWORDS),
        extra_env={
            "CHECKPOINT_INTERVAL_SECONDS": "1",
            "BEWAARTERMIJN_DAGEN": "30",
            "BEWARING_INTERVAL_SECONDEN": "0.5",
        },
    )
    try:
        running.start()
        yield running
    finally:
        running.stop()


def h(stack: Stack, org: str, rol: str, **extra: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {stack.token(org, rol, f'{rol}.test')}", **extra}


def wait_for(check: Any, what: str, timeout: float = 30) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def meld(stack: Stack, key: str, **overrides: Any) -> str:
    body = melding(
        melder={"type": "school", "organisatie": CONTROLE},
        persoonsgegevens={"naam": NAAM, "contactgegevens": TELEFOON, "verblijfadres": ADRES},
        toelichting=TOELICHTING,
        **overrides,
    )
    response = httpx.post(
        f"{stack.url('intake')}/v1/meldingen",
        json=body,
        # The LKHA records what a school reported: it states the melder (a partner's melder
        # follows from the register of organisations, so it could not carry the control).
        headers=h(stack, "lkha", "coordinator", **{"Idempotency-Key": key}),
    )
    assert response.status_code == 201, response.text
    zaak_id = str(response.json()["zaak_id"])
    for service in ("verification", "consular", "reporting"):
        wait_for(
            lambda s=service: (
                httpx.get(
                    f"{stack.url(s)}/v1/zaken/{zaak_id}", headers=h(stack, "lkha", "coordinator")
                ).status_code
                == 200
            ),
            f"{zaak_id} at {service}",
        )
    return zaak_id


def persoonsgegevens(stack: Stack, zaak_id: str) -> httpx.Response:
    return httpx.get(
        f"{stack.url('intake')}/v1/meldingen/{zaak_id}/persoonsgegevens",
        params={"doel": "contact_slachtoffer"},
        headers=h(stack, "lkha", "coordinator"),
    )


def figures(stack: Stack) -> Any:
    response = httpx.get(
        f"{stack.url('reporting')}/v1/statistieken",
        params={"peildatum": "2018-12-31"},
        headers=h(stack, "ministerie_vws", "beleid"),
    )
    assert response.status_code == 200, response.text
    return response.json()


def found_in_database(database_url: str, needles: list[str]) -> list[str]:
    """Every text, bytea and json column of every schema, searched for each needle."""
    found = []
    with psycopg.connect(database_url) as conn:
        columns = conn.execute(
            "SELECT table_schema, table_name, column_name, data_type "
            "FROM information_schema.columns JOIN information_schema.tables "
            "USING (table_schema, table_name) WHERE table_type = 'BASE TABLE' "
            "AND table_schema NOT IN ('pg_catalog', 'information_schema') "
            "AND data_type IN ('text', 'character varying', 'bytea', 'json', 'jsonb')"
        ).fetchall()
        for schema, table, column, data_type in columns:
            value = (
                f'"{column}"' if data_type == "bytea" else f"convert_to(\"{column}\"::text, 'UTF8')"
            )
            for needle in needles:
                hit = conn.execute(
                    f'SELECT 1 FROM "{schema}"."{table}" '
                    f"WHERE position(%s::bytea IN {value}) > 0 LIMIT 1",
                    (needle.encode(),),
                ).fetchone()
                if hit:
                    found.append(f"{needle!r} in {schema}.{table}.{column}")
    return found


async def _stream_messages(admin_url: str) -> list[bytes]:
    nc = await nats.connect(admin_url)
    try:
        js = nc.jetstream()
        raw = []
        for info in await js.streams_info():
            if not info.state.messages:
                continue
            for seq in range(info.state.first_seq, info.state.last_seq + 1):
                msg = await js.get_msg(info.config.name, seq)
                raw.append((msg.data or b"") + json.dumps(dict(msg.headers or {})).encode())
        return raw
    finally:
        await nc.close()


def found_in_streams(admin_url: str, needles: list[str]) -> list[str]:
    messages = asyncio.run(_stream_messages(admin_url))
    assert messages
    return [n for n in needles if any(n.encode() in m for m in messages)]


def found_in_files(folder: Path, needles: list[str]) -> list[str]:
    found = []
    for path in folder.rglob("*"):
        if path.is_file():
            content = path.read_bytes()
            found += [f"{n!r} in {path}" for n in needles if n.encode() in content]
    return found


def _key_on_disk(database_url: str, zaak_id: str) -> tuple[bytes, list[Path]] | None:
    """The case's wrapped data key and the files of intake's database, when readable here."""
    with psycopg.connect(database_url, autocommit=True) as conn:
        wrapped = conn.execute(
            "SELECT wrapped FROM intake.data_keys WHERE zaak_id = %s", (zaak_id,)
        ).fetchone()
        conn.execute("CHECKPOINT")
        data_dir = Path(str(conn.execute("SHOW data_directory").fetchone()[0]))  # type: ignore[index]
        oid = conn.execute(
            "SELECT oid FROM pg_database WHERE datname = current_database()"
        ).fetchone()[0]  # type: ignore[index]
    folder = data_dir / "base" / str(oid)
    if not os.access(folder, os.R_OK):
        return None
    return (bytes(wrapped[0]) if wrapped and wrapped[0] else b""), list(folder.iterdir())


def test_an_erased_case_is_unreadable_and_found_nowhere(stack: Stack, tmp_path: Path) -> None:
    assert stack.database_url and stack.nats_url
    gewist = meld(stack, "wis-0001")
    bewaard = meld(stack, "wis-0002", land="PK")
    assert persoonsgegevens(stack, gewist).json()["naam"] == NAAM
    on_disk = _key_on_disk(stack.database_url, gewist)
    assert on_disk is not None or os.environ.get("DATABASE_URL"), "cannot read the data files"
    if on_disk is not None:  # control: the key is on disk before the erasure
        key, files = on_disk
        assert key and any(key in f.read_bytes() for f in files if f.is_file())
    before = figures(stack)
    assert found_in_database(stack.database_url, [CONTROLE])  # the search can find things

    erase = httpx.post(
        f"{stack.url('intake')}/v1/meldingen/{gewist}/wissen",
        json={"grond": "verzoek_betrokkene"},
        headers=h(stack, "lkha", "coordinator", **{"Idempotency-Key": "wis-verzoek-0001"}),
    )
    assert erase.status_code == 200, erase.text
    again = httpx.post(
        f"{stack.url('intake')}/v1/meldingen/{gewist}/wissen",
        json={"grond": "verzoek_betrokkene"},
        headers=h(stack, "lkha", "coordinator", **{"Idempotency-Key": "wis-verzoek-0001"}),
    )
    assert again.json() == erase.json() and again.headers["Idempotent-Replayed"] == "true"

    assert persoonsgegevens(stack, gewist).status_code == 410
    assert persoonsgegevens(stack, bewaard).json()["naam"] == NAAM
    assert figures(stack) == before
    if on_disk is not None:
        key, _ = on_disk
        _, files = _key_on_disk(stack.database_url, gewist) or (b"", [])
        assert not any(key in f.read_bytes() for f in files if f.is_file()), "key left on disk"

    replay = CliRunner().invoke(
        cli,
        ["audit", "replay", gewist, "--reden", "controle na wissing", "--json"],
        env={
            **{f"KNOOPPUNT_{s.upper()}_URL": stack.url(s) for s in stack.ports},
            "KNOOPPUNT_TOKEN": stack.token("adr", "auditor"),
        },
    )
    assert replay.exit_code == 0, replay.output
    assert "[gewist]" in replay.output
    exports = tmp_path / "exports"
    exports.mkdir()
    (exports / "replay.json").write_text(replay.output)
    checkpoint = CliRunner().invoke(
        cli,
        [
            "audit",
            "checkpoint",
            "--out",
            str(exports / "checkpoints"),
            "--database-url",
            stack.database_url,
        ],
    )
    assert checkpoint.exit_code == 0, checkpoint.output

    # Plain text is found nowhere: not of the erased case, nor (encrypted at rest) the other.
    assert found_in_database(stack.database_url, GEHEIM) == []
    assert found_in_streams(stack.nats_url, [*GEHEIM, CONTROLE]) == [CONTROLE]
    assert found_in_files(stack.data_dir / "logs", GEHEIM) == []
    assert found_in_files(stack.data_dir / "checkpoints", GEHEIM) == []
    assert found_in_files(exports, GEHEIM) == []

    verify = CliRunner().invoke(
        cli,
        [
            "audit",
            "verify",
            "--database-url",
            stack.database_url,
            "--keys",
            str(stack.keys_dir),
            "--checkpoints",
            str(stack.data_dir / "checkpoints"),
        ],
    )
    assert verify.exit_code == 0, verify.output
    assert "the audit trail holds" in verify.output


def test_personal_data_is_erased_when_the_retention_period_after_closing_ends(
    stack: Stack,
) -> None:
    coordinator = h(stack, "lkha", "coordinator")
    zaak_id = meld(stack, "bewaar-0001")
    verification = f"{stack.url('verification')}/v1/zaken/{zaak_id}"
    steps = [
        ("onderzoek", {"datum": "2018-03-15"}),
        (
            "verificatie",
            {
                "uitkomst": "niet_vastgesteld",
                "bevinding": "verhuizing",
                "besloten_op": "2018-04-01",
            },
        ),
        ("afsluiting", {"reden": "niet_vastgesteld", "datum": "2018-04-02"}),
    ]
    for pad, body in steps:
        response = httpx.post(f"{verification}/{pad}", json=body, headers=coordinator)
        assert response.status_code in (200, 201), response.text
    wait_for(
        lambda: persoonsgegevens(stack, zaak_id).status_code == 410,
        "the retention sweep (closed 2018-04-02, period 30 days)",
    )
    verify = CliRunner().invoke(
        cli,
        [
            "audit",
            "verify",
            "--database-url",
            stack.database_url or "",
            "--keys",
            str(stack.keys_dir),
            "--checkpoints",
            str(stack.data_dir / "checkpoints"),
        ],
    )
    assert verify.exit_code == 0, verify.output
