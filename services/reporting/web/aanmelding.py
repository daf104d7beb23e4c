"""Signing in to the pages: the same bearer tokens as the APIs, kept in a cookie.

The token lives in an HttpOnly, SameSite=Strict cookie scoped to /ui; every form carries a
CSRF token derived from it. The security middleware reads and verifies it for every page
(shared/security/sessions.py), so `get_sessie` only hands the route what it established.
In development only (ENVIRONMENT=development), a sign-in page mints a token with the
development key for a chosen org, rol and user; elsewhere one pastes a token issued by
`knooppunt token` (or the identity provider).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from typing import Annotated, Any, Protocol
from urllib.parse import quote

from fastapi import Depends, HTTPException, Request

from services.reporting.policy import SESSIE
from services.reporting.settings import ReportingSettings
from shared.context import Actor
from shared.security.middleware import AUDIT_SCOPE_KEY
from shared.security.settings import DEV_ISSUER
from shared.security.tokens import TokenVerifier, mint_token

COOKIE = SESSIE.cookie
CSRF_COOKIE = "knooppunt_aanmelden"
PAD = SESSIE.prefix


class Tokens(Protocol):
    """Reads and (in development) mints the bearer tokens the APIs accept."""

    def lees(self, token: str) -> Actor:
        """The actor a valid token names; ValueError for an invalid or expired token."""
        ...

    def maak(self, actor: Actor) -> str:
        """A token for the actor, signed with the development key (development and test)."""
        ...

    @property
    def mag_maken(self) -> bool:
        """Whether this environment mints tokens (ENVIRONMENT=development only)."""
        ...

    @property
    def geldig_seconden(self) -> int: ...


@dataclass(frozen=True)
class Sessie:
    """The signed-in user on this request."""

    actor: Actor
    token: str

    @property
    def csrf(self) -> str:
        """The CSRF token every form of this session carries."""
        return hmac.new(self.token.encode(), b"knooppunt-csrf", hashlib.sha256).hexdigest()[:40]

    def csrf_klopt(self, waarde: str | None) -> bool:
        return waarde is not None and hmac.compare_digest(self.csrf, waarde)


def aanmeldpad(volgende: str) -> str:
    return f"{PAD}/aanmelden?volgende={quote(volgende, safe='/')}"


def veilig_volgende(volgende: str | None) -> str:
    """Only a path within the pages may follow a sign-in (no open redirect)."""
    pad = volgende or ""
    verdacht = any(teken in pad for teken in ("\\", "://", "//"))
    return pad if pad.startswith(f"{PAD}/") and not verdacht else f"{PAD}/"


def nieuwe_csrf() -> str:
    return secrets.token_urlsafe(24)


def sessie_van(request: Request) -> Sessie | None:
    """The session the security middleware verified for this request (None: none)."""
    audit = request.scope.get(AUDIT_SCOPE_KEY)
    actor = getattr(getattr(audit, "entry", None), "actor", None)
    token = request.cookies.get(COOKIE)
    return Sessie(actor=actor, token=token) if isinstance(actor, Actor) and token else None


def get_sessie(request: Request) -> Sessie:
    """The signed-in user, or a redirect to the sign-in page."""
    sessie = sessie_van(request)
    if sessie is not None:
        return sessie
    volgende = request.url.path
    if request.method == "GET" and request.url.query:
        volgende += f"?{request.url.query}"
    raise HTTPException(status_code=303, headers={"Location": aanmeldpad(volgende)})


Aangemeld = Annotated[Sessie, Depends(get_sessie)]


def eis_csrf(sessie: Sessie, waarde: str | None) -> None:
    """A form without this session's CSRF token is refused (403)."""
    if not sessie.csrf_klopt(waarde):
        raise HTTPException(
            status_code=403, detail="Dit formulier is verlopen of komt niet van deze pagina."
        )


class Bearertokens:
    """The tokens the APIs accept (shared/security/tokens.py): verified with the configured
    public keys; minted only in development, with the development signing key."""

    def __init__(
        self,
        verifier: TokenVerifier,
        signing_key: dict[str, Any] | None,
        geldig_seconden: int = 8 * 3600,
    ) -> None:
        self.verifier = verifier
        self._signing_key = signing_key
        self._geldig = geldig_seconden

    @property
    def geldig_seconden(self) -> int:
        return self._geldig

    @property
    def mag_maken(self) -> bool:
        return self._signing_key is not None

    def lees(self, token: str) -> Actor:
        return self.verifier.verify(token)  # TokenInvalid is a ValueError

    def maak(self, actor: Actor) -> str:
        if self._signing_key is None:
            raise PermissionError("tokens are minted here only in development")
        return mint_token(
            self._signing_key,
            org=actor.org,
            rol=actor.rol,
            user=actor.user,
            issuer=DEV_ISSUER,
            ttl_seconds=self._geldig,
        )


def tokens_voor(settings: ReportingSettings) -> Bearertokens:
    """The tokens the pages accept, and the key to mint them with in development only
    (the settings refuse the key in any other environment, too)."""
    sleutel = settings.jwt_dev_signing_key
    mag_maken = sleutel is not None and settings.environment == "development"
    return Bearertokens(
        TokenVerifier.from_settings(settings),
        json.loads(sleutel.get_secret_value()) if sleutel is not None and mag_maken else None,
        geldig_seconden=min(8 * 3600, settings.jwt_max_lifetime_seconds),
    )
