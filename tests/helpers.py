"""Helpers shared by the tests: services in-process, waiting for eventual consistency, tokens.

Every test process has its own token signing key (TEST_JWK). tests/conftest.py puts its
public half in JWT_PUBLIC_KEYS, so every service built in a test trusts it, and `serving()`
gives a client that sends an LKHA coordinator's token unless told otherwise (`headers={}`
for none, `auth_headers(org, rol)` for another caller).
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from typing import Any, TypeVar

import httpx
from fastapi import FastAPI
from pydantic import BaseModel, SecretStr

from deploy.nats.permissions import REBUILD_USER
from deploy.servers import new_nats_secrets
from shared import dbroles
from shared.security.tokens import mint_token, new_dev_key, public_jwks

T = TypeVar("T")
M = TypeVar("M", bound=BaseModel)

#: The session's OpenBao (tests/conftest.py fills it in): its address and a token per service.
KEY_SERVICE: dict[str, str] = {}
#: This test run's token signing key (Ed25519, a development key id) and its public JWKS.
TEST_JWK = new_dev_key()
TEST_JWKS = public_jwks(TEST_JWK)
#: This test run's NATS secrets: an NKey seed per service user, the operators' admin password.
NATS_SECRETS = new_nats_secrets()
#: This test run's PostgreSQL passwords: the local server's superuser and every role.
PG_PASSWORDS = dbroles.new_passwords()
_provisioned: set[str] = set()


def token(org: str = "lkha", rol: str = "coordinator", user: str = "test.gebruiker") -> str:
    """A valid bearer token of this test run for org, rol and user."""
    return mint_token(TEST_JWK, org=org, rol=rol, user=user)


def auth_headers(
    org: str = "lkha", rol: str = "coordinator", user: str = "test.gebruiker"
) -> dict[str, str]:
    """The Authorization header of a caller (an LKHA coordinator unless told otherwise)."""
    return {"Authorization": f"Bearer {token(org, rol, user)}"}


def nats_credentials(nats_url: str, service: str) -> dict[str, str]:
    """Settings for a service's own NATS user: the URL without the admin's credentials."""
    scheme, _, rest = nats_url.partition("://")
    return {
        "nats_url": f"{scheme}://{rest.rpartition('@')[2]}",
        "nats_user": service,
        "nats_nkey_seed": NATS_SECRETS[service],
    }


def key_service(service: str) -> dict[str, Any]:
    """Settings for a service's own OpenBao token and Transit engine (the session's server)."""
    assert KEY_SERVICE, "the session's OpenBao is not running (tests/conftest.py)"
    return {
        "openbao_addr": KEY_SERVICE["addr"],
        "openbao_token": SecretStr(KEY_SERVICE[service]),
        "openbao_mount": f"transit-{service}",
    }


def as_rebuild(settings: M) -> M:
    """Reporting's settings with the rebuild's own NATS user (reporting_rebuild), as
    `knooppunt reporting rebuild` logs in: the reporting service's user may not replay."""
    seed = SecretStr(NATS_SECRETS[REBUILD_USER])
    return settings.model_copy(update={"nats_user": REBUILD_USER, "nats_nkey_seed": seed})


def database_credentials(database_url: str, service: str) -> dict[str, Any]:
    """Settings for a service's own database roles, as in production: it serves as its
    runtime role and migrates at start-up as its owner role. `database_url` is an
    administrator's (the test database); the roles are made on it the first time."""
    if database_url not in _provisioned:
        dbroles.provision(database_url, PG_PASSWORDS)
        _provisioned.add(database_url)
    owner = dbroles.role_url(database_url, dbroles.owner_role(service), PG_PASSWORDS)
    return {
        "database_url": dbroles.role_url(database_url, dbroles.runtime_role(service), PG_PASSWORDS),
        "database_owner_url": SecretStr(owner),
    }


def melding(**overrides: Any) -> dict[str, Any]:
    """A valid melding body; fields can be overridden."""
    body: dict[str, Any] = {
        "gemeld_op": "2018-03-14",
        "onderwerp": "achterlating",
        "betrokkene": {"categorie": "minderjarige", "geslacht": "vrouw", "geboortejaar": 2003},
        "land": "MA",
        "melder": {"type": "school", "organisatie": "Leerplicht Utrecht"},
        "nationaliteit": "bipatride",
        "brp_ingeschreven": True,
        "verblijfsrecht": "ja",
        "bz_betrokken": True,
        "persoonsgegevens": {"naam": "Testpersoon Zeta", "contactgegevens": "+212 600 123456"},
        "toelichting": "Niet teruggekomen na de zomervakantie.",
    }
    body.update(overrides)
    return body


#: A request header that makes `with_idempotency_key` leave a POST without a key.
ZONDER_SLEUTEL = {"X-Test-Zonder-Idempotency-Key": "1"}


async def with_idempotency_key(request: httpx.Request) -> None:
    """An httpx request hook: a POST that names no Idempotency-Key gets a fresh one (commands
    that change something require one), unless it carries ZONDER_SLEUTEL."""
    if request.method != "POST":
        return
    if request.headers.get("X-Test-Zonder-Idempotency-Key"):
        del request.headers["X-Test-Zonder-Idempotency-Key"]
        return
    if "Idempotency-Key" not in request.headers:
        request.headers["Idempotency-Key"] = f"test-{uuid.uuid4()}"


@asynccontextmanager
async def serving(
    app: FastAPI, *, headers: dict[str, str] | None = None
) -> AsyncIterator[httpx.AsyncClient]:
    """Run an app's lifespan and give an HTTP client speaking to it in-process; the client
    sends an LKHA coordinator's token unless other `headers` are given ({}: no token)."""
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(
            transport=transport,
            base_url="http://test",
            headers=auth_headers() if headers is None else headers,
            event_hooks={"request": [with_idempotency_key]},
        ) as client:
            yield client


async def eventually(
    check: Callable[[], Awaitable[T | None]], *, within: float = 15, what: str = "condition"
) -> T:
    """Poll `check` until it returns something truthy (eventual consistency)."""
    deadline = asyncio.get_running_loop().time() + within
    while True:
        result = await check()
        if result:
            return result
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"timed out after {within} s waiting for {what}")
        await asyncio.sleep(0.1)


@contextmanager
def reporting_facts(settings: Any) -> Iterator[Any]:
    """Reporting's facts as its owner role sees them (a rebuild runs as the owner), after
    the migration: for tests that look under reporting's consumers."""
    from services.reporting.main import migrate
    from services.reporting.store import FactStore
    from shared.db import make_engine

    assert settings.database_owner_url is not None
    owner_url = settings.database_owner_url.get_secret_value()
    migrate(owner_url)
    engine = make_engine(owner_url, "reporting")
    try:
        yield FactStore(engine)
    finally:
        engine.dispose()
