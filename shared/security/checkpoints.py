"""Signed checkpoints of each chain's head, for holders outside the database.

At intervals a service signs (Ed25519) the head of each of its chains: service, chain,
position, hash and the chain's genesis (unique per installation), and keeps the checkpoint in
its schema; it also exports it as a JSON file (CHECKPOINT_EXPORT_DIR), and the auditor can
fetch them (GET /v1/audit/checkpoints). `verify_checkpoint` accepts a checkpoint only if it
is signed by the key trusted for that service, names this installation's chain and matches
the chain at its position: a checkpoint of another database or of an earlier, rewritten or
longer version of the chain fails.
"""

# ruff: noqa: S608 - identifiers in the SQL are checked by sql_name(); values are bound

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from sqlalchemy import Connection, Engine, text

from shared.security.chain import chain_names, head, link_at, sql_name

log = logging.getLogger(__name__)


def load_signing_key(value: str) -> Ed25519PrivateKey:
    """A checkpoint signing key from configuration: base64 of a 32-byte seed, or PEM."""
    value = value.strip()
    if value.startswith("-----BEGIN"):
        key = serialization.load_pem_private_key(value.encode(), password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise ValueError("CHECKPOINT_KEY must be an Ed25519 key")
        return key
    seed = base64.b64decode(value)
    if len(seed) != 32:
        raise ValueError("CHECKPOINT_KEY must be base64 of 32 bytes (an Ed25519 seed)")
    return Ed25519PrivateKey.from_private_bytes(seed)


def new_signing_key() -> str:
    """A new checkpoint signing key in the configuration format."""
    raw = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )
    return base64.b64encode(raw).decode()


def public_pem(key: Ed25519PrivateKey) -> str:
    return (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


def key_id(public: Ed25519PublicKey) -> str:
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return "ed25519:" + hashlib.sha256(raw).hexdigest()[:16]


def load_trusted_keys(directory: Path) -> dict[str, list[Ed25519PublicKey]]:
    """Trusted public keys per service from `checkpoint-<service>.pub` (PEM) files."""
    trusted: dict[str, list[Ed25519PublicKey]] = {}
    for path in sorted(directory.glob("checkpoint-*.pub")):
        key = serialization.load_pem_public_key(path.read_bytes())
        if isinstance(key, Ed25519PublicKey):
            service = path.stem.removeprefix("checkpoint-")
            trusted.setdefault(service, []).append(key)
    return trusted


@dataclass(frozen=True)
class Checkpoint:
    """A signed statement: this chain of this service had this head."""

    payload: str
    signature: bytes

    @property
    def data(self) -> dict[str, Any]:
        return dict(json.loads(self.payload))

    @property
    def name(self) -> str:
        d = self.data
        return f"{d['service']}-{d['chain']}-{int(d['position']):012d}"

    def to_json(self) -> str:
        body = {"payload": self.payload, "signature": base64.b64encode(self.signature).decode()}
        return json.dumps(body, indent=2)

    @classmethod
    def from_json(cls, raw: str | bytes) -> Checkpoint:
        body = json.loads(raw)
        return cls(payload=str(body["payload"]), signature=base64.b64decode(body["signature"]))


def sign(
    key: Ed25519PrivateKey,
    *,
    service: str,
    chain: str,
    position: int,
    hash: bytes,
    genesis: bytes,
    signed_at: datetime | None = None,
) -> Checkpoint:
    data = {
        "version": 1,
        "service": service,
        "chain": chain,
        "position": position,
        "hash": hash.hex(),
        "genesis": genesis.hex(),
        "signed_at": (signed_at or datetime.now(UTC)).isoformat(),
        "key_id": key_id(key.public_key()),
    }
    payload = json.dumps(data, sort_keys=True, separators=(",", ":"))
    return Checkpoint(payload=payload, signature=key.sign(payload.encode()))


def verify_checkpoint(
    checkpoint: Checkpoint, trusted: dict[str, list[Ed25519PublicKey]], conn: Connection
) -> str | None:
    """None if the checkpoint is genuine and the chain still holds it; else the problem."""
    try:
        data = checkpoint.data
        service, chain, position = str(data["service"]), str(data["chain"]), int(data["position"])
    except (ValueError, KeyError, TypeError):
        return "not a checkpoint"
    keys = [k for k in trusted.get(service, []) if key_id(k) == data.get("key_id")]
    if not keys:
        return f"signed by {data.get('key_id')}, which is not trusted for {service}"
    try:
        keys[0].verify(checkpoint.signature, checkpoint.payload.encode())
    except InvalidSignature:
        return "the signature does not match the checkpoint (altered)"
    chains = chain_names(conn, service) if _has_schema(conn, service) else {}
    if chain not in chains:
        return f"this database has no chain {service}/{chain}"
    if chains[chain][1].hex() != data.get("genesis"):
        return f"a checkpoint of another installation's {service}/{chain} chain"
    found = link_at(conn, service, chain, position)
    if found is None:
        current = head(conn, service, chain)
        length = current[0] if current else 0
        return f"the chain ends at {length}, before the checkpoint's position {position}"
    if found.hex() != data.get("hash"):
        return f"the chain differs from the checkpoint at position {position}"
    return None


def _has_schema(conn: Connection, schema: str) -> bool:
    return bool(
        conn.execute(
            text(
                "SELECT 1 FROM information_schema.tables "
                "WHERE table_schema = :s AND table_name = 'chains'"
            ),
            {"s": schema},
        ).first()
    )


def stored_checkpoints(conn: Connection, schema: str) -> list[Checkpoint]:
    rows = conn.execute(
        text(f"SELECT payload, signature FROM {sql_name(schema)}.checkpoints ORDER BY id")
    ).fetchall()
    return [Checkpoint(str(r.payload), bytes(r.signature)) for r in rows]


def read_exported(directory: Path) -> list[Checkpoint]:
    return [Checkpoint.from_json(p.read_text()) for p in sorted(directory.glob("*.json"))]


def export(checkpoints: Iterable[Checkpoint], directory: Path) -> list[Path]:
    """Write checkpoints as JSON files (one per checkpoint; existing files are kept)."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for checkpoint in checkpoints:
        path = directory / f"{checkpoint.name}.json"
        if not path.exists():
            path.write_text(checkpoint.to_json())
            written.append(path)
    return written


class CheckpointWriter:
    """Signs each chain's head of one service when it moved, at intervals."""

    def __init__(
        self,
        *,
        engine: Engine,
        schema: str,
        key: Ed25519PrivateKey,
        interval: float,
        export_dir: Path | None = None,
    ) -> None:
        self.engine = engine
        self.schema = schema
        self.key = key
        self.interval = interval
        self.export_dir = export_dir
        self._task: asyncio.Task[None] | None = None

    def write_now(self) -> list[Checkpoint]:
        """Sign the head of every chain that moved since its last checkpoint."""
        made = []
        with self.engine.begin() as conn:
            for chain, (_, genesis) in chain_names(conn, self.schema).items():
                current = head(conn, self.schema, chain)
                last = conn.execute(
                    text(
                        f"SELECT max(position) FROM {sql_name(self.schema)}.checkpoints "
                        "WHERE chain = :c"
                    ),
                    {"c": chain},
                ).scalar()
                if current is None or (last is not None and current[0] <= last):
                    continue
                checkpoint = sign(
                    self.key,
                    service=self.schema,
                    chain=chain,
                    position=current[0],
                    hash=current[1],
                    genesis=genesis,
                )
                conn.execute(
                    text(
                        f"INSERT INTO {sql_name(self.schema)}.checkpoints "
                        "(chain, position, signed_at, payload, signature) "
                        "VALUES (:c, :p, now(), :payload, :sig)"
                    ),
                    {
                        "c": chain,
                        "p": current[0],
                        "payload": checkpoint.payload,
                        "sig": checkpoint.signature,
                    },
                )
                made.append(checkpoint)
        if self.export_dir is not None and made:
            export(made, self.export_dir)
        return made

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self.interval)
            try:
                await asyncio.to_thread(self.write_now)
            except Exception:
                log.exception("writing checkpoints of %s failed; retrying later", self.schema)

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name=f"checkpoints-{self.schema}")

    async def stop(self) -> None:
        """Stop, signing the heads one last time."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        try:
            await asyncio.to_thread(self.write_now)
        except Exception:
            log.exception("final checkpoints of %s failed", self.schema)
