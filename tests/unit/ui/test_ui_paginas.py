"""The pages in process, over the fact index, with verification and intake answering through
a fake transport: what the user reads when another service says no or does not answer."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import SecretStr

from services.reporting.index import Feitenindex
from services.reporting.policy import POLICY
from services.reporting.rapportage import Rapportage
from services.reporting.settings import ReportingSettings
from services.reporting.web import pagina_routes, static_files
from services.reporting.web.aanmelding import COOKIE, Sessie, tokens_voor
from services.reporting.web.bron import Bron
from services.reporting.web.fouten import installeer_foutpaginas
from services.reporting.web.partners import Intake, Partners, Verificatie
from services.reporting.web.weergave import Web, maak_templates
from shared.context import Actor
from shared.security.audit import InMemoryAuditLog
from shared.security.tokens import new_dev_key, public_jwks
from shared.security.wiring import protect_in_memory
from tests.unit.ui.conftest import Envelopes

VANDAAG = date(2018, 5, 1)
Z = "11111111-1111-1111-1111-111111111111"
O1 = "0000000a-0000-4000-8000-000000000001"
A1 = "0000000b-0000-4000-8000-000000000001"


@dataclass
class Diensten:
    """What the fake verification and intake answer, and what they were asked."""

    antwoorden: dict[tuple[str, str], httpx.Response] = field(default_factory=dict)
    gevraagd: list[httpx.Request] = field(default_factory=list)
    bereikbaar: bool = True

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if not self.bereikbaar:
            raise httpx.ConnectError("connection refused", request=request)
        self.gevraagd.append(request)
        for (methode, patroon), antwoord in self.antwoorden.items():
            if request.method == methode and re.fullmatch(patroon, request.url.path):
                return antwoord
        return httpx.Response(404, json={"detail": "not yet known here"})


@dataclass
class Paginas:
    client: TestClient
    index: Feitenindex
    diensten: Diensten
    sessie: Sessie
    audit: InMemoryAuditLog


@pytest.fixture
def paginas(maak: Envelopes) -> Iterator[Paginas]:
    jwk = new_dev_key()
    settings = ReportingSettings(
        environment="development",
        jwt_public_keys=public_jwks(jwk),
        jwt_dev_signing_key=SecretStr(json.dumps(jwk)),
        ui_wacht_seconden=0.1,
    )
    index = Feitenindex()
    index.voeg_toe_alle(
        [
            maak.gemeld(Z, "LKHA-2018-0001", "2018-03-14"),
            maak.overleg(O1, "2018-04-16", Z, (A1, "bz", "2018-04-19")),
        ]
    )
    diensten = Diensten()
    client = httpx.Client(transport=httpx.MockTransport(diensten), base_url="http://dienst")
    tokens = tokens_voor(settings)
    app = FastAPI()
    _, audit = protect_in_memory(app, service="reporting", settings=settings, policy=POLICY)
    app.state.ui = Web(
        settings=settings,
        bron=Bron(Rapportage(index, vandaag=lambda: VANDAAG), vandaag=lambda: VANDAAG),
        partners=Partners(Verificatie("verificatie", client), Intake("intake", client)),
        tokens=tokens,
        templates=maak_templates(),
    )
    app.include_router(pagina_routes(), prefix="/ui")
    app.mount("/ui/static", static_files(), name="ui-static")
    installeer_foutpaginas(app)
    token = tokens.maak(Actor(org="lkha", rol="coordinator", user="j.jansen"))
    with TestClient(app, follow_redirects=False) as test:
        test.cookies.set(COOKIE, token)
        yield Paginas(
            test, index, diensten, Sessie(Actor("lkha", "coordinator", "j.jansen"), token), audit
        )


def _overleg_form(p: Paginas, **anders: Any) -> dict[str, Any]:
    form = {
        "csrf": p.sessie.csrf,
        "sleutel": "ui-00000000-0000-4000-8000-000000000001",
        "datum": "2018-05-01",
        "deelnemers": ["lkha", "bz"],
        "besluiten": "BZ belt de post",
        "actie_eigenaar": ["bz", ""],
        "actie_omschrijving": ["Post belt betrokkene", ""],
        "actie_deadline": ["2018-05-08", ""],
    }
    form.update(anders)
    return form


def _tekst(response: httpx.Response) -> str:
    return re.sub(r"\s+", " ", response.text)


def test_without_a_session_a_page_sends_the_browser_to_sign_in(paginas: Paginas) -> None:
    paginas.client.cookies.clear()
    response = paginas.client.get("/ui/zaken?onderwerp=achterlating")
    assert response.status_code == 303
    assert (
        response.headers["location"]
        == "/ui/aanmelden?volgende=/ui/zaken%3Fonderwerp%3Dachterlating"
    )


def test_every_page_is_uncached_and_allows_nothing_from_elsewhere(paginas: Paginas) -> None:
    response = paginas.client.get(f"/ui/zaken/{Z}")
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    assert "default-src 'none'" in response.headers["content-security-policy"]
    assert response.headers["x-frame-options"] == "DENY"


def test_recording_a_regieoverleg_sends_the_users_token_and_the_forms_key(
    paginas: Paginas, maak: Envelopes
) -> None:
    paginas.diensten.antwoorden[("POST", "/v1/regieoverleggen")] = httpx.Response(
        201, json={"overleg_id": "o-2"}
    )
    response = paginas.client.post(f"/ui/zaken/{Z}/regieoverleg", data=_overleg_form(paginas))
    assert response.status_code == 303
    assert response.headers["location"] == f"/ui/zaken/{Z}?gedaan=onderweg"  # not on NATS yet
    (verzoek,) = [r for r in paginas.diensten.gevraagd if r.method == "POST"]
    assert verzoek.headers["authorization"] == f"Bearer {paginas.sessie.token}"
    assert verzoek.headers["idempotency-key"] == "ui-00000000-0000-4000-8000-000000000001"
    assert json.loads(verzoek.content) == {
        "datum": "2018-05-01",
        "deelnemers": ["lkha", "bz"],
        "zaken": [
            {
                "zaak_id": Z,
                "besluiten": ["BZ belt de post"],
                "acties": [
                    {
                        "eigenaar": "bz",
                        "omschrijving": "Post belt betrokkene",
                        "deadline": "2018-05-08",
                    }
                ],
            }
        ],
    }


def test_a_broken_rule_at_verification_is_shown_with_the_form_kept(paginas: Paginas) -> None:
    paginas.diensten.antwoorden[("POST", "/v1/regieoverleggen")] = httpx.Response(
        409, json={"detail": "a deadline may not lie before the regieoverleg"}
    )
    response = paginas.client.post(f"/ui/zaken/{Z}/regieoverleg", data=_overleg_form(paginas))
    assert response.status_code == 409
    tekst = _tekst(response)
    assert "Niet vastgelegd: a deadline may not lie before the regieoverleg" in tekst
    assert 'value="Post belt betrokkene"' in tekst and "BZ belt de post" in tekst
    assert (
        'value="ui-00000000-0000-4000-8000-000000000001"' not in tekst
    )  # a corrected form is a new request


def test_a_wrong_field_is_named_before_anything_is_sent(paginas: Paginas) -> None:
    form = _overleg_form(paginas, actie_deadline=["", ""])
    response = paginas.client.post(f"/ui/zaken/{Z}/regieoverleg", data=form)
    assert response.status_code == 422
    assert 'aria-invalid="true" aria-describedby="fout-acties-0"' in response.text
    assert 'id="fout-acties-0">Deadline: vul dit in<' in response.text
    assert not [r for r in paginas.diensten.gevraagd if r.method == "POST"]


def test_a_stale_overleg_when_marking_done_says_someone_else_changed_it(paginas: Paginas) -> None:
    paginas.diensten.antwoorden[("POST", f"/v1/regieoverleggen/{O1}/acties/{A1}/afgerond")] = (
        httpx.Response(412, json={"detail": "the versie is stale"})
    )
    response = paginas.client.post(
        f"/ui/zaken/{Z}/acties/{O1}/{A1}/afgerond",
        data={"csrf": paginas.sessie.csrf, "sleutel": "ui-a", "datum": "2018-04-18", "versie": "1"},
    )
    assert response.status_code == 412
    assert "intussen door iemand anders gewijzigd" in _tekst(response)
    (verzoek,) = [r for r in paginas.diensten.gevraagd if r.method == "POST"]
    assert verzoek.headers["if-match"] == 'W/"1"'


def test_marking_done_waits_for_the_timeline_then_redirects(
    paginas: Paginas, maak: Envelopes
) -> None:
    paginas.diensten.antwoorden[("POST", f"/v1/regieoverleggen/{O1}/acties/{A1}/afgerond")] = (
        httpx.Response(200, json={})
    )
    paginas.index.voeg_toe(
        maak.event("actie_afgerond", Z, overleg_id=O1, actie_id=A1, datum="2018-04-18")
    )
    response = paginas.client.post(
        f"/ui/zaken/{Z}/acties/{O1}/{A1}/afgerond",
        data={"csrf": paginas.sessie.csrf, "sleutel": "ui-a", "datum": "2018-04-18"},
    )
    assert response.headers["location"] == f"/ui/zaken/{Z}?gedaan=actie"


def test_when_verification_does_not_answer_the_agenda_says_so(paginas: Paginas) -> None:
    paginas.diensten.bereikbaar = False
    response = paginas.client.get("/ui/agenda")
    assert response.status_code == 502
    assert "De verificatiesservice is nu niet bereikbaar" in _tekst(response)


def test_erased_personal_data_is_said_to_be_erased(paginas: Paginas) -> None:
    paginas.diensten.antwoorden[("GET", f"/v1/meldingen/{Z}/persoonsgegevens")] = httpx.Response(
        410, json={"detail": "the personal data of this melding was erased"}
    )
    response = paginas.client.post(
        f"/ui/zaken/{Z}/persoonsgegevens", data={"csrf": paginas.sessie.csrf, "doel": "nazorg"}
    )
    assert response.status_code == 410
    assert "De persoonsgegevens van deze zaak zijn gewist" in _tekst(response)
    (verzoek,) = [r for r in paginas.diensten.gevraagd if "persoonsgegevens" in r.url.path]
    assert verzoek.url.params["doel"] == "nazorg"


def test_an_unknown_case_is_not_yet_known_here(paginas: Paginas) -> None:
    response = paginas.client.get("/ui/zaken/22222222-2222-2222-2222-222222222222")
    assert response.status_code == 404
    assert "nog) niet bekend" in _tekst(response)


def test_every_page_read_leaves_one_record_with_its_case(paginas: Paginas) -> None:
    before = len(paginas.audit.records)
    assert paginas.client.get(f"/ui/zaken/{Z}").status_code == 200
    (record,) = paginas.audit.records[before:]
    assert (record.action, record.zaak_id, record.result) == ("ui_zaak", Z, "200")
    assert record.actor == paginas.sessie.actor


@pytest.mark.parametrize(
    ("org", "rol"), [("veilig_thuis_utrecht", "coordinator"), ("bz", "bz_consulair")]
)
def test_a_refused_page_shows_nothing_of_the_case(paginas: Paginas, org: str, rol: str) -> None:
    token = paginas.client.app.state.ui.tokens.maak(Actor(org=org, rol=rol, user="x"))  # type: ignore[attr-defined]
    paginas.client.cookies.set(COOKIE, token)
    csrf = Sessie(Actor(org, rol, "x"), token).csrf
    for response in (
        paginas.client.get(f"/ui/zaken/{Z}"),
        paginas.client.post(f"/ui/zaken/{Z}/persoonsgegevens", data={"csrf": csrf, "doel": "x"}),
    ):
        assert response.status_code == 403
        assert "Geen toegang" in response.text
        assert "LKHA-2018-0001" not in response.text and "tijdlijn" not in response.text.lower()
    assert paginas.audit.records[-1].decision == "refused"


def test_the_development_sign_in_is_marked_on_every_page(paginas: Paginas) -> None:
    for pad in ("/ui/zaken", "/ui/aanmelden"):
        response = paginas.client.get(pad)
        assert "Ontwikkelomgeving: hier maakt de aanmeldpagina zelf tokens" in response.text
        assert "<title>[ONTWIKKELOMGEVING]" in response.text
