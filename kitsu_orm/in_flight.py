"""Lazy loads on their way, by what they load: a thread that needs a load another
thread is already sending waits for its answer instead of sending it again.

A pool of threads walking one query's results (``shot.tasks`` on each shot, or a
field the rows left out) would otherwise send the same batch load once per
thread that reached it before the first answer: an N+1 storm in all but name.
When the load fails, the threads that waited for it fail with it at once.
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Callable, Hashable

__all__ = ["InFlight"]


class _Flight:
    """One load on its way: who sends it, when it ends, and how it failed if it did."""

    __slots__ = ("ended", "error", "owner")

    def __init__(self, owner: int) -> None:
        self.owner = owner
        self.ended = threading.Event()
        self.error: Exception | None = None


class InFlight:
    """The loads in flight of one session, by key."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._running: dict[Hashable, _Flight] = {}

    def once(self, key: Hashable, load: Callable[[], object], done: Callable[[], bool]) -> None:
        """Run ``load`` unless another thread is running it for ``key``: then wait for
        that one to end. Its failure is raised here too (a copy, caused by it), rather
        than sent again by every waiting thread in turn; if it ended well but
        ``done()`` still says no (it loaded less than this thread needs), ``load``
        runs here."""
        me = threading.get_ident()
        while True:
            with self._lock:
                running = self._running.get(key)
                if running is None:
                    flight = self._running[key] = _Flight(me)
                    break
            if running.owner == me:  # asked again from inside its own load: never wait on it
                load()
                return
            running.ended.wait()
            if running.error is not None:
                _raise_again(running.error)
            if done():
                return
        try:
            load()
        except Exception as exc:
            flight.error = exc
            raise
        finally:
            with self._lock:
                del self._running[key]
            flight.ended.set()


def _raise_again(error: Exception) -> None:
    """Raise a copy of another thread's ``error`` (raising the one object in several
    threads at once would mix their tracebacks), caused by it."""
    try:
        again = copy.copy(error)
    except Exception:  # an exception that cannot be rebuilt from its arguments
        raise error from None
    raise again from error
