"""Ad-hoc counts, emergency-fund sums and consular aid per post or country."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

import pytest

from services.reporting.figures import (
    ZaakStaat,
    consulaire_bijstand_per,
    criteria_uit_query,
    noodfonds,
    tel,
    zaken_as_of,
)

if TYPE_CHECKING:
    from conftest import Bouwer


@pytest.fixture
def drie_zaken(bouw: Bouwer) -> list[ZaakStaat]:
    events = [
        bouw.gemeld("a", "2018-01-10", land="MA"),
        bouw.stap("bijstand_verleend", "a", "2018-01-20", soort="noodfonds_uitgave",
                  post="Rabat", bedrag_cent=45000, doel="tickets"),
        bouw.stap("bijstand_verleend", "a", "2018-01-21", soort="reisdocument_verstrekt",
                  post="Rabat", document="noodpaspoort"),
        bouw.gemeld("b", "2018-06-10", land="SO", onderwerp="huwelijksdwang"),
        bouw.stap("bijstand_verleend", "b", "2018-06-20", soort="noodfonds_uitgave",
                  post="Nairobi", bedrag_cent=30000, doel="opvang"),
        bouw.stap("bijstand_verleend", "b", "2019-01-05", soort="noodfonds_uitgave",
                  post="Nairobi", bedrag_cent=80000, doel="tickets"),
        bouw.gemeld("c", "2019-02-01", land="KE", bz_betrokken=False),
    ]  # fmt: skip
    return zaken_as_of(events, date(2019, 12, 31))


def test_counts_group_by_several_dimensions_with_unknown_last(
    drie_zaken: list[ZaakStaat],
) -> None:
    telling = tel(drie_zaken, ["jaar", "consulaire_bijstand"])
    assert telling["totaal"] == 3
    assert [(g["sleutel"]["jaar"], g["sleutel"]["consulaire_bijstand"], g["aantal"])
            for g in telling["groepen"]] == [(2018, True, 2), (2019, False, 1)]  # fmt: skip
    assert [g["sleutel"]["afloop"] for g in tel(drie_zaken, ["afloop"])["groepen"]] == [None]


def test_counts_filter_on_values_and_gemeld_op_range(drie_zaken: list[ZaakStaat]) -> None:
    assert tel(drie_zaken, filters={"bz_betrokken": True})["totaal"] == 2
    assert tel(drie_zaken, gemeld_van=date(2018, 6, 10), gemeld_tot=date(2019, 2, 1))["totaal"] == 2
    assert tel(drie_zaken, filters={"niet": {"land": ["MA", "SO"]}})["totaal"] == 1


def test_an_unknown_dimension_is_an_error(drie_zaken: list[ZaakStaat]) -> None:
    with pytest.raises(ValueError, match="landen"):
        tel(drie_zaken, ["landen"])
    with pytest.raises(ValueError, match="landen"):
        tel(drie_zaken, filters={"landen": "MA"})


def test_emergency_fund_use_is_summed_per_purpose_and_per_year(
    drie_zaken: list[ZaakStaat],
) -> None:
    fonds = noodfonds(drie_zaken)
    assert (fonds["aantal_uitgaven"], fonds["aantal_zaken"], fonds["totaal_cent"]) == (3, 2, 155000)
    assert fonds["per_doel"] == {
        "opvang": {"aantal": 1, "totaal_cent": 30000},
        "tickets": {"aantal": 2, "totaal_cent": 125000},
    }
    assert fonds["per_jaar"]["2019"] == {"aantal": 1, "totaal_cent": 80000}
    assert (
        noodfonds(drie_zaken, van=date(2018, 1, 1), tot=date(2018, 12, 31))["totaal_cent"] == 75000
    )


def test_consular_aid_per_post_and_per_country(drie_zaken: list[ZaakStaat]) -> None:
    per_post = consulaire_bijstand_per(drie_zaken, "post")
    assert [(r["post"], r["aantal_zaken"], r["aantal_handelingen"]) for r in per_post] == [
        ("Nairobi", 1, 2),
        ("Rabat", 1, 2),
    ]
    per_land = consulaire_bijstand_per(drie_zaken, "land", {"onderwerp": "achterlating"})
    assert per_land == [
        {"land": "MA", "aantal_zaken": 1, "aantal_handelingen": 2,
         "per_soort": {"noodfonds_uitgave": 1, "reisdocument_verstrekt": 1}},
    ]  # fmt: skip


def test_an_as_of_date_limits_aid_to_what_happened_by_then(bouw: Bouwer) -> None:
    events = [
        bouw.gemeld("a", "2018-01-10"),
        bouw.stap("bijstand_verleend", "a", "2018-03-01", soort="bijstand_gestart", post="Rabat"),
    ]
    assert consulaire_bijstand_per(zaken_as_of(events, date(2018, 2, 1)), "post") == []


def test_query_string_filters_become_typed_criteria() -> None:
    assert criteria_uit_query(
        {"onderwerp": "achterlating,huwelijksdwang", "bz_betrokken": "true", "jaar": ["2018"],
         "afloop": "null", "gemeld_van": "2018-01-01"}
    ) == {
        "onderwerp": ["achterlating", "huwelijksdwang"], "bz_betrokken": [True], "jaar": [2018],
        "afloop": [None], "gemeld_van": "2018-01-01",
    }  # fmt: skip
    with pytest.raises(ValueError, match="peildatum"):
        criteria_uit_query({"peildatum": "2018-12-31"})
    with pytest.raises(ValueError, match="true or false"):
        criteria_uit_query({"bz_betrokken": "ja"})
