"""The 2018 reference run: the demo data set posted through the running services' APIs.

The 38 meldingen of 2017, the 57 of 2018 (and a withdrawn duplicate, adviesvragen, the 2019
meldingen) go in as the users would record them, at intake, verification and consular; the
reporting process must then publish every number of the LKHA jaarcijfers 2018, the same data
asked as of 2019-06-30 must give the later numbers, and registratie_tot before the late records
and the correction must give the numbers as the system showed them then.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from deploy.demo.load import Diensten, Geladen, Lader, bearer
from deploy.demo.to_envelopes import STANDAARD, laad_dataset
from deploy.stack import Stack

pytestmark = pytest.mark.e2e

NIEUWJAAR = datetime(2019, 1, 1, tzinfo=UTC)
"""What the system showed on New Year's day: before the late records and the correction."""
HALF_JANUARI = datetime(2019, 1, 15, tzinfo=UTC)
"""The late records are in, the correction of LKHA-2018-015 (4 February) is not yet."""

GEPUBLICEERD_2018 = {
    1: [10, 4, 39, 4],
    2: [6, 1, 3],
    3: [5, 1],
    4: [2, 1, 1],
    5: [11, 4, 11, 1, 6, 6],
    6: [11, 4],
    7: [2, 2, 1, 5, 1],
    8: [3, 3],
}


@pytest.fixture(scope="module")
def geladen(stack: Stack) -> Geladen:
    with httpx.Client(timeout=30) as client:
        lader = Lader(
            Diensten.van(stack.url), headers=bearer(stack.token), client=client, geduld=60
        )
        geladen = lader.laad(
            [laad_dataset(p) for p in STANDAARD], grenzen=[NIEUWJAAR, HALF_JANUARI]
        )
        lader.wacht_op_reporting(geladen)
    return geladen


def _jaarcijfers(stack: Stack, **vraag: str) -> dict[str, Any]:
    response = httpx.get(
        f"{stack.url('reporting')}/v1/jaarcijfers/2018",
        params=vraag,
        headers={"Authorization": f"Bearer {stack.token('lkha', 'coordinator')}"},
        timeout=30,
    )
    assert response.status_code == 200, response.text
    rapport: dict[str, Any] = response.json()
    return rapport


def _tabellen(rapport: dict[str, Any]) -> dict[int, list[int]]:
    return {t["nummer"]: [r["aantal"] for r in t["rijen"]] for t in rapport["tabellen"]}


def test_every_number_of_the_published_jaarcijfers_2018(stack: Stack, geladen: Geladen) -> None:
    rapport = _jaarcijfers(stack, peildatum="2018-12-31")
    assert len(geladen.zaak_ids) == 38 + 58 + 14
    assert rapport["totaal"] == 57
    assert _tabellen(rapport) == GEPUBLICEERD_2018
    assert [t["n"] for t in rapport["tabellen"]] == [57, 10, 6, 4, 39, 15, 11, 6]
    assert rapport["tabellen"][5]["titel"] == "Uitkomsten ja achterlating n=11"  # as published


def test_the_split_per_betrokkene_as_published(stack: Stack, geladen: Geladen) -> None:
    per = _jaarcijfers(stack)["per_betrokkene"]
    assert per["minderjarige"]["totaal"] == 16
    assert per["minderjarige"]["per_onderwerp"] == {
        "huwelijksdwang": 4,
        "huwelijksdwang_en_achterlating": 0,
        "achterlating": 11,
        "huiselijk_geweld_buitenland": 1,
    }
    assert per["volwassene"]["totaal"] == 27
    assert list(per["volwassene"]["per_onderwerp"].values()) == [6, 3, 17, 1]
    assert per["moeder_met_minderjarige_kinderen"]["totaal"] == 14
    assert list(per["moeder_met_minderjarige_kinderen"]["per_onderwerp"].values()) == [0, 1, 11, 2]


def test_the_comparison_with_2017(stack: Stack, geladen: Geladen) -> None:
    vorig = _jaarcijfers(stack)["vorig_jaar"]
    assert vorig["jaar"] == 2017 and vorig["totaal"] == 38
    assert list(vorig["per_onderwerp"].values()) == [4, 0, 30, 4]
    assert vorig["verschil"]["totaal"] == 19
    assert list(vorig["verschil"]["per_onderwerp"].values()) == [6, 4, 9, 0]


def test_asked_as_of_30_june_2019_the_verifications_of_2019_count(
    stack: Stack, geladen: Geladen
) -> None:
    tabellen = _tabellen(_jaarcijfers(stack, peildatum="2019-06-30"))
    assert tabellen == {
        1: [10, 4, 39, 4],
        2: [7, 2, 1],
        3: [6, 1],
        4: [3, 1, 0],
        5: [12, 5, 12, 1, 8, 1],
        6: [12, 5],
        7: [2, 2, 1, 6, 1],
        8: [5, 3],
    }


def test_registratie_tot_new_year_gives_the_figures_as_they_were(
    stack: Stack, geladen: Geladen
) -> None:
    toen = _jaarcijfers(stack, registratie_tot=geladen.grenzen[NIEUWJAAR].isoformat())
    assert toen["totaal"] == 56
    assert toen["per_onderwerp"]["huwelijksdwang"] == 11
    assert toen["per_onderwerp"]["achterlating"] == 37
    tabellen = _tabellen(toen)
    assert tabellen[2] == [7, 1, 3]
    assert tabellen[3] == [6, 1]
    assert tabellen[5] == [10, 4, 10, 1, 6, 6]
    assert tabellen[6] == [10, 4]
    assert tabellen[7] == [2, 2, 1, 4, 1]
    volwassenen = toen["per_betrokkene"]["volwassene"]
    assert volwassenen["totaal"] == 26
    assert volwassenen["per_onderwerp"]["huwelijksdwang"] == 7
    assert volwassenen["per_onderwerp"]["achterlating"] == 15


def test_registratie_tot_before_the_correction_keeps_the_old_onderwerp(
    stack: Stack, geladen: Geladen
) -> None:
    toen = _jaarcijfers(stack, registratie_tot=geladen.grenzen[HALF_JANUARI].isoformat())
    assert toen["totaal"] == 57
    assert toen["per_onderwerp"]["huwelijksdwang"] == 11
    assert toen["per_onderwerp"]["achterlating"] == 38
    assert _tabellen(toen)[5] == [10, 4, 11, 1, 6, 6]


def test_the_printable_report_shows_the_same_numbers(stack: Stack, geladen: Geladen) -> None:
    response = httpx.get(
        f"{stack.url('reporting')}/v1/jaarcijfers/2018.html",
        headers={"Authorization": f"Bearer {stack.token('lkha', 'coordinator')}"},
        timeout=30,
    )
    assert response.status_code == 200
    assert "In 2018 zijn 57 casussen gemeld, dit zijn er 19 meer dan in 2017." in response.text
    assert response.text.count("<svg") == 8
