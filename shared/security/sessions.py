"""Sessions of web pages: the bearer token kept in a cookie, and server-side sign-out.

A service whose pages sign their users in (reporting's /ui) names the path prefix, the cookie
and the sign-in page in its Policy (`CookieSession`). The security middleware then takes the
token from the cookie instead of the Authorization header for those paths, verifies it like
every bearer token, refuses a session that was signed out, and sends a browser without a
valid session to the sign-in page (303) after writing the audit record. The guard and the
audit record are the same as for the APIs.

Sign-out is server-side: the session's id (the SHA-256 of its token) goes into the service's
`revoked_sessions` table. Its migration makes the table (owner role) and forgets the sign-outs
whose token has expired; the running service may only add and read them.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from html import escape
from typing import Protocol
from urllib.parse import quote

from sqlalchemy import Column, DateTime, Engine, MetaData, Table, Text, func, inspect, select
from sqlalchemy.dialects.postgresql import insert
from starlette.requests import cookie_parser
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.types import Scope


@dataclass(frozen=True)
class CookieSession:
    """Paths whose callers sign in with a session cookie holding their bearer token."""

    #: The paths under this prefix use the cookie (e.g. "/ui").
    prefix: str
    #: The cookie's name.
    cookie: str
    #: Where a browser without a valid session is sent (a public path).
    sign_in: str
    #: Paths under the prefix that need no session: the sign-in page, static files.
    public: tuple[str, ...] = ()
    #: The page refusing a URL that no page accepts (a control character): language, title.
    language: str = "en"
    invalid_url_title: str = "This address is not accepted"

    def covers(self, path: str) -> bool:
        return path == self.prefix or path.startswith(self.prefix.rstrip("/") + "/")

    def token(self, scope: Scope) -> str | None:
        for name, value in scope.get("headers", []):
            if name == b"cookie":
                found = cookie_parser(value.decode("latin-1")).get(self.cookie)
                if found:
                    return found
        return None

    def to_sign_in(self, scope: Scope) -> Response:
        """A 303 to the sign-in page that comes back here (GET with its query)."""
        back = str(scope.get("path", self.prefix))
        query = scope.get("query_string", b"")
        if scope.get("method") == "GET" and query:
            back += "?" + query.decode("latin-1")
        location = f"{self.sign_in}?volgende={quote(back, safe='/')}"
        return RedirectResponse(location, status_code=303, headers={"Cache-Control": "no-store"})

    def invalid_url(self, errors: list[dict[str, str]]) -> Response:
        """A short page (422) naming what in the URL is refused; nothing else of any page."""
        items = "".join(f"<li>{escape(e['field'])}: {escape(e['message'])}</li>" for e in errors)
        body = (
            f'<!doctype html><html lang="{escape(self.language)}"><head><meta charset="utf-8">'
            f"<title>{escape(self.invalid_url_title)}</title></head><body>"
            f"<h1>{escape(self.invalid_url_title)}</h1><ul>{items}</ul>"
            f'<p><a href="{escape(self.prefix.rstrip("/") + "/")}">{escape(self.prefix)}</a></p>'
            "</body></html>"
        )
        return HTMLResponse(body, status_code=422, headers={"Cache-Control": "no-store"})


def session_id(token: str) -> str:
    """The id of the session a token is kept in: its SHA-256 (the token itself is not stored)."""
    return hashlib.sha256(token.encode()).hexdigest()


class Revocations(Protocol):
    """Sessions signed out before their token expired."""

    def revoke(self, session: str, expires_at: datetime) -> None: ...

    def is_revoked(self, session: str) -> bool: ...


class InMemoryRevocations:
    """For tests without a database."""

    def __init__(self) -> None:
        self.revoked: dict[str, datetime] = {}

    def revoke(self, session: str, expires_at: datetime) -> None:
        self.revoked[session] = expires_at

    def is_revoked(self, session: str) -> bool:
        return session in self.revoked


def revoked_sessions_table(metadata: MetaData) -> Table:
    """The signed-out sessions, in the schema of the service whose pages sign in (its
    migration creates it as the owner role; the runtime role may SELECT and INSERT only, so
    no running service can take a sign-out back)."""
    if "revoked_sessions" in metadata.tables:
        return metadata.tables["revoked_sessions"]
    return Table(
        "revoked_sessions",
        metadata,
        Column("session_id", Text, primary_key=True),
        Column("revoked_at", DateTime(timezone=True), server_default=func.now(), nullable=False),
        Column("expires_at", DateTime(timezone=True), nullable=False),
    )


def forget_expired_sessions(engine: Engine) -> int:
    """Delete the sign-outs whose token has expired (refused anyway); as the owner role, in
    the service's migration. How many were deleted."""
    table = revoked_sessions_table(MetaData())
    with engine.begin() as conn:
        done = conn.execute(table.delete().where(table.c.expires_at < datetime.now(UTC)))
    return done.rowcount


class SqlRevocations:
    """The revoked sessions in the service's own schema (on the engine's search path)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.table = revoked_sessions_table(MetaData())

    def check(self) -> None:
        """Refuse to start when the migration has not made the table."""
        with self.engine.connect() as conn:
            if not inspect(conn).has_table(self.table.name):
                raise RuntimeError(
                    "table revoked_sessions does not exist: run `knooppunt db migrate` or "
                    "give the service DATABASE_OWNER_URL (docs/operations.md)"
                )

    def revoke(self, session: str, expires_at: datetime) -> None:
        stmt = insert(self.table).values(session_id=session, expires_at=expires_at)
        with self.engine.begin() as conn:
            conn.execute(stmt.on_conflict_do_nothing())

    def is_revoked(self, session: str) -> bool:
        query = select(self.table.c.session_id).where(self.table.c.session_id == session)
        with self.engine.connect() as conn:
            return conn.execute(query).first() is not None
