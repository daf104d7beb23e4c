"""Bearer tokens: only a well-signed, current token of our issuer and audience, with an
allowed algorithm that fits the key, names an actor; production refuses development keys."""

from __future__ import annotations

import base64
import hmac
import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from pydantic import ValidationError

from services.intake.settings import IntakeSettings
from shared.context import Actor
from shared.security.tokens import (
    TokenInvalid,
    TokenVerifier,
    load_public_keys,
    mint_token,
    new_dev_key,
    public_jwks,
)
from tests.helpers import key_service

KEY = new_dev_key()
OTHER = new_dev_key()


def verifier(**overrides: Any) -> TokenVerifier:
    options: dict[str, Any] = {
        "keys": load_public_keys(public_jwks(KEY)),
        "issuer": "knooppunt-dev",
        "audience": "knooppunt",
    }
    return TokenVerifier(**{**options, **overrides})


def token(**claims: Any) -> str:
    return mint_token(KEY, org="lkha", rol="coordinator", user="j.jansen", **claims)


def _b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def _claims(**overrides: Any) -> dict[str, Any]:
    now = int(time.time())
    claims = {"iss": "knooppunt-dev", "aud": "knooppunt", "sub": "x", "org": "lkha"}
    claims.update({"rol": "coordinator", "iat": now, "exp": now + 60})
    claims.update(overrides)
    return claims


def test_a_valid_token_names_org_rol_and_user() -> None:
    assert verifier().verify(token()) == Actor(org="lkha", rol="coordinator", user="j.jansen")


def test_the_user_is_sub_and_no_other_claim_overrides_it() -> None:
    signed = jwt.encode(
        _claims(sub="j.jansen", user="iemand.anders"),
        jwt.PyJWK(KEY).key,
        "EdDSA",
        {"kid": KEY["kid"]},
    )
    assert verifier().verify(signed).user == "j.jansen"


def test_the_longest_lifetime_is_configurable() -> None:
    assert verifier().verify(token(ttl_seconds=12 * 3600)).user == "j.jansen"
    with pytest.raises(TokenInvalid, match="longer than 600 s"):
        verifier(max_lifetime=600).verify(token(ttl_seconds=601))
    settings = IntakeSettings(jwt_max_lifetime_seconds=900)
    assert TokenVerifier.from_settings(settings).max_lifetime == 900


def _tampered() -> str:
    header, payload, signature = token().split(".")
    forged = json.loads(base64.urlsafe_b64decode(payload + "=="))
    forged["rol"] = "auditor"
    return ".".join([header, _b64(forged), signature])


def _unsigned() -> str:
    return ".".join([_b64({"alg": "none", "typ": "JWT"}), _b64(_claims()), ""])


def _hmac_with_the_public_key() -> str:
    """The classic confusion: HS256 signed with the (public) verification key as secret."""
    public = load_public_keys(public_jwks(KEY))[0].key
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return ".".join(
        [
            _b64({"alg": "HS256", "typ": "JWT", "kid": KEY["kid"]}),
            _b64(_claims()),
            base64.urlsafe_b64encode(hmac.new(raw, b"x", "sha256").digest()).decode(),
        ]
    )


def _es256_with_the_eddsa_kid() -> str:
    key = ec.generate_private_key(ec.SECP256R1())
    return jwt.encode(_claims(), key, algorithm="ES256", headers={"kid": KEY["kid"]})


BAD_TOKENS = {
    "expired": lambda: token(now=time.time() - 3600, ttl_seconds=60),
    "not yet issued": lambda: jwt.encode(
        _claims(iat=int(time.time()) + 3600), jwt.PyJWK(KEY).key, "EdDSA", {"kid": KEY["kid"]}
    ),
    "tampered payload": _tampered,
    "signed by an unknown key": lambda: mint_token(OTHER, org="lkha", rol="coordinator", user="x"),
    "another key under our kid": lambda: mint_token(
        {**OTHER, "kid": KEY["kid"]}, org="lkha", rol="coordinator", user="x"
    ),
    "alg none": _unsigned,
    "HS256 with the public key": _hmac_with_the_public_key,
    "ES256 under an EdDSA key": _es256_with_the_eddsa_kid,
    "wrong audience": lambda: token(audience="elders"),
    "wrong issuer": lambda: token(issuer="https://elders.example"),
    "without org": lambda: jwt.encode(
        {k: v for k, v in _claims().items() if k != "org"},
        jwt.PyJWK(KEY).key,
        "EdDSA",
        {"kid": KEY["kid"]},
    ),
    "empty rol": lambda: jwt.encode(
        _claims(rol=" "), jwt.PyJWK(KEY).key, "EdDSA", {"kid": KEY["kid"]}
    ),
    "not a token": lambda: "dit-is-geen-token",
    "valid longer than 12 hours": lambda: token(ttl_seconds=12 * 3600 + 1),
    "valid for a year": lambda: token(ttl_seconds=365 * 24 * 3600),
    "without sub, with user": lambda: jwt.encode(
        {**{k: v for k, v in _claims().items() if k != "sub"}, "user": "j.jansen"},
        jwt.PyJWK(KEY).key,
        "EdDSA",
        {"kid": KEY["kid"]},
    ),
}


@pytest.mark.parametrize("make", BAD_TOKENS.values(), ids=BAD_TOKENS.keys())
def test_a_bad_token_is_refused(make: Any) -> None:
    with pytest.raises(TokenInvalid):
        verifier().verify(make())


def test_production_refuses_the_development_key_and_issuer() -> None:
    with pytest.raises(ValueError, match="development key"):
        verifier(production=True)
    other = new_dev_key() | {"kid": "prod-2024"}
    production = verifier(keys=load_public_keys(public_jwks(other)), production=True)
    dev_issued = mint_token(other, org="lkha", rol="coordinator", user="x")
    with pytest.raises(TokenInvalid, match="development token"):
        production.verify(dev_issued)


def test_production_settings_refuse_development_defaults() -> None:
    common = {"environment": "production", "database_url": "postgresql://db/k"}
    with pytest.raises(ValidationError, match="JWT_ISSUER"):
        IntakeSettings(**key_service("intake"), **common)
    with pytest.raises(ValidationError, match="development key"):
        IntakeSettings(
            **key_service("intake"),
            jwt_issuer="https://idp.lkha.nl",
            jwt_public_keys=public_jwks(KEY),
            **common,
        )
    with pytest.raises(ValidationError, match="CHECKPOINT_KEY"):
        IntakeSettings(
            **key_service("intake"),
            jwt_issuer="https://idp.lkha.nl",
            jwt_public_keys=public_jwks(new_dev_key() | {"kid": "idp-1"}),
            **common,
        )


@pytest.mark.parametrize("algorithms", [["none"], ["HS256"], ["EdDSA", "HS512"], []])
def test_only_asymmetric_algorithms_can_be_configured(algorithms: list[str]) -> None:
    with pytest.raises(ValidationError, match="JWT_ALGORITHMS"):
        IntakeSettings(jwt_algorithms=algorithms)


def test_keys_can_be_given_as_pem() -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    pem = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    pem_verifier = verifier(keys=load_public_keys(pem.decode()))
    signed = jwt.encode(_claims(sub="p.pem"), key, algorithm="ES256")
    assert pem_verifier.verify(signed).user == "p.pem"
    with pytest.raises(ValueError, match="symmetric"):
        load_public_keys(json.dumps({"keys": [{"kty": "oct", "k": "c2VjcmV0"}]}))


@pytest.fixture
def jwks_url() -> Iterator[str]:
    """An identity provider's JWKS address, served locally."""
    body = public_jwks(KEY).encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/.well-known/jwks.json"
    server.shutdown()


def test_keys_can_come_from_a_jwks_address(jwks_url: str) -> None:
    oidc = verifier(keys=[], jwks_url=jwks_url)
    assert oidc.verify(token()).org == "lkha"
    with pytest.raises(TokenInvalid):
        oidc.verify(mint_token(OTHER, org="lkha", rol="coordinator", user="x"))
