"""The afloop (the users' "teruggekeerd"): only for an established case, once per episode."""

from __future__ import annotations

from datetime import date

import pytest

from services.consular.application import ConsularApplication
from services.consular.domain import OngeldigeWaarde, RegelGeschonden, ZaakNotFound
from tests.unit.consular.fakes import ZAAK, Stromen

TERUG = "teruggekeerd_met_ondersteuning"
DATUM = date(2018, 5, 20)


def test_rejects_an_afloop_before_the_melding_arrived(app: ConsularApplication) -> None:
    with pytest.raises(ZaakNotFound, match="not yet known here"):
        app.leg_afloop_vast(ZAAK, afloop=TERUG, datum=DATUM)


def test_rejects_a_return_before_verification(app: ConsularApplication, stromen: Stromen) -> None:
    stromen.melding()
    stromen.verification("onderzoek_gestart", {"datum": "2018-03-15"})
    with pytest.raises(RegelGeschonden, match="not verified yet"):
        app.leg_afloop_vast(ZAAK, afloop=TERUG, datum=DATUM)
    assert app.get_zaak(ZAAK).aflopen == []


@pytest.mark.parametrize("uitkomst", ["niet_vastgesteld", "onbekend", "geen_verblijfsrecht"])
def test_rejects_an_afloop_for_a_case_that_is_not_established(
    app: ConsularApplication, stromen: Stromen, uitkomst: str
) -> None:
    stromen.melding()
    stromen.geverifieerd(uitkomst)
    with pytest.raises(RegelGeschonden, match=rf"only for an established case.*{uitkomst}"):
        app.leg_afloop_vast(ZAAK, afloop="wil_geen_hulp", datum=DATUM)


@pytest.mark.parametrize(
    "afloop",
    [
        "teruggekeerd_met_ondersteuning",
        "teruggekeerd_na_inzet_lkha",
        "wil_geen_hulp",
        "niet_teruggekeerd",
    ],
)
def test_records_the_afloop_of_an_established_case(
    app: ConsularApplication, stromen: Stromen, afloop: str
) -> None:
    stromen.melding()
    stromen.geverifieerd("vastgesteld")
    uitslag = app.leg_afloop_vast(ZAAK, afloop=afloop, datum=DATUM)
    assert uitslag.zaak.afloop == {"afloop": afloop, "datum": DATUM, "versie": 3}


def test_a_herziening_to_vastgesteld_allows_the_afloop(
    app: ConsularApplication, stromen: Stromen
) -> None:
    stromen.melding()
    stromen.geverifieerd("onbekend", reden="geen_contactgegevens")
    stromen.geverifieerd("vastgesteld", besloten_op="2018-05-02", herziening=True)
    app.leg_afloop_vast(ZAAK, afloop=TERUG, datum=DATUM)
    zaak = app.get_zaak(ZAAK)
    assert zaak.herzien and zaak.besloten_op == date(2018, 5, 2)
    assert zaak.afloop is not None and zaak.afloop["afloop"] == TERUG


def test_rejects_a_second_afloop_unless_the_case_was_reopened(
    app: ConsularApplication, stromen: Stromen
) -> None:
    stromen.melding()
    stromen.geverifieerd()
    app.leg_afloop_vast(ZAAK, afloop=TERUG, datum=DATUM)
    with pytest.raises(RegelGeschonden, match=r"recorded already.*after the case is reopened"):
        app.leg_afloop_vast(ZAAK, afloop="wil_geen_hulp", datum=DATUM)
    stromen.verification("afgesloten", {"reden": "teruggekeerd", "datum": "2018-06-01"})
    with pytest.raises(RegelGeschonden, match="recorded already"):
        app.leg_afloop_vast(ZAAK, afloop="wil_geen_hulp", datum=DATUM)
    stromen.verification("heropend", {"reden": "nieuwe_hulpvraag", "datum": "2019-01-10"})
    app.leg_afloop_vast(ZAAK, afloop="niet_teruggekeerd", datum=date(2019, 2, 1))
    zaak = app.get_zaak(ZAAK)
    assert [a["afloop"] for a in zaak.aflopen] == [TERUG, "niet_teruggekeerd"]
    with pytest.raises(RegelGeschonden, match="recorded already"):
        app.leg_afloop_vast(ZAAK, afloop=TERUG, datum=date(2019, 3, 1))


def test_an_afloop_may_be_recorded_late_for_a_closed_case(
    app: ConsularApplication, stromen: Stromen
) -> None:
    stromen.melding()
    stromen.geverifieerd()
    stromen.verification("afgesloten", {"reden": "teruggekeerd", "datum": "2018-06-01"})
    app.leg_afloop_vast(ZAAK, afloop=TERUG, datum=DATUM)
    assert app.get_zaak(ZAAK).afloop is not None


@pytest.mark.parametrize(
    ("datum", "regel"),
    [(date(2019, 7, 1), "niet_in_de_toekomst"), (date(2018, 1, 1), "niet_voor_gemeld_op")],
)
def test_rejects_an_afloop_dated_in_the_future_or_before_gemeld_op(
    app: ConsularApplication, stromen: Stromen, datum: date, regel: str
) -> None:
    stromen.melding()
    stromen.geverifieerd()
    with pytest.raises(OngeldigeWaarde) as fout:
        app.leg_afloop_vast(ZAAK, afloop=TERUG, datum=datum)
    assert (fout.value.veld, fout.value.regel) == ("datum", regel)


def test_rejects_an_unknown_afloop(app: ConsularApplication, stromen: Stromen) -> None:
    stromen.melding()
    stromen.geverifieerd()
    with pytest.raises(OngeldigeWaarde, match="afloop must be one of"):
        app.leg_afloop_vast(ZAAK, afloop="teruggekeerd", datum=DATUM)


def test_rejects_an_afloop_for_a_withdrawn_melding(
    app: ConsularApplication, stromen: Stromen
) -> None:
    stromen.melding()
    stromen.geverifieerd()
    stromen.intake("ingetrokken", {"datum": "2018-04-05"})
    with pytest.raises(RegelGeschonden, match="withdrawn"):
        app.leg_afloop_vast(ZAAK, afloop=TERUG, datum=DATUM)


def test_a_retried_afloop_with_its_key_is_answered_not_refused(
    app: ConsularApplication, stromen: Stromen
) -> None:
    stromen.melding()
    stromen.geverifieerd()
    eerste = app.leg_afloop_vast(ZAAK, afloop=TERUG, datum=DATUM, sleutel="afloop-0001")
    retry = app.leg_afloop_vast(ZAAK, afloop=TERUG, datum=DATUM, sleutel="afloop-0001")
    assert eerste.nieuw and not retry.nieuw
    assert len(app.get_zaak(ZAAK).aflopen) == 1
    assert retry.zaak.version == eerste.zaak.version
