"""Verification's configuration."""

from __future__ import annotations

from shared.settings import ServiceSettings


class VerificationSettings(ServiceSettings):
    port: int = 8002
