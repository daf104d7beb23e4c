"""Rendering the pages: the Jinja2 environment, its filters and the headers every page gets."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from services.reporting.settings import ReportingSettings
from services.reporting.web import labels
from services.reporting.web.aanmelding import Sessie, Tokens
from services.reporting.web.bron import Bron
from services.reporting.web.partners import Partners
from services.reporting.web.rechten import rechten_van

TEMPLATES = Path(__file__).parent / "templates"
AMSTERDAM = ZoneInfo("Europe/Amsterdam")
MAANDEN = [
    "januari",
    "februari",
    "maart",
    "april",
    "mei",
    "juni",
    "juli",
    "augustus",
    "september",
    "oktober",
    "november",
    "december",
]

BEVEILIGING = {
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self'; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
}
"""Headers of every page: nothing from elsewhere, not framed, not cached (personal data)."""


@dataclass
class Web:
    """What the pages need, built once in the lifespan."""

    settings: ReportingSettings
    bron: Bron
    partners: Partners
    tokens: Tokens
    templates: Jinja2Templates


def get_web(request: Request) -> Web:
    return request.app.state.ui  # type: ignore[no-any-return]


WebDeps = Annotated[Web, Depends(get_web)]


def getal(tekst: str, cijfers: int) -> int | None:
    """A page parameter as a whole number of at most `cijfers` ASCII digits, else None."""
    return int(tekst) if tekst.isascii() and tekst.isdigit() and len(tekst) <= cijfers else None


def _datum(waarde: date | None) -> str:
    return waarde.strftime("%d-%m-%Y") if waarde else "—"


def _datum_lang(waarde: date | None) -> str:
    return f"{waarde.day} {MAANDEN[waarde.month - 1]} {waarde.year}" if waarde else "—"


def _tijdstip(waarde: datetime | None) -> str:
    return waarde.astimezone(AMSTERDAM).strftime("%d-%m-%Y %H:%M") if waarde else "—"


def _leeftijd(dagen: int) -> str:
    if dagen < 0:
        return "nog niet"
    if dagen == 1:
        return "1 dag"
    if dagen < 60:
        return f"{dagen} dagen"
    if dagen < 730:
        return f"{dagen // 30} maanden"
    return f"{dagen // 365} jaar"


def _code(waarde: object, lijst: str) -> str:
    return labels.label(labels.LIJSTEN[lijst], waarde)


def _janee(waarde: object) -> str:
    return "onbekend" if waarde is None else ("ja" if waarde else "nee")


def maak_templates() -> Jinja2Templates:
    """The pages' templates with the filters they use."""
    templates = Jinja2Templates(directory=TEMPLATES)
    env = templates.env
    env.filters.update(
        datum=_datum,
        datum_lang=_datum_lang,
        tijdstip=_tijdstip,
        leeftijd=_leeftijd,
        code=_code,
        land=labels.land,
        organisatie=labels.organisatie,
        janee=_janee,
    )
    env.globals.update(
        statisch=lambda naam: f"/ui/static/{naam}",
        nieuwe_sleutel=lambda: f"ui-{uuid.uuid4()}",
        instanties=labels.INSTANTIES,
    )
    return templates


@dataclass(frozen=True)
class Melding:
    """A message at the top of a page."""

    tekst: str
    soort: str = "info"  # info | gedaan | fout | let-op
    punten: tuple[str, ...] = ()


def render(
    request: Request,
    template: str,
    context: Mapping[str, Any],
    *,
    sessie: Sessie | None,
    status_code: int = 200,
    meldingen: list[Melding] | None = None,
) -> HTMLResponse:
    """Render a page with the signed-in user, their rights and the safety headers."""
    web: Web = request.app.state.ui
    volledig = {
        "sessie": sessie,
        "rechten": rechten_van(sessie.actor) if sessie else None,
        "meldingen": meldingen or [],
        # The development sign-in mints tokens: every page says so (never in production).
        "ontwikkelomgeving": web.tokens.mag_maken,
        **context,
    }
    return web.templates.TemplateResponse(
        request, template, volledig, status_code=status_code, headers=BEVEILIGING
    )


def foutpagina(
    request: Request,
    sessie: Sessie | None,
    status_code: int,
    titel: str,
    uitleg: str,
    terug: str | None = None,
) -> HTMLResponse:
    """A page that says what went wrong, in the users' words."""
    return render(
        request,
        "fout.html",
        {"titel": titel, "uitleg": uitleg, "terug": terug},
        sessie=sessie,
        status_code=status_code,
    )
