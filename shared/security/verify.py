"""`knooppunt audit verify`: every link of every chain, every checkpoint, in one report."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy import Connection

from shared.security.chain import ChainResult, chained_schemas, verify_schema
from shared.security.checkpoints import Checkpoint, stored_checkpoints, verify_checkpoint


@dataclass(frozen=True)
class CheckpointResult:
    source: str
    checkpoint: Checkpoint
    problem: str | None

    def describe(self) -> str:
        try:
            d = self.checkpoint.data
            name = f"{d['service']}/{d['chain']} at {d['position']} ({d['signed_at']})"
        except (ValueError, KeyError):
            name = "unreadable checkpoint"
        verdict = "holds" if self.problem is None else f"FAILS: {self.problem}"
        return f"checkpoint {name} from {self.source}: {verdict}"


@dataclass
class Report:
    chains: list[ChainResult] = field(default_factory=list)
    checkpoints: list[CheckpointResult] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.chains) and all(c.problem is None for c in self.checkpoints)

    def lines(self) -> list[str]:
        return [c.describe() for c in self.chains] + [c.describe() for c in self.checkpoints]

    @property
    def first_broken(self) -> ChainResult | None:
        return next((c for c in self.chains if not c.ok), None)


def verify_database(
    conn: Connection,
    *,
    trusted: dict[str, list[Ed25519PublicKey]],
    exported: Iterable[Checkpoint] = (),
    exported_from: str = "export",
) -> Report:
    """Check every chain of every service in the database, the checkpoints the services
    stored, and the checkpoints a holder kept (`exported`)."""
    report = Report()
    for schema in chained_schemas(conn):
        report.chains += verify_schema(conn, schema)
        for checkpoint in stored_checkpoints(conn, schema):
            problem = verify_checkpoint(checkpoint, trusted, conn)
            report.checkpoints.append(
                CheckpointResult(f"{schema}.checkpoints", checkpoint, problem)
            )
    for checkpoint in exported:
        problem = verify_checkpoint(checkpoint, trusted, conn)
        report.checkpoints.append(CheckpointResult(exported_from, checkpoint, problem))
    return report
