"""`knooppunt audit verify`: every link of every chain, every checkpoint, in one report.

A chain that is valid in itself proves nothing on its own: whoever can write the database can
rewrite a whole chain with correct hashes. So every chain that has records must be *anchored*:
at least one checkpoint kept outside the database (`exported`: the holder's files, not the
services' own `checkpoints` tables), signed by the key trusted for its service, must still
hold. The records after the newest anchor are reported (a rewrite of those would not show).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy import Connection

from shared.security.chain import ChainResult, Progress, chained_schemas, verify_schema
from shared.security.checkpoints import Checkpoint, stored_checkpoints, verify_checkpoint


@dataclass(frozen=True)
class CheckpointResult:
    source: str
    checkpoint: Checkpoint
    problem: str | None

    @property
    def where(self) -> tuple[str, str, int] | None:
        """(service, chain, position) of a readable checkpoint."""
        try:
            d = self.checkpoint.data
            return str(d["service"]), str(d["chain"]), int(d["position"])
        except (ValueError, KeyError, TypeError):
            return None

    def describe(self) -> str:
        try:
            d = self.checkpoint.data
            name = f"{d['service']}/{d['chain']} at {d['position']} ({d['signed_at']})"
        except (ValueError, KeyError, TypeError):
            name = "unreadable checkpoint"
        verdict = "holds" if self.problem is None else f"FAILS: {self.problem}"
        return f"checkpoint {name} from {self.source}: {verdict}"

    def as_dict(self) -> dict[str, Any]:
        where = self.where
        service, chain, position = where if where else (None, None, None)
        return {
            "source": self.source,
            "service": service,
            "chain": chain,
            "position": position,
            "ok": self.problem is None,
            "problem": self.problem,
        }


@dataclass(frozen=True)
class Anchor:
    """How far a chain is covered by a checkpoint held outside the database."""

    service: str
    chain: str
    length: int
    #: The position of the newest external checkpoint that holds (None: not anchored).
    position: int | None

    @property
    def ok(self) -> bool:
        return self.length == 0 or self.position is not None

    @property
    def unanchored(self) -> int:
        return self.length - (self.position or 0)

    def describe(self) -> str:
        name = f"{self.service}/{self.chain}"
        if self.length == 0:
            return f"{name}: empty, needs no anchor"
        if self.position is None:
            return (
                f"{name}: NOT ANCHORED: no trusted checkpoint from outside the database holds "
                "for it, so a rewrite of the whole chain would not show"
            )
        return (
            f"{name}: anchored at {self.position} by a checkpoint held outside the database"
            f" ({self.unanchored} newer records not yet anchored)"
        )


@dataclass
class Report:
    chains: list[ChainResult] = field(default_factory=list)
    checkpoints: list[CheckpointResult] = field(default_factory=list)
    anchors: list[Anchor] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return (
            all(c.ok for c in self.chains)
            and all(c.problem is None for c in self.checkpoints)
            and all(a.ok for a in self.anchors)
        )

    def lines(self) -> list[str]:
        return (
            [c.describe() for c in self.chains]
            + [c.describe() for c in self.checkpoints]
            + [a.describe() for a in self.anchors]
        )

    @property
    def first_broken(self) -> ChainResult | None:
        return next((c for c in self.chains if not c.ok), None)

    def as_dict(self) -> dict[str, Any]:
        anchors = {(a.service, a.chain): a for a in self.anchors}
        chains = []
        for c in self.chains:
            anchor = anchors.get((c.service, c.chain))
            chains.append(
                {
                    "service": c.service,
                    "chain": c.chain,
                    "length": c.length,
                    "ok": c.ok,
                    "broken_at": c.broken_at,
                    "problem": c.problem,
                    "anchored_at": anchor.position if anchor else None,
                    "anchored": anchor.ok if anchor else False,
                }
            )
        return {
            "ok": self.ok,
            "chains": chains,
            "checkpoints": [c.as_dict() for c in self.checkpoints],
        }


def verify_database(
    conn: Connection,
    *,
    trusted: dict[str, list[Ed25519PublicKey]],
    exported: Iterable[Checkpoint] = (),
    exported_from: str = "export",
    require_anchor: bool = True,
    progress: Progress | None = None,
) -> Report:
    """Check every chain of every service in the database, the checkpoints the services
    stored, and the checkpoints a holder kept (`exported`); with `require_anchor`, every
    chain with records must be held by at least one of the exported checkpoints."""
    report = Report()
    for schema in chained_schemas(conn):
        report.chains += verify_schema(conn, schema, progress)
        for checkpoint in stored_checkpoints(conn, schema):
            problem = verify_checkpoint(checkpoint, trusted, conn)
            report.checkpoints.append(
                CheckpointResult(f"{schema}.checkpoints", checkpoint, problem)
            )
    held: dict[tuple[str, str], int] = {}
    for checkpoint in exported:
        result = CheckpointResult(
            exported_from, checkpoint, verify_checkpoint(checkpoint, trusted, conn)
        )
        report.checkpoints.append(result)
        where = result.where
        if result.problem is None and where is not None:
            key = (where[0], where[1])
            held[key] = max(held.get(key, 0), where[2])
    if require_anchor:
        report.anchors = [
            Anchor(c.service, c.chain, c.length, held.get((c.service, c.chain)))
            for c in report.chains
        ]
    return report
