"""Every producer's examples go through every consumer's reader (tests may import across
services: this is where the contract between them is checked)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from deploy.contracts import PRODUCERS
from services.consular import readers as consular
from services.intake import readers as intake
from services.reporting import readers as reporting
from services.reporting.figures.envelope import BUSINESS_DATE_FIELD, parse_envelope
from services.verification import readers as verification
from shared.contracts import ContractRefused, Payload, Readers
from shared.messaging import IntegrationEvent

ZAAK = "5d0c2a51-8a55-4d3f-9a8e-2f1e0c5b7a10"
#: Per consumer, its readers of each producer.
CONSUMERS: dict[str, list[Readers]] = {
    "intake": [intake.VERIFICATION],
    "verification": [verification.INTAKE, verification.CONSULAR],
    "consular": [consular.INTAKE, consular.VERIFICATION],
    "reporting": list(reporting.READERS.values()),
}
EXAMPLES = [
    pytest.param(source, payload, example, id=f"{source}.{payload.event_type}[{n}]")
    for source, payloads in PRODUCERS.items()
    for payload in payloads
    for n, example in enumerate(payload.examples)
]
PAIRS = [
    pytest.param(consumer, readers, source, payload, example,
                 id=f"{consumer}<-{source}.{payload.event_type}[{n}]")
    for consumer, all_readers in CONSUMERS.items()
    for readers in all_readers
    for source, payloads in PRODUCERS.items()
    if source == readers.source
    for payload in payloads
    if payload.event_type in readers.event_types
    for n, example in enumerate(payload.examples)
]  # fmt: skip
READERS = [
    pytest.param(consumer, readers, id=f"{consumer}<-{readers.source}")
    for consumer, all_readers in CONSUMERS.items()
    for readers in all_readers
]


def envelope(source: str, payload: type[Payload], data: dict[str, Any], **extra: Any) -> Any:
    return IntegrationEvent(
        event_id=f"{ZAAK}:3",
        event_type=payload.event_type,
        source=source,
        zaak_id=ZAAK,
        recorded_at=datetime(2020, 1, 1, 12, tzinfo=UTC),
        data=data,
        **extra,
    )


def test_every_published_event_type_has_examples() -> None:
    for payloads in PRODUCERS.values():
        for payload in payloads:
            assert payload.examples, payload.event_type


@pytest.mark.parametrize(("source", "payload", "example"), EXAMPLES)
def test_an_example_is_what_its_producer_publishes(
    source: str, payload: type[Payload], example: dict[str, Any]
) -> None:
    assert payload.model_validate(example).data() == example


@pytest.mark.parametrize(("consumer", "readers", "source", "payload", "example"), PAIRS)
def test_every_consumer_reads_every_example_of_what_it_reads(
    consumer: str,
    readers: Readers,
    source: str,
    payload: type[Payload],
    example: dict[str, Any],
) -> None:
    gelezen = readers.read(envelope(source, payload, example))
    assert gelezen is not None, f"{consumer} cannot use {source} {payload.event_type}"
    # Every field the reader declares and the example carries is read with its value.
    for veld, waarde in gelezen.model_dump(mode="json").items():
        if veld in example and waarde not in (None, {}, []):
            assert waarde == example[veld] or isinstance(waarde, dict), (veld, waarde)


@pytest.mark.parametrize(("consumer", "readers"), READERS)
def test_a_consumer_reads_only_event_types_and_versions_that_are_published(
    consumer: str, readers: Readers
) -> None:
    published = {(p.event_type, p.contract_version) for p in PRODUCERS[readers.source]}
    assert set(readers.models) <= published


@pytest.mark.parametrize(("consumer", "readers"), READERS)
def test_an_unknown_contract_version_is_refused(consumer: str, readers: Readers) -> None:
    payloads = {p.event_type: p for p in PRODUCERS[readers.source]}
    for event_type in readers.event_types:
        payload = payloads[event_type]
        event = envelope(readers.source, payload, payload.examples[0], contract_version=2)
        with pytest.raises(ContractRefused, match="contract version 2"):
            readers.read(event)


@pytest.mark.parametrize(("source", "payload", "example"), EXAMPLES)
def test_reporting_folds_on_the_business_date_of_every_example(
    source: str, payload: type[Payload], example: dict[str, Any]
) -> None:
    """figures/envelope.py takes each event type's business date from its payload (falling
    back to recorded_at, in another year here): a renamed date field would show."""
    veld = BUSINESS_DATE_FIELD[payload.event_type]
    event = envelope(source, payload, example)
    body = {**event.__dict__, "recorded_at": event.recorded_at.isoformat()}
    parsed = parse_envelope(body)
    assert parsed is not None
    assert parsed.datum == date.fromisoformat(example[veld])
