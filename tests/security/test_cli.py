"""The command line refuses what it cannot do well: it makes no keys behind one's back, refuses
unknown roles and bad values, ends a failure with one line and a non-zero exit, and prints
to standard output only what is meant for it (a token, JSON). Servers down are real: ports
on which nothing listens."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from typer.main import get_command
from typer.testing import CliRunner

from deploy import devkeys
from deploy.cli import app as cli
from deploy.servers import free_port
from deploy.stack import SERVICES
from shared.context import Actor
from shared.db import ensure_schema, make_engine
from shared.security.audit import AuditEntry, AuditLog
from shared.security.chain import install_chains
from shared.security.checkpoints import stored_checkpoints
from shared.security.tokens import TokenVerifier, load_public_keys, public_jwks
from tests.security.conftest import fresh_database

runner = CliRunner()


def _one_line_error(result: object, code: int = 3) -> str:
    """The command failed with `code` and said why in one line, without a traceback."""
    assert result.exit_code == code, (result.exit_code, result.output)  # type: ignore[attr-defined]
    stderr = result.stderr.strip()  # type: ignore[attr-defined]
    assert "Traceback" not in result.output, result.output  # type: ignore[attr-defined]
    lines = stderr.splitlines()
    assert len(lines) <= 4, stderr  # what it read, at most click's usage lines, the error
    assert lines[-1].startswith(("error: ", "Error: ")), stderr
    assert sum("rror" in line for line in lines) == 1, stderr
    return stderr


def _walk(command: Any, path: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Every command's path below a group (typer's own click: groups have .commands)."""
    subcommands = getattr(command, "commands", None)
    if subcommands is None:
        return [path]
    found = []
    for name, sub in subcommands.items():
        found += _walk(sub, (*path, name))
    return found


def _params(path: tuple[str, ...]) -> list[str]:
    command: Any = get_command(cli)
    for name in path:
        command = command.commands[name]
    return [opt for p in command.params for opt in getattr(p, "opts", [])]


def test_every_command_takes_a_data_dir() -> None:
    commands = _walk(get_command(cli))
    assert ("audit", "verify") in commands and ("init",) in commands
    missing = [" ".join(c) for c in commands if "--data-dir" not in _params(c)]
    assert not missing, f"commands without --data-dir: {missing}"


def test_token_in_a_directory_without_keys_makes_none_and_prints_no_token(
    tmp_path: Path,
) -> None:
    result = runner.invoke(
        cli, ["token", "--org", "lkha", "--rol", "coordinator", "--data-dir", str(tmp_path)]
    )
    message = _one_line_error(result)
    assert "no development key jwt-dev.jwk.json" in message and "knooppunt init" in message
    assert result.stdout == ""
    assert not (tmp_path / "keys").exists()


def test_init_makes_the_keys_once_and_token_signs_with_them(tmp_path: Path) -> None:
    made = runner.invoke(cli, ["init", "--data-dir", str(tmp_path)])
    assert made.exit_code == 0, made.output
    keys = tmp_path / "keys"
    before = {p.name: p.read_bytes() for p in keys.iterdir()}
    assert {"jwt-dev.jwk.json", "nats.json"} <= set(before)
    assert {f"checkpoint-{s}.pub" for s in SERVICES} <= set(before)
    assert all(p.stat().st_mode & 0o077 == 0 for p in keys.iterdir() if p.suffix != ".pub")
    again = runner.invoke(cli, ["init", "--data-dir", str(tmp_path)])
    assert again.exit_code == 0 and "0 keys made" in again.stderr
    assert {p.name: p.read_bytes() for p in keys.iterdir()} == before

    args = ["token", "--org", "bz", "--rol", "bz_consulair", "--user", "p.rabat", "--ttl", "60"]
    result = runner.invoke(cli, [*args, "--data-dir", str(tmp_path)])
    assert result.exit_code == 0, result.output
    verifier = TokenVerifier(
        keys=load_public_keys(public_jwks(devkeys.read_dev_jwk(keys))),
        issuer="knooppunt-dev",
        audience="knooppunt",
    )
    assert verifier.verify(result.stdout.strip()) == Actor("bz", "bz_consulair", "p.rabat")
    assert str(keys / "jwt-dev.jwk.json") in result.stderr  # says what it read


def test_init_is_refused_in_production(tmp_path: Path) -> None:
    result = runner.invoke(
        cli, ["init", "--data-dir", str(tmp_path)], env={"ENVIRONMENT": "production"}
    )
    _one_line_error(result, 2)
    assert not (tmp_path / "keys").exists()


@pytest.mark.parametrize(
    ("args", "rule"),
    [
        (["--org", "lkha", "--rol", "koning"], "'--rol'"),
        (["--org", "lkha", "--rol", "Coordinator"], "'--rol'"),
        (["--org", "lkha", "--rol", "coordinator", "--ttl", "-5"], "'--ttl'"),
        (["--org", "lkha", "--rol", "coordinator", "--ttl", "0"], "'--ttl'"),
        (["--org", "lkha", "--rol", "coordinator", "--ttl", "999999"], "'--ttl'"),
        (["--org", "lkha", "--rol", "coordinator", "--ttl", "een uur"], "'--ttl'"),
        (["--org", "bz", "--rol", "coordinator"], "--org"),
        (["--org", "lkha", "--rol", "bz_consulair"], "--org"),
        (["--org", "Veilig Thuis", "--rol", "melder"], "--org"),
        (["--org", "vt", "--rol", "melder", "--user", ""], "--user"),
        (["--org", "vt", "--rol", "melder", "--user", "a\x00b"], "--user"),
    ],
)
def test_token_refuses_unknown_roles_and_bad_values(
    tmp_path: Path, args: list[str], rule: str
) -> None:
    runner.invoke(cli, ["init", "--data-dir", str(tmp_path)])
    result = runner.invoke(cli, ["token", *args, "--data-dir", str(tmp_path)])
    message = _one_line_error(result, 2)
    assert rule in message.splitlines()[-1], message
    assert result.stdout == ""


def test_checkpoint_sign_without_keys_makes_none_and_signs_nothing(
    tmp_path: Path, postgres_admin_url: str
) -> None:
    url = fresh_database(postgres_admin_url, "cli")
    engine = make_engine(url, "consular", pool_size=1)
    ensure_schema(engine, "consular")
    with engine.begin() as conn:
        install_chains(conn, "consular", None)
    AuditLog(engine, "consular").write(AuditEntry(service="consular", action="a", decision="d"))
    args = ["audit", "checkpoint", "--sign", "--data-dir", str(tmp_path / "elsewhere")]
    result = runner.invoke(cli, [*args, "--database-url", url])
    assert "no development key checkpoint-consular.key" in _one_line_error(result)
    assert not (tmp_path / "elsewhere" / "keys").exists()
    with engine.connect() as conn:
        assert stored_checkpoints(conn, "consular") == []
    engine.dispose()


def test_a_database_that_does_not_answer_is_one_line(tmp_path: Path) -> None:
    runner.invoke(cli, ["init", "--data-dir", str(tmp_path)])
    down = f"postgresql://postgres@127.0.0.1:{free_port()}/knooppunt"
    for command in (["audit", "verify"], ["audit", "checkpoint"]):
        result = runner.invoke(cli, [*command, "--data-dir", str(tmp_path), "--database-url", down])
        message = _one_line_error(result)
        assert "the database does not answer" in message, message


def test_replay_with_the_services_down_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    runner.invoke(cli, ["init", "--data-dir", str(tmp_path)])
    for service in SERVICES:
        monkeypatch.setenv(f"KNOOPPUNT_{service.upper()}_URL", f"http://127.0.0.1:{free_port()}")
    zaak = "6c1f0b4e-1111-4111-8111-111111111111"
    result = runner.invoke(cli, ["audit", "replay", zaak, "--data-dir", str(tmp_path)])
    assert "cannot reach http://127.0.0.1:" in _one_line_error(result)


def test_replay_refuses_an_id_that_is_not_a_uuid(tmp_path: Path) -> None:
    result = runner.invoke(cli, ["audit", "replay", "12", "--data-dir", str(tmp_path)])
    assert "'zaak'" in _one_line_error(result, 2)


def test_verify_needs_trusted_keys(tmp_path: Path, database_url: str) -> None:
    result = runner.invoke(
        cli, ["audit", "verify", "--data-dir", str(tmp_path), "--database-url", database_url]
    )
    assert "no trusted checkpoint keys" in _one_line_error(result)
