"""Each question of DOMAIN.md answered through reporting's HTTP API, over the reference data set.

The expected numbers are the answers given to parliament (seeds/000, seeds/003); where no
number was published (emergency fund, lead times) the test derives it from the data set file
itself, independently of the projection.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from statistics import median
from typing import Any

from fastapi.testclient import TestClient

from deploy.demo.to_envelopes import STANDAARD

MINDERJARIGE_ACHTERLATING = {
    "onderwerp": "achterlating",
    "betrokkene": "minderjarige",
    "uitkomst": "vastgesteld",
    "gemeld_van": "2017-01-01",
    "gemeld_tot": "2019-06-30",
    "peildatum": "2019-06-30",
}


def _groepen(antwoord: dict[str, Any], *dimensies: str) -> dict[Any, Any]:
    """{value: count} for one dimension, {(value, ...): count} for several."""
    uit: dict[Any, Any] = {}
    for groep in antwoord["groepen"]:
        sleutel = tuple(groep["sleutel"][d] for d in dimensies)
        uit[sleutel if len(sleutel) > 1 else sleutel[0]] = groep["aantal"]
    return uit


def _stappen() -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """(case, step) pairs straight from the data-set files, withdrawn cases left out."""
    paren = []
    for pad in STANDAARD:
        for zaak in json.loads(Path(pad).read_text(encoding="utf-8"))["zaken"]:
            if any(s["actie"] == "ingetrokken" for s in zaak["stappen"]):
                continue
            paren.extend((zaak, stap) for stap in zaak["stappen"])
    return paren


def test_2017_had_38_meldingen_and_bz_was_involved_in_35(api: TestClient) -> None:
    antwoord = api.get(
        "/v1/statistieken",
        params={"peildatum": "2017-12-31", "jaar": 2017, "groepeer": "bz_betrokken"},
    ).json()
    assert antwoord["totaal"] == 38
    assert _groepen(antwoord, "bz_betrokken")[True] == 35


def test_2017_consular_aid_was_given_in_20_cases_of_which_4_forced_marriage(
    api: TestClient,
) -> None:
    antwoord = api.get(
        "/v1/statistieken",
        params={"peildatum": "2017-12-31", "jaar": 2017, "consulaire_bijstand": "true"},
    ).json()
    assert antwoord["totaal"] == 20
    assert antwoord["per_onderwerp"]["huwelijksdwang"] == 4


def test_three_abandonment_cases_of_minors_were_open_on_31_december_2018(api: TestClient) -> None:
    antwoord = api.get(
        "/v1/statistieken",
        params={
            "peildatum": "2018-12-31",
            "onderwerp": "achterlating",
            "betrokkene": "minderjarige",
            "stage": "open",
        },
    ).json()
    assert antwoord["totaal"] == 3


def test_later_one_of_them_returned_and_two_deregistered_families_could_not_be_traced(
    api: TestClient,
) -> None:
    antwoord = api.get(
        "/v1/statistieken",
        params={
            "peildatum": "2019-06-30",
            "onderwerp": "achterlating",
            "betrokkene": "minderjarige",
            "open_op": "2018-12-31",
            "groepeer": ["teruggekeerd", "uitkomst", "reden", "brp_ingeschreven"],
        },
    ).json()
    assert antwoord["totaal"] == 3
    assert _groepen(antwoord, "teruggekeerd", "uitkomst", "reden", "brp_ingeschreven") == {
        (True, "vastgesteld", None, True): 1,
        (False, "onbekend", "geen_contactgegevens", False): 2,
    }


def test_on_16_june_2019_the_lkha_had_24_cases_10_from_2018_and_14_from_2019(
    api: TestClient,
) -> None:
    antwoord = api.get(
        "/v1/statistieken",
        params={"peildatum": "2019-06-16", "stage": ["open", "lopend"], "groepeer": "jaar"},
    ).json()
    assert antwoord["totaal"] == 24
    assert _groepen(antwoord, "jaar") == {2018: 10, 2019: 14}


def test_from_2017_to_mid_2019_eleven_abandoned_minors_of_whom_ten_returned(
    api: TestClient,
) -> None:
    antwoord = api.get(
        "/v1/statistieken", params={**MINDERJARIGE_ACHTERLATING, "groepeer": "teruggekeerd"}
    ).json()
    assert antwoord["totaal"] == 11
    assert _groepen(antwoord, "teruggekeerd") == {True: 10, False: 1}


def test_the_returned_minors_came_from_ghana_guinea_kenya_somalia_bangladesh_and_russia(
    api: TestClient,
) -> None:
    antwoord = api.get(
        "/v1/statistieken",
        params={**MINDERJARIGE_ACHTERLATING, "teruggekeerd": "true", "groepeer": "land"},
    ).json()
    assert set(_groepen(antwoord, "land")) == {"GH", "GN", "KE", "SO", "BD", "RU"}


def test_in_one_2017_case_it_was_decided_with_the_minor_not_to_return(api: TestClient) -> None:
    antwoord = api.get(
        "/v1/statistieken",
        params={**MINDERJARIGE_ACHTERLATING, "afloop": "niet_teruggekeerd", "groepeer": "jaar"},
    ).json()
    assert _groepen(antwoord, "jaar") == {2017: 1}


def test_emergency_fund_use_per_year_matches_the_payments_in_the_data_set(
    api: TestClient,
) -> None:
    betaald = [s for _, s in _stappen() if s.get("soort") == "noodfonds_uitgave"]
    in_2018 = [s for s in betaald if s["datum"].startswith("2018")]
    vraag = {"peildatum": "2019-12-31", "van": "2018-01-01", "tot": "2018-12-31"}
    antwoord = api.get("/v1/noodfonds", params=vraag).json()
    assert antwoord["aantal_uitgaven"] == len(in_2018) > 0
    assert antwoord["totaal_cent"] == sum(s["bedrag_cent"] for s in in_2018)
    assert antwoord["per_jaar"] == {
        "2018": {"aantal": len(in_2018), "totaal_cent": sum(s["bedrag_cent"] for s in in_2018)}
    }


def test_consular_aid_per_post_counts_every_act_of_aid(api: TestClient) -> None:
    per_post: dict[str, int] = {}
    for _, stap in _stappen():
        if stap["actie"] == "bijstand":
            per_post[stap["post"]] = per_post.get(stap["post"], 0) + 1
    antwoord = api.get(
        "/v1/consulaire-bijstand", params={"peildatum": "2019-12-31", "per": "post"}
    ).json()
    assert {r["waarde"]: r["aantal_handelingen"] for r in antwoord["rijen"]} == per_post


def test_provisional_guardianship_brought_minors_back_from_four_countries_in_five_cases(
    api: TestClient,
) -> None:
    antwoord = api.get(
        "/v1/consulaire-bijstand",
        params={"peildatum": "2019-06-30", "per": "land", "soort": "voorlopige_voogdij"},
    ).json()
    assert {r["waarde"] for r in antwoord["rijen"]} == {"GN", "GH", "KE", "SO"}
    assert sum(r["aantal_zaken"] for r in antwoord["rijen"]) == 5


def test_median_days_to_verification_and_to_return_per_year(api: TestClient) -> None:
    verificatie: dict[int, list[int]] = {}
    terugkeer: dict[int, list[int]] = {}
    gezien: set[str] = set()
    for zaak, stap in _stappen():
        gemeld_op = date.fromisoformat(zaak["melding"]["gemeld_op"])
        ref = zaak["referentie"]
        if stap["actie"] == "geverifieerd" and ref not in gezien:
            gezien.add(ref)
            dagen = (date.fromisoformat(stap["besloten_op"]) - gemeld_op).days
            verificatie.setdefault(gemeld_op.year, []).append(dagen)
        if stap["actie"] == "afloop" and stap["afloop"].startswith("teruggekeerd"):
            dagen = (date.fromisoformat(stap["datum"]) - gemeld_op).days
            terugkeer.setdefault(gemeld_op.year, []).append(dagen)
    antwoord = api.get("/v1/doorlooptijden", params={"peildatum": "2019-12-31"}).json()
    per_jaar = {r["jaar"]: r for r in antwoord["per_jaar"]}
    for jaar, dagen in verificatie.items():
        assert per_jaar[jaar]["verificatie"]["mediaan_dagen"] == median(dagen)
    for jaar, dagen in terugkeer.items():
        assert per_jaar[jaar]["terugkeer"]["mediaan_dagen"] == median(dagen)
    assert per_jaar[2018]["verificatie"]["aantal"] == len(verificatie[2018])
