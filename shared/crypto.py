"""Envelope encryption of personal data: a data key per case, wrapped by a master key.

Erasing a case's personal data destroys its data key (crypto-shredding): the ciphertext
stays where it is (the event history and its hash chain are unchanged) but can never be
read again. AES-256-GCM throughout, from the `cryptography` package.
"""

from __future__ import annotations

import base64
import os
from typing import Protocol

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

TOKEN_PREFIX = "kp1:"  # noqa: S105 - a format marker, not a secret


class KeyDestroyed(Exception):
    """The case's data key was destroyed: its personal data is erased."""


class KeyStore(Protocol):
    """Where wrapped data keys live (a table in the owning service's schema)."""

    def load(self, case_id: str) -> bytes | None: ...  # None: never made; b"": destroyed
    def save_new(self, case_id: str, wrapped: bytes) -> bytes: ...  # returns the key that won
    def destroy(self, case_id: str) -> None: ...


class InMemoryKeyStore:
    """A key store in a dict, for unit tests."""

    def __init__(self) -> None:
        self.keys: dict[str, bytes] = {}

    def load(self, case_id: str) -> bytes | None:
        return self.keys.get(case_id)

    def save_new(self, case_id: str, wrapped: bytes) -> bytes:
        return self.keys.setdefault(case_id, wrapped)

    def destroy(self, case_id: str) -> None:
        self.keys[case_id] = b""


def parse_master_key(value: str) -> bytes:
    """A master key from configuration: 32 bytes, base64 encoded."""
    key = base64.b64decode(value)
    if len(key) != 32:
        raise ValueError("master key must be 32 bytes (base64 of 32 random bytes)")
    return key


def new_master_key() -> str:
    return base64.b64encode(AESGCM.generate_key(bit_length=256)).decode()


class CaseCipher:
    """Encrypts and decrypts one case's personal data with that case's own data key."""

    def __init__(self, master_key: bytes, store: KeyStore) -> None:
        self._master = AESGCM(master_key)
        self.store = store

    def _wrap(self, case_id: str, data_key: bytes) -> bytes:
        nonce = os.urandom(12)
        return nonce + self._master.encrypt(nonce, data_key, case_id.encode())

    def _unwrap(self, case_id: str, wrapped: bytes) -> bytes:
        return self._master.decrypt(wrapped[:12], wrapped[12:], case_id.encode())

    def _data_key(self, case_id: str, *, create: bool) -> bytes:
        wrapped = self.store.load(case_id)
        if wrapped == b"":
            raise KeyDestroyed(case_id)
        if wrapped is None:
            if not create:
                raise KeyDestroyed(case_id)
            wrapped = self.store.save_new(case_id, self._wrap(case_id, AESGCM.generate_key(256)))
            if wrapped == b"":
                raise KeyDestroyed(case_id)
        return self._unwrap(case_id, wrapped)

    def encrypt(self, case_id: str, plaintext: bytes) -> str:
        key = AESGCM(self._data_key(case_id, create=True))
        nonce = os.urandom(12)
        sealed = key.encrypt(nonce, plaintext, case_id.encode())
        return TOKEN_PREFIX + base64.b64encode(nonce + sealed).decode()

    def decrypt(self, case_id: str, token: str) -> bytes:
        if not token.startswith(TOKEN_PREFIX):
            raise ValueError("not a Knooppunt ciphertext")
        raw = base64.b64decode(token[len(TOKEN_PREFIX) :])
        key = AESGCM(self._data_key(case_id, create=False))
        try:
            return key.decrypt(raw[:12], raw[12:], case_id.encode())
        except InvalidTag as exc:
            raise ValueError("ciphertext does not belong to this case or was altered") from exc

    def destroy(self, case_id: str) -> None:
        self.store.destroy(case_id)
