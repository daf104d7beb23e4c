"""The agenda projection: follows verification's own notification log into the read model.

A tracked projection: each batch of stored events is applied to the agenda tables and the
position moves in the same PostgreSQL transaction, under a row lock on that position, so
any number of projectors (the background task, an agenda request catching up, a second
replica) apply each event exactly once and in order. Nothing is written to the read model
inside a command's own transaction.

No single event stops it: an event it cannot apply (after MAX_ATTEMPTS) is parked (stream
``AGENDA`` in verification's parked messages, shared/parking.py) in the same transaction as
the position moves past it, and the later events of the same aggregate are held behind it;
`knooppunt parked retry|discard --service verification` work on it as on a consumer's.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

from eventsourcing.persistence import ApplicationRecorder, Mapper, Notification, StoredEvent
from sqlalchemy import Connection, Engine, select
from sqlalchemy.dialects.postgresql import insert

from services.verification.domain import Regieoverleg, Zaak
from services.verification.readmodel.tables import (
    acties,
    ontwikkelingen,
    overleggen,
    positions,
    zaken,
)
from shared.consumer import MAX_ATTEMPTS
from shared.parking import HELD, PARKED, ParkedMessage, ParkingLot, is_transient, reason_of

log = logging.getLogger(__name__)

NAME = "projection:verification"
#: The "stream" of the projection's parked events (their sequence: the notification id).
PARKED_STREAM = "AGENDA"


def lock_position(conn: Connection, name: str) -> int:
    """The position of `name`, locked until the transaction ends."""
    conn.execute(insert(positions).values(name=name, position=0).on_conflict_do_nothing())
    query = select(positions.c.position).where(positions.c.name == name).with_for_update()
    return int(conn.execute(query).scalar_one())


def set_position(conn: Connection, name: str, position: int) -> None:
    conn.execute(positions.update().where(positions.c.name == name).values(position=position))


def _ontwikkeling(
    conn: Connection, event: Any, soort: str, datum: date | None, zaak_id: str | None = None
) -> None:
    if datum is None:
        return
    conn.execute(
        insert(ontwikkelingen)
        .values(
            event_id=f"{event.originator_id}:{event.originator_version}",
            zaak_id=zaak_id or str(event.originator_id),
            bron="verification",
            soort=soort,
            datum=datum,
        )
        .on_conflict_do_nothing()
    )


def _zaak(conn: Connection, event: Any, **values: Any) -> None:
    conn.execute(zaken.update().where(zaken.c.zaak_id == str(event.originator_id)).values(**values))


def apply(conn: Connection, event: Any) -> None:
    """Apply one of verification's stored events to the agenda tables."""
    if isinstance(event, Zaak.MeldingOntvangen):
        conn.execute(
            insert(zaken)
            .values(
                zaak_id=str(event.originator_id),
                referentie=event.referentie,
                gemeld_op=event.gemeld_op,
                onderwerp=event.onderwerp,
                land=event.land,
            )
            .on_conflict_do_nothing()
        )
    elif isinstance(event, Zaak.MeldingGecorrigeerd):
        velden = {k: v for k, v in event.wijzigingen.items() if k in ("onderwerp", "land")}
        if "gemeld_op" in event.wijzigingen:
            velden["gemeld_op"] = date.fromisoformat(event.wijzigingen["gemeld_op"])
        if velden:
            _zaak(conn, event, **velden)
        _ontwikkeling(conn, event, "gecorrigeerd", event.datum)
    elif isinstance(event, Zaak.MeldingIngetrokken):
        _zaak(conn, event, ingetrokken=True)
    elif isinstance(event, Zaak.OnderzoekGestart):
        _ontwikkeling(conn, event, "onderzoek_gestart", event.datum)
    elif isinstance(event, Zaak.Geverifieerd):
        _zaak(conn, event, geverifieerd=True)
        soort = "herzien" if event.herziening else "geverifieerd"
        _ontwikkeling(conn, event, f"{soort}:{event.uitkomst}", event.besloten_op)
    elif isinstance(event, Zaak.Afgesloten):
        _zaak(conn, event, afgesloten=True)
        _ontwikkeling(conn, event, "afgesloten", event.datum)
    elif isinstance(event, Zaak.Heropend):
        _zaak(conn, event, afgesloten=False)
        _ontwikkeling(conn, event, "heropend", event.datum)
    elif isinstance(event, Zaak.NazorgGeregeld):
        _ontwikkeling(conn, event, "nazorg_geregeld", event.datum)
    elif isinstance(event, Regieoverleg.Gehouden):
        overleg_id = str(event.originator_id)
        conn.execute(
            insert(overleggen)
            .values(overleg_id=overleg_id, datum=event.datum)
            .on_conflict_do_nothing()
        )
        rijen = [
            {**actie, "overleg_id": overleg_id, "zaak_id": zaak["zaak_id"]}
            for zaak in event.zaken
            for actie in zaak["acties"]
        ]
        if rijen:
            conn.execute(insert(acties).values(rijen).on_conflict_do_nothing())
    elif isinstance(event, Regieoverleg.ActieAfgerond):
        conn.execute(
            acties.update()
            .where(acties.c.actie_id == event.actie_id)
            .values(afgerond_op=event.datum)
        )
        _ontwikkeling(conn, event, "actie_afgerond", event.datum, zaak_id=event.zaak_id)


class AgendaProjection:
    """Keeps the agenda tables up to date with verification's event store."""

    def __init__(
        self,
        *,
        engine: Engine,
        recorder: ApplicationRecorder,
        mapper: Mapper[Any],
        batch_size: int = 500,
        poll_seconds: float = 0.5,
        parking: ParkingLot | None = None,
        max_attempts: int = MAX_ATTEMPTS,
    ) -> None:
        self.engine = engine
        self.recorder = recorder
        self.mapper = mapper
        self.batch_size = batch_size
        self.poll_seconds = poll_seconds
        self.parking = parking
        self.max_attempts = max_attempts
        self.applied = 0
        self.running = False
        self._held: set[str] = set()
        self._failing: tuple[int, int] = (0, 0)  # notification id, attempts
        self._wake: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stopping = False

    def catch_up(self) -> int:
        """Apply every event stored so far; return how many were applied (blocking)."""
        total = 0
        while True:
            done, more = self._batch(self.batch_size)
            total += done
            if not more:
                return total

    def _batch(self, size: int) -> tuple[int, bool]:
        """Apply up to `size` events: (how many, whether there may be more)."""
        try:
            with self.engine.begin() as conn:
                position = lock_position(conn, NAME)
                notifications = self.recorder.select_notifications(position + 1, size)
                for notification in notifications:
                    self._apply_or_hold(conn, notification)
                if notifications:
                    set_position(conn, NAME, notifications[-1].id)
        except Exception as exc:
            if self.parking is None or is_transient(exc):
                raise
            if size > 1:  # find the event that fails: one at a time up to it
                return self._batch(1)[0], True
            return self._park_failing(exc), True
        self.applied += len(notifications)
        return len(notifications), len(notifications) == size

    def _apply_or_hold(self, conn: Connection, notification: Notification) -> None:
        aggregate = str(notification.originator_id)
        if self.parking is not None and aggregate in self._held:
            reason = "held: an earlier event of this aggregate is parked"
            self.parking.park(_parked(notification, HELD, reason, 0), conn)
            return
        apply(conn, self.mapper.to_domain_event(notification))

    def _park_failing(self, exc: Exception) -> int:
        """The next event failed: retried up to max_attempts, then parked with the position
        moved past it, in one transaction."""
        assert self.parking is not None
        with self.engine.begin() as conn:
            position = lock_position(conn, NAME)
            (notification,) = self.recorder.select_notifications(position + 1, 1)
            failing, attempts = self._failing
            attempts = attempts + 1 if failing == notification.id else 1
            self._failing = (notification.id, attempts)
            if attempts < self.max_attempts:
                raise exc
            reason = reason_of(exc)
            self.parking.park(_parked(notification, PARKED, reason, attempts), conn)
            set_position(conn, NAME, notification.id)
        self._held.add(str(notification.originator_id))
        log.warning(
            "agenda projection parked event %s after %s attempts: %s (knooppunt parked list)",
            notification.id, attempts, reason,
        )  # fmt: skip
        return 1

    def retry_parked(self) -> None:
        """Apply again what an operator asked to retry (knooppunt parked retry); take in
        discards (blocking)."""
        if self.parking is None:
            return
        state = self.parking.state(PARKED_STREAM)
        for request in state.retry:
            self.parking.retry_case(request, self._apply_parked)
        if state.retry:
            state = self.parking.state(PARKED_STREAM)
        self._held = state.held_cases

    def _apply_parked(self, message: ParkedMessage) -> None:
        stored = StoredEvent(
            originator_id=UUID(message.headers["originator_id"]),
            originator_version=int(message.headers["originator_version"]),
            topic=message.subject,
            state=message.payload,
        )
        with self.engine.begin() as conn:
            apply(conn, self.mapper.to_domain_event(stored))

    def nudge(self) -> None:
        """New events were stored (thread-safe; the projection also polls)."""
        if self._loop is not None and self._wake is not None:
            self._loop.call_soon_threadsafe(self._wake.set)

    def stop(self) -> None:
        self._stopping = True
        self.nudge()

    async def run(self) -> None:
        """Follow the event store until stopped; errors are logged and retried."""
        self._loop = asyncio.get_running_loop()
        self._wake = asyncio.Event()
        self.running = True
        try:
            while not self._stopping:
                try:
                    await asyncio.to_thread(self.retry_parked)
                    moved = await asyncio.to_thread(self.catch_up)
                except Exception:
                    log.exception("agenda projection failed; retrying")
                    await asyncio.sleep(1)
                    continue
                if not moved and not self._stopping:
                    self._wake.clear()
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self._wake.wait(), timeout=self.poll_seconds)
        finally:
            self.running = False


def _parked(notification: Notification, status: str, reason: str, attempts: int) -> ParkedMessage:
    now = datetime.now(UTC)
    return ParkedMessage(
        stream=PARKED_STREAM,
        sequence=notification.id,
        durable="projection-agenda",
        subject=notification.topic,
        headers={
            "originator_id": str(notification.originator_id),
            "originator_version": str(notification.originator_version),
        },
        payload=bytes(notification.state),
        zaak_id=str(notification.originator_id),
        status=status,
        reason=reason,
        attempts=attempts,
        first_failed_at=now,
        last_failed_at=now,
    )
