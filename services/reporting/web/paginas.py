"""The pages about cases: the agenda, the case list and the case page with its forms."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from services.reporting.web import labels
from services.reporting.web.aanmelding import Aangemeld, Sessie
from services.reporting.web.agenda import secties
from services.reporting.web.formulieren import (
    Overlegformulier,
    dienstfouten,
    formuliersleutel,
    lees_afronding,
    lees_overleg,
)
from services.reporting.web.partners import DienstFout
from services.reporting.web.rechten import rechten_van
from services.reporting.web.tijdlijn import Overlegtekst, historie, overleg_ids, overlegtekst
from services.reporting.web.toegang import Formulier, veld
from services.reporting.web.weergave import Melding, Web, WebDeps, foutpagina, getal, render
from services.reporting.web.zakenlijst import Filter, filter_zaken, keuzes, zaakrij
from shared.security.wiring import CurrentAudit

PERSOONSVELDEN = (
    ("naam", "Naam"),
    ("geboortedatum", "Geboortedatum"),
    ("contactgegevens", "Contactgegevens"),
    ("verblijfadres", "Verblijfadres"),
    ("toelichting", "Toelichting bij de melding"),
)

GEDAAN = {
    "overleg": Melding("Het regieoverleg is vastgelegd.", "gedaan"),
    "actie": Melding("De actie is als afgerond vastgelegd.", "gedaan"),
    "onderweg": Melding(
        "Vastgelegd bij verificatie. Het staat over enkele ogenblikken op de tijdlijn; "
        "ververs de pagina dan.",
        "let-op",
    ),
}


def _uitleg(fout: DienstFout) -> Melding:
    """A refusal of another service in the users' words."""
    if fout.onbereikbaar:
        return Melding(
            f"De {fout.dienst}sservice is nu niet bereikbaar. Probeer het zo opnieuw.", "fout"
        )
    if fout.status == 412:
        return Melding(
            "De zaak is intussen door iemand anders gewijzigd. Bekijk de nieuwe stand en "
            "probeer het opnieuw.",
            "fout",
        )
    if fout.status in (401, 403):
        return Melding(f"Dat mag u niet ({fout.dienst}): {fout.detail}", "fout")
    if fout.status == 410:
        return Melding(
            "De persoonsgegevens van deze zaak zijn gewist (bewaartermijn of verzoek); de "
            "zaak zelf en de cijfers blijven.",
            "let-op",
        )
    if fout.status == 404:
        return Melding(
            f"De {fout.dienst}sservice kent deze zaak nog niet. Probeer het over enkele "
            "ogenblikken opnieuw.",
            "fout",
        )
    punten = tuple(f"{v.get('field')}: {v.get('message')}" for v in fout.velden)
    return Melding(f"Niet vastgelegd: {fout.detail}", "fout", punten)


def is_id(waarde: str) -> bool:
    """Whether a page parameter is an id at all (a case, an overleg, an action: uuids)."""
    try:
        uuid.UUID(waarde)
    except ValueError:
        return False
    return True


def _onbekend(request: Request, sessie: Sessie, zaak_id: str) -> HTMLResponse:
    return foutpagina(
        request,
        sessie,
        404,
        "Zaak nog niet bekend",
        f"Zaak {zaak_id} is hier (nog) niet bekend. Een nieuwe melding verschijnt na enkele "
        "ogenblikken; ververs de pagina.",
        "/ui/zaken",
    )


def _teksten(
    web: Web, sessie: Sessie, ids: list[str]
) -> tuple[dict[str, Overlegtekst], list[Melding]]:
    teksten: dict[str, Overlegtekst] = {}
    for overleg_id in ids:
        try:
            teksten[overleg_id] = overlegtekst(
                web.partners.verificatie.overleg(sessie.token, overleg_id)
            )
        except DienstFout as fout:
            melding = Melding(
                "De teksten van het regieoverleg (besluiten, acties) zijn nu niet op te halen "
                f"bij verificatie: {_uitleg(fout).tekst}",
                "let-op",
            )
            return teksten, [melding]
    return teksten, []


def zaakpagina(
    request: Request,
    web: Web,
    sessie: Sessie,
    zaak_id: str,
    *,
    overleg: Overlegformulier | None = None,
    persoonsgegevens: Mapping[str, Any] | None = None,
    doel: str | None = None,
    meldingen: list[Melding] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    """The case page: actions, timeline, the regieoverleg form and personal data on request."""
    rechten = rechten_van(sessie.actor)
    zaak = web.bron.zaak(zaak_id) if is_id(zaak_id) else None
    if zaak is None:
        return _onbekend(request, sessie, zaak_id)
    vandaag = web.bron.vandaag()
    envelopes = web.bron.gebeurtenissen(zaak_id)
    teksten, waarschuwingen = _teksten(web, sessie, overleg_ids(envelopes))
    verloop = historie(envelopes, zaak_id, teksten)
    versies = {k: t.versie for k, t in teksten.items()}
    return render(
        request,
        "zaak.html",
        {
            "pagina": "zaken",
            "zaak": zaak,
            "rij": zaakrij(zaak, verloop.acties, vandaag),
            "historie": verloop,
            "open_acties": verloop.open_acties,
            "afgeronde_acties": [a for a in verloop.acties if not a.open],
            "versies": versies,
            "vandaag": vandaag,
            "overleg": overleg or Overlegformulier.leeg(f"ui-{uuid.uuid4()}", vandaag),
            "persoonsgegevens": persoonsgegevens,
            "persoonsvelden": PERSOONSVELDEN,
            "doel": dict(rechten.doelen).get(doel or "", doel),
            "doelen": rechten.doelen,
        },
        sessie=sessie,
        status_code=status_code,
        meldingen=[*(meldingen or []), *waarschuwingen],
    )


def _filterkeuzes(
    land: list[str], instantie: list[str]
) -> list[tuple[str, str, list[tuple[str, str]]]]:
    return [
        ("fase", "Fase", list(labels.FASE.items())),
        ("onderwerp", "Onderwerp", list(labels.ONDERWERP.items())),
        ("betrokkene", "Betrokkene", list(labels.BETROKKENE.items())),
        ("land", "Land", sorted(((c, labels.land(c)) for c in land), key=lambda kv: kv[1])),
        ("instantie", "Open actie bij", [(c, labels.organisatie(c)) for c in instantie]),
    ]


def build_zaken_router() -> APIRouter:
    router = APIRouter()

    @router.get("/agenda", response_model=None, operation_id="ui_agenda")
    def agenda(
        request: Request, sessie: Aangemeld, web: WebDeps, datum: str | None = None
    ) -> Response:
        """The agenda of the regieoverleg on a date (today by default)."""
        try:
            dag = date.fromisoformat(datum) if datum else web.bron.vandaag()
        except ValueError:
            dag = web.bron.vandaag()
        try:
            antwoord = web.partners.verificatie.agenda(sessie.token, dag)
        except DienstFout as fout:
            return render(
                request,
                "agenda.html",
                {"pagina": "agenda", "datum": dag, "secties": [], "vorig_overleg": None},
                sessie=sessie,
                status_code=502 if fout.onbereikbaar else fout.status,
                meldingen=[_uitleg(fout)],
            )
        vorig = antwoord.get("vorig_overleg_datum")
        return render(
            request,
            "agenda.html",
            {
                "pagina": "agenda",
                "datum": dag,
                "secties": secties(antwoord, dag, web.bron.zaak),
                "vorig_overleg": date.fromisoformat(vorig) if isinstance(vorig, str) else None,
            },
            sessie=sessie,
        )

    @router.get("/zaken", response_model=None, operation_id="ui_zaken")
    def zaken(
        request: Request,
        sessie: Aangemeld,
        web: WebDeps,
        fase: str = "",
        onderwerp: str = "",
        land: str = "",
        betrokkene: str = "",
        instantie: str = "",
        referentie: str = "",
        pagina: str = "1",
    ) -> HTMLResponse:
        """The case list: filters, search by referentie, 50 per page."""
        filter_ = Filter(
            fase=fase or None,
            onderwerp=onderwerp or None,
            land=land.upper() or None,
            betrokkene=betrokkene or None,
            instantie=instantie or None,
            referentie=referentie or None,
            pagina=getal(pagina, 6) or 1,
        )
        alle, acties = web.bron.zaken(), web.bron.acties()
        opties = keuzes(alle, acties)
        return render(
            request,
            "zaken.html",
            {
                "pagina": "zaken",
                "filter": filter_,
                "lijst": filter_zaken(alle, acties, filter_, web.bron.vandaag()),
                "keuzelijsten": _filterkeuzes(opties["land"], opties["instantie"]),
            },
            sessie=sessie,
        )

    @router.get("/zaken/{zaak_id}", response_model=None, operation_id="ui_zaak")
    def zaak(
        request: Request, sessie: Aangemeld, web: WebDeps, zaak_id: str, gedaan: str = ""
    ) -> HTMLResponse:
        """One case: open actions, the timeline across all services, the regieoverleg form."""
        meldingen = [GEDAAN[gedaan]] if gedaan in GEDAAN else []
        return zaakpagina(request, web, sessie, zaak_id, meldingen=meldingen)

    @router.post(
        "/zaken/{zaak_id}/regieoverleg", response_model=None, operation_id="ui_regieoverleg"
    )
    def leg_overleg_vast(
        request: Request, sessie: Aangemeld, web: WebDeps, zaak_id: str, form: Formulier
    ) -> Response:
        """Record a regieoverleg about this case at verification, then show the case again."""
        if not sessie.csrf_klopt(veld(form, "csrf")):
            return foutpagina(request, sessie, 403, "Formulier verlopen", "Laad de pagina opnieuw.")
        if not is_id(zaak_id) or web.bron.zaak(zaak_id) is None:
            return _onbekend(request, sessie, zaak_id)
        ingevuld, invoer = lees_overleg(form)
        if invoer is None:
            melding = Melding(
                "Het regieoverleg is niet vastgelegd: verbeter de gemarkeerde velden.", "fout"
            )
            return zaakpagina(
                request,
                web,
                sessie,
                zaak_id,
                overleg=ingevuld,
                meldingen=[melding],
                status_code=422,
            )
        try:
            antwoord = web.partners.verificatie.leg_overleg_vast(
                sessie.token, invoer.verzoek(zaak_id), ingevuld.sleutel
            )
        except DienstFout as fout:
            ingevuld.fouten = dienstfouten(fout.velden)
            ingevuld.sleutel = f"ui-{uuid.uuid4()}"
            status = 502 if fout.onbereikbaar else fout.status
            return zaakpagina(
                request,
                web,
                sessie,
                zaak_id,
                overleg=ingevuld,
                meldingen=[_uitleg(fout)],
                status_code=status,
            )
        overleg_id = str(antwoord.get("overleg_id"))
        binnen = web.bron.wacht_op(
            lambda e: (
                e.get("event_type") == "regieoverleg_gehouden"
                and (e.get("data") or {}).get("overleg_id") == overleg_id
            ),
            zaak_id,
            web.settings.ui_wacht_seconden,
        )
        return RedirectResponse(
            f"/ui/zaken/{zaak_id}?gedaan={'overleg' if binnen else 'onderweg'}", status_code=303
        )

    @router.post(
        "/zaken/{zaak_id}/acties/{overleg_id}/{actie_id}/afgerond",
        response_model=None,
        operation_id="ui_actie_afgerond",
    )
    def rond_actie_af(
        request: Request,
        sessie: Aangemeld,
        web: WebDeps,
        zaak_id: str,
        overleg_id: str,
        actie_id: str,
        form: Formulier,
    ) -> Response:
        """Mark a regieoverleg action done at verification."""
        if not sessie.csrf_klopt(veld(form, "csrf")):
            return foutpagina(request, sessie, 403, "Formulier verlopen", "Laad de pagina opnieuw.")
        if not all(is_id(i) for i in (zaak_id, overleg_id, actie_id)):
            return _onbekend(request, sessie, zaak_id)
        afronding = lees_afronding(form)
        if afronding is None:
            melding = Melding("Vul de datum in waarop de actie is afgerond.", "fout")
            return zaakpagina(request, web, sessie, zaak_id, meldingen=[melding], status_code=422)
        sleutel = formuliersleutel(veld(form, "sleutel"))
        try:
            web.partners.verificatie.rond_actie_af(
                sessie.token,
                overleg_id,
                actie_id,
                afronding.datum,
                sleutel,
                if_match=f'W/"{afronding.versie}"' if afronding.versie is not None else None,
            )
        except DienstFout as fout:
            status = 502 if fout.onbereikbaar else fout.status
            return zaakpagina(
                request, web, sessie, zaak_id, meldingen=[_uitleg(fout)], status_code=status
            )
        binnen = web.bron.wacht_op(
            lambda e: (
                e.get("event_type") == "actie_afgerond"
                and (e.get("data") or {}).get("actie_id") == actie_id
            ),
            zaak_id,
            web.settings.ui_wacht_seconden,
        )
        return RedirectResponse(
            f"/ui/zaken/{zaak_id}?gedaan={'actie' if binnen else 'onderweg'}", status_code=303
        )

    @router.post(
        "/zaken/{zaak_id}/persoonsgegevens",
        response_model=None,
        operation_id="ui_persoonsgegevens",
    )
    def toon_persoonsgegevens(
        request: Request,
        sessie: Aangemeld,
        web: WebDeps,
        audit: CurrentAudit,
        zaak_id: str,
        form: Formulier,
    ) -> Response:
        """Show the personal data for a stated purpose; intake authorises and logs the read,
        and this page's own record says it showed them, for which doel."""
        if not sessie.csrf_klopt(veld(form, "csrf")):
            return foutpagina(request, sessie, 403, "Formulier verlopen", "Laad de pagina opnieuw.")
        if not is_id(zaak_id) or web.bron.zaak(zaak_id) is None:
            return _onbekend(request, sessie, zaak_id)
        rechten = rechten_van(sessie.actor)
        doel = veld(form, "doel")
        if doel not in dict(rechten.doelen):
            melding = Melding("Kies het doel van de inzage.", "fout")
            return zaakpagina(request, web, sessie, zaak_id, meldingen=[melding], status_code=422)
        try:
            gegevens = web.partners.intake.persoonsgegevens(sessie.token, zaak_id, doel)
        except DienstFout as fout:
            status = 502 if fout.onbereikbaar else fout.status
            return zaakpagina(
                request, web, sessie, zaak_id, meldingen=[_uitleg(fout)], status_code=status
            )
        audit.personal_data(doel=doel)
        return zaakpagina(request, web, sessie, zaak_id, persoonsgegevens=gegevens, doel=doel)

    return router
