"""The auditor's replay: one service's part of a case's history, each link checked on the way.

Events are read as stored, decoded with the service's own transcoder, and shown with who
recorded them and when (the metadata stored with each event). Personal data (ciphertext
tokens) and free-text fields are masked unless the auditor states a reden; the audit records
about the case follow. `knooppunt audit replay` merges the four services' parts in time order.
"""

# ruff: noqa: S608 - identifiers in the SQL are checked by sql_name(); values are bound

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, text

from shared.crypto import KeyDestroyed, is_token
from shared.security.chain import (
    AUDIT,
    EVENTS,
    audit_hash,
    chain_names,
    event_hash,
    sql_name,
)

#: Decrypts a case's ciphertext token (raises KeyDestroyed once the data key is destroyed).
Decryptor = Callable[[str, str], Any]
#: Turns a stored event's state into a dict (the service's own transcoder).
Decoder = Callable[[bytes], Mapping[str, Any]]

MASKED = "[afgeschermd]"
ENCRYPTED = "[versleuteld]"
ERASED = "[gewist]"


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


class Masker:
    """Masks personal data and free text in decoded event state."""

    def __init__(
        self, *, zaak_id: str, free_text: frozenset[str], unmask: bool, decrypt: Decryptor | None
    ) -> None:
        self.zaak_id = zaak_id
        self.free_text = free_text
        self.unmask = unmask
        self.decrypt = decrypt

    def __call__(self, value: Any, key: str | None = None) -> Any:
        if is_token(value):
            if not self.unmask or self.decrypt is None:
                return ENCRYPTED
            try:
                return _plain(self.decrypt(self.zaak_id, value))
            except KeyDestroyed:
                return ERASED
            except ValueError:  # another case's text (a regieoverleg names several)
                return ENCRYPTED
        if key in self.free_text and value not in (None, "", [], {}):
            return _plain(value) if self.unmask else MASKED
        if isinstance(value, Mapping):
            return {str(k): self(v, str(k)) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [self(v, key) for v in value]
        return _plain(value)


def _trace_id(meta: Mapping[str, Any]) -> str | None:
    parent = str((meta.get("trace") or {}).get("traceparent") or "")
    parts = parent.split("-")
    return parts[1] if len(parts) == 4 else None


def _link_problem(expected_prev: bytes | None, row: Mapping[str, Any], computed: bytes) -> str:
    if row["hash"] is None:
        return "not in the chain"
    if expected_prev is None or bytes(row["prev_hash"]) != expected_prev:
        return "does not link to the record before it"
    if computed != bytes(row["hash"]):
        return "does not match its hash (changed)"
    return "ok"


def _previous(
    conn: Connection, schema: str, table: str, positions: list[int], genesis: bytes
) -> dict[int, bytes]:
    """Hash of the link before each position (the genesis before the first)."""
    wanted = [p - 1 for p in positions if p is not None and p > 1]
    rows = conn.execute(
        text(f"SELECT position, hash FROM {sql_name(schema)}.{table} WHERE position = ANY(:p)"),
        {"p": wanted},
    )
    found = {int(r.position) + 1: bytes(r.hash) for r in rows}
    found[1] = genesis
    return found


def case_events(
    conn: Connection,
    *,
    schema: str,
    zaak_id: str,
    decode: Decoder,
    mask: Masker,
) -> list[dict[str, Any]]:
    """The stored events about a case (its own and those naming it), links checked."""
    chains = chain_names(conn, schema)
    if EVENTS not in chains:
        return []
    table, genesis = chains[EVENTS]
    rows = [
        dict(r._mapping)
        for r in conn.execute(
            text(
                f"SELECT e.notification_id, e.originator_id::text AS originator_id, "
                f"e.originator_version, e.topic, e.state, c.position, c.prev_hash, c.hash "
                f"FROM {sql_name(schema)}.{sql_name(table)} e "
                f"LEFT JOIN {sql_name(schema)}.event_chain c "
                f"ON c.notification_id = e.notification_id "
                f"WHERE e.originator_id::text = :z "
                f"OR position(convert_to(:z, 'UTF8') IN e.state) > 0 "
                f"ORDER BY e.notification_id"
            ),
            {"z": zaak_id},
        )
    ]
    previous = _previous(conn, schema, "event_chain", [r["position"] for r in rows], genesis)
    out = []
    for row in rows:
        position = row["position"]
        computed = event_hash(row["prev_hash"] or b"", position or 0, row)
        state = dict(decode(bytes(row["state"])))
        meta = state.pop("_meta", None) or {}
        recorded_at = state.pop("timestamp", None)
        state.pop("originator_topic", None)
        out.append(
            {
                "service": schema,
                "positie": position,
                "zaak_id": row["originator_id"],
                "versie": row["originator_version"],
                "type": str(row["topic"]).rsplit(":", 1)[-1],
                "vastgelegd_op": _plain(recorded_at),
                "vastgelegd_door": meta.get("actor"),
                "trace_id": _trace_id(meta),
                "gegevens": mask(state),
                "keten": _link_problem(previous.get(position or 0), row, computed),
            }
        )
    return out


def case_audit(conn: Connection, *, schema: str, zaak_id: str) -> list[dict[str, Any]]:
    """The audit records about a case, links checked."""
    genesis = chain_names(conn, schema)[AUDIT][1]
    rows = [
        dict(r._mapping)
        for r in conn.execute(
            text(
                f"SELECT * FROM {sql_name(schema)}.audit_log WHERE zaak_id = :z ORDER BY position"
            ),
            {"z": zaak_id},
        )
    ]
    previous = _previous(conn, schema, "audit_log", [r["position"] for r in rows], genesis)
    out = []
    for row in rows:
        computed = audit_hash(bytes(row["prev_hash"]), row)
        record = {k: _plain(v) for k, v in row.items() if k not in ("prev_hash", "hash")}
        record["keten"] = _link_problem(previous.get(int(row["position"])), row, computed)
        out.append(record)
    return out


def case_history(
    conn: Connection,
    *,
    schema: str,
    zaak_id: str,
    decode: Decoder | None,
    free_text: frozenset[str],
    unmask: bool,
    decrypt: Decryptor | None,
) -> dict[str, Any]:
    """This service's part of a case's history, for the auditor."""
    mask = Masker(zaak_id=zaak_id, free_text=free_text, unmask=unmask, decrypt=decrypt)
    events = (
        case_events(conn, schema=schema, zaak_id=zaak_id, decode=decode, mask=mask)
        if decode is not None
        else []
    )
    audit = case_audit(conn, schema=schema, zaak_id=zaak_id)
    intact = all(e["keten"] == "ok" for e in events + audit)
    return {
        "service": schema,
        "zaak_id": zaak_id,
        "integriteit": "ok" if intact else "gebroken",
        "persoonsgegevens": "zichtbaar" if unmask else "afgeschermd",
        "gebeurtenissen": events,
        "audit": audit,
    }
