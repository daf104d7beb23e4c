"""`knooppunt audit ...`: verify the chains and checkpoints, replay a case, export checkpoints.

- `audit verify` checks every link of every chain in the database and every checkpoint (the
  services' own and those a holder kept) against trusted public keys, and fails unless every
  chain with records is anchored by a checkpoint held outside the database;
- `audit replay ZAAK` shows a case's history across the four services, via their APIs;
- `audit checkpoint` exports the signed checkpoints (and with --sign makes new ones with the
  development keys that already exist: it never makes a key).
Each says on standard error what it reads; standard output carries only the result.
"""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import UUID

import httpx
import typer
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from deploy import devkeys
from deploy.cli_common import (
    EXIT_BROKEN,
    CliError,
    data_dir_option,
    err,
    one_line_errors,
    shown_url,
)
from deploy.cli_security import refuse_in_production
from deploy.stack import SERVICES
from shared import dbroles
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
from shared.security.tokens import mint_token
from shared.security.verify import Report, verify_database
from shared.settings import DEFAULT_DATABASE_URL

out = Console(highlight=False, soft_wrap=True)

audit = typer.Typer(
    help="The audit trail: verify the chains and checkpoints, replay a case, export checkpoints.",
    no_args_is_help=True,
    add_completion=False,
)


def _database_url(value: str | None, data_dir: Path, role: str = dbroles.AUDITOR) -> str:
    """The given URL, DATABASE_URL, or the dev stack's database as `role` (by default the
    read-only auditor; the password from DATA_DIR/keys/postgres.json)."""
    given = value or os.environ.get("DATABASE_URL")
    if given:
        return given
    passwords = devkeys.read_postgres_passwords(data_dir.resolve() / "keys")
    return dbroles.role_url(DEFAULT_DATABASE_URL, role, passwords)


def _verify(url: str, trusted: Any, exported: list[Any], folder: Path) -> Report:
    engine = make_engine(url, "public", pool_size=1)
    try:
        with (
            Progress(
                SpinnerColumn(),
                TextColumn("{task.description}"),
                TextColumn("{task.completed} records"),
                TimeElapsedColumn(),
                console=err,
                transient=True,
            ) as progress,
            engine.connect() as conn,
        ):
            tasks: dict[str, Any] = {}

            def step(service: str, chain: str, done: int) -> None:
                name = f"{service}/{chain}"
                if name not in tasks:
                    tasks[name] = progress.add_task(f"verifying {name}", total=None)
                progress.update(tasks[name], completed=done)

            return verify_database(
                conn, trusted=trusted, exported=exported, exported_from=str(folder), progress=step
            )
    finally:
        engine.dispose()


@audit.command()
@one_line_errors
def verify(
    data_dir: Path = data_dir_option(),
    database_url: str = typer.Option(None, help="Default: DATABASE_URL or the dev stack's"),
    checkpoints: Path = typer.Option(
        None,
        help="Checkpoints a holder kept outside the database (default DATA_DIR/checkpoints)",
    ),
    keys: Path = typer.Option(
        None, help="The trusted checkpoint-<service>.pub files (default DATA_DIR/keys)"
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the report as JSON"),
) -> None:
    """Check every link of every chain and every checkpoint; exit 1 if anything fails,
    also when a chain with records is not anchored by a checkpoint held outside the database."""
    keys_dir = keys or data_dir / "keys"
    trusted = load_trusted_keys(keys_dir) if keys_dir.is_dir() else {}
    if not trusted:
        raise CliError(f"no trusted checkpoint keys (checkpoint-<service>.pub) in {keys_dir}")
    folder = checkpoints or data_dir / "checkpoints"
    exported = read_exported(folder) if folder.is_dir() else []
    url = _database_url(database_url, data_dir)
    err.print(
        f"reading the database {shown_url(url)}, {len(exported)} checkpoints from {folder}"
        f"{'' if folder.is_dir() else ' (no such directory)'}, trusted keys of "
        f"{', '.join(sorted(trusted))} from {keys_dir}"
    )
    report = _verify(url, trusted, exported, folder)
    if as_json:
        typer.echo(json.dumps(report.as_dict(), indent=2))
    else:
        for line in report.lines():
            good = line.endswith(("every link holds", "holds", "needs no anchor")) or (
                "anchored at" in line
            )
            out.print(line, style="green" if good else "red")
        if not report.chains:
            out.print("no chains found in this database", style="yellow")
    if not report.ok:
        broken = report.first_broken
        if broken is not None:
            err.print(
                f"first broken record: {broken.service}/{broken.chain} position {broken.broken_at}",
                style="bold red",
            )
        else:
            err.print("the audit trail does not hold (see above)", style="bold red")
        raise typer.Exit(EXIT_BROKEN)
    err.print("the audit trail holds", style="bold green")


def _service_url(service: str) -> str:
    return (
        os.environ.get(f"KNOOPPUNT_{service.upper()}_URL")
        or f"http://127.0.0.1:{SERVICES[service]}"
    )


def _auditor_token(given: str | None, data_dir: Path) -> str:
    if given:
        return given
    if os.environ.get("KNOOPPUNT_TOKEN"):
        return os.environ["KNOOPPUNT_TOKEN"]
    refuse_in_production("a replay without --token")
    keys = data_dir.resolve() / "keys"
    jwk = devkeys.read_dev_jwk(keys)
    err.print(f"an auditor's development token signed with {keys / 'jwt-dev.jwk.json'}")
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


def _detail(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text[:200]
    return str(body.get("detail", body)) if isinstance(body, dict) else str(body)[:200]


def _parts(zaak: UUID, token: str, reden: str | None) -> list[dict[str, Any]]:
    headers = {"Authorization": f"Bearer {token}"}
    params = {"reden": reden} if reden else {}
    parts = []
    for service in SERVICES:
        url = f"{_service_url(service)}/v1/audit/zaken/{zaak}"
        response = httpx.get(url, headers=headers, params=params, timeout=30)
        if response.status_code != 200:
            raise CliError(
                f"{service} answered {response.status_code} at {url}: {_detail(response)}"
            )
        parts.append(response.json())
    return parts


@audit.command()
@one_line_errors
def replay(
    zaak: UUID = typer.Argument(..., help="The case's zaak_id"),
    reden: str = typer.Option(None, help="Why personal data must be shown (logged by intake)"),
    token: str = typer.Option(None, help="An auditor's bearer token (default: KNOOPPUNT_TOKEN)"),
    as_json: bool = typer.Option(False, "--json", help="Print the merged timeline as JSON"),
    data_dir: Path = data_dir_option("The dev stack's directory (its key signs a dev token)"),
) -> None:
    """A case's complete history across the four services, in order, integrity checked;
    exit 1 if a link is broken, 3 if a service does not answer or no service knows the case."""
    auditor = _auditor_token(token, data_dir)
    err.print(
        f"reading the history of zaak {zaak} from "
        + ", ".join(f"{s} {_service_url(s)}" for s in SERVICES)
    )
    parts = _parts(zaak, auditor, reden)
    if not any(p.get("gebeurtenissen") for p in parts):
        raise CliError(f"zaak {zaak} is unknown: no service holds an event about it")
    rows = merge(parts)
    intact = all(p.get("integriteit") == "ok" for p in parts)
    if as_json:
        body = {
            "zaak_id": str(zaak),
            "integriteit": "ok" if intact else "gebroken",
            "tijdlijn": rows,
        }
        typer.echo(json.dumps(body, indent=2, default=str))
    else:
        columns = ("tijd", "service", "wat", "door", "positie", "keten")
        table = Table(title=f"zaak {zaak}")
        for column in columns:
            table.add_column(column)
        for row in rows:
            style = None if row["keten"] == "ok" else "red"
            table.add_row(*(str(row[c]) for c in columns), style=style)
        out.print(table)
    err.print(
        "every link holds" if intact else "INTEGRITY BROKEN: see the rows marked red",
        style="green" if intact else "bold red",
    )
    if not intact:
        raise typer.Exit(EXIT_BROKEN)


@audit.command()
@one_line_errors
def checkpoint(
    data_dir: Path = data_dir_option(),
    out_dir: Path = typer.Option(
        None, "--out", help="Where to write the checkpoint files (default DATA_DIR/checkpoints)"
    ),
    sign: bool = typer.Option(
        False, help="First sign each chain's head now, with DATA_DIR/keys (never makes a key)"
    ),
    database_url: str = typer.Option(None, help="Default: DATABASE_URL or the dev stack's"),
) -> None:
    """Export every service's signed checkpoints as JSON files for a holder to keep."""
    target = out_dir or data_dir / "checkpoints"
    url = _database_url(database_url, data_dir)
    err.print(f"reading the database {shown_url(url)}; writing to {target}")
    engine = make_engine(url, "public", pool_size=1)
    try:
        with engine.connect() as conn:
            schemas = chained_schemas(conn)
        if sign:
            refuse_in_production("--sign")
            keys = data_dir.resolve() / "keys"
            signing = {s: load_signing_key(devkeys.read_checkpoint_key(keys, s)) for s in schemas}
            err.print(f"signing with the checkpoint keys in {keys}")
            for schema, key in signing.items():  # as the service's role: the auditor only reads
                signer = make_engine(
                    _database_url(database_url, data_dir, dbroles.runtime_role(schema)),
                    schema,
                    pool_size=1,
                )
                try:
                    CheckpointWriter(engine=signer, schema=schema, key=key, interval=0).write_now()
                finally:
                    signer.dispose()
        written = []
        with engine.connect() as conn:
            for schema in schemas:
                written += export(stored_checkpoints(conn, schema), target)
    finally:
        engine.dispose()
    err.print(f"{len(written)} new checkpoint files in {target}")
