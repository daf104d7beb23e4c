"""What every `knooppunt` command shares: `--data-dir`, and how it ends: one clear line on
standard error and an exit code.

| exit | meaning |
|---|---|
| 0 | done; for `audit verify` and `audit replay`: every link and checkpoint holds |
| 1 | `audit verify` / `audit replay`: the audit trail is broken (the report says where) |
| 2 | a bad argument or value (click's usage errors), or refused (production) |
| 3 | something the command needs is missing or does not answer (a key, a server, a case) |

`@one_line_errors` turns the failures a command can meet (a server that is down, a missing
development key, NATS refusing the credentials, an unknown case) into that one line instead
of a traceback; messages about what a command reads go to standard error too, so standard
output holds only the result (a token, JSON).
"""

from __future__ import annotations

import contextlib
import functools
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

import httpx
import typer
from rich.console import Console
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, OperationalError

from deploy.devkeys import KeysMissing
from shared.messaging import NatsUnavailable

#: The development stack's directory (keys, checkpoints, PostgreSQL and NATS data, logs).
DATA_DIR = Path(os.environ.get("KNOOPPUNT_DATA", ".data"))


def data_dir_option(
    help: str = "The dev stack's directory (keys/, checkpoints/; KNOOPPUNT_DATA)",
) -> Any:
    """The `--data-dir` option every command takes."""
    return typer.Option(DATA_DIR, "--data-dir", help=help, file_okay=False)


EXIT_BROKEN = 1
EXIT_USAGE = 2
EXIT_UNAVAILABLE = 3

#: Messages for people (what is read, progress, errors): standard error.
err = Console(stderr=True, highlight=False, soft_wrap=True)

P = ParamSpec("P")
R = TypeVar("R")


class CliError(Exception):
    """A failure the command explains in one line."""

    def __init__(self, message: str, code: int = EXIT_UNAVAILABLE) -> None:
        super().__init__(message)
        self.code = code


def shown_url(url: str) -> str:
    """A database URL without its password, for messages."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "(unreadable database URL)"


def _first_line(exc: BaseException) -> str:
    cause = getattr(exc, "orig", None) or exc
    text = str(cause).strip().splitlines()
    return text[0] if text else type(cause).__name__


def fail(message: str, code: int = EXIT_UNAVAILABLE) -> typer.Exit:
    """Print `message` as the command's one error line; the Exit to raise."""
    err.print(f"[red]error:[/red] {message}", soft_wrap=True)
    return typer.Exit(code)


def one_line_errors(command: Callable[P, R]) -> Callable[P, R]:
    """Run a command; the failures it can meet become one line and a non-zero exit."""

    @functools.wraps(command)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return command(*args, **kwargs)
        except CliError as exc:
            raise fail(str(exc), exc.code) from None
        except KeysMissing as exc:
            raise fail(str(exc)) from None
        except NatsUnavailable as exc:
            raise fail(str(exc)) from None
        except OperationalError as exc:
            raise fail(f"the database does not answer: {_first_line(exc)}") from None
        except DBAPIError as exc:
            raise fail(f"the database refused: {_first_line(exc)}") from None
        except httpx.HTTPError as exc:
            where = ""
            with contextlib.suppress(RuntimeError):  # an error without its request
                where = f" {exc.request.url}"
            raise fail(f"cannot reach{where}: {_first_line(exc)}") from None
        except OSError as exc:
            raise fail(f"{exc.strerror or exc}: {exc.filename or ''}".rstrip(": ")) from None

    return run
