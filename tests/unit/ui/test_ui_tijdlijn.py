"""The case page's timeline and actions, folded from the events of every service."""

from __future__ import annotations

from datetime import date

from services.reporting.web.tijdlijn import (
    Overlegtekst,
    acties_per_zaak,
    historie,
    overlegtekst,
)
from tests.unit.ui.conftest import Envelopes

Z = "zaak-1"


def test_the_timeline_is_in_business_date_order_across_services(maak: Envelopes) -> None:
    events = [
        maak.event(
            "afloop_vastgelegd", Z, afloop="teruggekeerd_met_ondersteuning", datum="2018-06-01"
        ),
        maak.gemeld(Z, "LKHA-2018-0001", "2018-03-14"),
        maak.event("geverifieerd", Z, uitkomst="vastgesteld", besloten_op="2018-04-02"),
        maak.event("onderzoek_gestart", Z, datum="2018-03-15"),
    ]
    regels = historie(events, Z).regels
    assert [r.wat for r in regels] == [
        "Melding ontvangen",
        "Onderzoek gestart",
        "Geverifieerd",
        "Afloop vastgelegd",
    ]
    assert [r.dienst for r in regels] == ["intake", "verificatie", "verificatie", "consulair"]
    assert regels[3].details == ("terug in Nederland met ondersteuning",)


def test_the_timeline_says_who_recorded_what_and_when(maak: Envelopes) -> None:
    bz = {"org": "bz", "rol": "bz_consulair", "user": "p.post"}
    events = [
        maak.gemeld(Z, "LKHA-2018-0001", "2018-03-14"),
        maak.event(
            "bijstand_verleend",
            Z,
            bz,
            soort="noodfonds_uitgave",
            datum="2018-03-20",
            post="Rabat",
            bedrag_cent=123450,
            doel="tickets",
        ),
        maak.event("onderzoek_gestart", Z, None, datum="2018-03-21"),
    ]
    melding, bijstand, onderzoek = historie(events, Z).regels
    assert melding.door == "LKHA · j.jansen (coördinator)"
    assert melding.details == (
        "achterlating, minderjarige, Marokko",
        "Gemeld door: school (Leerplicht Utrecht)",
    )
    assert bijstand.door.startswith("BZ · p.post")
    assert "Bedrag: € 1 234,50" in bijstand.details and "Post: Rabat" in bijstand.details
    assert onderzoek.door == "onbekend"
    assert melding.vastgelegd_op < bijstand.vastgelegd_op


def test_an_action_is_open_until_it_is_marked_done(maak: Envelopes) -> None:
    events = [
        maak.gemeld(Z, "LKHA-2018-0001", "2018-03-14"),
        maak.overleg(
            "o-1", "2018-04-16", Z, ("a-1", "bz", "2018-04-19"), ("a-2", "lkha", "2018-05-01")
        ),
        maak.event("actie_afgerond", Z, overleg_id="o-1", actie_id="a-1", datum="2018-04-18"),
    ]
    acties = {a.actie_id: a for a in historie(events, Z).acties}
    assert not acties["a-1"].open and acties["a-1"].afgerond_op == date(2018, 4, 18)
    assert acties["a-2"].open and acties["a-2"].eigenaar == "lkha"
    assert [a.actie_id for a in historie(events, Z).open_acties] == ["a-2"]


def test_an_open_action_is_late_only_after_its_deadline(maak: Envelopes) -> None:
    events = [maak.overleg("o-1", "2018-04-16", Z, ("a-1", "bz", "2018-04-19"))]
    (actie,) = acties_per_zaak(events)[Z]
    assert not actie.te_laat(date(2018, 4, 19))
    assert actie.te_laat(date(2018, 4, 20))


def test_texts_of_a_regieoverleg_come_from_verification(maak: Envelopes) -> None:
    events = [
        maak.gemeld(Z, "LKHA-2018-0001", "2018-03-14"),
        maak.overleg("o-1", "2018-04-16", Z, ("a-1", "bz", "2018-04-19")),
    ]
    zonder = historie(events, Z)
    assert zonder.acties[0].omschrijving is None
    assert "1 besluit(en); de tekst staat bij verificatie" in zonder.regels[1].details

    tekst = overlegtekst(
        {
            "overleg_id": "o-1",
            "versie": 2,
            "zaken": [
                {
                    "zaak_id": Z,
                    "besluiten": ["BZ verifieert de nationaliteit"],
                    "acties": [{"actie_id": "a-1", "omschrijving": "Post belt betrokkene"}],
                }
            ],
        }
    )
    met = historie(events, Z, {"o-1": tekst})
    assert tekst == Overlegtekst(
        2, {Z: ["BZ verifieert de nationaliteit"]}, {"a-1": "Post belt betrokkene"}
    )
    assert met.acties[0].omschrijving == "Post belt betrokkene"
    assert met.regels[1].details == (
        "Deelnemers: LKHA, BZ",
        "Besluit: BZ verifieert de nationaliteit",
        "Actie voor BZ: Post belt betrokkene, uiterlijk 19-04-2018",
    )


def test_a_regieoverleg_about_another_case_is_not_on_this_timeline(maak: Envelopes) -> None:
    events = [
        maak.gemeld(Z, "LKHA-2018-0001", "2018-03-14"),
        maak.overleg("o-1", "2018-04-16", "zaak-2", ("a-1", "bz", "2018-04-19")),
    ]
    verloop = historie(events, Z)
    assert [r.event_type for r in verloop.regels] == ["gemeld"]
    assert verloop.acties == []


def test_an_unknown_event_type_is_shown_by_its_name_and_a_duplicate_once(maak: Envelopes) -> None:
    onbekend = maak.event("voogdij_overgedragen", Z, datum="2018-05-01", reden="rechter")
    events = [maak.gemeld(Z, "LKHA-2018-0001", "2018-03-14"), onbekend, dict(onbekend)]
    regels = historie(events, Z).regels
    assert [r.wat for r in regels] == ["Melding ontvangen", "voogdij overgedragen"]
    assert regels[1].details == ("rechter",)


def test_a_closing_and_a_revision_are_told_in_words(maak: Envelopes) -> None:
    events = [
        maak.gemeld(Z, "LKHA-2018-0001", "2018-03-14"),
        maak.event(
            "geverifieerd",
            Z,
            uitkomst="niet_vastgesteld",
            bevinding="verhuizing",
            besloten_op="2018-04-02",
            herziening=True,
            reden_herziening="nieuwe_informatie",
        ),
        maak.event("afgesloten", Z, reden="niet_vastgesteld", datum="2018-04-03"),
    ]
    _, verificatie, afsluiting = historie(events, Z).regels
    assert verificatie.details == (
        "Uitkomst: niet vastgesteld",
        "Bevinding: verhuizing",
        "Herziening: nieuwe informatie",
    )
    assert afsluiting.details == ("Reden: niet vastgesteld",)


def test_events_of_two_services_with_the_same_id_are_both_on_the_timeline(
    maak: Envelopes,
) -> None:
    correctie = maak.event(
        "gecorrigeerd",
        Z,
        wijzigingen={"land": "PK"},
        vorige={"land": "MA"},
        reden="typefout",
        datum="2018-03-15",
    )
    onderzoek = maak.event("onderzoek_gestart", Z, datum="2018-03-16")
    correctie["event_id"] = onderzoek["event_id"] = f"{Z}:2"  # each service numbers its own
    events = [maak.gemeld(Z, "LKHA-2018-0001", "2018-03-14"), correctie, onderzoek]
    regels = historie(events, Z).regels
    assert [r.wat for r in regels] == [
        "Melding ontvangen",
        "Melding gecorrigeerd",
        "Onderzoek gestart",
    ]
    assert regels[1].details == ("land: Marokko → Pakistan", "Reden: typefout")
