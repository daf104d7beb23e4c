"""What verification publishes: the contract's event types and fields, codes and dates only."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from services.verification.application import VerificationApplication
from services.verification.contracts import EVENT_TYPES, to_integration_event
from shared.messaging import IntegrationEvent

GEHEIM = "GEHEIM"


def published(app: VerificationApplication) -> list[IntegrationEvent]:
    events = []
    for notification in app.recorder.select_notifications(1, 1000):
        envelope = to_integration_event(app.mapper.to_domain_event(notification))
        if envelope is not None:
            events.append(envelope)
    return events


def een_volledige_zaak(app: VerificationApplication, zaak: UUID) -> None:
    app.start_onderzoek(zaak, datum=date(2018, 3, 16))
    overleg = app.houd_regieoverleg(
        datum=date(2018, 4, 16),
        deelnemers=["lkha", "bz"],
        zaken=[
            {
                "zaak_id": str(zaak),
                "besluiten": [f"{GEHEIM} besluit"],
                "acties": [
                    {
                        "eigenaar": "bz",
                        "omschrijving": f"{GEHEIM} actie",
                        "deadline": date(2018, 4, 19),
                    }
                ],
            }
        ],
    ).waarde
    app.rond_actie_af(overleg.id, UUID(next(iter(overleg.acties))), datum=date(2018, 4, 18))
    app.verifieer(
        zaak,
        uitkomst="onbekend",
        reden="geen_contactgegevens",
        besloten_op=date(2018, 5, 14),
        toelichting=f"{GEHEIM} toelichting",
    )
    app.verifieer(
        zaak,
        uitkomst="vastgesteld",
        onderwerp="huwelijksdwang_en_achterlating",
        besloten_op=date(2018, 7, 2),
        reden_herziening="alsnog_contact",
        toelichting=f"{GEHEIM} herziening",
    )
    app.sluit_af(zaak, reden="teruggekeerd", datum=date(2018, 9, 3), toelichting=f"{GEHEIM} a")
    app.heropen(zaak, reden="nieuwe_hulpvraag", datum=date(2018, 10, 1), toelichting=GEHEIM)
    app.regel_nazorg(zaak, datum=date(2018, 10, 2), omschrijving=f"{GEHEIM} nazorg")


def test_publishes_every_step_in_the_contract_s_words(
    app: VerificationApplication, zaak: UUID
) -> None:
    een_volledige_zaak(app, zaak)
    soorten = [e.event_type for e in published(app)]
    assert soorten == [
        "onderzoek_gestart",
        "regieoverleg_gehouden",
        "actie_afgerond",
        "geverifieerd",
        "geverifieerd",
        "afgesloten",
        "heropend",
        "nazorg_geregeld",
    ]
    assert set(soorten) == set(EVENT_TYPES)


def test_no_free_text_leaves_the_service(app: VerificationApplication, zaak: UUID) -> None:
    een_volledige_zaak(app, zaak)
    for event in published(app):
        assert GEHEIM.encode() not in event.to_json(), event.event_type


def test_the_mirrored_melding_is_not_republished(app: VerificationApplication, zaak: UUID) -> None:
    assert published(app) == []


def test_geverifieerd_carries_the_outcome_and_the_herziening(
    app: VerificationApplication, zaak: UUID
) -> None:
    een_volledige_zaak(app, zaak)
    eerste, herziening = [e for e in published(app) if e.event_type == "geverifieerd"]
    assert eerste.zaak_id == str(zaak)
    assert eerste.event_id == f"{zaak}:3"
    assert eerste.data == {
        "uitkomst": "onbekend",
        "reden": "geen_contactgegevens",
        "bevinding": None,
        "onderwerp": "achterlating",
        "besloten_op": "2018-05-14",
        "herziening": False,
        "reden_herziening": None,
    }
    assert herziening.data["herziening"] is True
    assert herziening.data["reden_herziening"] == "alsnog_contact"
    assert herziening.data["onderwerp"] == "huwelijksdwang_en_achterlating"


def test_the_lifecycle_events_carry_codes_and_dates(
    app: VerificationApplication, zaak: UUID
) -> None:
    een_volledige_zaak(app, zaak)
    data = {e.event_type: e.data for e in published(app)}
    assert data["onderzoek_gestart"] == {"datum": "2018-03-16"}
    assert data["afgesloten"] == {"reden": "teruggekeerd", "datum": "2018-09-03"}
    assert data["heropend"] == {"reden": "nieuwe_hulpvraag", "datum": "2018-10-01"}
    assert data["nazorg_geregeld"] == {"datum": "2018-10-02"}


def test_a_regieoverleg_is_not_about_one_case_but_lists_its_cases(
    app: VerificationApplication, zaak: UUID
) -> None:
    een_volledige_zaak(app, zaak)
    events = {e.event_type: e for e in published(app)}
    overleg = events["regieoverleg_gehouden"]
    assert overleg.zaak_id is None
    (besproken,) = overleg.data["zaken"]
    assert besproken["zaak_id"] == str(zaak)
    assert besproken["aantal_besluiten"] == 1
    (actie,) = besproken["acties"]
    assert set(actie) == {"actie_id", "eigenaar", "deadline"}
    afgerond = events["actie_afgerond"]
    assert afgerond.zaak_id == str(zaak)
    assert afgerond.data == {
        "overleg_id": overleg.data["overleg_id"],
        "actie_id": actie["actie_id"],
        "datum": "2018-04-18",
    }
