"""Reporting's HTTP edge: the annual figures in every format, as-of views, errors, one case."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

from fastapi.testclient import TestClient
from openpyxl import load_workbook

from deploy.demo.to_envelopes import zaak_id_voor

TABELLEN_2018 = {
    1: [10, 4, 39, 4],
    2: [6, 1, 3],
    3: [5, 1],
    4: [2, 1, 1],
    5: [11, 4, 11, 1, 6, 6],
    6: [11, 4],
    7: [2, 2, 1, 5, 1],
    8: [3, 3],
}


def _aantallen(rapport: dict[str, object]) -> dict[int, list[object]]:
    return {t["nummer"]: [r["aantal"] for r in t["rijen"]] for t in rapport["tabellen"]}  # type: ignore[attr-defined,index]


def test_jaarcijfers_2018_as_published(api: TestClient) -> None:
    rapport = api.get("/v1/jaarcijfers/2018").json()
    assert rapport["peildatum"] == "2018-12-31"
    assert rapport["totaal"] == 57
    assert _aantallen(rapport) == TABELLEN_2018
    assert rapport["tabellen"][1]["titel"] == "Uitkomsten verificatie huwelijksdwang n=10"
    assert rapport["vorig_jaar"]["verschil"]["totaal"] == 19
    assert rapport["per_betrokkene"]["minderjarige"]["totaal"] == 16
    assert [r["totaal"] for r in rapport["meldingen_per_jaar"]] == [38, 57]


def test_jaarcijfers_as_of_a_later_peildatum_see_the_verifications_of_2019(
    api: TestClient,
) -> None:
    rapport = api.get("/v1/jaarcijfers/2018", params={"peildatum": "2019-06-30"}).json()
    assert _aantallen(rapport)[5] == [12, 5, 12, 1, 8, 1]


def test_registratie_tot_before_the_late_records_gives_the_figures_as_they_were(
    api: TestClient,
) -> None:
    toen = api.get("/v1/jaarcijfers/2018", params={"registratie_tot": "2019-01-01"}).json()
    assert toen["totaal"] == 56
    assert datetime.fromisoformat(toen["registratie_tot"]) == datetime(2019, 1, 1, tzinfo=UTC)
    assert _aantallen(toen)[2] == [7, 1, 3]


def test_suppression_marks_small_cells_when_asked_and_only_then(api: TestClient) -> None:
    open_ = api.get("/v1/jaarcijfers/2018").json()
    afgeschermd = api.get("/v1/jaarcijfers/2018", params={"onderdrukking": 5}).json()
    assert open_["onderdrukking"] is None
    assert afgeschermd["onderdrukking"] == {"drempel": 5, "teken": "<5"}
    assert "<5" in _aantallen(afgeschermd)[2]
    assert all(isinstance(a, int) for rij in _aantallen(open_).values() for a in rij)


def test_jaarcijfers_as_csv_hold_one_row_per_published_number(api: TestClient) -> None:
    response = api.get("/v1/jaarcijfers/2018.csv")
    assert response.headers["content-type"].startswith("text/csv")
    assert 'filename="jaarcijfers-2018.csv"' in response.headers["content-disposition"]
    rijen = list(csv.DictReader(io.StringIO(response.text)))
    tabel5 = [r for r in rijen if r["onderdeel"] == "tabel" and r["nummer"] == "5"]
    assert [int(r["aantal"]) for r in tabel5] == [*TABELLEN_2018[5], 39]
    assert tabel5[1]["label"] == "achterlating na inzet LKHA toestemming terugkeren"


def test_jaarcijfers_as_xlsx_are_laid_out_as_published(api: TestClient) -> None:
    response = api.get("/v1/jaarcijfers/2018.xlsx")
    boek = load_workbook(io.BytesIO(response.content))
    waarden = [tuple(rij) for rij in boek["Jaarcijfers"].iter_rows(values_only=True)]
    kop = waarden.index(("Tabel 7 Uitkomsten nee achterlating n=11", None, None, None, None, None))
    assert [w[1] for w in waarden[kop + 2 : kop + 8]] == [*TABELLEN_2018[7], 11]
    per_jaar = list(boek["Per jaar"].iter_rows(values_only=True))
    assert per_jaar[1][0] == 2017 and per_jaar[2][0] == 2018
    assert boek["Per jaar"]._charts  # the chart of meldingen per onderwerp per year


def test_jaarcijfers_as_a_printable_page_with_charts(api: TestClient) -> None:
    response = api.get("/v1/jaarcijfers/2018.html")
    assert response.headers["content-type"].startswith("text/html")
    pagina = response.text
    assert "In 2018 zijn 57 casussen gemeld, dit zijn er 19 meer dan in 2017." in pagina
    assert "Tabel 8 Achterlating niet kunnen verifiëren" in pagina
    assert pagina.count("<svg") == 8  # meldingen per year, and one per outcome table
    assert "@page" in pagina


def test_jaarcijfers_as_pdf(api: TestClient) -> None:
    response = api.get("/v1/jaarcijfers/2018.pdf")
    assert response.headers["content-type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert len(response.content) > 10_000


def test_a_year_without_definition_is_404(api: TestClient) -> None:
    for pad in ("/v1/jaarcijfers/2010", "/v1/jaarcijfers/2010.pdf"):
        response = api.get(pad)
        assert response.status_code == 404
        assert "no jaarcijfers definition applies to 2010" in response.json()["detail"]


def test_statistieken_default_answer_keeps_totaal_and_per_onderwerp(api: TestClient) -> None:
    antwoord = api.get("/v1/statistieken", params={"peildatum": "2018-12-31", "jaar": 2018}).json()
    assert antwoord["totaal"] == 57
    assert antwoord["per_onderwerp"]["achterlating"] == 39
    assert antwoord["groepen"] == [{"sleutel": {}, "aantal": 57}]


def test_an_unknown_code_is_400_naming_the_field_and_the_allowed_values(api: TestClient) -> None:
    response = api.get("/v1/statistieken", params={"groepeer": "zaak_id"})
    assert response.status_code == 400
    fout = response.json()["errors"][0]
    assert fout["field"].startswith("query.groepeer")
    assert "'onderwerp'" in fout["message"] and "'stage'" in fout["message"]
    onbekend = api.get("/v1/statistieken", params={"onderwerp": "ontvoering"})
    assert "huwelijksdwang" in onbekend.json()["errors"][0]["message"]


def test_an_unknown_parameter_is_refused(api: TestClient) -> None:
    response = api.get("/v1/statistieken", params={"peil_datum": "2018-12-31"})
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "query.peil_datum"


def test_a_case_shows_its_state_and_its_timeline_in_recorded_order(api: TestClient) -> None:
    zaak_id = zaak_id_voor("LKHA-2018-014")
    zaak = api.get(f"/v1/zaken/{zaak_id}", params={"peildatum": "2018-12-31"}).json()
    assert zaak["staat"]["uitkomst"] == "vastgesteld" and zaak["staat"]["herzien"] is True
    opgenomen = [g["recorded_at"] for g in zaak["tijdlijn"]]
    assert opgenomen == sorted(opgenomen)
    assert zaak["tijdlijn"][0]["event_type"] == "gemeld"
    assert zaak["tijdlijn"][0]["recorded_by"]["org"] == "lkha"
    eerder = api.get(f"/v1/zaken/{zaak_id}", params={"peildatum": "2018-06-01"}).json()
    assert eerder["staat"]["uitkomst"] == "onbekend"


def test_a_case_not_received_yet_is_404_not_yet_known_here(api: TestClient) -> None:
    response = api.get("/v1/zaken/00000000-0000-0000-0000-000000000007")
    assert response.status_code == 404
    assert "not yet known here" in response.json()["detail"]
