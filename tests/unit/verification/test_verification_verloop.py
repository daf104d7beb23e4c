"""The rest of a case's life at verification: onderzoek, afsluiting, heropening, nazorg."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from uuid import UUID

import pytest
from eventsourcing.persistence import Tracking

from services.verification.application import VerificationApplication
from services.verification.domain import OngeldigeWaarde, RegelGeschonden
from shared.security.free_text import Inzage


def test_records_that_the_onderzoek_started(app: VerificationApplication, zaak: UUID) -> None:
    app.start_onderzoek(zaak, datum=date(2018, 3, 16))
    verwerkt = app.get_zaak(zaak)
    assert verwerkt.onderzoek_gestart_op == date(2018, 3, 16)
    assert verwerkt.stage == "open"


def test_the_onderzoek_starts_once(app: VerificationApplication, zaak: UUID) -> None:
    app.start_onderzoek(zaak, datum=date(2018, 3, 16))
    with pytest.raises(RegelGeschonden, match="already started on 2018-03-16"):
        app.start_onderzoek(zaak, datum=date(2018, 3, 20))


@pytest.mark.parametrize(
    ("datum", "regel"),
    [(date(2018, 3, 13), "niet_voor_gemeld_op"), (date(2019, 7, 1), "niet_in_de_toekomst")],
)
def test_business_dates_lie_between_gemeld_op_and_today(
    app: VerificationApplication, zaak: UUID, datum: date, regel: str
) -> None:
    stappen = [
        lambda: app.start_onderzoek(zaak, datum=datum),
        lambda: app.sluit_af(zaak, reden="doorverwezen", datum=datum),
        lambda: app.regel_nazorg(zaak, datum=datum, omschrijving="Opvang geregeld"),
    ]
    for stap in stappen:
        with pytest.raises(OngeldigeWaarde) as fout:
            stap()
        assert (fout.value.veld, fout.value.regel) == ("datum", regel)
    assert app.get_zaak(zaak).version == 1


def open_(app: VerificationApplication, zaak: UUID, token: str) -> str:
    """Free text is stored as ciphertext under the case's key; the LKHA reads it."""
    assert token.startswith("kp2:")
    (tekst,) = app.teksten.lees(str(zaak), [token], Inzage.volledig)
    return str(tekst)


def test_closing_a_case_keeps_its_reden_and_date(app: VerificationApplication, zaak: UUID) -> None:
    app.verifieer(zaak, uitkomst="vastgesteld", besloten_op=date(2018, 5, 1))
    app.sluit_af(
        zaak, reden="teruggekeerd", datum=date(2018, 9, 3), toelichting="Nazorg via de gemeente"
    )
    verwerkt = app.get_zaak(zaak)
    assert verwerkt.stage == "afgesloten"
    assert verwerkt.afgesloten_op == date(2018, 9, 3)
    (stap,) = verwerkt.verloop
    assert {**stap, "toelichting": open_(app, zaak, stap["toelichting"])} == {
        "soort": "afgesloten",
        "reden": "teruggekeerd",
        "datum": date(2018, 9, 3),
        "toelichting": "Nazorg via de gemeente",
    }


def test_an_unverified_case_can_be_closed(app: VerificationApplication, zaak: UUID) -> None:
    app.sluit_af(zaak, reden="niet_te_verifieren", datum=date(2018, 6, 1))
    assert app.get_zaak(zaak).stage == "afgesloten"


def test_a_closed_case_is_not_closed_again(app: VerificationApplication, zaak: UUID) -> None:
    app.sluit_af(zaak, reden="doorverwezen", datum=date(2018, 6, 1))
    with pytest.raises(RegelGeschonden, match="closed already on 2018-06-01"):
        app.sluit_af(zaak, reden="doorverwezen", datum=date(2018, 6, 2))


def test_rejects_an_unknown_reden_for_closing(app: VerificationApplication, zaak: UUID) -> None:
    with pytest.raises(OngeldigeWaarde, match="must be one of") as fout:
        app.sluit_af(zaak, reden="klaar", datum=date(2018, 6, 1))
    assert fout.value.veld == "reden"


def test_rejects_reopening_a_case_that_is_not_closed(
    app: VerificationApplication, zaak: UUID
) -> None:
    with pytest.raises(RegelGeschonden, match="only a closed case can be reopened"):
        app.heropen(zaak, reden="nieuwe_informatie", datum=date(2018, 6, 1))


def test_reopening_brings_the_case_back_to_its_stage(
    app: VerificationApplication, nieuwe_zaak: Callable[[], UUID]
) -> None:
    open_zaak = nieuwe_zaak()
    lopende_zaak = nieuwe_zaak()
    app.verifieer(lopende_zaak, uitkomst="vastgesteld", besloten_op=date(2018, 5, 1))
    for zaak in (open_zaak, lopende_zaak):
        app.sluit_af(zaak, reden="wil_geen_hulp", datum=date(2018, 6, 1))
        app.heropen(zaak, reden="nieuwe_hulpvraag", datum=date(2018, 7, 1))
    assert app.get_zaak(open_zaak).stage == "open"
    assert app.get_zaak(lopende_zaak).stage == "lopend"
    assert [s["soort"] for s in app.get_zaak(open_zaak).verloop] == ["afgesloten", "heropend"]


def test_a_heropening_is_not_dated_before_the_afsluiting(
    app: VerificationApplication, zaak: UUID
) -> None:
    app.sluit_af(zaak, reden="doorverwezen", datum=date(2018, 6, 1))
    with pytest.raises(OngeldigeWaarde, match="before the afsluiting 2018-06-01"):
        app.heropen(zaak, reden="nieuwe_informatie", datum=date(2018, 5, 31))


def test_an_afsluiting_is_not_dated_before_the_last_heropening(
    app: VerificationApplication, zaak: UUID
) -> None:
    app.sluit_af(zaak, reden="doorverwezen", datum=date(2018, 6, 1))
    app.heropen(zaak, reden="nieuwe_informatie", datum=date(2018, 7, 1))
    with pytest.raises(OngeldigeWaarde, match="before the heropening 2018-07-01"):
        app.sluit_af(zaak, reden="doorverwezen", datum=date(2018, 6, 30))


def test_nazorg_is_recorded_also_after_closing(app: VerificationApplication, zaak: UUID) -> None:
    app.sluit_af(zaak, reden="teruggekeerd", datum=date(2018, 9, 3))
    app.regel_nazorg(zaak, datum=date(2018, 9, 10), omschrijving="Opvang geregeld met de gemeente")
    (nazorg,) = app.get_zaak(zaak).nazorg
    assert nazorg["datum"] == date(2018, 9, 10)
    assert open_(app, zaak, nazorg["omschrijving"]) == "Opvang geregeld met de gemeente"


def test_nazorg_needs_an_omschrijving(app: VerificationApplication, zaak: UUID) -> None:
    with pytest.raises(OngeldigeWaarde, match="omschrijving"):
        app.regel_nazorg(zaak, datum=date(2018, 9, 10), omschrijving="  ")


def test_a_withdrawn_case_takes_no_further_steps(app: VerificationApplication, zaak: UUID) -> None:
    app.neem_intrekking_over(zaak, 2, Tracking("stream:INTAKE", 50))
    stappen = [
        lambda: app.start_onderzoek(zaak, datum=date(2018, 3, 16)),
        lambda: app.sluit_af(zaak, reden="overig", datum=date(2018, 6, 1)),
        lambda: app.regel_nazorg(zaak, datum=date(2018, 6, 1), omschrijving="Opvang"),
    ]
    for stap in stappen:
        with pytest.raises(RegelGeschonden, match="withdrawn"):
            stap()
    assert app.get_zaak(zaak).version == 2


def test_a_closed_case_takes_no_onderzoek(app: VerificationApplication, zaak: UUID) -> None:
    app.sluit_af(zaak, reden="doorverwezen", datum=date(2018, 6, 1))
    with pytest.raises(RegelGeschonden, match="reopen it before starting an onderzoek"):
        app.start_onderzoek(zaak, datum=date(2018, 6, 2))
