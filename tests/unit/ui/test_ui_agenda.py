"""The agenda page groups verification's agenda by reason."""

from __future__ import annotations

from datetime import date

from services.reporting.web.agenda import Ontwikkeling, secties

DATUM = date(2018, 5, 1)

AGENDA = {
    "datum": "2018-05-01",
    "vorig_overleg_datum": "2018-04-16",
    "zaken": [
        {
            "zaak_id": "z-2",
            "referentie": "LKHA-2018-0002",
            "stage": "open",
            "gemeld_op": "2018-04-09",
            "onderwerp": "huwelijksdwang",
            "land": "PK",
            "redenen": ["actie_verlopen", "niet_geverifieerd"],
            "open_acties": [
                {
                    "overleg_id": "o-1",
                    "actie_id": "a-1",
                    "eigenaar": "bz",
                    "omschrijving": "Post belt",
                    "deadline": "2018-04-19",
                    "verlopen": True,
                }
            ],
            "ontwikkelingen": [],
        },
        {
            "zaak_id": "z-1",
            "referentie": "LKHA-2018-0001",
            "stage": "lopend",
            "gemeld_op": "2018-03-14",
            "onderwerp": "achterlating",
            "land": "MA",
            "redenen": ["recente_ontwikkeling"],
            "open_acties": [],
            "ontwikkelingen": [
                {
                    "soort": "bijstand_verleend:reisdocument_verstrekt",
                    "datum": "2018-04-20",
                    "bron": "consular",
                }
            ],
        },
        {"zaak_id": None, "referentie": "kapot"},
    ],
}


def test_a_case_is_in_each_part_it_has_a_reason_for() -> None:
    delen = secties(AGENDA, DATUM, lambda _: None)
    assert [d.reden for d in delen] == [
        "niet_geverifieerd",
        "actie_verlopen",
        "recente_ontwikkeling",
    ]
    assert [[p.rij.referentie for p in d.punten] for d in delen] == [
        ["LKHA-2018-0002"],
        ["LKHA-2018-0002"],
        ["LKHA-2018-0001"],
    ]


def test_a_row_shows_stage_age_and_the_open_actions_with_their_text() -> None:
    rij = secties(AGENDA, DATUM, lambda _: None)[1].punten[0].rij
    assert (rij.fase, rij.dagen, rij.onderwerp, rij.land) == ("open", 22, "huwelijksdwang", "PK")
    (actie,) = rij.open_acties
    assert actie.omschrijving == "Post belt" and actie.te_laat(DATUM) and rij.te_laat == 1


def test_developments_are_told_in_words() -> None:
    punt = secties(AGENDA, DATUM, lambda _: None)[2].punten[0]
    assert [o.tekst for o in punt.ontwikkelingen] == ["Consulaire bijstand: reisdocument verstrekt"]
    assert Ontwikkeling("geverifieerd:vastgesteld", None, None).tekst == "Geverifieerd: vastgesteld"
    assert Ontwikkeling("afgesloten", None, None).tekst == "Zaak afgesloten"


def test_an_empty_agenda_has_three_empty_parts() -> None:
    assert [len(d.punten) for d in secties({"zaken": []}, DATUM, lambda _: None)] == [0, 0, 0]
