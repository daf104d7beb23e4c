"""Retries that must be safe (issue 10): every command that creates or changes something
takes an Idempotency-Key (required where a duplicate would do harm); a retry with the same
key and body gets the first answer with Idempotent-Replayed: true; the same key with another
body is 422; an erasure asked again by another request is a 409, never a silent replay."""

from __future__ import annotations

from typing import Any

import pytest

from tests.helpers import ZONDER_SLEUTEL, auth_headers, eventually, melding
from tests.security.conftest import System

pytestmark = pytest.mark.integration

COORDINATOR = auth_headers("lkha", "coordinator", "c.coordinator")
MELDER = auth_headers("veilig_thuis_utrecht", "melder", "m.melder")
BZ = auth_headers("bz", "bz_consulair", "p.rabat")


def _key(name: str) -> dict[str, str]:
    return {"Idempotency-Key": f"retry-{name}"}


async def _zaak(system: System, name: str, *, bekend_bij: tuple[str, ...] = ()) -> str:
    response = await system.clients["intake"].post(
        "/v1/meldingen", json=melding(), headers={**_key(f"meld-{name}"), **MELDER}
    )
    assert response.status_code == 201, response.text
    zaak_id = str(response.json()["zaak_id"])
    for service in bekend_bij:

        async def known(service: str = service) -> bool:
            answer = await system.clients[service].get(f"/v1/zaken/{zaak_id}", headers=COORDINATOR)
            return answer.status_code == 200

        await eventually(known, what=f"{service} knows {zaak_id}")
    return zaak_id


def _missing_key(response: Any) -> bool:
    errors = response.json().get("errors", [])
    return response.status_code == 400 and any(
        e["field"] == "header.Idempotency-Key" for e in errors
    )


async def test_a_retried_correction_gets_the_first_answer_not_a_409(system: System) -> None:
    zaak_id = await _zaak(system, "corr")
    url = f"/v1/meldingen/{zaak_id}/correcties"
    body = {"land": "PK", "reden": "verkeerd land", "datum": "2018-04-01"}
    headers = {**_key("corr-1"), "If-Match": 'W/"1"', **COORDINATOR}
    first = await system.clients["intake"].post(url, json=body, headers=headers)
    assert first.status_code == 200, first.text
    again = await system.clients["intake"].post(url, json=body, headers=headers)
    assert again.status_code == 200, again.text
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json() == first.json() and again.headers["ETag"] == 'W/"2"'
    other = await system.clients["intake"].post(
        url, json={**body, "land": "SO"}, headers={**_key("corr-1"), **COORDINATOR}
    )
    assert other.status_code == 422 and "Idempotency-Key" in other.json()["detail"]
    without = await system.clients["intake"].post(
        url, json={**body, "land": "SO"}, headers={**ZONDER_SLEUTEL, **COORDINATOR}
    )
    assert _missing_key(without)
    current = await system.clients["intake"].get(f"/v1/meldingen/{zaak_id}", headers=COORDINATOR)
    assert current.json()["versie"] == 2 and len(current.json()["correcties"]) == 1


async def test_a_retried_withdrawal_gets_the_first_answer(system: System) -> None:
    zaak_id = await _zaak(system, "trek")
    url = f"/v1/meldingen/{zaak_id}/intrekking"
    body = {"reden": "dubbel gemeld", "datum": "2018-03-20"}
    first = await system.clients["intake"].post(
        url, json=body, headers={**_key("trek-1"), **COORDINATOR}
    )
    again = await system.clients["intake"].post(
        url, json=body, headers={**_key("trek-1"), **COORDINATOR}
    )
    assert first.status_code == again.status_code == 200, again.text
    assert again.headers["Idempotent-Replayed"] == "true" and again.json() == first.json()
    other_request = await system.clients["intake"].post(
        url, json=body, headers={**_key("trek-2"), **COORDINATOR}
    )
    assert other_request.status_code == 409  # a second withdrawal is a broken rule


async def test_a_regieoverleg_needs_a_key_and_a_retry_makes_no_second_one(
    system: System,
) -> None:
    zaak_id = await _zaak(system, "overleg", bekend_bij=("verification",))
    body = {
        "datum": "2018-04-16",
        "deelnemers": ["lkha", "bz"],
        "zaken": [
            {
                "zaak_id": zaak_id,
                "besluiten": ["BZ legt contact"],
                "acties": [
                    {"eigenaar": "bz", "omschrijving": "Post belt", "deadline": "2018-04-19"}
                ],
            }
        ],
    }
    verification = system.clients["verification"]
    without = await verification.post(
        "/v1/regieoverleggen", json=body, headers={**ZONDER_SLEUTEL, **COORDINATOR}
    )
    assert _missing_key(without)
    headers = {**_key("overleg-1"), **COORDINATOR}
    first = await verification.post("/v1/regieoverleggen", json=body, headers=headers)
    again = await verification.post("/v1/regieoverleggen", json=body, headers=headers)
    assert first.status_code == again.status_code == 201, again.text
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json()["overleg_id"] == first.json()["overleg_id"]
    other = await verification.post(
        "/v1/regieoverleggen", json={**body, "datum": "2018-04-17"}, headers=headers
    )
    assert other.status_code == 422
    overleg = first.json()
    actie = overleg["zaken"][0]["acties"][0]["actie_id"]
    url = f"/v1/regieoverleggen/{overleg['overleg_id']}/acties/{actie}/afgerond"
    done = {**_key("actie-1"), **COORDINATOR}
    gedaan = await verification.post(url, json={"datum": "2018-04-18"}, headers=done)
    nog_eens = await verification.post(url, json={"datum": "2018-04-18"}, headers=done)
    assert gedaan.status_code == nog_eens.status_code == 200, nog_eens.text
    assert nog_eens.headers["Idempotent-Replayed"] == "true"
    assert (
        await verification.post(url, json={"datum": "2018-04-19"}, headers=done)
    ).status_code == 422


async def test_a_verification_step_retried_with_its_key_is_applied_once(system: System) -> None:
    zaak_id = await _zaak(system, "onderzoek", bekend_bij=("verification",))
    url = f"/v1/zaken/{zaak_id}/onderzoek"
    headers = {**_key("onderzoek-1"), **COORDINATOR}
    first = await system.clients["verification"].post(
        url, json={"datum": "2018-03-16"}, headers=headers
    )
    again = await system.clients["verification"].post(
        url, json={"datum": "2018-03-16"}, headers=headers
    )
    assert first.status_code == again.status_code == 200
    assert again.headers["Idempotent-Replayed"] == "true" and again.json() == first.json()
    other = await system.clients["verification"].post(
        url, json={"datum": "2018-03-17"}, headers=headers
    )
    assert other.status_code == 422


async def test_consular_aid_needs_a_key_and_a_retry_does_not_pay_twice(system: System) -> None:
    zaak_id = await _zaak(system, "noodfonds", bekend_bij=("consular",))
    url = f"/v1/zaken/{zaak_id}/bijstand"
    body = {
        "soort": "noodfonds_uitgave",
        "datum": "2018-04-03",
        "post": "rabat",
        "bedrag_cent": 79500,
        "doel": "tickets",
    }
    consular = system.clients["consular"]
    without = await consular.post(url, json=body, headers={**ZONDER_SLEUTEL, **BZ})
    assert _missing_key(without)
    headers = {**_key("noodfonds-1"), **BZ}
    first = await consular.post(url, json=body, headers=headers)
    again = await consular.post(url, json=body, headers=headers)
    assert first.status_code == again.status_code == 201, again.text
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json()["noodfonds_totaal_cent"] == 79500
    other = await consular.post(url, json={**body, "bedrag_cent": 100}, headers=headers)
    assert other.status_code == 422


async def test_a_second_erasure_on_another_grond_is_not_silently_dropped(system: System) -> None:
    zaak_id = await _zaak(system, "wis")
    url = f"/v1/meldingen/{zaak_id}/wissen"
    intake = system.clients["intake"]
    first = await intake.post(
        url, json={"grond": "verzoek_betrokkene"}, headers={**_key("wis-1"), **COORDINATOR}
    )
    assert first.status_code == 200, first.text
    again = await intake.post(
        url, json={"grond": "verzoek_betrokkene"}, headers={**_key("wis-1"), **COORDINATOR}
    )
    assert again.status_code == 200 and again.headers["Idempotent-Replayed"] == "true"
    same_key_other_grond = await intake.post(
        url, json={"grond": "onrechtmatig_verwerkt"}, headers={**_key("wis-1"), **COORDINATOR}
    )
    assert same_key_other_grond.status_code == 422
    other_request = await intake.post(
        url, json={"grond": "onrechtmatig_verwerkt"}, headers={**_key("wis-2"), **COORDINATOR}
    )
    assert other_request.status_code == 409, other_request.text
    assert "verzoek_betrokkene" in other_request.json()["detail"]
    assert "Idempotent-Replayed" not in other_request.headers


async def test_the_partner_status_says_ingetrokken_and_gewist_with_a_new_etag(
    system: System,
) -> None:
    intake = system.clients["intake"]
    zaak_id = await _zaak(system, "status-trek")
    url = f"/v1/meldingen/{zaak_id}/status"
    voor = await intake.get(url, headers=MELDER)
    assert voor.json()["status"] == "ontvangen" and voor.json()["heeft_persoonsgegevens"]
    await intake.post(
        f"/v1/meldingen/{zaak_id}/intrekking",
        json={"reden": "dubbel gemeld", "datum": "2018-03-20"},
        headers={**_key("status-trek-1"), **COORDINATOR},
    )
    na = await intake.get(url, headers=MELDER)
    assert na.json()["status"] == "ingetrokken"
    assert na.headers["ETag"] != voor.headers["ETag"]
    assert na.json()["gewijzigd_op"] > voor.json()["gewijzigd_op"]
    gewist = await intake.post(
        f"/v1/meldingen/{zaak_id}/wissen",
        json={"grond": "verzoek_betrokkene"},
        headers={**_key("status-wis-1"), **COORDINATOR},
    )
    assert gewist.status_code == 200, gewist.text
    daarna = await intake.get(url, headers=MELDER)
    assert daarna.json()["heeft_persoonsgegevens"] is False
    melding = await intake.get(f"/v1/meldingen/{zaak_id}", headers=COORDINATOR)
    assert melding.json()["heeft_persoonsgegevens"] is False
    assert daarna.headers["ETag"] not in (voor.headers["ETag"], na.headers["ETag"])
