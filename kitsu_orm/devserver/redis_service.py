"""Redis, where Zou keeps its cache: a few commands spoken over RESP."""

from __future__ import annotations

import socket
from collections.abc import Sequence

from .errors import DevServerError

ZOU_MEMOIZE_DB = 1
REDIS_START = (
    'redis-server --daemonize yes --bind 127.0.0.1 -::1 --port {port} --save "" '
    "--appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log"
)


def redis_command(host: str, port: int, *commands: Sequence[str]) -> list[str]:
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


def redis_answers(host: str, port: int) -> bool:
    """Whether a redis server answers PING on this port."""
    try:
        return redis_command(host, port, ["PING"]) == ["+PONG"]
    except DevServerError:
        return False
