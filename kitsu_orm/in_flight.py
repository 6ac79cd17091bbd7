"""Lazy loads on their way, by what they load: a thread that needs a load another
thread is already sending waits for its answer instead of sending it again.

A pool of threads walking one query's results (``shot.tasks`` on each shot, or a
field the rows left out) would otherwise send the same batch load once per
thread that reached it before the first answer: an N+1 storm in all but name.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable

__all__ = ["InFlight"]


class InFlight:
    """The loads in flight of one session, by key."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._running: dict[Hashable, tuple[threading.Event, int]] = {}

    def once(self, key: Hashable, load: Callable[[], object], done: Callable[[], bool]) -> None:
        """Run ``load`` unless another thread is running it for ``key``: then wait for
        that one to end, and run ``load`` here only if ``done()`` still says no (the
        other failed, or loaded less than this thread needs)."""
        me = threading.get_ident()
        while True:
            with self._lock:
                running = self._running.get(key)
                if running is None:
                    event = threading.Event()
                    self._running[key] = (event, me)
                    break
            if running[1] == me:  # asked again from inside its own load: never wait on it
                load()
                return
            running[0].wait()
            if done():
                return
        try:
            load()
        finally:
            with self._lock:
                del self._running[key]
            event.set()
