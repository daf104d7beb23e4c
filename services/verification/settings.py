"""Verification's configuration."""

from __future__ import annotations

from shared.settings import KeyServiceSettings, ServiceSettings


class VerificationSettings(KeyServiceSettings, ServiceSettings):
    port: int = 8002
    openbao_mount: str = "transit-verification"
