"""Intake's rules, in memory (eventsourcing's default persistence): fast, no servers."""

from __future__ import annotations

import re
from datetime import date
from typing import Any
from uuid import uuid4

import pytest

from services.intake.application import (
    IdempotencyConflict,
    InMemoryReferenties,
    IntakeApplication,
    PersoonsgegevensGewist,
    VersieConflict,
)
from services.intake.domain import MeldingIngetrokken, MeldingNotFound, RegelGeschonden
from shared.crypto import InMemoryCaseKeys, KeyDestroyed

VANDAAG = date(2019, 6, 30)


def verzoek(**overrides: object) -> dict[str, object]:
    base: dict[str, object] = {
        "gemeld_op": date(2018, 3, 14),
        "onderwerp": "achterlating",
        "betrokkene": {"categorie": "minderjarige"},
        "land": "MA",
        "melder": {"type": "school"},
        "nationaliteit": "bipatride",
        "brp_ingeschreven": True,
        "verblijfsrecht": "ja",
        "bz_betrokken": True,
        "persoonsgegevens": {"naam": "Testpersoon Eta"},
        "toelichting": "vakantie",
    }
    base.update(overrides)
    return base


@pytest.fixture
def app() -> IntakeApplication:
    return IntakeApplication(
        cipher=InMemoryCaseKeys(),
        referenties=InMemoryReferenties(),
        vandaag=lambda: VANDAAG,
    )


def test_melding_gets_a_readable_referentie_that_counts_nothing(app: IntakeApplication) -> None:
    first = app.meld(melder_org="vt", idempotency_key="a", verzoek=verzoek())
    second = app.meld(melder_org="vt", idempotency_key="b", verzoek=verzoek())
    other_year = app.meld(
        melder_org="vt", idempotency_key="c", verzoek=verzoek(gemeld_op=date(2019, 1, 2))
    )
    leesbaar = re.compile(r"LKHA-2018-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}")
    assert leesbaar.fullmatch(first.referentie) and leesbaar.fullmatch(second.referentie)
    assert first.referentie != second.referentie
    assert other_year.referentie.startswith("LKHA-2019-")


def test_a_referentie_drawn_twice_is_drawn_again(app: IntakeApplication) -> None:
    trekkingen = iter(["LKHA-2018-AAAA-AAAA", "LKHA-2018-AAAA-AAAA", "LKHA-2018-BBBB-BBBB"])
    app.trek_referentie = lambda jaar: next(trekkingen)
    first = app.meld(melder_org="vt", idempotency_key="a", verzoek=verzoek())
    second = app.meld(melder_org="vt", idempotency_key="b", verzoek=verzoek())
    assert (first.referentie, second.referentie) == ("LKHA-2018-AAAA-AAAA", "LKHA-2018-BBBB-BBBB")


def test_same_idempotency_key_returns_the_first_answer_and_stores_nothing(
    app: IntakeApplication,
) -> None:
    first = app.meld(melder_org="vt", idempotency_key="k1", verzoek=verzoek())
    again = app.meld(melder_org="vt", idempotency_key="k1", verzoek=verzoek())
    assert again.zaak_id == first.zaak_id and again.referentie == first.referentie
    assert first.nieuw and not again.nieuw
    assert app.recorder.max_notification_id() == 1


def test_reused_idempotency_key_with_other_content_is_refused(app: IntakeApplication) -> None:
    app.meld(melder_org="vt", idempotency_key="k1", verzoek=verzoek())
    with pytest.raises(IdempotencyConflict):
        app.meld(melder_org="vt", idempotency_key="k1", verzoek=verzoek(land="PK"))


def test_the_same_key_from_another_agency_is_another_melding(app: IntakeApplication) -> None:
    a = app.meld(melder_org="vt", idempotency_key="k1", verzoek=verzoek())
    b = app.meld(melder_org="politie", idempotency_key="k1", verzoek=verzoek())
    assert a.zaak_id != b.zaak_id


def test_rejects_gemeld_op_in_the_future(app: IntakeApplication) -> None:
    with pytest.raises(RegelGeschonden, match="future"):
        app.meld(melder_org="vt", idempotency_key="f", verzoek=verzoek(gemeld_op=date(2019, 7, 1)))


def test_personal_data_is_stored_only_encrypted(app: IntakeApplication) -> None:
    result = app.meld(melder_org="vt", idempotency_key="p", verzoek=verzoek())
    stored = app.recorder.select_notifications(1, 10)
    assert b"Testpersoon" not in stored[0].state and b"vakantie" not in stored[0].state
    assert app.persoonsgegevens(result.zaak_id)["persoonsgegevens"]["naam"] == "Testpersoon Eta"


def test_destroying_the_case_key_makes_personal_data_unreadable(app: IntakeApplication) -> None:
    result = app.meld(melder_org="vt", idempotency_key="e", verzoek=verzoek())
    app.cipher.destroy(str(result.zaak_id))
    with pytest.raises(KeyDestroyed):
        app.persoonsgegevens(result.zaak_id)
    assert app.get_melding(result.zaak_id).onderwerp == "achterlating"


def test_correction_keeps_the_old_value_in_the_history(app: IntakeApplication) -> None:
    zaak = app.meld(melder_org="vt", idempotency_key="c", verzoek=verzoek()).zaak_id
    melding = app.corrigeer(
        zaak,
        wijzigingen={"onderwerp": "huwelijksdwang"},
        reden="verkeerde categorie",
        datum=date(2018, 5, 1),
    ).melding
    assert melding.onderwerp == "huwelijksdwang"
    assert melding.correcties[0]["vorige"] == {"onderwerp": "achterlating"}
    assert melding.version == 2


def test_correction_dated_before_the_melding_is_refused(app: IntakeApplication) -> None:
    zaak = app.meld(melder_org="vt", idempotency_key="c", verzoek=verzoek()).zaak_id
    with pytest.raises(RegelGeschonden, match="before gemeld_op"):
        app.corrigeer(zaak, wijzigingen={"land": "PK"}, reden="x", datum=date(2018, 1, 1))


def test_correction_of_an_unknown_field_is_refused(app: IntakeApplication) -> None:
    zaak = app.meld(melder_org="vt", idempotency_key="c", verzoek=verzoek()).zaak_id
    with pytest.raises(RegelGeschonden, match="only"):
        app.corrigeer(zaak, wijzigingen={"melder": {}}, reden="x", datum=date(2018, 5, 1))


def test_stale_version_is_refused(app: IntakeApplication) -> None:
    zaak = app.meld(melder_org="vt", idempotency_key="c", verzoek=verzoek()).zaak_id
    app.corrigeer(zaak, wijzigingen={"land": "PK"}, reden="x", datum=date(2018, 5, 1))
    with pytest.raises(VersieConflict):
        app.corrigeer(
            zaak, wijzigingen={"land": "SO"}, reden="y", datum=date(2018, 5, 2), verwachte_versie=1
        )


def test_withdrawn_melding_takes_no_corrections(app: IntakeApplication) -> None:
    zaak = app.meld(melder_org="vt", idempotency_key="w", verzoek=verzoek()).zaak_id
    app.trek_in(zaak, reden="dubbel gemeld", datum=date(2018, 4, 1))
    with pytest.raises(MeldingIngetrokken):
        app.corrigeer(zaak, wijzigingen={"land": "PK"}, reden="x", datum=date(2018, 5, 1))


def test_a_correction_s_reden_is_sealed_and_its_retry_gets_the_first_answer(
    app: IntakeApplication,
) -> None:
    """The fingerprint of the retry is an HMAC under the case's key, over the plain reden."""
    zaak = app.meld(melder_org="vt", idempotency_key="r", verzoek=verzoek()).zaak_id
    velden: dict[str, Any] = {
        "wijzigingen": {"onderwerp": "huwelijksdwang"},
        "reden": "Broer Kwak belde",
        "datum": date(2018, 5, 1),
    }
    first = app.corrigeer(zaak, **velden, sleutel="corr-1")
    again = app.corrigeer(zaak, **velden, sleutel="corr-1")
    assert first.nieuw and not again.nieuw and again.melding.version == first.melding.version
    stored = app.recorder.select_notifications(1, 10)
    assert len(stored) == 2 and all(b"Kwak" not in n.state for n in stored)
    token = again.melding.correcties[0]["reden"]
    assert app.ontsleutel(str(zaak), [token]) == ["Broer Kwak belde"]
    with pytest.raises(IdempotencyConflict):
        app.corrigeer(zaak, **{**velden, "reden": "iets anders"}, sleutel="corr-1")


def test_no_correction_or_withdrawal_once_the_case_key_is_deleted(app: IntakeApplication) -> None:
    zaak = app.meld(melder_org="vt", idempotency_key="w", verzoek=verzoek()).zaak_id
    app.cipher.destroy(str(zaak))
    with pytest.raises(PersoonsgegevensGewist):
        app.corrigeer(
            zaak, wijzigingen={"land": "PK"}, reden="nieuw", datum=date(2018, 5, 1), sleutel="x"
        )
    with pytest.raises(PersoonsgegevensGewist):
        app.trek_in(zaak, reden="vergissing", datum=date(2018, 5, 1))
    assert app.get_melding(zaak).version == 1  # nothing stored
    with pytest.raises(MeldingNotFound):  # an unknown case stays 404, not "erased"
        app.trek_in(uuid4(), reden="vergissing", datum=date(2018, 5, 1))
