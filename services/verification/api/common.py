"""What every route of verification shares: dependencies, headers and the problems of a
command (the domain's errors become problems in services/verification/problems.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Request, Response

from services.verification.application import A, Uitslag, VerificationApplication
from services.verification.readmodel import AgendaProjection, AgendaStore
from shared.api import mark_replayed, set_etag
from shared.problems import documented


def get_application(request: Request) -> VerificationApplication:
    return request.app.state.verification  # type: ignore[no-any-return]


def get_agenda(request: Request) -> AgendaStore:
    return request.app.state.agenda  # type: ignore[no-any-return]


def get_projection(request: Request) -> AgendaProjection:
    return request.app.state.projection  # type: ignore[no-any-return]


App = Annotated[VerificationApplication, Depends(get_application)]
AgendaLezer = Annotated[AgendaStore, Depends(get_agenda)]
Projectie = Annotated[AgendaProjection, Depends(get_projection)]
#: The problems of a command on a case or a regieoverleg (shared/problems.py, docs/api.md).
CHANGE_PROBLEMS = documented(404, 409, 412, 422)


def beantwoord(uitslag: Uitslag[A], response: Response, notify: Callable[[], None]) -> A:
    """A command's aggregate: wake the relay after a save, mark a retry's answer, set the ETag."""
    if uitslag.nieuw:
        notify()
    mark_replayed(response, not uitslag.nieuw)
    set_etag(response, uitslag.waarde.version)
    return uitslag.waarde
