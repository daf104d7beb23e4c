"""An attack on the figures as policy (beleid), a role that may see aggregated figures only.

The attacker knows the methods (docs/security.md) but not the key, asks every figures
endpoint as often as it likes and combines the answers: fine grouping, a single day,
peildata one day apart, overlapping filters, differences of totals. It must never learn a
cell below the drempel. The LKHA's exact answers serve as the truth to judge the attack by.
"""

from __future__ import annotations

import csv
import io
import itertools
from datetime import date, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

BELEID = {"X-Rol": "ministerie_vws:beleid"}
BESCHERMD = [
    BELEID,
    {"X-Rol": "bz:bz_consulair"},
    {"X-Rol": "adr:auditor"},
    {"X-Rol": "-"},  # no actor at all: never exact
]
DREMPEL = 5
DIMENSIES = ["leeftijd", "geslacht", "melder", "uitkomst", "land", "betrokkene", "onderwerp"]
FILTERS: dict[str, list[Any]] = {
    "geslacht": ["vrouw", "man"],
    "betrokkene": ["minderjarige", "volwassene"],
    "onderwerp": ["achterlating", "huwelijksdwang"],
    "uitkomst": ["vastgesteld", "open", "niet_vastgesteld"],
    "melder": ["veilig_thuis", "school", "politie"],
    "land": ["MA", "SO", "IQ", "PK"],
    "jaar": [2017, 2018, 2019],
}


def _veilig(waarde: object) -> bool:
    return waarde == "<5" or (isinstance(waarde, int) and (waarde == 0 or waarde >= DREMPEL))


def _getallen(antwoord: dict[str, Any]) -> list[object]:
    return [antwoord["totaal"], *antwoord["per_onderwerp"].values()] + [
        g["aantal"] for g in antwoord["groepen"]
    ]


def statistiek(api: TestClient, headers: dict[str, str], **vraag: Any) -> dict[str, Any]:
    response = api.get("/v1/statistieken", params=vraag, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


@pytest.mark.parametrize("wie", BESCHERMD, ids=lambda h: h["X-Rol"])
def test_every_role_without_case_access_gets_protected_figures_everywhere(
    api: TestClient, wie: dict[str, str]
) -> None:
    for pad in (
        "/v1/statistieken",
        "/v1/doorlooptijden",
        "/v1/noodfonds",
        "/v1/consulaire-bijstand",
        "/v1/jaarcijfers/2018",
    ):
        antwoord = api.get(pad, headers=wie).json()
        assert antwoord["geheimhouding"]["drempel"] == DREMPEL, pad
        assert "cell key" in antwoord["geheimhouding"]["methode"]
    weigering = api.get("/v1/statistieken", params={"geheimhouding": "exact"}, headers=wie)
    assert weigering.status_code == 403 and "exact" in weigering.json()["detail"]
    assert api.get("/v1/statistieken", params={"onderdrukking": 2}, headers=wie).status_code == 400


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    groepeer=st.lists(st.sampled_from(DIMENSIES), min_size=1, max_size=5, unique=True),
    filters=st.dictionaries(st.sampled_from(sorted(FILTERS)), st.just(None), max_size=2).flatmap(
        lambda d: st.fixed_dictionaries({k: st.sampled_from(FILTERS[k]) for k in d})
    ),
    peildatum=st.dates(date(2017, 6, 1), date(2019, 12, 31)),
)
def test_fine_grouping_never_shows_a_small_cell(
    api: TestClient, groepeer: list[str], filters: dict[str, Any], peildatum: date
) -> None:
    antwoord = statistiek(api, BELEID, groepeer=groepeer, peildatum=peildatum, **filters)
    assert all(_veilig(w) for w in _getallen(antwoord)), antwoord
    assert "leeftijd" not in antwoord["groepeer"], "ages only in bands"
    # The truth of the question as answered (coarsened): every small cell of it is marked.
    exact = statistiek(
        api, {}, groepeer=antwoord["groepeer"], peildatum=antwoord["peildatum"], **filters
    )
    klein = [g for g in exact["groepen"] if 0 < g["aantal"] < DREMPEL]
    assert not klein or "<5" in [g["aantal"] for g in antwoord["groepen"]]


def test_a_single_day_is_the_whole_month_and_peildata_a_day_apart_are_one_answer(
    api: TestClient,
) -> None:
    dag = statistiek(api, BELEID, gemeld_van="2018-03-14", gemeld_tot="2018-03-14")
    maand = statistiek(api, BELEID, gemeld_van="2018-03-01", gemeld_tot="2018-03-31")
    assert dag["totaal"] == maand["totaal"] and dag["filters"] == maand["filters"]
    start = date(2018, 1, 1)
    for i in range(0, 730, 1):
        eerder = start + timedelta(days=i)
        later = eerder + timedelta(days=1)
        if (later + timedelta(days=1)).month != later.month:
            continue  # a month end: a month of events apart (the differencing test below)
        een = statistiek(api, BELEID, peildatum=eerder, groepeer=["onderwerp", "uitkomst"])
        twee = statistiek(api, BELEID, peildatum=later, groepeer=["onderwerp", "uitkomst"])
        for antwoord in (een, twee):  # the notes echo the question asked, nothing else
            antwoord["geheimhouding"].pop("grofheid")
        assert een == twee, f"{eerder} and {later} differ"


def _differenties(api: TestClient) -> list[tuple[int, int]]:
    """Pairs of questions whose exact answers differ by 1 to 4 cases (the attacker's target),
    with the difference beleid's answers give: (true difference, published difference)."""
    paren: list[tuple[int, int]] = []
    maanden = [date(2018, m, 1) - timedelta(days=1) for m in range(2, 13)] + [
        date(2019, m, 1) - timedelta(days=1) for m in range(1, 13)
    ]
    vragen: list[tuple[dict[str, Any], dict[str, Any]]] = []
    for eerder, later in itertools.pairwise(maanden):
        vragen.append(({"peildatum": eerder}, {"peildatum": later}))  # months apart
    for sleutel, waarden in FILTERS.items():
        for waarde in waarden:
            for ander, andere in FILTERS.items():
                if ander == sleutel:
                    continue
                for w in andere:  # overlapping filters: A against A and B
                    vragen.append(({sleutel: waarde}, {sleutel: waarde, ander: w}))

    def cellen(antwoord: dict[str, Any]) -> dict[str, Any]:
        return {"totaal": antwoord["totaal"], **antwoord["per_onderwerp"]}

    for a, b in vragen:
        vraag = {"peildatum": "2019-12-31"}
        exact_a = cellen(statistiek(api, {}, **{**vraag, **a}))
        exact_b = cellen(statistiek(api, {}, **{**vraag, **b}))
        beleid_a = cellen(statistiek(api, BELEID, **{**vraag, **a}))
        beleid_b = cellen(statistiek(api, BELEID, **{**vraag, **b}))
        for cel, echt_a in exact_a.items():
            echt = abs(echt_a - exact_b.get(cel, 0))
            if not 0 < echt < DREMPEL:
                continue
            getoond_a, getoond_b = beleid_a.get(cel, 0), beleid_b.get(cel, 0)
            if isinstance(getoond_a, int) and isinstance(getoond_b, int):
                paren.append((echt, abs(getoond_a - getoond_b)))
    return paren


def test_differencing_overlapping_questions_does_not_reveal_the_cases_in_between(
    api: TestClient,
) -> None:
    paren = _differenties(api)
    assert len(paren) >= 30, "the attack found enough targets to judge it by"
    geraden = sum(1 for echt, verschil in paren if echt == verschil)
    # Exact figures (before disclosure control) give every difference away (100%). With the
    # cell key method a difference is the truth plus two independent noises of -2..+2: it
    # matches by chance only (about a quarter), and the attacker cannot tell when.
    assert geraden / len(paren) < 0.5, (geraden, len(paren))
    assert any(abs(echt - verschil) >= 2 for echt, verschil in paren)


def test_lead_times_give_no_single_case(api: TestClient) -> None:
    antwoord = api.get("/v1/doorlooptijden", params={"land": "GH"}, headers=BELEID).json()
    for regel in antwoord["per_jaar"]:
        assert _veilig(regel["meldingen"])
        for soort in ("verificatie", "terugkeer"):
            assert regel[soort]["min_dagen"] is None and regel[soort]["max_dagen"] is None
            assert _veilig(regel[soort]["aantal"])
            assert regel[soort]["mediaan_dagen"] is None or isinstance(regel[soort]["aantal"], int)


def test_emergency_fund_and_aid_per_post_show_no_small_cell(api: TestClient) -> None:
    fonds = api.get(
        "/v1/noodfonds", params={"van": "2018-05-01", "tot": "2018-05-31"}, headers=BELEID
    )
    antwoord = fonds.json()
    assert antwoord["geheimhouding"]["grofheid"] == [] or "van/tot" in str(antwoord)
    for waarde in (antwoord["aantal_zaken"], antwoord["aantal_uitgaven"]):
        assert _veilig(waarde)
    if antwoord["aantal_zaken"] == "<5":
        assert antwoord["totaal_cent"] == "<5"
    bijstand = api.get("/v1/consulaire-bijstand", headers=BELEID).json()
    exact = {r["waarde"]: r for r in api.get("/v1/consulaire-bijstand").json()["rijen"]}
    for rij in bijstand["rijen"]:
        assert _veilig(rij["aantal_zaken"])
        if exact[rij["waarde"]]["aantal_zaken"] < DREMPEL:
            assert rij["aantal_handelingen"] == "<5"
            assert set(rij["per_soort"].values()) == {"<5"}


def test_the_jaarcijfers_in_every_format_hold_no_small_cell_for_beleid(api: TestClient) -> None:
    rapport = api.get("/v1/jaarcijfers/2018", headers=BELEID).json()
    for tabel in rapport["tabellen"]:
        assert all(_veilig(r["aantal"]) for r in tabel["rijen"]) and _veilig(tabel["n"])
    regels = [rapport, rapport["vorig_jaar"], *rapport["per_betrokkene"].values()]
    assert all(_veilig(w) for r in regels for w in [r["totaal"], *r["per_onderwerp"].values()])
    rijen = list(
        csv.DictReader(io.StringIO(api.get("/v1/jaarcijfers/2018.csv", headers=BELEID).text))
    )
    aantallen = [r["aantal"] for r in rijen if r.get("aantal") not in (None, "")]
    assert aantallen and all(a == "<5" or int(a) == 0 or int(a) >= DREMPEL for a in aantallen)
    for formaat in ("xlsx", "html", "pdf"):
        assert api.get(f"/v1/jaarcijfers/2018.{formaat}", headers=BELEID).status_code == 200


def test_the_lkha_keeps_the_exact_published_figures(api: TestClient) -> None:
    for rol in ("lkha:coordinator", "lkha:lkha_medewerker"):
        rapport = api.get("/v1/jaarcijfers/2018", headers={"X-Rol": rol}).json()
        assert rapport["totaal"] == 57 and rapport["geheimhouding"] is None
        assert [r["aantal"] for r in rapport["tabellen"][1]["rijen"]] == [6, 1, 3]
        dag = api.get(
            "/v1/statistieken", params={"peildatum": "2019-06-16"}, headers={"X-Rol": rol}
        )
        assert dag.json()["peildatum"] == "2019-06-16"


@pytest.mark.parametrize(
    "pad",
    ["/v1/statistieken", "/v1/doorlooptijden", "/v1/noodfonds", "/v1/consulaire-bijstand"],
)
def test_an_unknown_country_is_400_naming_land(api: TestClient, pad: str) -> None:
    response = api.get(pad, params={"land": "XX"})
    assert response.status_code == 400
    fout = response.json()["errors"][0]
    assert fout["field"].startswith("query.land") and "ISO 3166" in fout["message"]
    assert api.get(pad, params={"land": "so"}).status_code == 200


@pytest.mark.parametrize(
    ("parameter", "waarde"),
    [("peildatum", "0"), ("peildatum", "0005-12-31"), ("registratieTot", "12345"),
     ("gemeldVan", "1890-01-01"), ("openOp", "2101-01-01")],
)  # fmt: skip
def test_bad_dates_are_400_naming_the_parameter(
    api: TestClient, parameter: str, waarde: str
) -> None:
    response = api.get("/v1/statistieken", params={parameter: waarde})
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == f"query.{parameter}"
    jaarcijfers = api.get(
        "/v1/jaarcijfers/2018",
        params={"peildatum": "0005-12-31"},
        headers={"Accept": "application/pdf"},
    )
    assert jaarcijfers.status_code == 400
