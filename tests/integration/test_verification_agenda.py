"""The agenda read model on the real PostgreSQL: exactly once, any order, fast at 10,000 cases."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import date, timedelta
from uuid import UUID, uuid4

import pytest
from eventsourcing.persistence import Tracking
from sqlalchemy import Engine, func, insert, select

from services.verification.application import VerificationApplication
from services.verification.readmodel import AgendaProjection, AgendaStore, metadata
from services.verification.readmodel.projection import NAME
from services.verification.readmodel.tables import (
    acties,
    ontwikkelingen,
    overleggen,
    positions,
    zaken,
)
from services.verification.teksten import Teksten
from shared.crypto import InMemoryCaseKeys
from shared.db import PositionStore, ensure_schema, make_engine
from shared.eventstore import postgres_env
from shared.parking import ParkingLot, parked_table

pytestmark = pytest.mark.integration

VANDAAG = date(2019, 6, 30)


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url, "verification")
    ensure_schema(engine, "verification")
    metadata.create_all(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def app(database_url: str, engine: Engine) -> Iterator[VerificationApplication]:
    app = VerificationApplication(
        postgres_env(database_url, "verification"),
        teksten=Teksten(InMemoryCaseKeys()),
        vandaag=lambda: VANDAAG,
    )
    yield app
    app.close()


def projector(app: VerificationApplication, engine: Engine) -> AgendaProjection:
    return AgendaProjection(engine=engine, recorder=app.recorder, mapper=app.mapper, batch_size=7)


def meld(app: VerificationApplication, nummer: int, gemeld_op: date = date(2018, 3, 14)) -> UUID:
    zaak_id = uuid4()
    app.ontvang_melding(
        zaak_id,
        1,
        {
            "referentie": f"LKHA-2018-{nummer:04d}",
            "gemeld_op": gemeld_op,
            "onderwerp": "achterlating",
            "land": "MA",
        },
        Tracking("stream:INTAKE", nummer),
    )
    return zaak_id


def test_two_projectors_at_once_apply_every_event_exactly_once(
    app: VerificationApplication, engine: Engine
) -> None:
    for nummer in range(1, 21):
        zaak_id = meld(app, nummer)
        app.start_onderzoek(zaak_id, datum=date(2018, 3, 16))
    projectors = [projector(app, engine), projector(app, engine)]
    threads = [threading.Thread(target=p.catch_up) for p in projectors]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(p.applied for p in projectors) == 40
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(zaken)).scalar() == 20
        assert conn.execute(select(func.count()).select_from(ontwikkelingen)).scalar() == 20


def test_a_restarted_projector_continues_where_the_last_one_stopped(
    app: VerificationApplication, engine: Engine
) -> None:
    eerste = meld(app, 1)
    assert projector(app, engine).catch_up() == 1
    app.verifieer(eerste, uitkomst="vastgesteld", besloten_op=date(2018, 5, 1))
    herstart = projector(app, engine)
    assert herstart.catch_up() == 1
    assert PositionStore(engine, positions).get(NAME) == app.recorder.max_notification_id()
    agenda = AgendaStore(engine).agenda(date(2018, 5, 2))
    assert [p.redenen for p in agenda.zaken] == [["recente_ontwikkeling"]]
    assert agenda.zaken[0].stage == "lopend"


def test_consular_developments_count_once_and_wait_for_their_case(
    app: VerificationApplication, engine: Engine
) -> None:
    store = AgendaStore(engine)
    zaak_id = str(uuid4())

    def ontwikkeling(sequence: int, event_id: str = f"{uuid4()}:1") -> None:
        store.record_ontwikkeling(
            position_name="stream:CONSULAR",
            sequence=sequence,
            event_id=event_id,
            zaak_id=zaak_id,
            bron="consular",
            soort="afloop_vastgelegd:teruggekeerd_met_ondersteuning",
            datum=date(2018, 6, 1),
        )

    eerste = f"{uuid4()}:1"
    ontwikkeling(1, eerste)
    ontwikkeling(1, f"{uuid4()}:9")  # redelivered: the position says it was handled
    ontwikkeling(2, eerste)  # republished after the duplicate window: same event id
    store.skip("stream:CONSULAR", 3)
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(ontwikkelingen)).scalar() == 1
    assert store.agenda(date(2018, 6, 2)).zaken == []  # its melding has not arrived yet

    app.ontvang_melding(
        UUID(zaak_id),
        1,
        {
            "referentie": "LKHA-2018-0001",
            "gemeld_op": date(2018, 3, 1),
            "onderwerp": "achterlating",
            "land": "SO",
        },
        Tracking("stream:INTAKE", 1),
    )
    app.verifieer(UUID(zaak_id), uitkomst="vastgesteld", besloten_op=date(2018, 4, 1))
    projector(app, engine).catch_up()
    (punt,) = store.agenda(date(2018, 6, 2)).zaken
    assert punt.zaak_id == zaak_id
    assert [o.soort for o in punt.ontwikkelingen] == [
        "geverifieerd:vastgesteld",
        "afloop_vastgelegd:teruggekeerd_met_ondersteuning",
    ]


def test_the_agenda_of_10000_cases_is_read_from_the_tables_in_well_under_a_second(
    engine: Engine,
) -> None:
    begin = date(2015, 1, 1)
    rijen = [
        {
            "zaak_id": f"{n:08d}-0000-0000-0000-000000000000",
            "referentie": f"LKHA-{n:05d}",
            "gemeld_op": begin + timedelta(days=n % 1500),
            "onderwerp": "achterlating",
            "land": "MA",
            "geverifieerd": n % 10 != 0,  # 1,000 unverified
            "afgesloten": n % 3 == 0,
            "ingetrokken": False,
        }
        for n in range(10_000)
    ]
    with engine.begin() as conn:
        conn.execute(insert(zaken), rijen)
        conn.execute(insert(overleggen), [{"overleg_id": "o", "datum": date(2019, 5, 1)}])
        conn.execute(
            insert(acties),
            [
                {
                    "actie_id": f"a{n}",
                    "overleg_id": "o",
                    "zaak_id": rijen[n]["zaak_id"],
                    "eigenaar": "bz",
                    "omschrijving": "Bellen",
                    "deadline": date(2019, 5, 1) + timedelta(days=n % 60),
                    "afgerond_op": None,
                }
                for n in range(1, 10_000, 7)
            ],
        )
        conn.execute(
            insert(ontwikkelingen),
            [
                {
                    "event_id": f"e{n}",
                    "zaak_id": rijen[n]["zaak_id"],
                    "bron": "verification",
                    "soort": "nazorg_geregeld",
                    "datum": date(2019, 1, 1) + timedelta(days=n % 180),
                }
                for n in range(0, 10_000, 3)
            ],
        )
    store = AgendaStore(engine)
    store.agenda(date(2019, 6, 1))  # warm the connection pool
    start = time.perf_counter()
    agenda = store.agenda(date(2019, 6, 1))
    duur = time.perf_counter() - start
    assert len(agenda.zaken) > 1_000
    assert {r for p in agenda.zaken for r in p.redenen} == {
        "actie_verlopen",
        "niet_geverifieerd",
        "recente_ontwikkeling",
    }
    assert duur < 1.0, f"agenda of 10,000 cases took {duur:.2f} s"


def test_an_event_the_agenda_cannot_store_is_parked_and_the_others_go_on(
    app: VerificationApplication, engine: Engine
) -> None:
    """A NUL in a stored event (PostgreSQL text refuses it) must not stop the agenda."""
    table = parked_table(metadata)
    table.create(engine, checkfirst=True)
    lot = ParkingLot(engine, table)
    projection = AgendaProjection(
        engine=engine,
        recorder=app.recorder,
        mapper=app.mapper,
        batch_size=7,
        parking=lot,
        max_attempts=2,
    )
    vergiftigd = uuid4()
    app.ontvang_melding(
        vergiftigd,
        1,
        {"referentie": "LKHA\x00", "gemeld_op": date(2018, 3, 14), "onderwerp": "achterlating",
         "land": "MA"},
        Tracking("stream:INTAKE", 1),
    )  # fmt: skip
    app.start_onderzoek(vergiftigd, datum=date(2018, 3, 16))  # held behind it
    gezond = meld(app, 2)

    with pytest.raises(Exception, match="NUL"):
        projection.catch_up()  # the first attempt fails ...
    projection.catch_up()  # ... the second parks it and goes on
    with engine.connect() as conn:
        assert conn.execute(select(zaken.c.zaak_id)).scalars().all() == [str(gezond)]
    waiting = lot.list()
    assert [(m.stream, m.status, m.zaak_id) for m in waiting] == [
        ("AGENDA", "parked", str(vergiftigd)),
        ("AGENDA", "held", str(vergiftigd)),
    ]
    assert "NUL" in waiting[0].reason or "DataError" in waiting[0].reason

    # Discarding the melding releases the step held behind it: applied (to no case), gone.
    with engine.begin() as conn:
        lot.discard("AGENDA", waiting[0].sequence, by="t", because="test", conn=conn)
    projection.retry_parked()
    assert lot.count() == 0
