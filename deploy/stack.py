"""The whole system on one machine: PostgreSQL, NATS, OpenBao and the four services as
processes.

`knooppunt run` uses it; so does the end-to-end test suite.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from deploy import database, devkeys
from deploy.openbao import KEY_SERVICES, LocalOpenBao, transit_mount
from deploy.servers import LocalNats, LocalPostgres, _die_with_parent, free_port
from shared import dbroles
from shared.security.settings import DEV_ISSUER
from shared.security.tokens import mint_token, public_jwks

SERVICES = {"intake": 8001, "verification": 8002, "consular": 8003, "reporting": 8004}
DEFAULT_PG_PORT = 55432
DEFAULT_NATS_PORT = 54222
DEFAULT_OPENBAO_PORT = 58200


def _without_credentials(url: str) -> str:
    """A NATS URL without user:password@ (each service logs in as its own user)."""
    scheme, _, rest = url.partition("://")
    return f"{scheme}://{rest.rpartition('@')[2]}"


@dataclass
class Stack:
    """Starts what is missing and the four services; `stop()` ends them in reverse order."""

    data_dir: Path
    database_url: str | None = None
    nats_url: str | None = None
    ports: dict[str, int] = field(default_factory=lambda: dict(SERVICES))
    pg_port: int = DEFAULT_PG_PORT
    nats_port: int = DEFAULT_NATS_PORT
    database: str = "knooppunt"
    environment: str = "development"
    extra_env: dict[str, str] = field(default_factory=dict)
    #: The NATS users' secrets when NATS_URL is given (else made in .data/keys/nats.json).
    given_nats_secrets: dict[str, str] | None = None
    openbao_port: int = DEFAULT_OPENBAO_PORT
    #: The database roles' passwords (else made in .data/keys/postgres.json).
    given_pg_passwords: dict[str, str] | None = None
    postgres: LocalPostgres | None = None
    nats: LocalNats | None = None
    openbao: LocalOpenBao | None = None
    #: Each key-holding service's own OpenBao token (made at start, see deploy/openbao.py).
    openbao_tokens: dict[str, str] = field(default_factory=dict)
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    @classmethod
    def on_free_ports(cls, data_dir: Path, **kwargs: Any) -> Stack:
        ports = {name: free_port() for name in SERVICES}
        return cls(
            data_dir=data_dir,
            ports=ports,
            pg_port=free_port(),
            nats_port=free_port(),
            openbao_port=free_port(),
            **kwargs,
        )

    def url(self, service: str) -> str:
        return f"http://127.0.0.1:{self.ports[service]}"

    @property
    def keys_dir(self) -> Path:
        return self.data_dir / "keys"

    def nats_secrets(self) -> dict[str, str]:
        """An NKey seed per service user, the admin's password (deploy/servers.py)."""
        return self.given_nats_secrets or devkeys.nats_secrets(self.keys_dir)

    def nats_login(self, user: str) -> dict[str, str]:
        """The environment of a NATS user of deploy/nats (a service, or reporting_rebuild
        for `knooppunt reporting rebuild`): its name and its NKey seed."""
        return {"NATS_USER": user, "NATS_NKEY_SEED": self.nats_secrets()[user]}

    def pg_passwords(self) -> dict[str, str]:
        return self.given_pg_passwords or devkeys.postgres_passwords(self.keys_dir)

    def role_url(self, role: str) -> str:
        """The database URL of one of the roles (shared/dbroles.py)."""
        assert self.database_url is not None
        return dbroles.role_url(self.database_url, role, self.pg_passwords())

    def token(self, org: str, rol: str, user: str = "ontwikkelaar", ttl: int = 8 * 3600) -> str:
        """A development token for org, rol and user, signed with the dev key."""
        return mint_token(
            devkeys.dev_jwk(self.keys_dir), org=org, rol=rol, user=user, ttl_seconds=ttl
        )

    def security_env(self, service: str) -> dict[str, str]:
        """Development keys and the service's own NATS user (docs/security.md)."""
        jwk = devkeys.dev_jwk(self.keys_dir)
        env = {
            "JWT_PUBLIC_KEYS": public_jwks(jwk),
            "JWT_ISSUER": DEV_ISSUER,
            "CHECKPOINT_KEY": devkeys.checkpoint_key(self.keys_dir, service),
            "CHECKPOINT_EXPORT_DIR": str(self.data_dir / "checkpoints"),
            **self.nats_login(service),
        }
        if service == "reporting" and self.environment == "development":
            # Its sign-in page mints development tokens (refused in any other environment).
            env["JWT_DEV_SIGNING_KEY"] = json.dumps(jwk)
        if service in self.openbao_tokens and self.openbao is not None:
            env["OPENBAO_ADDR"] = self.openbao.url
            env["OPENBAO_TOKEN"] = self.openbao_tokens[service]
            env["OPENBAO_MOUNT"] = transit_mount(service)
        return env

    def start_servers(self) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        if self.database_url is None:
            self.postgres = LocalPostgres(
                self.data_dir / "postgres",
                port=self.pg_port,
                password=self.pg_passwords()[dbroles.SUPERUSER],
            ).start()
            self.database_url = self.postgres.create_database(self.database)
        # database_url is an administrator's: the roles, the schemas, the migrations.
        database.set_up(self.database_url, self.pg_passwords())
        if self.nats_url is None:
            self.nats = LocalNats(
                self.data_dir / "nats", port=self.nats_port, secrets=self.nats_secrets()
            ).start()
            self.nats_url = self.nats.url
        self.openbao = LocalOpenBao(
            self.data_dir / "openbao", keys_dir=self.keys_dir, port=self.openbao_port
        ).start()
        self.openbao_tokens = {s: self.openbao.service_token(s) for s in KEY_SERVICES}

    def service_env(self, service: str) -> dict[str, str]:
        assert self.database_url and self.nats_url
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("OPENBAO_", "BAO_"))},
            "ENVIRONMENT": self.environment,
            "DATABASE_URL": self.role_url(dbroles.runtime_role(service)),
            "NATS_URL": _without_credentials(self.nats_url),
            "PORT": str(self.ports[service]),
            **self.security_env(service),
            **self.peer_urls(service),
            **self.extra_env,
        }
        return env

    def peer_urls(self, service: str) -> dict[str, str]:
        """The other services' URLs a service calls: reporting's pages call intake and
        verification (INTAKE_URL, VERIFICATION_URL)."""
        if service != "reporting":
            return {}
        return {f"{peer.upper()}_URL": self.url(peer) for peer in ("intake", "verification")}

    def start_service(self, service: str) -> None:
        log = self.data_dir / "logs" / f"{service}.log"
        log.parent.mkdir(parents=True, exist_ok=True)
        self.processes[service] = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                f"services.{service}.main:create_app",
                "--factory",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.ports[service]),
                "--no-access-log",
            ],
            env=self.service_env(service),
            stdout=open(log, "ab"),  # noqa: SIM115
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=_die_with_parent(signal.SIGTERM),
        )

    def wait_ready(self, service: str, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        last = ""
        while time.monotonic() < deadline:
            proc = self.processes[service]
            if proc.poll() is not None:
                raise RuntimeError(
                    f"{service} exited with {proc.returncode}; see "
                    f"{self.data_dir / 'logs' / (service + '.log')}"
                )
            try:
                response = httpx.get(f"{self.url(service)}/ready", timeout=2)
                if response.status_code == 200:
                    return
                last = response.text
            except httpx.HTTPError as exc:
                last = str(exc)
            time.sleep(0.2)
        raise RuntimeError(f"{service} not ready after {timeout} s: {last}")

    def start(self) -> Stack:
        self.start_servers()
        for service in SERVICES:
            self.start_service(service)
        for service in SERVICES:
            self.wait_ready(service)
        return self

    def stop_service(self, service: str, sig: int = signal.SIGTERM) -> None:
        proc = self.processes.pop(service, None)
        if proc is None or proc.poll() is not None:
            return
        proc.send_signal(sig)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()

    def stop(self) -> None:
        for service in list(self.processes):
            self.stop_service(service)
        if self.openbao is not None:
            self.openbao.stop()
        if self.nats is not None:
            self.nats.stop()
        if self.postgres is not None:
            self.postgres.stop()
