"""Setting up the database: the roles, the schemas and each service's migration.

`set_up(admin_url, passwords)` is what `knooppunt run` does before it starts the services,
and `knooppunt db setup` / `knooppunt db migrate` do for an operator (docs/operations.md):
as an administrator make the roles and schemas (shared/dbroles.provision), then run each
service's migration as that service's owner role. The services themselves get only their
runtime role.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping

from shared import dbroles


def migration(service: str) -> Callable[[str], None]:
    """A service's migration (its composition root's `migrate(owner_url)`)."""
    module = importlib.import_module(f"services.{service}.main")
    migrate: Callable[[str], None] = module.migrate
    return migrate


def migrate_all(database_url: str, passwords: Mapping[str, str]) -> None:
    """Run every service's migration as its owner role on `database_url`'s database."""
    for service in dbroles.SERVICES:
        owner = dbroles.owner_role(service)
        migration(service)(dbroles.role_url(database_url, owner, passwords))


def set_up(admin_url: str, passwords: Mapping[str, str]) -> None:
    """Roles, schemas and tables on the database of `admin_url` (idempotent)."""
    dbroles.provision(admin_url, passwords)
    migrate_all(admin_url, passwords)
