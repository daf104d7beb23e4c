"""Reporting's facts can be dropped and rebuilt from the streams: the figures stay identical.

The reference data set's integration events are published on the real JetStream streams as
their producers would; reporting consumes them into the real PostgreSQL, answers, and is then
rebuilt from the streams by the same code `knooppunt reporting rebuild` runs.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import AsyncIterator, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from nats.aio.client import Client as NATS

from deploy.demo.to_envelopes import dataset_envelopes
from services.reporting.main import create_app
from services.reporting.rebuild import herbouw, herbouw_met
from services.reporting.settings import ReportingSettings
from services.reporting.store import REBUILDING, FactStore, StoreInUse
from shared.messaging import IntegrationEvent, NatsUnavailable, ensure_stream
from tests.helpers import (
    as_rebuild,
    database_credentials,
    eventually,
    nats_credentials,
    reporting_facts,
    serving,
)

pytestmark = pytest.mark.integration

VRAGEN = (
    "/v1/jaarcijfers/2018",
    "/v1/jaarcijfers/2019?peildatum=2019-06-30&onderdrukking=5",
    "/v1/jaarcijfers/2018.csv",
    "/v1/jaarcijfers/2018?peildatum=2019-06-30",
    "/v1/jaarcijfers/2018?registratie_tot=2019-01-15",
    "/v1/statistieken?peildatum=2019-06-16&groepeer=jaar&groepeer=stage&groepeer=onderwerp",
    "/v1/doorlooptijden?peildatum=2019-12-31",
    "/v1/noodfonds?peildatum=2019-12-31",
    "/v1/consulaire-bijstand?peildatum=2019-12-31&per=land",
)


def _event(envelope: Mapping[str, Any]) -> IntegrationEvent:
    return IntegrationEvent(
        event_id=envelope["event_id"],
        event_type=envelope["event_type"],
        source=envelope["source"],
        zaak_id=envelope["zaak_id"],
        recorded_at=datetime.fromisoformat(envelope["recorded_at"]),
        data=dict(envelope["data"]),
        recorded_by=envelope["recorded_by"],
    )


@pytest.fixture
async def gepubliceerd(nats_client: NATS) -> int:
    """The data set's events on the INTAKE, VERIFICATION and CONSULAR streams."""
    js = nats_client.jetstream()
    for source in ("intake", "verification", "consular"):
        await ensure_stream(js, source)
    envelopes = dataset_envelopes()
    for envelope in envelopes:
        event = _event(envelope)
        await js.publish(event.subject, event.to_json(), headers=event.headers())
    return len(envelopes)


@pytest.fixture
def settings(database_url: str, nats_url: str) -> ReportingSettings:
    """Reporting as itself on NATS (its own durables only: it cannot replay the streams)."""
    return ReportingSettings(
        **database_credentials(database_url, "reporting"),
        environment="test",
        **nats_credentials(nats_url, "reporting"),
    )


@pytest.fixture
def facts(settings: ReportingSettings) -> AsyncIterator[FactStore]:
    """The facts as reporting's owner role sees them (a rebuild runs as the owner)."""
    with reporting_facts(settings) as facts:
        yield facts


async def _antwoorden(client: httpx.AsyncClient) -> dict[str, Any]:
    antwoorden = {}
    for vraag in VRAGEN:
        response = await client.get(vraag)
        assert response.status_code == 200, (vraag, response.text)
        antwoorden[vraag] = response.text if ".csv" in vraag else response.json()
    return antwoorden


async def test_rebuilt_figures_are_identical_to_the_live_ones(
    settings: ReportingSettings,
    facts: FactStore,
    gepubliceerd: int,
    nats_client: NATS,
) -> None:
    async with serving(create_app(settings)) as reporting:

        async def alles_binnen() -> bool:
            return facts.count() == gepubliceerd

        await eventually(alles_binnen, within=120, what="every event consumed by reporting")
        live = await _antwoorden(reporting)
        with pytest.raises(StoreInUse):
            await herbouw(facts, nats_client)

    assert live["/v1/jaarcijfers/2018"]["totaal"] == 57
    assert live["/v1/jaarcijfers/2018"]["vorig_jaar"]["totaal"] == 38

    verslag = await herbouw_met(as_rebuild(settings))
    assert verslag.verschillen == []
    assert sum(verslag.per_stream.values()) == gepubliceerd
    assert verslag.na["feiten"] == verslag.voor["feiten"] == gepubliceerd
    assert facts.count() == gepubliceerd

    async with serving(create_app(settings)) as reporting:
        assert await _antwoorden(reporting) == live


async def test_reporting_starts_degraded_on_a_rebuild_an_older_version_left_unfinished(
    settings: ReportingSettings, facts: FactStore
) -> None:
    """An older rebuild emptied the facts first and marked itself under way: reporting is
    never locked out by that mark, it serves and says it is degraded."""
    facts.positions.set(REBUILDING, 1)
    async with serving(create_app(settings)) as reporting:
        response = await reporting.get("/v1/statistieken", params={"peildatum": "2018-12-31"})
        assert response.json()["totaal"] == 0
        ready = (await reporting.get("/ready")).json()
        assert ready["status"] in ("degraded", "not ready")
        assert ready["degraded"] == {"rebuild_interrupted": True}


async def test_a_rebuild_as_the_reporting_service_or_without_credentials_stops_at_once(
    settings: ReportingSettings, facts: FactStore, gepubliceerd: int
) -> None:
    """Only the rebuild's own user may replay the streams; any other login is refused with
    the reason, quickly, and nothing of reporting's facts changes (issue 10)."""
    voor = facts.count()
    zonder = settings.model_copy(update={"nats_user": None, "nats_nkey_seed": None})
    with pytest.raises(NatsUnavailable, match=r"refused the credentials of no user"):
        await asyncio.wait_for(herbouw_met(zonder), timeout=20)
    with pytest.raises(NatsUnavailable, match=r"no access to stream INTAKE .*permissions"):
        await asyncio.wait_for(herbouw_met(settings), timeout=20)  # reporting's own user
    assert not facts.rebuild_interrupted()
    assert facts.count() == voor


def test_the_rebuild_command_without_nats_credentials_fails_in_one_line(
    database_url: str, nats_url: str
) -> None:
    rollen = database_credentials(database_url, "reporting")
    env = {
        **os.environ,
        "DATABASE_URL": rollen["database_url"],
        "DATABASE_OWNER_URL": rollen["database_owner_url"].get_secret_value(),
        "NATS_URL": nats_credentials(nats_url, "reporting")["nats_url"],
        "ENVIRONMENT": "test",
    }
    for name in ("NATS_USER", "NATS_NKEY_SEED"):
        env.pop(name, None)
    knooppunt = Path(sys.executable).parent / "knooppunt"
    run = subprocess.run(
        [str(knooppunt), "reporting", "rebuild"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 3, run  # deploy/cli_common.py: a server refuses or is missing
    regels = [r for r in (run.stdout + run.stderr).splitlines() if r.strip()]
    assert len(regels) == 1, regels
    assert regels[0].startswith("error: NATS at nats://127.0.0.1:"), regels
    assert "refused the credentials" in regels[0] and "Authorization" in regels[0], regels
