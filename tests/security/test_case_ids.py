"""Case ids can not be computed, and a case one may not see answers exactly like an unknown one.

A zaak_id is random (uuid4), given to a partner's Idempotency-Key the first time and kept
for its retries (intake's `sleutel_ids`): the same org and key get another id in another
installation, and no namespace, org or key leads to it. The check per case comes before every
other check, so whatever else is wrong with a request (its body, its query, its If-Match),
a case the caller may not see and one that does not exist get the same status and body.
"""

from __future__ import annotations

from typing import Any
from uuid import NAMESPACE_DNS, NAMESPACE_OID, NAMESPACE_URL, NAMESPACE_X500, UUID, uuid4, uuid5

import pytest

from services.intake.main import create_app as intake_app
from services.intake.settings import IntakeSettings
from tests.helpers import auth_headers, eventually, key_service, melding, serving
from tests.security.conftest import System, fresh_database, settings_for

pytestmark = pytest.mark.integration

ORG = "veilig_thuis_utrecht"
KEY = "vt-utrecht-2018-0001"
PARTNER = auth_headers(ORG, "melder")
BZ = auth_headers("bz", "bz_consulair")


async def _meld(client: Any, key: str, **overrides: Any) -> UUID:
    response = await client.post(
        "/v1/meldingen", json=melding(**overrides), headers={"Idempotency-Key": key, **PARTNER}
    )
    assert response.status_code in (200, 201), response.text
    return UUID(response.json()["zaak_id"])


def _derivations(org: str, key: str) -> set[UUID]:
    """Ids someone could compute from what is public: the namespaces and the names."""
    names = [f"melding:{org}:{key}", f"{org}:{key}", key, f"zaak/{key}"]
    namespaces = [NAMESPACE_URL, NAMESPACE_DNS, NAMESPACE_OID, NAMESPACE_X500]
    namespaces.append(uuid5(NAMESPACE_URL, "https://knooppunt.lkha.nl/zaak"))
    return {uuid5(ns, name) for ns in namespaces for name in names}


async def test_a_case_id_is_random_kept_for_retries_and_differs_per_installation(
    system: System, postgres_admin_url: str, nats_server_url: str
) -> None:
    eerste = await _meld(system.clients["intake"], KEY)
    assert eerste.version == 4
    assert eerste not in _derivations(ORG, KEY)
    assert await _meld(system.clients["intake"], KEY) == eerste, "a retry finds its case"
    # Another agency with the same key gets its own case.
    other = await system.clients["intake"].post(
        "/v1/meldingen",
        json=melding(),
        headers={"Idempotency-Key": KEY, **auth_headers("politie_oost_nederland", "melder")},
    )
    assert other.status_code == 201, other.text
    assert UUID(other.json()["zaak_id"]) != eerste
    # Another installation: the same org and key give another id.
    database_url = fresh_database(postgres_admin_url, "ids")
    settings = settings_for("intake", database_url, nats_server_url)
    app = intake_app(IntakeSettings(**key_service("intake"), **settings))
    async with serving(app, headers={}) as elders:
        tweede = await _meld(elders, KEY)
    assert tweede.version == 4
    assert tweede != eerste


#: Requests that are wrong in another way too, to a case the caller may not see and to an
#: unknown one: (caller's headers, service, method, path, json, params).
PROBES: list[tuple[dict[str, str], str, str, str, Any, dict[str, str]]] = [
    (BZ, "consular", "POST", "/v1/zaken/{zaak_id}/bijstand", {}, {}),
    (BZ, "consular", "POST", "/v1/zaken/{zaak_id}/afloop", {"onzin": 1}, {}),
    (BZ, "intake", "GET", "/v1/meldingen/{zaak_id}/persoonsgegevens", None, {}),
    (BZ, "intake", "GET", "/v1/meldingen/{zaak_id}/persoonsgegevens", None, {"doel": "x"}),
    (BZ, "intake", "GET", "/v1/meldingen/{zaak_id}", None, {}),
    (BZ, "verification", "GET", "/v1/zaken/{zaak_id}", None, {}),
    (BZ, "consular", "GET", "/v1/zaken/{zaak_id}", None, {}),
    (PARTNER, "intake", "GET", "/v1/meldingen/{zaak_id}/status", None, {}),
]


@pytest.fixture(scope="module")
async def verborgen(system: System) -> str:
    """A case of another agency without a consular question, known to every service."""
    response = await system.clients["intake"].post(
        "/v1/meldingen",
        json=melding(bz_betrokken=False),
        headers={
            "Idempotency-Key": "ids-verborgen-0001",
            **auth_headers("politie_oost_nederland", "melder"),
        },
    )
    assert response.status_code == 201, response.text
    zaak_id = str(response.json()["zaak_id"])
    for service in ("verification", "consular"):

        async def known(s: str = service) -> bool:
            got = await system.clients[s].get(f"/v1/zaken/{zaak_id}", headers=auth_headers())
            return got.status_code == 200

        await eventually(known, what=f"{zaak_id} at {service}")
    return zaak_id


@pytest.mark.parametrize("probe", PROBES, ids=lambda p: f"{p[1]}:{p[2]} {p[3]} {p[4] or p[5]}")
async def test_a_hidden_case_and_an_unknown_one_answer_alike_whatever_else_is_wrong(
    system: System, verborgen: str, probe: tuple[Any, ...]
) -> None:
    headers, service, method, path, body, params = probe
    onbekend = str(uuid4())
    answers = []
    for zaak_id in (verborgen, onbekend):
        response = await system.clients[service].request(
            method,
            path.format(zaak_id=zaak_id),
            json=body,
            params=params,
            headers={"Idempotency-Key": f"ids-{uuid4()}", "If-Match": 'W/"999"', **headers},
        )
        answers.append((response.status_code, response.text.replace(zaak_id, "ZAAK")))
    assert answers[0] == answers[1]
    assert answers[0][0] == 404
