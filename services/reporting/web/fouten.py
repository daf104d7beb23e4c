"""The pages' answers to a refusal or a bad request: a short page in Dutch, never a case.

The guard (shared/security/wiring.py) refuses a page with 403 (role, or a role used with
another org) or 404 (a case not to be seen); bad parameters are a 400 (shared/problems.py). Under
/ui these become a minimal error page with the signed-in user's menu and nothing of any
case; elsewhere (the APIs) the handlers installed before stay in charge.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, cast

from fastapi import FastAPI, HTTPException, Request
from fastapi.exception_handlers import (
    http_exception_handler,
    request_validation_exception_handler,
)
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from services.reporting.policy import SESSIE
from services.reporting.web.aanmelding import sessie_van
from services.reporting.web.weergave import foutpagina

Handler = Callable[[Request, Any], Awaitable[Response]]

TEKSTEN = {
    403: ("Geen toegang", "Uw rol geeft geen toegang tot deze pagina."),
    404: ("Niet gevonden", "Deze pagina of zaak is hier niet bekend."),
    405: ("Niet zo te gebruiken", "Deze pagina kan niet op deze manier worden opgevraagd."),
}


def _op_pagina(request: Request) -> bool:
    return SESSIE.covers(request.url.path) and hasattr(request.app.state, "ui")


def pagina_fout(request: Request, status: int, uitleg: str | None = None) -> Response:
    """A minimal error page: the title and one sentence, the user's menu, no case content."""
    titel, standaard = TEKSTEN.get(status, ("Dat lukte niet", "Probeer het opnieuw."))
    return foutpagina(request, sessie_van(request), status, titel, uitleg or standaard, "/ui/")


def installeer_foutpaginas(app: FastAPI) -> None:
    """Error pages for /ui; the other paths keep the handlers installed before."""
    handlers = cast(dict[Any, Handler], app.exception_handlers)
    eerder_http = handlers.get(StarletteHTTPException, http_exception_handler)
    eerder_invoer = handlers.get(RequestValidationError, request_validation_exception_handler)

    async def bij_http(request: Request, exc: StarletteHTTPException) -> Response:
        if not _op_pagina(request):
            return await eerder_http(request, exc)
        if exc.status_code in (301, 302, 303, 307) and exc.headers:
            return RedirectResponse(exc.headers["Location"], status_code=exc.status_code)
        return pagina_fout(request, exc.status_code)

    async def bij_invoer(request: Request, exc: RequestValidationError) -> Response:
        if not _op_pagina(request):
            return await eerder_invoer(request, exc)
        velden = "; ".join(
            f"{'.'.join(str(p) for p in e.get('loc', ())[1:])}: {e.get('msg')}"
            for e in exc.errors()
        )
        return pagina_fout(request, 400, f"Deze pagina kent deze invoer niet ({velden}).")

    handlers[StarletteHTTPException] = bij_http
    handlers[HTTPException] = bij_http
    handlers[RequestValidationError] = bij_invoer
