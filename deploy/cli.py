"""`knooppunt`: the command-line tool for running and operating the system."""

from __future__ import annotations

import os
import signal
import threading
from pathlib import Path

import typer

from deploy import cli_audit, cli_db, cli_parked, cli_reporting, cli_security
from deploy.cli_common import DATA_DIR, shown_url
from deploy.stack import SERVICES, Stack

app = typer.Typer(
    help="Knooppunt: case coordination for forced marriage and abandonment abroad.",
    no_args_is_help=True,
    add_completion=False,
    # An unexpected error: a plain traceback, never the local variables (keys, passwords).
    pretty_exceptions_show_locals=False,
    # Usage errors as click prints them: the rule broken on one line, not in a box.
    rich_markup_mode=None,
)


@app.callback()
def _root() -> None:
    """Knooppunt: case coordination for forced marriage and abandonment abroad."""


@app.command()
def run(
    data_dir: Path = typer.Option(DATA_DIR, help="Where the servers keep their data."),
    demo: bool = typer.Option(False, "--demo", help="Load the demo data set (deploy/demo)."),
) -> None:
    """Start PostgreSQL, NATS, OpenBao and the four services; Ctrl-C stops everything."""
    stack = Stack(
        data_dir=data_dir.resolve(),
        database_url=os.environ.get("DATABASE_URL"),
        nats_url=os.environ.get("NATS_URL"),
    )
    stopping = threading.Event()

    def _stop(signum: int, frame: object) -> None:
        stopping.set()

    signal.signal(signal.SIGINT, _stop)
    signal.signal(signal.SIGTERM, _stop)
    try:
        typer.echo("Starting PostgreSQL, NATS and OpenBao ...")
        stack.start_servers()
        typer.echo(f"  PostgreSQL  {shown_url(stack.database_url or '')}")
        typer.echo(f"  NATS        {stack.nats_url}")
        typer.echo(f"  OpenBao     {stack.openbao.url if stack.openbao else '-'}")
        for service in SERVICES:
            stack.start_service(service)
        for service in SERVICES:
            stack.wait_ready(service)
            typer.echo(f"  {service:<12}{stack.url(service)}  (docs: {stack.url(service)}/docs)")
        typer.echo(f"Logs in {stack.data_dir / 'logs'}. Press Ctrl-C to stop.")
        if demo:
            cli_reporting.laad_demo(stack)
        typer.echo(
            "Every API call needs a bearer token; get a development token with\n"
            "  knooppunt token --org lkha --rol coordinator\n"
            'and send it: curl -H "Authorization: Bearer $(knooppunt token --org lkha '
            '--rol coordinator)" ...  (docs/security.md)'
        )
        while not stopping.wait(1):
            for name, proc in stack.processes.items():
                if proc.poll() is not None:
                    typer.echo(f"{name} stopped unexpectedly (exit {proc.returncode}); stopping.")
                    stopping.set()
    finally:
        typer.echo("Stopping ...")
        stack.stop()
        typer.echo("Stopped.")


app.add_typer(cli_reporting.app, name="reporting")
app.add_typer(cli_db.app, name="db")
app.command()(cli_security.init)
app.command()(cli_security.token)
app.add_typer(cli_audit.audit, name="audit")
app.add_typer(cli_parked.parked, name="parked")


def main() -> None:
    app()
