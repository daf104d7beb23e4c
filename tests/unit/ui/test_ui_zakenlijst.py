"""The case list: filters, search by referentie and pages over today's projection."""

from __future__ import annotations

from datetime import date

import pytest

from services.reporting.figures import ZaakStaat, zaken_as_of
from services.reporting.web.tijdlijn import acties_per_zaak
from services.reporting.web.zakenlijst import PAGINAGROOTTE, Filter, filter_zaken, keuzes
from tests.unit.ui.conftest import Envelopes

VANDAAG = date(2019, 6, 16)


@pytest.fixture
def envelopes(maak: Envelopes) -> list[dict[str, object]]:
    return [
        maak.gemeld("z-1", "LKHA-2018-0001", "2018-03-14"),
        maak.gemeld(
            "z-2",
            "LKHA-2018-0002",
            "2018-04-09",
            onderwerp="huwelijksdwang",
            land="PK",
            betrokkene={"categorie": "volwassene"},
        ),
        maak.gemeld("z-3", "LKHA-2019-0001", "2019-01-07", land="TR"),
        maak.event("geverifieerd", "z-3", uitkomst="vastgesteld", besloten_op="2019-02-04"),
        maak.overleg("o-1", "2018-04-16", "z-2", ("a-1", "bz", "2018-04-19")),
        maak.overleg("o-2", "2018-04-16", "z-1", ("a-2", "lkha", "2018-04-19")),
        maak.event("actie_afgerond", "z-1", overleg_id="o-2", actie_id="a-2", datum="2018-04-18"),
    ]


def _lijst(envelopes: list[dict[str, object]], **filter_: object) -> list[str]:
    zaken = zaken_as_of(envelopes, VANDAAG)
    pagina = filter_zaken(zaken, acties_per_zaak(envelopes), Filter(**filter_), VANDAAG)  # type: ignore[arg-type]
    return [r.referentie for r in pagina.rijen]


def test_without_filters_every_case_is_listed_newest_first(
    envelopes: list[dict[str, object]],
) -> None:
    assert _lijst(envelopes) == ["LKHA-2019-0001", "LKHA-2018-0002", "LKHA-2018-0001"]


def test_filters_combine(envelopes: list[dict[str, object]]) -> None:
    assert _lijst(envelopes, fase="open") == ["LKHA-2018-0002", "LKHA-2018-0001"]
    assert _lijst(envelopes, fase="open", land="MA") == ["LKHA-2018-0001"]
    assert _lijst(envelopes, onderwerp="huwelijksdwang", betrokkene="volwassene") == [
        "LKHA-2018-0002"
    ]
    assert _lijst(envelopes, fase="afgesloten") == []


def test_search_by_referentie_ignores_case_and_takes_a_part(
    envelopes: list[dict[str, object]],
) -> None:
    assert _lijst(envelopes, referentie=" lkha-2019 ") == ["LKHA-2019-0001"]
    assert _lijst(envelopes, referentie="0002") == ["LKHA-2018-0002"]


def test_the_agency_filter_finds_cases_where_it_owns_an_open_action(
    envelopes: list[dict[str, object]],
) -> None:
    assert _lijst(envelopes, instantie="bz") == ["LKHA-2018-0002"]
    assert _lijst(envelopes, instantie="lkha") == []  # its action is done


def test_a_row_has_stage_age_and_open_actions(envelopes: list[dict[str, object]]) -> None:
    zaken = zaken_as_of(envelopes, VANDAAG)
    acties = acties_per_zaak(envelopes)
    (rij,) = filter_zaken(zaken, acties, Filter(referentie="0002"), VANDAAG).rijen
    assert (rij.fase, rij.dagen, rij.land) == ("open", (VANDAAG - date(2018, 4, 9)).days, "PK")
    assert [a.actie_id for a in rij.open_acties] == ["a-1"] and rij.te_laat == 1
    assert rij.instanties == ["bz"]
    assert keuzes(zaken, acties) == {"land": ["MA", "PK", "TR"], "instantie": ["bz"]}


def _veel(maak: Envelopes, n: int) -> list[ZaakStaat]:
    return zaken_as_of(
        [maak.gemeld(f"z-{i}", f"LKHA-2018-{i:04d}", "2018-03-14") for i in range(1, n + 1)],
        VANDAAG,
    )


def test_the_list_comes_in_pages_of_fifty(maak: Envelopes) -> None:
    zaken = _veel(maak, 120)
    eerste = filter_zaken(zaken, {}, Filter(), VANDAAG)
    derde = filter_zaken(zaken, {}, Filter(pagina=3), VANDAAG)
    assert len(eerste.rijen) == PAGINAGROOTTE and eerste.paginas == 3 and eerste.totaal == 120
    assert (derde.eerste, derde.laatste, len(derde.rijen)) == (101, 120, 20)
    assert eerste.rijen[0].referentie == "LKHA-2018-0120"


def test_a_page_beyond_the_end_shows_the_last_page(maak: Envelopes) -> None:
    pagina = filter_zaken(_veel(maak, 60), {}, Filter(pagina=9), VANDAAG)
    assert pagina.pagina == 2 and len(pagina.rijen) == 10


def test_the_query_of_a_filter_keeps_what_is_set() -> None:
    filter_ = Filter(onderwerp="achterlating", referentie="2018", pagina=2)
    assert filter_.query() == {"onderwerp": "achterlating", "referentie": "2018", "pagina": "2"}
    assert filter_.query(pagina=1) == {"onderwerp": "achterlating", "referentie": "2018"}
    assert filter_.actief and not Filter(pagina=3).actief
