"""Erasing personal data: at the end of the retention period, or on an authorised request.

Personal data is erased by destroying the case's data key (crypto-shredding, shared/crypto.py):
the ciphertext stays in the events, so every chain still verifies and the figures (codes
only) do not change, but nothing can read it again. The key row, the record of the erasure
(`wissingen`) and its audit record are written in one transaction; afterwards VACUUM FULL
rewrites the key table so that no old row version keeps the key on disk (see docs/security.md
for WAL and backups).

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

from sqlalchemy import (
    BigInteger,
    Column,
    Date,
    DateTime,
    Engine,
    MetaData,
    Table,
    Text,
    func,
    select,
)
from sqlalchemy.dialects.postgresql import insert

from services.intake.adapters import data_keys
from services.intake.domain import RegelGeschonden
from services.intake.readers import VERIFICATION, Afsluiting
from shared.consumer import Delivery
from shared.context import SYSTEM, Actor
from shared.security.audit import ALLOWED, STORED, AuditEntry, AuditLog, RequestAudit

log = logging.getLogger(__name__)

AFGESLOTEN, HEROPEND = "afgesloten", "heropend"


class WisGrond(StrEnum):
    """Why personal data was erased."""

    verzoek_betrokkene = "verzoek_betrokkene"  # the person asked for it (AVG art. 17)
    onrechtmatig_verwerkt = "onrechtmatig_verwerkt"  # it should never have been kept
    bewaartermijn_verstreken = "bewaartermijn_verstreken"  # the retention period ended


class WissingConflict(RegelGeschonden):
    """The Idempotency-Key was used before for an erasure on another grond."""


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
        vandaag: Callable[[], date] = date.today,
    ) -> None:
        self.engine = engine
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
        vacuum: bool = True,
    ) -> Wissing:
        """Destroy the case's data key, record the erasure and its audit record, at once."""
        w = self.wissingen
        with self.engine.begin() as conn:
            claimed = conn.execute(
                insert(w)
                .values(
                    zaak_id=zaak_id,
                    gewist_op=func.now(),
                    grond=grond,
                    door_org=door.org,
                    door_rol=door.rol,
                    door_user=door.user,
                    idempotency_key=idempotency_key,
                )
                .on_conflict_do_nothing()
                .returning(w.c.gewist_op)
            ).first()
            if claimed is None:
                earlier = conn.execute(select(w).where(w.c.zaak_id == zaak_id)).one()
                if (
                    idempotency_key
                    and idempotency_key == earlier.idempotency_key
                    and (grond != earlier.grond)
                ):
                    raise WissingConflict("it was used before with another grond")
                herhaald = bool(idempotency_key) and idempotency_key == earlier.idempotency_key
                return Wissing(
                    zaak_id, earlier.gewist_op, earlier.grond, nieuw=False, herhaald=herhaald
                )
            destroyed = conn.execute(
                data_keys.update()
                .where(data_keys.c.zaak_id == zaak_id)
                .values(wrapped=None, destroyed_at=func.now())
            )
            if destroyed.rowcount == 0:  # no key yet: none may ever be made for this case
                conn.execute(
                    insert(data_keys)
                    .values(zaak_id=zaak_id, wrapped=None, destroyed_at=func.now())
                    .on_conflict_do_nothing()
                )
            if audit is not None:
                self.audit.write_request(audit, STORED, conn)
            else:
                self.audit.write(
                    AuditEntry(
                        service=self.schema,
                        action="bewaartermijn_verstreken",
                        decision=ALLOWED,
                        object=f"zaak:{zaak_id}",
                        zaak_id=zaak_id,
                        result=STORED,
                        actor=door,
                    ),
                    conn,
                )
        if vacuum:
            self.vacuum()
        return Wissing(zaak_id, claimed.gewist_op, grond, nieuw=True)

    def vacuum(self) -> None:
        """Rewrite the key table so no old row version keeps a destroyed key."""
        with self.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql(f'VACUUM (FULL) "{self.schema}".{data_keys.name}')

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
            self.wis(zaak_id, grond=WisGrond.bewaartermijn_verstreken, door=SYSTEM, vacuum=False)
        if verlopen:
            self.vacuum()
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
