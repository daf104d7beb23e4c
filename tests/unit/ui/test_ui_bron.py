"""The pages' source: reporting's facts read incrementally and folded per case."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from deploy.demo.to_envelopes import dataset_envelopes
from services.reporting.web.bron import Bron, Positie
from tests.unit.ui.conftest import Envelopes


class Feiten:
    """An in-memory fact table with stream sequences, like reporting's store."""

    def __init__(self) -> None:
        self.rijen: list[tuple[str, int, Mapping[str, Any]]] = []
        self.gelezen = 0

    def voeg_toe(self, *envelopes: Mapping[str, Any]) -> None:
        for envelope in envelopes:
            stream = str(envelope["source"]).upper()
            sequence = sum(1 for s, _, _ in self.rijen if s == stream) + 1
            self.rijen.append((stream, sequence, envelope))

    def sinds(self, positie: Positie) -> tuple[Positie, list[Mapping[str, Any]]]:
        nieuw = [(s, n, e) for s, n, e in self.rijen if n > positie.get(s, 0)]
        self.gelezen += len(nieuw)
        verder = dict(positie)
        for stream, sequence, _ in nieuw:
            verder[stream] = max(verder.get(stream, 0), sequence)
        return verder, [e for _, _, e in nieuw]


def test_it_reads_only_new_facts_and_sees_a_new_case_at_once(maak: Envelopes) -> None:
    feiten = Feiten()
    feiten.voeg_toe(maak.gemeld("z-1", "LKHA-2018-0001", "2018-03-14"))
    bron = Bron(feiten, vandaag=lambda: date(2019, 1, 1))
    assert [z.referentie for z in bron.zaken()] == ["LKHA-2018-0001"]
    feiten.voeg_toe(
        maak.gemeld("z-2", "LKHA-2018-0002", "2018-04-09"),
        maak.event("geverifieerd", "z-1", uitkomst="vastgesteld", besloten_op="2018-04-02"),
    )
    assert [z.referentie for z in bron.zaken()] == ["LKHA-2018-0002", "LKHA-2018-0001"]
    assert bron.zaak("z-1") is not None and bron.zaak("z-1").stage == "lopend"  # type: ignore[union-attr]
    assert feiten.gelezen == 3


def test_a_withdrawn_melding_leaves_the_list(maak: Envelopes) -> None:
    feiten = Feiten()
    feiten.voeg_toe(maak.gemeld("z-1", "LKHA-2018-0001", "2018-03-14"))
    bron = Bron(feiten, vandaag=lambda: date(2019, 1, 1))
    assert bron.zaak("z-1") is not None
    feiten.voeg_toe(maak.event("ingetrokken", "z-1", reden="dubbel", datum="2018-03-15"))
    assert bron.zaak("z-1") is None and bron.zaken() == []


def test_a_case_page_gets_its_own_events_and_the_regieoverleggen_about_it(maak: Envelopes) -> None:
    feiten = Feiten()
    feiten.voeg_toe(
        maak.gemeld("z-1", "LKHA-2018-0001", "2018-03-14"),
        maak.gemeld("z-2", "LKHA-2018-0002", "2018-03-15"),
        maak.overleg("o-1", "2018-04-16", "z-1", ("a-1", "bz", "2018-04-19")),
    )
    bron = Bron(feiten, vandaag=lambda: date(2019, 1, 1))
    assert [e["event_type"] for e in bron.gebeurtenissen("z-1")] == [
        "gemeld",
        "regieoverleg_gehouden",
    ]
    assert [e["event_type"] for e in bron.gebeurtenissen("z-2")] == ["gemeld"]
    assert [a.actie_id for a in bron.acties()["z-1"]] == ["a-1"]


def test_a_new_day_refolds_every_case(maak: Envelopes) -> None:
    feiten = Feiten()
    feiten.voeg_toe(
        maak.gemeld("z-1", "LKHA-2018-0001", "2018-03-14"),
        maak.event("geverifieerd", "z-1", uitkomst="vastgesteld", besloten_op="2018-04-02"),
    )
    dag = [date(2018, 4, 1)]
    bron = Bron(feiten, vandaag=lambda: dag[0])
    assert bron.zaak("z-1").uitkomst == "open"  # type: ignore[union-attr]
    dag[0] = date(2018, 4, 2)
    assert bron.zaak("z-1").uitkomst == "vastgesteld"  # type: ignore[union-attr]


def test_the_jaarcijfers_2018_are_those_published() -> None:
    feiten = Feiten()
    feiten.voeg_toe(*dataset_envelopes())
    bron = Bron(feiten, vandaag=lambda: date(2019, 6, 16))
    rapport, zaken = bron.jaarcijfers(2018, date(2018, 12, 31))
    assert rapport["totaal"] == 57 and rapport["vorig_jaar"]["totaal"] == 38
    assert rapport["per_onderwerp"]["achterlating"] == 39
    assert all(z.gemeld_op <= date(2018, 12, 31) for z in zaken)
    assert bron.jaarcijfers(2018, date(2018, 12, 31))[0] is rapport  # remembered


def test_waiting_for_a_fact_gives_up_after_the_time_given(maak: Envelopes) -> None:
    feiten = Feiten()
    feiten.voeg_toe(maak.gemeld("z-1", "LKHA-2018-0001", "2018-03-14"))
    bron = Bron(feiten, vandaag=lambda: date(2019, 1, 1))
    assert bron.wacht_op(lambda e: e["event_type"] == "gemeld", "z-1", 0)
    assert not bron.wacht_op(lambda e: e["event_type"] == "afgesloten", "z-1", 0.1)
