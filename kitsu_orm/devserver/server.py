"""One named local Zou: its settings, processes and database together."""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import shutil
import subprocess
import time
import urllib.request
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from .config import DEFAULT_NAME, ServerConfig, cache_home, server_name
from .errors import DevServerError
from .event_stream import EventStream
from .install import ZouInstall
from .media import with_ffmpeg
from .ports import pick_free_port, tcp_open
from .postgres import PG_START, Postgres
from .processes import PidFile, file_lock, spawn_detached, tail, try_flock, wait_for
from .redis_service import REDIS_START, ZOU_MEMOIZE_DB, redis_answers, redis_command

_READY_TIMEOUT = 60.0
# Variables of the caller's shell that would change what Zou does or imports.
_SCRUBBED_ENV = ("PYTHONPATH", "PYTHONHOME", "CACHE_TYPE", "INDEXER_KEY", "KV_PASSWORD")


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
        name = server_name(name or env.get("KITSU_DEV_NAME") or DEFAULT_NAME)
        home = env.get("KITSU_ORM_HOME")
        root = Path(home).expanduser() if home else cache_home(env)
        state_dir = (root / "servers" / name).absolute()
        config_path = state_dir / "config.json"
        stored = ServerConfig.load(config_path)
        if "events_port" not in stored:  # new, or made before it had an event stream
            with file_lock(state_dir / "lock"):
                stored = ServerConfig.load(config_path)
                if "events_port" not in stored:
                    ServerConfig.resolve(name, {}, stored).save(config_path)
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
    def events_url(self) -> str:
        """Where Zou's event stream (socket.io, namespace ``/events``) listens: its own
        loopback port, as ``session.events.url`` wants it."""
        return self._events.url

    @property
    def admin_email(self) -> str:
        """The admin's login on this server."""
        return self.config.admin_email

    @property
    def admin_password(self) -> str:
        """The admin's password on this server (a dev server only)."""
        return self.config.admin_password

    @property
    def secret_key(self) -> str:
        """Zou's SECRET_KEY: signs the tokens, so a test can forge or check one."""
        return self.config.secret_key

    @property
    def database(self) -> str:
        """The name of this server's database."""
        return self.config.database

    @property
    def log_path(self) -> Path:
        """Where this server's processes write their logs (read them when it fails to start)."""
        return self.state_dir / "server.log"

    @property
    def config_path(self) -> Path:
        """The file holding this server's settings, kept between runs."""
        return self.state_dir / "config.json"

    @property
    def pid(self) -> int | None:
        """The gunicorn master's pid while it runs."""
        return self._zou_pid.live_pid()

    def process_ids(self) -> dict[str, int]:
        """The pids of the processes this server started and that run now: ``zou`` (the
        API's gunicorn master), ``events`` (the event stream's) and ``redis`` (its
        private redis-server, when it has one); the workers are their children. For
        whoever measures what the server costs (benchmarks/server_cpu.py)."""
        found = {
            "zou": self.pid,
            "events": self._events.pid_file.live_pid(),
            "redis": self._redis_pid.live_pid() if self.config.redis_private else None,
        }
        return {name: pid for name, pid in found.items() if pid is not None}

    # -- lifecycle -----------------------------------------------------------------

    def is_running(self) -> bool:
        """Ours, alive and answering as Zou (with its private Redis up, if it has one),
        and its event stream too."""
        return self._zou_up() and self._events_up()

    def _zou_up(self) -> bool:
        if self.pid is None or not self._answers():
            return False
        return not self.config.redis_private or redis_answers("127.0.0.1", self.config.redis_port)

    def _events_up(self) -> bool:
        return self._events.pid_file.live_pid() is not None and self._events.answers()

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
            self._events.pid_file.stop()
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
                alone = reset and try_flock(hold, fcntl.LOCK_EX | fcntl.LOCK_NB)
                if alone:
                    self._reset()
                fcntl.flock(hold, fcntl.LOCK_SH)
                if not alone:
                    self._start()
            yield alone

    # -- internals -------------------------------------------------------------------

    @property
    def _zou_pid(self) -> PidFile:
        return PidFile(self.state_dir / "server.pid", "zou.app:app", str(self._run_dir))

    @property
    def _redis_pid(self) -> PidFile:
        return PidFile(self.state_dir / "redis.pid", "redis-server", f"{self.config.redis_port}")

    @property
    def _events(self) -> EventStream:
        return EventStream(self.state_dir, self.config.events_port)

    @property
    def _run_dir(self) -> Path:
        # An empty working folder: Zou imports an `event_handlers` package found in it.
        return self.state_dir / "run"

    @property
    def _postgres(self) -> Postgres:
        c = self.config
        return Postgres(c.pg_host, c.pg_port, c.pg_user, c.pg_password)

    def _lock(self) -> contextlib.AbstractContextManager[None]:
        return file_lock(self.state_dir / "lock")

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
        if self._zou_up():  # only the event stream is missing: start it alone
            self._events.pid_file.stop()
            self._serve_events()
            self._wait_for_events()
            return True
        self._zou_pid.stop()  # ours but not answering (hung, or Redis gone): start over
        self._events.pid_file.stop()
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
        if not tcp_open(c.pg_host, c.pg_port):
            problems.append(
                f"PostgreSQL is not reachable at {c.pg_host}:{c.pg_port}. Start it with:\n"
                f"  {PG_START}"
            )
        if not c.redis_private and not tcp_open(c.redis_host, c.redis_port):
            problems.append(
                f"Redis is not reachable at {c.redis_host}:{c.redis_port}. Start it with:\n"
                f"  {REDIS_START.format(port=c.redis_port)}"
            )
        if problems:
            raise DevServerError("\n".join(problems))

    def _check_port_free(self) -> None:
        if tcp_open("127.0.0.1", self.config.port, timeout=0.5):
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
        if tcp_open("127.0.0.1", self.config.redis_port, timeout=0.5):
            self.config.redis_port = pick_free_port()
            self.config.save(self.config_path)
        folder, log = self.state_dir / "redis", self.state_dir / "redis.log"
        cmd = [
            binary, "--port", str(self.config.redis_port), "--bind", "127.0.0.1",
            "--save", "", "--appendonly", "no", "--dir", str(folder),
        ]  # fmt: skip
        self._redis_pid.write(spawn_detached(cmd, log, folder, os.environ))
        wait_for(
            "Redis",
            lambda: redis_answers("127.0.0.1", self.config.redis_port),
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
                redis_command("127.0.0.1", c.redis_port, ["FLUSHALL"])
        else:
            select = ["SELECT", str(ZOU_MEMOIZE_DB)]
            redis_command(c.redis_host, c.redis_port, select, ["FLUSHDB"])

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
                f"{self.log_path}:\n{tail(self.log_path, 15)}"
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
        self._zou_pid.write(spawn_detached(cmd, self.log_path, self._run_dir, self._zou_env()))
        self._serve_events()  # both import Zou at once: start stays about as fast
        wait_for("Zou", self._answers, self._zou_pid, self.log_path, timeout=_READY_TIMEOUT)
        self._wait_for_events()

    def _serve_events(self) -> None:
        """Spawn the event stream on its own port (another one if a stranger took it).
        It reads the events the API's workers publish on the same Redis."""
        if tcp_open("127.0.0.1", self.config.events_port, timeout=0.5):
            self.config.events_port = pick_free_port()
        self.config.save(self.config_path)  # a port picked now is the port from now on
        env = self._zou_env()
        del env["SCRIPT_NAME"]  # served at its root, as /socket.io
        self._events.spawn(self.install.bin("gunicorn"), env)

    def _wait_for_events(self) -> None:
        events = self._events
        wait_for(
            "Zou's event stream",
            events.answers,
            events.pid_file,
            events.log_path,
            timeout=_READY_TIMEOUT,
        )

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
        return with_ffmpeg(env)  # for movie previews
