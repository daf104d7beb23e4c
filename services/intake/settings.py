"""Intake's configuration (environment variables; see docs/operations.md)."""

from __future__ import annotations

from pydantic import SecretStr

from shared.settings import ServiceSettings


class IntakeSettings(ServiceSettings):
    port: int = 8001
    #: Base64 of 32 random bytes; wraps the per-case data keys. `knooppunt run` makes one.
    master_key: SecretStr | None = None
