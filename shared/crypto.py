"""Encryption of a case's personal data and free text under that case's own key.

The keys live in the key service (OpenBao's Transit engine, one key per case, named
`zaak-<id>`), never in a service: a service sends plain text to be encrypted and ciphertext
to be decrypted, and holds only its token, which its policy limits to its own Transit engine
(deploy/openbao.py). Erasing a case's data deletes its key there (crypto-shredding): the
ciphertext stays where it is (the event history and its hash chain are unchanged) but no
key in existence can read it again. See docs/security.md ("Keys", "Erasure").
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from collections.abc import Sequence
from typing import Protocol

import hvac
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from hvac.exceptions import InvalidPath, InvalidRequest

#: Marks a ciphertext token in stored events: "kp2:" + the key service's ciphertext.
TOKEN_PREFIX = "kp2:"  # noqa: S105 - a format marker, not a secret
#: Every marker ever used (kp1: the earlier per-case AES keys wrapped by a master key).
TOKEN_PREFIXES = ("kp1:", TOKEN_PREFIX)


class KeyDestroyed(Exception):
    """The case's key was deleted (its personal data is erased), or never made."""


def key_name(case_id: str) -> str:
    return f"zaak-{case_id}"


def is_token(value: object) -> bool:
    return isinstance(value, str) and value.startswith(TOKEN_PREFIXES)


class CaseKeys(Protocol):
    """One key per case: encrypt and decrypt under it, HMAC with it, delete it."""

    def create(self, case_id: str) -> None: ...
    def encrypt(self, case_id: str, plaintext: bytes) -> str: ...
    def decrypt(self, case_id: str, token: str) -> bytes: ...
    def decrypt_many(self, case_id: str, tokens: Sequence[str]) -> list[bytes]: ...
    def fingerprint(self, case_id: str, data: bytes) -> str: ...
    def destroy(self, case_id: str) -> None: ...


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _unwrap(token: str) -> str:
    if not token.startswith(TOKEN_PREFIX):
        raise ValueError("not a ciphertext of the key service")
    return token[len(TOKEN_PREFIX) :]


def _missing(exc: Exception) -> bool:
    text = str(exc).lower()
    return "not found" in text or "no existing key" in text


class TransitCaseKeys:
    """Case keys in an OpenBao (or Vault) Transit engine, through hvac.

    The service's token may create `zaak-*` keys, use them, and delete them; encrypting
    under a key that does not exist is refused (the policy grants no `create` on the
    encrypt path), so a deleted key is never made again by a late write.
    """

    def __init__(self, client: hvac.Client, mount: str) -> None:
        self.client = client
        self.mount = mount
        self.transit = client.secrets.transit

    @classmethod
    def connect(cls, url: str, token: str, mount: str, timeout: float = 10) -> TransitCaseKeys:
        return cls(hvac.Client(url=url, token=token, timeout=timeout), mount)

    def check(self) -> None:
        """Fail at start-up when the key service is unreachable or the token is invalid."""
        self.client.auth.token.lookup_self()

    def create(self, case_id: str) -> None:
        """Make the case's key (nothing happens if it exists)."""
        self.transit.create_key(key_name(case_id), key_type="aes256-gcm96", mount_point=self.mount)

    def encrypt(self, case_id: str, plaintext: bytes) -> str:
        try:
            result = self.transit.encrypt_data(
                key_name(case_id), _b64(plaintext), mount_point=self.mount
            )
        except hvac.exceptions.Forbidden as exc:  # the key does not exist (any more)
            raise KeyDestroyed(case_id) from exc
        return TOKEN_PREFIX + str(result["data"]["ciphertext"])

    def decrypt(self, case_id: str, token: str) -> bytes:
        return self.decrypt_many(case_id, [token])[0]

    def decrypt_many(self, case_id: str, tokens: Sequence[str]) -> list[bytes]:
        if not tokens:
            return []
        batch = [{"ciphertext": _unwrap(t)} for t in tokens]
        try:
            result = self.transit.decrypt_data(
                key_name(case_id), "", batch_input=batch, mount_point=self.mount
            )
        except (InvalidRequest, InvalidPath) as exc:
            if _missing(exc):
                raise KeyDestroyed(case_id) from exc
            raise ValueError("ciphertext does not belong to this case or was altered") from exc
        out = []
        for item in result["data"]["batch_results"]:
            if item.get("error"):
                raise ValueError("ciphertext does not belong to this case or was altered")
            out.append(base64.b64decode(item["plaintext"]))
        return out

    def fingerprint(self, case_id: str, data: bytes) -> str:
        """An HMAC under the case's key: a request's fingerprint that dies with the key."""
        try:
            result = self.transit.generate_hmac(
                key_name(case_id), _b64(data), algorithm="sha2-256", mount_point=self.mount
            )
        except (InvalidRequest, InvalidPath) as exc:
            if _missing(exc):
                raise KeyDestroyed(case_id) from exc
            raise
        return str(result["data"]["hmac"])

    def destroy(self, case_id: str) -> None:
        """Delete the case's key for good (idempotent): allow its deletion, then delete."""
        name = key_name(case_id)
        try:
            self.transit.update_key_configuration(
                name, deletion_allowed=True, mount_point=self.mount
            )
            self.transit.delete_key(name, mount_point=self.mount)
        except (InvalidRequest, InvalidPath) as exc:
            if not _missing(exc):
                raise


class InMemoryCaseKeys:
    """Case keys in a dict (AES-256-GCM), for unit tests only."""

    def __init__(self) -> None:
        self.keys: dict[str, bytes] = {}
        self.destroyed: set[str] = set()

    def create(self, case_id: str) -> None:
        if case_id not in self.destroyed:
            self.keys.setdefault(case_id, AESGCM.generate_key(bit_length=256))

    def _key(self, case_id: str) -> bytes:
        key = self.keys.get(case_id)
        if key is None:
            raise KeyDestroyed(case_id)
        return key

    def encrypt(self, case_id: str, plaintext: bytes) -> str:
        nonce = os.urandom(12)
        sealed = AESGCM(self._key(case_id)).encrypt(nonce, plaintext, None)
        return TOKEN_PREFIX + _b64(nonce + sealed)

    def decrypt(self, case_id: str, token: str) -> bytes:
        raw = base64.b64decode(_unwrap(token))
        try:
            return AESGCM(self._key(case_id)).decrypt(raw[:12], raw[12:], None)
        except InvalidTag as exc:
            raise ValueError("ciphertext does not belong to this case or was altered") from exc

    def decrypt_many(self, case_id: str, tokens: Sequence[str]) -> list[bytes]:
        return [self.decrypt(case_id, t) for t in tokens]

    def fingerprint(self, case_id: str, data: bytes) -> str:
        return hmac.new(self._key(case_id), data, hashlib.sha256).hexdigest()

    def destroy(self, case_id: str) -> None:
        self.keys.pop(case_id, None)
        self.destroyed.add(case_id)
