"""Consular's configuration."""

from __future__ import annotations

from shared.settings import ServiceSettings


class ConsularSettings(ServiceSettings):
    port: int = 8003
