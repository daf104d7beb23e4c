"""The pages' source: reporting's fact index, with the actions per case kept up to date."""

from __future__ import annotations

from datetime import date

from deploy.demo.to_envelopes import dataset_envelopes
from services.reporting.index import Feitenindex
from services.reporting.rapportage import Rapportage
from services.reporting.web.bron import Bron
from tests.unit.ui.conftest import Envelopes


def _bron(vandaag: date = date(2019, 1, 1)) -> tuple[Feitenindex, Bron]:
    index = Feitenindex()
    return index, Bron(Rapportage(index), vandaag=lambda: vandaag)


def test_a_new_case_is_listed_at_once_newest_first(maak: Envelopes) -> None:
    index, bron = _bron()
    index.voeg_toe(maak.gemeld("z-1", "LKHA-2018-0001", "2018-03-14"))
    assert [z.referentie for z in bron.zaken()] == ["LKHA-2018-0001"]
    index.voeg_toe_alle(
        [
            maak.gemeld("z-2", "LKHA-2018-0002", "2018-04-09"),
            maak.event("geverifieerd", "z-1", uitkomst="vastgesteld", besloten_op="2018-04-02"),
        ]
    )
    assert [z.referentie for z in bron.zaken()] == ["LKHA-2018-0002", "LKHA-2018-0001"]
    assert bron.zaak("z-1").stage == "lopend"  # type: ignore[union-attr]


def test_a_withdrawn_melding_leaves_the_list(maak: Envelopes) -> None:
    index, bron = _bron()
    index.voeg_toe(maak.gemeld("z-1", "LKHA-2018-0001", "2018-03-14"))
    assert bron.zaak("z-1") is not None
    index.voeg_toe(maak.event("ingetrokken", "z-1", reden="dubbel", datum="2018-03-15"))
    assert bron.zaak("z-1") is None and list(bron.zaken()) == []


def test_actions_follow_new_regieoverleggen_and_their_completion(maak: Envelopes) -> None:
    index, bron = _bron()
    index.voeg_toe_alle(
        [
            maak.gemeld("z-1", "LKHA-2018-0001", "2018-03-14"),
            maak.overleg("o-1", "2018-04-16", "z-1", ("a-1", "bz", "2018-04-19")),
        ]
    )
    assert [a.open for a in bron.acties()["z-1"]] == [True]
    index.voeg_toe(
        maak.event("actie_afgerond", "z-1", overleg_id="o-1", actie_id="a-1", datum="2018-04-18")
    )
    assert [a.afgerond_op for a in bron.acties()["z-1"]] == [date(2018, 4, 18)]


def test_a_case_page_gets_its_own_events_and_the_regieoverleggen_about_it(maak: Envelopes) -> None:
    index, bron = _bron()
    index.voeg_toe_alle(
        [
            maak.gemeld("z-1", "LKHA-2018-0001", "2018-03-14"),
            maak.gemeld("z-2", "LKHA-2018-0002", "2018-03-15"),
            maak.overleg("o-1", "2018-04-16", "z-1", ("a-1", "bz", "2018-04-19")),
        ]
    )
    assert [e["event_type"] for e in bron.gebeurtenissen("z-1")] == [
        "gemeld",
        "regieoverleg_gehouden",
    ]
    assert [e["event_type"] for e in bron.gebeurtenissen("z-2")] == ["gemeld"]


def test_the_jaarcijfers_2018_are_those_published_with_the_cases_of_the_peildatum() -> None:
    index, bron = _bron(date(2019, 6, 16))
    index.voeg_toe_alle(dataset_envelopes())
    rapport, zaken = bron.jaarcijfers(2018, date(2018, 12, 31), geheimhouding=None)
    assert rapport["totaal"] == 57 and rapport["vorig_jaar"]["totaal"] == 38
    assert [r["totaal"] for r in rapport["meldingen_per_jaar"]] == [38, 57]
    assert all(z.gemeld_op <= date(2018, 12, 31) for z in zaken)
    assert bron.bestand("pdf", 2018, date(2018, 12, 31), geheimhouding=None)[:4] == b"%PDF"


def test_waiting_for_a_fact_gives_up_after_the_time_given(maak: Envelopes) -> None:
    index, bron = _bron()
    index.voeg_toe(maak.gemeld("z-1", "LKHA-2018-0001", "2018-03-14"))
    assert bron.wacht_op(lambda e: e["event_type"] == "gemeld", "z-1", 0)
    assert not bron.wacht_op(lambda e: e["event_type"] == "afgesloten", "z-1", 0.1)
