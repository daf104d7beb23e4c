"""`knooppunt db ...`: the database roles and the services' migrations (docs/operations.md).

- `db setup` (as an administrator): every role with its password, each service's schema
  owned by its owner role, nothing for PUBLIC; then every migration.
- `db migrate`: each service's migration as its owner role (after an upgrade).
The passwords come from a JSON file (role -> password; made with new random ones if it does
not exist, readable by its owner only): by default the dev stack's DATA_DIR/keys/postgres.json.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import psycopg
import typer

from deploy import database, devkeys
from deploy.cli_common import CliError, data_dir_option, err, one_line_errors, shown_url
from shared import dbroles

app = typer.Typer(
    help="The database: roles per service (owner, runtime), the auditor's; migrations.",
    no_args_is_help=True,
    add_completion=False,
)


def _passwords(path: Path | None, data_dir: Path) -> dict[str, str]:
    if path is None:
        return devkeys.postgres_passwords(data_dir.resolve() / "keys")
    if not path.exists():
        devkeys._private(path, json.dumps(dbroles.new_passwords(), indent=2))
    return {str(k): str(v) for k, v in json.loads(path.read_text()).items()}


def _url(value: str | None) -> str:
    url = value or os.environ.get("DATABASE_URL")
    if not url:
        raise typer.BadParameter("give --database-url or DATABASE_URL (an administrator's)")
    return url


URL = typer.Option(None, help="An administrator's URL of the database (default: DATABASE_URL)")
PASSWORDS = typer.Option(None, help="JSON file role -> password (default: .data/keys/...)")


@app.command()
@one_line_errors
def setup(
    data_dir: Path = data_dir_option(), database_url: str = URL, passwords: Path = PASSWORDS
) -> None:
    """Make the roles and schemas (idempotent; passwords are set again), then migrate."""
    secrets = _passwords(passwords, data_dir)
    url = _url(database_url)
    err.print(f"setting up {shown_url(url)}")
    try:
        database.set_up(url, secrets)
    except psycopg.Error as exc:
        raise CliError(f"the database refused: {str(exc).splitlines()[0]}") from exc
    for service in dbroles.SERVICES:
        typer.echo(
            f"{service:<13} runtime {dbroles.runtime_role(service):<24} "
            f"owner {dbroles.owner_role(service)}"
        )
    typer.echo(f"auditor       {dbroles.AUDITOR}")


@app.command()
@one_line_errors
def migrate(
    data_dir: Path = data_dir_option(),
    database_url: str = URL,
    passwords: Path = PASSWORDS,
    service: list[str] = typer.Option(list(dbroles.SERVICES), help="Only these services"),
) -> None:
    """Run the services' migrations, each as its owner role (the URL's host and database)."""
    secrets = _passwords(passwords, data_dir)
    for name in service:
        if name not in dbroles.SERVICES:
            raise typer.BadParameter(f"{name!r}: one of {', '.join(dbroles.SERVICES)}")
        owner = dbroles.role_url(_url(database_url), dbroles.owner_role(name), secrets)
        database.migration(name)(owner)
        err.print(f"{name}: migrated as {dbroles.owner_role(name)}")
