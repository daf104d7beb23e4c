"""Intake's new routes over the in-memory application: status and adviesvragen."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any
from uuid import UUID

import httpx
import pytest
from fastapi import FastAPI
from opentelemetry.sdk.trace import TracerProvider

from services.intake.adviesvragen.api import build_adviesvragen_router
from services.intake.adviesvragen.application import Adviesvragen
from services.intake.api_status import build_status_router
from services.intake.application import IntakeApplication
from services.intake.organisaties import Organisatieregister
from services.intake.problems import PROBLEMS
from services.intake.status import MeldingStatussen
from shared.context import Actor
from shared.http import install_http_basics
from shared.problems import install_problems
from shared.security.wiring import get_actor
from tests.helpers import ZONDER_SLEUTEL, with_idempotency_key
from tests.unit.intake.fakes import Verificatie, verzoek

ADVIESVRAAG: dict[str, Any] = {
    "ontvangen_op": "2018-03-14",
    "onderwerp": "huwelijksdwang",
    "melder": {"type": "hulpverlening", "organisatie": "Wijkteam"},
    "vraag": "Hoe te handelen als een leerling niet terugkeert?",
}


class Wekker:
    def __init__(self) -> None:
        self.keer = 0

    def __call__(self) -> None:
        self.keer += 1


@pytest.fixture
def wekker() -> Wekker:
    return Wekker()


@pytest.fixture
def web(
    intake: IntakeApplication,
    adviesvragen: Adviesvragen,
    statussen: MeldingStatussen,
    wekker: Wekker,
) -> FastAPI:
    web = FastAPI()
    install_http_basics(web, tracer=TracerProvider().get_tracer("test"), max_body_bytes=16384)
    install_problems(web, PROBLEMS)
    web.include_router(build_status_router())
    web.include_router(build_adviesvragen_router(wekker))
    web.state.intake = intake
    web.state.adviesvragen = adviesvragen
    web.state.meldingstatussen = statussen
    web.state.organisaties = Organisatieregister.laad()
    # The security middleware is not installed here: the caller is given directly.
    web.dependency_overrides[get_actor] = lambda: Actor(
        org="lkha", rol="lkha_medewerker", user="onbekend"
    )
    return web


@pytest.fixture
async def client(web: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=web)
    async with httpx.AsyncClient(
        transport=transport,
        base_url="http://test",
        event_hooks={"request": [with_idempotency_key]},
    ) as c:
        yield c


async def test_the_status_of_a_melding_is_its_stage_only(
    client: httpx.AsyncClient, intake: IntakeApplication, verificatie: Verificatie
) -> None:
    zaak_id = intake.meld(melder_org="vt", idempotency_key="m-1", verzoek=verzoek()).zaak_id
    url = f"/v1/meldingen/{zaak_id}/status"
    first = await client.get(url)
    assert first.status_code == 200
    assert first.json() == {
        "zaak_id": str(zaak_id),
        "referentie": intake.get_melding(zaak_id).referentie,
        "status": "ontvangen",
        "heeft_persoonsgegevens": True,
        "gewijzigd_op": first.json()["gewijzigd_op"],
    }
    assert first.headers["ETag"] == 'W/"1.0.0"'
    verificatie(zaak_id, "geverifieerd", uitkomst="vastgesteld", besloten_op="2018-04-01")
    assert (await client.get(url)).json()["status"] == "in_onderzoek"
    verificatie(zaak_id, "afgesloten", reden="teruggekeerd", datum="2018-06-01")
    later = (await client.get(url)).json()
    assert later["status"] == "afgerond"
    assert set(later) == {
        "zaak_id",
        "referentie",
        "status",
        "heeft_persoonsgegevens",
        "gewijzigd_op",
    }


async def test_the_status_of_an_unknown_melding_is_404(client: httpx.AsyncClient) -> None:
    response = await client.get(f"/v1/meldingen/{UUID(int=3)}/status")
    assert response.status_code == 404
    assert "not found" in response.json()["detail"]


async def test_an_adviesvraag_is_recorded_and_read_back_without_its_vraag(
    client: httpx.AsyncClient, wekker: Wekker
) -> None:
    response = await client.post(
        "/v1/adviesvragen", json=ADVIESVRAAG, headers={"Idempotency-Key": "advies-0001"}
    )
    assert response.status_code == 201, response.text
    adviesvraag_id = response.json()["adviesvraag_id"]
    assert response.headers["Location"] == f"/v1/adviesvragen/{adviesvraag_id}"
    assert wekker.keer == 1
    gelezen = await client.get(f"/v1/adviesvragen/{adviesvraag_id}")
    assert gelezen.status_code == 200
    assert gelezen.headers["ETag"] == 'W/"1"'
    assert gelezen.json() == {
        "adviesvraag_id": adviesvraag_id,
        "versie": 1,
        "ontvangen_op": "2018-03-14",
        "onderwerp": "huwelijksdwang",
        "melder": {"type": "hulpverlening", "organisatie": "Wijkteam"},
        "heeft_vraag": True,
    }


async def test_a_retried_adviesvraag_gets_the_first_answer(
    client: httpx.AsyncClient, wekker: Wekker, intake: IntakeApplication
) -> None:
    headers = {"Idempotency-Key": "advies-0002"}
    eerste = await client.post("/v1/adviesvragen", json=ADVIESVRAAG, headers=headers)
    retry = await client.post("/v1/adviesvragen", json=ADVIESVRAAG, headers=headers)
    assert retry.status_code == 201 and retry.json() == eerste.json()
    assert retry.headers["Idempotent-Replayed"] == "true"
    assert wekker.keer == 1 and intake.recorder.max_notification_id() == 1
    ander = await client.post(
        "/v1/adviesvragen", json={**ADVIESVRAAG, "vraag": "Iets anders?"}, headers=headers
    )
    assert ander.status_code == 422
    assert "Idempotency-Key" in ander.json()["detail"]


@pytest.mark.parametrize(
    ("body", "headers", "veld", "noemt"),
    [
        (ADVIESVRAAG, ZONDER_SLEUTEL, "header.Idempotency-Key", "Field required"),
        ({**ADVIESVRAAG, "onderwerp": "zorgen"}, None, "onderwerp", "'huwelijksdwang'"),
        ({**ADVIESVRAAG, "naam": "Testpersoon"}, None, "naam", "not permitted"),
        ({**ADVIESVRAAG, "melder": {"type": "buurman"}}, None, "melder.type", "'veilig_thuis'"),
        ({**ADVIESVRAAG, "vraag": "x" * 10_001}, None, "vraag", "at most 10000"),
    ],
)
async def test_a_malformed_adviesvraag_is_400_naming_the_field(
    client: httpx.AsyncClient,
    body: dict[str, Any],
    headers: dict[str, str] | None,
    veld: str,
    noemt: str,
) -> None:
    response = await client.post(
        "/v1/adviesvragen",
        json=body,
        headers={"Idempotency-Key": "advies-0003"} if headers is None else headers,
    )
    assert response.status_code == 400
    fout = response.json()["errors"][0]
    assert fout["field"] == veld and noemt in fout["message"]


async def test_an_adviesvraag_from_the_future_is_400(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/v1/adviesvragen",
        json={**ADVIESVRAAG, "ontvangen_op": "2019-07-01"},
        headers={"Idempotency-Key": "advies-0004"},
    )
    assert response.status_code == 400
    assert "lies in the future" in response.json()["detail"]


async def test_an_unknown_adviesvraag_is_404(client: httpx.AsyncClient) -> None:
    response = await client.get(f"/v1/adviesvragen/{UUID(int=4)}")
    assert response.status_code == 404


async def test_the_new_routes_are_documented_with_an_example(client: httpx.AsyncClient) -> None:
    spec = (await client.get("/openapi.json")).json()
    ops = {op["operationId"]: op for path in spec["paths"].values() for op in path.values()}
    assert set(ops) == {"get_melding_status", "ontvang_adviesvraag", "get_adviesvraag"}
    assert all(op["description"] for op in ops.values())
    assert spec["components"]["schemas"]["AdviesvraagCreate"]["examples"]


async def test_an_adviesvraag_needs_a_known_caller(
    client: httpx.AsyncClient, web: FastAPI, intake: IntakeApplication
) -> None:
    del web.dependency_overrides[get_actor]
    response = await client.post(
        "/v1/adviesvragen", json=ADVIESVRAAG, headers={"Idempotency-Key": "advies-0005"}
    )
    assert response.status_code == 401
    assert intake.recorder.max_notification_id() is None
