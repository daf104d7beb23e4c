"""Need to know, as a table: every role against every endpoint, for its own and for another
agency's case, with the answer it must get and the audit record that must follow.

The matrix is data (ROWS): a new endpoint is one more row. It is written here from
shared/DOMAIN.md ("Who may see what"), not read from the services' policy.py files, so that
it checks them. Commands are sent with a body that fails validation ({}) or a stale If-Match:
an allowed caller gets 400 or 412 (it passed the security checks, nothing changes), a refused
one 403, and a caller who may not see the case the 404 of a case that does not exist.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from itertools import count
from typing import Any
from uuid import UUID, uuid4

import pytest

from tests.helpers import auth_headers, eventually, melding
from tests.security.conftest import System

pytestmark = pytest.mark.integration

EIGEN_ORG = "veilig_thuis_utrecht"
ANDERE_ORG = "politie_oost_nederland"

#: Who calls: role -> (org, rol).
CALLERS: dict[str, tuple[str, str]] = {
    "coordinator": ("lkha", "coordinator"),
    "lkha_medewerker": ("lkha", "lkha_medewerker"),
    "bz_consulair": ("bz", "bz_consulair"),
    "melder": (EIGEN_ORG, "melder"),
    "beleid": ("ministerie_vws", "beleid"),
    "auditor": ("adr", "auditor"),
}
LKHA = {"coordinator", "lkha_medewerker"}
CASUS = LKHA | {"bz_consulair"}
CIJFERS = CASUS | {"beleid", "auditor"}
#: Roles that see only some cases: the partner its own meldingen, BZ cases with bz_betrokken.
PER_ZAAK = {"melder", "bz_consulair"}


@dataclass(frozen=True)
class Row:
    """One endpoint: who may call it and the answer an allowed caller gets."""

    service: str
    operation: str
    method: str
    path: str
    roles: frozenset[str]
    ok: int
    body: Any = None
    params: Mapping[str, str] = field(default_factory=dict)
    headers: Mapping[str, str] = field(default_factory=dict)

    @property
    def per_case(self) -> bool:
        return "{zaak_id}" in self.path

    def expected(self, caller: str, case: str) -> int:
        if caller not in self.roles:
            return 403
        if self.per_case and case == "ander" and caller in PER_ZAAK:
            return 404
        return self.ok


def row(
    service: str, operation: str, method: str, path: str, roles: set[str], ok: int, **kw: Any
) -> Row:
    return Row(service, operation, method, path, frozenset(roles), ok, **kw)


STALE = {"If-Match": 'W/"999"'}
ONBEKEND = str(UUID(int=424242))

ROWS = [
    # intake
    row("intake", "meld", "POST", "/v1/meldingen", CASUS | {"melder"}, 201, body="melding"),
    row("intake", "get_melding", "GET", "/v1/meldingen/{zaak_id}", CASUS | {"auditor"}, 200),
    row("intake", "get_zaak", "GET", "/v1/zaken/{zaak_id}", CASUS | {"auditor"}, 200),
    row(
        "intake",
        "get_melding_status",
        "GET",
        "/v1/meldingen/{zaak_id}/status",
        CASUS | {"melder"},
        200,
    ),
    row(
        "intake",
        "lees_persoonsgegevens",
        "GET",
        "/v1/meldingen/{zaak_id}/persoonsgegevens",
        CASUS,
        200,
        params={"doel": "terugkeer"},
    ),
    row("intake", "corrigeer", "POST", "/v1/meldingen/{zaak_id}/correcties", LKHA, 400, body={}),
    row("intake", "trek_in", "POST", "/v1/meldingen/{zaak_id}/intrekking", LKHA, 400, body={}),
    row(
        "intake",
        "wis_persoonsgegevens",
        "POST",
        "/v1/meldingen/{zaak_id}/wissen",
        {"coordinator"},
        412,
        body={"grond": "verzoek_betrokkene"},
        headers=STALE,
    ),
    row(
        "intake",
        "ontvang_adviesvraag",
        "POST",
        "/v1/adviesvragen",
        CASUS | {"melder"},
        400,
        body={},
    ),
    row("intake", "get_adviesvraag", "GET", f"/v1/adviesvragen/{ONBEKEND}", LKHA, 404),
    # verification
    row("verification", "get_zaak", "GET", "/v1/zaken/{zaak_id}", CASUS | {"auditor"}, 200),
    *[
        row("verification", op, "POST", f"/v1/zaken/{{zaak_id}}/{pad}", LKHA, 400, body={})
        for op, pad in [
            ("start_onderzoek", "onderzoek"),
            ("verifieer", "verificatie"),
            ("sluit_af", "afsluiting"),
            ("heropen", "heropening"),
            ("regel_nazorg", "nazorg"),
        ]
    ],
    row(
        "verification",
        "agenda",
        "GET",
        "/v1/regieoverleggen/agenda",
        LKHA,
        200,
        params={"datum": "2018-12-31"},
    ),
    row("verification", "houd_regieoverleg", "POST", "/v1/regieoverleggen", LKHA, 400, body={}),
    row("verification", "get_regieoverleg", "GET", f"/v1/regieoverleggen/{ONBEKEND}", LKHA, 404),
    row(
        "verification",
        "rond_actie_af",
        "POST",
        f"/v1/regieoverleggen/{ONBEKEND}/acties/{ONBEKEND}/afgerond",
        LKHA,
        400,
        body={},
    ),
    # consular
    row("consular", "get_zaak", "GET", "/v1/zaken/{zaak_id}", CASUS | {"auditor"}, 200),
    row("consular", "posten", "GET", "/v1/posten", CASUS | {"auditor"}, 200),
    row(
        "consular",
        "verleen_bijstand",
        "POST",
        "/v1/zaken/{zaak_id}/bijstand",
        {"bz_consulair"},
        400,
        body={},
    ),
    row("consular", "leg_afloop_vast", "POST", "/v1/zaken/{zaak_id}/afloop", CASUS, 400, body={}),
    # reporting: figures for policy, the LKHA, BZ and the auditor; a case only for the LKHA
    row(
        "reporting",
        "statistieken",
        "GET",
        "/v1/statistieken",
        CIJFERS,
        200,
        params={"peildatum": "2018-12-31"},
    ),
    *[
        row("reporting", op, "GET", pad, CIJFERS, 400, params={"onbekend": "1"})
        for op, pad in [
            ("doorlooptijden", "/v1/doorlooptijden"),
            ("noodfonds", "/v1/noodfonds"),
            ("consulaire_bijstand", "/v1/consulaire-bijstand"),
            ("jaarcijfers", "/v1/jaarcijfers/2018"),
            ("jaarcijfers_csv", "/v1/jaarcijfers/2018.csv"),
            ("jaarcijfers_xlsx", "/v1/jaarcijfers/2018.xlsx"),
            ("jaarcijfers_html", "/v1/jaarcijfers/2018.html"),
            ("jaarcijfers_pdf", "/v1/jaarcijfers/2018.pdf"),
        ]
    ],
    row("reporting", "get_zaak", "GET", "/v1/zaken/{zaak_id}", LKHA | {"auditor"}, 200),
    # the auditor's routes, in every service
    *[
        r
        for service in ("intake", "verification", "consular", "reporting")
        for r in (
            row(service, "audit_historie", "GET", "/v1/audit/zaken/{zaak_id}", {"auditor"}, 200),
            row(service, "audit_checkpoints", "GET", "/v1/audit/checkpoints", {"auditor"}, 200),
        )
    ],
]

_keys = count(1)


@pytest.fixture(scope="module")
async def zaken(system: System) -> dict[str, str]:
    """ "eigen": reported by EIGEN_ORG with a consular question; "ander": reported by another
    agency, without one. Both known to every service before the matrix runs."""
    ids = {}
    for case, org, bz in (("eigen", EIGEN_ORG, True), ("ander", ANDERE_ORG, False)):
        response = await system.clients["intake"].post(
            "/v1/meldingen",
            json=melding(bz_betrokken=bz),
            headers={"Idempotency-Key": f"matrix-{case}-0001", **auth_headers(org, "melder")},
        )
        assert response.status_code == 201, response.text
        ids[case] = response.json()["zaak_id"]
    coordinator = auth_headers("lkha", "coordinator")
    for service in ("verification", "consular", "reporting"):
        for zaak_id in ids.values():

            async def known(s: str = service, z: str = zaak_id) -> bool:
                got = await system.clients[s].get(f"/v1/zaken/{z}", headers=coordinator)
                return got.status_code == 200

            await eventually(known, what=f"{zaak_id} at {service}")
    return ids


def _body(row: Row) -> Any:
    if row.body == "melding":
        return melding()
    return row.body


async def _call(system: System, row: Row, caller: str, zaak_id: str) -> int:
    org, rol = CALLERS[caller]
    headers = {**auth_headers(org, rol, user=f"{rol}.matrix"), **row.headers}
    if row.method == "POST":
        headers["Idempotency-Key"] = f"matrix-{next(_keys):06d}"
    response = await system.clients[row.service].request(
        row.method,
        row.path.format(zaak_id=zaak_id),
        json=_body(row),
        params=dict(row.params),
        headers=headers,
    )
    return response.status_code


def _record_problem(row: Row, caller: str, zaak_id: str, status: int, records: list[Any]) -> str:
    """What is wrong with the audit record a request left (empty: nothing)."""
    if len(records) != 1:
        return f"{len(records)} audit records instead of 1"
    record = records[0]
    org, rol = CALLERS[caller]
    refused = status == 403 or (status == 404 and row.per_case and row.ok != 404)
    expected = {
        "action": row.operation,
        "actor_org": org,
        "actor_rol": rol,
        "decision": "refused" if refused else "allowed",
        "result": "stored" if status == 201 else str(status),
    }
    if row.per_case:
        expected["zaak_id"] = zaak_id
    wrong = {k: (record[k], v) for k, v in expected.items() if record[k] != v}
    read = row.operation == "lees_persoonsgegevens" and status == 200
    if read and not (record["personal_data"] and record["doel"] == "terugkeer"):
        wrong["personal_data/doel"] = (record["personal_data"], record["doel"])
    return f"audit record differs (found, expected): {wrong}" if wrong else ""


@pytest.mark.parametrize("row", ROWS, ids=lambda r: f"{r.service}:{r.operation}")
async def test_every_role_gets_the_answer_need_to_know_gives_and_a_record(
    system: System, zaken: dict[str, str], row: Row
) -> None:
    problems = []
    for caller in CALLERS:
        for case, zaak_id in zaken.items():
            before = system.audit_head(row.service)
            status = await _call(system, row, caller, zaak_id)
            if status != row.expected(caller, case):
                problems.append(
                    f"{caller} on {case}: {status}, expected {row.expected(caller, case)}"
                )
                continue
            records = system.audit_after(row.service, before)
            problem = _record_problem(row, caller, zaak_id, status, records)
            if problem:
                problems.append(f"{caller} on {case}: {problem}")
    assert not problems, "\n".join(problems)


async def test_every_route_of_every_service_is_in_the_matrix(system: System) -> None:
    from shared.security.policy import api_routes
    from tests.security.test_page_matrix import PAGES

    in_matrix = {(r.service, r.operation) for r in ROWS}
    in_matrix |= {("reporting", p.operation) for p in PAGES}
    for service, app in system.apps.items():
        policy = app.state.security.policy
        routes = {
            (service, route.operation_id)
            for path, route in api_routes(app)
            if not policy.is_public(path)
        }
        assert routes <= in_matrix, f"add rows for {sorted(routes - in_matrix)}"
        assert policy.unlisted_operations(app) == [], "every route needs a row in policy.py"


async def test_a_case_one_may_not_see_looks_exactly_like_one_that_does_not_exist(
    system: System, zaken: dict[str, str]
) -> None:
    partner = auth_headers(EIGEN_ORG, "melder")
    intake = system.clients["intake"]
    hidden = await intake.get(f"/v1/meldingen/{zaken['ander']}/status", headers=partner)
    unknown_id = str(uuid4())
    unknown = await intake.get(f"/v1/meldingen/{unknown_id}/status", headers=partner)
    assert hidden.status_code == unknown.status_code == 404
    assert hidden.json()["detail"].replace(zaken["ander"], "X") == unknown.json()["detail"].replace(
        unknown_id, "X"
    )
    bz = auth_headers("bz", "bz_consulair")
    for service in ("intake", "verification", "consular"):
        hidden = await system.clients[service].get(f"/v1/zaken/{zaken['ander']}", headers=bz)
        unknown = await system.clients[service].get(f"/v1/zaken/{unknown_id}", headers=bz)
        assert hidden.status_code == unknown.status_code == 404, service
        assert hidden.json()["detail"].replace(zaken["ander"], "X") == unknown.json()[
            "detail"
        ].replace(unknown_id, "X"), service
