"""Table layouts are versioned data: the newest definition not after the year applies."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from services.reporting.figures import (
    DefinitieFout,
    definitie_uit_dict,
    jaarcijfers_uit_events,
    laad_definitie,
)

if TYPE_CHECKING:
    from conftest import Bouwer

Envelope = dict[str, Any]


@pytest.mark.parametrize(
    ("jaar", "definitie"), [(2018, 2018), (2019, 2018), (2022, 2018), (2023, 2023), (2030, 2023)]
)
def test_the_newest_definition_not_after_the_year_applies(jaar: int, definitie: int) -> None:
    assert laad_definitie(jaar).jaar == definitie


def test_no_definition_applies_before_2018() -> None:
    with pytest.raises(DefinitieFout):
        laad_definitie(2017)


def test_2019_reuses_the_2018_layout_with_its_own_year_in_the_titles(
    envelopes: list[Envelope],
) -> None:
    rapport = jaarcijfers_uit_events(envelopes, 2019, peildatum=date(2019, 6, 30))
    assert rapport["definitie"] == 2018
    assert rapport["totaal"] == 14
    assert rapport["tabellen"][0]["titel"] == "Overzicht meldingen 2019"
    assert rapport["titel"].endswith("jaarcijfers 2019")


def test_2023_adds_huwelijkse_gevangenschap_to_tabel_1_as_data(bouw: Bouwer) -> None:
    events = [
        bouw.gemeld("z1", "2023-02-01", onderwerp="huwelijkse_gevangenschap"),
        bouw.gemeld("z2", "2023-03-01", onderwerp="huwelijksdwang"),
        bouw.gemeld("z3", "2022-05-01", onderwerp="huwelijkse_gevangenschap"),
    ]
    rapport = jaarcijfers_uit_events(events, 2023)
    tabel_1 = {r["code"]: r["aantal"] for r in rapport["tabellen"][0]["rijen"]}
    assert tabel_1["huwelijkse_gevangenschap"] == 1
    assert rapport["tabellen"][0]["niet_ingedeeld"] == 0
    assert rapport["vorig_jaar"]["per_onderwerp"]["huwelijkse_gevangenschap"] == 1

    oude_indeling = jaarcijfers_uit_events(events, 2023, definitie=laad_definitie(2018))
    assert "huwelijkse_gevangenschap" not in {
        r["code"] for r in oude_indeling["tabellen"][0]["rijen"]
    }
    assert oude_indeling["tabellen"][0]["niet_ingedeeld"] == 1


def test_a_new_layout_is_a_new_file_not_new_code(tmp_path: Path, bouw: Bouwer) -> None:
    (tmp_path / "jaarcijfers_2024.json").write_text(
        json.dumps(
            {
                "jaar": 2024,
                "onderwerpen": ["achterlating"],
                "tabellen": [
                    {
                        "nummer": 1,
                        "titel": "Achterlating per land {jaar} n={n}",
                        "populatie": {"onderwerp": ["achterlating"]},
                        "rijen": [
                            {"label": "Marokko", "code": "MA", "match": {"land": "MA"}},
                            {
                                "label": "overig",
                                "code": "overig",
                                "match": {"niet": {"land": "MA"}},
                            },
                        ],
                    }
                ],
            }
        ),
        encoding="utf-8",
    )
    definitie = laad_definitie(2025, tmp_path)
    events = [bouw.gemeld("z1", "2025-01-10"), bouw.gemeld("z2", "2025-01-11", land="IQ")]
    [tabel] = jaarcijfers_uit_events(events, 2025, definitie=definitie)["tabellen"]
    assert tabel["titel"] == "Achterlating per land 2025 n=2"
    assert [r["aantal"] for r in tabel["rijen"]] == [1, 1]


def test_a_definition_with_an_unknown_criterion_fails_loudly() -> None:
    with pytest.raises(DefinitieFout, match="onderwrep"):
        definitie_uit_dict(
            {
                "jaar": 2024,
                "tabellen": [
                    {
                        "nummer": 1,
                        "titel": "t",
                        "populatie": {"onderwrep": ["achterlating"]},
                        "rijen": [{"label": "a", "code": "a", "match": {}}],
                    }
                ],
            }
        )


def test_table_numbers_must_be_unique() -> None:
    tabel = {"nummer": 1, "titel": "t", "rijen": [{"label": "a", "code": "a", "match": {}}]}
    with pytest.raises(DefinitieFout, match="unique"):
        definitie_uit_dict({"jaar": 2024, "tabellen": [tabel, tabel]})
