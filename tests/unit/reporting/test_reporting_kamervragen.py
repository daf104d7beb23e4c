"""The parliamentary questions of seeds/000 and seeds/003, answered through statistieken.

Expected numbers are the answers given to parliament (shared/DOMAIN.md); the readings of
"open", "cases at the LKHA" and "minors returned" are documented in deploy/demo/README.md.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

from services.reporting.figures import (
    ZaakStaat,
    aantal,
    consulaire_bijstand_per,
    per,
    statistiek,
    tel,
)

Envelope = dict[str, Any]

MINDERJARIGE_ACHTERLATING = {
    "onderwerp": "achterlating",
    "betrokkene": "minderjarige",
    "uitkomst": "vastgesteld",
    "gemeld_van": "2017-01-01",
    "gemeld_tot": "2019-06-30",
}


@pytest.mark.parametrize("peildatum", [date(2017, 12, 31), date(2018, 11, 13)])
def test_2017_had_38_meldingen_bz_involved_in_35_consular_aid_in_20_of_which_4_huwelijksdwang(
    zaken: Callable[..., list[ZaakStaat]], peildatum: date
) -> None:
    zaken_2017 = zaken(peildatum, jaar=2017)
    assert aantal(zaken_2017) == 38
    assert aantal(zaken_2017, {"bz_betrokken": True}) == 35
    assert aantal(zaken_2017, {"consulaire_bijstand": True}) == 20
    assert per(zaken_2017, "onderwerp", {"consulaire_bijstand": True})["huwelijksdwang"] == 4


def test_three_abandonment_cases_of_minors_were_open_on_31_december_2018(
    zaken: Callable[..., list[ZaakStaat]],
) -> None:
    open_op_31_12 = tel(
        zaken(date(2018, 12, 31)),
        filters={"onderwerp": "achterlating", "betrokkene": "minderjarige", "stage": "open"},
    )
    assert open_op_31_12["totaal"] == 3


def test_of_those_three_one_minor_returned_and_two_families_were_deregistered_untraceable(
    zaken: Callable[..., list[ZaakStaat]],
) -> None:
    open_op_31_12 = [
        z.zaak_id
        for z in zaken(date(2018, 12, 31))
        if (z.onderwerp, z.betrokkene, z.stage) == ("achterlating", "minderjarige", "open")
    ]
    later = zaken(date(2019, 6, 30))
    assert aantal(later, {"zaak_id": open_op_31_12, "teruggekeerd": True}) == 1
    niet_te_vinden = {
        "zaak_id": open_op_31_12,
        "uitkomst": "onbekend",
        "reden": "geen_contactgegevens",
        "brp_ingeschreven": False,
    }
    assert aantal(later, niet_te_vinden) == 2


def test_on_16_june_2019_the_lkha_had_24_cases_10_from_2018_and_14_from_2019(
    envelopes: list[Envelope],
) -> None:
    lopend = statistiek(envelopes, date(2019, 6, 16), ["jaar"], {"stage": ["open", "lopend"]})
    assert lopend["totaal"] == 24
    assert {g["sleutel"]["jaar"]: g["aantal"] for g in lopend["groepen"]} == {2018: 10, 2019: 14}


def test_on_16_june_2019_no_case_concerned_a_minor_of_primary_school_age(
    zaken: Callable[..., list[ZaakStaat]],
) -> None:
    lopend = zaken(date(2019, 6, 16))
    leeftijden = per(
        lopend, "leeftijd", {"stage": ["open", "lopend"], "betrokkene": "minderjarige"}
    )
    assert all(leeftijd is not None and leeftijd >= 13 for leeftijd in leeftijden)


def test_from_2017_to_mid_2019_eleven_cases_of_abandonment_of_minors(
    zaken: Callable[..., list[ZaakStaat]],
) -> None:
    assert aantal(zaken(date(2019, 6, 30)), MINDERJARIGE_ACHTERLATING) == 11


def test_ten_minors_returned_from_ghana_guinea_kenya_somalia_bangladesh_and_russia(
    zaken: Callable[..., list[ZaakStaat]],
) -> None:
    teruggekeerd = per(
        zaken(date(2019, 6, 30)), "land", {**MINDERJARIGE_ACHTERLATING, "teruggekeerd": True}
    )
    assert sum(teruggekeerd.values()) == 10
    assert set(teruggekeerd) == {"GH", "GN", "KE", "SO", "BD", "RU"}


def test_in_one_2017_case_it_was_decided_with_the_minor_not_to_return(
    zaken: Callable[..., list[ZaakStaat]],
) -> None:
    niet_terug = per(
        zaken(date(2019, 6, 30)),
        "jaar",
        {**MINDERJARIGE_ACHTERLATING, "afloop": "niet_teruggekeerd"},
    )
    assert niet_terug == {2017: 1}


def test_the_2019_meldingen_so_far_are_14(envelopes: list[Envelope]) -> None:
    assert statistiek(envelopes, date(2019, 6, 16), ["jaar"], {"jaar": 2019})["totaal"] == 14


def test_provisional_guardianship_brought_minors_back_from_guinea_ghana_kenya_somalia(
    zaken: Callable[..., list[ZaakStaat]],
) -> None:
    # seeds/003, answer 23: five cases with voorlopige voogdij; GN, GH, KE, SO.
    per_land = consulaire_bijstand_per(
        zaken(date(2019, 6, 30)), "land", soorten=["voorlopige_voogdij"]
    )
    assert {r["land"] for r in per_land} == {"GN", "GH", "KE", "SO"}
    assert sum(r["aantal_zaken"] for r in per_land) == 5
