"""The proof of an erasure: every byte the system wrote, searched with every key there is.

Used by test_erasure.py: it collects the files of PostgreSQL (data directory with pg_wal,
after a CHECKPOINT and a WAL switch), of NATS (the JetStream store), of OpenBao (its raft
storage), the service logs and the exports; finds the plain text and every ciphertext in
them; and tries every ciphertext with every key any process holds: each Transit key that
still exists (listed with OpenBao's root token), each service token from the services'
environments, and, after restarting OpenBao from a copy of its storage unsealed with the
unseal key, every key that copy knows.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import hvac
from hvac.exceptions import VaultError

#: A ciphertext of the key service (OpenBao Transit), as it is stored (after "kp2:").
CIPHERTEXT = re.compile(rb"vault:v\d+:[A-Za-z0-9+/]+={0,2}")


def files_under(*folders: Path) -> list[Path]:
    return [p for folder in folders if folder.exists() for p in folder.rglob("*") if p.is_file()]


@dataclass
class Scan:
    """What the files hold: per needle the files it is in, and every ciphertext found."""

    files: list[Path]
    found: dict[str, list[Path]] = field(default_factory=dict)
    ciphertexts: set[str] = field(default_factory=set)

    @classmethod
    def of(cls, files: Iterable[Path], needles: Iterable[str]) -> Scan:
        scan = cls(files=list(files))
        wanted = {n: _forms(n) for n in needles}
        for path in scan.files:
            try:
                content = path.read_bytes()
            except OSError:
                continue
            for needle, forms in wanted.items():
                if any(f in content for f in forms):
                    scan.found.setdefault(needle, []).append(path)
            scan.ciphertexts.update(m.decode() for m in CIPHERTEXT.findall(content))
        return scan

    def hits(self, needles: Iterable[str]) -> dict[str, list[str]]:
        return {n: [str(p) for p in self.found[n]] for n in needles if n in self.found}


def _forms(needle: str) -> list[bytes]:
    """The needle as UTF-8, as UTF-16 (Go and Java strings on disk), and base64-encoded."""
    raw = needle.encode()
    return [raw, needle.encode("utf-16-le"), base64.b64encode(raw)]


def transit_mounts(root: hvac.Client) -> list[str]:
    mounts = root.sys.list_mounted_secrets_engines()
    data = mounts.get("data", mounts)
    return [path.rstrip("/") for path, m in data.items() if m.get("type") == "transit"]


def transit_keys(root: hvac.Client, mount: str) -> list[str]:
    try:
        return list(root.secrets.transit.list_keys(mount_point=mount)["data"]["keys"])
    except VaultError:
        return []


def decrypt_any(client: hvac.Client, mount: str, key: str, ciphertext: str) -> bytes | None:
    try:
        result = client.secrets.transit.decrypt_data(key, ciphertext, mount_point=mount)
    except VaultError:
        return None
    return base64.b64decode(result["data"]["plaintext"])


def everything_readable(
    clients: list[hvac.Client], root: hvac.Client, ciphertexts: set[str], extra_keys: list[str]
) -> list[bytes]:
    """Every plain text any of the clients gets from any ciphertext under any key that exists
    (listed by the root client) or that is named in `extra_keys` (the erased case's key)."""
    plain = []
    for mount in transit_mounts(root):
        names = set(transit_keys(root, mount)) | set(extra_keys)
        for name in sorted(names):
            for ciphertext in sorted(ciphertexts):
                for client in clients:
                    value = decrypt_any(client, mount, name, ciphertext)
                    if value is not None:
                        plain.append(value)
                        break
    return plain
