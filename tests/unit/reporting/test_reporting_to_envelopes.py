"""The demo data set becomes contract envelopes: deterministic, and without personal data."""

from __future__ import annotations

import json
import re
from collections import Counter
from typing import Any

from deploy.demo.to_envelopes import STANDAARD, dataset_envelopes, laad_dataset, zaak_id_voor

Envelope = dict[str, Any]

SOURCES = {
    "gemeld": "intake",
    "gecorrigeerd": "intake",
    "ingetrokken": "intake",
    "adviesvraag_ontvangen": "intake",
    "onderzoek_gestart": "verification",
    "regieoverleg_gehouden": "verification",
    "geverifieerd": "verification",
    "nazorg_geregeld": "verification",
    "afgesloten": "verification",
    "bijstand_verleend": "consular",
    "afloop_vastgelegd": "consular",
}


def test_conversion_is_deterministic(envelopes: list[Envelope]) -> None:
    assert dataset_envelopes() == envelopes


def test_event_ids_are_unique_aggregate_versions(envelopes: list[Envelope]) -> None:
    ids = [e["event_id"] for e in envelopes]
    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(r"[0-9a-f-]{36}:\d+", i) for i in ids)


def test_every_envelope_has_the_contract_shape_and_source(envelopes: list[Envelope]) -> None:
    sleutels = {"event_id", "event_type", "contract_version", "source", "zaak_id",
                "recorded_at", "recorded_by", "data"}  # fmt: skip
    for envelope in envelopes:
        assert set(envelope) == sleutels
        assert envelope["source"] == SOURCES[envelope["event_type"]]


def test_no_personal_data_leaves_the_data_set(envelopes: list[Envelope]) -> None:
    tekst = json.dumps(envelopes, ensure_ascii=False)
    for verboden in ('"persoonsgegevens":', '"toelichting":', '"naam":', '"geboortedatum":',
                     "Testpersoon", "example.invalid", "Testadres", "+00 000"):  # fmt: skip
        assert verboden not in tekst


def test_the_data_set_holds_38_57_and_14_meldingen_plus_one_withdrawn(
    envelopes: list[Envelope],
) -> None:
    per_jaar = Counter(e["data"]["gemeld_op"][:4] for e in envelopes if e["event_type"] == "gemeld")
    assert per_jaar == {"2017": 38, "2018": 58, "2019": 14}


def test_personal_data_in_the_data_set_is_obviously_fake() -> None:
    for pad in STANDAARD:
        for zaak in laad_dataset(pad)["zaken"]:
            persoon = zaak["melding"]["persoonsgegevens"]
            assert re.fullmatch(r"Testpersoon \d{4}-\d{3}", persoon["naam"])
            assert (
                persoon["contactgegevens"] is None
                or "example.invalid" in persoon["contactgegevens"]
            )


def test_recording_hints_are_honoured(envelopes: list[Envelope]) -> None:
    laat = zaak_id_voor("LKHA-2018-058")
    [gemeld] = [e for e in envelopes if e["zaak_id"] == laat and e["event_type"] == "gemeld"]
    assert gemeld["recorded_at"] == "2019-01-03T09:30:00+00:00"
    assert gemeld["data"]["gemeld_op"] == "2018-12-27"


def test_a_correction_carries_the_previous_value(envelopes: list[Envelope]) -> None:
    zaak = zaak_id_voor("LKHA-2018-015")
    [correctie] = [
        e for e in envelopes if e["zaak_id"] == zaak and e["event_type"] == "gecorrigeerd"
    ]
    assert correctie["data"]["wijzigingen"] == {"onderwerp": "achterlating"}
    assert correctie["data"]["vorige"] == {"onderwerp": "huwelijksdwang"}
    assert correctie["recorded_at"].startswith("2019-02-04")


def test_steps_are_listed_in_the_order_they_happened() -> None:
    for pad in STANDAARD:
        for zaak in laad_dataset(pad)["zaken"]:
            data = [s.get("besloten_op") or s["datum"] for s in zaak["stappen"]]
            assert data == sorted(data), zaak["referentie"]
            assert all(d >= zaak["melding"]["gemeld_op"] for d in data), zaak["referentie"]
