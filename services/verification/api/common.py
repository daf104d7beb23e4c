"""What every route of verification shares: dependencies, headers and error translation."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, TypeVar

from fastapi import Depends, HTTPException, Request, Response

from services.verification.application import A, Uitslag, VerificationApplication
from services.verification.domain import (
    ActieNotFound,
    IdempotencyConflict,
    OngeldigeWaarde,
    RegelGeschonden,
    RegieoverlegNotFound,
    VersieConflict,
    ZaakNotFound,
)
from services.verification.readmodel import AgendaProjection, AgendaStore
from services.verification.schemas import ErrorBody
from shared.api import invalid, mark_replayed, set_etag

T = TypeVar("T")


def get_application(request: Request) -> VerificationApplication:
    return request.app.state.verification  # type: ignore[no-any-return]


def get_agenda(request: Request) -> AgendaStore:
    return request.app.state.agenda  # type: ignore[no-any-return]


def get_projection(request: Request) -> AgendaProjection:
    return request.app.state.projection  # type: ignore[no-any-return]


App = Annotated[VerificationApplication, Depends(get_application)]
AgendaLezer = Annotated[AgendaStore, Depends(get_agenda)]
Projectie = Annotated[AgendaProjection, Depends(get_projection)]
ERRORS: dict[int | str, dict[str, object]] = {
    404: {"model": ErrorBody, "description": "not yet known here: retry later"},
    409: {"model": ErrorBody, "description": "a domain rule was broken: the message says which"},
    412: {"model": ErrorBody, "description": "If-Match names an older versie"},
}


def uitvoeren(opdracht: Callable[[], T]) -> T:
    """Run an application call; translate the domain's errors into HTTP answers."""
    try:
        return opdracht()
    except (ZaakNotFound, RegieoverlegNotFound, ActieNotFound) as exc:
        raise HTTPException(status_code=404, detail=str(exc)) from exc
    except VersieConflict as exc:
        raise HTTPException(status_code=412, detail=f"the versie is stale: {exc}") from exc
    except IdempotencyConflict as exc:
        raise HTTPException(status_code=422, detail=f"Idempotency-Key: {exc}") from exc
    except OngeldigeWaarde as exc:
        raise invalid(exc.veld, exc.regel, str(exc)) from exc
    except RegelGeschonden as exc:
        raise HTTPException(status_code=409, detail=str(exc)) from exc


def beantwoord(uitslag: Uitslag[A], response: Response, notify: Callable[[], None]) -> A:
    """A command's aggregate: wake the relay after a save, mark a retry's answer, set the ETag."""
    if uitslag.nieuw:
        notify()
    mark_replayed(response, not uitslag.nieuw)
    set_etag(response, uitslag.waarde.version)
    return uitslag.waarde
