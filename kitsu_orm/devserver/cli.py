"""The command line: ``python -m kitsu_orm.devserver [--name NAME] COMMAND``."""

from __future__ import annotations

import argparse
import shlex
import sys
import time
from collections.abc import Callable, Sequence

from ..errors import KitsuError
from .install import ZOU_VERSION
from .media import ffmpeg_path
from .processes import tail
from .server import DevServer


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
        ("events", f"{server.events_url} (socket.io, namespace /events)"),
        ("database", f"{c.database} at {c.pg_host}:{c.pg_port}"),
        ("redis", redis),
        ("ffmpeg", ffmpeg_path() or "missing: movie previews end broken (apt-get install ffmpeg)"),
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
    text = tail(server.log_path, args.lines)
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
    """The variables ``kitsu.connect()`` reads (KITSU_HOST...), and KITSU_URL, its alias."""
    for var, value in (
        ("KITSU_HOST", server.url),
        ("KITSU_URL", server.url),
        ("KITSU_EVENTS_URL", server.events_url),
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
    "env": (_cmd_env, "print shell export lines for KITSU_HOST, KITSU_EMAIL, KITSU_PASSWORD (kitsu.connect() reads them)..."),
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
