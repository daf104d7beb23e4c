"""Poison input at the HTTP edge of the four real services (issue 10, "Poison input", "Input
that must be refused", the schemathesis findings): never a 500, always a clear 4xx naming the
field and the rule, nothing stored, and an audit record of every refusal, also for a request
whose own record cannot be written."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from sqlalchemy import text

from tests.helpers import auth_headers, eventually, melding
from tests.security.conftest import SERVICES, System

pytestmark = pytest.mark.integration

COORDINATOR = auth_headers("lkha", "coordinator", "c.coordinator")
MELDER = auth_headers("veilig_thuis_utrecht", "melder", "m.melder")
AUDITOR = auth_headers("adr", "auditor", "a.auditor")
BZ = auth_headers("bz", "bz_consulair", "p.rabat")


def _fields(response: Any) -> dict[str, str]:
    return {e["field"]: e["rule"] for e in response.json().get("errors", [])}


async def _meld(system: System, key: str, **overrides: Any) -> Any:
    return await system.clients["intake"].post(
        "/v1/meldingen", json=melding(**overrides), headers={"Idempotency-Key": key, **MELDER}
    )


@pytest.mark.parametrize("service", SERVICES)
@pytest.mark.parametrize("headers", [{}, COORDINATOR], ids=["no token", "coordinator"])
@pytest.mark.parametrize("path", ["/v1/zaken/%00", "/v1/%1B/x", "/v1/audit/zaken/%C2%85"])
async def test_a_control_character_in_the_url_path_is_400_and_audited(
    system: System, service: str, headers: dict[str, str], path: str
) -> None:
    before = system.audit_head(service)
    response = await system.clients[service].get(path, headers=headers)
    assert response.status_code == 400, response.text
    assert _fields(response) == {"path": "stuurteken"}
    [record] = system.audit_after(service, before)
    assert record["decision"] == "refused" and record["reason"] == "url_ongeldig"
    assert record["result"] == "400"
    assert "\\x" in record["object"]  # what was sent, escaped


@pytest.mark.parametrize("service", SERVICES)
async def test_a_nul_in_the_auditors_reden_is_400_and_audited(system: System, service: str) -> None:
    before = system.audit_head(service)
    response = await system.clients[service].get(
        "/v1/audit/zaken/6f1c2a0e-3b7d-5c1e-9a44-4b6e6b6f7070",
        params={"reden": "onderzoek\x00klacht"},
        headers=AUDITOR,
    )
    assert response.status_code == 400, response.text
    assert _fields(response) == {"query.reden": "stuurteken"}
    [record] = system.audit_after(service, before)
    assert record["decision"] == "refused" and record["actor_rol"] == "auditor"


async def test_a_nul_in_a_text_field_of_a_melding_is_400_and_nothing_is_stored(
    system: System,
) -> None:
    melder = {"type": "school", "organisatie": "Leerplicht\x00Utrecht"}
    response = await _meld(system, "poison-nul-0001", melder=melder)
    assert response.status_code == 400
    assert _fields(response) == {"melder.organisatie": "stuurteken"}
    retry = await _meld(system, "poison-nul-0001")
    assert retry.status_code == 201 and "Idempotent-Replayed" not in retry.headers


@pytest.mark.parametrize(
    ("overrides", "field", "rule"),
    [
        (
            {"betrokkene": {"categorie": "minderjarige", "leeftijd": 40}},
            "betrokkene.leeftijd",
            "minderjarige_onder_18",
        ),
        (
            {"betrokkene": {"categorie": "minderjarige", "geboortejaar": 1978}},
            "betrokkene.geboortejaar",
            "minderjarige_onder_18",
        ),
        (
            {"betrokkene": {"categorie": "volwassene", "geboortejaar": 2090}},
            "betrokkene.geboortejaar",
            "niet_na_gemeld_op",
        ),
        (
            {"betrokkene": {"categorie": "volwassene", "leeftijd": 9}},
            "betrokkene.leeftijd",
            "volwassene_vanaf_18",
        ),
        (
            {"persoonsgegevens": {"geboortedatum": "2090-01-01"}},
            "persoonsgegevens.geboortedatum",
            "niet_in_de_toekomst",
        ),
        (
            {"persoonsgegevens": {"geboortedatum": "1990-01-01"}},
            "persoonsgegevens.geboortedatum",
            "past_bij_geboortejaar",
        ),
        ({"gemeld_op": "1890-03-14"}, "gemeld_op", "greater_than_equal"),
        ({"gemeld_op": "2090-03-14"}, "gemeld_op", "niet_in_de_toekomst"),
        ({"gemeld_op": 0}, "gemeld_op", "datum_iso"),
        ({"bz_betrokken": "true"}, "bz_betrokken", "bool_type"),
        ({"brp_ingeschreven": 1}, "brp_ingeschreven", "bool_type"),
        ({"toelichting": "regel\x1b[2J"}, "toelichting", "stuurteken"),
    ],
)
async def test_a_melding_that_cannot_be_true_is_400_naming_the_field_and_the_rule(
    system: System, overrides: dict[str, Any], field: str, rule: str
) -> None:
    response = await _meld(system, f"poison-{field}-{rule}"[:200], **overrides)
    assert response.status_code == 400, response.text
    assert _fields(response) == {field: rule}


async def test_a_future_date_is_400_in_intake_verification_and_consular_alike(
    system: System,
) -> None:
    created = await _meld(system, "poison-future-0001")
    zaak_id = created.json()["zaak_id"]
    correctie = await system.clients["intake"].post(
        f"/v1/meldingen/{zaak_id}/correcties",
        json={"land": "PK", "reden": "verkeerd land", "datum": "2099-01-01"},
        headers={"Idempotency-Key": "poison-future-corr", **COORDINATOR},
    )
    assert correctie.status_code == 400, correctie.text
    assert _fields(correctie) == {"datum": "niet_in_de_toekomst"}
    for service in ("verification", "consular"):

        async def known(service: str = service) -> bool:
            answer = await system.clients[service].get(f"/v1/zaken/{zaak_id}", headers=COORDINATOR)
            return answer.status_code == 200

        await eventually(known, what=f"{service} knows the case")
    verificatie = await system.clients["verification"].post(
        f"/v1/zaken/{zaak_id}/onderzoek", json={"datum": "2099-01-01"}, headers=COORDINATOR
    )
    consular = await system.clients["consular"].post(
        f"/v1/zaken/{zaak_id}/afloop",
        json={"afloop": "wil_geen_hulp", "datum": "2099-01-01"},
        headers=COORDINATOR,
    )
    for answer in (verificatie, consular):
        assert answer.status_code == 400, answer.text
        assert _fields(answer) == {"datum": "niet_in_de_toekomst"}


@pytest.mark.parametrize("post", ["Amsterdam", "Rabat\x00", "ambassade-van-nergens"])
async def test_a_post_that_is_no_dutch_embassy_or_consulate_is_400(
    system: System, post: str
) -> None:
    zaak_id = (await _meld(system, "poison-post-0001")).json()["zaak_id"]

    async def known() -> bool:
        answer = await system.clients["consular"].get(f"/v1/zaken/{zaak_id}", headers=BZ)
        return answer.status_code == 200

    await eventually(known, what="consular knows the case")
    response = await system.clients["consular"].post(
        f"/v1/zaken/{zaak_id}/bijstand",
        json={"soort": "bijstand_gestart", "datum": "2018-04-02", "post": post},
        headers=BZ,
    )
    assert response.status_code == 400, response.text
    assert set(_fields(response)) == {"post"}


async def test_the_posts_are_a_code_list(system: System) -> None:
    posten = (await system.clients["consular"].get("/v1/posten", headers=BZ)).json()
    codes = {p["code"]: p for p in posten}
    assert codes["rabat"]["land"] == "MA" and codes["islamabad"]["land"] == "PK"
    assert codes["erbil"]["soort"] == "consulaat-generaal"


@pytest.mark.parametrize("formaat", ["", ".csv", ".html"])
@pytest.mark.parametrize("peildatum", ["0005-06-30", "0001-01-01", "9999-12-31", "0"])
async def test_jaarcijfers_for_a_peildatum_outside_the_calendar_is_400(
    system: System, formaat: str, peildatum: str
) -> None:
    response = await system.clients["reporting"].get(
        f"/v1/jaarcijfers/2018{formaat}", params={"peildatum": peildatum}, headers=COORDINATOR
    )
    assert response.status_code == 400, response.text
    assert set(_fields(response)) == {"query.peildatum"}


@pytest.mark.parametrize("if_match", [b"\xb2", b"9" * 5000, b'W/"\xb2"'])
async def test_an_if_match_that_is_no_etag_is_412_never_500(
    system: System, if_match: bytes
) -> None:
    zaak_id = (await _meld(system, f"poison-ifmatch-{len(if_match)}")).json()["zaak_id"]
    response = await system.clients["intake"].post(
        f"/v1/meldingen/{zaak_id}/intrekking",
        json={"reden": "dubbel", "datum": "2018-03-15"},
        headers={
            "If-Match": if_match,
            "Idempotency-Key": f"poison-ifm-{len(if_match)}",
            **COORDINATOR,
        },
    )
    assert response.status_code == 412, response.text


async def test_a_request_that_cannot_be_audited_is_refused_and_its_refusal_recorded(
    system: System, monkeypatch: pytest.MonkeyPatch
) -> None:
    security = system.apps["reporting"].state.security
    write = security.audit_log.write_request
    calls = {"n": 0}

    def failing_once(audit: Any, result: str, conn: Any = None) -> int:
        calls["n"] += 1
        if calls["n"] == 1:
            raise RuntimeError("audit insert failed")
        return write(audit, result, conn)

    monkeypatch.setattr(security.audit_log, "write_request", failing_once)
    before = system.audit_head("reporting")
    response = await system.clients["reporting"].get("/v1/statistieken", headers=COORDINATOR)
    assert response.status_code == 503
    assert "could not be audited" in response.json()["detail"]
    [record] = system.audit_after("reporting", before)
    assert record["decision"] == "refused" and record["reason"] == "niet_auditeerbaar"
    assert record["actor_user"] == "c.coordinator"


async def test_when_not_even_the_refusal_can_be_stored_it_is_logged(
    system: System, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    security = system.apps["reporting"].state.security

    def failing(audit: Any, result: str, conn: Any = None) -> int:
        raise RuntimeError("database gone")

    monkeypatch.setattr(security.audit_log, "write_request", failing)
    before = system.audit_head("reporting")
    with caplog.at_level(logging.ERROR, logger="shared.security.middleware"):
        response = await system.clients["reporting"].get("/v1/statistieken", headers=COORDINATOR)
    assert response.status_code == 503
    assert system.audit_after("reporting", before) == []
    logged = [r.getMessage() for r in caplog.records if "refused unaudited" in r.getMessage()]
    assert logged and "niet_auditeerbaar" in logged[0] and "c.coordinator" in logged[0]


async def test_a_refused_melding_claims_no_referentie_and_a_failed_save_none_either(
    system: System, monkeypatch: pytest.MonkeyPatch
) -> None:
    def referenties() -> int:
        with system.engine.connect() as conn:
            return int(conn.execute(text("SELECT count(*) FROM intake.referenties")).scalar_one())

    before = referenties()
    refused = await _meld(system, "poison-ref-0001", gemeld_op="2090-01-01")
    assert refused.status_code == 400 and referenties() == before
    first = await _meld(system, "poison-ref-0002")
    assert first.status_code == 201 and referenties() == before + 1
    # A retry racing the first request: its save fails on the case's first event, so the
    # referentie it drew (another one) is rolled back with it, and it gets the first answer.
    intake = system.apps["intake"].state.intake
    bestaande = intake._bestaande
    seen = {"n": 0}

    def blind_once(zaak_id: Any, vingerafdruk: str) -> Any:
        seen["n"] += 1
        return None if seen["n"] == 1 else bestaande(zaak_id, vingerafdruk)

    monkeypatch.setattr(intake, "_bestaande", blind_once)
    again = await _meld(system, "poison-ref-0002")
    assert again.status_code == 201 and again.headers["Idempotent-Replayed"] == "true"
    assert again.json()["referentie"] == first.json()["referentie"]
    assert referenties() == before + 1
