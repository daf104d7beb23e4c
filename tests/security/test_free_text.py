"""Free text is personal data: toelichtingen, nazorg, besluiten, actions, redenen, the melder's
organisatie. It is stored only as ciphertext under the case's own key (intake's or
verification's own Transit engine), never travels on NATS, is left out for BZ, masked for the
auditor unless a reden is given (and that read is logged), and dies with the case's keys:
intake's erasure deletes verification's key too."""

# ruff: noqa: S608 - the SQL names only catalog-listed tables of this test's database

from __future__ import annotations

import json
from typing import Any

import nats
import psycopg
import pytest

from tests.helpers import auth_headers, eventually, melding
from tests.security.conftest import System

pytestmark = pytest.mark.integration

LKHA = auth_headers("lkha", "coordinator")
BZ = auth_headers("bz", "bz_consulair")
AUDITOR = auth_headers("adr", "auditor")

ORGANISATIE = "Wijkteam Vrijtekst, dhr. Jansen 06-12345678"
TOELICHTING_MELDING = "Vrijtekst: zus belt vanaf het adres van de oom"
CORRECTIE = "Vrijtekst: moeder corrigeerde het onderwerp"
TOELICHTING = "Vrijtekst: verificatie via de tante in Rabat"
NAZORG = "Vrijtekst: opvang bij Fier, contactpersoon Anouk"
BESLUIT = "Vrijtekst: BZ vraagt de post het adres na te gaan"
ACTIE = "Vrijtekst: post belt betrokkene op het nummer van de buurvrouw"
AFSLUITING = "Vrijtekst: teruggekeerd met de zus"
TEKSTEN = [ORGANISATIE, TOELICHTING_MELDING, CORRECTIE, TOELICHTING, NAZORG, BESLUIT, ACTIE]


async def _ok(response: Any) -> Any:
    assert response.status_code in (200, 201), response.text
    return response.json()


async def _case(system: System, key: str) -> str:
    c = system.clients
    # The LKHA records a melding that reached it and states its melder (a partner's melder
    # follows from the register of organisations): the organisatie is free text then.
    body = melding(
        bz_betrokken=True,
        melder={"type": "hulpverlening", "organisatie": ORGANISATIE},
        toelichting=TOELICHTING_MELDING,
    )
    zaak_id = str(
        (
            await _ok(
                await c["intake"].post(
                    "/v1/meldingen", json=body, headers={"Idempotency-Key": key, **LKHA}
                )
            )
        )["zaak_id"]
    )
    await eventually(lambda: _known(system, zaak_id), what="the case at verification", within=30)
    await _ok(
        await c["intake"].post(
            f"/v1/meldingen/{zaak_id}/correcties",
            json={"onderwerp": "huwelijksdwang", "reden": CORRECTIE, "datum": "2018-03-20"},
            headers=LKHA,
        )
    )
    v = f"/v1/zaken/{zaak_id}"
    await _ok(
        await c["verification"].post(
            f"{v}/verificatie",
            json={
                "uitkomst": "vastgesteld",
                "besloten_op": "2018-04-01",
                "toelichting": TOELICHTING,
            },
            headers=LKHA,
        )
    )
    await _ok(
        await c["verification"].post(
            f"{v}/nazorg", json={"datum": "2018-04-02", "omschrijving": NAZORG}, headers=LKHA
        )
    )
    await _ok(
        await c["verification"].post(
            "/v1/regieoverleggen",
            json={
                "datum": "2018-04-03",
                "deelnemers": ["lkha", "bz"],
                "zaken": [
                    {
                        "zaak_id": zaak_id,
                        "besluiten": [BESLUIT],
                        "acties": [
                            {"eigenaar": "bz", "omschrijving": ACTIE, "deadline": "2018-04-10"}
                        ],
                    }
                ],
            },
            headers=LKHA,
        )
    )
    return zaak_id


async def _known(system: System, zaak_id: str) -> bool:
    response = await system.clients["verification"].get(f"/v1/zaken/{zaak_id}", headers=LKHA)
    return response.status_code == 200


def _in_database(database_url: str, needles: list[str]) -> list[str]:
    """Every text, bytea and json column of every schema, searched for each needle."""
    found = []
    with psycopg.connect(database_url) as conn:
        columns = conn.execute(
            "SELECT table_schema, table_name, column_name, data_type "
            "FROM information_schema.columns JOIN information_schema.tables "
            "USING (table_schema, table_name) WHERE table_type = 'BASE TABLE' "
            "AND table_schema NOT IN ('pg_catalog', 'information_schema') "
            "AND data_type IN ('text', 'character varying', 'bytea', 'json', 'jsonb')"
        ).fetchall()
        for schema, table, column, data_type in columns:
            value = (
                f'"{column}"' if data_type == "bytea" else f"convert_to(\"{column}\"::text, 'UTF8')"
            )
            for needle in needles:
                hit = conn.execute(
                    f'SELECT 1 FROM "{schema}"."{table}" '
                    f"WHERE position(%s::bytea IN {value}) > 0 LIMIT 1",
                    (needle.encode(),),
                ).fetchone()
                if hit:
                    found.append(f"{needle!r} in {schema}.{table}.{column}")
    return found


async def _stream_bytes(admin_url: str) -> bytes:
    nc = await nats.connect(admin_url)
    try:
        js = nc.jetstream()
        raw = b""
        for info in await js.streams_info():
            if not info.state.messages:
                continue
            for seq in range(info.state.first_seq, info.state.last_seq + 1):
                msg = await js.get_msg(info.config.name, seq)
                raw += (msg.data or b"") + json.dumps(dict(msg.headers or {})).encode()
        return raw
    finally:
        await nc.close()


async def test_free_text_is_stored_encrypted_and_never_published(
    system: System, nats_server_url: str
) -> None:
    zaak_id = await _case(system, "vrijtekst-0001")
    assert _in_database(system.database_url, TEKSTEN) == []
    assert _in_database(system.database_url, [zaak_id])  # the search finds what is there
    published = await _stream_bytes(nats_server_url)
    assert zaak_id.encode() in published
    assert [t for t in TEKSTEN if t.encode() in published] == []

    # The LKHA reads it all back.
    melding_ = await _ok(
        await system.clients["intake"].get(f"/v1/meldingen/{zaak_id}", headers=LKHA)
    )
    assert melding_["melder"]["organisatie"] == ORGANISATIE
    assert melding_["correcties"][0]["reden"] == CORRECTIE
    zaak = await _ok(await system.clients["verification"].get(f"/v1/zaken/{zaak_id}", headers=LKHA))
    assert zaak["verificatie"]["toelichting"] == TOELICHTING
    assert zaak["nazorg"][0]["omschrijving"] == NAZORG
    agenda = await _ok(
        await system.clients["verification"].get(
            "/v1/regieoverleggen/agenda", params={"datum": "2018-04-20"}, headers=LKHA
        )
    )
    (punt,) = [z for z in agenda["zaken"] if z["zaak_id"] == zaak_id]
    assert punt["open_acties"][0]["omschrijving"] == ACTIE


async def test_bz_gets_no_lkha_notes_and_the_auditor_reads_them_only_with_a_logged_reden(
    system: System,
) -> None:
    zaak_id = await _case(system, "vrijtekst-0002")
    verification = system.clients["verification"]
    bz = await _ok(await verification.get(f"/v1/zaken/{zaak_id}", headers=BZ))
    assert bz["verificatie"]["toelichting"] is None
    assert [n["omschrijving"] for n in bz["nazorg"]] == [None]
    assert [t for t in TEKSTEN if t in json.dumps(bz)] == []
    bz_melding = await _ok(
        await system.clients["intake"].get(f"/v1/meldingen/{zaak_id}", headers=BZ)
    )
    assert [t for t in TEKSTEN if t in json.dumps(bz_melding)] == []

    for service, path in [
        ("verification", f"/v1/zaken/{zaak_id}"),
        ("intake", f"/v1/meldingen/{zaak_id}"),
    ]:
        head = system.audit_head(service)
        masked = await _ok(await system.clients[service].get(path, headers=AUDITOR))
        assert [t for t in TEKSTEN if t in json.dumps(masked)] == []
        assert "[afgeschermd]" in json.dumps(masked)
        (record,) = system.audit_after(service, head)
        assert not record["personal_data"] and record["reden"] is None
        head = system.audit_head(service)
        reden = "onderzoek klacht 2018-17"
        unmasked = await _ok(
            await system.clients[service].get(path, params={"reden": reden}, headers=AUDITOR)
        )
        assert TOELICHTING in json.dumps(unmasked) or CORRECTIE in json.dumps(unmasked)
        (record,) = system.audit_after(service, head)
        assert (record["personal_data"], record["doel"], record["reden"]) == (True, "audit", reden)


async def test_erasure_at_intake_deletes_the_free_text_at_verification_too(
    system: System,
) -> None:
    zaak_id = await _case(system, "vrijtekst-0003")
    wis = await system.clients["intake"].post(
        f"/v1/meldingen/{zaak_id}/wissen", json={"grond": "verzoek_betrokkene"}, headers=LKHA
    )
    assert wis.status_code == 200, wis.text

    async def erased_at_verification() -> Any:
        zaak = await _ok(
            await system.clients["verification"].get(f"/v1/zaken/{zaak_id}", headers=LKHA)
        )
        return zaak if zaak["verificatie"]["toelichting"] == "[gewist]" else None

    zaak = await eventually(erased_at_verification, what="verification's key deleted", within=30)
    assert zaak["nazorg"][0]["omschrijving"] == "[gewist]"
    melding_ = await _ok(
        await system.clients["intake"].get(f"/v1/meldingen/{zaak_id}", headers=LKHA)
    )
    assert melding_["melder"]["organisatie"] == "[gewist]"
    assert melding_["correcties"][0]["reden"] == "[gewist]"
    # No new free text for an erased case (its key is not made again), codes still go.
    nazorg = await system.clients["verification"].post(
        f"/v1/zaken/{zaak_id}/nazorg",
        json={"datum": "2018-04-05", "omschrijving": "nieuw"},
        headers=LKHA,
    )
    assert nazorg.status_code == 409 and "erased" in nazorg.text
    sluit = await system.clients["verification"].post(
        f"/v1/zaken/{zaak_id}/afsluiting",
        json={"reden": "teruggekeerd", "datum": "2018-04-06"},
        headers=LKHA,
    )
    assert sluit.status_code == 200, sluit.text
    correctie = await system.clients["intake"].post(
        f"/v1/meldingen/{zaak_id}/correcties",
        json={"onderwerp": "achterlating", "reden": "na de wissing", "datum": "2018-04-07"},
        headers=LKHA,
    )
    assert correctie.status_code == 409 and "erased" in correctie.text
