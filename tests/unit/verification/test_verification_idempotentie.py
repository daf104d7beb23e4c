"""Retries and concurrent changes: Idempotency-Key and If-Match on every command."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

import pytest
from eventsourcing.persistence import Tracking

from services.verification.application import VerificationApplication
from services.verification.domain import IdempotencyConflict, VersieConflict, Zaak
from services.verification.teksten import Teksten
from shared.crypto import InMemoryCaseKeys
from tests.unit.verification.conftest import GEMELD_OP, VANDAAG


def test_a_retry_with_the_same_key_returns_the_first_answer_and_stores_nothing(
    app: VerificationApplication, zaak: UUID
) -> None:
    def verifieer() -> Any:
        return app.verifieer(
            zaak, uitkomst="vastgesteld", besloten_op=date(2018, 5, 1), sleutel="verificatie-1"
        )

    eerste = verifieer()
    opgeslagen = app.recorder.max_notification_id()
    herhaald = verifieer()
    assert eerste.nieuw and not herhaald.nieuw
    assert herhaald.waarde.version == eerste.waarde.version == 2
    assert herhaald.waarde.verificaties == eerste.waarde.verificaties
    assert app.recorder.max_notification_id() == opgeslagen


def test_a_retry_gets_the_first_answer_even_after_later_changes(
    app: VerificationApplication, zaak: UUID
) -> None:
    app.start_onderzoek(zaak, datum=date(2018, 3, 16), sleutel="onderzoek-1", verwachte_versie=1)
    app.verifieer(zaak, uitkomst="vastgesteld", besloten_op=date(2018, 5, 1))
    # The retry still carries its old If-Match: it is a retry, not a stale change.
    herhaald = app.start_onderzoek(
        zaak, datum=date(2018, 3, 16), sleutel="onderzoek-1", verwachte_versie=1
    )
    assert not herhaald.nieuw
    assert herhaald.waarde.version == 2
    assert herhaald.waarde.verificaties == []


def test_the_same_key_with_another_request_is_refused(
    app: VerificationApplication, zaak: UUID
) -> None:
    app.sluit_af(zaak, reden="doorverwezen", datum=date(2018, 6, 1), sleutel="sluiting-1")
    with pytest.raises(IdempotencyConflict):
        app.sluit_af(zaak, reden="wil_geen_hulp", datum=date(2018, 6, 1), sleutel="sluiting-1")
    with pytest.raises(IdempotencyConflict):
        app.heropen(zaak, reden="overig", datum=date(2018, 6, 1), sleutel="sluiting-1")


def test_the_key_is_kept_in_the_stored_event(app: VerificationApplication, zaak: UUID) -> None:
    app.regel_nazorg(zaak, datum=date(2018, 9, 10), omschrijving="Opvang", sleutel="nazorg-1")
    laatste = app.recorder.select_notifications(1, 10)[-1]
    event = app.mapper.to_domain_event(laatste)
    assert isinstance(event, Zaak.NazorgGeregeld)
    assert event.sleutel == "nazorg-1"


def test_a_stale_if_match_is_refused(app: VerificationApplication, zaak: UUID) -> None:
    app.start_onderzoek(zaak, datum=date(2018, 3, 16), verwachte_versie=1)
    with pytest.raises(VersieConflict, match="versie 2, not 1"):
        app.verifieer(
            zaak, uitkomst="vastgesteld", besloten_op=date(2018, 5, 1), verwachte_versie=1
        )
    assert app.get_zaak(zaak).version == 2


class RacingApplication(VerificationApplication):
    """Another request saves its change to the case just before this one does."""

    def __init__(self, ander: Any) -> None:
        super().__init__(teksten=Teksten(InMemoryCaseKeys()), vandaag=lambda: VANDAAG)
        self.ander = ander

    def save(self, *objs: Any, **kwargs: Any) -> Any:
        if self.ander is not None:
            ander, self.ander = self.ander, None
            ander(self)
        return super().save(*objs, **kwargs)


def _racing(ander: Any) -> tuple[RacingApplication, UUID]:
    app = RacingApplication(ander=None)
    zaak = UUID(int=1)
    app.ontvang_melding(
        zaak,
        1,
        {
            "referentie": "LKHA-2018-0001",
            "gemeld_op": GEMELD_OP,
            "onderwerp": "achterlating",
            "land": "MA",
        },
        Tracking("stream:INTAKE", 1),
    )
    app.ander = ander
    return app, zaak


def test_a_concurrent_change_is_seen_and_the_command_applied_on_top() -> None:
    app, zaak = _racing(
        lambda a: a.regel_nazorg(UUID(int=1), datum=date(2018, 4, 1), omschrijving="Opvang")
    )
    uitslag = app.verifieer(zaak, uitkomst="vastgesteld", besloten_op=date(2018, 5, 1))
    assert uitslag.nieuw and uitslag.waarde.version == 3
    assert len(app.get_zaak(zaak).nazorg) == 1


def test_a_concurrent_change_with_if_match_is_a_stale_version() -> None:
    app, zaak = _racing(
        lambda a: a.regel_nazorg(UUID(int=1), datum=date(2018, 4, 1), omschrijving="Opvang")
    )
    with pytest.raises(VersieConflict):
        app.verifieer(
            zaak, uitkomst="vastgesteld", besloten_op=date(2018, 5, 1), verwachte_versie=1
        )
    assert app.get_zaak(zaak).verificaties == []


def test_a_retry_racing_its_own_first_request_gets_the_first_answer() -> None:
    def eerste(a: VerificationApplication) -> None:
        a.start_onderzoek(UUID(int=1), datum=date(2018, 3, 16), sleutel="onderzoek-1")

    app, zaak = _racing(eerste)
    uitslag = app.start_onderzoek(zaak, datum=date(2018, 3, 16), sleutel="onderzoek-1")
    assert not uitslag.nieuw
    assert app.get_zaak(zaak).version == 2
