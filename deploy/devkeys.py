"""Development keys and passwords, made once in .data/keys (never for production).

Only the set-up of the development stack (`knooppunt run`, `Stack`) and `knooppunt init` make
them (`make_*`, `init`); every other command reads them (`read_*`) and stops with
`KeysMissing` when they are not there, rather than making keys nothing else trusts.

- `jwt-dev.jwk.json`: the token signing key (Ed25519, key id "dev-..."); its public half is
  what the services trust, `knooppunt token` mints with it; production refuses it.
- `checkpoint-<service>.key` / `.pub`: each service's checkpoint signing key and the public
  key a holder verifies the checkpoints with.
- `openbao.json`: OpenBao's unseal key and root token (written by deploy/openbao.py).
- `nats.json`: the NATS users' secrets (deploy/nats/nats.conf): an NKey seed per service
  user, the admin's password.
- `postgres.json`: the passwords of the local PostgreSQL's superuser and of the database
  roles (shared/dbroles.py: each service's owner and runtime role, the auditor).
Every file is readable by its owner only.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from deploy.servers import NATS_USERS, new_nats_secrets
from shared import dbroles
from shared.security.checkpoints import load_signing_key, new_signing_key, public_pem
from shared.security.tokens import new_dev_key


def _private(path: Path, content: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch(mode=0o600, exist_ok=True)
    path.chmod(0o600)
    path.write_text(content)


class KeysMissing(RuntimeError):
    """A development key a command needs is not in the keys directory."""

    def __init__(self, path: Path) -> None:
        super().__init__(
            f"no development key {path.name} in {path.parent} "
            "(run `knooppunt init --data-dir ...` or `knooppunt run` there first, "
            "or give the right --data-dir)"
        )
        self.path = path


def _read(path: Path) -> str:
    if not path.is_file():
        raise KeysMissing(path)
    return path.read_text()


def read_dev_jwk(keys_dir: Path) -> dict[str, Any]:
    """The development token signing key; KeysMissing if it was never made."""
    return dict(json.loads(_read(keys_dir / "jwt-dev.jwk.json")))


def read_checkpoint_key(keys_dir: Path, service: str) -> str:
    """A service's checkpoint signing key; KeysMissing if it was never made."""
    return _read(keys_dir / f"checkpoint-{service}.key").strip()


def read_postgres_passwords(keys_dir: Path) -> dict[str, str]:
    """The database roles' passwords; KeysMissing if they were never made."""
    return {str(k): str(v) for k, v in json.loads(_read(keys_dir / "postgres.json")).items()}


def init(keys_dir: Path, services: Iterable[str]) -> list[Path]:
    """Make every development key that is missing (`knooppunt init`); the paths made."""
    before = {p for p in keys_dir.iterdir()} if keys_dir.is_dir() else set()
    dev_jwk(keys_dir)
    for service in services:
        checkpoint_key(keys_dir, service)
    nats_secrets(keys_dir)
    postgres_passwords(keys_dir)
    return sorted(p for p in keys_dir.iterdir() if p not in before)


def dev_jwk(keys_dir: Path) -> dict[str, Any]:
    """The development token signing key (a private JWK), made on first use (dev stack)."""
    path = keys_dir / "jwt-dev.jwk.json"
    if not path.exists():
        _private(path, json.dumps(new_dev_key()))
    return dict(json.loads(path.read_text()))


def checkpoint_key(keys_dir: Path, service: str) -> str:
    """A service's checkpoint signing key (base64 seed); its public key next to it."""
    path = keys_dir / f"checkpoint-{service}.key"
    if not path.exists():
        _private(path, new_signing_key())
    key = path.read_text().strip()
    public = keys_dir / f"checkpoint-{service}.pub"
    if not public.exists():
        public.write_text(public_pem(load_signing_key(key)))
    return key


def nats_secrets(keys_dir: Path) -> dict[str, str]:
    """The NATS users' secrets, made on first use (and again when the file is of an older
    layout, with passwords instead of NKey seeds or without a user: nothing else holds them,
    nats-server reads them anew at every start)."""
    path = keys_dir / "nats.json"
    current: dict[str, str] = {}
    if path.exists():
        current = {str(k): str(v) for k, v in json.loads(path.read_text()).items()}
    if set(current) != set(NATS_USERS) or not all(
        v.startswith("SU") for k, v in current.items() if k != "admin"
    ):
        current = new_nats_secrets()
        _private(path, json.dumps(current, indent=2))
    return current


def read_nats_secrets(keys_dir: Path) -> dict[str, str]:
    """The NATS users' secrets; KeysMissing if they were never made."""
    return {str(k): str(v) for k, v in json.loads(_read(keys_dir / "nats.json")).items()}


def postgres_passwords(keys_dir: Path) -> dict[str, str]:
    """The PostgreSQL superuser's and the database roles' passwords, made on first use
    (a role added later gets its password then)."""
    path = keys_dir / "postgres.json"
    known = json.loads(path.read_text()) if path.exists() else {}
    wanted = {**dbroles.new_passwords(), **known}
    if wanted != known:
        _private(path, json.dumps(wanted, indent=2))
    return {str(k): str(v) for k, v in wanted.items()}
