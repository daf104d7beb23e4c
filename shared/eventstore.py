"""Event store plumbing over the eventsourcing library (PostgreSQL in production).

Each service's Application subclasses `ServiceApplication`, which
- keeps the service's events in its own PostgreSQL schema (or in memory for unit tests),
- records request metadata (trace context, actor) next to each stored event, and
- uses a process recorder, so a consumer can record the upstream position it processed
  in the same transaction as the events it stores.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import unquote, urlsplit

from eventsourcing.application import Application, ProcessingEvent
from eventsourcing.domain import DomainEventProtocol
from eventsourcing.persistence import (
    JSONTranscoder,
    Mapper,
    StoredEvent,
    Tracking,
    Transcoding,
)

from shared.context import event_metadata

META_KEY = "_meta"


@dataclass(frozen=True)
class Claim:
    """A row to insert in the transaction that stores the next events (e.g. a unique name for
    the new aggregate): `sql` with %s placeholders for `params`, in the events' schema
    (`{schema}` in `sql`); when it inserts nothing (ON CONFLICT DO NOTHING), the whole save
    fails with IntegrityError and nothing is stored."""

    sql: str
    params: Sequence[Any]


#: The claims of the save about to happen (see `claiming`); the recorder executes them.
pending_claims: ContextVar[tuple[Claim, ...]] = ContextVar("pending_claims", default=())


@contextmanager
def claiming(*claims: Claim) -> Iterator[None]:
    """Make the saves inside this block also insert `claims`, in their own transaction."""
    reset = pending_claims.set(pending_claims.get() + claims)
    try:
        yield
    finally:
        pending_claims.reset(reset)


def postgres_env(
    database_url: str, schema: str, *, pool_size: int = 5, create_table: bool = True
) -> dict[str, str]:
    """The eventsourcing environment for a PostgreSQL URL and a schema. A running service
    passes create_table=False: its migration made the tables as the owner role."""
    url = urlsplit(database_url)
    return {
        "PERSISTENCE_MODULE": "eventsourcing.postgres",
        "POSTGRES_DBNAME": url.path.lstrip("/") or "postgres",
        "POSTGRES_HOST": url.hostname or "127.0.0.1",
        "POSTGRES_PORT": str(url.port or 5432),
        "POSTGRES_USER": unquote(url.username or "postgres"),
        "POSTGRES_PASSWORD": unquote(url.password or ""),
        "POSTGRES_SCHEMA": schema,
        "POSTGRES_POOL_SIZE": str(pool_size),
        "POSTGRES_MAX_OVERFLOW": "5",
        "POSTGRES_CONN_MAX_AGE": "600",
        "POSTGRES_PRE_PING": "y",
        "CREATE_TABLE": "y" if create_table else "n",
    }


class DateAsISO(Transcoding):
    """Stores a business date (datetime.date) as YYYY-MM-DD."""

    type = date
    name = "date_iso"

    def encode(self, obj: date) -> str:
        return obj.isoformat()

    def decode(self, data: str) -> date:
        return date.fromisoformat(data)


class MetadataMapper(Mapper[Any]):
    """A mapper that stores request metadata (trace, actor) with each event."""

    metadata_provider: Callable[[], Mapping[str, Any]] = staticmethod(event_metadata)

    def to_stored_event(self, domain_event: DomainEventProtocol[Any]) -> StoredEvent:
        if META_KEY not in vars(domain_event):
            object.__setattr__(domain_event, META_KEY, dict(self.metadata_provider()))
        return super().to_stored_event(domain_event)


def metadata_of(domain_event: object) -> dict[str, Any]:
    """The metadata stored with an event ({} for events stored without)."""
    meta = vars(domain_event).get(META_KEY)
    return dict(meta) if isinstance(meta, dict) else {}


class ServiceApplication(Application[Any]):
    """Base of every service's eventsourcing Application."""

    def construct_mapper(self) -> Mapper[Any]:
        return self.factory.mapper(
            transcoder=self.construct_transcoder(), mapper_class=MetadataMapper
        )

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        transcoder.register(DateAsISO())

    def construct_recorder(self) -> Any:
        return self.factory.process_recorder()

    def save_tracked(self, tracking: Tracking, *objs: Any) -> None:
        """Save aggregates' new events and the upstream position, in one transaction."""
        processing_event: ProcessingEvent[Any] = ProcessingEvent(tracking=tracking)
        processing_event.collect_events(*objs)
        recordings = self._record(processing_event)
        self._take_snapshots(processing_event)
        self._notify(recordings)
