"""Consular learns from intake and verification: in any order across streams, each once."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from services.consular.application import ConsularApplication
from services.consular.domain import Wachtrij, wachtrij_id
from tests.unit.consular.fakes import ZAAK, Stromen


def test_a_melding_opens_the_case_with_its_classification(
    app: ConsularApplication, stromen: Stromen
) -> None:
    stromen.melding()
    zaak = app.get_zaak(ZAAK)
    assert (zaak.referentie, zaak.gemeld_op) == ("LKHA-2018-0001", date(2018, 3, 14))
    assert zaak.betrokkene["categorie"] == "minderjarige" and zaak.land == "MA"
    assert zaak.verificatiestand == "niet_gestart" and zaak.uitkomst is None


def test_follows_verification_through_its_stages(
    app: ConsularApplication, stromen: Stromen
) -> None:
    stromen.melding()
    stromen.verification("onderzoek_gestart", {"datum": "2018-03-15"})
    assert app.get_zaak(ZAAK).verificatiestand == "in_onderzoek"
    stromen.geverifieerd("vastgesteld", onderwerp="huwelijksdwang")
    zaak = app.get_zaak(ZAAK)
    assert zaak.verificatiestand == "geverifieerd"
    assert (zaak.uitkomst, zaak.onderwerp_vastgesteld) == ("vastgesteld", "huwelijksdwang")
    stromen.verification("afgesloten", {"reden": "teruggekeerd", "datum": "2018-06-01"})
    assert app.get_zaak(ZAAK).afgesloten_op == date(2018, 6, 1)
    stromen.verification("heropend", {"reden": "overig", "datum": "2018-07-01"})
    assert app.get_zaak(ZAAK).verificatiestand == "geverifieerd"


def test_verification_before_the_melding_is_kept_and_applied_when_it_arrives(
    app: ConsularApplication, stromen: Stromen
) -> None:
    stromen.verification("onderzoek_gestart", {"datum": "2018-03-15"})
    stromen.geverifieerd("vastgesteld")
    wachtrij = app.repository.get(wachtrij_id(ZAAK))
    assert isinstance(wachtrij, Wachtrij) and len(wachtrij.feiten) == 2
    stromen.melding()
    zaak = app.get_zaak(ZAAK)
    assert zaak.onderzoek_gestart_op == date(2018, 3, 15)
    assert zaak.uitkomst == "vastgesteld" and zaak.verificatie_versie == 2
    assert app.repository.get(wachtrij_id(ZAAK)).overgedragen
    # later steps go straight to the case
    stromen.verification("afgesloten", {"reden": "overig", "datum": "2018-06-01"})
    assert app.get_zaak(ZAAK).verificatiestand == "afgesloten"
    assert len(app.repository.get(wachtrij_id(ZAAK)).feiten) == 2


def test_a_redelivered_message_changes_nothing(app: ConsularApplication, stromen: Stromen) -> None:
    melding = stromen.melding()
    stap = stromen.geverifieerd()
    stored = app.recorder.max_notification_id()
    stromen.deliver(melding)
    stromen.deliver(stap)
    assert app.get_zaak(ZAAK).version == 2
    assert app.recorder.max_notification_id() == stored


def test_an_event_republished_after_the_duplicate_window_is_applied_once(
    app: ConsularApplication, stromen: Stromen
) -> None:
    stromen.melding()
    stap = stromen.geverifieerd()
    stromen.verification("afgesloten", {"reden": "overig", "datum": "2018-06-01"})
    stromen.republish(stap)  # a new stream position: its version says it is old news
    zaak = app.get_zaak(ZAAK)
    assert zaak.version == 3 and zaak.verificatiestand == "afgesloten"
    assert app.tracking_recorder.max_tracking_id("stream:VERIFICATION") == 3


def test_early_news_republished_is_kept_once(app: ConsularApplication, stromen: Stromen) -> None:
    stap = stromen.geverifieerd()
    stromen.republish(stap)
    stromen.melding()
    assert app.get_zaak(ZAAK).version == 2


def test_unknown_event_types_are_skipped_but_their_position_is_kept(
    app: ConsularApplication, stromen: Stromen
) -> None:
    stromen.melding()
    stromen.verification("nazorg_geregeld", {"datum": "2018-06-01", "omschrijving": "x"})
    stromen.verification("iets_nieuws", {})
    stromen.intake("adviesvraag_ontvangen", {"ontvangen_op": "2018-03-01"}, UUID(int=9))
    assert app.get_zaak(ZAAK).version == 1
    assert app.tracking_recorder.max_tracking_id("stream:VERIFICATION") == 2
    assert app.tracking_recorder.max_tracking_id("stream:INTAKE") == 2


def test_events_without_the_fields_needed_are_skipped(
    app: ConsularApplication, stromen: Stromen
) -> None:
    stromen.intake("gemeld", {"referentie": "LKHA-2018-0001"})
    stromen.verification("geverifieerd", {"uitkomst": "vastgesteld"}, UUID(int=5))
    stromen.verification("afgesloten", {"datum": "gisteren"}, UUID(int=5))
    assert app.recorder.max_notification_id() is None
    assert app.tracking_recorder.max_tracking_id("stream:INTAKE") == 1
    assert app.tracking_recorder.max_tracking_id("stream:VERIFICATION") == 2


def test_mirrors_intakes_corrections_and_withdrawal_once(
    app: ConsularApplication, stromen: Stromen
) -> None:
    stromen.melding()
    correctie = stromen.intake(
        "gecorrigeerd",
        {"wijzigingen": {"land": "PK", "gemeld_op": "2018-03-10"}, "datum": "2018-03-20"},
    )
    stromen.republish(correctie)
    stromen.intake("ingetrokken", {"datum": "2018-03-21"})
    zaak = app.get_zaak(ZAAK)
    assert (zaak.land, zaak.gemeld_op, zaak.ingetrokken) == ("PK", date(2018, 3, 10), True)
    assert zaak.version == 3
