"""Need to know on the coordinators' pages, as a table: every role against every page, for
its own and for another agency's case (and an unknown one), with the answer it must get and
the one audit record each request leaves in reporting's audit log.

Like tests/security/test_access_matrix.py for the APIs, the table (PAGES, CALLERS) is written
from shared/DOMAIN.md and docs/ui.md, not read from services/reporting/policy.py, so that it
checks it. The pages run in reporting on the real servers and call the real intake and
verification in process. A refused page (403, 404) shows nothing of any case.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

import httpx
import pytest

from services.reporting.web.aanmelding import Sessie
from services.reporting.web.partners import Intake, Partners, Verificatie
from shared.context import Actor
from tests.helpers import auth_headers, eventually, melding, token
from tests.security.conftest import System

pytestmark = pytest.mark.integration

#: Who calls: name -> (org, rol); the last ones pair a role with an org it is not bound to.
CALLERS: dict[str, tuple[str, str]] = {
    "coordinator": ("lkha", "coordinator"),
    "lkha_medewerker": ("lkha", "lkha_medewerker"),
    "bz_consulair": ("bz", "bz_consulair"),
    "melder": ("veilig_thuis_utrecht", "melder"),
    "beleid": ("ministerie_vws", "beleid"),
    "auditor": ("adr", "auditor"),
    "coordinator_van_een_partner": ("veilig_thuis_utrecht", "coordinator"),
    "lkha_medewerker_van_bz": ("bz", "lkha_medewerker"),
    "bz_consulair_van_lkha": ("lkha", "bz_consulair"),
    "onbekende_rol": ("lkha", "beheerder"),
}
LKHA = {"coordinator", "lkha_medewerker"}
CIJFERS = LKHA | {"bz_consulair", "beleid", "auditor"}
IEDEREEN = {c for c in CALLERS if c != "onbekende_rol" and "_van_" not in c}
ONBEKEND = str(UUID(int=515151))
ONGELDIG = {"datum": "", "deelnemers": "", "besluiten": ""}


@dataclass(frozen=True)
class Page:
    """One page: who may open it and the answer an allowed caller gets."""

    operation: str
    method: str
    path: str
    roles: frozenset[str]
    ok: int
    form: Mapping[str, Any] = field(default_factory=dict)
    params: Mapping[str, str] = field(default_factory=dict)
    #: Whether showing it reads personal data (recorded with the doel).
    doel: str | None = None

    @property
    def per_case(self) -> bool:
        return "{zaak_id}" in self.path

    def expected(self, caller: str, case: str) -> int:
        if caller not in self.roles:
            return 403
        if self.per_case and case == "onbekend":
            return 404
        return self.ok


def page(operation: str, method: str, path: str, roles: set[str], ok: int, **kw: Any) -> Page:
    return Page(operation, method, path, frozenset(roles), ok, **kw)


PAGES = [
    page("ui_start", "GET", "/ui/", CIJFERS, 303),
    page("ui_agenda", "GET", "/ui/agenda", LKHA, 200, params={"datum": "2018-12-31"}),
    page("ui_zaken", "GET", "/ui/zaken", LKHA, 200, params={"onderwerp": "achterlating"}),
    page("ui_zaak", "GET", "/ui/zaken/{zaak_id}", LKHA, 200),
    page("ui_regieoverleg", "POST", "/ui/zaken/{zaak_id}/regieoverleg", LKHA, 422, form=ONGELDIG),
    page(
        "ui_actie_afgerond",
        "POST",
        f"/ui/zaken/{{zaak_id}}/acties/{ONBEKEND}/{ONBEKEND}/afgerond",
        LKHA,
        422,
        form={"datum": ""},
    ),
    page(
        "ui_persoonsgegevens",
        "POST",
        "/ui/zaken/{zaak_id}/persoonsgegevens",
        LKHA,
        200,
        form={"doel": "verificatie"},
        doel="verificatie",
    ),
    page("ui_cijfers", "GET", "/ui/cijfers", CIJFERS, 200, params={"jaar": "2018"}),
    page("ui_cijfers_bestand", "GET", "/ui/cijfers/2018.csv", CIJFERS, 200),
    page("ui_afmelden", "POST", "/ui/afmelden", IEDEREEN, 303),
]


class InProcess(httpx.BaseTransport):
    """The pages' (synchronous) clients to intake and verification, answered by the apps
    in process on the test's event loop."""

    def __init__(self, client: httpx.AsyncClient, loop: asyncio.AbstractEventLoop) -> None:
        self.client = client
        self.loop = loop

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        async def call() -> httpx.Response:
            response = await self.client.request(
                request.method,
                request.url.raw_path.decode(),
                headers={k: v for k, v in request.headers.items() if k != "host"},
                content=request.content,
            )
            return httpx.Response(
                response.status_code, headers=response.headers, content=response.content
            )

        return asyncio.run_coroutine_threadsafe(call(), self.loop).result(timeout=30)


@pytest.fixture(scope="module")
async def pagina_zaken(system: System) -> dict[str, tuple[str, str]]:
    """case -> (zaak_id, referentie): "eigen" reported by the partner of CALLERS with a
    consular question, "ander" by another agency without; both on reporting's pages."""
    loop = asyncio.get_running_loop()
    web = system.apps["reporting"].state.ui
    clients = {
        name: httpx.Client(transport=InProcess(system.clients[name], loop), base_url="http://x")
        for name in ("verification", "intake")
    }
    web.partners = Partners(
        Verificatie("verificatie", clients["verification"]), Intake("intake", clients["intake"])
    )
    zaken = {}
    for case, org, bz in (
        ("eigen", "veilig_thuis_utrecht", True),
        ("ander", "politie_oost_nederland", False),
    ):
        response = await system.clients["intake"].post(
            "/v1/meldingen",
            json=melding(bz_betrokken=bz),
            headers={"Idempotency-Key": f"pagina-{case}-0001", **auth_headers(org, "melder")},
        )
        assert response.status_code == 201, response.text
        zaken[case] = (response.json()["zaak_id"], response.json()["referentie"])
    for zaak_id, _ in zaken.values():

        async def known(z: str = zaak_id) -> bool:
            got = await system.clients["reporting"].get(f"/v1/zaken/{z}", headers=auth_headers())
            return got.status_code == 200

        await eventually(known, what=f"{zaak_id} at reporting")
    zaken["onbekend"] = (ONBEKEND, "LKHA-onbekend")
    return zaken


async def _open(system: System, p: Page, caller: str, zaak_id: str) -> httpx.Response:
    org, rol = CALLERS[caller]
    sessie = token(org, rol, user=f"{rol}.pagina")
    headers = {"Cookie": f"knooppunt_sessie={sessie}"}
    csrf = Sessie(Actor(org, rol, "x"), sessie).csrf
    form = {"csrf": csrf, **p.form} if p.method == "POST" else None
    return await system.clients["reporting"].request(
        p.method, p.path.format(zaak_id=zaak_id), data=form, params=dict(p.params), headers=headers
    )


def _record_problem(p: Page, caller: str, zaak_id: str, status: int, records: list[Any]) -> str:
    if len(records) != 1:
        return f"{len(records)} audit records in reporting instead of 1"
    record = records[0]
    org, rol = CALLERS[caller]
    expected: dict[str, Any] = {
        "action": p.operation,
        "actor_org": org,
        "actor_rol": rol,
        "decision": "refused" if status == 403 else "allowed",
        "result": str(status),
        "zaak_id": zaak_id if p.per_case else None,
        "personal_data": p.doel is not None and status == 200,
        "doel": p.doel if status == 200 else None,
    }
    if status == 403:
        expected["reason"] = (
            "rol"
            if caller in IEDEREEN
            else ("organisatie" if "_van_" in caller else "rol_onbekend")
        )
    wrong = {k: (record[k], v) for k, v in expected.items() if record[k] != v}
    return f"audit record differs (found, expected): {wrong}" if wrong else ""


@pytest.mark.parametrize("p", PAGES, ids=lambda p: p.operation)
async def test_every_role_gets_the_page_need_to_know_gives_and_one_record(
    system: System, pagina_zaken: dict[str, tuple[str, str]], p: Page
) -> None:
    problems = []
    referenties = [r for _, r in pagina_zaken.values()]
    for caller in CALLERS:
        for case, (zaak_id, _) in pagina_zaken.items():
            if case != "eigen" and not p.per_case:
                continue
            before = system.audit_head("reporting")
            response = await _open(system, p, caller, zaak_id)
            status, want = response.status_code, p.expected(caller, case)
            if status != want:
                problems.append(f"{caller} on {case}: {status}, expected {want}")
                continue
            if status in (403, 404) and any(r in response.text for r in referenties):
                problems.append(f"{caller} on {case}: a refusal shows a case")
            records = system.audit_after("reporting", before)
            problem = _record_problem(p, caller, zaak_id, status, records)
            if problem:
                problems.append(f"{caller} on {case}: {problem}")
    assert not problems, "\n".join(problems)


async def test_every_page_is_in_the_matrix(system: System) -> None:
    from shared.security.policy import api_routes

    app = system.apps["reporting"]
    policy = app.state.security.policy
    pages = {
        route.operation_id
        for path, route in api_routes(app)
        if path.startswith("/ui") and not policy.is_public(path)
    }
    assert len(pages) > 5 and pages == {p.operation for p in PAGES}, pages


async def test_without_a_session_a_page_sends_to_sign_in_and_leaves_a_record(
    system: System, pagina_zaken: dict[str, tuple[str, str]]
) -> None:
    zaak_id, referentie = pagina_zaken["eigen"]
    for cookie, reason in (
        ({}, "geen_sessie"),
        ({"Cookie": "knooppunt_sessie=x.y.z"}, "token_ongeldig"),
    ):
        before = system.audit_head("reporting")
        response = await system.clients["reporting"].get(f"/ui/zaken/{zaak_id}", headers=cookie)
        assert response.status_code == 303
        assert response.headers["location"] == f"/ui/aanmelden?volgende=/ui/zaken/{zaak_id}"
        assert referentie not in response.text
        (record,) = system.audit_after("reporting", before)
        assert (record["decision"], record["reason"], record["result"]) == (
            "refused",
            reason,
            "303",
        )


async def test_signing_out_ends_the_session_on_the_server(
    system: System, pagina_zaken: dict[str, tuple[str, str]]
) -> None:
    sessie = token("lkha", "coordinator", user="c.afmelder")
    cookie = {"Cookie": f"knooppunt_sessie={sessie}"}
    reporting = system.clients["reporting"]
    assert (await reporting.get("/ui/zaken", headers=cookie)).status_code == 200
    csrf = Sessie(Actor("lkha", "coordinator", "c.afmelder"), sessie).csrf
    uit = await reporting.post("/ui/afmelden", data={"csrf": csrf}, headers=cookie)
    assert uit.status_code == 303
    # The browser's cookie is gone, and a copy of it no longer opens a page.
    assert 'knooppunt_sessie=""' in uit.headers["set-cookie"]
    before = system.audit_head("reporting")
    again = await reporting.get("/ui/zaken", headers=cookie)
    assert again.status_code == 303 and again.headers["location"].startswith("/ui/aanmelden")
    (record,) = system.audit_after("reporting", before)
    assert (record["reason"], record["actor_user"]) == ("sessie_afgemeld", None)
    # Nor can it be used to sign in again.
    pagina = await reporting.get("/ui/aanmelden")
    csrf_cookie = pagina.cookies["knooppunt_aanmelden"]
    weer = await reporting.post(
        "/ui/aanmelden",
        data={"csrf": csrf_cookie, "token": sessie, "volgende": "/ui/zaken"},
        headers={"Cookie": f"knooppunt_aanmelden={csrf_cookie}"},
    )
    assert weer.status_code == 400 and "afgemeld" in weer.text


OVERLEG = {
    "datum": "2018-05-01",
    "deelnemers": "lkha",
    "besluiten": "BZ belt de post",
    "actie_eigenaar": "bz",
    "actie_omschrijving": "Post belt betrokkene",
    "actie_deadline": "2018-05-08",
}

#: Page parameters no page may answer with a 500 or a dropped connection: (method, path,
#: query or form). Each gets a page that says what is wrong, with a 4xx status.
SLECHT: list[tuple[str, str, dict[str, str]]] = [
    ("GET", "/ui/zaken/geen-id", {}),
    ("GET", "/ui/zaken/" + "9" * 3000, {}),
    ("GET", "/ui/zaken/{zaak_id}", {"gedaan": "\u0000<script>"}),
    ("GET", "/ui/zaken", {"pagina": "\u00b2"}),
    ("GET", "/ui/zaken", {"pagina": "9" * 40, "land": "\u00e9\u00e9", "fase": "<x>"}),
    ("GET", "/ui/agenda", {"datum": "9999-12-31"}),
    ("GET", "/ui/agenda", {"datum": "0001-01-01"}),
    ("GET", "/ui/agenda", {"datum": "\u0663\u0663"}),
    ("GET", "/ui/cijfers", {"jaar": "\u00b2\u00b2"}),
    ("GET", "/ui/cijfers", {"jaar": "99999", "peildatum": "0001-01-01"}),
    ("GET", "/ui/cijfers", {"jaar": "2018", "peildatum": "9999-12-31"}),
    ("GET", "/ui/cijfers/99999.csv", {}),
    ("GET", "/ui/cijfers/\u00b2\u00b2\u00b2\u00b2.csv", {}),
    ("GET", "/ui/cijfers/2018.exe", {}),
    ("GET", "/ui/cijfers/0001.pdf", {"peildatum": "x"}),
    ("GET", "/ui/bestaat-niet", {}),
    ("POST", "/ui/zaken/{zaak_id}/regieoverleg", {"sleutel": "ui-\u00e9\n", "datum": "2018-05-01"}),
    ("POST", "/ui/zaken/{zaak_id}/regieoverleg", {**OVERLEG, "sleutel": "ui-\u00e9\r\nX: 1"}),
    ("POST", "/ui/zaken/{zaak_id}/regieoverleg", {**OVERLEG, "sleutel": "x" * 5000}),
    ("POST", "/ui/zaken/{zaak_id}/acties/..%2F..%2Fzaken/x/afgerond", {"datum": "2018-05-01"}),
    ("POST", f"/ui/zaken/{{zaak_id}}/acties/{ONBEKEND}/{ONBEKEND}/afgerond", {"versie": "\u00b2"}),
    ("POST", "/ui/zaken/{zaak_id}/persoonsgegevens", {"doel": "\u0000"}),
    ("POST", "/ui/zaken/geen-id/persoonsgegevens", {"doel": "verificatie"}),
    ("DELETE", "/ui/zaken/{zaak_id}", {}),
]


@pytest.mark.parametrize("slecht", SLECHT, ids=lambda s: f"{s[0]} {s[1][:40]} {str(s[2])[:60]}")
async def test_bad_page_parameters_get_a_page_that_says_so_never_a_500(
    system: System,
    pagina_zaken: dict[str, tuple[str, str]],
    slecht: tuple[str, str, dict[str, str]],
) -> None:
    method, path, values = slecht
    sessie = token("lkha", "coordinator", user="c.invoer")
    csrf = Sessie(Actor("lkha", "coordinator", "c.invoer"), sessie).csrf
    before = system.audit_head("reporting")
    response = await system.clients["reporting"].request(
        method,
        path.format(zaak_id=pagina_zaken["eigen"][0]),
        params=values if method != "POST" else None,
        data={"csrf": csrf, **values} if method == "POST" else None,
        headers={"Cookie": f"knooppunt_sessie={sessie}"},
    )
    assert 400 <= response.status_code < 500 or response.status_code in (200, 303), response.text
    if response.status_code != 303:
        assert response.headers["content-type"].startswith("text/html"), response.text[:300]
    assert len(system.audit_after("reporting", before)) == 1


async def test_signing_in_with_a_role_outside_its_agency_is_refused(system: System) -> None:
    reporting = system.clients["reporting"]
    pagina = await reporting.get("/ui/aanmelden")
    csrf = pagina.cookies["knooppunt_aanmelden"]
    response = await reporting.post(
        "/ui/aanmelden",
        data={"csrf": csrf, "token": token("veilig_thuis_utrecht", "coordinator")},
        headers={"Cookie": f"knooppunt_aanmelden={csrf}"},
    )
    assert response.status_code == 403
    assert "belongs to org" in response.text
    assert "knooppunt_sessie" not in response.headers.get("set-cookie", "")
