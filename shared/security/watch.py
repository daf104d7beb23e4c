"""Each service watches its own chains: a break or a refused change is an incident.

Every CHAIN_VERIFY_INTERVAL_SECONDS (and once at start) `ChainWatch.check_now` recomputes
every link of the service's chains (chain.py, in Python), checks the checkpoints the service
stored against its own public key, checks that the head it saw last time is still there
unchanged (a rewrite of the whole chain, valid in itself, breaks that), that no stored
checkpoint disappeared, and reads the append-only triggers' count of refused changes (a
sequence: it survives the refused transaction). Each new finding is an *alarm*: logged at
ERROR, counted in the OpenTelemetry counter `knooppunt.integriteit.alarmen` (attributes
`service`, `keten`, `soort`), written to the audit log as action `keten_breuk` (decision
`alarm`, reason = the kind, object = the chain or table) and shown in /ready ("degraded").
BIO2 8.15.05: an attempt to change a log is reported as an incident.
"""

# ruff: noqa: S608 - identifiers in the SQL are checked by sql_name(); values are bound

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from opentelemetry import metrics
from sqlalchemy import Connection, Engine, text

from shared.context import SYSTEM
from shared.security.audit import AuditEntry, AuditLog
from shared.security.chain import link_at, refused_changes, sql_name, verify_schema
from shared.security.checkpoints import Checkpoint, verify_checkpoint

log = logging.getLogger(__name__)

#: The audit log's action of an integrity alarm.
KETEN_BREUK = "keten_breuk"
ALARM = "alarm"
#: Kinds of alarm (the audit record's reason).
GEBROKEN = "keten_gebroken"  # a link does not hold
HERSCHREVEN = "keten_herschreven"  # the head seen before changed or vanished
CHECKPOINT = "checkpoint_klopt_niet"  # a stored checkpoint no longer holds
CHECKPOINT_WEG = "checkpoint_verwijderd"  # fewer stored checkpoints than before
GEWEIGERD = "wijziging_geweigerd"  # the append-only trigger refused a change

MAX_ALARMS = 100

#: (kind, chain or table, position or count, what is wrong)
Finding = tuple[str, str, int | None, str]


@dataclass(frozen=True)
class Alarm:
    soort: str
    keten: str
    positie: int | None
    probleem: str
    sinds: datetime

    def as_dict(self) -> dict[str, Any]:
        return {
            "soort": self.soort,
            "keten": self.keten,
            "positie": self.positie,
            "probleem": self.probleem,
            "sinds": self.sinds.isoformat(),
        }


class ChainWatch:
    """Verifies one service's chains at intervals and raises an alarm for each new finding."""

    def __init__(
        self,
        *,
        engine: Engine,
        schema: str,
        interval: float,
        public_key: Ed25519PublicKey | None = None,
        meter: metrics.Meter | None = None,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.engine = engine
        self.schema = schema
        self.interval = interval
        self.trusted = {schema: [public_key]} if public_key is not None else {}
        self.audit = AuditLog(engine, schema)
        self.now = now
        self.counter = (meter or metrics.get_meter("knooppunt.security")).create_counter(
            "knooppunt.integriteit.alarmen",
            unit="1",
            description="Breaks of a hash chain and refused changes to append-only tables",
        )
        self.alarms: dict[tuple[str, str, int | None], Alarm] = {}
        self.lengths: dict[str, int] = {}
        self.checked_at: datetime | None = None
        self.failing: str | None = None
        self._heads: dict[str, tuple[int, bytes]] = {}
        self._checkpoints = 0
        self._checkpoint_id = 0
        self._refused: dict[str, int] | None = None
        self._task: asyncio.Task[None] | None = None

    # -- one round ---------------------------------------------------------------------------

    def check_now(self) -> list[Alarm]:
        """One round of checks; the alarms it raised (only new findings)."""
        found: list[Finding] = []
        with self.engine.connect() as conn:
            found += self._chains(conn)
            found += self._stored_checkpoints(conn)
            found += self._refusals(conn)
        self.checked_at = self.now()
        self.failing = None
        return [a for a in (self._raise(*f) for f in found) if a is not None]

    def _chains(self, conn: Connection) -> list[Finding]:
        """Every link holds, and the head verified last time is still there, unchanged."""
        found: list[Finding] = []
        for result in verify_schema(conn, self.schema):
            chain = result.chain
            self.lengths[chain] = result.length
            if not result.ok:
                found.append((GEBROKEN, chain, result.broken_at, str(result.problem)))
                continue
            seen = self._heads.get(chain)
            if seen is not None and link_at(conn, self.schema, chain, seen[0]) != seen[1]:
                problem = (
                    f"link {seen[0]} is gone or changed since it was verified "
                    "(the chain was rewritten or cut back)"
                )
                found.append((HERSCHREVEN, chain, seen[0], problem))
                continue  # keep the head seen: the alarm stays until someone looks
            if result.length:
                self._heads[chain] = (result.length, result.head)
        return found

    def _stored_checkpoints(self, conn: Connection) -> list[Finding]:
        """The checkpoints stored since the last round and the newest of each chain still
        hold (a rewrite of older ones' chain breaks the head seen); none disappeared."""
        found: list[Finding] = []
        s = sql_name(self.schema)
        count = int(conn.execute(text(f"SELECT count(*) FROM {s}.checkpoints")).scalar_one())
        if count < self._checkpoints:
            gone = self._checkpoints - count
            found.append((CHECKPOINT_WEG, "checkpoints", None, f"{gone} stored checkpoints gone"))
        self._checkpoints = max(self._checkpoints, count)
        if not self.trusted:
            return found
        rows = conn.execute(
            text(
                f"SELECT id, payload, signature FROM {s}.checkpoints WHERE id > :after "
                f"UNION SELECT * FROM (SELECT DISTINCT ON (chain) id, payload, signature "
                f"FROM {s}.checkpoints ORDER BY chain, id DESC) newest ORDER BY id"
            ),
            {"after": self._checkpoint_id},
        ).fetchall()
        for row in rows:
            checkpoint = Checkpoint(str(row.payload), bytes(row.signature))
            problem = verify_checkpoint(checkpoint, self.trusted, conn)
            if problem is not None:
                data = checkpoint.data
                found.append((CHECKPOINT, str(data.get("chain")), data.get("position"), problem))
            self._checkpoint_id = max(self._checkpoint_id, int(row.id))
        return found

    def _refusals(self, conn: Connection) -> list[Finding]:
        """Changes the append-only triggers refused since they were last reported."""
        found: list[Finding] = []
        if self._refused is None:
            self._refused = self._reported_refusals(conn)
        for table, count in refused_changes(conn, self.schema).items():
            new = count - self._refused.get(table, 0)
            if new > 0:
                problem = (
                    f"{new} change(s) to the append-only table {self.schema}.{table} refused "
                    "(who and what: PostgreSQL's server log)"
                )
                found.append((GEWEIGERD, table, count, problem))
                self._refused[table] = count
        return found

    def _reported_refusals(self, conn: Connection) -> dict[str, int]:
        """The refusal counts already reported (in earlier runs: the audit log keeps them)."""
        rows = conn.execute(
            text(
                f"SELECT object, max(result::bigint) AS n FROM {sql_name(self.schema)}.audit_log "
                "WHERE action = :a AND reason = :r GROUP BY object"
            ),
            {"a": KETEN_BREUK, "r": GEWEIGERD},
        )
        return {str(r.object).rpartition("/")[2]: int(r.n) for r in rows}

    def _raise(self, soort: str, keten: str, positie: int | None, probleem: str) -> Alarm | None:
        key = (soort, keten, positie)
        if key in self.alarms:
            return None
        alarm = Alarm(soort, keten, positie, probleem, self.now())
        if len(self.alarms) >= MAX_ALARMS:
            self.alarms.pop(next(iter(self.alarms)))
        self.alarms[key] = alarm
        log.error(
            "INTEGRITY ALARM %s/%s: %s at %s: %s", self.schema, keten, soort, positie, probleem
        )
        self.counter.add(1, {"service": self.schema, "keten": keten, "soort": soort})
        try:
            self.audit.write(
                AuditEntry(
                    service=self.schema,
                    action=KETEN_BREUK,
                    decision=ALARM,
                    object=f"{self.schema}/{keten}",
                    result=None if positie is None else str(positie),
                    reason=soort,
                    actor=SYSTEM,
                )
            )
        except Exception:
            log.exception("the audit record of the integrity alarm could not be written")
        return alarm

    # -- what /ready shows -------------------------------------------------------------------

    def status(self) -> dict[str, Any]:
        return {
            "status": "alarm" if self.alarms else ("ok" if self.failing is None else "onbekend"),
            "gecontroleerd_op": self.checked_at.isoformat() if self.checked_at else None,
            "interval_seconden": self.interval,
            "ketens": dict(self.lengths),
            "alarmen": [a.as_dict() for a in self.alarms.values()],
            **({"controle_mislukt": self.failing} if self.failing else {}),
        }

    # -- the task ------------------------------------------------------------------------------

    async def _run(self, on_change: Callable[[], None]) -> None:
        while True:
            try:
                raised = await asyncio.to_thread(self.check_now)
            except Exception as exc:
                self.failing = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
                log.exception("verifying the chains of %s failed; retrying later", self.schema)
                raised = []
            if raised:
                on_change()
            await asyncio.sleep(self.interval)

    def start(self, on_change: Callable[[], None] = lambda: None) -> None:
        self._task = asyncio.create_task(self._run(on_change), name=f"chain-watch-{self.schema}")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
