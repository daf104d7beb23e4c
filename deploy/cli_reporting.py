"""`knooppunt reporting ...`: operating reporting's facts (rebuild); the demo data loader."""

from __future__ import annotations

import asyncio
import os
import socket
import threading
from contextlib import ExitStack
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import typer
from pydantic import SecretStr
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from deploy import devkeys
from deploy.cli_common import DATA_DIR, one_line_errors
from deploy.demo.load import Diensten, LaadFout, Lader, bearer
from deploy.demo.to_envelopes import STANDAARD, laad_dataset
from deploy.stack import Stack
from services.reporting.rebuild import REBUILD_USER, Verslag, herbouw_met
from services.reporting.settings import ReportingSettings
from services.reporting.store import StoreInUse
from shared import dbroles
from shared.settings import DEFAULT_DATABASE_URL

app = typer.Typer(
    help="Reporting: rebuild its facts from the event streams.",
    no_args_is_help=True,
    add_completion=False,
)
console = Console()


def _luistert(url: str) -> bool:
    deel = urlsplit(url)
    try:
        with socket.create_connection((deel.hostname or "127.0.0.1", deel.port or 0), timeout=1):
            return True
    except OSError:
        return False


def _servers(data_dir: Path, stack: ExitStack) -> ReportingSettings:
    """The configured servers (DATABASE_URL, NATS_URL, NATS_USER, ...); without them those of
    `knooppunt run` in ``data_dir``, started for the duration of the command when they are not
    running, with the rebuild's own NATS user (reporting_rebuild)."""
    settings = ReportingSettings()
    eigen = bool(os.environ.get("DATABASE_URL") or os.environ.get("NATS_URL"))
    if eigen:
        if not (_luistert(settings.database_url) and _luistert(settings.nats_url)):
            raise typer.BadParameter("DATABASE_URL or NATS_URL does not answer")
        return settings
    dev = Stack(data_dir=data_dir.resolve())
    if not (_luistert(settings.database_url) and _luistert(settings.nats_url)):
        console.print(f"Starting PostgreSQL and NATS from {dev.data_dir} ...")
        dev.start_servers()
        stack.callback(dev.stop)
        assert dev.database_url and dev.nats_url
        settings = settings.model_copy(
            update={"database_url": dev.database_url, "nats_url": dev.nats_url}
        )
    basis = dev.database_url or DEFAULT_DATABASE_URL  # the dev stack's, as reporting's roles
    wachtwoorden = dev.pg_passwords()
    settings = settings.model_copy(
        update={
            "database_url": dbroles.role_url(
                basis, dbroles.runtime_role("reporting"), wachtwoorden
            ),
            "database_owner_url": SecretStr(
                dbroles.role_url(basis, dbroles.owner_role("reporting"), wachtwoorden)
            ),
        }
    )
    if settings.nats_user is None:
        seed = SecretStr(devkeys.read_nats_secrets(dev.keys_dir)[REBUILD_USER])
        settings = settings.model_copy(update={"nats_user": REBUILD_USER, "nats_nkey_seed": seed})
    return settings


def _toon(verslag: Verslag) -> None:
    tabel = Table(title="Rebuilt from the streams")
    tabel.add_column("stream")
    tabel.add_column("messages", justify="right")
    for stream, aantal in verslag.per_stream.items():
        tabel.add_row(stream, str(aantal))
    console.print(tabel)
    console.print(f"facts before: {verslag.voor['feiten']}, after: {verslag.na['feiten']}")
    if verslag.overgeslagen:
        console.print(f"[yellow]{verslag.overgeslagen} messages were not events: skipped[/]")


@app.command()
@one_line_errors
def rebuild(
    data_dir: Path = typer.Option(DATA_DIR, help="The dev stack's data (when no URLs are set)."),
) -> None:
    """Drop reporting's facts, replay the producers' streams, compare the figures."""
    with ExitStack() as stack:
        settings = _servers(data_dir, stack)
        if settings.database_owner_url is None:
            console.print(
                "[red]A rebuild drops reporting's facts, which only reporting's owner role "
                "may: set DATABASE_OWNER_URL (docs/operations.md).[/]"
            )
            raise typer.Exit(2)
        taken: dict[str, TaskID] = {}
        with Progress(
            TextColumn("{task.description:<14}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            console=console,
        ) as progress:

            def voortgang(stream: str, gedaan: int, totaal: int) -> None:
                if stream not in taken:
                    taken[stream] = progress.add_task(stream, total=totaal)
                progress.update(taken[stream], completed=gedaan)

            try:
                verslag = asyncio.run(herbouw_met(settings, voortgang=voortgang))
            except StoreInUse as fout:
                console.print(f"[red]{fout}[/] (stop `knooppunt run` or the reporting service)")
                raise typer.Exit(2) from fout
        _toon(verslag)
        if verslag.verschillen:
            console.print(f"[red]Figures differ after the rebuild:[/] {verslag.verschillen}")
            raise typer.Exit(1)
        console.print("[green]The rebuilt figures are identical to the ones before.[/]")


def laad_demo(stack: Stack) -> threading.Thread:
    """Load the demo data set (deploy/demo) into a running stack, in the background."""

    def laad() -> None:
        console.print("Loading the demo data set through the APIs (deploy/demo) ...")
        try:
            with httpx.Client(timeout=30) as client:
                lader = Lader(Diensten.van(stack.url), headers=bearer(stack.token), client=client)
                geladen = lader.laad([laad_dataset(p) for p in STANDAARD])
                lader.wacht_op_reporting(geladen)
        except (LaadFout, httpx.HTTPError) as fout:
            console.print(f"[red]Loading the demo data set failed:[/] {fout}")
            return
        console.print(
            f"Demo data set loaded: {len(geladen.zaak_ids)} cases, {geladen.posts} requests. "
            f"Try {stack.url('reporting')}/v1/jaarcijfers/2018 (Accept: text/html for the page)"
        )

    draad = threading.Thread(target=laad, name="demo-loader", daemon=True)
    draad.start()
    return draad
