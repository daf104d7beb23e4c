"""`knooppunt init` and `knooppunt token`: the development keys, and tokens signed with them.

- `init` makes the development keys in DATA_DIR/keys (the only command besides `run` that
  makes keys; refused in production);
- `token` mints a development token with DATA_DIR/keys/jwt-dev.jwk.json, for a known role
  and an agency that fits it, valid for 1 s to 12 h; it never makes a key (a token signed
  with a new key would be refused by every running service).
The audit commands are in cli_audit.py.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import typer

from deploy import devkeys
from deploy.cli_common import EXIT_USAGE, data_dir_option, err, fail, one_line_errors
from deploy.stack import SERVICES
from shared.security.policy import VASTE_ORGANISATIE, Rol
from shared.security.settings import DEV_ISSUER
from shared.security.tokens import MAX_LIFETIME_SECONDS, mint_token

#: The longest a development token may live (seconds): what the services accept by default.
MAX_TTL_SECONDS = MAX_LIFETIME_SECONDS
_ORG = re.compile(r"^[a-z][a-z0-9_]{1,62}$")
_USER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,99}$")


def refuse_in_production(what: str) -> None:
    if os.environ.get("ENVIRONMENT") == "production":
        raise fail(f"{what} uses the development keys, which production refuses", EXIT_USAGE)


def _org(value: str) -> str:
    if not _ORG.match(value):
        raise typer.BadParameter(
            f"{value!r} is not an agency code (lower case letters, digits and _, e.g. lkha, "
            "bz, veilig_thuis_utrecht)"
        )
    return value


def _user(value: str) -> str:
    if not _USER.match(value):
        raise typer.BadParameter(
            f"{value!r} is not a user name (1 to 100 of letters, digits and . _ @ -)"
        )
    return value


@one_line_errors
def init(data_dir: Path = data_dir_option()) -> None:
    """Make the development keys in DATA_DIR/keys (kept if they exist); never in production."""
    refuse_in_production("knooppunt init")
    keys = data_dir.resolve() / "keys"
    made = devkeys.init(keys, SERVICES)
    for path in made:
        err.print(f"made {path}")
    kept = len(list(keys.iterdir())) - len(made)
    err.print(f"{len(made)} keys made, {kept} kept, in {keys}")


@one_line_errors
def token(
    org: str = typer.Option(
        ..., callback=_org, help="The caller's agency, e.g. lkha, bz, veilig_thuis_utrecht"
    ),
    rol: Rol = typer.Option(..., case_sensitive=True, help="The caller's role"),
    user: str = typer.Option(
        "ontwikkelaar", callback=_user, help="The user name recorded with each action"
    ),
    ttl: int = typer.Option(
        8 * 3600, min=1, max=MAX_TTL_SECONDS, help="Seconds the token stays valid (1 s to 12 h)"
    ),
    data_dir: Path = data_dir_option("The dev stack's directory whose keys/ signs the token"),
) -> None:
    """Print a development bearer token (for curl: -H "Authorization: Bearer $(...)")."""
    refuse_in_production("knooppunt token")
    fixed = VASTE_ORGANISATIE.get(rol)
    if fixed is not None and org != fixed:
        raise typer.BadParameter(f"rol {rol} belongs to {fixed!r}, not {org!r}", param_hint="--org")
    path = data_dir.resolve() / "keys"
    jwk = devkeys.read_dev_jwk(path)
    err.print(f"signed with {path / 'jwt-dev.jwk.json'} (key {jwk['kid']})")
    typer.echo(
        mint_token(jwk, org=org, rol=str(rol), user=user, issuer=DEV_ISSUER, ttl_seconds=ttl)
    )
