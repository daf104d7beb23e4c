"""Stored events outlive their classes: an old (v1) event is upcast when it is read."""

from __future__ import annotations

import json
from datetime import date
from uuid import UUID

from eventsourcing.persistence import StoredEvent, Tracking

from services.verification.application import VerificationApplication
from services.verification.domain import Zaak
from services.verification.teksten import Teksten
from shared.crypto import InMemoryCaseKeys
from tests.unit.verification.conftest import VANDAAG


def als_v1(app: VerificationApplication, stored: StoredEvent) -> StoredEvent:
    """The same correction as the first version of MeldingGecorrigeerd stored it."""
    state = json.loads(stored.state)
    assert state.pop("class_version") == 2
    del state["vorige"], state["datum"]
    return StoredEvent(
        originator_id=stored.originator_id,
        originator_version=stored.originator_version,
        topic=stored.topic,
        state=json.dumps(state).encode(),
    )


def test_a_v1_correction_is_upcast_when_loaded(app: VerificationApplication, zaak: UUID) -> None:
    app.neem_correctie_over(
        zaak,
        2,
        {"land": "IQ"},
        Tracking("stream:INTAKE", 2),
        vorige={"land": "SY"},
        datum=date(2018, 4, 1),
    )
    melding, correctie = app.recorder.select_events(zaak)
    oud = als_v1(app, correctie)
    assert b"vorige" not in oud.state and b"class_version" not in oud.state

    elders = VerificationApplication(teksten=Teksten(InMemoryCaseKeys()), vandaag=lambda: VANDAAG)
    elders.recorder.insert_events([melding, oud])
    event = elders.mapper.to_domain_event(elders.recorder.select_events(zaak)[1])
    assert isinstance(event, Zaak.MeldingGecorrigeerd)
    assert (event.vorige, event.datum) == ({}, None)
    geladen = elders.get_zaak(zaak)
    assert geladen.land == "IQ"
    assert geladen.correcties == [{"wijzigingen": {"land": "IQ"}, "vorige": {}, "datum": None}]


def test_new_corrections_are_stored_as_v2(app: VerificationApplication, zaak: UUID) -> None:
    app.neem_correctie_over(
        zaak, 2, {"land": "IQ"}, Tracking("stream:INTAKE", 2), vorige={"land": "MA"}
    )
    stored = app.recorder.select_events(zaak)[-1]
    assert json.loads(stored.state)["class_version"] == 2
    assert app.get_zaak(zaak).correcties[0]["vorige"] == {"land": "MA"}
