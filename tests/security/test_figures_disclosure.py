"""Disclosure control on the running services: the role comes from the token, never from the
question, and every role without case access gets protected figures (docs/security.md)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.helpers import auth_headers, eventually, melding
from tests.security.conftest import System

pytestmark = pytest.mark.integration

PARTNER = auth_headers("veilig_thuis_utrecht", "melder")
LKHA = auth_headers("lkha", "coordinator")
BESCHERMD = {
    "beleid": auth_headers("ministerie_vws", "beleid"),
    "bz_consulair": auth_headers("bz", "bz_consulair"),
    "auditor": auth_headers("adr", "auditor"),
}
MAAND = {"gemeld_van": "2018-03-01", "gemeld_tot": "2018-03-31"}


@pytest.fixture(scope="module")
async def drie_meldingen(system: System) -> None:
    """Three meldingen in March 2018, as a partner makes them, counted by reporting."""
    for i, dag in enumerate(("2018-03-05", "2018-03-14", "2018-03-20")):
        response = await system.clients["intake"].post(
            "/v1/meldingen",
            json=melding(gemeld_op=dag),
            headers={"Idempotency-Key": f"sdc-melding-{i:04}", **PARTNER},
        )
        assert response.status_code == 201, response.text

    async def geteld() -> bool:
        response = await system.clients["reporting"].get(
            "/v1/statistieken", params={"peildatum": "2018-12-31", **MAAND}, headers=LKHA
        )
        return bool(response.json()["totaal"] == 3)

    await eventually(geteld, what="reporting counts the three meldingen")


async def _cijfers(system: System, headers: dict[str, str], **vraag: Any) -> Any:
    response = await system.clients["reporting"].get(
        "/v1/statistieken", params=vraag, headers=headers
    )
    assert response.status_code == 200, response.text
    return response.json()


@pytest.mark.parametrize("rol", sorted(BESCHERMD))
async def test_a_role_without_case_access_never_sees_the_three_cases_counted(
    system: System, drie_meldingen: None, rol: str
) -> None:
    headers = BESCHERMD[rol]
    maand = await _cijfers(system, headers, peildatum="2018-12-31", **MAAND)
    assert maand["totaal"] == "<5" and maand["geheimhouding"]["drempel"] == 5
    # One day: the whole month. A day apart: the same answer.
    dag = await _cijfers(system, headers, gemeld_van="2018-03-14", gemeld_tot="2018-03-14")
    assert dag["totaal"] == "<5" and dag["filters"]["gemeld_van"] == "2018-03-01"
    een = await _cijfers(system, headers, peildatum="2018-03-14")
    twee = await _cijfers(system, headers, peildatum="2018-03-15")
    assert een["totaal"] == twee["totaal"] and een["peildatum"] == "2018-02-28"
    fijn = await _cijfers(
        system, headers, peildatum="2018-12-31", groepeer=["leeftijd", "geslacht", "melder"]
    )
    assert fijn["groepeer"] == ["leeftijdsklasse", "geslacht", "melder"]
    assert {g["aantal"] for g in fijn["groepen"]} == {"<5"}
    exact = await system.clients["reporting"].get(
        "/v1/statistieken", params={"geheimhouding": "exact"}, headers=headers
    )
    assert exact.status_code == 403, exact.text
    for pad in ("/v1/doorlooptijden", "/v1/noodfonds", "/v1/jaarcijfers/2018"):
        antwoord = await system.clients["reporting"].get(pad, headers=headers)
        assert antwoord.json()["geheimhouding"]["methode"].startswith("cell key method"), pad


async def test_the_lkha_counts_exactly_and_an_unknown_country_is_400(
    system: System, drie_meldingen: None
) -> None:
    exact = await _cijfers(system, LKHA, peildatum="2018-12-31", **MAAND)
    assert exact["totaal"] == 3 and exact["geheimhouding"] is None
    dag = await _cijfers(system, LKHA, gemeld_van="2018-03-14", gemeld_tot="2018-03-14")
    assert dag["totaal"] == 1
    for headers in (LKHA, *BESCHERMD.values()):
        response = await system.clients["reporting"].get(
            "/v1/statistieken", params={"land": "XX"}, headers=headers
        )
        assert response.status_code == 400
        assert response.json()["errors"][0]["field"] == "query.land.0"
