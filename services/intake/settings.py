"""Intake's configuration (environment variables; see docs/operations.md)."""

from __future__ import annotations

from shared.settings import KeyServiceSettings, ServiceSettings


class IntakeSettings(KeyServiceSettings, ServiceSettings):
    port: int = 8001
    openbao_mount: str = "transit-intake"
    #: Days after verification closed a case until its personal data is erased.
    bewaartermijn_dagen: int = 5 * 365
    #: How often the retention sweep looks for cases past their period (seconds).
    bewaring_interval_seconden: float = 3600
    #: The register of organisations that may report (JSON: org -> melder type and name);
    #: the shipped services/intake/organisaties.json when not set.
    organisatieregister: str | None = None
