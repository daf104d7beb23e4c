"""`knooppunt token` mints development tokens the services accept; never in production."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from deploy import devkeys
from deploy.cli import app as cli
from shared.context import Actor
from shared.security.tokens import TokenVerifier, load_public_keys, public_jwks


def test_the_token_command_mints_a_token_the_development_key_verifies(tmp_path: Path) -> None:
    devkeys.dev_jwk(tmp_path / "keys")  # as `knooppunt run` or `knooppunt init` makes it
    args = ["token", "--org", "lkha", "--rol", "coordinator", "--user", "j.jansen"]
    result = CliRunner().invoke(cli, [*args, "--data-dir", str(tmp_path)])
    assert result.exit_code == 0, result.output
    keys = load_public_keys(public_jwks(devkeys.read_dev_jwk(tmp_path / "keys")))
    verifier = TokenVerifier(keys=keys, issuer="knooppunt-dev", audience="knooppunt")
    assert verifier.verify(result.stdout.strip()) == Actor("lkha", "coordinator", "j.jansen")
    assert (tmp_path / "keys" / "jwt-dev.jwk.json").stat().st_mode & 0o077 == 0


def test_production_refuses_to_mint_development_tokens(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        cli,
        ["token", "--org", "lkha", "--rol", "coordinator", "--data-dir", str(tmp_path)],
        env={"ENVIRONMENT": "production"},
    )
    assert result.exit_code == 2
    assert not (tmp_path / "keys").exists()
