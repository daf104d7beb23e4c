"""`knooppunt parked ...`: the messages a service's consumers parked (shared/parking.py).

- `parked list --service S` lists the messages waiting (parked, held behind one, retried);
- `parked show SEQ --service S` shows one as it arrived (subject, headers, payload);
- `parked retry SEQ --service S` asks the running service to apply the message's case again,
  in stream order (its held events too), and waits for the outcome;
- `parked discard SEQ --service S --reason ...` gives a message up: the row is kept, marked
  with who and why, and an audit record is written in the service's audit log in the same
  transaction; the events held behind it are then retried.
Each reads the service's schema in PostgreSQL (DATABASE_URL, or the dev stack's) and says so
on standard error; standard output carries only the result (`--json`: valid JSON).
"""

from __future__ import annotations

import getpass
import json
import os
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy import MetaData

from deploy.cli_common import EXIT_USAGE, CliError, data_dir_option, err, one_line_errors, shown_url
from deploy.stack import SERVICES
from shared.context import Actor
from shared.db import make_engine
from shared.parking import APPLIED, PARKED, RETRY, WAITING, ParkedMessage, ParkingLot, parked_table
from shared.parking import safe_text as _safe
from shared.security.audit import ALLOWED, AuditEntry, AuditLog
from shared.settings import DEFAULT_DATABASE_URL

out = Console(highlight=False, soft_wrap=True)
parked = typer.Typer(
    help="Messages a service's consumers could not apply: list, show, retry, discard.",
    no_args_is_help=True,
    add_completion=False,
)

SERVICE = typer.Option(..., "--service", "-s", help=f"One of: {', '.join(SERVICES)}")
STREAM = typer.Option(None, "--stream", help="The stream (when the sequence is on several)")
DATABASE_URL = typer.Option(None, help="Default: DATABASE_URL or the dev stack's")
AS_JSON = typer.Option(False, "--json", help="Print JSON")


def _lot(service: str, database_url: str | None) -> ParkingLot:
    if service not in SERVICES:
        raise CliError(f"--service {service!r}: must be one of {', '.join(SERVICES)}", EXIT_USAGE)
    url = database_url or os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL
    err.print(f"reading the parked messages of {service} in {shown_url(url)}")
    return ParkingLot(make_engine(url, service, pool_size=1), parked_table(MetaData()))


def _one(lot: ParkingLot, stream: str | None, sequence: int) -> ParkedMessage:
    if sequence < 1:
        raise CliError(f"sequence {sequence}: must be 1 or more", EXIT_USAGE)
    found = [m for m in lot.list(include_discarded=True) if m.sequence == sequence]
    if stream is not None:
        found = [m for m in found if m.stream == stream.upper()]
    if not found:
        where = f" on {stream.upper()}" if stream else ""
        raise CliError(f"no parked message with sequence {sequence}{where}")
    if len(found) > 1:
        streams = ", ".join(m.stream for m in found)
        raise CliError(f"sequence {sequence} is parked on {streams}: give --stream", EXIT_USAGE)
    return found[0]


def _as_dict(message: ParkedMessage, *, payload: bool = False) -> dict[str, Any]:
    values = asdict(message)
    values.pop("payload")
    for key in ("first_failed_at", "last_failed_at"):
        values[key] = values[key].isoformat()
    if payload:
        values["payload"] = message.payload.decode("utf-8", errors="backslashreplace")
    return values


def _ready(message: ParkedMessage) -> None:
    if message.status not in WAITING:
        raise CliError(f"sequence {message.sequence} is {message.status} already", EXIT_USAGE)


@parked.command("list")
@one_line_errors
def list_(
    service: str = SERVICE,
    include_discarded: bool = typer.Option(False, "--all", help="Discarded messages too"),
    as_json: bool = AS_JSON,
    database_url: str = DATABASE_URL,
    data_dir: Path = data_dir_option(),
) -> None:
    """The messages waiting (parked, held or being retried), in stream order."""
    messages = _lot(service, database_url).list(include_discarded=include_discarded)
    if as_json:
        print(json.dumps([_as_dict(m) for m in messages], indent=2))
        return
    if not messages:
        out.print(f"{service}: no parked messages")
        return
    table = Table(title=f"{service}: parked messages")
    for column in ("stream", "seq", "status", "case", "attempts", "last failure", "reason"):
        table.add_column(column)
    for m in messages:
        table.add_row(
            m.stream,
            str(m.sequence),
            m.status,
            m.zaak_id or "-",
            str(m.attempts),
            m.last_failed_at.isoformat(timespec="seconds"),
            m.reason,
        )
    out.print(table)


@parked.command()
@one_line_errors
def show(
    sequence: int = typer.Argument(..., help="The message's stream sequence"),
    service: str = SERVICE,
    stream: str = STREAM,
    as_json: bool = AS_JSON,
    database_url: str = DATABASE_URL,
    data_dir: Path = data_dir_option(),
) -> None:
    """One parked message as it arrived: subject, headers, payload, why it failed."""
    message = _one(_lot(service, database_url), stream, sequence)
    values = _as_dict(message, payload=True)
    if as_json:
        print(json.dumps(values, indent=2))
        return
    for key, value in values.items():
        shown = json.dumps(value) if isinstance(value, dict) else value
        out.print(f"{key:>18}: {shown}", markup=False)


@parked.command()
@one_line_errors
def retry(
    sequence: int = typer.Argument(..., help="The message's stream sequence"),
    service: str = SERVICE,
    stream: str = STREAM,
    wait: float = typer.Option(30, min=0, help="Seconds to wait for the outcome (0: none)"),
    database_url: str = DATABASE_URL,
    data_dir: Path = data_dir_option(),
) -> None:
    """Ask the running service to apply the message's case again, in order (held events
    too), and wait for the outcome."""
    lot = _lot(service, database_url)
    message = _one(lot, stream, sequence)
    _ready(message)
    with lot.engine.begin() as conn:
        lot.request_retry(message.stream, message.sequence, conn)
    err.print(f"retry of {message.stream} seq {sequence} requested")
    deadline = time.monotonic() + wait
    while wait and time.monotonic() < deadline:
        time.sleep(0.5)
        now = lot.get(message.stream, sequence)
        if now is None or now.status == APPLIED:
            out.print(f"{message.stream} seq {sequence} applied")
            return
        if now.status == PARKED:
            raise CliError(f"{message.stream} seq {sequence} failed again: {now.reason}", 1)
        if now.status != RETRY:
            out.print(f"{message.stream} seq {sequence} is {now.status} again")
            return
    if wait:
        raise CliError(
            f"the retry was requested but not done within {wait:g} s: is {service} running?"
        )


@parked.command()
@one_line_errors
def discard(
    sequence: int = typer.Argument(..., help="The message's stream sequence"),
    service: str = SERVICE,
    reason: str = typer.Option(..., "--reason", help="Why it is given up (audited)"),
    by: str = typer.Option(None, "--by", help="Who gives it up (default: the login name)"),
    stream: str = STREAM,
    database_url: str = DATABASE_URL,
    data_dir: Path = data_dir_option(),
) -> None:
    """Give a message up (kept, marked, audited); the events held behind it are retried."""
    because = reason.strip()
    if not because or because != _safe(because, 500):
        raise CliError("--reason: give a reason of at most 500 characters, no control ones", 2)
    who = (by or getpass.getuser()).strip()
    if not who or who != _safe(who, 100):
        raise CliError("--by: give a user name of at most 100 characters", EXIT_USAGE)
    lot = _lot(service, database_url)
    message = _one(lot, stream, sequence)
    _ready(message)
    entry = AuditEntry(
        service=service,
        action="parked.discard",
        decision=ALLOWED,
        object=f"{message.stream}:{message.sequence}",
        zaak_id=message.zaak_id,
        result="discarded",
        reason=because,
        origin="knooppunt parked discard",
        actor=Actor(org="knooppunt", rol="beheerder", user=who),
    )
    with lot.engine.begin() as conn:
        lot.discard(message.stream, message.sequence, by=who, because=because, conn=conn)
        position = AuditLog(lot.engine, service).write(entry, conn)
    out.print(f"{message.stream} seq {sequence} discarded by {who} (audit record {position})")
