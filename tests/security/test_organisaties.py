"""The reporting agency follows from the token and the register of organisations, never from
the body: a Veilig Thuis token that says "politie" files as Veilig Thuis, also in the figures;
an org outside the register can not report; the LKHA and BZ state who reported to them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from services.intake.organisaties import Organisatieregister
from tests.helpers import auth_headers, eventually, melding
from tests.security.conftest import System

pytestmark = pytest.mark.integration

POLITIE = {"type": "politie", "organisatie": "Politie Oost-Nederland"}


async def _post(system: System, path: str, body: Any, org: str, rol: str, key: str) -> Any:
    return await system.clients["intake"].post(
        path, json=body, headers={"Idempotency-Key": key, **auth_headers(org, rol)}
    )


async def test_a_partner_files_as_its_register_entry_whatever_its_body_says(
    system: System,
) -> None:
    response = await _post(
        system,
        "/v1/meldingen",
        melding(melder=POLITIE),
        "veilig_thuis_utrecht",
        "melder",
        "org-vt-als-politie-0001",
    )
    assert response.status_code == 201, response.text
    zaak_id = response.json()["zaak_id"]
    gelezen = await system.clients["intake"].get(f"/v1/meldingen/{zaak_id}", headers=auth_headers())
    assert gelezen.json()["melder"] == {
        "type": "veilig_thuis",
        "organisatie": "Veilig Thuis Utrecht",
    }

    # The figures count it as Veilig Thuis: reporting's copy of the event says so.
    async def bij_reporting() -> Any:
        got = await system.clients["reporting"].get(f"/v1/zaken/{zaak_id}", headers=auth_headers())
        return got.json() if got.status_code == 200 else None

    zaak = await eventually(bij_reporting, what="the melding at reporting")
    assert zaak["staat"]["melder"] == "veilig_thuis"  # what the figures group by


@pytest.mark.parametrize("path", ["/v1/meldingen", "/v1/adviesvragen"])
async def test_an_org_outside_the_register_can_not_report(system: System, path: str) -> None:
    body = melding() if path == "/v1/meldingen" else _adviesvraag()
    before = system.audit_head("intake")
    response = await _post(system, path, body, "bedenkt_zelf_een_org", "melder", "org-onbekend-01")
    assert response.status_code == 403
    assert "register of organisations" in response.json()["detail"]
    (record,) = system.audit_after("intake", before)
    assert (record["decision"], record["reason"], record["result"]) == (
        "refused",
        "organisatie_onbekend",
        "403",
    )


def _adviesvraag(**anders: Any) -> dict[str, Any]:
    return {"ontvangen_op": "2018-03-14", "onderwerp": "huwelijksdwang", **anders}


async def test_the_lkha_states_who_reported_to_it(system: System) -> None:
    zonder = {k: v for k, v in melding().items() if k != "melder"}
    response = await _post(system, "/v1/meldingen", zonder, "lkha", "coordinator", "org-lkha-01")
    assert response.status_code == 400
    assert [e["field"] for e in response.json()["errors"]] == ["melder"]
    slachtoffer = {**zonder, "melder": {"type": "slachtoffer"}}
    response = await _post(system, "/v1/meldingen", slachtoffer, "lkha", "coordinator", "org-l-02")
    assert response.status_code == 201, response.text
    zaak_id = response.json()["zaak_id"]
    gelezen = await system.clients["intake"].get(f"/v1/meldingen/{zaak_id}", headers=auth_headers())
    assert gelezen.json()["melder"] == {"type": "slachtoffer"}


async def test_a_partners_adviesvraag_names_its_register_entry(system: System) -> None:
    body = _adviesvraag(melder={"type": "ngo", "organisatie": "iets anders"})
    response = await _post(
        system, "/v1/adviesvragen", body, "politie_oost_nederland", "melder", "org-av-01"
    )
    assert response.status_code == 201, response.text


def test_a_wrong_register_entry_stops_the_service(tmp_path: Path) -> None:
    bestand = tmp_path / "organisaties.json"
    bestand.write_text('{"vt": {"type": "buurman", "naam": "x"}}')
    with pytest.raises(ValueError, match="entry 'vt' is wrong"):
        Organisatieregister.laad(bestand)
    assert Organisatieregister.laad().get("lkha").naam.startswith("Landelijk Knooppunt")
