"""The figures page and its downloads follow the disclosure control of the API: exact for
the LKHA, protected for policy, BZ and the auditor (docs/security.md)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import date

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import SecretStr

from deploy.demo.to_envelopes import dataset_envelopes
from services.reporting.index import Feitenindex
from services.reporting.policy import POLICY
from services.reporting.rapportage import Rapportage
from services.reporting.settings import ReportingSettings
from services.reporting.web import pagina_routes, static_files
from services.reporting.web.aanmelding import COOKIE, tokens_voor
from services.reporting.web.bron import Bron
from services.reporting.web.fouten import installeer_foutpaginas
from services.reporting.web.partners import Intake, Partners, Verificatie
from services.reporting.web.weergave import Web, maak_templates
from shared.context import Actor
from shared.security.tokens import new_dev_key, public_jwks
from shared.security.wiring import protect_in_memory

VANDAAG = date(2019, 12, 31)


@pytest.fixture(scope="module")
def pagina() -> Iterator[tuple[TestClient, Web]]:
    jwk = new_dev_key()
    settings = ReportingSettings(
        environment="development",
        jwt_public_keys=public_jwks(jwk),
        jwt_dev_signing_key=SecretStr(json.dumps(jwk)),
    )
    index = Feitenindex()
    index.voeg_toe_alle(dataset_envelopes())
    client = httpx.Client(transport=httpx.MockTransport(lambda r: httpx.Response(503)))
    web = Web(
        settings=settings,
        bron=Bron(Rapportage(index, vandaag=lambda: VANDAAG), vandaag=lambda: VANDAAG),
        partners=Partners(Verificatie("verificatie", client), Intake("intake", client)),
        tokens=tokens_voor(settings),
        templates=maak_templates(),
    )
    app = FastAPI()
    # The pages behind the same authentication, guard and audit record as in the service.
    protect_in_memory(app, service="reporting", settings=settings, policy=POLICY)
    app.state.ui = web
    app.include_router(pagina_routes(), prefix="/ui")
    app.mount("/ui/static", static_files(), name="ui-static")
    installeer_foutpaginas(app)
    with TestClient(app, follow_redirects=False) as test:
        yield test, web


def _als(pagina: tuple[TestClient, Web], org: str, rol: str, pad: str) -> httpx.Response:
    test, web = pagina
    test.cookies.set(COOKIE, web.tokens.maak(Actor(org=org, rol=rol, user="t.test")))
    return test.get(pad)


@pytest.mark.parametrize(
    ("org", "rol"), [("bz", "beleid"), ("bz", "bz_consulair"), ("lkha", "auditor")]
)
def test_the_figures_page_is_protected_for_roles_without_case_access(
    pagina: tuple[TestClient, Web], org: str, rol: str
) -> None:
    response = _als(pagina, org, rol, "/ui/cijfers?jaar=2018&peildatum=2018-12-31")
    assert response.status_code == 200
    assert "&lt;5" in response.text
    download = _als(pagina, org, rol, "/ui/cijfers/2018.csv?peildatum=2018-12-31")
    aantallen = [r["aantal"] for r in csv.DictReader(io.StringIO(download.text)) if r["aantal"]]
    assert "<5" in aantallen
    assert all(a == "<5" or int(a) == 0 or int(a) >= 5 for a in aantallen)


def test_the_lkha_sees_the_exact_figures_on_the_page(pagina: tuple[TestClient, Web]) -> None:
    response = _als(pagina, "lkha", "coordinator", "/ui/cijfers?jaar=2018&peildatum=2018-12-31")
    assert response.status_code == 200
    assert "&lt;5" not in response.text
    download = _als(pagina, "lkha", "coordinator", "/ui/cijfers/2018.csv?peildatum=2018-12-31")
    aantallen = [r["aantal"] for r in csv.DictReader(io.StringIO(download.text)) if r["aantal"]]
    assert "1" in aantallen and "<5" not in aantallen
