"""Drop reporting's facts and rebuild them from the producers' JetStream streams.

Reporting keeps only what it consumed, so it can always start over: every producer's stream
holds its integration events from the first one on (PostgreSQL stays the system of record of
each producer; JetStream is the replayable transport). A rebuild

1. takes reporting's database exclusively (it refuses while a reporting service runs),
2. computes the figures from the facts as they are,
3. replays each stream from its first message with its own consumer ``reporting-rebuild``
   (the only one its NATS user ``reporting_rebuild`` may create, read and delete: deploy/nats)
   into an empty table of its own (``feiten_herbouw``), through the same ``FactStore.record``
   the service's consumers use,
4. swaps the rebuilt facts, positions and parked messages in, in one transaction,
5. computes the figures again and reports any difference.

A message that cannot be applied is parked (shared/parking.py), as the service's consumers
would, and the events of its case after it are held; messages an operator discarded stay
discarded. A rebuild that fails (a server down, a stream cut short) changes nothing: the
facts stay as they were and the service starts on them. The service's durable consumers are
left alone: their acknowledged position can never be ahead of the replay, and whatever they
deliver again is skipped by the recorded positions.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from nats.aio.client import Client as NATS
from nats.errors import TimeoutError as NatsTimeoutError
from nats.js import JetStreamContext
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy, StreamInfo
from nats.js.errors import NotFoundError

from services.reporting.index import Feitenindex
from services.reporting.rapportage import GeenDefinitie, Rapportage
from services.reporting.settings import ReportingSettings
from services.reporting.store import FactStore, metadata
from shared.consumer import Delivery
from shared.db import ensure_schema, make_engine
from shared.messaging import (
    SUBJECT_ROOT,
    IntegrationEvent,
    NatsUnavailable,
    connect,
    stream_name,
)
from shared.parking import HELD, PARKED, ParkedMessage, case_key, headers_of, reason_of
from shared.parking import is_transient as _is_transient

log = logging.getLogger(__name__)

SCHEMA = "reporting"
SOURCES = ("intake", "verification", "consular")
"""The producers reporting consumes."""
REBUILD_USER = "reporting_rebuild"
"""The rebuild's own NATS user: it reads the streams, nothing else (deploy/nats)."""
REBUILD_CONSUMER = "reporting-rebuild"
"""The name of the rebuild's consumer on each stream, bound in the rebuild user's rights."""

Voortgang = Callable[[str, int, int], None]
"""Called as (stream, messages replayed, messages in the stream)."""

STATISTIEK_DIMENSIES = ("jaar", "onderwerp", "betrokkene", "uitkomst", "afloop", "stage")


def cijfers(envelopes: Iterable[Mapping[str, Any]], vandaag: date) -> dict[str, Any]:
    """The figures a rebuild compares: every year's jaarcijfers, statistics and lead times."""
    index = Feitenindex()
    index.voeg_toe_alle(envelopes)
    rapportage = Rapportage(index, vandaag=lambda: vandaag)
    uit: dict[str, Any] = {
        "feiten": index.positie,
        "statistieken": rapportage.statistiek(geheimhouding=None, groepeer=STATISTIEK_DIMENSIES),
        "doorlooptijden": rapportage.doorlooptijden(geheimhouding=None),
    }
    for jaar in sorted({z.jaar for z in index.zaken(vandaag)}):
        try:
            uit[f"jaarcijfers {jaar}"] = rapportage.jaarcijfers(jaar, geheimhouding=None)
        except GeenDefinitie:
            continue
    return uit


@dataclass
class Verslag:
    """What a rebuild did and whether the figures came out the same."""

    voor: dict[str, Any]
    na: dict[str, Any]
    per_stream: dict[str, int] = field(default_factory=dict)
    overgeslagen: int = 0
    """Messages skipped: not integration events, or discarded by an operator."""
    geparkeerd: list[ParkedMessage] = field(default_factory=list)
    """Messages that could not be applied (and those held behind them): parked."""

    @property
    def verschillen(self) -> list[str]:
        """The figures that differ before and after (empty: identical)."""
        namen = sorted(set(self.voor) | set(self.na))
        return [n for n in namen if _json(self.voor.get(n)) != _json(self.na.get(n))]


def _json(waarde: object) -> str:
    return json.dumps(waarde, sort_keys=True, default=str)


@dataclass
class _Parkeren:
    """What a replay parks (kept in memory; written when the rebuild is swapped in)."""

    afgedaan: set[tuple[str, int]]
    berichten: list[ParkedMessage] = field(default_factory=list)
    zaken: set[tuple[str, str]] = field(default_factory=set)

    def parkeer(self, msg: Any, stream: str, zaak: str | None, status: str, reden: str) -> None:
        nu = datetime.now(UTC)
        self.berichten.append(
            ParkedMessage(
                stream=stream,
                sequence=msg.metadata.sequence.stream,
                durable="rebuild",
                subject=msg.subject,
                headers=headers_of(msg.headers),
                payload=bytes(msg.data),
                zaak_id=zaak,
                status=status,
                reason=reden,
                attempts=1 if status == PARKED else 0,
                first_failed_at=nu,
                last_failed_at=nu,
            )
        )
        if zaak is not None:
            self.zaken.add((stream, zaak))
        log.warning("%s %s seq %s: %s", status, stream, msg.metadata.sequence.stream, reden)


async def _standen(nc: NATS) -> dict[str, StreamInfo | None]:
    """Each producer's stream as it stands (None: it does not exist), asked before anything
    changes: a user that may not read the streams stops the rebuild here, with the reason."""
    js = nc.jetstream()
    standen: dict[str, StreamInfo | None] = {}
    for source in SOURCES:
        try:
            standen[source] = await js.stream_info(stream_name(source))
        except NotFoundError:
            standen[source] = None
        except (NatsTimeoutError, TimeoutError) as exc:
            reden = nc.last_error or "no answer"
            raise NatsUnavailable(
                f"NATS gives this user no access to stream {stream_name(source)} "
                f"(the rebuild's own user is {REBUILD_USER}): {reden}"
            ) from exc
    return standen


async def _speel_af(
    nc: NATS,
    facts: FactStore,
    source: str,
    info: StreamInfo | None,
    voortgang: Voortgang | None,
    parkeren: _Parkeren,
) -> tuple[int, int]:
    """Replay one producer's stream from its first message; (replayed, skipped)."""
    js = nc.jetstream()
    stream = stream_name(source)
    if info is None:
        log.info("stream %s does not exist: nothing to replay", stream)
        return 0, 0
    laatste, totaal = info.state.last_seq, info.state.messages
    if voortgang:
        voortgang(stream, 0, totaal)
    if totaal == 0:
        return 0, 0
    sub = await _herhaalconsument(js, source)
    gedaan = overgeslagen = 0
    try:
        while True:
            try:
                berichten = await sub.fetch(BATCH, timeout=10)
            except (NatsTimeoutError, TimeoutError) as exc:
                raise RuntimeError(f"{stream}: no message after {gedaan} of {totaal}") from exc
            for msg in berichten:
                volgnummer = msg.metadata.sequence.stream
                if (stream, volgnummer) in parkeren.afgedaan:
                    overgeslagen += 1
                else:
                    await _pas_toe(facts, stream, msg, parkeren)
                gedaan += 1
                if voortgang:
                    voortgang(stream, gedaan, totaal)
                if volgnummer >= laatste:
                    return gedaan, overgeslagen
    finally:
        await _ruim_op(js, stream)


BATCH = 256
"""Messages per pull while replaying."""


async def _herhaalconsument(js: JetStreamContext, source: str) -> JetStreamContext.PullSubscription:
    """The rebuild's own consumer on a stream, from its first message (deploy/nats: the
    rebuild user may create, pull from and delete only the consumer of this name; one that a
    crashed rebuild left is deleted first). Nothing acknowledges: it only reads."""
    stream = stream_name(source)
    await _ruim_op(js, stream)
    await js.add_consumer(
        stream,
        ConsumerConfig(
            name=REBUILD_CONSUMER,
            deliver_policy=DeliverPolicy.ALL,
            ack_policy=AckPolicy.NONE,
            filter_subject=f"{SUBJECT_ROOT}.{source}.>",
            inactive_threshold=60,
            mem_storage=True,
            num_replicas=1,
        ),
    )
    return await js.pull_subscribe_bind(durable=REBUILD_CONSUMER, stream=stream)


async def _ruim_op(js: JetStreamContext, stream: str) -> None:
    with contextlib.suppress(NotFoundError):
        await js.delete_consumer(stream, REBUILD_CONSUMER)


async def _pas_toe(facts: FactStore, stream: str, msg: Any, parkeren: _Parkeren) -> None:
    """Record one message, or park it (and hold the later events of its case)."""
    try:
        event = IntegrationEvent.from_json(msg.data, dict(msg.headers or {}))
    except ValueError:
        parkeren.parkeer(msg, stream, None, PARKED, "not a Knooppunt integration event")
        return
    zaak = case_key(event.zaak_id)
    if zaak is not None and (stream, zaak) in parkeren.zaken:
        parkeren.parkeer(msg, stream, zaak, HELD, "held: an earlier event of this case is parked")
        return
    delivery = Delivery(event=event, stream=stream, sequence=msg.metadata.sequence.stream)
    try:
        await asyncio.to_thread(facts.record, delivery)
    except Exception as exc:
        if _is_transient(exc):
            raise  # the server, not the message: the rebuild fails and changes nothing
        parkeren.parkeer(msg, stream, zaak, PARKED, reason_of(exc))


async def herbouw(
    facts: FactStore,
    nc: NATS,
    *,
    vandaag: date | None = None,
    voortgang: Voortgang | None = None,
) -> Verslag:
    """Rebuild reporting's facts from the streams; raises StoreInUse while reporting runs."""
    dag = vandaag or date.today()
    with facts.exclusively():
        voor = await asyncio.to_thread(lambda: cijfers(facts.all_envelopes(), dag))
        standen = await _standen(nc)
        nieuw = await asyncio.to_thread(facts.begin_rebuild)
        parkeren = _Parkeren(afgedaan=await asyncio.to_thread(facts.discarded))
        per_stream: dict[str, int] = {}
        overgeslagen = 0
        try:
            for source in SOURCES:
                gedaan, hier = await _speel_af(
                    nc, nieuw, source, standen[source], voortgang, parkeren
                )
                per_stream[stream_name(source)] = gedaan
                overgeslagen += hier
            await asyncio.to_thread(facts.swap_in, nieuw, parkeren.berichten)
        except BaseException:
            await asyncio.to_thread(facts.abandon_rebuild)
            raise
        na = await asyncio.to_thread(lambda: cijfers(facts.all_envelopes(), dag))
    return Verslag(
        voor=voor,
        na=na,
        per_stream=per_stream,
        overgeslagen=overgeslagen,
        geparkeerd=parkeren.berichten,
    )


CONNECT_ATTEMPTS = 3
"""A command gives up on NATS after this many attempts (NatsUnavailable), not a service."""


async def herbouw_met(
    settings: ReportingSettings, *, voortgang: Voortgang | None = None
) -> Verslag:
    """Connect to reporting's database as its owner role (DATABASE_OWNER_URL: the running
    service may not delete facts) and to NATS as configured (NATS_USER: the rebuild's own
    user reporting_rebuild), and rebuild; raises NatsUnavailable when NATS cannot be reached
    or refuses the credentials, before anything changed."""
    if settings.database_owner_url is None:
        raise ValueError("a rebuild drops reporting's facts: it needs DATABASE_OWNER_URL")
    owner_url = settings.database_owner_url.get_secret_value()
    seed = settings.nats_nkey_seed
    nc = await connect(
        settings.nats_url,
        name="knooppunt-reporting-rebuild",
        user=settings.nats_user,
        nkey_seed=seed.get_secret_value() if seed else None,
        attempts=CONNECT_ATTEMPTS,
    )
    try:
        engine = await asyncio.to_thread(make_engine, owner_url, SCHEMA, pool_size=2)
        try:
            await asyncio.to_thread(ensure_schema, engine, SCHEMA)
            await asyncio.to_thread(metadata.create_all, engine)
            facts = FactStore(engine)
            await asyncio.to_thread(facts.migrate)
            return await herbouw(facts, nc, voortgang=voortgang)
        finally:
            engine.dispose()
    finally:
        await nc.close()
