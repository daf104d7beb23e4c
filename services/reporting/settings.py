"""Reporting's configuration."""

from __future__ import annotations

from shared.settings import ServiceSettings


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
