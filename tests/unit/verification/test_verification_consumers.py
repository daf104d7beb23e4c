"""Intake's events arriving at verification: tolerant, exactly once per stream position."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

import pytest

from services.verification.application import VerificationApplication
from services.verification.consumers import IntakeHandler
from services.verification.domain import ZaakNotFound
from shared.consumer import Delivery
from shared.messaging import IntegrationEvent

ZAAK = UUID(int=0xA)

GEMELD = {
    "referentie": "LKHA-2018-0001",
    "gemeld_op": "2018-03-14",
    "onderwerp": "achterlating",
    "betrokkene": {"categorie": "minderjarige"},
    "land": "SY",
    "bz_betrokken": True,
}


def delivery(
    sequence: int, event_type: str, versie: int, data: dict[str, Any], zaak: UUID = ZAAK
) -> Delivery:
    event = IntegrationEvent(
        event_id=f"{zaak}:{versie}",
        event_type=event_type,
        source="intake",
        zaak_id=str(zaak),
        recorded_at=datetime(2018, 3, 14, 9, tzinfo=UTC),
        data=data,
    )
    return Delivery(event=event, stream="INTAKE", sequence=sequence)


@pytest.fixture
def handler(app: VerificationApplication) -> IntakeHandler:
    return IntakeHandler(app)


def test_a_melding_opens_the_case_once(
    app: VerificationApplication, handler: IntakeHandler
) -> None:
    handler(delivery(1, "gemeld", 1, GEMELD))
    handler(delivery(1, "gemeld", 1, GEMELD))  # redelivered
    handler(delivery(5, "gemeld", 1, GEMELD))  # republished after the duplicate window
    zaak = app.get_zaak(ZAAK)
    assert (zaak.referentie, zaak.gemeld_op, zaak.stage) == (
        "LKHA-2018-0001",
        date(2018, 3, 14),
        "open",
    )
    assert zaak.version == 1
    assert app.tracking_recorder.max_tracking_id("stream:INTAKE") == 5


def test_a_melding_without_its_codes_is_skipped_not_retried_forever(
    app: VerificationApplication, handler: IntakeHandler
) -> None:
    handler(delivery(1, "gemeld", 1, {**GEMELD, "gemeld_op": "gisteren"}))
    with pytest.raises(ZaakNotFound):
        app.get_zaak(ZAAK)
    assert app.tracking_recorder.max_tracking_id("stream:INTAKE") == 1


def test_an_event_id_without_a_version_is_skipped_not_retried_forever(
    app: VerificationApplication, handler: IntakeHandler
) -> None:
    malformed = delivery(1, "gemeld", 1, GEMELD)
    malformed = Delivery(
        event=replace(malformed.event, event_id=str(ZAAK)), stream="INTAKE", sequence=1
    )
    handler(malformed)
    with pytest.raises(ZaakNotFound):
        app.get_zaak(ZAAK)
    assert app.tracking_recorder.max_tracking_id("stream:INTAKE") == 1


def test_a_correction_is_mirrored_with_what_it_replaced(
    app: VerificationApplication, handler: IntakeHandler
) -> None:
    handler(delivery(1, "gemeld", 1, GEMELD))
    handler(
        delivery(
            2,
            "gecorrigeerd",
            2,
            {
                "wijzigingen": {"land": "IQ", "melder": {"type": "school"}},
                "vorige": {"land": "SY"},
                "datum": "2018-04-01",
            },
        )
    )
    zaak = app.get_zaak(ZAAK)
    assert zaak.land == "IQ"
    assert not hasattr(zaak, "melder")
    assert zaak.correcties == [
        {"wijzigingen": {"land": "IQ"}, "vorige": {"land": "SY"}, "datum": date(2018, 4, 1)}
    ]


def test_a_correction_of_a_case_not_known_here_changes_nothing(
    app: VerificationApplication, handler: IntakeHandler
) -> None:
    handler(delivery(1, "gecorrigeerd", 2, {"wijzigingen": {"land": "IQ"}}))
    assert app.recorder.max_notification_id() in (None, 0)
    assert app.tracking_recorder.max_tracking_id("stream:INTAKE") == 1


def test_a_withdrawal_is_mirrored(app: VerificationApplication, handler: IntakeHandler) -> None:
    handler(delivery(1, "gemeld", 1, GEMELD))
    handler(delivery(2, "ingetrokken", 2, {"datum": "2018-03-20"}))
    assert app.get_zaak(ZAAK).ingetrokken is True


def test_unknown_event_types_are_acknowledged_and_skipped(
    app: VerificationApplication, handler: IntakeHandler
) -> None:
    handler(delivery(1, "adviesvraag_ontvangen", 1, {"onderwerp": "huwelijksdwang"}))
    assert app.recorder.max_notification_id() in (None, 0)
    assert app.tracking_recorder.max_tracking_id("stream:INTAKE") == 1
