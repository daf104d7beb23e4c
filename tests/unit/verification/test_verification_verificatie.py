"""Verifying a case: the uitkomst with its reden or bevinding, and revising it later."""

from __future__ import annotations

from datetime import date
from uuid import UUID, uuid4

import pytest
from eventsourcing.persistence import Tracking

from services.verification.application import VerificationApplication
from services.verification.domain import OngeldigeWaarde, RegelGeschonden, ZaakNotFound


def test_rejects_verification_before_melding(app: VerificationApplication) -> None:
    with pytest.raises(ZaakNotFound, match="not yet known here"):
        app.verifieer(uuid4(), uitkomst="vastgesteld", besloten_op=date(2018, 5, 1))


def test_records_the_outcome_and_the_case_becomes_lopend(
    app: VerificationApplication, zaak: UUID
) -> None:
    assert app.get_zaak(zaak).stage == "open"
    uitslag = app.verifieer(
        zaak, uitkomst="niet_vastgesteld", bevinding="verhuizing", besloten_op=date(2018, 5, 1)
    )
    verwerkt = app.get_zaak(zaak)
    assert uitslag.nieuw and uitslag.waarde.version == 2
    assert verwerkt.stage == "lopend"
    assert verwerkt.verificatie is not None
    assert verwerkt.verificatie["uitkomst"] == "niet_vastgesteld"
    assert verwerkt.verificatie["bevinding"] == "verhuizing"
    assert verwerkt.verificatie["herziening"] is False


def test_the_onderwerp_as_established_defaults_to_the_melding(
    app: VerificationApplication, zaak: UUID
) -> None:
    app.verifieer(zaak, uitkomst="vastgesteld", besloten_op=date(2018, 5, 1))
    assert app.get_zaak(zaak).verificatie["onderwerp"] == "achterlating"  # type: ignore[index]


def test_the_onderwerp_as_established_may_differ_from_the_melding(
    app: VerificationApplication, zaak: UUID
) -> None:
    app.verifieer(
        zaak, uitkomst="vastgesteld", onderwerp="huwelijksdwang", besloten_op=date(2018, 5, 1)
    )
    verwerkt = app.get_zaak(zaak)
    assert verwerkt.verificatie["onderwerp"] == "huwelijksdwang"  # type: ignore[index]
    assert verwerkt.onderwerp == "achterlating"  # the melding itself is intake's to correct


@pytest.mark.parametrize(
    ("velden", "veld", "regel"),
    [
        ({"uitkomst": "onbekend"}, "reden", "reden_verplicht_bij_onbekend"),
        (
            {"uitkomst": "vastgesteld", "reden": "geen_medewerking"},
            "reden",
            "reden_alleen_bij_onbekend",
        ),
        (
            {"uitkomst": "niet_vastgesteld"},
            "bevinding",
            "bevinding_verplicht_bij_niet_vastgesteld",
        ),
        (
            {"uitkomst": "onbekend", "reden": "overig", "bevinding": "scheiding"},
            "bevinding",
            "bevinding_alleen_bij_niet_vastgesteld",
        ),
        ({"uitkomst": "misschien"}, "uitkomst", "onbekende_code"),
        ({"uitkomst": "onbekend", "reden": "weet_niet"}, "reden", "onbekende_code"),
        ({"uitkomst": "vastgesteld", "onderwerp": "ontvoering"}, "onderwerp", "onbekende_code"),
    ],
)
def test_uitkomst_and_its_reden_or_bevinding_must_fit_together(
    app: VerificationApplication, zaak: UUID, velden: dict[str, str], veld: str, regel: str
) -> None:
    with pytest.raises(OngeldigeWaarde) as fout:
        app.verifieer(zaak, besloten_op=date(2018, 5, 1), **velden)  # type: ignore[arg-type]
    assert (fout.value.veld, fout.value.regel) == (veld, regel)
    assert app.get_zaak(zaak).version == 1


def test_rejects_besloten_op_in_the_future(app: VerificationApplication, zaak: UUID) -> None:
    with pytest.raises(OngeldigeWaarde, match="future") as fout:
        app.verifieer(zaak, uitkomst="vastgesteld", besloten_op=date(2019, 7, 1))
    assert fout.value.veld == "besloten_op"


def test_rejects_besloten_op_before_gemeld_op(app: VerificationApplication, zaak: UUID) -> None:
    with pytest.raises(OngeldigeWaarde, match="before gemeld_op 2018-03-14") as fout:
        app.verifieer(zaak, uitkomst="vastgesteld", besloten_op=date(2018, 3, 13))
    assert fout.value.regel == "niet_voor_gemeld_op"


def test_a_second_verification_must_say_reden_herziening(
    app: VerificationApplication, zaak: UUID
) -> None:
    app.verifieer(
        zaak, uitkomst="onbekend", reden="geen_contactgegevens", besloten_op=date(2018, 5, 14)
    )
    with pytest.raises(RegelGeschonden, match="herziening needs a reden_herziening"):
        app.verifieer(zaak, uitkomst="vastgesteld", besloten_op=date(2018, 7, 2))


def test_the_first_verification_is_not_a_herziening(
    app: VerificationApplication, zaak: UUID
) -> None:
    with pytest.raises(RegelGeschonden, match="not a herziening"):
        app.verifieer(
            zaak,
            uitkomst="vastgesteld",
            besloten_op=date(2018, 5, 1),
            reden_herziening="nieuwe_informatie",
        )


def test_a_herziening_keeps_the_earlier_verification_in_the_history(
    app: VerificationApplication, zaak: UUID
) -> None:
    app.verifieer(
        zaak, uitkomst="onbekend", reden="geen_contactgegevens", besloten_op=date(2018, 5, 14)
    )
    app.verifieer(
        zaak,
        uitkomst="vastgesteld",
        besloten_op=date(2018, 7, 2),
        reden_herziening="alsnog_contact",
        toelichting="Via lokale ngo alsnog contact gelegd",
    )
    verwerkt = app.get_zaak(zaak)
    assert [v["uitkomst"] for v in verwerkt.verificaties] == ["onbekend", "vastgesteld"]
    assert verwerkt.verificatie is not None
    assert verwerkt.verificatie["herziening"] is True
    assert verwerkt.verificatie["reden_herziening"] == "alsnog_contact"
    assert verwerkt.verificaties[0]["reden"] == "geen_contactgegevens"


def test_a_herziening_may_not_predate_the_verification_it_revises(
    app: VerificationApplication, zaak: UUID
) -> None:
    app.verifieer(zaak, uitkomst="vastgesteld", besloten_op=date(2018, 5, 14))
    with pytest.raises(OngeldigeWaarde, match="before the verification") as fout:
        app.verifieer(
            zaak,
            uitkomst="zelf_teruggekeerd",
            besloten_op=date(2018, 5, 13),
            reden_herziening="onjuist_vastgelegd",
        )
    assert fout.value.regel == "niet_voor_vorige_stap"


def test_rejects_verification_of_a_withdrawn_case(app: VerificationApplication, zaak: UUID) -> None:
    app.neem_intrekking_over(zaak, 2, Tracking("stream:INTAKE", 99))
    with pytest.raises(RegelGeschonden, match="withdrawn"):
        app.verifieer(zaak, uitkomst="vastgesteld", besloten_op=date(2018, 5, 1))


def test_rejects_verification_of_a_closed_case(app: VerificationApplication, zaak: UUID) -> None:
    app.sluit_af(zaak, reden="niet_te_verifieren", datum=date(2018, 6, 1))
    with pytest.raises(RegelGeschonden, match="closed on 2018-06-01: reopen it"):
        app.verifieer(zaak, uitkomst="vastgesteld", besloten_op=date(2018, 6, 2))


def test_a_reopened_case_can_be_revised(app: VerificationApplication, zaak: UUID) -> None:
    app.verifieer(zaak, uitkomst="onbekend", reden="geen_medewerking", besloten_op=date(2018, 5, 1))
    app.sluit_af(zaak, reden="niet_te_verifieren", datum=date(2018, 6, 1))
    app.heropen(zaak, reden="nieuwe_informatie", datum=date(2018, 8, 1))
    app.verifieer(
        zaak,
        uitkomst="vastgesteld",
        besloten_op=date(2018, 8, 2),
        reden_herziening="nieuwe_informatie",
    )
    assert app.get_zaak(zaak).stage == "lopend"
