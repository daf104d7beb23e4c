"""Bearer tokens: signed JWTs naming the agency (org), the role (rol) and the user.

Verified with PyJWT against public keys from configuration (a JWKS document or PEM keys) or
a JWKS address, so any OpenID Connect provider can issue them. Only the asymmetric
algorithms of an explicit allow-list are accepted, never "none" or HMAC; the algorithm must
also fit the key. Development keys (key id "dev-...", issuer "knooppunt-dev") are refused in
production. Every failure is a `TokenInvalid` whose text is for the log, never the client.
"""

from __future__ import annotations

import base64
import hashlib
import json
import time
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ec import EllipticCurvePublicKey
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey
from jwt import PyJWK, PyJWKClient

from shared.context import Actor
from shared.security.settings import (
    ALLOWED_ALGORITHMS,
    DEV_ISSUER,
    DEV_KEY_PREFIX,
    SecuritySettings,
)

REQUIRED_CLAIMS = ["exp", "iat", "iss", "aud", "sub", "org", "rol"]
#: The longest a token may be valid (exp - iat), unless JWT_MAX_LIFETIME_SECONDS says otherwise.
MAX_LIFETIME_SECONDS = 12 * 3600


class TokenInvalid(ValueError):
    """The bearer token is missing, malformed, expired, not ours or not trusted."""


class NoTokenKeys(RuntimeError):
    """No key to verify tokens with is configured."""


@dataclass(frozen=True)
class PublicKey:
    """A trusted verification key with its id and the one algorithm it verifies."""

    key_id: str
    algorithm: str
    key: Any


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def thumbprint(jwk: Mapping[str, Any]) -> str:
    """The RFC 7638 thumbprint of a public JWK (base64url of SHA-256)."""
    members = {"OKP": ("crv", "kty", "x"), "EC": ("crv", "kty", "x", "y"), "RSA": ("e", "kty", "n")}
    names = members.get(str(jwk.get("kty")))
    if names is None:
        raise TokenInvalid(f"unsupported key type {jwk.get('kty')!r}")
    canon = json.dumps({n: jwk[n] for n in names}, separators=(",", ":"), sort_keys=True)
    return _b64(hashlib.sha256(canon.encode()).digest())


def _algorithm_of(key: Any) -> str:
    if isinstance(key, Ed25519PublicKey):
        return "EdDSA"
    if isinstance(key, EllipticCurvePublicKey) and key.curve.name == "secp256r1":
        return "ES256"
    if isinstance(key, RSAPublicKey):
        return "RS256"
    raise TokenInvalid(f"key type {type(key).__name__} is not allowed for tokens")


def _from_jwk(data: Mapping[str, Any]) -> PublicKey:
    if data.get("kty") == "oct":
        raise TokenInvalid("symmetric keys are not accepted for tokens")
    public = {k: v for k, v in data.items() if k not in ("d", "p", "q", "dp", "dq", "qi")}
    key = PyJWK(dict(public)).key
    algorithm = _algorithm_of(key)
    if data.get("alg") not in (None, algorithm):
        raise TokenInvalid(f"key {data.get('kid')} names alg {data.get('alg')}, not {algorithm}")
    return PublicKey(str(data.get("kid") or thumbprint(public)), algorithm, key)


def load_public_keys(text: str) -> list[PublicKey]:
    """Keys from configuration: a JWKS JSON document, one JWK, or PEM public keys."""
    text = text.strip()
    if text.startswith("{"):
        document = json.loads(text)
        entries = document.get("keys", [document])
        return [_from_jwk(entry) for entry in entries]
    keys = []
    for block in text.split("-----END PUBLIC KEY-----"):
        if "-----BEGIN PUBLIC KEY-----" not in block:
            continue
        pem = (block.strip() + "\n-----END PUBLIC KEY-----\n").encode()
        key = serialization.load_pem_public_key(pem)
        jwk = json.loads(jwt.algorithms.get_default_algorithms()[_algorithm_of(key)].to_jwk(key))
        keys.append(PublicKey(thumbprint(jwk), _algorithm_of(key), key))
    if not keys:
        raise ValueError("JWT_PUBLIC_KEYS holds neither a JWKS document nor PEM public keys")
    return keys


@dataclass(frozen=True)
class Verified:
    """A valid token: whom it names and until when it is valid."""

    actor: Actor
    expires_at: datetime


class TokenVerifier:
    """Checks a bearer token and returns the actor it names."""

    def __init__(
        self,
        *,
        keys: Sequence[PublicKey] = (),
        jwks_url: str | None = None,
        issuer: str,
        audience: str,
        algorithms: Sequence[str] = ALLOWED_ALGORITHMS,
        leeway: int = 30,
        max_lifetime: int = MAX_LIFETIME_SECONDS,
        production: bool = False,
    ) -> None:
        if not keys and not jwks_url:
            raise NoTokenKeys(
                "no token keys: set JWT_PUBLIC_KEYS or JWT_JWKS_URL "
                "(`knooppunt run` makes a development key)"
            )
        self.production = production
        if production and any(k.key_id.startswith(DEV_KEY_PREFIX) for k in keys):
            raise ValueError("production refuses the development key (kid dev-...)")
        self.keys = {k.key_id: k for k in keys}
        self.jwks = PyJWKClient(jwks_url, cache_keys=True, lifespan=300) if jwks_url else None
        self.issuer = issuer
        self.audience = audience
        self.algorithms = [a for a in algorithms if a in ALLOWED_ALGORITHMS]
        self.leeway = leeway
        self.max_lifetime = max_lifetime

    @classmethod
    def from_settings(cls, settings: SecuritySettings) -> TokenVerifier:
        keys = load_public_keys(settings.jwt_public_keys) if settings.jwt_public_keys else []
        return cls(
            keys=keys,
            jwks_url=settings.jwt_jwks_url,
            issuer=settings.jwt_issuer,
            audience=settings.jwt_audience,
            algorithms=settings.jwt_algorithms,
            leeway=settings.jwt_leeway_seconds,
            max_lifetime=settings.jwt_max_lifetime_seconds,
            production=getattr(settings, "environment", "") == "production",
        )

    def _key_for(self, token: str, kid: str | None) -> PublicKey:
        if kid is not None and kid in self.keys:
            return self.keys[kid]
        if kid is None and len(self.keys) == 1 and self.jwks is None:
            return next(iter(self.keys.values()))
        if self.jwks is not None:
            try:
                signing = self.jwks.get_signing_key_from_jwt(token)
            except jwt.PyJWTError as exc:
                raise TokenInvalid(f"no key for kid {kid!r} in the JWKS: {exc}") from exc
            return PublicKey(str(kid), _algorithm_of(signing.key), signing.key)
        raise TokenInvalid(f"unknown key id {kid!r}")

    def verify(self, token: str) -> Actor:
        """The actor a valid token names; TokenInvalid otherwise."""
        return self.verified(token).actor

    def verified(self, token: str) -> Verified:
        """The actor a valid token names and its expiry; TokenInvalid otherwise."""
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as exc:
            raise TokenInvalid(f"malformed token: {exc}") from exc
        algorithm = header.get("alg")
        if algorithm not in self.algorithms:
            raise TokenInvalid(f"algorithm {algorithm!r} is not allowed")
        kid = header.get("kid")
        if self.production and str(kid or "").startswith(DEV_KEY_PREFIX):
            raise TokenInvalid("a development key in production")
        key = self._key_for(token, kid)
        if key.algorithm != algorithm:
            raise TokenInvalid(f"key {key.key_id} verifies {key.algorithm}, not {algorithm}")
        try:
            claims = jwt.decode(
                token,
                key.key,
                algorithms=[key.algorithm],
                audience=self.audience,
                issuer=self.issuer,
                leeway=self.leeway,
                options={"require": REQUIRED_CLAIMS},
            )
        except jwt.PyJWTError as exc:
            raise TokenInvalid(f"token refused: {exc}") from exc
        if self.production and claims.get("iss") == DEV_ISSUER:
            raise TokenInvalid("a development token in production")
        lifetime = int(claims["exp"]) - int(claims["iat"])
        if lifetime > self.max_lifetime:
            raise TokenInvalid(f"token valid for {lifetime} s, longer than {self.max_lifetime} s")
        # The user is `sub`, the identity provider's subject; no other claim overrides it.
        values = (claims.get("org"), claims.get("rol"), claims.get("sub"))
        if not all(isinstance(v, str) and v.strip() and len(v) <= 200 for v in values):
            raise TokenInvalid("org, rol and sub must be non-empty strings")
        actor = Actor(org=str(claims["org"]), rol=str(claims["rol"]), user=str(claims["sub"]))
        return Verified(actor, datetime.fromtimestamp(int(claims["exp"]), UTC))


def new_dev_key() -> dict[str, Any]:
    """A new Ed25519 development signing key as a private JWK (kid "dev-...")."""
    private = Ed25519PrivateKey.generate()
    jwk = json.loads(jwt.algorithms.OKPAlgorithm.to_jwk(private))
    public = {k: v for k, v in jwk.items() if k != "d"}
    return {**jwk, "kid": DEV_KEY_PREFIX + thumbprint(public)[:16], "alg": "EdDSA", "use": "sig"}


def public_jwks(*private_jwks: Mapping[str, Any]) -> str:
    """The JWKS document (JSON) of the public halves of signing keys."""
    keys = [{k: v for k, v in jwk.items() if k != "d"} for jwk in private_jwks]
    return json.dumps({"keys": keys}, separators=(",", ":"))


def mint_token(
    private_jwk: Mapping[str, Any],
    *,
    org: str,
    rol: str,
    user: str,
    issuer: str = DEV_ISSUER,
    audience: str = "knooppunt",
    ttl_seconds: int = 8 * 3600,
    now: float | None = None,
) -> str:
    """A signed token for org, rol and user (development and tests)."""
    issued = int(time.time() if now is None else now)
    claims = {
        "iss": issuer,
        "aud": audience,
        "sub": user,
        "org": org,
        "rol": rol,
        "iat": issued,
        "exp": issued + ttl_seconds,
        "jti": str(uuid.uuid4()),
    }
    key = PyJWK(dict(private_jwk)).key
    return jwt.encode(claims, key, algorithm="EdDSA", headers={"kid": private_jwk["kid"]})
