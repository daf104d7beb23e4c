"""Authorisation as data: which roles may call which operation of a service.

Each service states its rules in its own `policy.py` as a `Policy`; the security middleware
checks every request against it before the route runs. An operation that is not listed is
refused (deny by default). The check per case (a partner's own meldingen, BZ's cases) is a
function of the policy too, made by the middleware for every route with a {zaak_id}: a case
one may not see gets exactly the 404 of a case that does not exist.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from fastapi import FastAPI
from fastapi.routing import APIRoute

from shared.context import Actor
from shared.security.sessions import CookieSession


class Rol(StrEnum):
    """The values of the token's `rol` claim (the contract with the identity provider)."""

    lkha_medewerker = "lkha_medewerker"
    coordinator = "coordinator"
    bz_consulair = "bz_consulair"
    melder = "melder"
    beleid = "beleid"
    auditor = "auditor"


#: Roles that belong to one agency: a token naming another org with them is refused.
VASTE_ORGANISATIE: Mapping[Rol, str] = {
    Rol.lkha_medewerker: "lkha",
    Rol.coordinator: "lkha",
    Rol.bz_consulair: "bz",
}

LKHA = frozenset({Rol.lkha_medewerker, Rol.coordinator})

#: Paths served without a token: liveness, readiness and the API documentation.
PUBLIC_PATHS = ("/health", "/ready", "/docs", "/redoc", "/openapi.json", "/v1/openapi.json")

#: The auditor's operations, the same in every service (shared/security/wiring.py).
AUDIT_OPERATIONS: Mapping[str, frozenset[Rol]] = {
    "audit_historie": frozenset({Rol.auditor}),
    "audit_checkpoints": frozenset({Rol.auditor}),
}


def rollen(*names: Rol | Iterable[Rol]) -> frozenset[Rol]:
    """A set of roles from roles and sets of roles."""
    out: set[Rol] = set()
    for name in names:
        out.update([name] if isinstance(name, Rol) else name)
    return frozenset(out)


@dataclass(frozen=True)
class Refusal:
    """Why a request was refused: `reason` is a code for the audit log, `detail` for the caller."""

    reason: str
    detail: str


#: May this actor know that the case exists here? (app, actor, operation_id, zaak_id).
#: For a role that sees only some cases, answer False for a case that does not exist too:
#: the guard's 404 then comes before every other check (body, If-Match, the route's own),
#: so a case one may not see and an unknown one get the same answer whatever else is wrong
#: with the request. A role that sees every case (LKHA, auditor) may be answered True.
CaseCheck = Callable[[Any, Actor, str, str], bool]


def not_found(zaak_id: str) -> str:
    return f"zaak {zaak_id} is not yet known here"


@dataclass(frozen=True)
class Policy:
    """Who may call what in one service."""

    service: str
    #: operation_id -> the roles that may call it.
    operations: Mapping[str, frozenset[Rol]]
    #: Event fields that hold free text: masked in the auditor's replay unless a reden is given.
    free_text: frozenset[str] = frozenset()
    #: Path prefixes that need no bearer token (see PUBLIC_PATHS).
    public_paths: tuple[str, ...] = PUBLIC_PATHS
    #: Pages whose users sign in with a session cookie (reporting's /ui): the same
    #: authentication, guard and audit record as the APIs, with the token from the cookie.
    session: CookieSession | None = None
    #: The check per case, made for every operation with a {zaak_id} in its path.
    case_visible: CaseCheck | None = None
    #: The 404 detail for a case that is unknown here: also given for a case one may not see.
    case_not_found: Callable[[str], str] = not_found
    extra: Mapping[str, frozenset[Rol]] = field(default_factory=lambda: dict(AUDIT_OPERATIONS))

    def roles_for(self, operation_id: str) -> frozenset[Rol] | None:
        return self.operations.get(operation_id, self.extra.get(operation_id))

    def is_public(self, path: str) -> bool:
        prefixes = self.public_paths + (self.session.public if self.session else ())
        return any(path == p or path.startswith(p.rstrip("/") + "/") for p in prefixes)

    def check(self, operation_id: str, actor: Actor) -> Refusal | None:
        """None if the actor may call the operation, else why not."""
        if actor.rol not in Rol.__members__:
            return Refusal("rol_onbekend", f"rol {actor.rol!r} is not a role of this system")
        rol = Rol(actor.rol)
        vaste = VASTE_ORGANISATIE.get(rol)
        if vaste is not None and actor.org != vaste:
            return Refusal("organisatie", f"rol {rol} belongs to org {vaste!r}, not {actor.org!r}")
        allowed = self.roles_for(operation_id)
        if allowed is None:
            return Refusal("niet_in_beleid", f"{operation_id} is not open to any role")
        if rol not in allowed:
            return Refusal(
                "rol",
                f"rol {rol} may not call {operation_id} (allowed: {', '.join(sorted(allowed))})",
            )
        return None

    def unlisted_operations(self, app: FastAPI) -> list[str]:
        """Operations of the app's routes that this policy does not mention (all refused)."""
        return sorted(
            route.operation_id or route.name
            for path, route in api_routes(app)
            if not self.is_public(path) and self.roles_for(route.operation_id or route.name) is None
        )


def api_routes(app: FastAPI) -> list[tuple[str, Any]]:
    """Every API route of an app with its full path, as FastAPI runs it (included routers
    flattened: `.operation_id`, `.name` and `.dependant` are the effective ones)."""
    try:
        from fastapi.routing import iter_route_contexts  # FastAPI with lazily included routers
    except ImportError:  # pragma: no cover - older FastAPI: a flat list
        return [(r.path_format, r) for r in app.routes if isinstance(r, APIRoute)]
    return [
        (str(context.path_format or ""), context)
        for context in iter_route_contexts(app.routes)
        if isinstance(context.original_route, APIRoute)
    ]
