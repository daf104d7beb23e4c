"""Verification's HTTP API, in-process over the real PostgreSQL and NATS.

Cases arrive the way they do in production: as intake's `gemeld` events on the INTAKE
stream (published here by the test, standing in for intake), consumed by verification.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

import httpx
import pytest
from nats.aio.client import Client as NATS
from nats.js import JetStreamContext

from services.verification.main import create_app
from services.verification.settings import VerificationSettings
from shared.messaging import IntegrationEvent, ensure_stream, stream_name
from tests.helpers import database_credentials, eventually, serving

pytestmark = pytest.mark.integration


@dataclass
class Verificatie:
    client: httpx.AsyncClient
    js: JetStreamContext

    async def publiceer(
        self, source: str, event_type: str, zaak_id: str, data: dict[str, Any], versie: int = 1
    ) -> None:
        """Publish another service's event the way its relay would."""
        event = IntegrationEvent(
            event_id=f"{zaak_id}:{versie}",
            event_type=event_type,
            source=source,
            zaak_id=zaak_id,
            recorded_at=datetime.now(UTC),
            data=data,
        )
        await self.js.publish(
            event.subject, event.to_json(), headers=event.headers(), stream=stream_name(source)
        )

    async def meld(self, gemeld_op: str = "2018-03-14", **data: Any) -> str:
        """A melding arrives from intake; returns its zaak_id once verification knows it."""
        zaak_id = str(uuid4())
        await self.publiceer(
            "intake",
            "gemeld",
            zaak_id,
            {
                "referentie": f"LKHA-{gemeld_op[:4]}-{zaak_id[:4]}",
                "gemeld_op": gemeld_op,
                "onderwerp": "achterlating",
                "betrokkene": {"categorie": "minderjarige"},
                "land": "MA",
                "bz_betrokken": True,
                **data,
            },
        )

        async def bekend() -> bool:
            return (await self.client.get(f"/v1/zaken/{zaak_id}")).status_code == 200

        await eventually(bekend, what=f"zaak {zaak_id} at verification")
        return zaak_id

    async def post(self, path: str, body: dict[str, Any], **headers: str) -> httpx.Response:
        return await self.client.post(path, json=body, headers=headers)


@pytest.fixture
async def ver(database_url: str, nats_url: str, nats_client: NATS) -> AsyncIterator[Verificatie]:
    js = nats_client.jetstream()
    await ensure_stream(js, "intake")
    await ensure_stream(js, "consular")
    settings = VerificationSettings(
        **database_credentials(database_url, "verification"),
        nats_url=nats_url,
        environment="test",
        relay_poll_seconds=0.1,
    )
    async with serving(create_app(settings)) as client:
        yield Verificatie(client, js)


VASTGESTELD = {"uitkomst": "vastgesteld", "besloten_op": "2018-05-01"}


async def test_a_case_is_not_yet_known_here_until_its_melding_arrived(ver: Verificatie) -> None:
    onbekend = str(uuid4())
    response = await ver.client.get(f"/v1/zaken/{onbekend}")
    assert response.status_code == 404
    assert "not yet known here" in response.json()["detail"]
    post = await ver.post(f"/v1/zaken/{onbekend}/verificatie", VASTGESTELD)
    assert post.status_code == 404

    zaak_id = await ver.meld()
    response = await ver.client.get(f"/v1/zaken/{zaak_id}")
    assert response.headers["ETag"] == 'W/"1"'
    zaak = response.json()
    assert (zaak["stage"], zaak["versie"], zaak["verificatie"]) == ("open", 1, None)
    assert zaak["gemeld_op"] == "2018-03-14" and zaak["land"] == "MA"


async def test_verifies_a_case_once_per_idempotency_key(ver: Verificatie) -> None:
    zaak_id = await ver.meld()
    path = f"/v1/zaken/{zaak_id}/verificatie"
    headers = {"If-Match": 'W/"1"', "Idempotency-Key": "verificatie-0001"}
    body = {
        "uitkomst": "onbekend",
        "reden": "geen_contactgegevens",
        "besloten_op": "2018-05-14",
        "toelichting": "Geen adres in het buitenland bekend",
    }
    first = await ver.post(path, body, **headers)
    assert first.status_code == 200, first.text
    assert first.headers["ETag"] == 'W/"2"'
    assert first.json()["stage"] == "lopend"
    assert first.json()["verificatie"]["reden"] == "geen_contactgegevens"

    again = await ver.post(path, body, **headers)  # a retry: its If-Match is stale by now
    assert again.status_code == 200
    assert again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert (await ver.client.get(f"/v1/zaken/{zaak_id}")).json()["versie"] == 2

    other = await ver.post(path, {**body, "reden": "geen_medewerking"}, **headers)
    assert other.status_code == 422
    assert "Idempotency-Key" in other.json()["detail"]


@pytest.mark.parametrize(
    ("body", "field", "words"),
    [
        ({"uitkomst": "misschien", "besloten_op": "2018-05-01"}, "uitkomst", "'vastgesteld'"),
        ({**VASTGESTELD, "reden": "geen_medewerking"}, "reden", "only given with uitkomst"),
        ({"uitkomst": "onbekend", "besloten_op": "2018-05-01"}, "reden", "needs a reden"),
        (
            {"uitkomst": "niet_vastgesteld", "besloten_op": "2018-05-01"},
            "bevinding",
            "needs a bevinding",
        ),
        ({**VASTGESTELD, "bevinding": "verhuizing"}, "bevinding", "only given with"),
        ({"uitkomst": "vastgesteld", "besloten_op": "2099-01-01"}, "besloten_op", "future"),
        ({"uitkomst": "vastgesteld", "besloten_op": "2018-03-13"}, "besloten_op", "gemeld_op"),
        ({**VASTGESTELD, "extra": 1}, "extra", "Extra inputs"),
    ],
)
async def test_refuses_a_verification_that_does_not_fit_with_400(
    ver: Verificatie, body: dict[str, Any], field: str, words: str
) -> None:
    zaak_id = await ver.meld()
    response = await ver.post(f"/v1/zaken/{zaak_id}/verificatie", body)
    assert response.status_code == 400, response.text
    (error,) = response.json()["errors"]
    assert error["field"] == field
    assert words in error["message"]


async def test_breaking_a_rule_of_the_case_is_a_409_that_names_it(ver: Verificatie) -> None:
    zaak_id = await ver.meld()
    path = f"/v1/zaken/{zaak_id}"
    assert (await ver.post(f"{path}/verificatie", VASTGESTELD)).status_code == 200
    herzien = await ver.post(f"{path}/verificatie", {**VASTGESTELD, "besloten_op": "2018-06-01"})
    assert herzien.status_code == 409
    assert "reden_herziening" in herzien.json()["detail"]
    heropen = await ver.post(f"{path}/heropening", {"reden": "overig", "datum": "2018-06-01"})
    assert heropen.status_code == 409
    assert "only a closed case can be reopened" in heropen.json()["detail"]

    ingetrokken = await ver.meld()
    await ver.publiceer("intake", "ingetrokken", ingetrokken, {"datum": "2018-03-20"}, versie=2)

    async def mirrored() -> bool:
        zaak = (await ver.client.get(f"/v1/zaken/{ingetrokken}")).json()
        return bool(zaak["ingetrokken"])

    await eventually(mirrored, what="withdrawal mirrored")
    response = await ver.post(f"/v1/zaken/{ingetrokken}/verificatie", VASTGESTELD)
    assert response.status_code == 409
    assert "withdrawn" in response.json()["detail"]


async def test_a_stale_if_match_is_412(ver: Verificatie) -> None:
    zaak_id = await ver.meld()
    path = f"/v1/zaken/{zaak_id}"
    started = await ver.post(f"{path}/onderzoek", {"datum": "2018-03-16"}, **{"If-Match": 'W/"1"'})
    assert started.status_code == 200
    stale = await ver.post(f"{path}/verificatie", VASTGESTELD, **{"If-Match": 'W/"1"'})
    assert stale.status_code == 412
    assert "versie 2, not 1" in stale.json()["detail"]
    garbage = await ver.post(f"{path}/verificatie", VASTGESTELD, **{"If-Match": "*nonsense*"})
    assert garbage.status_code == 412


async def test_the_whole_life_of_a_case_shows_in_its_history(ver: Verificatie) -> None:
    zaak_id = await ver.meld()
    path = f"/v1/zaken/{zaak_id}"
    steps = [
        ("onderzoek", {"datum": "2018-03-16"}),
        (
            "verificatie",
            {"uitkomst": "onbekend", "reden": "geen_medewerking", "besloten_op": "2018-05-14"},
        ),
        (
            "verificatie",
            {
                "uitkomst": "vastgesteld",
                "onderwerp": "huwelijksdwang_en_achterlating",
                "besloten_op": "2018-07-02",
                "reden_herziening": "alsnog_contact",
            },
        ),
        ("afsluiting", {"reden": "teruggekeerd", "datum": "2018-09-03"}),
        ("heropening", {"reden": "nieuwe_hulpvraag", "datum": "2018-10-01"}),
        ("afsluiting", {"reden": "teruggekeerd", "datum": "2018-11-01", "toelichting": "Klaar"}),
        ("nazorg", {"datum": "2018-11-02", "omschrijving": "Opvang geregeld met de gemeente"}),
    ]
    for versie, (step, body) in enumerate(steps, start=1):
        response = await ver.post(f"{path}/{step}", body, **{"If-Match": f'W/"{versie}"'})
        assert response.status_code == 200, (step, response.text)
    zaak = (await ver.client.get(path)).json()
    assert zaak["versie"] == 8 and zaak["stage"] == "afgesloten"
    assert zaak["onderzoek_gestart_op"] == "2018-03-16"
    assert [v["uitkomst"] for v in zaak["verificaties"]] == ["onbekend", "vastgesteld"]
    assert zaak["verificatie"]["herziening"] is True
    assert zaak["verificatie"]["onderwerp"] == "huwelijksdwang_en_achterlating"
    assert [s["soort"] for s in zaak["verloop"]] == ["afgesloten", "heropend", "afgesloten"]
    assert zaak["afgesloten_op"] == "2018-11-01"
    assert zaak["nazorg"] == [
        {"datum": "2018-11-02", "omschrijving": "Opvang geregeld met de gemeente"}
    ]


def regieoverleg(*zaak_ids: str, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "datum": "2018-04-16",
        "deelnemers": ["lkha", "bz"],
        "zaken": [
            {
                "zaak_id": zaak_id,
                "besluiten": ["BZ verifieert nationaliteit via de post"],
                "acties": [
                    {
                        "eigenaar": "bz",
                        "omschrijving": "Post legt contact met betrokkene",
                        "deadline": "2018-04-19",
                    }
                ],
            }
            for zaak_id in zaak_ids
        ],
    }
    body.update(overrides)
    return body


async def test_records_a_regieoverleg_and_marks_its_actions_done(ver: Verificatie) -> None:
    zaak_id = await ver.meld()
    key = {"Idempotency-Key": "regieoverleg-2018-04-16"}
    created = await ver.post("/v1/regieoverleggen", regieoverleg(zaak_id), **key)
    assert created.status_code == 201, created.text
    overleg = created.json()
    assert created.headers["Location"] == f"/v1/regieoverleggen/{overleg['overleg_id']}"
    retried = await ver.post("/v1/regieoverleggen", regieoverleg(zaak_id), **key)
    assert retried.status_code == 201 and retried.json() == overleg
    assert retried.headers["Idempotent-Replayed"] == "true"

    (actie,) = overleg["zaken"][0]["acties"]
    assert actie["afgerond_op"] is None and actie["eigenaar"] == "bz"
    done_path = f"/v1/regieoverleggen/{overleg['overleg_id']}/acties/{actie['actie_id']}/afgerond"
    stale = await ver.post(done_path, {"datum": "2018-04-18"}, **{"If-Match": 'W/"7"'})
    assert stale.status_code == 412
    done = await ver.post(done_path, {"datum": "2018-04-18"}, **{"If-Match": 'W/"1"'})
    assert done.status_code == 200, done.text
    assert done.headers["ETag"] == 'W/"2"'
    again = await ver.post(done_path, {"datum": "2018-04-19"})
    assert again.status_code == 409 and "done already" in again.json()["detail"]

    read = await ver.client.get(f"/v1/regieoverleggen/{overleg['overleg_id']}")
    assert read.status_code == 200
    assert read.json()["zaken"][0]["acties"][0]["afgerond_op"] == "2018-04-18"
    assert read.json()["zaken"][0]["besluiten"] == ["BZ verifieert nationaliteit via de post"]


async def test_refuses_a_regieoverleg_about_unknown_cases_or_with_bad_actions(
    ver: Verificatie,
) -> None:
    zaak_id = await ver.meld()
    unknown = await ver.post("/v1/regieoverleggen", regieoverleg(zaak_id, str(uuid4())))
    assert unknown.status_code == 404 and "not yet known here" in unknown.json()["detail"]
    body = regieoverleg(zaak_id)
    body["zaken"][0]["acties"][0]["deadline"] = "2018-04-01"
    late = await ver.post("/v1/regieoverleggen", body)
    assert late.status_code == 400
    assert late.json()["errors"][0]["field"] == "zaken.0.acties.0.deadline"
    owner = regieoverleg(zaak_id)
    owner["zaken"][0]["acties"][0]["eigenaar"] = "fbi"
    assert (await ver.post("/v1/regieoverleggen", owner)).status_code == 400
    missing = await ver.client.get(f"/v1/regieoverleggen/{uuid4()}")
    assert missing.status_code == 404
    no_action = await ver.post(
        f"/v1/regieoverleggen/{uuid4()}/acties/{uuid4()}/afgerond", {"datum": "2018-04-18"}
    )
    assert no_action.status_code == 404


async def test_the_agenda_lists_what_to_discuss(ver: Verificatie) -> None:
    nieuw = await ver.meld(gemeld_op="2018-03-14")
    met_actie = await ver.meld(gemeld_op="2018-02-01")
    rustig = await ver.meld(gemeld_op="2018-01-10")
    # consular's afloop arrives before the melding it is about
    vroeg = str(uuid4())
    await ver.publiceer(
        "consular", "afloop_vastgelegd", vroeg, {"afloop": "wil_geen_hulp", "datum": "2018-04-25"}
    )
    for zaak_id in (met_actie, rustig):
        response = await ver.post(
            f"/v1/zaken/{zaak_id}/verificatie",
            {"uitkomst": "vastgesteld", "besloten_op": "2018-04-01"},
        )
        assert response.status_code == 200
    assert (await ver.post("/v1/regieoverleggen", regieoverleg(met_actie))).status_code == 201
    await ver.publiceer(
        "consular",
        "bijstand_verleend",
        rustig,
        {"soort": "noodfonds_uitgave", "datum": "2018-04-20", "post": "Rabat"},
    )

    async def agenda() -> dict[str, Any]:
        response = await ver.client.get(
            "/v1/regieoverleggen/agenda", params={"datum": "2018-05-01"}
        )
        assert response.status_code == 200, response.text
        return response.json()  # type: ignore[no-any-return]

    async def met_bijstand() -> dict[str, Any] | None:
        found = await agenda()
        return found if rustig in [z["zaak_id"] for z in found["zaken"]] else None

    found = await eventually(met_bijstand, what="consular development on the agenda")
    assert found["vorig_overleg_datum"] == "2018-04-16"
    punten = {z["zaak_id"]: z for z in found["zaken"]}
    assert [z["zaak_id"] for z in found["zaken"]] == [met_actie, nieuw, rustig]
    assert punten[met_actie]["redenen"] == ["actie_verlopen"]
    assert punten[met_actie]["open_acties"][0]["verlopen"] is True
    assert punten[nieuw]["redenen"] == ["niet_geverifieerd"]
    assert punten[nieuw]["stage"] == "open"
    assert punten[nieuw]["leeftijd_dagen"] == 48
    assert (punten[nieuw]["onderwerp"], punten[nieuw]["land"]) == ("achterlating", "MA")
    assert punten[rustig]["redenen"] == ["recente_ontwikkeling"]
    assert punten[rustig]["ontwikkelingen"] == [
        {"soort": "bijstand_verleend:noodfonds_uitgave", "datum": "2018-04-20", "bron": "consular"}
    ]

    # The early afloop shows once its case is known here and verified before the last overleg.
    await ver.publiceer(
        "intake",
        "gemeld",
        vroeg,
        {
            "referentie": "LKHA-2018-9999",
            "gemeld_op": "2018-03-01",
            "onderwerp": "achterlating",
            "land": "SO",
        },
    )

    async def vroeg_bekend() -> bool:
        return (await ver.client.get(f"/v1/zaken/{vroeg}")).status_code == 200

    await eventually(vroeg_bekend, what="late melding")
    await ver.post(
        f"/v1/zaken/{vroeg}/verificatie", {"uitkomst": "vastgesteld", "besloten_op": "2018-04-02"}
    )
    punten = {z["zaak_id"]: z for z in (await agenda())["zaken"]}
    assert punten[vroeg]["redenen"] == ["recente_ontwikkeling"]
    assert punten[vroeg]["ontwikkelingen"][0]["soort"] == "afloop_vastgelegd:wil_geen_hulp"
