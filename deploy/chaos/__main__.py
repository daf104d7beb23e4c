"""`python -m deploy.chaos --faults N`: the fault campaign (deploy/chaos/__init__.py)."""

from __future__ import annotations

import asyncio
import shutil
import tempfile
from pathlib import Path

import typer

from deploy.chaos.campaign import campaign
from deploy.chaos.faults import FAULTS

cli = typer.Typer(add_completion=False)


@cli.command()
def main(
    faults: int = typer.Option(30, min=1, help="How many faults to inject."),
    seed: int = typer.Option(1, help="The random seed (the same seed, the same faults)."),
    workers: int = typer.Option(3, min=1, help="Concurrent clients sending commands."),
    settle: float = typer.Option(60, min=1, help="Seconds to recover after a fault."),
    only: list[str] = typer.Option(
        [], help=f"Only these faults (repeatable): {', '.join(FAULTS)}."
    ),
    minutes: float = typer.Option(
        None, min=0.1, help="Stop injecting faults after this many minutes (then check all)."
    ),
    data_dir: Path = typer.Option(
        None, help="Where the campaign's servers keep their data (default: a new temp dir)."
    ),
) -> None:
    """Inject faults into a stack of real processes under load; the last line is the tally."""
    unknown = sorted(set(only) - set(FAULTS))
    if unknown:
        raise typer.BadParameter(f"unknown faults {unknown}; known: {', '.join(FAULTS)}")
    folder = data_dir or Path(tempfile.mkdtemp(prefix="knooppunt-chaos-"))
    try:
        tally = asyncio.run(
            campaign(
                folder,
                faults=faults,
                seed=seed,
                workers=workers,
                settle=settle,
                only=only or None,
                minutes=minutes,
                report=lambda line: typer.echo(line),
            )
        )
    finally:
        if data_dir is None:
            shutil.rmtree(folder, ignore_errors=True)
    typer.echo(tally.line())
    raise typer.Exit(0 if tally.ok else 1)


if __name__ == "__main__":
    cli()
