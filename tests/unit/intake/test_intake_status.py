"""The status of a melding for its reporting partner: the stage only. In memory."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from uuid import UUID

import pytest

from services.intake.application import IntakeApplication
from services.intake.domain import MeldingNotFound
from services.intake.status import InMemoryStatusStore, MeldingStatussen, Stadium
from shared.context import Actor, current_actor
from tests.unit.intake.fakes import Verificatie, verzoek


def _meld(intake: IntakeApplication, key: str = "melding-0001") -> UUID:
    return intake.meld(melder_org="vt", idempotency_key=key, verzoek=verzoek()).zaak_id


def test_a_new_melding_is_ontvangen(intake: IntakeApplication, statussen: MeldingStatussen) -> None:
    zaak_id = _meld(intake)
    status = statussen.status(zaak_id)
    assert status.stadium == Stadium.ontvangen
    assert status.referentie == intake.get_melding(zaak_id).referentie


def test_an_unknown_melding_has_no_status(statussen: MeldingStatussen) -> None:
    with pytest.raises(MeldingNotFound):
        statussen.status(UUID(int=1))


@pytest.mark.parametrize(
    ("stappen", "verwacht"),
    [
        (["onderzoek_gestart"], Stadium.in_onderzoek),
        (["geverifieerd"], Stadium.in_onderzoek),
        (["onderzoek_gestart", "geverifieerd"], Stadium.in_onderzoek),
        (["onderzoek_gestart", "geverifieerd", "afgesloten"], Stadium.afgerond),
        (["geverifieerd", "afgesloten", "heropend"], Stadium.heropend),
        (["geverifieerd", "afgesloten", "heropend", "geverifieerd"], Stadium.in_onderzoek),
        (["geverifieerd", "nazorg_geregeld"], Stadium.in_onderzoek),
        (["afgesloten"], Stadium.afgerond),
    ],
)
def test_the_stage_follows_verifications_steps(
    intake: IntakeApplication,
    statussen: MeldingStatussen,
    verificatie: Verificatie,
    stappen: list[str],
    verwacht: Stadium,
) -> None:
    zaak_id = _meld(intake)
    for stap in stappen:
        verificatie(zaak_id, stap, datum="2018-04-01")
    assert statussen.status(zaak_id).stadium == verwacht


def test_a_withdrawn_melding_is_ingetrokken_not_afgerond(
    intake: IntakeApplication, statussen: MeldingStatussen, verificatie: Verificatie
) -> None:
    zaak_id = _meld(intake)
    verificatie(zaak_id, "onderzoek_gestart", datum="2018-04-01")
    voor = statussen.status(zaak_id)
    intake.trek_in(zaak_id, reden="dubbel gemeld", datum=date(2018, 4, 2))
    na = statussen.status(zaak_id)
    assert na.stadium == Stadium.ingetrokken
    assert na.etag != voor.etag and na.gewijzigd_op > voor.gewijzigd_op


def test_a_reopened_case_says_heropend_with_a_new_etag_and_time(
    intake: IntakeApplication, statussen: MeldingStatussen, verificatie: Verificatie
) -> None:
    zaak_id = _meld(intake)
    verificatie(zaak_id, "afgesloten", datum="2018-05-01")
    afgerond = statussen.status(zaak_id)
    verificatie(zaak_id, "heropend", datum="2018-06-01")
    heropend = statussen.status(zaak_id)
    assert (afgerond.stadium, heropend.stadium) == (Stadium.afgerond, Stadium.heropend)
    assert heropend.etag != afgerond.etag and heropend.gewijzigd_op >= afgerond.gewijzigd_op


def test_after_erasure_the_status_holds_no_personal_data_and_its_etag_changes(
    intake: IntakeApplication, statussen: MeldingStatussen, store: InMemoryStatusStore
) -> None:
    zaak_id = _meld(intake)
    voor = statussen.status(zaak_id)
    assert voor.heeft_persoonsgegevens
    store.wissingen[str(zaak_id)] = voor.gewijzigd_op + timedelta(days=1)
    na = statussen.status(zaak_id)
    assert not na.heeft_persoonsgegevens
    assert na.etag != voor.etag and na.gewijzigd_op == voor.gewijzigd_op + timedelta(days=1)


def test_a_redelivered_or_republished_event_changes_nothing(
    intake: IntakeApplication,
    statussen: MeldingStatussen,
    verificatie: Verificatie,
    store: InMemoryStatusStore,
) -> None:
    zaak_id = _meld(intake)
    gestart = verificatie(zaak_id, "onderzoek_gestart", datum="2018-04-01")
    verificatie(zaak_id, "afgesloten", datum="2018-05-01")
    verificatie.handler(gestart)  # redelivered: same position
    verificatie.handler(replace(gestart, sequence=9))  # republished: new position, old version
    assert statussen.status(zaak_id).stadium == Stadium.afgerond
    assert store.positions["stream:VERIFICATION"] == 9


def test_events_of_other_types_are_skipped_but_their_position_is_kept(
    intake: IntakeApplication,
    statussen: MeldingStatussen,
    verificatie: Verificatie,
    store: InMemoryStatusStore,
) -> None:
    zaak_id = _meld(intake)
    verificatie(zaak_id, "regieoverleg_gehouden", datum="2018-04-01")
    verificatie(zaak_id, "iets_nieuws")
    assert statussen.status(zaak_id).stadium == Stadium.ontvangen
    assert store.positions["stream:VERIFICATION"] == 2 and store.stappen == {}


def test_the_reporting_org_is_known_for_the_authorisation_check(
    intake: IntakeApplication, statussen: MeldingStatussen
) -> None:
    token = current_actor.set(Actor(org="veilig_thuis_utrecht", rol="melder", user="a.b"))
    try:
        zaak_id = _meld(intake)
    finally:
        current_actor.reset(token)
    gemeld_door = statussen.gemeld_door_org
    assert gemeld_door(intake.get_melding(zaak_id)) == "veilig_thuis_utrecht"
    anoniem = _meld(intake, "melding-0002")
    assert gemeld_door(intake.get_melding(anoniem)) is None
