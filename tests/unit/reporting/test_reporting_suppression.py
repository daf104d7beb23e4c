"""Small-cell suppression: optional, primary below the threshold, secondary per row."""

from __future__ import annotations

from typing import Any

from services.reporting.figures import (
    jaarcijfers_uit_events,
    onderdruk,
    onderdruk_rij,
    onderdruk_telling,
)

Envelope = dict[str, Any]


def test_suppression_is_off_by_default(envelopes: list[Envelope]) -> None:
    rapport = jaarcijfers_uit_events(envelopes, 2018)
    assert rapport["onderdrukking"] is None
    assert all(isinstance(r["aantal"], int) for t in rapport["tabellen"] for r in t["rijen"])


def test_counts_below_the_threshold_are_shown_as_less_than_five() -> None:
    assert onderdruk({"a": 10, "b": 3, "c": 2, "d": 8}) == {"a": 10, "b": "<5", "c": "<5", "d": 8}


def test_a_single_suppressed_cell_takes_the_next_smallest_cell_with_it() -> None:
    assert onderdruk({"a": 10, "b": 3, "c": 7}) == {"a": 10, "b": "<5", "c": "<5"}


def test_secondary_suppression_prefers_a_non_zero_cell_and_zeros_stay_visible() -> None:
    assert onderdruk({"a": 0, "b": 3, "c": 9, "d": 12}) == {"a": 0, "b": "<5", "c": "<5", "d": 12}


def test_a_zero_is_suppressed_when_it_is_the_only_cell_left_to_protect_with() -> None:
    assert onderdruk({"a": 3, "b": 0}) == {"a": "<5", "b": "<5"}


def test_a_row_of_one_small_cell_hides_its_total() -> None:
    assert onderdruk_rij({"a": 3}, 3) == ({"a": "<5"}, "<5")


def test_the_threshold_is_configurable() -> None:
    assert onderdruk({"a": 10, "b": 9, "c": 20}, drempel=11) == {"a": "<11", "b": "<11", "c": 20}


def test_suppressed_jaarcijfers_never_leave_a_lone_suppressed_cell_in_a_row(
    envelopes: list[Envelope],
) -> None:
    rapport = jaarcijfers_uit_events(envelopes, 2018, onderdrukking_drempel=5)
    assert rapport["onderdrukking"] == {"drempel": 5, "teken": "<5"}
    for tabel in rapport["tabellen"]:
        verborgen = [r for r in tabel["rijen"] if isinstance(r["aantal"], str)]
        assert len(verborgen) != 1 or isinstance(tabel["n"], str), tabel["nummer"]


def test_suppressed_jaarcijfers_2018_tabel_3_hides_both_cells(envelopes: list[Envelope]) -> None:
    # Tabel 3 is published as 5 and 1 (n=6): the 1 is primary, the 5 secondary.
    rapport = jaarcijfers_uit_events(envelopes, 2018, onderdrukking_drempel=5)
    tabel_3 = rapport["tabellen"][2]
    assert [r["aantal"] for r in tabel_3["rijen"]] == ["<5", "<5"]
    assert tabel_3["n"] == 6


def test_a_small_table_total_is_hidden_also_in_its_title(envelopes: list[Envelope]) -> None:
    # Tabel 4 has n=4 (published), which would reveal the suppressed Tabel 1 cell.
    rapport = jaarcijfers_uit_events(envelopes, 2018, onderdrukking_drempel=5)
    tabel_4 = rapport["tabellen"][3]
    assert tabel_4["n"] == "<5"
    assert tabel_4["titel"].endswith("n=<5")
    assert rapport["per_onderwerp"]["huwelijksdwang_en_achterlating"] == "<5"
    assert rapport["vorig_jaar"]["verschil"]["per_onderwerp"]["huwelijksdwang_en_achterlating"] == (
        "<5"
    )


def test_a_count_result_can_be_suppressed_too() -> None:
    telling = {"totaal": 14, "groepen": [{"sleutel": {"jaar": 2018}, "aantal": 12},
                                          {"sleutel": {"jaar": 2019}, "aantal": 2}]}  # fmt: skip
    onderdrukt = onderdruk_telling(telling)
    assert [g["aantal"] for g in onderdrukt["groepen"]] == ["<5", "<5"]
    assert onderdrukt["totaal"] == 14
    assert telling["groepen"][1]["aantal"] == 2  # the input is left alone
