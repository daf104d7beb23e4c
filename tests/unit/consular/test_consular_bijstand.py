"""Consular aid (bijstand): what can be recorded, when, and for whom. In memory."""

from __future__ import annotations

from datetime import date
from uuid import UUID

import pytest

from services.consular.application import ConsularApplication
from services.consular.domain import (
    IdempotencyConflict,
    OngeldigeWaarde,
    RegelGeschonden,
    VersieConflict,
    ZaakNotFound,
)
from tests.unit.consular.fakes import ZAAK, Stromen

DATUM = date(2018, 4, 2)


def test_rejects_aid_before_the_melding_arrived(app: ConsularApplication) -> None:
    with pytest.raises(ZaakNotFound, match="not yet known here"):
        app.verleen_bijstand(ZAAK, soort="bijstand_gestart", datum=DATUM, post="Rabat")


def test_records_each_kind_of_aid_with_its_own_fields(
    app: ConsularApplication, stromen: Stromen
) -> None:
    stromen.melding()
    soorten = [
        ("bijstand_gestart", {}),
        ("reisdocument_verstrekt", {"document": "laissez_passer"}),
        ("noodfonds_uitgave", {"bedrag_cent": 79500, "doel": "tickets"}),
        ("opvang_geregeld", {"via": "safehouse"}),
        ("contact_lokale_autoriteiten", {"antwoord": "geweigerd"}),
        ("vervangende_toestemming", {}),
        ("voorlopige_voogdij", {}),
    ]
    for soort, details in soorten:
        app.verleen_bijstand(ZAAK, soort=soort, datum=DATUM, post="Rabat", details=details)
    zaak = app.get_zaak(ZAAK)
    assert [b["soort"] for b in zaak.bijstand] == [s for s, _ in soorten]
    assert zaak.bijstand[2] == {
        "soort": "noodfonds_uitgave",
        "datum": DATUM,
        "post": "Rabat",
        "bedrag_cent": 79500,
        "doel": "tickets",
        "versie": 4,
    }
    assert zaak.bijstand[1]["document"] == "laissez_passer"


def test_noodfonds_total_sums_the_emergency_fund_payments(
    app: ConsularApplication, stromen: Stromen
) -> None:
    stromen.melding()
    for bedrag, doel in ((50500, "opvang"), (79500, "tickets")):
        app.verleen_bijstand(
            ZAAK,
            soort="noodfonds_uitgave",
            datum=DATUM,
            post="Rabat",
            details={"bedrag_cent": bedrag, "doel": doel},
        )
    app.verleen_bijstand(ZAAK, soort="bijstand_gestart", datum=DATUM, post="Rabat")
    assert app.get_zaak(ZAAK).noodfonds_totaal_cent == 130000


@pytest.mark.parametrize(
    ("datum", "regel"),
    [(date(2019, 7, 1), "niet_in_de_toekomst"), (date(2018, 3, 13), "niet_voor_gemeld_op")],
)
def test_rejects_aid_dated_in_the_future_or_before_gemeld_op(
    app: ConsularApplication, stromen: Stromen, datum: date, regel: str
) -> None:
    stromen.melding()
    with pytest.raises(OngeldigeWaarde) as fout:
        app.verleen_bijstand(ZAAK, soort="bijstand_gestart", datum=datum, post="Rabat")
    assert (fout.value.veld, fout.value.regel) == ("datum", regel)
    assert app.get_zaak(ZAAK).bijstand == []


def test_accepts_aid_on_gemeld_op_itself_and_today(
    app: ConsularApplication, stromen: Stromen
) -> None:
    stromen.melding()
    for datum in (date(2018, 3, 14), date(2019, 6, 30)):
        app.verleen_bijstand(ZAAK, soort="bijstand_gestart", datum=datum, post="Rabat")
    assert len(app.get_zaak(ZAAK).bijstand) == 2


@pytest.mark.parametrize(
    ("soort", "details", "veld", "regel"),
    [
        ("noodfonds_uitgave", {"doel": "tickets"}, "bedrag_cent", "verplicht"),
        ("noodfonds_uitgave", {"bedrag_cent": 0, "doel": "tickets"}, "bedrag_cent", "positief"),
        ("noodfonds_uitgave", {"bedrag_cent": 10, "doel": "hotel"}, "doel", "onbekende_code"),
        ("reisdocument_verstrekt", {"document": "visum"}, "document", "onbekende_code"),
        ("bijstand_gestart", {"via": "safehouse"}, "via", "niet_bij_deze_soort"),
        ("opvang_geregeld", {}, "via", "verplicht"),
        ("ondersteuning", {}, "soort", "onbekende_code"),
    ],
)
def test_rejects_aid_without_exactly_the_fields_of_its_kind(
    app: ConsularApplication,
    stromen: Stromen,
    soort: str,
    details: dict[str, object],
    veld: str,
    regel: str,
) -> None:
    stromen.melding()
    with pytest.raises(OngeldigeWaarde) as fout:
        app.verleen_bijstand(ZAAK, soort=soort, datum=DATUM, post="Rabat", details=details)
    assert fout.value.veld == veld and fout.value.regel.startswith(regel)


def test_rejects_aid_on_a_closed_case_until_it_is_reopened(
    app: ConsularApplication, stromen: Stromen
) -> None:
    stromen.melding()
    stromen.verification("afgesloten", {"reden": "overig", "datum": "2018-05-01"})
    with pytest.raises(RegelGeschonden, match=r"closed on 2018-05-01.*until it is reopened"):
        app.verleen_bijstand(ZAAK, soort="bijstand_gestart", datum=DATUM, post="Rabat")
    stromen.verification("heropend", {"reden": "nieuwe_hulpvraag", "datum": "2018-06-01"})
    app.verleen_bijstand(ZAAK, soort="bijstand_gestart", datum=DATUM, post="Rabat")
    assert len(app.get_zaak(ZAAK).bijstand) == 1


def test_rejects_aid_for_a_withdrawn_melding(app: ConsularApplication, stromen: Stromen) -> None:
    stromen.melding()
    stromen.intake("ingetrokken", {"datum": "2018-03-15"})
    with pytest.raises(RegelGeschonden, match="withdrawn"):
        app.verleen_bijstand(ZAAK, soort="bijstand_gestart", datum=DATUM, post="Rabat")


@pytest.mark.parametrize("soort", ["vervangende_toestemming", "voorlopige_voogdij"])
def test_court_permission_and_guardianship_only_for_a_minor(
    app: ConsularApplication, stromen: Stromen, soort: str
) -> None:
    volwassene = UUID(int=2)
    moeder = UUID(int=3)
    stromen.melding(volwassene, betrokkene={"categorie": "volwassene"})
    stromen.melding(moeder, betrokkene={"categorie": "moeder_met_minderjarige_kinderen"})
    with pytest.raises(RegelGeschonden, match="only for a case about a minor"):
        app.verleen_bijstand(volwassene, soort=soort, datum=DATUM, post="Rabat")
    app.verleen_bijstand(moeder, soort=soort, datum=DATUM, post="Rabat")
    assert [b["soort"] for b in app.get_zaak(moeder).bijstand] == [soort]
    assert app.get_zaak(volwassene).bijstand == []


def test_the_minor_rule_follows_intakes_correction_of_betrokkene(
    app: ConsularApplication, stromen: Stromen
) -> None:
    stromen.melding(betrokkene={"categorie": "volwassene"})
    stromen.intake(
        "gecorrigeerd",
        {
            "wijzigingen": {"betrokkene": {"categorie": "minderjarige"}},
            "vorige": {"betrokkene": {"categorie": "volwassene"}},
            "datum": "2018-03-20",
        },
    )
    app.verleen_bijstand(ZAAK, soort="voorlopige_voogdij", datum=DATUM, post="Rabat")
    assert app.get_zaak(ZAAK).bijstand[0]["soort"] == "voorlopige_voogdij"


def test_rejects_a_stale_if_match(app: ConsularApplication, stromen: Stromen) -> None:
    stromen.melding()
    app.verleen_bijstand(ZAAK, soort="bijstand_gestart", datum=DATUM, post="Rabat")
    with pytest.raises(VersieConflict, match="at versie 2, not 1"):
        app.verleen_bijstand(
            ZAAK, soort="bijstand_gestart", datum=DATUM, post="Rabat", verwachte_versie=1
        )
    uitslag = app.verleen_bijstand(
        ZAAK, soort="bijstand_gestart", datum=DATUM, post="Rabat", verwachte_versie=2
    )
    assert uitslag.zaak.version == 3


def test_same_idempotency_key_returns_the_first_answer_and_stores_nothing(
    app: ConsularApplication, stromen: Stromen
) -> None:
    stromen.melding()
    verzoek = {"soort": "opvang_geregeld", "datum": DATUM, "post": "Rabat"}
    eerste = app.verleen_bijstand(
        ZAAK, **verzoek, details={"via": "safehouse"}, sleutel="bijstand-0001"
    )
    app.verleen_bijstand(ZAAK, soort="bijstand_gestart", datum=DATUM, post="Rabat")
    # the retry names the If-Match of its first attempt: stale by now, still the first answer
    retry = app.verleen_bijstand(
        ZAAK, **verzoek, details={"via": "safehouse"}, sleutel="bijstand-0001", verwachte_versie=1
    )
    assert eerste.nieuw and not retry.nieuw
    assert retry.zaak.version == eerste.zaak.version == 2
    assert retry.zaak.bijstand == eerste.zaak.bijstand
    assert len(app.get_zaak(ZAAK).bijstand) == 2


def test_same_idempotency_key_with_another_request_is_refused(
    app: ConsularApplication, stromen: Stromen
) -> None:
    stromen.melding()
    app.verleen_bijstand(ZAAK, soort="bijstand_gestart", datum=DATUM, post="Rabat", sleutel="k-1")
    with pytest.raises(IdempotencyConflict):
        app.verleen_bijstand(
            ZAAK, soort="bijstand_gestart", datum=DATUM, post="Tunis", sleutel="k-1"
        )
    assert len(app.get_zaak(ZAAK).bijstand) == 1


def test_a_refused_request_keeps_its_key_free(app: ConsularApplication, stromen: Stromen) -> None:
    stromen.melding(betrokkene={"categorie": "volwassene"})
    with pytest.raises(RegelGeschonden):
        app.verleen_bijstand(
            ZAAK, soort="voorlopige_voogdij", datum=DATUM, post="Rabat", sleutel="k-2"
        )
    uitslag = app.verleen_bijstand(
        ZAAK, soort="bijstand_gestart", datum=DATUM, post="Rabat", sleutel="k-2"
    )
    assert uitslag.nieuw and uitslag.zaak.version == 2
