"""Settings common to every service, read from environment variables."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from shared.security.settings import SecuritySettings

DEFAULT_DATABASE_URL = "postgresql://postgres@127.0.0.1:55432/knooppunt"
DEFAULT_NATS_URL = "nats://127.0.0.1:54222"


class ServiceSettings(SecuritySettings):
    """Configuration of one service. Every field can be set by the environment variable of
    the same name in upper case (DATABASE_URL, NATS_URL, PORT, ...)."""

    model_config = SettingsConfigDict(extra="ignore", frozen=True)

    environment: Literal["development", "test", "production"] = "development"
    #: PostgreSQL server (the system of record), as the service's runtime role; the service
    #: keeps its data in its own schema (docs/operations.md, "Database roles").
    database_url: str = DEFAULT_DATABASE_URL
    #: The service's owner role: if set, the service migrates its schema with it at start-up
    #: (else `knooppunt db migrate` did). Never the runtime role, never a superuser.
    database_owner_url: SecretStr | None = None
    #: NATS server with JetStream (the replayable transport).
    nats_url: str = DEFAULT_NATS_URL
    #: The service's own NATS user (deploy/nats/permissions.py): its name (the inbox prefix
    #: _INBOX.<user>) and its NKey seed (S...); nats-server holds only the public key.
    nats_user: str | None = None
    nats_nkey_seed: SecretStr | None = None
    host: str = "127.0.0.1"
    port: int = 8000
    #: Where traces go: none, console (stdout) or otlp (OTEL_EXPORTER_OTLP_ENDPOINT).
    otel_exporter: Literal["none", "console", "otlp"] = "none"
    otel_endpoint: str | None = None
    #: Origins whose browsers may call the API (CORS), as a JSON list; none by default: the
    #: partners' systems call server to server (the OpenAPI document: any origin).
    cors_origins: list[str] = Field(default_factory=list)
    #: Largest request body accepted, in bytes (larger: 413).
    max_body_bytes: int = 256 * 1024
    #: Pool size of the event store's connection pool.
    pool_size: int = 5
    #: How often the relay looks for new events when nothing nudged it (seconds).
    relay_poll_seconds: float = 0.5
    #: How long JetStream waits for a consumer's ack before redelivering (seconds); a handler
    #: that takes longer keeps its message with progress heartbeats.
    consumer_ack_wait_seconds: float = 5
    #: Attempts of a message that fails before it is parked (knooppunt parked ...).
    consumer_max_attempts: int = 5
    #: Wait before the first retry of a failed message; doubled for each next one.
    consumer_retry_delay_seconds: float = 0.5
    #: A consumer with a backlog and no progress for this long makes /ready answer 503.
    consumer_stall_seconds: float = 30

    @model_validator(mode="after")
    def _production_needs_real_servers(self) -> ServiceSettings:
        if self.environment == "production" and self.database_url == DEFAULT_DATABASE_URL:
            raise ValueError("DATABASE_URL must be set explicitly in production")
        return self


class KeyServiceSettings(BaseSettings):
    """The key service (OpenBao's Transit engine) of a service that holds free text of cases:
    its address, the service's own token and its Transit engine (docs/security.md)."""

    model_config = SettingsConfigDict(extra="ignore", frozen=True)

    openbao_addr: str | None = None
    openbao_token: SecretStr | None = None
    openbao_mount: str = "transit"
