"""The regieoverleg: a record of its own, with per case its besluiten and acties."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID, uuid4

import pytest
from eventsourcing.persistence import Tracking

from services.verification.application import Uitslag, VerificationApplication
from services.verification.domain import (
    ActieNotFound,
    IdempotencyConflict,
    OngeldigeWaarde,
    RegelGeschonden,
    Regieoverleg,
    ZaakNotFound,
)
from shared.security.free_text import Inzage


def overleg(zaak: UUID, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "datum": date(2018, 4, 16),
        "deelnemers": ["lkha", "bz"],
        "zaken": [
            {
                "zaak_id": str(zaak),
                "besluiten": ["BZ verifieert nationaliteit en verblijfplaats via de post"],
                "acties": [
                    {
                        "eigenaar": "bz",
                        "omschrijving": "Post legt contact met betrokkene",
                        "deadline": date(2018, 4, 19),
                    },
                    {
                        "eigenaar": "lkha",
                        "omschrijving": "Opvangplek in Nederland regelen",
                        "deadline": date(2018, 4, 30),
                    },
                ],
            }
        ],
    }
    body.update(overrides)
    return body


def test_records_a_regieoverleg_with_its_besluiten_and_acties(
    app: VerificationApplication, zaak: UUID
) -> None:
    uitslag = app.houd_regieoverleg(**overleg(zaak))
    gehouden = app.get_regieoverleg(uitslag.waarde.id)
    assert gehouden.datum == date(2018, 4, 16)
    assert gehouden.deelnemers == ["lkha", "bz"]
    besluiten = gehouden.zaken[0]["besluiten"]
    assert besluiten[0].startswith("kp2:")  # free text: stored under the case's key only
    assert app.teksten.lees(str(zaak), besluiten, Inzage.volledig) == [
        "BZ verifieert nationaliteit en verblijfplaats via de post"
    ]
    acties = list(gehouden.acties.values())
    assert [(a["eigenaar"], a["zaak_id"], a["afgerond_op"]) for a in acties] == [
        ("bz", str(zaak), None),
        ("lkha", str(zaak), None),
    ]


def test_discusses_only_cases_known_here(app: VerificationApplication, zaak: UUID) -> None:
    onbekend = uuid4()
    zaken = [*overleg(zaak)["zaken"], {"zaak_id": str(onbekend), "besluiten": [], "acties": []}]
    with pytest.raises(ZaakNotFound, match=str(onbekend)):
        app.houd_regieoverleg(**overleg(zaak, zaken=zaken))
    assert app.recorder.max_notification_id() == 1


def test_does_not_discuss_a_withdrawn_case(app: VerificationApplication, zaak: UUID) -> None:
    app.neem_intrekking_over(zaak, 2, Tracking("stream:INTAKE", 9))
    with pytest.raises(RegelGeschonden, match="withdrawn"):
        app.houd_regieoverleg(**overleg(zaak))


@pytest.mark.parametrize(
    ("wijziging", "veld", "regel"),
    [
        ({"datum": date(2019, 7, 1)}, "datum", "niet_in_de_toekomst"),
        ({"datum": date(2018, 3, 13)}, "datum", "niet_voor_gemeld_op"),
        ({"deelnemers": []}, "deelnemers", "verplicht"),
        ({"deelnemers": ["lkha", "lkha"]}, "deelnemers", "uniek"),
        ({"deelnemers": ["lkha", "fbi"]}, "deelnemers.1", "onbekende_code"),
        ({"zaken": []}, "zaken", "verplicht"),
    ],
)
def test_rejects_a_regieoverleg_that_breaks_a_rule(
    app: VerificationApplication, zaak: UUID, wijziging: dict[str, Any], veld: str, regel: str
) -> None:
    with pytest.raises(OngeldigeWaarde) as fout:
        app.houd_regieoverleg(**overleg(zaak, **wijziging))
    assert (fout.value.veld, fout.value.regel) == (veld, regel)


def test_an_actie_has_an_owner_and_a_deadline_not_before_the_overleg(
    app: VerificationApplication, zaak: UUID
) -> None:
    def met_actie(**actie: Any) -> dict[str, Any]:
        volledig = {"eigenaar": "bz", "omschrijving": "Bellen", "deadline": date(2018, 4, 20)}
        volledig.update(actie)
        return overleg(zaak, zaken=[{"zaak_id": str(zaak), "acties": [volledig]}])

    with pytest.raises(OngeldigeWaarde) as fout:
        app.houd_regieoverleg(**met_actie(deadline=date(2018, 4, 15)))
    assert (fout.value.veld, fout.value.regel) == (
        "zaken.0.acties.0.deadline",
        "niet_voor_vorige_stap",
    )
    with pytest.raises(OngeldigeWaarde) as fout:
        app.houd_regieoverleg(**met_actie(eigenaar="niemand"))
    assert fout.value.veld == "zaken.0.acties.0.eigenaar"


def test_a_case_is_named_once_per_regieoverleg(app: VerificationApplication, zaak: UUID) -> None:
    dubbel = overleg(zaak)["zaken"] * 2
    with pytest.raises(OngeldigeWaarde, match="once"):
        app.houd_regieoverleg(**overleg(zaak, zaken=dubbel))


def test_an_actie_is_marked_done_once(app: VerificationApplication, zaak: UUID) -> None:
    gehouden = app.houd_regieoverleg(**overleg(zaak)).waarde
    actie_id = UUID(next(iter(gehouden.acties)))
    app.rond_actie_af(gehouden.id, actie_id, datum=date(2018, 4, 18))
    assert app.get_regieoverleg(gehouden.id).acties[str(actie_id)]["afgerond_op"] == date(
        2018, 4, 18
    )
    with pytest.raises(RegelGeschonden, match="done already on 2018-04-18"):
        app.rond_actie_af(gehouden.id, actie_id, datum=date(2018, 4, 19))


def test_an_actie_is_not_done_before_the_overleg(app: VerificationApplication, zaak: UUID) -> None:
    gehouden = app.houd_regieoverleg(**overleg(zaak)).waarde
    actie_id = UUID(next(iter(gehouden.acties)))
    with pytest.raises(OngeldigeWaarde, match="before the regieoverleg"):
        app.rond_actie_af(gehouden.id, actie_id, datum=date(2018, 4, 15))


def test_an_unknown_actie_is_not_found(app: VerificationApplication, zaak: UUID) -> None:
    gehouden = app.houd_regieoverleg(**overleg(zaak)).waarde
    with pytest.raises(ActieNotFound):
        app.rond_actie_af(gehouden.id, uuid4(), datum=date(2018, 4, 18))


def test_the_same_key_records_the_regieoverleg_once(
    app: VerificationApplication, zaak: UUID
) -> None:
    eerste = app.houd_regieoverleg(**overleg(zaak), sleutel="overleg-2018-04-16")
    opgeslagen = app.recorder.max_notification_id()
    herhaald = app.houd_regieoverleg(**overleg(zaak), sleutel="overleg-2018-04-16")
    assert eerste.nieuw and not herhaald.nieuw
    assert herhaald.waarde.id == eerste.waarde.id
    assert list(herhaald.waarde.acties) == list(eerste.waarde.acties)
    assert app.recorder.max_notification_id() == opgeslagen
    with pytest.raises(IdempotencyConflict):
        app.houd_regieoverleg(
            **overleg(zaak, datum=date(2018, 4, 17)), sleutel="overleg-2018-04-16"
        )


def test_the_same_key_marks_an_actie_done_once(app: VerificationApplication, zaak: UUID) -> None:
    gehouden = app.houd_regieoverleg(**overleg(zaak)).waarde
    actie_id = UUID(next(iter(gehouden.acties)))

    def rond_af() -> Uitslag[Regieoverleg]:
        return app.rond_actie_af(
            gehouden.id, actie_id, datum=date(2018, 4, 18), sleutel="afgerond-1"
        )

    assert rond_af().nieuw
    assert not rond_af().nieuw
    assert app.get_regieoverleg(gehouden.id).version == 2
