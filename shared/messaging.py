"""The NATS side: the integration-event envelope, streams and connections.

Integration events are a published contract owned by the producing service (docs/contracts.md).
This module only knows the envelope, never a payload.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import nats
from nats.aio.client import Client as NATS
from nats.js import JetStreamContext
from nats.js.api import DiscardPolicy, RetentionPolicy, StorageType, StreamConfig
from nats.js.errors import BadRequestError

log = logging.getLogger(__name__)

SUBJECT_ROOT = "knooppunt"
#: How long JetStream remembers a Nats-Msg-Id to drop a republished event.
DUPLICATE_WINDOW_SECONDS = 24 * 3600


def stream_name(source: str) -> str:
    return source.upper()


def subject_for(source: str, contract_version: int, event_type: str) -> str:
    return f"{SUBJECT_ROOT}.{source}.v{contract_version}.{event_type}"


@dataclass(frozen=True)
class IntegrationEvent:
    """One event as it travels between services (see docs/contracts.md)."""

    event_id: str
    event_type: str
    source: str
    zaak_id: str | None
    recorded_at: datetime
    data: dict[str, Any]
    contract_version: int = 1
    recorded_by: dict[str, str] | None = None
    trace: dict[str, str] = field(default_factory=dict, compare=False)

    @property
    def subject(self) -> str:
        return subject_for(self.source, self.contract_version, self.event_type)

    @property
    def producer_version(self) -> int:
        """The version of the producer's aggregate after this event, from the event id
        '<aggregate id>:<version>' (the one place it is parsed); ValueError if it has none."""
        _, separator, version = self.event_id.rpartition(":")
        if not separator or not version.isdigit():
            raise ValueError(f"event id {self.event_id!r} names no version")
        return int(version)

    def to_json(self) -> bytes:
        body = {
            "event_id": self.event_id,
            "event_type": self.event_type,
            "contract_version": self.contract_version,
            "source": self.source,
            "zaak_id": self.zaak_id,
            "recorded_at": self.recorded_at.isoformat(),
            "recorded_by": self.recorded_by,
            "data": self.data,
        }
        return json.dumps(body, separators=(",", ":"), default=str).encode()

    def headers(self) -> dict[str, str]:
        return {
            "Nats-Msg-Id": self.event_id,
            "Knooppunt-Event-Type": self.event_type,
            "Knooppunt-Contract-Version": str(self.contract_version),
            **self.trace,
        }

    @classmethod
    def from_json(cls, raw: bytes, headers: dict[str, str] | None = None) -> IntegrationEvent:
        """Parse an envelope; raises ValueError for anything that is not one."""
        try:
            body = json.loads(raw)
            return cls(
                event_id=str(body["event_id"]),
                event_type=str(body["event_type"]),
                source=str(body["source"]),
                zaak_id=body.get("zaak_id"),
                recorded_at=datetime.fromisoformat(body["recorded_at"]),
                data=dict(body.get("data") or {}),
                contract_version=int(body.get("contract_version", 1)),
                recorded_by=body.get("recorded_by"),
                trace={
                    k: v for k, v in (headers or {}).items() if k in ("traceparent", "tracestate")
                },
            )
        except (KeyError, TypeError, ValueError, json.JSONDecodeError) as exc:
            raise ValueError(f"not a Knooppunt integration event: {exc}") from exc


class NatsUnavailable(RuntimeError):
    """NATS could not be reached or refused the credentials (a one-line reason)."""


async def connect(
    url: str,
    *,
    name: str,
    user: str | None = None,
    nkey_seed: str | None = None,
    inbox_prefix: str | None = None,
    attempts: int | None = None,
) -> NATS:
    """Connect to NATS as a service's own user (its NKey seed; deploy/nats): its replies
    come to its own inbox prefix (`_INBOX.<user>`), the only subjects it may read.

    Without `attempts` it keeps retrying while the server is not up, as a service does; with
    it (a command) it gives up after that many and raises NatsUnavailable with the reason."""
    errors: list[str] = []
    connected = False

    async def on_error(exc: Exception) -> None:
        if not connected:
            errors.append(str(exc) or type(exc).__name__)
            if attempts is not None:  # a command: the reason is raised, once
                return
        log.warning("NATS (%s): %s", name, exc)

    try:
        nc = await nats.connect(
            url,
            name=name,
            nkeys_seed_str=nkey_seed,
            inbox_prefix=inbox_prefix or (f"_INBOX.{user}" if user else "_INBOX"),
            max_reconnect_attempts=-1 if attempts is None else attempts,
            reconnect_time_wait=0.5,
            connect_timeout=5,
            allow_reconnect=True,
            error_cb=on_error,
        )
    except Exception as exc:
        # A refusal may be followed by the server's reset in a later attempt: name the refusal.
        refusals = [e for e in errors if "authorization" in e.lower()]
        reason = (refusals or errors or [str(exc) or type(exc).__name__])[-1]
        if refusals:
            who = f"user {user}" if user else "no user (set NATS_USER and NATS_NKEY_SEED)"
            reason = f"it refused the credentials of {who}: {reason}"
        raise NatsUnavailable(f"NATS at {_without_credentials(url)}: {reason}") from exc
    connected = True
    return nc


def _without_credentials(url: str) -> str:
    scheme, _, rest = url.partition("://")
    return f"{scheme}://{rest.rpartition('@')[2]}"


async def ensure_stream(js: JetStreamContext, source: str) -> None:
    """Create the producer's stream if it is missing (idempotent). Called by the producer."""
    config = StreamConfig(
        name=stream_name(source),
        subjects=[f"{SUBJECT_ROOT}.{source}.>"],
        storage=StorageType.FILE,
        retention=RetentionPolicy.LIMITS,
        discard=DiscardPolicy.OLD,
        duplicate_window=DUPLICATE_WINDOW_SECONDS,
        num_replicas=1,
    )
    try:
        await js.add_stream(config)
    except BadRequestError as exc:
        # The stream exists with another configuration. A producer may create its stream but
        # not change it (a change can drop its history: deploy/nats/permissions.py); an
        # operator applies a new configuration as admin.
        log.warning(
            "stream %s exists with another configuration than this release's (%s); "
            "publishing to it as it is: an operator updates it as admin",
            config.name,
            exc.description,
        )
