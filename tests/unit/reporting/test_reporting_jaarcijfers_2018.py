"""The published LKHA jaarcijfers 2018 (shared/DOMAIN.md, seeds/002), reproduced from events.

Every expected number below is copied from the published report, never computed.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest

from services.reporting.figures import jaarcijfers_uit_events

Envelope = dict[str, Any]

PUBLISHED_TABLES = {
    1: ("Overzicht meldingen 2018", 57, [
        ("huwelijksdwang", 10),
        ("huwelijksdwang en achterlating", 4),
        ("achterlating", 39),
        ("huiselijk geweld buitenland", 4),
    ]),
    2: ("Uitkomsten verificatie huwelijksdwang n=10", 10, [
        ("ja", 6),
        ("Onbekend", 1),
        ("Open", 3),
    ]),
    3: ("Resultaten ja huwelijksdwang n=6", 6, [
        ("terug in Nederland", 5),
        ("wil geen hulp", 1),
    ]),
    4: ("Uitkomsten verificatie huwelijksdwang en achterlating n=4", 4, [
        ("geen huwelijksdwang/achterlating", 2),
        ("geen recht op verblijf", 1),
        ("Open", 1),
    ]),
    5: ("Uitkomsten verificatie achterlating n=39", 39, [
        ("achterlating", 11),
        ("achterlating na inzet LKHA toestemming terugkeren", 4),
        ("geen achterlating", 11),
        ("zelf teruggekeerd", 1),
        ("onbekend", 6),
        ("open", 6),
    ]),
    6: ("Uitkomsten ja achterlating n=11", 15, [
        ("terug in Nederland met ondersteuning LKHA", 11),
        ("teruggekeerd na inzet van LKHA", 4),
    ]),
    7: ("Uitkomsten nee achterlating n=11", 11, [
        ("overdracht aan hulpverlening", 2),
        ("internationale kinderontvoering", 2),
        ("bemiddeling", 1),
        ("verhuizing", 5),
        ("scheiding", 1),
    ]),
    8: ("Achterlating niet kunnen verifiëren of geen hulp kunnen bieden bij terugkeer n=6", 6, [
        ("geen contactgegevens kunnen achterhalen", 3),
        ("geen recht op verblijf in Nederland", 3),
    ]),
}  # fmt: skip


@pytest.fixture(scope="module")
def rapport(envelopes: list[Envelope]) -> dict[str, Any]:
    return jaarcijfers_uit_events(envelopes, 2018)


def tabel(rapport: dict[str, Any], nummer: int) -> dict[str, Any]:
    return next(t for t in rapport["tabellen"] if t["nummer"] == nummer)


def rijen(rapport: dict[str, Any], nummer: int) -> list[tuple[str, int]]:
    return [(r["label"], r["aantal"]) for r in tabel(rapport, nummer)["rijen"]]


def test_the_report_is_as_of_31_december_2018_by_default(rapport: dict[str, Any]) -> None:
    assert rapport["jaar"] == 2018
    assert rapport["peildatum"] == "2018-12-31"
    assert rapport["registratie_tot"] is None
    assert rapport["definitie"] == 2018


def test_57_meldingen_in_2018(rapport: dict[str, Any]) -> None:
    assert rapport["totaal"] == 57


def test_meldingen_per_onderwerp_2018(rapport: dict[str, Any]) -> None:
    assert rapport["per_onderwerp"] == {
        "huwelijksdwang": 10,
        "huwelijksdwang_en_achterlating": 4,
        "achterlating": 39,
        "huiselijk_geweld_buitenland": 4,
    }


def test_2017_had_38_meldingen_4_0_30_4(rapport: dict[str, Any]) -> None:
    vorig = rapport["vorig_jaar"]
    assert vorig["jaar"] == 2017
    assert vorig["peildatum"] == "2017-12-31"
    assert vorig["totaal"] == 38
    assert vorig["per_onderwerp"] == {
        "huwelijksdwang": 4,
        "huwelijksdwang_en_achterlating": 0,
        "achterlating": 30,
        "huiselijk_geweld_buitenland": 4,
    }


def test_19_more_than_2017_with_6_more_huwelijksdwang_9_more_achterlating(
    rapport: dict[str, Any],
) -> None:
    verschil = rapport["vorig_jaar"]["verschil"]
    assert verschil["totaal"] == 19
    assert verschil["per_onderwerp"] == {
        "huwelijksdwang": 6,
        "huwelijksdwang_en_achterlating": 4,
        "achterlating": 9,
        "huiselijk_geweld_buitenland": 0,
    }


PUBLISHED_PER_BETROKKENE = {
    # 16 meldingen of minors
    "minderjarige": (16, {"huwelijksdwang": 4, "huwelijksdwang_en_achterlating": 0,
                          "achterlating": 11, "huiselijk_geweld_buitenland": 1}),
    # 27 meldingen of adults
    "volwassene": (27, {"huwelijksdwang": 6, "huwelijksdwang_en_achterlating": 3,
                        "achterlating": 17, "huiselijk_geweld_buitenland": 1}),
    # 14 meldingen of a mother with minor children
    "moeder_met_minderjarige_kinderen": (14, {"huwelijksdwang": 0,
                                              "huwelijksdwang_en_achterlating": 1,
                                              "achterlating": 11,
                                              "huiselijk_geweld_buitenland": 2}),
}  # fmt: skip


@pytest.mark.parametrize("betrokkene", sorted(PUBLISHED_PER_BETROKKENE))
def test_meldingen_per_betrokkene_as_published(rapport: dict[str, Any], betrokkene: str) -> None:
    totaal, per_onderwerp = PUBLISHED_PER_BETROKKENE[betrokkene]
    regel = rapport["per_betrokkene"][betrokkene]
    assert regel["totaal"] == totaal
    assert regel["per_onderwerp"] == per_onderwerp


@pytest.mark.parametrize("nummer", sorted(PUBLISHED_TABLES))
def test_every_published_table_is_reproduced_exactly(rapport: dict[str, Any], nummer: int) -> None:
    titel, n, verwacht = PUBLISHED_TABLES[nummer]
    assert tabel(rapport, nummer)["titel"] == titel
    assert tabel(rapport, nummer)["n"] == n
    assert rijen(rapport, nummer) == verwacht
    assert tabel(rapport, nummer)["niet_ingedeeld"] == 0


def test_the_report_has_exactly_the_eight_published_tables(rapport: dict[str, Any]) -> None:
    assert [t["nummer"] for t in rapport["tabellen"]] == [1, 2, 3, 4, 5, 6, 7, 8]


def test_tabel_5_folds_geen_verblijfsrecht_into_onbekend(rapport: dict[str, Any]) -> None:
    onbekend_5 = dict(rijen(rapport, 5))["onbekend"]
    tabel_8 = dict(rijen(rapport, 8))
    assert onbekend_5 == 6
    assert tabel_8["geen contactgegevens kunnen achterhalen"] == 3
    assert tabel_8["geen recht op verblijf in Nederland"] == 3


def test_tabel_4_keeps_geen_verblijfsrecht_apart(rapport: dict[str, Any]) -> None:
    assert dict(rijen(rapport, 4))["geen recht op verblijf"] == 1


def test_tabel_5_splits_vastgesteld_by_return_after_lkha_intervention(
    rapport: dict[str, Any],
) -> None:
    tabel_5 = dict(rijen(rapport, 5))
    assert tabel_5["achterlating"] == 11
    assert tabel_5["achterlating na inzet LKHA toestemming terugkeren"] == 4
    assert dict(rijen(rapport, 6)) == {
        "terug in Nederland met ondersteuning LKHA": 11,
        "teruggekeerd na inzet van LKHA": 4,
    }


def test_tabel_6_keeps_the_published_title_n_11_but_computes_n_15(
    rapport: dict[str, Any],
) -> None:
    assert tabel(rapport, 6)["titel"].endswith("n=11")
    assert tabel(rapport, 6)["n"] == 15


def test_report_is_json_ready(rapport: dict[str, Any]) -> None:
    assert json.loads(json.dumps(rapport)) == rapport


def test_report_for_31_december_does_not_depend_on_2019_meldingen(
    envelopes: list[Envelope],
) -> None:
    zonder_2019 = [
        e
        for e in envelopes
        if not (e["event_type"] == "gemeld" and e["data"]["gemeld_op"].startswith("2019"))
    ]
    assert jaarcijfers_uit_events(zonder_2019, 2018, peildatum=date(2018, 12, 31))["totaal"] == 57
