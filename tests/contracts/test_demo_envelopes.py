"""The demo's envelopes (deploy/demo/to_envelopes.py, which feed reporting's unit tests) are
what the producers publish: each validates against its producer's payload model."""

from __future__ import annotations

from deploy.contracts import PRODUCERS
from deploy.demo.to_envelopes import dataset_envelopes


def test_every_demo_envelope_is_a_published_payload() -> None:
    models = {(s, p.event_type): p for s, payloads in PRODUCERS.items() for p in payloads}
    envelopes = dataset_envelopes()
    assert len(envelopes) > 500
    for envelope in envelopes:
        model = models[(envelope["source"], envelope["event_type"])]
        assert envelope["contract_version"] == model.contract_version
        assert model.model_validate(envelope["data"]).data() == envelope["data"], envelope
