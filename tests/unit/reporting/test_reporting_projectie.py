"""The case projection on hand-made event histories: ordering, tolerance, corrections."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from services.reporting.figures import zaken_as_of

if TYPE_CHECKING:  # the fixture's type only; never import conftest at run time
    from conftest import Bouwer


def test_verification_arriving_before_the_melding_is_folded_in_business_order(
    bouw: Bouwer,
) -> None:
    events = [
        bouw.geverifieerd("z1", "2018-03-10", onderwerp="achterlating"),
        bouw.gemeld("z1", "2018-03-01", recorded_at="2018-03-20T08:00:00+00:00"),
    ]
    [zaak] = zaken_as_of(events, date(2018, 12, 31))
    assert zaak.uitkomst == "vastgesteld"
    assert zaak.stage == "lopend"


def test_a_case_with_only_a_verification_is_not_a_melding_yet(bouw: Bouwer) -> None:
    assert zaken_as_of([bouw.geverifieerd("z1", "2018-03-10")], date(2018, 12, 31)) == []


def test_an_adviesvraag_is_never_a_melding(bouw: Bouwer) -> None:
    vraag = bouw.event(
        "adviesvraag_ontvangen",
        "a1",
        {"ontvangen_op": "2018-02-01", "onderwerp": "achterlating", "melder": None},
        "2018-02-01T09:00:00+00:00",
    )
    assert zaken_as_of([vraag], date(2018, 12, 31)) == []


def test_a_withdrawal_removes_the_melding_for_every_peildatum(bouw: Bouwer) -> None:
    events = [
        bouw.gemeld("z1", "2018-03-01"),
        bouw.stap("ingetrokken", "z1", "2018-05-01", reden="dubbele melding"),
    ]
    assert zaken_as_of(events, date(2018, 4, 1)) == []
    assert len(zaken_as_of(events, date(2018, 4, 1), datetime(2018, 4, 30))) == 1


def test_a_correction_of_gemeld_op_moves_the_melding_to_another_year(bouw: Bouwer) -> None:
    events = [
        bouw.gemeld("z1", "2019-01-02"),
        bouw.stap(
            "gecorrigeerd",
            "z1",
            "2019-01-10",
            wijzigingen={"gemeld_op": "2018-12-28"},
            vorige={"gemeld_op": "2019-01-02"},
            reden="datum van ontvangst verkeerd overgenomen",
        ),
    ]
    [zaak] = zaken_as_of(events, date(2018, 12, 31))
    assert zaak.jaar == 2018
    assert zaak.gecorrigeerd == ("gemeld_op",)


def test_a_betrokkene_correction_merges_into_the_reported_betrokkene(bouw: Bouwer) -> None:
    events = [
        bouw.gemeld("z1", "2018-03-01"),
        bouw.stap(
            "gecorrigeerd",
            "z1",
            "2018-03-05",
            wijzigingen={"betrokkene": {"categorie": "minderjarige", "geboortejaar": 2002}},
            reden="leeftijd",
        ),
    ]
    [zaak] = zaken_as_of(events, date(2018, 12, 31))
    assert (zaak.betrokkene, zaak.geslacht, zaak.geboortejaar, zaak.leeftijd) == (
        "minderjarige",
        "vrouw",
        2002,
        16,
    )


def test_closing_and_reopening_drive_the_stage(bouw: Bouwer) -> None:
    events = [
        bouw.gemeld("z1", "2018-03-01"),
        bouw.geverifieerd("z1", "2018-03-10", uitkomst="onbekend", reden="geen_contactgegevens"),
        bouw.stap("afgesloten", "z1", "2018-04-01", reden="niet te verifiëren"),
        bouw.stap("heropend", "z1", "2018-06-01", reden="nieuwe informatie"),
    ]
    stages = [zaken_as_of(events, date(2018, m, 15))[0].stage for m in (3, 4, 6)]
    assert stages == ["lopend", "afgesloten", "lopend"]
    assert zaken_as_of(events, date(2018, 3, 5))[0].stage == "open"


def test_regieoverleg_without_zaak_id_is_attributed_to_its_cases(bouw: Bouwer) -> None:
    overleg = bouw.event(
        "regieoverleg_gehouden",
        None,
        {"overleg_id": "o1", "datum": "2018-03-05", "deelnemers": ["lkha", "bz"],
         "zaken": [{"zaak_id": "z1", "besluiten": [], "acties": []}, {"zaak_id": "z2"}]},
        "2018-03-05T15:00:00+00:00",
    )  # fmt: skip
    events = [bouw.gemeld("z1", "2018-03-01"), bouw.gemeld("z2", "2018-03-02"), overleg]
    assert [z.regieoverleggen for z in zaken_as_of(events, date(2018, 3, 31))] == [1, 1]


def test_unknown_event_types_and_malformed_envelopes_are_skipped(bouw: Bouwer) -> None:
    events = [
        bouw.gemeld("z1", "2018-03-01"),
        bouw.stap("iets_nieuws", "z1", "2018-03-02"),
        {"event_type": "gemeld", "zaak_id": "z2", "data": {}},  # no recorded_at
        {"recorded_at": "2018-03-01T00:00:00+00:00", "zaak_id": "z3"},  # no event_type
        bouw.event("bijstand_verleend", "z1", {"soort": "noodfonds_uitgave", "datum": "x",
                                               "bedrag_cent": "12.5"}, "2018-03-03T10:00:00Z"),
    ]  # fmt: skip
    [zaak] = zaken_as_of(events, date(2018, 12, 31))
    assert zaak.zaak_id == "z1"
    assert zaak.bijstand[0].datum == date(2018, 3, 3)  # falls back to the recorded date
    assert zaak.noodfonds_cent == 0


def test_naive_registratie_tot_is_taken_as_utc(bouw: Bouwer) -> None:
    events = [bouw.gemeld("z1", "2018-03-01", recorded_at="2018-03-01T10:00:00+01:00")]
    assert zaken_as_of(events, date(2018, 3, 1), datetime(2018, 3, 1, 8, 59)) == []
    assert len(zaken_as_of(events, date(2018, 3, 1), datetime(2018, 3, 1, 9, 0))) == 1


def test_the_published_tables_classify_by_the_meldings_onderwerp_not_the_verified_one(
    bouw: Bouwer,
) -> None:
    events = [
        bouw.gemeld("z1", "2018-03-01", onderwerp="huwelijksdwang"),
        bouw.geverifieerd("z1", "2018-03-10", onderwerp="achterlating"),
    ]
    [zaak] = zaken_as_of(events, date(2018, 12, 31))
    assert (zaak.onderwerp, zaak.onderwerp_vastgesteld) == ("huwelijksdwang", "achterlating")


def test_afloop_and_consular_aid_are_kept_per_case(bouw: Bouwer) -> None:
    events = [
        bouw.gemeld("z1", "2018-03-01"),
        bouw.stap("bijstand_verleend", "z1", "2018-03-12", soort="noodfonds_uitgave",
                  post="Rabat", bedrag_cent=45000, doel="tickets"),
        bouw.stap("afloop_vastgelegd", "z1", "2018-03-20", afloop="teruggekeerd_met_ondersteuning"),
    ]  # fmt: skip
    [zaak] = zaken_as_of(events, date(2018, 12, 31))
    assert zaak.consulaire_bijstand and zaak.teruggekeerd
    assert zaak.noodfonds_cent == 45000
    assert (zaak.afloop_datum, zaak.bijstand[0].post) == (date(2018, 3, 20), "Rabat")
    assert not zaken_as_of(events, date(2018, 3, 11))[0].consulaire_bijstand
