"""Reporting's configuration."""

from __future__ import annotations

from pydantic import SecretStr, model_validator

from shared.settings import ServiceSettings

#: The cell key method's key where none is configured: development and tests only.
ONTWIKKELSLEUTEL = "knooppunt development cell key, never in production"


class ReportingSettings(ServiceSettings):
    port: int = 8004

    # The coordinators' pages (services/reporting/web) call these services' APIs with the
    # signed-in user's token: INTAKE_URL, VERIFICATION_URL.
    intake_url: str = "http://127.0.0.1:8001"
    verification_url: str = "http://127.0.0.1:8002"
    #: How long the pages wait for another service's answer (seconds).
    ui_timeout_seconds: float = 5.0
    #: After recording, how long a page waits for the event to reach reporting's timeline.
    ui_wacht_seconden: float = 3.0
    #: The secret of the cell key method (docs/security.md, disclosure control): the record
    #: key of a case is HMAC-SHA-256(key, zaak_id). Keep it stable: a new key gives every
    #: cell new noise, so old and new answers could be averaged. At least 32 characters;
    #: required in production (GEHEIMHOUDING_SLEUTEL).
    geheimhouding_sleutel: SecretStr | None = None

    def cel_sleutel(self) -> bytes:
        """The key of the cell key method."""
        if self.geheimhouding_sleutel is None:
            return ONTWIKKELSLEUTEL.encode()
        return self.geheimhouding_sleutel.get_secret_value().encode()

    @model_validator(mode="after")
    def _production_needs_a_cell_key(self) -> ReportingSettings:
        sleutel = self.geheimhouding_sleutel
        if sleutel is not None and len(sleutel.get_secret_value()) < 32:
            raise ValueError("GEHEIMHOUDING_SLEUTEL must hold at least 32 characters")
        if self.environment == "production" and sleutel is None:
            raise ValueError("GEHEIMHOUDING_SLEUTEL must be set in production")
        return self
