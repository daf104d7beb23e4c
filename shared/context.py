"""Who is acting and in which trace: request-scoped values carried in context variables.

The event store's mapper stores these as metadata next to every event, so that the relay can
continue the trace on the other side of NATS and an auditor can see who recorded what.
"""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import asdict, dataclass
from typing import Any

from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator


@dataclass(frozen=True)
class Actor:
    """The authenticated caller: agency (org), role and user."""

    org: str
    rol: str
    user: str

    def as_dict(self) -> dict[str, str]:
        return asdict(self)


SYSTEM = Actor(org="knooppunt", rol="systeem", user="systeem")

current_actor: ContextVar[Actor | None] = ContextVar("current_actor", default=None)

_propagator = TraceContextTextMapPropagator()


def trace_headers() -> dict[str, str]:
    """The current trace context as W3C headers (traceparent, tracestate)."""
    carrier: dict[str, str] = {}
    _propagator.inject(carrier)
    return carrier


def event_metadata() -> dict[str, Any]:
    """Metadata stored with each new event: trace context and actor."""
    actor = current_actor.get()
    return {"trace": trace_headers(), "actor": actor.as_dict() if actor else None}
