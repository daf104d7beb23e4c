"""How fast the coordinators' pages render with 10,000 cases (`python -m deploy.bench_ui`).

Builds 10,000 fictitious cases (about 60,000 events) in memory, serves the pages over real
HTTP (uvicorn on a free port) with verification faked by an in-process transport, signs in
and times each page: the first request (folding every case once) and then the median and
slowest of repeated requests, also right after a new event arrived.
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import statistics
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import uvicorn
from fastapi import FastAPI
from pydantic import SecretStr

from deploy.servers import free_port
from services.reporting.index import Feitenindex
from services.reporting.policy import POLICY
from services.reporting.rapportage import Rapportage
from services.reporting.settings import ReportingSettings
from services.reporting.web import pagina_routes, static_files
from services.reporting.web.aanmelding import COOKIE, tokens_voor
from services.reporting.web.bron import Bron
from services.reporting.web.fouten import installeer_foutpaginas
from services.reporting.web.partners import Intake, Partners, Verificatie
from services.reporting.web.weergave import Web, maak_templates
from shared.context import Actor
from shared.security.tokens import new_dev_key, public_jwks
from shared.security.wiring import protect_in_memory

ONDERWERPEN = (
    ["achterlating"] * 5
    + ["huwelijksdwang"] * 2
    + [
        "huwelijksdwang_en_achterlating",
        "huiselijk_geweld_buitenland",
        "huwelijkse_gevangenschap",
    ]
)
LANDEN = ["MA", "IQ", "SO", "SD", "PK", "TR", "GH", "AF", "EG", "IN"]
BETROKKENEN = ["minderjarige", "volwassene", "moeder_met_minderjarige_kinderen"]
VANDAAG = date(2024, 6, 1)


def _envelope(
    teller: itertools.count[int], event_type: str, zaak_id: str | None, source: str, **data: Any
) -> dict[str, Any]:
    n = next(teller)
    return {
        "event_id": f"bench-{n}",
        "event_type": event_type,
        "contract_version": 1,
        "source": source,
        "zaak_id": zaak_id,
        "recorded_at": (datetime(2015, 1, 1, tzinfo=UTC) + timedelta(minutes=n)).isoformat(),
        "recorded_by": {"org": "lkha", "rol": "coordinator", "user": "bench"},
        "data": data,
    }


def cases(aantal: int, seed: int = 1) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """`aantal` fictitious cases as envelopes, and the regieoverleg texts per overleg_id."""
    kans = random.Random(seed)
    teller = itertools.count(1)
    envelopes: list[dict[str, Any]] = []
    overleggen: dict[str, Any] = {}
    for i in range(aantal):
        zaak_id = str(uuid.UUID(int=kans.getrandbits(128)))
        gemeld = VANDAAG - timedelta(days=kans.randint(0, 9 * 365))
        env = [
            _envelope(
                teller,
                "gemeld",
                zaak_id,
                "intake",
                referentie=f"LKHA-{gemeld.year}-{i:05d}",
                gemeld_op=gemeld.isoformat(),
                onderwerp=kans.choice(ONDERWERPEN),
                betrokkene={"categorie": kans.choice(BETROKKENEN)},
                land=kans.choice(LANDEN),
                melder={"type": "school"},
                bz_betrokken=True,
            )
        ]
        stap = gemeld + timedelta(days=kans.randint(0, 10))
        if stap <= VANDAAG:
            env.append(
                _envelope(teller, "onderzoek_gestart", zaak_id, "verification", datum=str(stap))
            )
        overleg = stap + timedelta(days=kans.randint(1, 20))
        if overleg <= VANDAAG:
            overleg_id, actie_id = str(uuid.uuid4()), str(uuid.uuid4())
            deadline = overleg + timedelta(days=7)
            env.append(
                _envelope(
                    teller,
                    "regieoverleg_gehouden",
                    None,
                    "verification",
                    overleg_id=overleg_id,
                    datum=str(overleg),
                    deelnemers=["lkha", "bz"],
                    zaken=[
                        {
                            "zaak_id": zaak_id,
                            "aantal_besluiten": 1,
                            "acties": [
                                {"actie_id": actie_id, "eigenaar": "bz", "deadline": str(deadline)}
                            ],
                        }
                    ],
                )
            )
            overleggen[overleg_id] = {
                "overleg_id": overleg_id,
                "versie": 1,
                "datum": str(overleg),
                "deelnemers": ["lkha", "bz"],
                "zaken": [
                    {
                        "zaak_id": zaak_id,
                        "besluiten": ["BZ vraagt de post om contact"],
                        "acties": [{"actie_id": actie_id, "omschrijving": "Post belt betrokkene"}],
                    }
                ],
            }
            if kans.random() < 0.8 and deadline <= VANDAAG:
                env.append(
                    _envelope(
                        teller,
                        "actie_afgerond",
                        zaak_id,
                        "verification",
                        overleg_id=overleg_id,
                        actie_id=actie_id,
                        datum=str(deadline),
                    )
                )
        besluit = overleg + timedelta(days=kans.randint(5, 60))
        if besluit <= VANDAAG and kans.random() < 0.85:
            env.append(
                _envelope(
                    teller,
                    "geverifieerd",
                    zaak_id,
                    "verification",
                    uitkomst=kans.choice(["vastgesteld", "niet_vastgesteld", "onbekend"]),
                    besloten_op=str(besluit),
                )
            )
            if kans.random() < 0.5:
                env.append(
                    _envelope(
                        teller,
                        "bijstand_verleend",
                        zaak_id,
                        "consular",
                        soort="reisdocument_verstrekt",
                        document="noodpaspoort",
                        datum=str(besluit),
                        post="Rabat",
                    )
                )
        envelopes += env
    return envelopes, overleggen


def fake_verification(
    envelopes: list[dict[str, Any]], overleggen: Mapping[str, Any]
) -> Callable[[httpx.Request], httpx.Response]:
    """Verification's agenda (300 cases) and regieoverleg texts, answered in-process."""
    gemeld = [e for e in envelopes if e["event_type"] == "gemeld"][:300]
    agenda = {
        "datum": VANDAAG.isoformat(),
        "vorig_overleg_id": None,
        "vorig_overleg_datum": (VANDAAG - timedelta(days=14)).isoformat(),
        "zaken": [
            {
                "zaak_id": e["zaak_id"],
                "referentie": e["data"]["referentie"],
                "stage": "open",
                "gemeld_op": e["data"]["gemeld_op"],
                "leeftijd_dagen": 10,
                "onderwerp": e["data"]["onderwerp"],
                "land": e["data"]["land"],
                "redenen": ["niet_geverifieerd", "recente_ontwikkeling"][: 1 + i % 2],
                "open_acties": [],
                "ontwikkelingen": [{"soort": "onderzoek_gestart", "datum": "2024-05-30"}],
            }
            for i, e in enumerate(gemeld)
        ],
    }

    def antwoord(request: httpx.Request) -> httpx.Response:
        pad = request.url.path
        if pad == "/v1/regieoverleggen/agenda":
            return httpx.Response(200, json=agenda)
        overleg = overleggen.get(pad.rsplit("/", 1)[-1])
        return httpx.Response(200, json=overleg) if overleg else httpx.Response(404, json={})

    return antwoord


def build(aantal: int) -> tuple[FastAPI, Feitenindex, list[dict[str, Any]], str]:
    """The pages over `aantal` cases, and a token to sign in with."""
    jwk = new_dev_key()
    settings = ReportingSettings(
        environment="development",
        jwt_public_keys=public_jwks(jwk),
        jwt_dev_signing_key=SecretStr(json.dumps(jwk)),
    )
    envelopes, overleggen = cases(aantal)
    index = Feitenindex()
    start = time.perf_counter()
    index.voeg_toe_alle(envelopes)
    print(f"index filled in {(time.perf_counter() - start) * 1000:.0f} ms (at start-up)")
    transport = httpx.MockTransport(fake_verification(envelopes, overleggen))
    client = httpx.Client(transport=transport, base_url="http://verification")
    tokens = tokens_voor(settings)
    app = FastAPI()
    protect_in_memory(app, service="reporting", settings=settings, policy=POLICY)
    app.state.ui = Web(
        settings=settings,
        bron=Bron(Rapportage(index, vandaag=lambda: VANDAAG), vandaag=lambda: VANDAAG),
        partners=Partners(Verificatie("verificatie", client), Intake("intake", client)),
        tokens=tokens,
        templates=maak_templates(),
    )
    app.include_router(pagina_routes(), prefix="/ui")
    app.mount("/ui/static", static_files(), name="ui-static")
    installeer_foutpaginas(app)
    token = tokens.maak(Actor(org="lkha", rol="coordinator", user="bench"))
    return app, index, envelopes, token


def _time(client: httpx.Client, path: str, repeats: int) -> tuple[float, float, float]:
    """First, median and slowest response time of GET path, in milliseconds."""
    timings = []
    for _ in range(repeats):
        start = time.perf_counter()
        response = client.get(path)
        timings.append((time.perf_counter() - start) * 1000)
        if response.status_code != 200:
            raise RuntimeError(f"{path}: {response.status_code} {response.text[:300]}")
    return timings[0], statistics.median(timings[1:] or timings), max(timings[1:] or timings)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--zaken", type=int, default=10_000)
    parser.add_argument("--herhalingen", type=int, default=20)
    args = parser.parse_args(argv)

    app, index, envelopes, token = build(args.zaken)
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    zaak_id = next(e["zaak_id"] for e in envelopes if e["event_type"] == "actie_afgerond")
    print(f"{args.zaken} cases, {len(envelopes)} events; pages at http://127.0.0.1:{port}/ui")
    print(f"{'page':<46}{'first ms':>10}{'median ms':>11}{'max ms':>9}")
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", cookies={COOKIE: token}) as client:
        paths = [
            "/ui/zaken",
            "/ui/zaken?onderwerp=achterlating&land=MA&fase=lopend",
            "/ui/zaken?referentie=2019-0",
            "/ui/zaken?instantie=bz",
            "/ui/zaken?pagina=150",
            "/ui/agenda",
            f"/ui/zaken/{zaak_id}",
            "/ui/cijfers?jaar=2022&peildatum=2022-12-31",
            "/ui/cijfers/2022.csv?peildatum=2022-12-31",
            "/ui/cijfers/2022.xlsx?peildatum=2022-12-31",
        ]
        for path in paths:
            first, median, slowest = _time(client, path, args.herhalingen)
            print(f"{path[:45]:<46}{first:>10.1f}{median:>11.1f}{slowest:>9.1f}")
        nieuw = dict(envelopes[-1], event_id="bench-nieuw", event_type="afgesloten")
        nieuw["data"] = {"reden": "overig", "datum": VANDAAG.isoformat()}
        index.voeg_toe(nieuw)
        first, _, _ = _time(client, "/ui/zaken", 1)
        print(f"{'/ui/zaken right after a new event':<46}{first:>10.1f}")
    server.should_exit = True
    thread.join()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
