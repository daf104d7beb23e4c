"""Signing in: the APIs' tokens, no open redirect, and a CSRF token bound to the session."""

from __future__ import annotations

import json

import pytest
from pydantic import SecretStr

from services.reporting.settings import ReportingSettings
from services.reporting.web.aanmelding import Bearertokens, Sessie, tokens_voor, veilig_volgende
from shared.context import Actor
from shared.security.tokens import new_dev_key, public_jwks


@pytest.mark.parametrize(
    ("volgende", "naar"),
    [
        ("/ui/zaken?onderwerp=achterlating", "/ui/zaken?onderwerp=achterlating"),
        ("/ui/zaken/123", "/ui/zaken/123"),
        ("https://elders.example/ui/", "/ui/"),
        ("//elders.example/ui/", "/ui/"),
        ("/ui//elders.example", "/ui/"),
        ("/v1/statistieken", "/ui/"),
        ("/ui/\\elders", "/ui/"),
        ("", "/ui/"),
        (None, "/ui/"),
    ],
)
def test_only_a_path_within_the_pages_follows_a_sign_in(volgende: str | None, naar: str) -> None:
    assert veilig_volgende(volgende) == naar


def test_the_csrf_token_belongs_to_one_session() -> None:
    actor = Actor(org="lkha", rol="coordinator", user="j.jansen")
    een, ander = Sessie(actor, "token-een"), Sessie(actor, "token-twee")
    assert een.csrf_klopt(een.csrf)
    assert not een.csrf_klopt(ander.csrf)
    assert not een.csrf_klopt(None) and not een.csrf_klopt("")


def _tokens(environment: str, *, met_sleutel: bool = True) -> Bearertokens:
    jwk = new_dev_key()
    settings = ReportingSettings(
        environment=environment,  # type: ignore[arg-type]
        jwt_public_keys=public_jwks(jwk),
        jwt_dev_signing_key=SecretStr(json.dumps(jwk)) if met_sleutel else None,
    )
    return tokens_voor(settings)


def test_in_development_the_pages_mint_a_token_the_apis_accept() -> None:
    tokens = _tokens("development")
    actor = Actor(org="lkha", rol="coordinator", user="j.jansen")
    assert tokens.mag_maken and tokens.lees(tokens.maak(actor)) == actor


def test_a_token_that_is_not_ours_is_refused() -> None:
    ander = _tokens("development")
    token = ander.maak(Actor(org="lkha", rol="coordinator", user="x"))
    with pytest.raises(ValueError):
        _tokens("development").lees(token)
    with pytest.raises(ValueError):
        _tokens("development").lees("geen.token.hier")


def test_without_a_development_key_nothing_is_minted() -> None:
    tokens = _tokens("development", met_sleutel=False)
    assert not tokens.mag_maken
    with pytest.raises(PermissionError):
        tokens.maak(Actor(org="lkha", rol="coordinator", user="x"))


@pytest.mark.parametrize("environment", ["test", "production"])
def test_outside_development_the_development_key_is_refused_at_start(environment: str) -> None:
    with pytest.raises(ValueError, match="JWT_DEV_SIGNING_KEY is for ENVIRONMENT=development"):
        _tokens(environment)
