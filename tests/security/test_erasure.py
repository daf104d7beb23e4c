"""Erasing personal data, on request and at the end of the retention period, with the whole
system as real processes of its own (PostgreSQL, NATS, OpenBao, the four services).

The proof (tests/security/erasure_scan.py): after the erasure, every byte the system wrote
(PostgreSQL's data directory with pg_wal after a CHECKPOINT and a WAL switch, the NATS store,
OpenBao's raft storage, the logs, the exports) holds none of the case's personal data or
free text in plain text, and no ciphertext found anywhere opens with any key any process
holds (every Transit key left, every service token, the root token, and a copy of OpenBao's
storage unsealed with the unseal key). The figures are unchanged, every chain verifies."""

from __future__ import annotations

import shutil
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import hvac
import psycopg
import pytest
from typer.testing import CliRunner

from deploy.cli import app as cli
from deploy.openbao import LocalOpenBao
from deploy.stack import Stack
from tests.helpers import melding
from tests.security.erasure_scan import Scan, everything_readable, files_under

pytestmark = pytest.mark.e2e

NAAM = "Testpersoon Erasmus-Wissel"
TELEFOON = "+31 6 11223344"
ADRES = "Wisselstraat 9, Casablanca"
TOELICHTING = "Schuiladres bij de tante van Erasmus-Wissel."
ORGANISATIE = "Leerplicht Wisseldorp, mw. Wisselaar"
CORRECTIE = "Broer Wisselmans belde: het is achterlating"
VERIFICATIE = "Tante Wisselmans bevestigt de achterlating"
NAZORG = "Opvang bij Fier Wisseloord, mentor Wisselink"
BESLUIT = "Post Rabat belt de buurvrouw van Wisselmans"
ACTIE = "Noodpaspoort aanvragen voor Erasmus-Wissel"
GEHEIM = [NAAM, TELEFOON, ADRES, TOELICHTING, ORGANISATIE, CORRECTIE]
GEHEIM += [VERIFICATIE, NAZORG, BESLUIT, ACTIE]
#: The other case's data: stays readable (the control that decrypting works at all).
BEWAARD = "Bewaarde Toelichting Kwartelstraat"


@pytest.fixture(scope="module")
def stack() -> Iterator[Stack]:
    """The whole system with servers of its own, so that every file it wrote is its own (in a
    directory of its own: PostgreSQL's user must reach it, as for tests/conftest.py)."""
    data_dir = Path(tempfile.mkdtemp(prefix="knooppunt-wis-"))
    running = Stack.on_free_ports(
        data_dir,
        environment="test",
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
        shutil.rmtree(data_dir, ignore_errors=True)


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
        **{
            "melder": {"type": "school", "organisatie": ORGANISATIE},
            "persoonsgegevens": {
                "naam": NAAM,
                "contactgegevens": TELEFOON,
                "verblijfadres": ADRES,
            },
            "toelichting": TOELICHTING,
            **overrides,
        }
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


def post(stack: Stack, service: str, path: str, body: dict[str, Any]) -> httpx.Response:
    key = {"Idempotency-Key": f"wis-{uuid.uuid4()}"}
    response = httpx.post(
        f"{stack.url(service)}{path}", json=body, headers=h(stack, "lkha", "coordinator", **key)
    )
    assert response.status_code in (200, 201), response.text
    return response


def record_free_text(stack: Stack, zaak_id: str) -> None:
    """The LKHA's free text about the case, at intake and at verification."""
    post(
        stack,
        "intake",
        f"/v1/meldingen/{zaak_id}/correcties",
        {"onderwerp": "huwelijksdwang", "reden": CORRECTIE, "datum": "2018-03-20"},
    )
    v = f"/v1/zaken/{zaak_id}"
    verificatie = {"uitkomst": "vastgesteld", "besloten_op": "2018-04-01"}
    post(stack, "verification", f"{v}/verificatie", {**verificatie, "toelichting": VERIFICATIE})
    post(stack, "verification", f"{v}/nazorg", {"datum": "2018-04-02", "omschrijving": NAZORG})
    actie = {"eigenaar": "bz", "omschrijving": ACTIE, "deadline": "2018-04-10"}
    post(
        stack,
        "verification",
        "/v1/regieoverleggen",
        {
            "datum": "2018-04-03",
            "deelnemers": ["lkha", "bz"],
            "zaken": [{"zaak_id": zaak_id, "besluiten": [BESLUIT], "acties": [actie]}],
        },
    )


def erased_at_verification(stack: Stack, zaak_id: str) -> bool:
    zaak = httpx.get(
        f"{stack.url('verification')}/v1/zaken/{zaak_id}", headers=h(stack, "lkha", "coordinator")
    ).json()
    return bool(zaak["verificatie"]["toelichting"] == "[gewist]")


def environments(stack: Stack) -> dict[str, dict[str, str]]:
    """Every service process's environment, as the kernel holds it."""
    out = {}
    for service, proc in stack.processes.items():
        raw = Path(f"/proc/{proc.pid}/environ").read_bytes()
        pairs = (item.partition(b"=") for item in raw.split(b"\0") if item)
        out[service] = {k.decode(): v.decode(errors="replace") for k, _, v in pairs}
    return out


def flush_postgres(stack: Stack) -> None:
    """Write every change to the data files and start a new WAL segment."""
    assert stack.postgres is not None
    with psycopg.connect(stack.postgres.admin_url, autocommit=True) as conn:
        conn.execute("CHECKPOINT")
        conn.execute("SELECT pg_switch_wal()")
        conn.execute("CHECKPOINT")


def written(stack: Stack, exports: Path) -> list[Path]:
    assert stack.postgres and stack.nats and stack.openbao
    return files_under(
        stack.postgres.data_dir,
        stack.nats.store_dir,
        stack.openbao.storage_dir,
        stack.data_dir / "logs",
        stack.data_dir / "checkpoints",
        exports,
    )


def export(stack: Stack, zaak_id: str, exports: Path) -> None:
    """What leaves the system: the auditor's replay with a reden, the checkpoints, figures."""
    exports.mkdir(exist_ok=True)
    replay = CliRunner().invoke(
        cli,
        ["audit", "replay", zaak_id, "--reden", "controle na wissing", "--json"],
        env={
            **{f"KNOOPPUNT_{s.upper()}_URL": stack.url(s) for s in stack.ports},
            "KNOOPPUNT_TOKEN": stack.token("adr", "auditor"),
        },
    )
    assert replay.exit_code == 0, replay.output
    (exports / "replay.json").write_text(replay.output)
    checkpoint = CliRunner().invoke(
        cli,
        [
            "audit",
            "checkpoint",
            "--out",
            str(exports / "checkpoints"),
            "--database-url",
            stack.database_url or "",
        ],
    )
    assert checkpoint.exit_code == 0, checkpoint.output
    csv = httpx.get(
        f"{stack.url('reporting')}/v1/jaarcijfers/2018.csv", headers=h(stack, "lkha", "coordinator")
    )
    assert csv.status_code == 200, csv.text
    (exports / "jaarcijfers-2018.csv").write_bytes(csv.content)


def test_an_erased_case_is_unreadable_with_every_key_and_found_nowhere(
    stack: Stack, tmp_path: Path
) -> None:
    assert stack.openbao is not None
    gewist = meld(stack, "wis-0001")
    bewaard = meld(
        stack,
        "wis-0002",
        land="PK",
        toelichting=BEWAARD,
        melder={"type": "school", "organisatie": "Leerplicht Kwartel"},
        persoonsgegevens={"naam": "Testpersoon Kwartel"},
    )
    record_free_text(stack, gewist)
    assert persoonsgegevens(stack, gewist).json()["naam"] == NAAM
    before = figures(stack)
    flush_postgres(stack)
    control = Scan.of(written(stack, tmp_path / "none"), [gewist])
    assert control.hits([gewist]) and control.ciphertexts  # the search finds what is there

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
    assert persoonsgegevens(stack, bewaard).json()["toelichting"] == BEWAARD
    wait_for(lambda: erased_at_verification(stack, gewist), "verification's key deleted")
    assert figures(stack) == before
    exports = tmp_path / "exports"
    export(stack, gewist, exports)
    assert "[gewist]" in (exports / "replay.json").read_text()

    # Every key any process holds: no service but intake and verification has an OpenBao
    # token, none has a master key; the root token and the unseal key are in .data/keys.
    envs = environments(stack)
    tokens = {s: env["OPENBAO_TOKEN"] for s, env in envs.items() if "OPENBAO_TOKEN" in env}
    assert set(tokens) <= {"intake", "verification"} and "intake" in tokens
    assert not any("MASTER_KEY" in env for env in envs.values())
    root = stack.openbao.root_client()
    clients = [root] + [hvac.Client(url=stack.openbao.url, token=t) for t in tokens.values()]

    flush_postgres(stack)
    scan = Scan.of(written(stack, exports), [*GEHEIM, BEWAARD, gewist])
    assert scan.hits(GEHEIM) == {}, "plain text of the erased case left on disk"
    assert scan.hits([gewist]), "the search must find the case's id (a control)"
    assert len(scan.ciphertexts) >= 3
    readable = everything_readable(clients, root, scan.ciphertexts, [f"zaak-{gewist}"])
    assert any(BEWAARD.encode() in p for p in readable), "the other case must stay readable"
    assert [p for p in readable if any(g.encode() in p for g in GEHEIM)] == []

    # OpenBao's own storage, read back by a copy of the server unsealed with the unseal key
    # (what a stolen disk plus the operator's keys would give): no key of the erased case.
    stack.openbao.stop()
    copy = tmp_path / "openbao-copy"
    shutil.copytree(stack.openbao.data_dir, copy / "data")
    shutil.copytree(stack.keys_dir, copy / "keys")
    stack.openbao.start()
    restored = LocalOpenBao(copy / "data", keys_dir=copy / "keys").start()
    try:
        copy_root = restored.root_client()
        again_readable = everything_readable(
            [copy_root], copy_root, scan.ciphertexts, [f"zaak-{gewist}"]
        )
        assert [p for p in again_readable if any(g.encode() in p for g in GEHEIM)] == []
        assert any(BEWAARD.encode() in p for p in again_readable)
    finally:
        restored.stop()

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

    def verify() -> Any:
        return CliRunner().invoke(
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

    # The erasure record starts intake's wissingen chain: anchored by the next checkpoint
    # (CHECKPOINT_INTERVAL_SECONDS=1), so the trail holds within a few seconds.
    deadline = time.monotonic() + 20
    while (result := verify()).exit_code != 0 and time.monotonic() < deadline:
        time.sleep(0.5)
    assert result.exit_code == 0, result.output
