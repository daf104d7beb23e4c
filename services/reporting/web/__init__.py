"""The coordinators' web pages for the regieoverleg, served by reporting under /ui.

Server-rendered HTML (Jinja2), plain forms with POST-redirect-GET, one small script for
comfort, nothing fetched at run time. Cases and timelines come from reporting's own facts
(`Bron`); decisions, actions and personal data go through verification's and intake's APIs
with the signed-in user's token (`Partners`). Every page is an operation of reporting's
policy (`ui_*`): the security middleware and guard authenticate, authorise and audit it like
an API; a refusal is a page that says so and shows nothing of a case. See docs/ui.md.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from starlette.staticfiles import StaticFiles

from services.reporting.settings import ReportingSettings
from services.reporting.web.aanmelding import Aangemeld, tokens_voor
from services.reporting.web.bron import Bron
from services.reporting.web.cijfers import build_cijfers_router
from services.reporting.web.fouten import installeer_foutpaginas
from services.reporting.web.paginas import build_zaken_router
from services.reporting.web.partners import Partners
from services.reporting.web.rechten import rechten_van
from services.reporting.web.toegang import build_aanmeld_router
from services.reporting.web.weergave import Web, foutpagina, maak_templates

STATIC = Path(__file__).parent / "static"


def static_files() -> StaticFiles:
    """The pages' CSS and script (mounted at /ui/static)."""
    return StaticFiles(directory=STATIC)


def build_web_router(settings: ReportingSettings) -> APIRouter:
    """The pages under /ui; their clients to the other services live as long as the app."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        partners, clients = Partners.verbind(
            intake_url=settings.intake_url,
            verification_url=settings.verification_url,
            timeout=settings.ui_timeout_seconds,
        )
        app.state.ui = web = Web(
            settings=settings,
            bron=Bron(app.state.rapportage),
            partners=partners,
            tokens=tokens_voor(settings),
            templates=maak_templates(),
        )
        await asyncio.to_thread(web.bron.warm)
        try:
            yield
        finally:
            for client in clients:
                client.close()

    router = APIRouter(lifespan=lifespan, include_in_schema=False)
    router.include_router(pagina_routes(), prefix="/ui")
    return router


def install_pages(app: FastAPI, settings: ReportingSettings) -> None:
    """The pages under /ui, their static files and their error pages (after secure())."""
    app.include_router(build_web_router(settings))
    app.mount("/ui/static", static_files(), name="ui-static")
    installeer_foutpaginas(app)


def pagina_routes() -> APIRouter:
    """The pages' routes, to be included with prefix /ui; they find their `Web` in app.state.ui."""
    router = APIRouter(include_in_schema=False)

    @router.get("", operation_id="ui_start", response_model=None)
    @router.get("/", operation_id="ui_start", response_model=None)
    def start(request: Request, sessie: Aangemeld) -> Response:
        """The pages start at the agenda (LKHA) or the figures (BZ, policy, the auditor)."""
        rechten = rechten_van(sessie.actor)
        if rechten.zaken:
            return RedirectResponse("/ui/agenda", status_code=303)
        if rechten.cijfers:
            return RedirectResponse("/ui/cijfers", status_code=303)
        return foutpagina(request, sessie, 403, "Geen toegang", "Uw rol geeft geen toegang.")

    router.include_router(build_aanmeld_router())
    router.include_router(build_zaken_router())
    router.include_router(build_cijfers_router())
    return router
