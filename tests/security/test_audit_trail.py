"""The audit trail: who did what, when, from where, in which trace and why; no action
without its record; the auditor's replay of a case across the four services."""

from __future__ import annotations

import time
from typing import Any

import pytest
from sqlalchemy import text

from deploy.cli_audit import merge
from shared.security.tokens import mint_token
from tests.helpers import TEST_JWK, auth_headers, eventually, melding, token
from tests.security.conftest import System

pytestmark = pytest.mark.integration

COORDINATOR = auth_headers("lkha", "coordinator", "c.coordinator")
BZ = auth_headers("bz", "bz_consulair", "p.rabat")
AUDITOR = auth_headers("adr", "auditor", "a.auditor")


async def _meld(system: System, key: str, **overrides: Any) -> str:
    response = await system.clients["intake"].post(
        "/v1/meldingen",
        json=melding(**overrides),
        headers={"Idempotency-Key": key, **auth_headers("veilig_thuis_utrecht", "melder")},
    )
    assert response.status_code == 201, response.text
    return str(response.json()["zaak_id"])


def _bearer(value: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {value}"}


BAD = {
    "missing": {},
    "not bearer": {"Authorization": f"Basic {token()}"},
    "garbage": _bearer("x.y.z"),
    "expired": _bearer(
        mint_token(
            TEST_JWK,
            org="lkha",
            rol="coordinator",
            user="u",
            now=time.time() - 7200,
            ttl_seconds=60,
        )
    ),
    "tampered": _bearer(token()[:-4] + ("AAAA" if not token().endswith("AAAA") else "BBBB")),
}


@pytest.mark.parametrize("headers", BAD.values(), ids=BAD.keys())
async def test_without_a_valid_token_every_call_is_401_and_says_nothing_more(
    system: System, headers: dict[str, str]
) -> None:
    before = system.audit_head("intake")
    response = await system.clients["intake"].post(
        "/v1/meldingen", content=b'{"broken', headers=headers
    )
    assert response.status_code == 401
    assert response.headers["Content-Type"] == "application/problem+json"
    assert response.json() == {
        "type": "https://knooppunt.nl/problemen/niet-geauthenticeerd",
        "title": "Geen geldig bearer token",
        "status": 401,
        "detail": "not authenticated",
        "instance": "/v1/meldingen",
    }
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="knooppunt"'
    [record] = system.audit_after("intake", before)
    assert record["decision"] == "refused" and record["result"] == "401"
    assert record["reason"] in {"geen_token", "geen_bearer_token", "token_ongeldig"}
    assert record["actor_user"] is None


async def test_health_readiness_and_the_docs_need_no_token(system: System) -> None:
    for path in ("/health", "/openapi.json", "/docs"):
        assert (await system.clients["verification"].get(path)).status_code == 200, path

    async def ready() -> bool:  # the consumers may still wait for the other streams
        return (await system.clients["verification"].get("/ready")).status_code == 200

    await eventually(ready, what="verification ready without a token")
    document = (await system.clients["intake"].get("/openapi.json")).json()
    operation = document["paths"]["/meldingen/{zaak_id}/persoonsgegevens"]["get"]
    assert operation["security"] == [{"bearer": []}]
    assert "403" in operation["responses"] and "401" in operation["responses"]


async def test_every_record_says_who_what_when_where_and_in_which_trace(system: System) -> None:
    zaak_id = await _meld(system, "trail-0001")
    before = system.audit_head("intake")
    traceparent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
    response = await system.clients["intake"].get(
        f"/v1/meldingen/{zaak_id}", headers={**COORDINATOR, "traceparent": traceparent}
    )
    assert response.status_code == 200
    [record] = system.audit_after("intake", before)
    assert record["service"] == "intake" and record["action"] == "get_melding"
    assert record["zaak_id"] == zaak_id and record["object"] == f"/v1/meldingen/{zaak_id}"
    assert (record["actor_org"], record["actor_rol"], record["actor_user"]) == (
        "lkha",
        "coordinator",
        "c.coordinator",
    )
    assert record["decision"] == "allowed" and record["result"] == "200"
    assert record["origin"] == "127.0.0.1"
    assert record["trace_id"] == "0af7651916cd43dd8448eb211c80319c"
    assert record["recorded_at"] is not None and record["personal_data"] is False


async def test_a_read_of_personal_data_states_its_doel(system: System) -> None:
    zaak_id = await _meld(system, "trail-0002")
    url = f"/v1/meldingen/{zaak_id}/persoonsgegevens"
    intake = system.clients["intake"]
    missing = await intake.get(url, headers=COORDINATOR)
    assert missing.status_code == 400
    [error] = missing.json()["errors"]
    assert error["field"] == "query.doel" and error["rule"] == "missing"
    wrong = await intake.get(url, params={"doel": "nieuwsgierigheid"}, headers=COORDINATOR)
    assert wrong.status_code == 400 and "'consulaire_bijstand'" in wrong.text
    before = system.audit_head("intake")
    not_for_bz = await intake.get(url, params={"doel": "verificatie"}, headers=BZ)
    assert not_for_bz.status_code == 403 and "consulaire_bijstand" in not_for_bz.json()["detail"]
    for_bz = await intake.get(url, params={"doel": "consulaire_bijstand"}, headers=BZ)
    assert for_bz.status_code == 200
    assert for_bz.json()["naam"] == "Testpersoon Zeta" and "toelichting" not in for_bz.json()
    assert for_bz.headers["Cache-Control"] == "no-store"
    refused, read = system.audit_after("intake", before)
    assert (refused["decision"], refused["reason"], refused["personal_data"]) == (
        "refused",
        "doel",
        False,
    )
    assert (read["decision"], read["personal_data"], read["doel"]) == (
        "allowed",
        True,
        "consulaire_bijstand",
    )


async def test_no_read_is_answered_when_its_record_cannot_be_written(
    system: System, monkeypatch: pytest.MonkeyPatch
) -> None:
    zaak_id = await _meld(system, "trail-0003")
    security = system.apps["intake"].state.security

    def unavailable(*args: Any) -> None:
        raise RuntimeError("the audit log's disk is full")

    monkeypatch.setattr(security, "write_audit", unavailable)
    response = await system.clients["intake"].get(
        f"/v1/meldingen/{zaak_id}/persoonsgegevens",
        params={"doel": "contact_slachtoffer"},
        headers=COORDINATOR,
    )
    assert response.status_code == 503
    assert "could not be audited" in response.json()["detail"]
    assert "Testpersoon" not in response.text and "+212" not in response.text


def _events(system: System, zaak_id: str) -> int:
    with system.engine.connect() as conn:
        return int(
            conn.execute(
                text(
                    "SELECT count(*) FROM intake.intakeapplication_events WHERE originator_id = :z"
                ),
                {"z": zaak_id},
            ).scalar_one()
        )


async def test_a_command_and_its_record_are_stored_together_or_not_at_all(
    system: System,
) -> None:
    zaak_id = await _meld(system, "trail-0004")
    correctie = {"land": "PK", "reden": "verkeerd land", "datum": "2018-04-01"}
    url = f"/v1/meldingen/{zaak_id}/correcties"
    with system.engine.begin() as conn:  # the audit log refuses this one record
        conn.execute(
            text(
                "ALTER TABLE intake.audit_log ADD CONSTRAINT weiger_correctie "
                "CHECK (action <> 'corrigeer') NOT VALID"
            )
        )
    try:
        failed = await system.clients["intake"].post(url, json=correctie, headers=COORDINATOR)
        assert failed.status_code == 503  # refused: it could not be audited
        assert _events(system, zaak_id) == 1  # no correction without its record
    finally:
        with system.engine.begin() as conn:
            conn.execute(text("ALTER TABLE intake.audit_log DROP CONSTRAINT weiger_correctie"))
    before = system.audit_head("intake")
    response = await system.clients["intake"].post(url, json=correctie, headers=COORDINATOR)
    assert response.status_code == 200, response.text
    assert _events(system, zaak_id) == 2
    [record] = system.audit_after("intake", before)
    assert (record["action"], record["result"], record["zaak_id"]) == (
        "corrigeer",
        "stored",
        zaak_id,
    )


async def test_an_unexpected_failure_that_cannot_be_audited_is_refused_as_503(
    system: System,
) -> None:
    """The save fails with an error nobody maps (not a version conflict) and the audit log
    refuses the record of that failure too: the request is refused unaudited (503), never a
    500, and nothing is stored (in pipeline mode psycopg may report either error first)."""
    zaak_id = await _meld(system, "trail-0014")
    correctie = {"land": "PK", "reden": "verkeerd land", "datum": "2018-04-01"}
    url = f"/v1/meldingen/{zaak_id}/correcties"
    with system.engine.begin() as conn:
        conn.execute(
            text(
                "CREATE FUNCTION intake.weiger_correctie() RETURNS trigger LANGUAGE plpgsql AS "
                "$$ BEGIN IF NEW.action = 'corrigeer' THEN "
                "RAISE EXCEPTION 'storing' USING ERRCODE = 'XX000'; END IF; RETURN NEW; END $$"
            )
        )
        conn.execute(
            text(
                "CREATE TRIGGER weiger_correctie BEFORE INSERT ON intake.audit_log "
                "FOR EACH ROW EXECUTE FUNCTION intake.weiger_correctie()"
            )
        )
    try:
        failed = await system.clients["intake"].post(url, json=correctie, headers=COORDINATOR)
        assert failed.status_code == 503, failed.text
        assert failed.headers["content-type"].startswith("application/problem+json")
        assert _events(system, zaak_id) == 1
    finally:
        with system.engine.begin() as conn:
            conn.execute(text("DROP TRIGGER weiger_correctie ON intake.audit_log"))
            conn.execute(text("DROP FUNCTION intake.weiger_correctie()"))


async def test_the_auditor_replays_a_case_across_the_four_services(system: System) -> None:
    zaak_id = await _meld(system, "trail-0005")
    clients = system.clients

    async def known(service: str) -> bool:
        got = await clients[service].get(f"/v1/zaken/{zaak_id}", headers=COORDINATOR)
        return got.status_code == 200

    for service in ("verification", "consular", "reporting"):
        await eventually(lambda s=service: known(s), what=f"the case at {service}")
    onderzoek = await clients["verification"].post(
        f"/v1/zaken/{zaak_id}/onderzoek", json={"datum": "2018-03-16"}, headers=COORDINATOR
    )
    assert onderzoek.status_code in (200, 201), onderzoek.text
    bijstand = await clients["consular"].post(
        f"/v1/zaken/{zaak_id}/bijstand",
        json={"soort": "bijstand_gestart", "datum": "2018-03-20", "post": "Rabat"},
        headers=BZ,
    )
    assert bijstand.status_code == 201, bijstand.text

    refused = await clients["intake"].get(f"/v1/audit/zaken/{zaak_id}", headers=COORDINATOR)
    assert refused.status_code == 403
    parts = []
    for service in ("intake", "verification", "consular", "reporting"):
        response = await clients[service].get(f"/v1/audit/zaken/{zaak_id}", headers=AUDITOR)
        assert response.status_code == 200, response.text
        part = response.json()
        assert part["integriteit"] == "ok" and part["persoonsgegevens"] == "afgeschermd"
        parts.append(part)
    intake, verification, consular, _ = parts
    [gemeld] = intake["gebeurtenissen"]
    assert gemeld["type"] == "Melding.Gemeld" and gemeld["keten"] == "ok"
    assert gemeld["vastgelegd_door"] == {
        "org": "veilig_thuis_utrecht",
        "rol": "melder",
        "user": "test.gebruiker",
    }
    assert gemeld["gegevens"]["persoonsgegevens"] == "[versleuteld]"
    assert {e["type"] for e in verification["gebeurtenissen"]} >= {"Zaak.MeldingOntvangen"}
    by_bz = [e for e in consular["gebeurtenissen"] if e["vastgelegd_door"]]
    assert by_bz and by_bz[-1]["vastgelegd_door"]["user"] == "p.rabat"
    timeline = merge(parts)
    assert [row["tijd"] for row in timeline] == sorted(row["tijd"] for row in timeline)
    assert timeline[0]["wat"].startswith("Melding.Gemeld")
    assert "Testpersoon" not in str(parts)

    before = system.audit_head("intake")
    unmasked = await clients["intake"].get(
        f"/v1/audit/zaken/{zaak_id}", params={"reden": "klacht 2019-17"}, headers=AUDITOR
    )
    gegevens = unmasked.json()["gebeurtenissen"][0]["gegevens"]["persoonsgegevens"]
    assert gegevens["persoonsgegevens"]["naam"] == "Testpersoon Zeta"
    [record] = system.audit_after("intake", before)
    assert (record["action"], record["personal_data"], record["doel"], record["reden"]) == (
        "audit_historie",
        True,
        "audit",
        "klacht 2019-17",
    )
