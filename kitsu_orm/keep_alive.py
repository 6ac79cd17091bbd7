"""Keep-alive connections shared by every transport of this process.

Each session has its own transport, and a script may open many sessions (one
per job, per shot, per notebook cell). Were each transport to keep its own
connections, every new session would open new ones, and against a hosted
Kitsu a new connection costs TCP's and TLS's handshakes, two round trips,
before its first request. gazu keeps one connection for its whole process;
kitsu_orm keeps one pool for every transport of the process, as SQLAlchemy's
engine keeps one for every session. Only connections are shared: each
transport sends its own tokens and headers on every request.

A forked child makes its own pool: two processes writing on one inherited
socket would mix their requests and answers.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from typing import Generic, TypeVar

__all__ = ["SHARED_POOL_SIZE", "PerProcess"]

# The connections kept per server for every transport of the process: more than the
# workers of a few sessions at once, so that none is dropped with a warning. A
# transport asking for more keeps a pool of its own.
SHARED_POOL_SIZE = 64

P = TypeVar("P")


class PerProcess(Generic[P]):
    """A value made by ``make`` on first use, and made again in a forked child:
    what holds sockets (a pool, an HTTP session) is never used by two processes."""

    def __init__(self, make: Callable[[], P]) -> None:
        self._make = make
        self._lock = threading.Lock()
        self._value: P | None = None
        self._pid = 0

    def get(self) -> P:
        """This process's value."""
        pid = os.getpid()
        with self._lock:
            if self._value is None or self._pid != pid:
                # A parent's value, inherited by a fork, is left alone: closing its
                # sockets here could cut the parent's requests short.
                self._value, self._pid = self._make(), pid
            return self._value

    def made(self) -> P | None:
        """This process's value if made already, else None."""
        return self._value if self._pid == os.getpid() else None

    def drop(self) -> P | None:
        """Forget this process's value (the next :meth:`get` makes a new one); it,
        if it was made."""
        with self._lock:
            value = self.made()
            self._value = None
            return value
