"""Security settings every service reads (environment variables; docs/security.md)."""

from __future__ import annotations

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings

#: Signature algorithms a token may use: asymmetric only, never "none" or HMAC.
ALLOWED_ALGORITHMS = ("EdDSA", "ES256", "RS256")
#: The issuer of development tokens (`knooppunt token`); refused in production.
DEV_ISSUER = "knooppunt-dev"
#: Key ids of development keys start with this; refused in production.
DEV_KEY_PREFIX = "dev-"


class SecuritySettings(BaseSettings):
    """Where the token keys and the checkpoint signing key come from."""

    #: Public keys for bearer tokens: a JWKS document ({"keys": [...]}) or PEM public keys.
    jwt_public_keys: str | None = None
    #: Or the JWKS address of an OpenID Connect provider (keys fetched and cached).
    jwt_jwks_url: str | None = None
    jwt_issuer: str = DEV_ISSUER
    jwt_audience: str = "knooppunt"
    jwt_algorithms: list[str] = list(ALLOWED_ALGORITHMS)
    #: Clock skew tolerated on exp, nbf and iat (seconds).
    jwt_leeway_seconds: int = 30
    #: The longest a token may be valid (exp - iat); a longer one is refused (default 12 h).
    jwt_max_lifetime_seconds: int = Field(default=12 * 3600, gt=0, le=7 * 24 * 3600)
    #: The development signing key (a private JWK) the pages mint tokens with: development only.
    jwt_dev_signing_key: SecretStr | None = None
    #: Base64 of the 32-byte Ed25519 seed this service signs its chain checkpoints with.
    checkpoint_key: SecretStr | None = None
    checkpoint_interval_seconds: float = 300
    #: A directory the signed checkpoints are also written to (for a holder outside the DB).
    checkpoint_export_dir: str | None = None
    #: How often the service verifies its own chains and counts refused changes (seconds).
    chain_verify_interval_seconds: float = Field(default=300, gt=0)

    @field_validator("jwt_algorithms")
    @classmethod
    def _asymmetric_only(cls, value: list[str]) -> list[str]:
        refused = [a for a in value if a not in ALLOWED_ALGORITHMS]
        if refused or not value:
            raise ValueError(
                f"JWT_ALGORITHMS may name only {list(ALLOWED_ALGORITHMS)}, not {refused or value}"
            )
        return value

    @model_validator(mode="after")
    def _production_refuses_development_keys(self) -> SecuritySettings:
        environment = getattr(self, "environment", "development")
        if self.jwt_dev_signing_key is not None and environment != "development":
            raise ValueError(
                f"JWT_DEV_SIGNING_KEY is for ENVIRONMENT=development only, not {environment!r}"
            )
        if environment != "production":
            return self
        if self.jwt_issuer == DEV_ISSUER:
            raise ValueError(f"JWT_ISSUER must be set in production (not {DEV_ISSUER!r})")
        if not (self.jwt_public_keys or self.jwt_jwks_url):
            raise ValueError("JWT_PUBLIC_KEYS or JWT_JWKS_URL must be set in production")
        if self.jwt_public_keys:
            from shared.security.tokens import load_public_keys

            keys = load_public_keys(self.jwt_public_keys)
            if any(k.key_id.startswith(DEV_KEY_PREFIX) for k in keys):
                raise ValueError("production refuses the development key (kid dev-...)")
        if self.checkpoint_key is None:
            raise ValueError("CHECKPOINT_KEY must be set in production")
        return self
