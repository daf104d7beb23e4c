"""The retention period runs from verification's closing date; reopening stops it; events
arrive in any order and more than once; an erasure is recorded once, with its audit record."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from uuid import uuid4

import pytest
from sqlalchemy import Engine, text

from services.intake.adapters import metadata
from services.intake.bewaring import Bewaring, WisGrond, WissingConflict, bewaring_tables
from shared.consumer import Delivery
from shared.context import Actor
from shared.crypto import InMemoryCaseKeys
from shared.db import ensure_schema, make_engine
from shared.messaging import IntegrationEvent
from shared.security.chain import install_chains
from tests.security.conftest import fresh_database

pytestmark = pytest.mark.integration

VANDAAG = date(2024, 1, 31)
COORDINATOR = Actor(org="lkha", rol="coordinator", user="c.coordinator")


@pytest.fixture
def engine(postgres_admin_url: str) -> Iterator[Engine]:
    engine = make_engine(fresh_database(postgres_admin_url, "bewaring"), "intake", pool_size=1)
    ensure_schema(engine, "intake")
    bewaring_tables(metadata)
    metadata.create_all(engine)
    with engine.begin() as conn:
        install_chains(conn, "intake", None)
    yield engine
    engine.dispose()


def _bewaring(engine: Engine, keys: InMemoryCaseKeys | None = None) -> Bewaring:
    return Bewaring(
        engine,
        metadata,
        schema="intake",
        termijn=timedelta(days=365),
        keys=keys or InMemoryCaseKeys(),
        vandaag=lambda: VANDAAG,
    )


def _event(zaak_id: str, event_type: str, versie: int, datum: str) -> Delivery:
    return Delivery(
        event=IntegrationEvent(
            event_id=f"{zaak_id}:{versie}",
            event_type=event_type,
            source="verification",
            zaak_id=zaak_id,
            recorded_at=datetime(2023, 1, 1, tzinfo=UTC),
            data={"reden": "teruggekeerd", "datum": datum},
        ),
        stream="VERIFICATION",
        sequence=versie,
    )


def test_a_case_closed_longer_than_the_period_ago_is_erased(engine: Engine) -> None:
    keys = InMemoryCaseKeys()
    bewaring = _bewaring(engine, keys)
    oud, recent, heropend = (str(uuid4()) for _ in range(3))
    for zaak_id in (oud, recent, heropend):
        keys.create(zaak_id)
    bewaring.noteer(_event(oud, "afgesloten", 5, "2022-12-01"))
    bewaring.noteer(_event(recent, "afgesloten", 5, "2023-12-01"))
    bewaring.noteer(_event(heropend, "afgesloten", 5, "2022-06-01"))
    bewaring.noteer(_event(heropend, "heropend", 6, "2022-07-01"))
    bewaring.noteer(_event(heropend, "afgesloten", 5, "2022-06-01"))  # redelivered, too late
    assert bewaring.wis_verlopen() == [oud]
    assert bewaring.wis_verlopen() == []
    assert set(keys.keys) == {recent, heropend}  # the key of `oud` was deleted
    with engine.connect() as conn:
        record = conn.execute(
            text("SELECT * FROM intake.audit_log WHERE zaak_id = :z"), {"z": oud}
        ).one()
    assert (record.action, record.actor_rol, record.result) == (
        "bewaartermijn_verstreken",
        "systeem",
        "stored",
    )


def test_an_erasure_is_recorded_once_and_a_retry_gets_the_first_answer(engine: Engine) -> None:
    bewaring = _bewaring(engine)
    zaak_id = str(uuid4())
    eerste = bewaring.wis(
        zaak_id, grond=WisGrond.verzoek_betrokkene, door=COORDINATOR, idempotency_key="k-1"
    )
    opnieuw = bewaring.wis(
        zaak_id, grond=WisGrond.verzoek_betrokkene, door=COORDINATOR, idempotency_key="k-1"
    )
    assert eerste.nieuw and not opnieuw.nieuw
    assert (opnieuw.gewist_op, opnieuw.grond) == (eerste.gewist_op, eerste.grond)
    with pytest.raises(WissingConflict):
        bewaring.wis(
            zaak_id, grond=WisGrond.onrechtmatig_verwerkt, door=COORDINATOR, idempotency_key="k-1"
        )
    with engine.connect() as conn:
        records = conn.execute(
            text("SELECT count(*) FROM intake.audit_log WHERE zaak_id = :z"), {"z": zaak_id}
        ).scalar_one()
    assert records == 1
