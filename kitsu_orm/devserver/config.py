"""A server's settings: its name, port, database, services and secrets."""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any

from ..errors import ConfigurationError
from .errors import DevServerError
from .ports import pick_free_port

ADMIN_EMAIL = "admin@example.com"
DEFAULT_NAME = "default"

_FIXED_PORTS = {"default": 8780}
_FIXED_EVENTS_PORTS = {"default": 8781}
_NAME_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,39}")
_DATABASE_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,53}")  # + "_template" stays within 63
_TEMPLATE_SUFFIX = "_template"


@dataclass
class ServerConfig:
    """What one server runs with; saved as ``config.json`` (mode 0600: it holds secrets)."""

    port: int
    events_port: int
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
            events_port=_port(
                pick("KITSU_DEV_EVENTS_PORT", "events_port", lambda: _default_events_port(name)),
                "KITSU_DEV_EVENTS_PORT",
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
        return "127.0.0.1", pick_free_port(), True
    return "127.0.0.1", 6379, False


def _default_port(name: str) -> int:
    return _FIXED_PORTS.get(name) or pick_free_port()


def _default_events_port(name: str) -> int:
    return _FIXED_EVENTS_PORTS.get(name) or pick_free_port()


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


def server_name(name: str) -> str:
    """A server name, checked: letters, digits, - and _ (it names directories and a database)."""
    if not _NAME_RE.fullmatch(name):
        raise ConfigurationError(
            f"server name {name!r}: use letters, digits, - and _ (at most 40 characters)"
        )
    return name


def cache_home(env: Mapping[str, str]) -> Path:
    """Where the dev servers keep their installs and data (``XDG_CACHE_HOME``...)."""
    base = env.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "kitsu-orm"
