"""Lead times: median days from melding to verification and to return, per year."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from services.reporting.figures import doorlooptijden, zaken_as_of

if TYPE_CHECKING:
    from conftest import Bouwer

Envelope = dict[str, Any]


def test_median_days_to_verification_and_to_return_per_year(bouw: Bouwer) -> None:
    events = [
        bouw.gemeld("a", "2018-01-01"),
        bouw.geverifieerd("a", "2018-01-11"),  # 10 days
        bouw.stap("afloop_vastgelegd", "a", "2018-01-31", afloop="teruggekeerd_met_ondersteuning"),
        bouw.gemeld("b", "2018-02-01"),
        bouw.geverifieerd("b", "2018-02-21"),  # 20 days
        bouw.stap("afloop_vastgelegd", "b", "2018-03-23", afloop="teruggekeerd_na_inzet_lkha"),
        bouw.gemeld("c", "2018-03-01"),
        bouw.geverifieerd("c", "2018-04-10"),  # 40 days
        bouw.stap("afloop_vastgelegd", "c", "2018-04-20", afloop="wil_geen_hulp"),  # no return
        bouw.gemeld("d", "2018-04-01"),  # not verified
        bouw.gemeld("e", "2019-01-01"),
        bouw.geverifieerd("e", "2019-01-08"),  # 7 days
    ]
    [j2018, j2019] = doorlooptijden(zaken_as_of(events, date(2019, 12, 31)))
    assert j2018["jaar"] == 2018 and j2018["meldingen"] == 4
    assert j2018["verificatie"]["aantal"] == 3
    assert j2018["verificatie"]["mediaan_dagen"] == 20
    assert j2018["terugkeer"]["aantal"] == 2
    assert j2018["terugkeer"]["mediaan_dagen"] == 40  # median of 30 and 50
    assert j2019["verificatie"]["mediaan_dagen"] == 7
    assert j2019["terugkeer"] == {
        "aantal": 0, "mediaan_dagen": None, "min_dagen": None, "max_dagen": None
    }  # fmt: skip


def test_a_herziening_does_not_reset_the_verification_clock(bouw: Bouwer) -> None:
    events = [
        bouw.gemeld("a", "2018-01-01"),
        bouw.geverifieerd("a", "2018-01-11", uitkomst="onbekend"),
        bouw.geverifieerd("a", "2018-03-01", herziening=True),
    ]
    [jaar] = doorlooptijden(zaken_as_of(events, date(2018, 12, 31)))
    assert jaar["verificatie"]["mediaan_dagen"] == 10


def test_lead_times_can_be_filtered(bouw: Bouwer) -> None:
    events = [
        bouw.gemeld("a", "2018-01-01", onderwerp="huwelijksdwang"),
        bouw.geverifieerd("a", "2018-01-05"),
        bouw.gemeld("b", "2018-01-01"),
        bouw.geverifieerd("b", "2018-01-31"),
    ]
    zaken = zaken_as_of(events, date(2018, 12, 31))
    [jaar] = doorlooptijden(zaken, {"onderwerp": "huwelijksdwang"})
    assert jaar["verificatie"]["mediaan_dagen"] == 4


def test_lead_times_of_the_reference_data_set_cover_every_verified_case(
    envelopes: list[Envelope],
) -> None:
    jaren = doorlooptijden(zaken_as_of(envelopes, date(2018, 12, 31)))
    j2018 = next(j for j in jaren if j["jaar"] == 2018)
    # 57 meldingen 2018, of which 10 open on 31-12-2018 (Tabel 2: 3, Tabel 4: 1, Tabel 5: 6).
    assert j2018["meldingen"] == 57
    assert j2018["verificatie"]["aantal"] == 57 - 10
