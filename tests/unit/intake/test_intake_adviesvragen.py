"""Adviesvragen: recorded as their own aggregate, never a melding, vraag encrypted."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

import pytest

from services.intake.adviesvragen.application import Adviesvragen
from services.intake.adviesvragen.contracts import met_adviesvragen, to_integration_event
from services.intake.adviesvragen.domain import AdviesvraagNotFound
from services.intake.application import IdempotencyConflict, IntakeApplication
from services.intake.contracts import to_integration_event as melding_contract
from services.intake.domain import MeldingNotFound, RegelGeschonden
from services.intake.status import MeldingStatussen
from shared.messaging import IntegrationEvent
from tests.unit.intake.fakes import verzoek

VRAAG = "Welke signalen wijzen op een voorgenomen huwelijk tijdens een vakantie?"


def adviesvraag(**overrides: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "ontvangen_op": date(2018, 3, 14),
        "onderwerp": "huwelijksdwang",
        "melder": {"type": "hulpverlening", "organisatie": "Wijkteam"},
        "vraag": VRAAG,
    }
    base.update(overrides)
    return base


def _published(intake: IntakeApplication) -> list[IntegrationEvent]:
    translate = met_adviesvragen(melding_contract)
    notifications = intake.recorder.select_notifications(1, 100)
    events = [translate(intake.mapper.to_domain_event(n)) for n in notifications]
    return [e for e in events if e is not None]


def test_an_adviesvraag_is_recorded_with_its_vraag_encrypted(
    adviesvragen: Adviesvragen, intake: IntakeApplication
) -> None:
    result = adviesvragen.ontvang(melder_org="wt", idempotency_key="a-1", verzoek=adviesvraag())
    opgeslagen = adviesvragen.get(result.adviesvraag_id)
    assert (opgeslagen.ontvangen_op, opgeslagen.onderwerp) == (date(2018, 3, 14), "huwelijksdwang")
    assert opgeslagen.vraag is not None and "signalen" not in opgeslagen.vraag
    assert adviesvragen.lees_vraag(result.adviesvraag_id) == VRAAG
    stored = intake.recorder.select_notifications(1, 10)
    assert b"signalen" not in stored[0].state


def test_an_adviesvraag_without_vraag_is_fine(adviesvragen: Adviesvragen) -> None:
    result = adviesvragen.ontvang(
        melder_org="wijkteam", idempotency_key="a-2", verzoek=adviesvraag(vraag=None)
    )
    assert adviesvragen.get(result.adviesvraag_id).vraag is None
    assert adviesvragen.lees_vraag(result.adviesvraag_id) is None


def test_an_adviesvraag_is_published_without_its_vraag_and_never_as_a_melding(
    adviesvragen: Adviesvragen, intake: IntakeApplication
) -> None:
    result = adviesvragen.ontvang(melder_org="wt", idempotency_key="a-3", verzoek=adviesvraag())
    (event,) = _published(intake)
    assert event.event_type == "adviesvraag_ontvangen"
    assert event.zaak_id == str(result.adviesvraag_id)
    assert event.event_id == f"{result.adviesvraag_id}:1"
    assert event.data == {
        "ontvangen_op": "2018-03-14",
        "onderwerp": "huwelijksdwang",
        "melder": {"type": "hulpverlening"},  # the organisatie is free text: it stays here
    }
    assert b"signalen" not in event.to_json()


def test_meldingen_are_still_published_beside_adviesvragen(
    adviesvragen: Adviesvragen, intake: IntakeApplication
) -> None:
    intake.meld(melder_org="vt", idempotency_key="m-1", verzoek=verzoek())
    adviesvragen.ontvang(melder_org="vt", idempotency_key="a-4", verzoek=adviesvraag())
    assert [e.event_type for e in _published(intake)] == ["gemeld", "adviesvraag_ontvangen"]
    assert to_integration_event(object()) is None


def test_same_key_returns_the_first_answer_and_stores_nothing(
    adviesvragen: Adviesvragen, intake: IntakeApplication
) -> None:
    eerste = adviesvragen.ontvang(melder_org="vt", idempotency_key="a-5", verzoek=adviesvraag())
    retry = adviesvragen.ontvang(melder_org="vt", idempotency_key="a-5", verzoek=adviesvraag())
    assert eerste.nieuw and not retry.nieuw
    assert retry.adviesvraag_id == eerste.adviesvraag_id
    assert intake.recorder.max_notification_id() == 1
    ander = adviesvragen.ontvang(melder_org="school", idempotency_key="a-5", verzoek=adviesvraag())
    assert ander.adviesvraag_id != eerste.adviesvraag_id


def test_same_key_with_another_question_is_refused(adviesvragen: Adviesvragen) -> None:
    adviesvragen.ontvang(melder_org="vt", idempotency_key="a-6", verzoek=adviesvraag())
    with pytest.raises(IdempotencyConflict):
        adviesvragen.ontvang(
            melder_org="vt", idempotency_key="a-6", verzoek=adviesvraag(vraag="Iets anders?")
        )


def test_rejects_an_adviesvraag_received_in_the_future(adviesvragen: Adviesvragen) -> None:
    with pytest.raises(RegelGeschonden, match="ontvangen_op 2019-07-01 lies in the future"):
        adviesvragen.ontvang(
            melder_org="vt",
            idempotency_key="a-7",
            verzoek=adviesvraag(ontvangen_op=date(2019, 7, 1)),
        )


def test_an_adviesvraag_is_not_a_melding_and_a_melding_not_an_adviesvraag(
    adviesvragen: Adviesvragen, intake: IntakeApplication, statussen: MeldingStatussen
) -> None:
    vraag_id = adviesvragen.ontvang(
        melder_org="vt", idempotency_key="a-8", verzoek=adviesvraag()
    ).adviesvraag_id
    zaak_id = intake.meld(melder_org="vt", idempotency_key="m-2", verzoek=verzoek()).zaak_id
    with pytest.raises(AdviesvraagNotFound):
        adviesvragen.get(zaak_id)
    with pytest.raises(AdviesvraagNotFound):
        adviesvragen.get(UUID(int=8))
    with pytest.raises(MeldingNotFound):
        statussen.status(vraag_id)


def test_an_adviesvraag_id_is_not_a_melding_at_intake(
    adviesvragen: Adviesvragen, intake: IntakeApplication
) -> None:
    vraag_id = adviesvragen.ontvang(
        melder_org="vt", idempotency_key="a-9", verzoek=adviesvraag()
    ).adviesvraag_id
    with pytest.raises(MeldingNotFound):
        intake.get_melding(vraag_id)
