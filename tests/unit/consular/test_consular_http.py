"""Consular's HTTP edge over the in-memory application: status codes, ETags, retries."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any
from uuid import UUID

import httpx
import pytest
from fastapi import FastAPI
from opentelemetry.sdk.trace import TracerProvider

from services.consular.api import build_router
from services.consular.application import ConsularApplication
from services.consular.problems import PROBLEMS
from shared.http import install_http_basics
from shared.problems import install_problems
from tests.helpers import with_idempotency_key
from tests.unit.consular.fakes import ZAAK, Stromen

BIJSTAND = f"/v1/zaken/{ZAAK}/bijstand"
AFLOOP = f"/v1/zaken/{ZAAK}/afloop"
NOODFONDS = {
    "soort": "noodfonds_uitgave",
    "datum": "2018-04-03",
    "post": "Rabat",
    "bedrag_cent": 79500,
    "doel": "tickets",
}


class Wekker:
    """Counts how often the routes woke the relay."""

    def __init__(self) -> None:
        self.keer = 0

    def __call__(self) -> None:
        self.keer += 1


@pytest.fixture
def wekker() -> Wekker:
    return Wekker()


@pytest.fixture
async def client(app: ConsularApplication, wekker: Wekker) -> AsyncIterator[httpx.AsyncClient]:
    web = FastAPI()
    install_http_basics(web, tracer=TracerProvider().get_tracer("test"), max_body_bytes=4096)
    install_problems(web, PROBLEMS)
    web.include_router(build_router(wekker))
    web.state.consular = app
    transport = httpx.ASGITransport(app=web)
    async with httpx.AsyncClient(
        transport=transport,
        base_url="http://test",
        event_hooks={"request": [with_idempotency_key]},
    ) as c:
        yield c


async def test_an_unknown_case_is_not_yet_known_here(client: httpx.AsyncClient) -> None:
    for response in (
        await client.get(f"/v1/zaken/{UUID(int=404)}"),
        await client.post(f"/v1/zaken/{UUID(int=404)}/bijstand", json=NOODFONDS),
        await client.post(
            f"/v1/zaken/{UUID(int=404)}/afloop",
            json={"afloop": "wil_geen_hulp", "datum": "2018-05-01"},
        ),
    ):
        assert response.status_code == 404
        assert "not yet known here" in response.json()["detail"]


async def test_the_case_as_consular_knows_it_with_versie_and_etag(
    client: httpx.AsyncClient, stromen: Stromen
) -> None:
    stromen.melding()
    stromen.verification("onderzoek_gestart", {"datum": "2018-03-15"})
    stromen.geverifieerd("vastgesteld", reden="niet gepubliceerd")
    await client.post(BIJSTAND, json=NOODFONDS)
    await client.post(BIJSTAND, json={**NOODFONDS, "bedrag_cent": 50500, "doel": "opvang"})
    afloop = {"afloop": "teruggekeerd_met_ondersteuning", "datum": "2018-05-20"}
    await client.post(AFLOOP, json=afloop)
    response = await client.get(f"/v1/zaken/{ZAAK}")
    assert response.status_code == 200
    assert response.headers["ETag"] == 'W/"6"'
    zaak = response.json()
    assert zaak["versie"] == 6 and zaak["referentie"] == "LKHA-2018-0001"
    assert zaak["verificatie"] == {
        "stand": "geverifieerd",
        "onderzoek_gestart_op": "2018-03-15",
        "uitkomst": "vastgesteld",
        "onderwerp": "achterlating",
        "besloten_op": "2018-04-01",
        "herzien": False,
        "afgesloten_op": None,
    }
    assert [b["doel"] for b in zaak["bijstand"]] == ["tickets", "opvang"]
    assert zaak["noodfonds_totaal_cent"] == 130000
    assert zaak["afloop"] == {
        "afloop": "teruggekeerd_met_ondersteuning",
        "datum": "2018-05-20",
        "versie": 6,
    }
    assert zaak["aflopen"] == [zaak["afloop"]]


async def test_recording_aid_answers_201_with_the_case_and_wakes_the_relay(
    client: httpx.AsyncClient, stromen: Stromen, wekker: Wekker
) -> None:
    stromen.melding()
    response = await client.post(BIJSTAND, json=NOODFONDS, headers={"If-Match": 'W/"1"'})
    assert response.status_code == 201, response.text
    assert response.headers["ETag"] == 'W/"2"'
    assert response.headers["Location"] == f"/v1/zaken/{ZAAK}"
    verleend = {
        **NOODFONDS,
        "post": "rabat",  # the name is stored as the post's code
        "document": None,
        "via": None,
        "antwoord": None,
        "versie": 2,
    }
    assert response.json()["bijstand"] == [verleend]
    assert wekker.keer == 1


@pytest.mark.parametrize(
    ("body", "veld", "noemt"),
    [
        ({**NOODFONDS, "soort": "geld"}, "soort", "noodfonds_uitgave, opvang_geregeld"),
        ({k: v for k, v in NOODFONDS.items() if k != "soort"}, "soort", "bijstand_gestart"),
        ({**NOODFONDS, "doel": "hotel"}, "doel", "'tickets', 'reisdocument' or 'opvang'"),
        ({**NOODFONDS, "bedrag_cent": 0}, "bedrag_cent", "greater than 0"),
        ({**NOODFONDS, "bedrag_cent": 12.5}, "bedrag_cent", "valid integer"),
        ({**NOODFONDS, "bedrag_cent": "795"}, "bedrag_cent", "valid integer"),
        ({**NOODFONDS, "post": "Rabat\nnaam slachtoffer"}, "post", "one line"),
        ({**NOODFONDS, "post": "R" * 61}, "post", "at most 60 characters"),
        ({**NOODFONDS, "post": "Amsterdam"}, "post", "embassy or consulate"),
        ({**NOODFONDS, "toelichting": "vrije tekst"}, "toelichting", "not permitted"),
        ({"soort": "opvang_geregeld", "datum": "2018-04-03", "post": "Rabat"}, "via", "Field"),
        ({**NOODFONDS, "datum": "2019-07-01"}, "datum", "lies in the future"),
        ({**NOODFONDS, "datum": "2018-03-13"}, "datum", "before gemeld_op 2018-03-14"),
    ],
)
async def test_a_malformed_aid_request_is_400_naming_the_field(
    client: httpx.AsyncClient,
    stromen: Stromen,
    body: dict[str, Any],
    veld: str,
    noemt: str,
) -> None:
    stromen.melding()
    response = await client.post(BIJSTAND, json=body)
    assert response.status_code == 400, response.text
    fouten = response.json()["errors"]
    assert [f["field"] for f in fouten] == [veld]
    assert noemt in fouten[0]["message"]
    assert (await client.get(f"/v1/zaken/{ZAAK}")).json()["bijstand"] == []


async def test_a_broken_rule_is_409_and_says_which(
    client: httpx.AsyncClient, stromen: Stromen
) -> None:
    stromen.melding(betrokkene={"categorie": "volwassene"})
    voogdij = {"soort": "voorlopige_voogdij", "datum": "2018-04-03", "post": "Rabat"}
    response = await client.post(BIJSTAND, json=voogdij)
    assert response.status_code == 409
    assert "only for a case about a minor" in response.json()["detail"]
    stromen.verification("afgesloten", {"reden": "overig", "datum": "2018-05-01"})
    response = await client.post(BIJSTAND, json=NOODFONDS)
    assert response.status_code == 409
    assert "closed on 2018-05-01" in response.json()["detail"]


async def test_a_stale_if_match_is_412(client: httpx.AsyncClient, stromen: Stromen) -> None:
    stromen.melding()
    assert (await client.post(BIJSTAND, json=NOODFONDS)).status_code == 201
    stale = await client.post(BIJSTAND, json=NOODFONDS, headers={"If-Match": 'W/"1"'})
    assert stale.status_code == 412
    assert "at versie 2, not 1" in stale.json()["detail"]
    nonsense = await client.post(BIJSTAND, json=NOODFONDS, headers={"If-Match": "*"})
    assert nonsense.status_code == 412
    assert len((await client.get(f"/v1/zaken/{ZAAK}")).json()["bijstand"]) == 1


async def test_a_retry_with_the_same_key_gets_the_first_answer_and_stores_nothing(
    client: httpx.AsyncClient, stromen: Stromen, wekker: Wekker
) -> None:
    stromen.melding()
    headers = {"Idempotency-Key": "bijstand-rabat-0001", "If-Match": 'W/"1"'}
    eerste = await client.post(BIJSTAND, json=NOODFONDS, headers=headers)
    retry = await client.post(BIJSTAND, json=NOODFONDS, headers=headers)
    assert eerste.status_code == retry.status_code == 201
    assert retry.json() == eerste.json()
    assert retry.headers["ETag"] == eerste.headers["ETag"] == 'W/"2"'
    assert retry.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in eerste.headers
    assert wekker.keer == 1
    other = await client.post(BIJSTAND, json={**NOODFONDS, "bedrag_cent": 1}, headers=headers)
    assert other.status_code == 422
    assert "Idempotency-Key" in other.json()["detail"]
    assert (await client.get(f"/v1/zaken/{ZAAK}")).json()["versie"] == 2


async def test_a_too_short_idempotency_key_is_400(
    client: httpx.AsyncClient, stromen: Stromen
) -> None:
    stromen.melding()
    response = await client.post(BIJSTAND, json=NOODFONDS, headers={"Idempotency-Key": "k"})
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "header.Idempotency-Key"


async def test_the_afloop_of_an_established_case(
    client: httpx.AsyncClient, stromen: Stromen
) -> None:
    stromen.melding()
    afloop = {"afloop": "teruggekeerd_na_inzet_lkha", "datum": "2018-05-20"}
    te_vroeg = await client.post(AFLOOP, json=afloop)
    assert te_vroeg.status_code == 409
    assert "not verified yet" in te_vroeg.json()["detail"]
    stromen.geverifieerd("vastgesteld")
    headers = {"Idempotency-Key": "afloop-0000001"}
    response = await client.post(AFLOOP, json=afloop, headers=headers)
    assert response.status_code == 201, response.text
    assert response.json()["afloop"] == {**afloop, "versie": 3}
    retry = await client.post(AFLOOP, json=afloop, headers=headers)
    assert retry.status_code == 201 and retry.json() == response.json()
    nogmaals = await client.post(AFLOOP, json={**afloop, "afloop": "wil_geen_hulp"})
    assert nogmaals.status_code == 409
    assert "recorded already" in nogmaals.json()["detail"]


async def test_an_unknown_afloop_is_400_with_the_allowed_values(
    client: httpx.AsyncClient, stromen: Stromen
) -> None:
    stromen.melding()
    response = await client.post(AFLOOP, json={"afloop": "teruggekeerd", "datum": "2018-05-20"})
    assert response.status_code == 400
    fout = response.json()["errors"][0]
    assert fout["field"] == "afloop"
    assert "'teruggekeerd_met_ondersteuning', 'teruggekeerd_na_inzet_lkha'" in fout["message"]


async def test_every_endpoint_is_documented_with_an_example(client: httpx.AsyncClient) -> None:
    spec = (await client.get("/openapi.json")).json()
    operations = {
        (path, method): op for path, ops in spec["paths"].items() for method, op in ops.items()
    }
    assert {op["operationId"] for op in operations.values()} == {
        "posten",
        "get_zaak",
        "verleen_bijstand",
        "leg_afloop_vast",
    }
    for op in operations.values():
        assert op["description"] and "\n" not in op["description"]
    bijstand = operations[("/v1/zaken/{zaak_id}/bijstand", "post")]
    assert bijstand["requestBody"]["content"]["application/json"]["examples"]
    assert spec["components"]["schemas"]["AfloopCreate"]["examples"]
    assert spec["components"]["schemas"]["NoodfondsUitgave"]["examples"]
    assert {"404", "409", "412", "422"} <= set(bijstand["responses"])
