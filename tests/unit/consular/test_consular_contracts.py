"""What consular publishes (docs/contracts.md): codes, amounts, dates and the post only."""

from __future__ import annotations

import json
from datetime import date

from services.consular.application import ConsularApplication
from services.consular.contracts import to_integration_event
from shared.messaging import IntegrationEvent
from tests.unit.consular.fakes import ZAAK, Stromen


def _published(app: ConsularApplication) -> list[IntegrationEvent]:
    notifications = app.recorder.select_notifications(1, 100)
    events = [to_integration_event(app.mapper.to_domain_event(n)) for n in notifications]
    return [e for e in events if e is not None]


def test_bijstand_and_afloop_are_published_with_codes_amounts_dates_and_post(
    app: ConsularApplication, stromen: Stromen
) -> None:
    stromen.melding()
    stromen.geverifieerd()
    app.verleen_bijstand(
        ZAAK,
        soort="noodfonds_uitgave",
        datum=date(2018, 4, 3),
        post="Rabat",
        details={"bedrag_cent": 79500, "doel": "tickets"},
        sleutel="geheim-sleutel-1",
    )
    app.leg_afloop_vast(ZAAK, afloop="teruggekeerd_met_ondersteuning", datum=date(2018, 5, 20))
    bijstand, afloop = _published(app)
    assert (bijstand.event_type, bijstand.zaak_id, bijstand.event_id) == (
        "bijstand_verleend",
        str(ZAAK),
        f"{ZAAK}:3",
    )
    assert bijstand.data == {
        "soort": "noodfonds_uitgave",
        "datum": "2018-04-03",
        "post": "Rabat",
        "bedrag_cent": 79500,
        "doel": "tickets",
    }
    assert bijstand.subject == "knooppunt.consular.v1.bijstand_verleend"
    assert afloop.event_type == "afloop_vastgelegd"
    assert afloop.data == {"afloop": "teruggekeerd_met_ondersteuning", "datum": "2018-05-20"}
    assert b"geheim-sleutel" not in bijstand.to_json()


def test_what_consular_mirrors_or_holds_back_is_not_published(
    app: ConsularApplication, stromen: Stromen
) -> None:
    stromen.geverifieerd()  # kept in the wachtrij
    stromen.melding()
    stromen.intake("gecorrigeerd", {"wijzigingen": {"land": "PK"}})
    stromen.intake("ingetrokken", {"datum": "2018-03-21"})
    assert app.recorder.max_notification_id() == 7
    assert _published(app) == []


def test_each_kind_of_aid_carries_only_its_own_fields(
    app: ConsularApplication, stromen: Stromen
) -> None:
    stromen.melding()
    app.verleen_bijstand(
        ZAAK,
        soort="contact_lokale_autoriteiten",
        datum=date(2018, 4, 3),
        post="Mogadishu",
        details={"antwoord": "geen_antwoord"},
    )
    app.verleen_bijstand(ZAAK, soort="voorlopige_voogdij", datum=date(2018, 4, 4), post="Rabat")
    contact, voogdij = _published(app)
    assert json.loads(contact.to_json())["data"] == {
        "soort": "contact_lokale_autoriteiten",
        "datum": "2018-04-03",
        "post": "Mogadishu",
        "antwoord": "geen_antwoord",
    }
    assert set(voogdij.data) == {"soort", "datum", "post"}
