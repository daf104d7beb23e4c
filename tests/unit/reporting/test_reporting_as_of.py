"""The two kinds of "as of": peildatum (business time) and registratie_tot (recorded time).

Expected numbers are hand-derived from the case list in deploy/demo/README.md (published
2018 figures plus the documented 2019 developments, late records and the correction).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

from services.reporting.figures import ZaakStaat, jaarcijfers_uit_events, zaken_as_of

Envelope = dict[str, Any]

GECORRIGEERD_ONDERWERP = "LKHA-2018-015"
LAAT_GEVERIFIEERD = "LKHA-2018-052"
LAAT_GEMELD = "LKHA-2018-058"
HERZIEN = "LKHA-2018-014"
INGETROKKEN = "LKHA-2018-035"


def rijen(rapport: dict[str, Any], nummer: int) -> list[int]:
    tabel = next(t for t in rapport["tabellen"] if t["nummer"] == nummer)
    return [r["aantal"] for r in tabel["rijen"]]


def test_as_of_30_june_2019_the_2018_cases_verified_in_2019_move_out_of_open(
    envelopes: list[Envelope],
) -> None:
    rapport = jaarcijfers_uit_events(envelopes, 2018, peildatum=date(2019, 6, 30))
    assert rapport["totaal"] == 57
    assert rijen(rapport, 1) == [10, 4, 39, 4]
    assert rijen(rapport, 2) == [7, 2, 1]
    assert rijen(rapport, 3) == [6, 1]
    assert rijen(rapport, 4) == [3, 1, 0]
    assert rijen(rapport, 5) == [12, 5, 12, 1, 8, 1]
    assert rijen(rapport, 6) == [12, 5]
    assert rijen(rapport, 7) == [2, 2, 1, 6, 1]
    assert rijen(rapport, 8) == [5, 3]


def test_as_of_30_june_2019_the_2017_comparison_uses_30_june_2018(
    envelopes: list[Envelope],
) -> None:
    rapport = jaarcijfers_uit_events(envelopes, 2018, peildatum=date(2019, 6, 30))
    assert rapport["vorig_jaar"]["peildatum"] == "2018-06-30"
    assert rapport["vorig_jaar"]["totaal"] == 38


def test_registratie_tot_new_year_gives_the_figures_before_late_records_and_correction(
    envelopes: list[Envelope],
) -> None:
    rapport = jaarcijfers_uit_events(
        envelopes, 2018, registratie_tot=datetime(2019, 1, 1, tzinfo=UTC)
    )
    assert rapport["registratie_tot"] == "2019-01-01T00:00:00+00:00"
    assert rapport["totaal"] == 56
    assert rijen(rapport, 1) == [11, 4, 37, 4]
    assert rijen(rapport, 2) == [7, 1, 3]
    assert rijen(rapport, 3) == [6, 1]
    assert rijen(rapport, 5) == [10, 4, 10, 1, 6, 6]
    assert rijen(rapport, 6) == [10, 4]
    assert rijen(rapport, 7) == [2, 2, 1, 4, 1]
    assert rapport["per_betrokkene"]["volwassene"]["totaal"] == 26
    assert rapport["per_betrokkene"]["volwassene"]["per_onderwerp"]["huwelijksdwang"] == 7
    assert rapport["per_betrokkene"]["volwassene"]["per_onderwerp"]["achterlating"] == 15
    assert rapport["vorig_jaar"]["verschil"]["totaal"] == 18


def test_registratie_tot_before_the_correction_gives_the_old_onderwerp(
    envelopes: list[Envelope],
) -> None:
    rapport = jaarcijfers_uit_events(
        envelopes, 2018, registratie_tot=datetime(2019, 1, 15, tzinfo=UTC)
    )
    assert rapport["totaal"] == 57
    assert rijen(rapport, 1) == [11, 4, 38, 4]
    assert rijen(rapport, 2) == [7, 1, 3]
    assert rijen(rapport, 5) == [10, 4, 11, 1, 6, 6]


def test_registratie_tot_after_the_correction_gives_the_published_figures(
    envelopes: list[Envelope],
) -> None:
    rapport = jaarcijfers_uit_events(
        envelopes, 2018, registratie_tot=datetime(2019, 3, 1, tzinfo=UTC)
    )
    assert rijen(rapport, 1) == [10, 4, 39, 4]
    assert rijen(rapport, 5) == [11, 4, 11, 1, 6, 6]


def test_a_correction_applies_retroactively_to_an_earlier_peildatum(
    zaken: Callable[..., list[ZaakStaat]],
) -> None:
    zaak = next(z for z in zaken(date(2018, 6, 30)) if z.referentie == GECORRIGEERD_ONDERWERP)
    assert zaak.onderwerp == "achterlating"
    assert zaak.gecorrigeerd == ("onderwerp",)
    oud = zaken(date(2018, 6, 30), datetime(2019, 2, 1, tzinfo=UTC))
    zaak_toen = next(z for z in oud if z.referentie == GECORRIGEERD_ONDERWERP)
    assert zaak_toen.onderwerp == "huwelijksdwang"
    assert zaak_toen.onderwerp_vastgesteld == "achterlating"


def test_a_late_recorded_verification_counts_on_its_business_date(
    zaken: Callable[..., list[ZaakStaat]],
) -> None:
    nu = next(z for z in zaken(date(2018, 12, 31)) if z.referentie == LAAT_GEVERIFIEERD)
    assert (nu.uitkomst, nu.bevinding) == ("niet_vastgesteld", "verhuizing")
    toen = zaken(date(2018, 12, 31), datetime(2019, 1, 8, tzinfo=UTC))
    assert next(z for z in toen if z.referentie == LAAT_GEVERIFIEERD).uitkomst == "open"


def test_a_late_recorded_melding_counts_in_its_own_year(
    zaken: Callable[..., list[ZaakStaat]],
) -> None:
    assert LAAT_GEMELD in {z.referentie for z in zaken(date(2018, 12, 31), jaar=2018)}
    toen = zaken(date(2018, 12, 31), datetime(2019, 1, 2, tzinfo=UTC), jaar=2018)
    assert LAAT_GEMELD not in {z.referentie for z in toen}


def test_a_herziening_replaces_the_outcome_from_its_besloten_op(
    zaken: Callable[..., list[ZaakStaat]],
) -> None:
    voor = next(z for z in zaken(date(2018, 7, 1)) if z.referentie == HERZIEN)
    na = next(z for z in zaken(date(2018, 7, 2)) if z.referentie == HERZIEN)
    assert (voor.uitkomst, voor.reden, voor.herzien) == ("onbekend", "geen_contactgegevens", False)
    assert (na.uitkomst, na.reden, na.herzien) == ("vastgesteld", None, True)
    assert na.verificatie_datum == date(2018, 5, 14)
    assert na.uitkomst_besloten_op == date(2018, 7, 2)


def test_a_case_is_not_a_melding_before_its_gemeld_op(
    zaken: Callable[..., list[ZaakStaat]],
) -> None:
    assert len(zaken(date(2017, 12, 31), jaar=2017)) == 38
    assert zaken(date(2017, 12, 31), jaar=2018) == []
    assert len(zaken(date(2018, 6, 30), jaar=2018)) < 57


def test_shuffled_envelopes_give_the_same_result(envelopes: list[Envelope]) -> None:
    geschud = list(envelopes)
    random.Random(7).shuffle(geschud)
    for peildatum in (date(2018, 12, 31), date(2019, 6, 30)):
        assert zaken_as_of(geschud, peildatum) == zaken_as_of(envelopes, peildatum)
    assert jaarcijfers_uit_events(geschud, 2018) == jaarcijfers_uit_events(envelopes, 2018)


def test_redelivered_envelopes_are_counted_once(envelopes: list[Envelope]) -> None:
    assert zaken_as_of(envelopes + envelopes[:200], date(2018, 12, 31)) == zaken_as_of(
        envelopes, date(2018, 12, 31)
    )


def test_the_withdrawn_melding_is_counted_nowhere(
    envelopes: list[Envelope], zaken: Callable[..., list[ZaakStaat]]
) -> None:
    assert any(e["event_type"] == "ingetrokken" for e in envelopes)
    for peildatum in (date(2018, 8, 8), date(2018, 12, 31), date(2019, 6, 30)):
        assert INGETROKKEN not in {z.referentie for z in zaken(peildatum)}


def test_adviesvragen_are_never_meldingen(
    envelopes: list[Envelope], zaken: Callable[..., list[ZaakStaat]]
) -> None:
    advies = {e["zaak_id"] for e in envelopes if e["event_type"] == "adviesvraag_ontvangen"}
    assert len(advies) == 3
    assert advies.isdisjoint({z.zaak_id for z in zaken(date(2019, 6, 30))})
    assert len(zaken(date(2019, 6, 30))) == 38 + 57 + 14
