"""A real local Zou (the Kitsu API server) for tests and demos.

::

    python -m kitsu_orm.devserver [--name NAME] start|stop|status|url|logs|reset|env

Zou lives in a virtualenv of its own (``~/.cache/kitsu-orm/zou-<version>``, or
``KITSU_ORM_ZOU_VENV``), installed once and shared by every server: it pins
about 140 exact versions and must never enter the library's environment.

Each server has a name (``--name``, ``KITSU_DEV_NAME``, default ``default``) and
a state folder ``~/.cache/kitsu-orm/servers/<name>/`` (the root moves with
``KITSU_ORM_HOME``) holding ``config.json`` (port, database, secrets: mode
0600), the pid files, ``server.log`` and Zou's scratch folders.

Settings, read from the environment when set, else from ``config.json``, else
defaulted (a started server saves what it runs with into ``config.json``):

=========================  =====================================================
``KITSU_DEV_PORT``         8780 for ``default``; a free port picked once otherwise
``KITSU_DEV_DB``           ``kitsu_orm_<name>`` (and ``<db>_template`` for reset)
``KITSU_DEV_PG_HOST``      127.0.0.1 (``_PORT`` 5432, ``_USER`` postgres,
                           ``_PASSWORD`` empty)
``KITSU_DEV_REDIS_HOST``   unset: a private ``redis-server`` per Zou server
``KITSU_DEV_REDIS_PORT``   set either to use a running, shared Redis instead
``KITSU_DEV_DEBUG``        ``1``: Zou answers 500s with their stack trace
=========================  =====================================================

Why a private Redis: Zou keeps its cache in Redis databases 0-4, with no
setting to move them, and caches rows such as the "Open" project status there.
Two Zou servers sharing one Redis hand each other's ids and fail. Each server
therefore runs a small ``redis-server`` of its own (no persistence), which also
makes ``reset`` a clean ``FLUSHALL``.

POSIX only (process groups, ``fcntl`` locks). Uses the standard library alone.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import random
import re
import secrets
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import IO, Any

from .errors import ConfigurationError, KitsuError

__all__ = ["ZOU_VERSION", "DevServer", "DevServerError", "ServerConfig", "ZouInstall", "main"]

ZOU_VERSION = "1.0.97"
ADMIN_EMAIL = "admin@example.com"
DEFAULT_NAME = "default"

_FIXED_PORTS = {"default": 8780}
_PICKED_PORTS = range(20000, 30000)  # below Linux's ephemeral ports: no client socket takes it
_READY_TIMEOUT = 60.0
_STOP_TIMEOUT = 10.0
_NAME_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,39}")
_DATABASE_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,53}")  # + "_template" stays within 63
_TEMPLATE_SUFFIX = "_template"
_ZOU_MEMOIZE_DB = 1
_PG_START = "pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start"
_REDIS_START = (
    'redis-server --daemonize yes --bind 127.0.0.1 -::1 --port {port} --save "" '
    "--appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log"
)
# A detached start: the server is the launcher's child, never ours, so a test
# process that starts it neither reaps it nor warns about it when it exits.
_LAUNCHER = (
    "import subprocess, sys\n"
    "log = open(sys.argv[1], 'ab')\n"
    "child = subprocess.Popen(sys.argv[2:], stdin=subprocess.DEVNULL, stdout=log,\n"
    "                         stderr=subprocess.STDOUT, start_new_session=True)\n"
    "print(child.pid)\n"
)
# Variables of the caller's shell that would change what Zou does or imports.
_SCRUBBED_ENV = ("PYTHONPATH", "PYTHONHOME", "CACHE_TYPE", "INDEXER_KEY", "KV_PASSWORD")


class DevServerError(KitsuError):
    """The local server could not be installed, started, stopped or reset.

    The message says what failed and, where it can, the command that fixes it.
    """


# -- configuration ---------------------------------------------------------------


@dataclass
class ServerConfig:
    """What one server runs with; saved as ``config.json`` (mode 0600: it holds secrets)."""

    port: int
    database: str
    pg_host: str
    pg_port: int
    pg_user: str
    pg_password: str
    redis_host: str
    redis_port: int
    redis_private: bool
    admin_email: str
    admin_password: str
    secret_key: str
    initialised: bool = False

    @property
    def template(self) -> str:
        """The clean copy ``reset`` restores the database from."""
        return self.database + _TEMPLATE_SUFFIX

    @classmethod
    def resolve(cls, name: str, env: Mapping[str, str], stored: Mapping[str, Any]) -> ServerConfig:
        """Environment first, then what was stored, then defaults (secrets made once)."""

        def pick(var: str, key: str, default: Callable[[], Any]) -> Any:
            if env.get(var):
                return env[var]
            return stored[key] if key in stored else default()

        database = _database_name(pick("KITSU_DEV_DB", "database", lambda: _default_database(name)))
        redis_host, redis_port, redis_private = _resolve_redis(env, stored)
        return cls(
            port=_port(
                pick("KITSU_DEV_PORT", "port", lambda: _default_port(name)), "KITSU_DEV_PORT"
            ),
            database=database,
            pg_host=str(pick("KITSU_DEV_PG_HOST", "pg_host", lambda: "127.0.0.1")),
            pg_port=_port(pick("KITSU_DEV_PG_PORT", "pg_port", lambda: 5432), "KITSU_DEV_PG_PORT"),
            pg_user=str(pick("KITSU_DEV_PG_USER", "pg_user", lambda: "postgres")),
            pg_password=str(pick("KITSU_DEV_PG_PASSWORD", "pg_password", lambda: "")),
            redis_host=redis_host,
            redis_port=redis_port,
            redis_private=redis_private,
            admin_email=str(stored.get("admin_email", ADMIN_EMAIL)),
            admin_password=str(stored.get("admin_password") or secrets.token_hex(12)),
            secret_key=str(stored.get("secret_key") or secrets.token_hex(32)),
            initialised=bool(stored.get("initialised")) and stored.get("database") == database,
        )

    @classmethod
    def load(cls, path: Path) -> dict[str, Any]:
        """The stored settings, or an empty dict for a server never configured."""
        try:
            data = json.loads(path.read_text())
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as exc:
            raise DevServerError(f"cannot read {path}: {exc}; delete it to start over") from exc
        known = {f.name for f in fields(cls)}
        return {k: v for k, v in data.items() if k in known} if isinstance(data, dict) else {}

    def save(self, path: Path) -> None:
        """Write atomically, readable by the owner only."""
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            json.dump(asdict(self), handle, indent=2, sort_keys=True)
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)


def _resolve_redis(env: Mapping[str, str], stored: Mapping[str, Any]) -> tuple[str, int, bool]:
    """A shared Redis when the environment names one, else a private one when possible."""
    host, port = env.get("KITSU_DEV_REDIS_HOST"), env.get("KITSU_DEV_REDIS_PORT")
    if host or port:
        return host or "127.0.0.1", _port(port or 6379, "KITSU_DEV_REDIS_PORT"), False
    if "redis_port" in stored:
        private = bool(stored.get("redis_private"))
        return str(stored.get("redis_host", "127.0.0.1")), int(stored["redis_port"]), private
    if shutil.which("redis-server"):
        return "127.0.0.1", _pick_free_port(), True
    return "127.0.0.1", 6379, False


def _default_port(name: str) -> int:
    return _FIXED_PORTS.get(name) or _pick_free_port()


def _default_database(name: str) -> str:
    return "kitsu_orm_" + name.lower().replace("-", "_")


def _database_name(value: object) -> str:
    name = str(value)
    if not _DATABASE_RE.fullmatch(name):
        raise ConfigurationError(
            f"KITSU_DEV_DB={name!r}: use letters, digits and _ (at most 54 characters)"
        )
    return name


def _port(value: object, var: str) -> int:
    try:
        port = int(str(value))
    except ValueError:
        port = 0
    if not 0 < port < 65536:
        raise ConfigurationError(f"{var}={value!r} is not a TCP port number")
    return port


def _server_name(name: str) -> str:
    if not _NAME_RE.fullmatch(name):
        raise ConfigurationError(
            f"server name {name!r}: use letters, digits, - and _ (at most 40 characters)"
        )
    return name


def _cache_home(env: Mapping[str, str]) -> Path:
    base = env.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "kitsu-orm"


# -- small system helpers ---------------------------------------------------------


def _tcp_open(host: str, port: int, timeout: float = 2.0) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def _pick_free_port() -> int:
    ports = list(_PICKED_PORTS)
    random.shuffle(ports)
    for port in ports[:200]:
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise DevServerError("no free TCP port found between 20000 and 29999")


@contextlib.contextmanager
def _file_lock(path: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``path`` (another process waits, it never fails)."""
    import fcntl  # POSIX only: imported here so `kitsu_orm.testing` still imports elsewhere

    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    with open(path, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _try_flock(handle: IO[str], operation: int) -> bool:
    import fcntl

    try:
        fcntl.flock(handle, operation)
    except BlockingIOError:
        return False
    return True


def _tail(path: Path, lines: int) -> str:
    try:
        with open(path, "rb") as handle:
            handle.seek(0, os.SEEK_END)
            handle.seek(max(0, handle.tell() - 256 * 1024))
            data = handle.read()
    except FileNotFoundError:
        return ""
    return "\n".join(data.decode("utf-8", "replace").splitlines()[-lines:])


def _spawn_detached(cmd: Sequence[str], log: Path, cwd: Path, env: Mapping[str, str]) -> int:
    """Start ``cmd`` in a session of its own, output appended to ``log``; return its pid."""
    done = subprocess.run(
        [sys.executable, "-I", "-c", _LAUNCHER, str(log), *cmd],
        cwd=cwd,
        env=dict(env),
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0 or not done.stdout.strip().isdigit():
        raise DevServerError(f"could not start {cmd[0]}: {done.stderr.strip()[-500:]}")
    return int(done.stdout.strip())


def _is_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    with contextlib.suppress(OSError):
        # A zombie answers signal 0 but is gone; with no reaping init it stays one.
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    return True


def _command_line(pid: int) -> str:
    with contextlib.suppress(OSError):
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
        return raw.replace(b"\0", b" ").decode(errors="replace")
    done = subprocess.run(
        ["ps", "-ww", "-o", "args=", "-p", str(pid)], capture_output=True, text=True, check=False
    )
    return done.stdout.strip()


def _terminate(pid: int) -> None:
    """SIGTERM, then SIGKILL for the whole process group (the server's own session)."""
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGTERM)
    if _wait_gone(pid, _STOP_TIMEOUT):
        return
    with contextlib.suppress(ProcessLookupError):
        if os.getpgid(pid) == pid:
            os.killpg(pid, signal.SIGKILL)
        else:
            os.kill(pid, signal.SIGKILL)
    _wait_gone(pid, 5.0)


def _wait_gone(pid: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while _is_alive(pid):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


class _PidFile:
    """One process this server owns, recognised by a marker in its command line.

    The marker guards against a stale file naming a pid the system has since
    given to another program: that one is never signalled.
    """

    def __init__(self, path: Path, *markers: str) -> None:
        self.path = path
        self.markers = markers

    def read(self) -> int | None:
        try:
            text = self.path.read_text().strip()
        except FileNotFoundError:
            return None
        return int(text) if text.isdigit() else None

    def write(self, pid: int) -> None:
        self.path.write_text(f"{pid}\n")

    def live_pid(self) -> int | None:
        """The pid when it is alive and ours, else None."""
        pid = self.read()
        if pid is None or not _is_alive(pid):
            return None
        command = _command_line(pid)
        return pid if all(marker in command for marker in self.markers) else None

    def stop(self) -> bool:
        """End our process if it runs; forget the file either way. True if one was ended."""
        pid = self.live_pid()
        if pid is not None:
            _terminate(pid)
        self.path.unlink(missing_ok=True)
        return pid is not None


# -- PostgreSQL and Redis -----------------------------------------------------------


@dataclass(frozen=True)
class _Postgres:
    """The server's PostgreSQL, driven through ``psql`` (identifiers are pre-validated)."""

    host: str
    port: int
    user: str
    password: str

    def run(self, *statements: str, database: str = "postgres") -> str:
        """Run each statement in its own transaction (CREATE/DROP DATABASE need that)."""
        psql = shutil.which("psql")
        if psql is None:
            raise DevServerError(
                "psql is not installed: install the PostgreSQL client "
                "(apt-get install postgresql-client)"
            )
        cmd = [
            psql,
            "-X",
            "-q",
            "-A",
            "-t",
            "-v",
            "ON_ERROR_STOP=1",
            "-h",
            self.host,
            "-p",
            str(self.port),
            "-U",
            self.user,
            "-d",
            database,
        ]
        for statement in statements:
            cmd += ["-c", statement]
        env = {**os.environ, "PGCONNECT_TIMEOUT": "5"}
        if self.password:
            env["PGPASSWORD"] = self.password
        done = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
        if done.returncode != 0:
            raise DevServerError(f"PostgreSQL at {self.host}:{self.port}: {done.stderr.strip()}")
        return done.stdout.strip()

    def exists(self, database: str) -> bool:
        return self.run(f"SELECT 1 FROM pg_database WHERE datname = '{database}'") == "1"

    def create(self, database: str) -> None:
        self.run(f'CREATE DATABASE "{database}"')

    def copy(self, source: str, target: str) -> None:
        """Replace ``target`` by a copy of ``source``, cutting off its open connections."""
        self.run(
            f'DROP DATABASE IF EXISTS "{target}" WITH (FORCE)',
            f'CREATE DATABASE "{target}" TEMPLATE "{source}"',
        )

    def seal(self, database: str) -> None:
        """Refuse connections, so that nothing can block a copy made from it."""
        self.run(f'ALTER DATABASE "{database}" ALLOW_CONNECTIONS false')


def _redis_command(host: str, port: int, *commands: Sequence[str]) -> list[str]:
    """Send commands with simple replies (PING, SELECT, FLUSHALL) over RESP."""
    payload = b"".join(
        f"*{len(c)}\r\n".encode() + b"".join(f"${len(a)}\r\n{a}\r\n".encode() for a in c)
        for c in commands
    )
    received = b""
    try:
        with socket.create_connection((host, port), timeout=2.0) as sock:
            sock.sendall(payload)
            while received.count(b"\r\n") < len(commands):
                chunk = sock.recv(4096)
                if not chunk:
                    break
                received += chunk
    except OSError as exc:
        raise DevServerError(f"Redis at {host}:{port}: {exc}") from exc
    replies = received.decode(errors="replace").split("\r\n")[: len(commands)]
    errors = [r for r in replies if not r.startswith("+")]
    if len(replies) < len(commands) or errors:
        raise DevServerError(f"Redis at {host}:{port} answered {errors or replies!r}")
    return replies


def _redis_answers(host: str, port: int) -> bool:
    try:
        return _redis_command(host, port, ["PING"]) == ["+PONG"]
    except DevServerError:
        return False


# -- Zou's own environment ---------------------------------------------------------


@dataclass(frozen=True)
class ZouInstall:
    """The virtualenv that holds Zou, installed once per version and then reused."""

    root: Path

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> ZouInstall:
        env = os.environ if env is None else env
        custom = env.get("KITSU_ORM_ZOU_VENV")
        root = Path(custom).expanduser() if custom else _cache_home(env) / f"zou-{ZOU_VERSION}"
        return cls(root.absolute())

    def bin(self, tool: str) -> Path:
        return self.root / "bin" / tool

    @property
    def is_installed(self) -> bool:
        return self.bin("zou").exists() and self.bin("gunicorn").exists()

    def ensure(self) -> None:
        """Install Zou unless present; another process installing meanwhile is waited for."""
        if self.is_installed:
            return
        with _file_lock(self.root.parent / f".{self.root.name}.lock"):
            if not self.is_installed:
                self._install()

    def _install(self) -> None:
        log = self.root.parent / f"{self.root.name}.install.log"
        print(
            f"kitsu_orm: installing zou {ZOU_VERSION} into {self.root} (about a minute, once)",
            file=sys.stderr,
            flush=True,
        )
        if self.root.exists():  # an interrupted install: start over
            shutil.rmtree(self.root)
        steps = [
            [sys.executable, "-m", "venv", str(self.root)],
            [
                str(self.bin("python")),
                "-m",
                "pip",
                "install",
                "--disable-pip-version-check",
                f"zou=={ZOU_VERSION}",
            ],
        ]
        with open(log, "wb") as out:
            for step in steps:
                done = subprocess.run(step, stdout=out, stderr=subprocess.STDOUT, check=False)
                if done.returncode:
                    raise DevServerError(
                        f"installing zou {ZOU_VERSION} failed ({' '.join(step[:3])}...); "
                        f"last lines of {log}:\n{_tail(log, 15)}"
                    )


# -- the server --------------------------------------------------------------------


@dataclass
class DevServer:
    """One named local Zou: its settings, its processes, its database.

    Every method is safe to call from several processes at once: start, stop
    and reset take the server's file lock.
    """

    name: str
    state_dir: Path
    config: ServerConfig
    install: ZouInstall
    debug: bool = False

    @classmethod
    def from_env(
        cls, name: str | None = None, *, environ: Mapping[str, str] | None = None
    ) -> DevServer:
        """The server called ``name`` (default ``KITSU_DEV_NAME`` or ``default``).

        A first call creates its state folder and secrets; later calls, from
        any process, find the same ones.
        """
        env = os.environ if environ is None else environ
        name = _server_name(name or env.get("KITSU_DEV_NAME") or DEFAULT_NAME)
        home = env.get("KITSU_ORM_HOME")
        root = Path(home).expanduser() if home else _cache_home(env)
        state_dir = (root / "servers" / name).absolute()
        config_path = state_dir / "config.json"
        stored = ServerConfig.load(config_path)
        if not stored:
            with _file_lock(state_dir / "lock"):
                stored = ServerConfig.load(config_path)
                if not stored:
                    ServerConfig.resolve(name, {}, {}).save(config_path)
                    stored = ServerConfig.load(config_path)
        config = ServerConfig.resolve(name, env, stored)
        debug = env.get("KITSU_DEV_DEBUG", "").lower() in ("1", "true", "yes")
        return cls(name, state_dir, config, ZouInstall.from_env(env), debug)

    # -- what clients need ---------------------------------------------------------

    @property
    def url(self) -> str:
        """The API root, as a real deployment serves it behind its proxy."""
        return f"http://127.0.0.1:{self.config.port}/api"

    @property
    def admin_email(self) -> str:
        return self.config.admin_email

    @property
    def admin_password(self) -> str:
        return self.config.admin_password

    @property
    def secret_key(self) -> str:
        """Zou's SECRET_KEY: signs the tokens, so a test can forge or check one."""
        return self.config.secret_key

    @property
    def database(self) -> str:
        return self.config.database

    @property
    def log_path(self) -> Path:
        return self.state_dir / "server.log"

    @property
    def config_path(self) -> Path:
        return self.state_dir / "config.json"

    @property
    def pid(self) -> int | None:
        """The gunicorn master's pid while it runs."""
        return self._zou_pid.live_pid()

    # -- lifecycle -----------------------------------------------------------------

    def is_running(self) -> bool:
        """Ours, alive and answering as Zou (with its private Redis up, if it has one)."""
        if self.pid is None or not self._answers():
            return False
        return not self.config.redis_private or _redis_answers("127.0.0.1", self.config.redis_port)

    def start(self) -> bool:
        """Start the server unless it runs; True if this call started it.

        The first start installs Zou if needed, creates and initialises the
        database and keeps a clean template of it for :meth:`reset`.
        """
        with self._lock():
            return self._start()

    def ensure_running(self) -> bool:
        """Same as :meth:`start`: the name reads better where a server may already run."""
        return self.start()

    def stop(self) -> bool:
        """Stop our own processes (by pid, never by name); True if Zou was running."""
        with self._lock():
            stopped = self._zou_pid.stop()
            self._redis_pid.stop()
            return stopped

    def reset(self) -> None:
        """Bring the database back to its freshly initialised state, then make sure it runs.

        Restores the template copy kept after the first initialisation and
        empties Zou's Redis cache; a running server keeps running (its pooled
        connections are cut and reopened), so this takes about a second.
        Whoever uses the server meanwhile loses their data: test sessions
        should go through :meth:`session`, which resets only an unused server.
        """
        with self._lock():
            self._reset()

    @contextlib.contextmanager
    def session(self, *, reset: bool = True) -> Iterator[bool]:
        """Use the running server for a while, alongside other processes doing the same.

        A reset drops the database under every other user, so it happens only
        when no other session holds the server; yields whether it did. The
        hold is a shared ``flock`` that the kernel drops even if the process dies.
        """
        import fcntl

        self.state_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        with open(self.state_dir / "sessions.lock", "a") as hold:
            with self._lock():  # every session decides under it: the upgrade below is safe
                alone = reset and _try_flock(hold, fcntl.LOCK_EX | fcntl.LOCK_NB)
                if alone:
                    self._reset()
                fcntl.flock(hold, fcntl.LOCK_SH)
                if not alone:
                    self._start()
            yield alone

    # -- internals -------------------------------------------------------------------

    @property
    def _zou_pid(self) -> _PidFile:
        return _PidFile(self.state_dir / "server.pid", "zou.app:app", str(self._run_dir))

    @property
    def _redis_pid(self) -> _PidFile:
        return _PidFile(self.state_dir / "redis.pid", "redis-server", f"{self.config.redis_port}")

    @property
    def _run_dir(self) -> Path:
        # An empty working folder: Zou imports an `event_handlers` package found in it.
        return self.state_dir / "run"

    @property
    def _postgres(self) -> _Postgres:
        c = self.config
        return _Postgres(c.pg_host, c.pg_port, c.pg_user, c.pg_password)

    def _lock(self) -> contextlib.AbstractContextManager[None]:
        return _file_lock(self.state_dir / "lock")

    def _reset(self) -> None:
        self._check_services()
        pg = self._postgres
        if self.config.initialised and pg.exists(self.config.template):
            pg.copy(self.config.template, self.database)
            self._flush_redis()
        self._start()

    def _start(self) -> bool:
        if self.is_running():
            return False
        self._zou_pid.stop()  # ours but not answering (hung, or Redis gone): start over
        self._check_services()
        self._check_port_free()
        self.install.ensure()
        self._prepare_folders()
        self.config.save(self.config_path)
        self._start_redis()
        self._ensure_database()
        self._serve()
        return True

    def _check_services(self) -> None:
        """Fail before touching anything, with one message naming each service down."""
        c = self.config
        problems = []
        if not _tcp_open(c.pg_host, c.pg_port):
            problems.append(
                f"PostgreSQL is not reachable at {c.pg_host}:{c.pg_port}. Start it with:\n"
                f"  {_PG_START}"
            )
        if not c.redis_private and not _tcp_open(c.redis_host, c.redis_port):
            problems.append(
                f"Redis is not reachable at {c.redis_host}:{c.redis_port}. Start it with:\n"
                f"  {_REDIS_START.format(port=c.redis_port)}"
            )
        if problems:
            raise DevServerError("\n".join(problems))

    def _check_port_free(self) -> None:
        if _tcp_open("127.0.0.1", self.config.port, timeout=0.5):
            raise DevServerError(
                f"port {self.config.port} is taken by another program: stop it, or set "
                f"KITSU_DEV_PORT to a free port for server {self.name!r}"
            )

    def _prepare_folders(self) -> None:
        self.state_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.chmod(self.state_dir, 0o700)
        for sub in ("run", "previews", "tmp", "event_handlers", "plugins", "redis"):
            (self.state_dir / sub).mkdir(exist_ok=True)
        if self.log_path.exists() and self.log_path.stat().st_size > 10 * 1024 * 1024:
            self.log_path.replace(self.log_path.with_suffix(".log.1"))

    def _start_redis(self) -> None:
        if not self.config.redis_private or self._redis_pid.live_pid() is not None:
            return
        binary = shutil.which("redis-server")
        if binary is None:
            raise DevServerError(
                "redis-server is not installed (apt-get install redis-server); or set "
                "KITSU_DEV_REDIS_PORT=6379 to use a running Redis"
            )
        if _tcp_open("127.0.0.1", self.config.redis_port, timeout=0.5):
            self.config.redis_port = _pick_free_port()
            self.config.save(self.config_path)
        folder, log = self.state_dir / "redis", self.state_dir / "redis.log"
        cmd = [
            binary,
            "--port",
            str(self.config.redis_port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(folder),
        ]
        self._redis_pid.write(_spawn_detached(cmd, log, folder, os.environ))
        self._wait_for(
            "Redis",
            lambda: _redis_answers("127.0.0.1", self.config.redis_port),
            self._redis_pid,
            log,
            timeout=10.0,
        )

    def _flush_redis(self) -> None:
        """Empty what Zou cached about the database just replaced.

        A shared Redis loses only Zou's cache database, which costs its other
        users nothing but a few slower requests.
        """
        c = self.config
        if c.redis_private:
            if self._redis_pid.live_pid() is not None:
                _redis_command("127.0.0.1", c.redis_port, ["FLUSHALL"])
        else:
            select = ["SELECT", str(_ZOU_MEMOIZE_DB)]
            _redis_command(c.redis_host, c.redis_port, select, ["FLUSHDB"])

    def _ensure_database(self) -> None:
        pg, c = self._postgres, self.config
        if c.initialised and pg.exists(c.template):
            if not pg.exists(c.database):
                pg.copy(c.template, c.database)
            return
        self._initialise()

    def _initialise(self) -> None:
        """Create the schema, Zou's base data and the admin; keep a template of the result."""
        pg, c = self._postgres, self.config
        if not pg.exists(c.database):
            pg.create(c.database)
        self._zou("init-db")
        self._zou("init-data")
        email = c.admin_email.replace("'", "''")
        existed = pg.run(
            f"SELECT count(*) FROM person WHERE email = '{email}'", database=c.database
        )
        self._zou("create-admin", c.admin_email, f"--password={c.admin_password}")
        if existed != "0":  # create-admin leaves an existing password alone
            self._zou("change-password", c.admin_email, f"--password={c.admin_password}")
        pg.copy(c.database, c.template)
        pg.seal(c.template)
        c.initialised = True
        c.save(self.config_path)

    def _zou(self, command: str, *args: str) -> None:
        with open(self.log_path, "ab") as log:
            log.write(f"--- zou {command} ({time.strftime('%Y-%m-%d %H:%M:%S')})\n".encode())
            log.flush()
            done = subprocess.run(
                [str(self.install.bin("zou")), command, *args],
                cwd=self._run_dir,
                env=self._zou_env(),
                stdout=log,
                stderr=subprocess.STDOUT,
                check=False,
            )
        if done.returncode != 0:
            raise DevServerError(
                f"`zou {command}` failed (exit {done.returncode}); last lines of "
                f"{self.log_path}:\n{_tail(self.log_path, 15)}"
            )

    def _serve(self) -> None:
        with open(self.log_path, "ab") as log:
            log.write(f"--- serve on {self.url} ({time.strftime('%Y-%m-%d %H:%M:%S')})\n".encode())
        cmd = [
            str(self.install.bin("gunicorn")),
            "--no-control-socket",
            "-w",
            "3",
            "-b",
            f"127.0.0.1:{self.config.port}",
            "--timeout",
            "120",
            "--chdir",
            str(self._run_dir),
            "zou.app:app",
        ]
        self._zou_pid.write(_spawn_detached(cmd, self.log_path, self._run_dir, self._zou_env()))
        self._wait_for("Zou", self._answers, self._zou_pid, self.log_path, timeout=_READY_TIMEOUT)

    def _wait_for(
        self, what: str, ready: Callable[[], bool], pid_file: _PidFile, log: Path, *, timeout: float
    ) -> None:
        deadline = time.monotonic() + timeout
        while not ready():
            pid = pid_file.read()
            if pid is None or not _is_alive(pid):
                pid_file.path.unlink(missing_ok=True)
                raise DevServerError(
                    f"{what} exited while starting; last lines of {log}:\n{_tail(log, 20)}"
                )
            if time.monotonic() > deadline:
                pid_file.stop()
                raise DevServerError(
                    f"{what} did not answer within {timeout:.0f} s; last lines "
                    f"of {log}:\n{_tail(log, 20)}"
                )
            time.sleep(0.1)

    def _answers(self) -> bool:
        """Whether ``GET <url>/`` answers Zou's greeting (proxies bypassed)."""
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        try:
            with opener.open(self.url + "/", timeout=2.0) as resp:
                body = json.loads(resp.read())
        except (OSError, ValueError, http.client.HTTPException):
            return False
        return isinstance(body, dict) and body.get("api") == "Zou"

    def _zou_env(self) -> dict[str, str]:
        c, folder = self.config, self.state_dir
        env = {k: v for k, v in os.environ.items() if k not in _SCRUBBED_ENV}
        env.update(
            {
                "DB_HOST": c.pg_host,
                "DB_PORT": str(c.pg_port),
                "DB_USERNAME": c.pg_user,
                "DB_PASSWORD": c.pg_password,
                "DB_DATABASE": c.database,
                "KV_HOST": c.redis_host,
                "KV_PORT": str(c.redis_port),
                "SECRET_KEY": c.secret_key,
                "DEBUG": "true" if self.debug else "false",
                "MAIL_ENABLED": "false",
                "MAIL_CHECK_DELIVERABILITY": "false",
                "PREVIEW_FOLDER": str(folder / "previews"),
                "TMP_DIR": str(folder / "tmp"),
                "EVENT_HANDLERS_FOLDER": str(folder / "event_handlers"),
                "PLUGIN_FOLDER": str(folder / "plugins"),
                "SCRIPT_NAME": "/api",
                "PYTHONUNBUFFERED": "1",
            }
        )
        return env


# -- command line ------------------------------------------------------------------


def _cmd_start(server: DevServer, args: argparse.Namespace) -> int:
    began = time.monotonic()
    if not server.start():
        print(f"{server.name}: already running at {server.url} (pid {server.pid})")
        return 0
    print(
        f"{server.name}: running at {server.url} (pid {server.pid}, "
        f"started in {time.monotonic() - began:.1f} s)"
    )
    print(f"admin: {server.admin_email} (password in {server.config_path}; see `env`)")
    return 0


def _cmd_stop(server: DevServer, args: argparse.Namespace) -> int:
    print(f"{server.name}: stopped" if server.stop() else f"{server.name}: was not running")
    return 0


def _cmd_status(server: DevServer, args: argparse.Namespace) -> int:
    """Exit status 0 when running, 3 when not (the LSB convention scripts test)."""
    running = server.is_running()
    c = server.config
    redis = ("private redis-server" if c.redis_private else "shared Redis") + (
        f" at {c.redis_host}:{c.redis_port}"
    )
    rows = [
        ("server", server.name),
        ("state", f"running (pid {server.pid})" if running else "stopped"),
        ("url", server.url),
        ("database", f"{c.database} at {c.pg_host}:{c.pg_port}"),
        ("redis", redis),
        ("admin", server.admin_email),
        ("log", str(server.log_path)),
        ("config", str(server.config_path)),
    ]
    for key, value in rows:
        print(f"{key + ':':<10}{value}")
    return 0 if running else 3


def _cmd_url(server: DevServer, args: argparse.Namespace) -> int:
    print(server.url)
    return 0


def _cmd_logs(server: DevServer, args: argparse.Namespace) -> int:
    text = _tail(server.log_path, args.lines)
    if text:
        print(text)
    return 0


def _cmd_reset(server: DevServer, args: argparse.Namespace) -> int:
    began = time.monotonic()
    server.reset()
    print(
        f"{server.name}: database {server.database} reset in "
        f"{time.monotonic() - began:.1f} s; running at {server.url}"
    )
    return 0


def _cmd_env(server: DevServer, args: argparse.Namespace) -> int:
    for var, value in (
        ("KITSU_URL", server.url),
        ("KITSU_EMAIL", server.admin_email),
        ("KITSU_PASSWORD", server.admin_password),
    ):
        print(f"export {var}={shlex.quote(value)}")
    return 0


_COMMANDS: dict[str, tuple[Callable[[DevServer, argparse.Namespace], int], str]] = {
    "start": (_cmd_start, "start the server (a no-op when it runs)"),
    "stop": (_cmd_stop, "stop the server's own processes"),
    "status": (_cmd_status, "say whether it runs (exit 3 when not), where, on which database"),
    "url": (_cmd_url, "print the API root URL"),
    "logs": (_cmd_logs, "print the end of server.log"),
    "reset": (_cmd_reset, "restore the freshly initialised database, then run"),
    "env": (_cmd_env, "print shell export lines for KITSU_URL, KITSU_EMAIL, KITSU_PASSWORD"),
}


def _parser() -> argparse.ArgumentParser:
    name_help = "server name (default: $KITSU_DEV_NAME or 'default')"
    parser = argparse.ArgumentParser(
        prog="python -m kitsu_orm.devserver",
        description=(f"Run a local Zou {ZOU_VERSION} (the Kitsu API) for tests and demos."),
    )
    parser.add_argument("--name", help=name_help)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for command, (_, help_text) in _COMMANDS.items():
        cmd = sub.add_parser(command, help=help_text, description=help_text)
        cmd.add_argument("--name", default=argparse.SUPPRESS, help=name_help)
        if command == "logs":
            cmd.add_argument("-n", "--lines", type=int, default=40, help="how many lines (40)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; errors print their message alone and exit 1."""
    args = _parser().parse_args(argv)
    try:
        server = DevServer.from_env(args.name)
        return _COMMANDS[args.command][0](server, args)
    except KitsuError as exc:
        print(f"kitsu_orm.devserver: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
