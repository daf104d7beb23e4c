"""Events crossing into and out of verification over the real NATS and PostgreSQL.

Intake's meldingen, corrections and withdrawals reach verification; verification's own
steps reach its JetStream stream, in the contract's words and without free text.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from nats.aio.client import Client as NATS

from services.intake.main import create_app as intake_app
from services.intake.settings import IntakeSettings
from services.verification.main import create_app as verification_app
from services.verification.settings import VerificationSettings
from tests.helpers import database_credentials, eventually, key_service, melding, serving

pytestmark = pytest.mark.integration

GEHEIM = "GEHEIM"


@dataclass
class Systeem:
    intake: httpx.AsyncClient
    verification: httpx.AsyncClient
    nats: NATS

    async def meld(self, key: str) -> str:
        response = await self.intake.post(
            "/v1/meldingen", json=melding(), headers={"Idempotency-Key": key}
        )
        assert response.status_code == 201, response.text
        zaak_id: str = response.json()["zaak_id"]

        async def aangekomen() -> bool:
            return (await self.verification.get(f"/v1/zaken/{zaak_id}")).status_code == 200

        await eventually(aangekomen, what="melding at verification")
        return zaak_id

    async def gepubliceerd(self, aantal: int) -> list[Any]:
        """The first `aantal` messages on the VERIFICATION stream, as soon as they are there."""
        js = self.nats.jetstream()

        async def genoeg() -> int | None:
            info = await js.stream_info("VERIFICATION")
            return info.state.messages if info.state.messages >= aantal else None

        await eventually(genoeg, what=f"{aantal} messages on VERIFICATION")
        sub = await js.pull_subscribe("knooppunt.verification.>", stream="VERIFICATION")
        messages = await sub.fetch(aantal, timeout=5)
        await sub.unsubscribe()
        return messages


@pytest.fixture
async def systeem(database_url: str, nats_url: str, nats_client: NATS) -> AsyncIterator[Systeem]:
    common: dict[str, Any] = {
        "nats_url": nats_url,
        "environment": "test",
        "relay_poll_seconds": 0.1,
    }
    async with (
        serving(
            intake_app(
                IntakeSettings(
                    **key_service("intake"),
                    **common,
                    **database_credentials(database_url, "intake"),
                )
            )
        ) as intake,
        serving(
            verification_app(
                VerificationSettings(
                    **key_service("verification"),
                    **common,
                    **database_credentials(database_url, "verification"),
                )
            )
        ) as verification,
    ):
        yield Systeem(intake, verification, nats_client)


async def test_verification_s_steps_reach_its_stream_in_the_contract_s_words(
    systeem: Systeem,
) -> None:
    zaak_id = await systeem.meld("flow-verificatie-0001")
    v = systeem.verification
    assert (await v.post(f"/v1/zaken/{zaak_id}/onderzoek", json={"datum": "2018-03-16"})).is_success
    overleg = await v.post(
        "/v1/regieoverleggen",
        json={
            "datum": "2018-04-16",
            "deelnemers": ["lkha", "bz"],
            "zaken": [
                {
                    "zaak_id": zaak_id,
                    "besluiten": [f"{GEHEIM}: BZ verifieert via de post"],
                    "acties": [
                        {"eigenaar": "bz", "omschrijving": GEHEIM, "deadline": "2018-04-19"}
                    ],
                }
            ],
        },
    )
    assert overleg.status_code == 201, overleg.text
    verificatie = await v.post(
        f"/v1/zaken/{zaak_id}/verificatie",
        json={
            "uitkomst": "vastgesteld",
            "besloten_op": "2018-05-14",
            "toelichting": f"{GEHEIM} toelichting",
        },
    )
    assert verificatie.status_code == 200, verificatie.text
    assert (
        await v.post(
            f"/v1/zaken/{zaak_id}/nazorg", json={"datum": "2018-09-10", "omschrijving": GEHEIM}
        )
    ).is_success

    messages = await systeem.gepubliceerd(4)
    bodies = [json.loads(m.data) for m in messages]
    assert [b["event_type"] for b in bodies] == [
        "onderzoek_gestart",
        "regieoverleg_gehouden",
        "geverifieerd",
        "nazorg_geregeld",
    ]
    for message, body in zip(messages, bodies, strict=True):
        assert GEHEIM.encode() not in message.data
        assert message.headers["Nats-Msg-Id"] == body["event_id"]
        assert body["source"] == "verification" and body["contract_version"] == 1
    geverifieerd = bodies[2]
    assert geverifieerd["zaak_id"] == zaak_id
    assert geverifieerd["event_id"] == f"{zaak_id}:3"
    assert geverifieerd["data"] == {
        "uitkomst": "vastgesteld",
        "reden": None,
        "bevinding": None,
        "onderwerp": "achterlating",
        "besloten_op": "2018-05-14",
        "herziening": False,
        "reden_herziening": None,
    }
    assert bodies[1]["zaak_id"] is None
    assert bodies[1]["data"]["zaken"][0]["zaak_id"] == zaak_id


async def test_intake_s_correction_and_withdrawal_reach_verification(systeem: Systeem) -> None:
    zaak_id = await systeem.meld("flow-correctie-0001")
    correctie = await systeem.intake.post(
        f"/v1/meldingen/{zaak_id}/correcties",
        json={"land": "IQ", "reden": "Verblijfplaats bleek Irak", "datum": "2018-04-01"},
    )
    assert correctie.status_code == 200, correctie.text

    async def gecorrigeerd() -> dict[str, Any] | None:
        zaak: dict[str, Any] = (await systeem.verification.get(f"/v1/zaken/{zaak_id}")).json()
        return zaak if zaak["land"] == "IQ" else None

    zaak = await eventually(gecorrigeerd, what="correction at verification")
    assert zaak["correcties"] == [
        {"wijzigingen": {"land": "IQ"}, "vorige": {"land": "MA"}, "datum": "2018-04-01"}
    ]

    intrekking = await systeem.intake.post(
        f"/v1/meldingen/{zaak_id}/intrekking",
        json={"reden": "Dubbele melding", "datum": "2018-04-02"},
    )
    assert intrekking.status_code == 200, intrekking.text

    async def ingetrokken() -> bool:
        zaak = (await systeem.verification.get(f"/v1/zaken/{zaak_id}")).json()
        return bool(zaak["ingetrokken"])

    await eventually(ingetrokken, what="withdrawal at verification")
    response = await systeem.verification.post(
        f"/v1/zaken/{zaak_id}/verificatie",
        json={"uitkomst": "vastgesteld", "besloten_op": "2018-05-14"},
    )
    assert response.status_code == 409
    assert "withdrawn" in response.json()["detail"]
