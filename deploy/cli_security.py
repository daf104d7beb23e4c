"""`knooppunt token` and `knooppunt audit ...`: tokens for development, and the audit tools.

- `token` mints a development token with .data/keys/jwt-dev.jwk.json (refused in production);
- `audit verify` checks every link of every chain in the database and every checkpoint
  (the services' own and those a holder kept) against trusted public keys;
- `audit replay ZAAK` shows a case's history across the four services, via their APIs;
- `audit checkpoint` exports the signed checkpoints (and with --sign makes new ones).
"""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import typer
from rich.console import Console
from rich.table import Table

from deploy import devkeys
from deploy.stack import SERVICES
from shared.db import make_engine
from shared.security.chain import chained_schemas
from shared.security.checkpoints import (
    CheckpointWriter,
    export,
    load_signing_key,
    load_trusted_keys,
    read_exported,
    stored_checkpoints,
)
from shared.security.settings import DEV_ISSUER
from shared.security.tokens import mint_token
from shared.security.verify import verify_database
from shared.settings import DEFAULT_DATABASE_URL

DATA_DIR = Path(os.environ.get("KNOOPPUNT_DATA", ".data"))
console = Console()

audit = typer.Typer(
    help="The audit trail: verify the chains and checkpoints, replay a case, export checkpoints.",
    no_args_is_help=True,
    add_completion=False,
)


def _refuse_in_production(what: str) -> None:
    if os.environ.get("ENVIRONMENT") == "production":
        console.print(f"[red]{what} uses the development key, which production refuses.[/red]")
        raise typer.Exit(2)


def token(
    org: str = typer.Option(..., help="The caller's agency, e.g. lkha, bz, veilig_thuis_utrecht"),
    rol: str = typer.Option(
        ..., help="lkha_medewerker, coordinator, bz_consulair, melder, beleid or auditor"
    ),
    user: str = typer.Option("ontwikkelaar", help="The user name recorded with each action"),
    ttl: int = typer.Option(8 * 3600, help="Seconds the token stays valid"),
    data_dir: Path = typer.Option(DATA_DIR, help="Where `knooppunt run` keeps its keys"),
) -> None:
    """Print a development bearer token (for curl: -H "Authorization: Bearer $(...)")."""
    _refuse_in_production("knooppunt token")
    jwk = devkeys.dev_jwk(data_dir.resolve() / "keys")
    typer.echo(mint_token(jwk, org=org, rol=rol, user=user, issuer=DEV_ISSUER, ttl_seconds=ttl))


def _database_url(value: str | None) -> str:
    return value or os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL


@audit.command()
def verify(
    database_url: str = typer.Option(None, help="Default: DATABASE_URL or the dev stack's"),
    checkpoints: Path = typer.Option(
        None, help="A directory of exported checkpoints to check too (default: .data/checkpoints)"
    ),
    keys: Path = typer.Option(
        None, help="Trusted checkpoint-<service>.pub files (default: .data/keys)"
    ),
) -> None:
    """Check every link of every chain and every checkpoint; exit 1 at the first break."""
    keys_dir = keys or DATA_DIR / "keys"
    trusted = load_trusted_keys(keys_dir) if keys_dir.is_dir() else {}
    folder = checkpoints or DATA_DIR / "checkpoints"
    exported = read_exported(folder) if folder.is_dir() else []
    engine = make_engine(_database_url(database_url), "public", pool_size=1)
    try:
        with engine.connect() as conn:
            report = verify_database(
                conn, trusted=trusted, exported=exported, exported_from=str(folder)
            )
    finally:
        engine.dispose()
    for line in report.lines():
        style = "green" if ("every link holds" in line or line.endswith("holds")) else "red"
        console.print(line, style=style, highlight=False)
    if not report.chains:
        console.print("no chains found in this database", style="yellow")
    if not report.ok:
        broken = report.first_broken
        if broken is not None:
            console.print(
                f"first broken record: {broken.service}/{broken.chain} position {broken.broken_at}",
                style="bold red",
            )
        raise typer.Exit(1)
    console.print("the audit trail holds", style="bold green")


def _service_url(service: str) -> str:
    return (
        os.environ.get(f"KNOOPPUNT_{service.upper()}_URL")
        or f"http://127.0.0.1:{SERVICES[service]}"
    )


def _auditor_token(given: str | None) -> str:
    if given:
        return given
    if os.environ.get("KNOOPPUNT_TOKEN"):
        return os.environ["KNOOPPUNT_TOKEN"]
    _refuse_in_production("a replay without --token")
    jwk = devkeys.dev_jwk(DATA_DIR.resolve() / "keys")
    return mint_token(jwk, org="adr", rol="auditor", user=os.environ.get("USER", "auditor"))


def merge(parts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Events and audit records of every service in one timeline."""
    rows: list[dict[str, Any]] = []
    for part in parts:
        for event in part.get("gebeurtenissen", []):
            door = event.get("vastgelegd_door") or {}
            rows.append(
                {
                    "tijd": event.get("vastgelegd_op") or "",
                    "service": part["service"],
                    "wat": f"{event['type']} (versie {event['versie']})",
                    "door": "/".join(str(door[k]) for k in ("org", "rol", "user"))
                    if door
                    else "systeem (consumer)",
                    "positie": event.get("positie"),
                    "keten": event.get("keten"),
                    "gegevens": event.get("gegevens"),
                }
            )
        for record in part.get("audit", []):
            door = "/".join(
                str(record.get(k) or "?") for k in ("actor_org", "actor_rol", "actor_user")
            )
            wat = f"audit: {record['action']} {record['decision']} ({record.get('result')})"
            if record.get("personal_data"):
                wat += f", persoonsgegevens voor {record.get('doel')}"
            rows.append(
                {
                    "tijd": record.get("recorded_at") or "",
                    "service": part["service"],
                    "wat": wat,
                    "door": door,
                    "positie": record.get("position"),
                    "keten": record.get("keten"),
                    "gegevens": None,
                }
            )
    return sorted(rows, key=lambda r: (_moment(r["tijd"]), r["service"]))


def _moment(value: Any) -> datetime:
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        return datetime.min.replace(tzinfo=UTC)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@audit.command()
def replay(
    zaak: str = typer.Argument(..., help="The case's zaak_id"),
    reden: str = typer.Option(None, help="Why personal data must be shown (logged by intake)"),
    token: str = typer.Option(None, help="An auditor's bearer token (default: KNOOPPUNT_TOKEN)"),
    as_json: bool = typer.Option(False, "--json", help="Print the merged timeline as JSON"),
) -> None:
    """A case's complete history across the four services, in order, integrity checked."""
    headers = {"Authorization": f"Bearer {_auditor_token(token)}"}
    params = {"reden": reden} if reden else {}
    parts = []
    for service in SERVICES:
        url = f"{_service_url(service)}/v1/audit/zaken/{zaak}"
        response = httpx.get(url, headers=headers, params=params, timeout=30)
        if response.status_code != 200:
            console.print(f"{service}: {response.status_code} {response.text}", style="red")
            raise typer.Exit(1)
        parts.append(response.json())
    rows = merge(parts)
    intact = all(p.get("integriteit") == "ok" for p in parts)
    if as_json:
        typer.echo(json.dumps({"zaak_id": zaak, "integriteit": intact, "tijdlijn": rows}, indent=2))
    else:
        columns = ("tijd", "service", "wat", "door", "positie", "keten")
        table = Table(title=f"zaak {zaak}")
        for column in columns:
            table.add_column(column)
        for row in rows:
            style = None if row["keten"] == "ok" else "red"
            table.add_row(*(str(row[c]) for c in columns), style=style)
        console.print(table)
    console.print(
        "every link holds" if intact else "INTEGRITY BROKEN: see the rows marked red",
        style="green" if intact else "bold red",
    )
    if not intact:
        raise typer.Exit(1)


@audit.command()
def checkpoint(
    out: Path = typer.Option(Path("checkpoints"), help="Where to write the checkpoint files"),
    sign: bool = typer.Option(False, help="First sign each chain's head now (dev keys)"),
    database_url: str = typer.Option(None, help="Default: DATABASE_URL or the dev stack's"),
) -> None:
    """Export every service's signed checkpoints as JSON files for a holder to keep."""
    engine = make_engine(_database_url(database_url), "public", pool_size=1)
    try:
        with engine.connect() as conn:
            schemas = chained_schemas(conn)
        if sign:
            _refuse_in_production("--sign")
            for schema in schemas:
                key = devkeys.checkpoint_key(DATA_DIR.resolve() / "keys", schema)
                writer = CheckpointWriter(
                    engine=engine, schema=schema, key=load_signing_key(key), interval=0
                )
                writer.write_now()
        written = []
        with engine.connect() as conn:
            for schema in schemas:
                written += export(stored_checkpoints(conn, schema), out)
    finally:
        engine.dispose()
    console.print(f"{len(written)} new checkpoint files in {out}")
