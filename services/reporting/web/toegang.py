"""The sign-in and sign-out pages."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData

from services.reporting.policy import POLICY
from services.reporting.web.aanmelding import (
    COOKIE,
    CSRF_COOKIE,
    PAD,
    Aangemeld,
    nieuwe_csrf,
    veilig_volgende,
)
from services.reporting.web.rechten import rechten_van
from services.reporting.web.weergave import Melding, WebDeps, foutpagina, render
from shared.context import Actor
from shared.security.sessions import session_id

ALS = {
    "lkha:coordinator": "LKHA, coördinator",
    "lkha:lkha_medewerker": "LKHA, medewerker",
    "bz:bz_consulair": "BZ, consulair medewerker",
    "bz:beleid": "Beleid en statistiek (alleen cijfers)",
    "lkha:auditor": "Auditor",
    "veilig_thuis:melder": "Melder (Veilig Thuis)",
}
"""Who one can sign in as in development: org and rol together, as the tokens pair them."""


async def formulier(request: Request) -> FormData:
    """The posted form (read here, so the routes can stay plain `def`)."""
    return await request.form()


Formulier = Annotated[FormData, Depends(formulier)]


def veld(form: FormData, naam: str) -> str:
    """One text field of a form ('' when absent or a file)."""
    waarde = form.get(naam)
    return waarde.strip() if isinstance(waarde, str) else ""


def build_aanmeld_router() -> APIRouter:
    router = APIRouter()

    def _aanmeldpagina(
        request: Request, web: WebDeps, volgende: str, status: int = 200, fout: str | None = None
    ) -> HTMLResponse:
        csrf = request.cookies.get(CSRF_COOKIE) or nieuwe_csrf()
        response = render(
            request,
            "aanmelden.html",
            {
                "csrf": csrf,
                "volgende": veilig_volgende(volgende),
                "ontwikkeling": web.tokens.mag_maken,
                "omgeving": web.settings.environment,
                "als": ALS,
            },
            sessie=None,
            status_code=status,
            meldingen=[Melding(fout, "fout")] if fout else None,
        )
        response.set_cookie(
            CSRF_COOKIE,
            csrf,
            path=f"{PAD}/aanmelden",
            httponly=True,
            samesite="strict",
            secure=web.settings.environment == "production",
        )
        return response

    @router.get("/aanmelden")
    def aanmelden(request: Request, web: WebDeps, volgende: str = "") -> HTMLResponse:
        """The sign-in page."""
        return _aanmeldpagina(request, web, volgende)

    @router.post("/aanmelden", response_model=None)
    def meld_aan(request: Request, web: WebDeps, form: Formulier) -> Response:
        """Sign in with a pasted token, or (development only) with a minted one."""
        volgende = veilig_volgende(veld(form, "volgende"))
        verwacht = request.cookies.get(CSRF_COOKIE)
        if not verwacht or veld(form, "csrf") != verwacht:
            return _aanmeldpagina(
                request, web, volgende, 403, "Het formulier was verlopen; probeer het opnieuw."
            )
        token = veld(form, "token")
        security = request.app.state.security
        try:
            if token:
                web.tokens.lees(token)
                if security.session_revoked(session_id(token)):
                    raise ValueError("met dit token is al afgemeld; vraag een nieuw token aan")
            elif web.tokens.mag_maken:
                als, user = veld(form, "als"), veld(form, "user")
                if als not in ALS or not user:
                    raise ValueError("kies als wie u zich aanmeldt en vul een naam in")
                org, _, rol = als.partition(":")
                token = web.tokens.maak(Actor(org=org, rol=rol, user=user))
            else:
                raise ValueError("vul een token in")
        except ValueError as exc:
            return _aanmeldpagina(request, web, volgende, 400, f"Aanmelden lukte niet: {exc}.")
        actor = web.tokens.lees(token)
        weigering = POLICY.check("ui_afmelden", actor)  # a role unknown or with another org
        if weigering is not None:
            return _aanmeldpagina(
                request, web, volgende, 403, f"Aanmelden lukte niet: {weigering.detail}."
            )
        if not rechten_van(actor).zaken and not volgende.startswith(f"{PAD}/cijfers"):
            volgende = f"{PAD}/"  # the start page leads each role to what it may see
        response = RedirectResponse(volgende, status_code=303)
        response.set_cookie(
            COOKIE,
            token,
            max_age=web.tokens.geldig_seconden,
            path=PAD,
            httponly=True,
            samesite="strict",
            secure=web.settings.environment == "production",
        )
        response.delete_cookie(CSRF_COOKIE, path=f"{PAD}/aanmelden")
        return response

    @router.post("/afmelden", response_model=None, operation_id="ui_afmelden")
    def meld_af(request: Request, sessie: Aangemeld, form: Formulier) -> Response:
        """Sign out on the server (the session's token is refused from now on), and the
        cookie is removed."""
        if not sessie.csrf_klopt(veld(form, "csrf")):
            return foutpagina(request, sessie, 403, "Afmelden lukte niet", "Probeer het opnieuw.")
        request.app.state.security.sign_out(sessie.token)
        response = RedirectResponse(f"{PAD}/aanmelden", status_code=303)
        response.delete_cookie(COOKIE, path=PAD)
        return response

    return router
