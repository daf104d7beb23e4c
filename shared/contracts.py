"""Published contracts in code: the bases of a producer's payloads and a consumer's readers.

A producer owns the integration events it publishes (services/<producer>/contracts/): one
payload model per event type, with its contract version and examples. The models build the
``data`` of the envelope, and docs/contracts.md and docs/contracts/*.json are generated from
them (``make contracts``). A consumer reads with models of its own (services/<consumer>/
readers.py): they ignore fields they do not know, and a consumer accepts only the contract
versions it knows. An event of a known type in another version is refused
(:class:`ContractRefused`): the consumer parks it (shared/parking.py) and goes on.

``contract_version`` is the major version: a field added to a payload keeps it (readers ignore
what they do not know); a field removed, renamed or changed in meaning raises it.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from typing import Annotated, Any, ClassVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, ValidationError, model_serializer
from pydantic_core.core_schema import SerializerFunctionWrapHandler

from shared.messaging import IntegrationEvent

log = logging.getLogger(__name__)


class Payload(BaseModel):
    """The ``data`` of one published event type, as its producer guarantees it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    #: The event type this model is the payload of (the last part of the subject).
    event_type: ClassVar[str]
    #: The major version of this event type's payload (the ``v<N>`` of the subject).
    contract_version: ClassVar[int] = 1
    #: Example payloads as they travel (JSON); every consumer's reader must read them.
    examples: ClassVar[tuple[dict[str, Any], ...]] = ()

    def data(self) -> dict[str, Any]:
        """The payload as it travels: JSON values, dates as ISO ``YYYY-MM-DD``."""
        return self.model_dump(mode="json")

    @classmethod
    def json_schema(cls) -> dict[str, Any]:
        """The published JSON Schema of this payload, with its examples."""
        schema = cls.model_json_schema()
        schema["x-event-type"] = cls.event_type
        schema["x-contract-version"] = cls.contract_version
        schema["examples"] = list(cls.examples)
        return schema


class Part(BaseModel):
    """A nested part of a payload."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class WithoutEmpty(Part):
    """A nested part of a payload whose fields are left out when they have no value."""

    @model_serializer(mode="wrap")
    def _without_empty(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        return {k: v for k, v in handler(self).items() if v is not None}


def envelope(payload: Payload, event: Any, *, source: str, zaak_id: str | None) -> IntegrationEvent:
    """The envelope of one stored domain event (its id '<aggregate id>:<version>')."""
    return IntegrationEvent(
        event_id=f"{event.originator_id}:{event.originator_version}",
        event_type=payload.event_type,
        source=source,
        zaak_id=zaak_id,
        recorded_at=event.timestamp,
        data=payload.data(),
        contract_version=payload.contract_version,
    )


# --- the consumer's side --------------------------------------------------------------------


class ContractRefused(ValueError):
    """An event in a contract version the consumer does not know: a poison message (parked)."""


class Reader(BaseModel):
    """A consumer's own, tolerant model of a payload: fields it does not know are ignored."""

    model_config = ConfigDict(extra="ignore", frozen=True)


def _date_or_none(value: Any) -> date | None:
    """An ISO date, or None when missing or malformed (the reader decides if it matters)."""
    if value is None or isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        return None


def _code_or_none(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _mapping_or_empty(value: Any) -> dict[str, Any]:
    return dict(value) if isinstance(value, Mapping) else {}


#: A business date read tolerantly: None when missing or not an ISO date.
TolerantDate = Annotated[date | None, BeforeValidator(_date_or_none)]
#: A code read tolerantly: None unless a non-empty string.
TolerantCode = Annotated[str | None, BeforeValidator(_code_or_none)]
#: A mapping read tolerantly: empty unless a JSON object.
TolerantMapping = Annotated[dict[str, Any], BeforeValidator(_mapping_or_empty)]
#: A flag read tolerantly: any truthy value is True.
Truthy = Annotated[bool, BeforeValidator(bool)]


@dataclass(frozen=True)
class Readers:
    """What one consumer reads of one producer: per (event type, major version) its model."""

    source: str
    models: Mapping[tuple[str, int], type[Reader]]

    @cached_property
    def event_types(self) -> list[str]:
        """The event types read (the consumer's subscription filter)."""
        return sorted({event_type for event_type, _ in self.models})

    def check(self, event: IntegrationEvent) -> None:
        """Refuse an event of a known type in a contract version this consumer does not know."""
        if event.event_type not in self.event_types:
            return
        if (event.event_type, event.contract_version) not in self.models:
            known = sorted(v for t, v in self.models if t == event.event_type)
            raise ContractRefused(
                f"{event.source} {event.event_type} in contract version "
                f"{event.contract_version}: this consumer reads version(s) {known}"
            )

    def read(self, event: IntegrationEvent) -> Reader | None:
        """The payload in this consumer's model; None for an event type it does not read or a
        payload without what it needs (logged: the consumer skips it); ContractRefused for an
        unknown contract version."""
        self.check(event)
        model = self.models.get((event.event_type, event.contract_version))
        if model is None:
            return None
        try:
            return model.model_validate(event.data)
        except ValidationError as exc:
            fields = ", ".join(".".join(map(str, e["loc"])) for e in exc.errors())
            log.warning(
                "skipping %s %s %s: unusable field(s) %s",
                event.source, event.event_type, event.event_id, fields,
            )  # fmt: skip
            return None
