"""Consular's consumers on the real PostgreSQL: position and change in one transaction."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import pytest

from services.consular.application import ConsularApplication
from services.consular.consumers import IntakeHandler, VerificationHandler
from services.consular.domain import wachtrij_id
from shared.consumer import Delivery
from shared.db import ensure_schema, make_engine
from shared.eventstore import postgres_env
from shared.messaging import IntegrationEvent

pytestmark = pytest.mark.integration
ZAAK = UUID("00000000-0000-4000-8000-00000000c0de")


def _delivery(
    source: str, event_type: str, versie: int, sequence: int, data: dict[str, Any]
) -> Delivery:
    event = IntegrationEvent(
        event_id=f"{ZAAK}:{versie}",
        event_type=event_type,
        source=source,
        zaak_id=str(ZAAK),
        recorded_at=datetime(2018, 4, 1, 9, tzinfo=UTC),
        data=data,
    )
    return Delivery(event=event, stream=source.upper(), sequence=sequence)


GEVERIFIEERD = _delivery(
    "verification",
    "geverifieerd",
    3,
    1,
    {"uitkomst": "vastgesteld", "besloten_op": "2018-04-01", "herziening": False},
)
AFGESLOTEN = _delivery("verification", "afgesloten", 4, 2, {"datum": "2018-06-01"})
GEMELD = _delivery(
    "intake",
    "gemeld",
    1,
    1,
    {
        "referentie": "LKHA-2018-0009",
        "gemeld_op": "2018-03-14",
        "onderwerp": "achterlating",
        "betrokkene": {"categorie": "minderjarige"},
        "land": "SO",
        "bz_betrokken": True,
    },
)


def _consular(database_url: str) -> ConsularApplication:
    ensure_schema(make_engine(database_url, "consular"), "consular")
    return ConsularApplication(postgres_env(database_url, "consular"))


def test_early_news_redelivered_and_republished_is_applied_once(database_url: str) -> None:
    app = _consular(database_url)
    intake, verification = IntakeHandler(app), VerificationHandler(app)
    verification(GEVERIFIEERD)
    verification(GEVERIFIEERD)  # redelivered: same position
    verification(_delivery("verification", "geverifieerd", 3, 5, GEVERIFIEERD.event.data))
    assert len(app.repository.get(wachtrij_id(ZAAK)).feiten) == 1
    intake(GEMELD)
    intake(GEMELD)
    zaak = app.get_zaak(ZAAK)
    assert zaak.uitkomst == "vastgesteld" and zaak.version == 2
    assert app.tracking_recorder.max_tracking_id("stream:VERIFICATION") == 5
    assert app.tracking_recorder.max_tracking_id("stream:INTAKE") == 1
    app.close()

    restarted = _consular(database_url)
    handler = VerificationHandler(restarted)
    handler(AFGESLOTEN)  # position 2 lies before the 5 processed: changes nothing
    assert restarted.get_zaak(ZAAK).version == 2
    handler(replace(AFGESLOTEN, sequence=6))
    zaak = restarted.get_zaak(ZAAK)
    assert zaak.verificatiestand == "afgesloten" and zaak.version == 3
    assert restarted.repository.get(wachtrij_id(ZAAK)).overgedragen
    restarted.close()


def test_news_racing_the_melding_in_two_consumer_threads_is_never_lost(
    database_url: str,
) -> None:
    """The INTAKE and VERIFICATION consumers run at once: whichever commits first, the
    onderzoek_gestart of every case ends up on the case, never in a forgotten wachtrij."""
    from concurrent.futures import ThreadPoolExecutor
    from uuid import uuid4

    app = _consular(database_url)
    intake, verification = IntakeHandler(app), VerificationHandler(app)
    zaken = [uuid4() for _ in range(60)]

    def retarget(delivery: Delivery, zaak: UUID, sequence: int) -> Delivery:
        versie = delivery.event.event_id.rsplit(":", 1)[1]
        event = replace(delivery.event, zaak_id=str(zaak), event_id=f"{zaak}:{versie}")
        return replace(delivery, event=event, sequence=sequence)

    onderzoek = _delivery("verification", "onderzoek_gestart", 2, 1, {"datum": "2018-03-20"})
    with ThreadPoolExecutor(max_workers=2) as pool:
        for n, zaak in enumerate(zaken, start=1):
            news = pool.submit(verification, retarget(onderzoek, zaak, n))
            melding = pool.submit(intake, retarget(GEMELD, zaak, n))
            news.result()
            melding.result()
    lost = [z for z in zaken if app.get_zaak(z).onderzoek_gestart_op is None]
    assert lost == []
    app.close()
