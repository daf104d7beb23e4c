"""One case's history folds as of any date, remembers its folds, and forgets them when it grows."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from services.reporting.figures import (
    Zaakhistorie,
    aantal,
    historie_per_zaak,
    parse_envelope,
    staten,
    zaken_as_of,
)
from tests.unit.reporting.conftest import Bouwer

Envelope = dict[str, Any]


def _historie(*envelopes: Envelope) -> Zaakhistorie:
    zaak = Zaakhistorie("z1")
    for envelope in envelopes:
        event = parse_envelope(envelope)
        assert event is not None
        zaak.voeg_toe(event)
    return zaak


def test_a_case_is_open_before_its_verification_and_verified_after(bouw: Bouwer) -> None:
    zaak = _historie(bouw.gemeld("z1", "2018-03-01"), bouw.geverifieerd("z1", "2018-04-01"))
    voor = zaak.staat(date(2018, 3, 31))
    na = zaak.staat(date(2018, 4, 1))
    assert voor is not None and voor.uitkomst == "open"
    assert na is not None and na.uitkomst == "vastgesteld"
    assert zaak.staat(date(2018, 2, 28)) is None


def test_an_event_added_after_a_fold_is_seen_by_the_next_fold(bouw: Bouwer) -> None:
    zaak = _historie(bouw.gemeld("z1", "2018-03-01"))
    eerst = zaak.staat(date(2018, 12, 31))
    assert eerst is not None and eerst.uitkomst == "open"
    event = parse_envelope(bouw.geverifieerd("z1", "2018-04-01", uitkomst="onbekend"))
    assert event is not None
    assert zaak.voeg_toe(event) is True
    assert zaak.voeg_toe(event) is False
    daarna = zaak.staat(date(2018, 12, 31))
    assert daarna is not None and daarna.uitkomst == "onbekend"
    assert len(zaak) == 2


def test_registratie_tot_leaves_out_a_verification_recorded_later(bouw: Bouwer) -> None:
    zaak = _historie(
        bouw.gemeld("z1", "2018-12-01"),
        bouw.geverifieerd("z1", "2018-12-19", recorded_at="2019-01-09T10:00:00+00:00"),
    )
    toen = zaak.staat(date(2018, 12, 31), datetime(2019, 1, 1, tzinfo=UTC))
    nu = zaak.staat(date(2018, 12, 31))
    assert toen is not None and toen.uitkomst == "open"
    assert nu is not None and nu.uitkomst == "vastgesteld"
    later = zaak.staat(date(2018, 12, 31), datetime(2019, 2, 1, tzinfo=UTC))
    assert later == nu


def test_a_melding_recorded_later_is_no_melding_before_it_was_recorded(bouw: Bouwer) -> None:
    zaak = _historie(bouw.gemeld("z1", "2018-12-27", recorded_at="2019-01-03T09:30:00+00:00"))
    assert zaak.staat(date(2018, 12, 31), datetime(2019, 1, 1, tzinfo=UTC)) is None
    assert zaak.staat(date(2018, 12, 31)) is not None


def test_staten_over_kept_histories_equal_zaken_as_of(envelopes: list[Envelope]) -> None:
    historie = historie_per_zaak(envelopes).values()
    for peildatum in (date(2017, 12, 31), date(2018, 12, 31), date(2019, 6, 30)):
        for grens in (None, datetime(2019, 1, 15, tzinfo=UTC)):
            assert staten(historie, peildatum, grens) == zaken_as_of(envelopes, peildatum, grens)


def test_open_op_selects_the_cases_unverified_on_that_date_asked_later(bouw: Bouwer) -> None:
    envelopes = [
        bouw.gemeld("a", "2018-11-01"),
        bouw.geverifieerd("a", "2019-02-01"),
        bouw.gemeld("b", "2018-11-02"),
        bouw.geverifieerd("b", "2018-12-01"),
        bouw.gemeld("c", "2018-11-03"),
        bouw.gemeld("d", "2019-01-05"),
    ]
    later = zaken_as_of(envelopes, date(2019, 6, 30))
    assert aantal(later, {"open_op": "2018-12-31"}) == 2
    assert aantal(later, {"open_op": "2018-12-31", "uitkomst": "vastgesteld"}) == 1


def test_two_producers_may_use_the_same_event_id_and_both_count(bouw: Bouwer) -> None:
    # Verification and consular number their own aggregate of the case: "<zaak_id>:2" twice.
    afsluiting = bouw.stap("afgesloten", "z1", "2018-05-01", reden="teruggekeerd")
    afloop = bouw.stap("afloop_vastgelegd", "z1", "2018-04-20", afloop="wil_geen_hulp")
    afsluiting["event_id"] = afloop["event_id"] = "z1:2"
    zaken = zaken_as_of(
        [
            bouw.gemeld("z1", "2018-03-01"),
            bouw.geverifieerd("z1", "2018-04-01"),
            afloop,
            afsluiting,
        ],
        date(2018, 12, 31),
    )
    assert zaken[0].afloop == "wil_geen_hulp"
    assert zaken[0].stage == "afgesloten"
