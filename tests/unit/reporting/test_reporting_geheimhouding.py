"""Disclosure control in the reporting core (figures/geheimhouding.py, figures/bescherming.py):
the properties every published row has, whatever the counts."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.reporting.figures import zaken_as_of
from services.reporting.figures.bescherming import (
    beschermd_noodfonds,
    beschermde_doorlooptijden,
    beschermde_telling,
)
from services.reporting.figures.geheimhouding import (
    MAX_RUIS,
    Geheimhouding,
    grof_criteria,
    grof_moment,
    grof_peildatum,
    leeftijdsklasse,
    maak_grof,
)

GH = Geheimhouding(b"een sleutel voor de tests, lang genoeg")
T = GH.drempel

cellen = st.lists(st.tuples(st.integers(0, 40), st.integers(0, 2**64 - 1)), min_size=1, max_size=8)


@settings(max_examples=500)
@given(cellen, st.integers(0, 2**64 - 1))
def test_a_published_row_never_shows_or_gives_away_a_small_cell(
    rij: list[tuple[int, int]], totaalsleutel: int
) -> None:
    totaal = sum(a for a, _ in rij)
    getoond, som = GH.rij(rij, (totaal, totaalsleutel))
    for (aantal, _), waarde in zip(rij, getoond, strict=True):
        if isinstance(waarde, int):
            assert waarde == 0 or waarde >= T, "a shown count is 0 or at least the drempel"
            assert (waarde == 0) == (aantal == 0)
            assert abs(waarde - aantal) <= MAX_RUIS or waarde == T
        else:
            assert waarde == "<5"
        if 0 < aantal < T:
            assert waarde == "<5", "every small cell is suppressed, never shown as 0"
    verborgen = [a for (a, _), w in zip(rij, getoond, strict=True) if isinstance(w, str)]
    if verborgen and not isinstance(som, str):
        # With the total shown, suppressed cells come two or more at a time and hold at
        # least the drempel together: total minus the rest never isolates a small cell.
        assert len(verborgen) >= 2 and sum(verborgen) >= T


@given(st.lists(st.text(min_size=1, max_size=8), min_size=1, max_size=20, unique=True))
def test_the_same_cases_get_the_same_noise_in_every_question(namen: list[str]) -> None:
    eerste = GH.handelingsleutel(namen)
    assert GH.handelingsleutel(list(reversed(namen))) == eerste
    assert GH.verstoor(len(namen) + 10, eerste) == GH.verstoor(len(namen) + 10, eerste)


def test_the_noise_is_spread_as_the_perturbation_table_says() -> None:
    ruis = [GH.ruis(GH.handelingsleutel([f"zaak-{i}"])) for i in range(20_000)]
    aandeel = {d: ruis.count(d) / len(ruis) for d in range(-2, 3)}
    assert abs(aandeel[0] - 0.4) < 0.02 and abs(aandeel[2] - 0.1) < 0.02
    assert abs(sum(ruis) / len(ruis)) < 0.05, "mean zero: no bias in totals"


def test_another_key_gives_other_noise() -> None:
    ander = Geheimhouding(b"een andere sleutel, ook lang genoeg")
    namen = [[f"zaak-{i}"] for i in range(200)]
    assert [GH.handelingsleutel(n) for n in namen] != [ander.handelingsleutel(n) for n in namen]


def test_dates_are_coarsened_to_months_and_ages_to_bands() -> None:
    assert grof_peildatum(date(2019, 6, 16)) == date(2019, 5, 31)
    assert grof_peildatum(date(2019, 6, 30)) == date(2019, 6, 30)
    assert grof_peildatum(date(2020, 3, 1)) == date(2020, 2, 29)
    assert grof_moment(datetime(2019, 1, 15, 12, tzinfo=UTC)) == datetime(2019, 1, 1, tzinfo=UTC)
    assert grof_criteria(
        {"gemeld_van": "2018-03-14", "gemeld_tot": "2018-03-14", "leeftijd": [16, 17, 40]}
    ) == {
        "gemeld_van": "2018-03-01",
        "gemeld_tot": "2018-03-31",
        "leeftijdsklasse": ["12-17", "30+"],
    }
    assert [leeftijdsklasse(a) for a in (0, 11, 12, 17, 18, 22, 23, 29, 30, 80, None)] == [
        "0-11", "0-11", "12-17", "12-17", "18-22", "18-22", "23-29", "23-29", "30+", "30+", None
    ]  # fmt: skip
    vraag = maak_grof(GH, peildatum=date(2019, 6, 16), groepeer=["leeftijd", "geslacht"])
    assert vraag.groepeer == ["leeftijdsklasse", "geslacht"]
    assert any("peildatum" in n for n in vraag.geheimhouding.grofheid)


def test_an_amount_is_shown_only_over_enough_cases_none_dominating() -> None:
    assert GH.bedrag({"a": 50_000, "b": 40_000}, 0) == "<5"
    assert GH.bedrag({f"z{i}": 10_000 for i in range(4)}, 0) == "<5"
    dominant = {"a": 1_000_000, "b": 10_000, "c": 10_000, "d": 10_000, "e": 10_000}
    assert GH.bedrag(dominant, 0) == "<5"
    gespreid = {f"z{i}": 20_000 + 1_000 * i for i in range(6)}
    getoond = GH.bedrag(gespreid, 2**63)
    assert isinstance(getoond, int) and getoond % 100 == 0
    assert abs(getoond - sum(gespreid.values())) <= 2 * 0.25 * 25_000 + 50


def test_group_by_fine_dimensions_shows_no_small_cell(envelopes: list[dict[str, object]]) -> None:
    zaken = zaken_as_of(envelopes, date(2019, 12, 31))
    telling = beschermde_telling(
        zaken, ["leeftijdsklasse", "geslacht", "melder", "uitkomst", "land"], None, GH
    )
    waarden = [g["aantal"] for g in telling["groepen"]]
    assert waarden and all(w == "<5" or (isinstance(w, int) and w >= T) for w in waarden)
    assert "<5" in waarden


def test_lead_times_give_no_minimum_or_maximum_and_no_median_of_few(
    envelopes: list[dict[str, object]],
) -> None:
    zaken = zaken_as_of(envelopes, date(2019, 12, 31))
    for regel in beschermde_doorlooptijden(zaken, None, GH):
        for soort in ("verificatie", "terugkeer"):
            samenvatting = regel[soort]
            assert samenvatting["min_dagen"] is None and samenvatting["max_dagen"] is None
            if samenvatting["aantal"] == "<5":
                assert samenvatting["mediaan_dagen"] is None


def test_emergency_fund_totals_of_one_month_with_few_cases_are_suppressed(
    envelopes: list[dict[str, object]],
) -> None:
    zaken = zaken_as_of(envelopes, date(2019, 12, 31))
    maand = beschermd_noodfonds(zaken, None, GH, van=date(2018, 4, 1), tot=date(2018, 4, 30))
    assert maand["aantal_zaken"] == "<5" and maand["totaal_cent"] == "<5"
    assert all(b["totaal_cent"] == "<5" for b in maand["per_doel"].values())


def test_the_noise_of_an_amount_follows_the_payments_not_only_the_cases(
    envelopes: list[dict[str, object]], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Two periods with the same cases but more payments in the second: had the noise been
    # chosen by the cases alone, it would be the same twice and the difference of the two
    # totals would be the payments in between, exactly.
    zaken = zaken_as_of(envelopes, date(2019, 12, 31))
    sleutels: list[int] = []
    echt = Geheimhouding.bedrag

    def bedrag(self: Geheimhouding, per_zaak: dict[str, int], sleutel: int) -> int | str:
        sleutels.append(sleutel)
        return echt(self, per_zaak, sleutel)

    monkeypatch.setattr(Geheimhouding, "bedrag", bedrag)
    vroeg = beschermd_noodfonds(zaken, None, GH, van=date(2017, 1, 1), tot=date(2019, 12, 31))
    sleutels_vroeg = list(sleutels)
    sleutels.clear()
    met_een = [
        dataclasses.replace(z, bijstand=(*z.bijstand, dataclasses.replace(z.bijstand[-1])))
        if z.zaak_id == next(z.zaak_id for z in zaken if z.noodfonds_cent)
        else z
        for z in zaken
    ]
    laat = beschermd_noodfonds(met_een, None, GH, van=date(2017, 1, 1), tot=date(2019, 12, 31))
    assert vroeg["aantal_zaken"] == laat["aantal_zaken"]
    assert sleutels[0] != sleutels_vroeg[0], "one payment more: other noise"
