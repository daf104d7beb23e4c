"""The reference data set (deploy/demo) passes consular's rules step by step, and consular
publishes exactly its aid and afloop steps."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any
from uuid import NAMESPACE_URL, uuid5

from deploy.demo.to_envelopes import laad_dataset
from services.consular.application import ConsularApplication
from services.consular.contracts import to_integration_event
from tests.unit.consular.fakes import Stromen

DEMO = Path(__file__).parents[3] / "deploy" / "demo"
VERIFICATIE = {"onderzoek_gestart", "geverifieerd", "afgesloten", "heropend"}


def _speel_af(app: ConsularApplication, stromen: Stromen, zaak: dict[str, Any]) -> int:
    """Replay one case in step order; return how many consular steps it had."""
    zaak_id = uuid5(NAMESPACE_URL, f"test/{zaak['referentie']}")
    melding = zaak["melding"]
    stromen.melding(
        zaak_id,
        referentie=zaak["referentie"],
        gemeld_op=melding["gemeld_op"],
        onderwerp=melding["onderwerp"],
        betrokkene=melding["betrokkene"],
        land=melding["land"],
    )
    consulair = 0
    for stap in zaak["stappen"]:
        velden = {k: v for k, v in stap.items() if k not in ("actie", "recorded_at")}
        actie = stap["actie"]
        if actie in VERIFICATIE:
            stromen.verification(actie, velden, zaak_id)
        elif actie == "correctie":
            stromen.intake("gecorrigeerd", velden, zaak_id)
        elif actie == "ingetrokken":
            stromen.intake("ingetrokken", velden, zaak_id)
        elif actie == "bijstand":
            soort, post = velden.pop("soort"), velden.pop("post")
            datum = date.fromisoformat(velden.pop("datum"))
            app.verleen_bijstand(zaak_id, soort=soort, datum=datum, post=post, details=velden)
            consulair += 1
        elif actie == "afloop":
            app.leg_afloop_vast(
                zaak_id, afloop=velden["afloop"], datum=date.fromisoformat(velden["datum"])
            )
            consulair += 1
    return consulair


def test_every_aid_and_afloop_of_the_reference_data_passes_the_rules() -> None:
    app = ConsularApplication(vandaag=lambda: date(2019, 12, 31))
    stromen = Stromen(app)
    verwacht = 0
    for bestand in ("jaarcijfers_2017_2018.json", "meldingen_2019.json"):
        for zaak in laad_dataset(DEMO / bestand)["zaken"]:
            verwacht += _speel_af(app, stromen, zaak)
    notifications = app.recorder.select_notifications(1, 10_000)
    published = [to_integration_event(app.mapper.to_domain_event(n)) for n in notifications]
    soorten = [e.event_type for e in published if e is not None]
    assert len(soorten) == verwacht == 216
    assert soorten.count("afloop_vastgelegd") == 44
