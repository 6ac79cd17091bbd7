"""TCP ports: whether one answers, and a free one to give a new server or its Redis."""

from __future__ import annotations

import random
import socket

from .errors import DevServerError

_PICKED_PORTS = range(20000, 30000)  # below Linux's ephemeral ports: no client socket takes it


def tcp_open(host: str, port: int, timeout: float = 2.0) -> bool:
    """Whether something accepts connections on this port: a service is up."""
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def pick_free_port() -> int:
    """A TCP port nothing listens on now, for a new server."""
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
