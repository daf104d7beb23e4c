"""Erasing personal data: at the end of the retention period, or on an authorised request.

Personal data and free text are erased by deleting the case's key in the key service
(crypto-shredding, shared/crypto.py): the ciphertext stays in the events, so every chain still
verifies and the figures (codes only) do not change, but no key in existence reads it again.
One transaction stores the melding's `Gewist` event, the record of the erasure (`wissingen`)
and its audit record, and deletes the key before it commits: if the deletion fails, nothing
is stored and the caller (or the next sweep) tries again. The relay publishes the event
(`persoonsgegevens_gewist`), on which verification deletes its own key of the case.
No key material is ever in PostgreSQL, so its WAL and backups hold none (docs/security.md).

Intake learns that a case was closed from verification's `afgesloten` event (and that it was
reopened from `heropend`): `Bewaring.noteer(delivery)` is the hook the consumer calls. The
retention period runs from verification's business date of closing.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from uuid import UUID

import psycopg
from eventsourcing.persistence import IntegrityError
from psycopg import Cursor
from psycopg.rows import DictRow, dict_row
from psycopg.sql import SQL, Identifier
from sqlalchemy import (
    BigInteger,
    Column,
    Date,
    DateTime,
    Engine,
    MetaData,
    Table,
    Text,
    select,
)
from sqlalchemy.dialects.postgresql import insert

from services.intake.application import IntakeApplication
from services.intake.domain import Melding, MeldingNotFound, RegelGeschonden
from services.intake.readers import VERIFICATION, Afsluiting
from shared.consumer import Delivery
from shared.context import SYSTEM, Actor
from shared.crypto import CaseKeys
from shared.security.audit import (
    ALLOWED,
    STORED,
    AuditEntry,
    AuditLog,
    RequestAudit,
    insert_audit,
    with_events,
)

log = logging.getLogger(__name__)

AFGESLOTEN, HEROPEND = "afgesloten", "heropend"


class WisGrond(StrEnum):
    """Why personal data was erased."""

    verzoek_betrokkene = "verzoek_betrokkene"  # the person asked for it (AVG art. 17)
    onrechtmatig_verwerkt = "onrechtmatig_verwerkt"  # it should never have been kept
    bewaartermijn_verstreken = "bewaartermijn_verstreken"  # the retention period ended


class WissingConflict(RegelGeschonden):
    """The Idempotency-Key was used before for an erasure on another grond."""


class _AlGewist(Exception):
    """Another request erased the case first (its record exists)."""


def bewaring_tables(metadata: MetaData) -> tuple[Table, Table]:
    """`bewaring`: when each case was closed; `wissingen`: each erasure, once per case."""
    if "bewaring" in metadata.tables:
        return metadata.tables["bewaring"], metadata.tables["wissingen"]
    bewaring = Table(
        "bewaring",
        metadata,
        Column("zaak_id", Text, primary_key=True),
        Column("afgesloten_op", Date, nullable=True),  # NULL: open (again)
        Column("verificatie_versie", BigInteger, nullable=False),
    )
    wissingen = Table(
        "wissingen",
        metadata,
        Column("zaak_id", Text, primary_key=True),
        Column("gewist_op", DateTime(timezone=True), nullable=False),
        Column("grond", Text, nullable=False),
        Column("door_org", Text, nullable=False),
        Column("door_rol", Text, nullable=False),
        Column("door_user", Text, nullable=False),
        Column("idempotency_key", Text, nullable=True),
    )
    return bewaring, wissingen


@dataclass(frozen=True)
class Wissing:
    """An erasure as recorded; `nieuw` is False when the case had been erased before, and
    `herhaald` True when that was this same request (its Idempotency-Key) before."""

    zaak_id: str
    gewist_op: datetime
    grond: str
    nieuw: bool
    herhaald: bool = False


class Bewaring:
    """Keeps the closing dates, erases personal data when asked or when the period ends."""

    def __init__(
        self,
        engine: Engine,
        metadata: MetaData,
        *,
        schema: str,
        termijn: timedelta,
        keys: CaseKeys,
        meldingen: IntakeApplication | None = None,
        vandaag: Callable[[], date] = date.today,
    ) -> None:
        self.engine = engine
        self.keys = keys
        self.meldingen = meldingen
        self.schema = schema
        self.bewaring, self.wissingen = bewaring_tables(metadata)
        self.termijn = termijn
        self.vandaag = vandaag
        self.audit = AuditLog(engine, schema)

    def noteer(self, delivery: Delivery) -> None:
        """The consumer's hook: note verification's afgesloten or heropend (idempotent)."""
        event = delivery.event
        if event.event_type not in (AFGESLOTEN, HEROPEND) or event.zaak_id is None:
            return
        stap = VERIFICATION.read(event)
        try:
            zaak_id = str(UUID(event.zaak_id))
            versie = event.producer_version
        except ValueError:
            log.warning("retention: skipping %s %s", event.event_type, event.event_id)
            return
        if not isinstance(stap, Afsluiting):
            return
        datum = stap.datum or event.recorded_at.date()
        afgesloten_op = datum if event.event_type == AFGESLOTEN else None
        stmt = insert(self.bewaring).values(
            zaak_id=zaak_id, afgesloten_op=afgesloten_op, verificatie_versie=versie
        )
        with self.engine.begin() as conn:
            conn.execute(
                stmt.on_conflict_do_update(
                    index_elements=[self.bewaring.c.zaak_id],
                    set_={"afgesloten_op": afgesloten_op, "verificatie_versie": versie},
                    where=self.bewaring.c.verificatie_versie < versie,
                )
            )

    def wis(
        self,
        zaak_id: str,
        *,
        grond: str,
        door: Actor,
        idempotency_key: str | None = None,
        audit: RequestAudit | None = None,
    ) -> Wissing:
        """Delete the case's key; store the erasure, its record and audit record at once."""
        earlier = self._earlier(zaak_id, grond, idempotency_key)
        if earlier is not None:
            return earlier
        entry = (
            None
            if audit is not None
            else AuditEntry(
                service=self.schema,
                action="bewaartermijn_verstreken",
                decision=ALLOWED,
                object=f"zaak:{zaak_id}",
                zaak_id=zaak_id,
                result=STORED,
                actor=door,
            )
        )
        claimed: list[datetime] = []

        def in_transaction(curs: Cursor[DictRow]) -> None:
            curs.execute(
                SQL(
                    "INSERT INTO {t} (zaak_id, gewist_op, grond, door_org, door_rol, door_user, "
                    "idempotency_key) VALUES (%s, now(), %s, %s, %s, %s, %s) "
                    "ON CONFLICT DO NOTHING RETURNING gewist_op"
                ).format(t=Identifier(self.schema, self.wissingen.name)),
                [zaak_id, str(grond), door.org, door.rol, door.user, idempotency_key],
            )
            row = curs.fetchone()
            if row is None:
                raise _AlGewist(zaak_id)
            claimed.append(row["gewist_op"])
            if entry is not None:
                insert_audit(curs, self.schema, entry)
            self.keys.destroy(zaak_id)  # last: if the key service fails, nothing is stored

        melding = self._melding(zaak_id)
        token = with_events.set(in_transaction)
        try:
            if melding is not None and not melding.gewist:
                assert self.meldingen is not None
                melding.wis(grond=str(grond))
                self.meldingen.save(melding)
            else:  # no melding here (or its event stored before): the record and the key
                self._zonder_melding(in_transaction, audit)
        except (_AlGewist, IntegrityError):
            earlier = self._earlier(zaak_id, grond, idempotency_key)
            if earlier is None:
                raise
            return earlier
        finally:
            with_events.reset(token)
        return Wissing(zaak_id, claimed[0], grond, nieuw=True)

    def _melding(self, zaak_id: str) -> Melding | None:
        if self.meldingen is None:
            return None
        try:
            return self.meldingen.get_melding(UUID(zaak_id))
        except (MeldingNotFound, ValueError):
            return None

    def _zonder_melding(
        self, in_transaction: Callable[[Cursor[DictRow]], None], audit: RequestAudit | None
    ) -> None:
        raw = self.engine.raw_connection()
        try:
            pg = raw.driver_connection
            assert isinstance(pg, psycopg.Connection)
            with pg.transaction(), pg.cursor(row_factory=dict_row) as curs:
                if audit is not None:
                    insert_audit(curs, self.schema, audit.final(STORED))
                in_transaction(curs)
            if audit is not None:
                audit.written = True
        finally:
            raw.close()

    def _earlier(self, zaak_id: str, grond: str, idempotency_key: str | None) -> Wissing | None:
        w = self.wissingen
        with self.engine.connect() as conn:
            earlier = conn.execute(select(w).where(w.c.zaak_id == zaak_id)).first()
        if earlier is None:
            return None
        if (
            idempotency_key
            and idempotency_key == earlier.idempotency_key
            and (grond != earlier.grond)
        ):
            raise WissingConflict("it was used before with another grond")
        herhaald = bool(idempotency_key) and idempotency_key == earlier.idempotency_key
        return Wissing(zaak_id, earlier.gewist_op, earlier.grond, nieuw=False, herhaald=herhaald)

    def wis_verlopen(self) -> list[str]:
        """Erase the personal data of every case closed longer than the period ago."""
        grens = self.vandaag() - self.termijn
        b, w = self.bewaring, self.wissingen
        with self.engine.connect() as conn:
            verlopen = [
                str(z)
                for z in conn.execute(
                    select(b.c.zaak_id)
                    .where(b.c.afgesloten_op.is_not(None), b.c.afgesloten_op <= grens)
                    .where(~b.c.zaak_id.in_(select(w.c.zaak_id)))
                ).scalars()
            ]
        for zaak_id in verlopen:
            self.wis(zaak_id, grond=WisGrond.bewaartermijn_verstreken, door=SYSTEM)
        if verlopen:
            log.info("retention: erased the personal data of %d cases", len(verlopen))
        return verlopen


class BewaringTaak:
    """Runs the retention sweep at intervals in the service process."""

    def __init__(self, bewaring: Bewaring, interval: float) -> None:
        self.bewaring = bewaring
        self.interval = interval
        self._task: asyncio.Task[None] | None = None

    async def _run(self) -> None:
        while True:
            try:
                await asyncio.to_thread(self.bewaring.wis_verlopen)
            except Exception:
                log.exception("retention sweep failed; retrying later")
            await asyncio.sleep(self.interval)

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="bewaring")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
