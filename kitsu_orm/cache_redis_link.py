"""The shared tier's link to Redis: commands that survive an outage, and leases.

- **Outages.** Every Redis command goes through :meth:`RedisLink.attempt`: when
  Redis is unreachable it answers a default, logs one warning per outage, and
  leaves Redis alone for ``retry_after`` seconds, so that a read never fails
  because of the cache.
- **Leases.** :meth:`RedisLink.once` runs something in one process of all those
  that ask together, on every node sharing the Redis (single flight, and the
  event-log look). The lease is a key set with ``SET NX PX``: a holder that dies
  leaves a key that expires after ``lock_timeout`` seconds, so it never blocks the
  others beyond that; a holder that fails releases it at once.

The client comes from :mod:`kitsu_orm.cache_redis`, the one module that imports redis.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable
from typing import Any, TypeVar

from .cache_shared import RELEASE, shown

__all__ = ["RedisLink"]

T = TypeVar("T")
logger = logging.getLogger("kitsu_orm.cache")
# Waiters poll from 5 ms up to 50 ms: a quick answer is seen at once, a slow one
# costs Redis a few commands a second per waiter.
_FIRST_PAUSE, LONGEST_PAUSE = 0.005, 0.05


class RedisLink:
    """One Redis client as the shared tier uses it (see the module's docstring)."""

    def __init__(
        self,
        client: Any,
        url: str,
        *,
        errors: tuple[type[BaseException], ...],
        lock_timeout: float,
        retry_after: float,
        fallback: str,
    ) -> None:
        self.client, self.url, self.errors = client, url, errors
        self.lock_timeout, self.retry_after = lock_timeout, retry_after
        self.fallback = fallback  # what reads go to during an outage, for the warning
        self._retry_at = 0.0  # while Redis is down: when to try it again
        self._warned = False  # the outage under way was logged

    @property
    def is_up(self) -> bool:
        """Whether Redis is used now (False for ``retry_after`` seconds after a failure)."""
        return time.monotonic() >= self._retry_at

    def attempt(self, action: Callable[[], T], default: T) -> T:
        """Run a Redis command; unreachable, the default, and Redis is left alone for
        ``retry_after`` seconds (one warning per outage)."""
        if not self.is_up:
            return default
        try:
            result = action()
        except self.errors as exc:
            self._retry_at = time.monotonic() + self.retry_after
            if not self._warned:
                self._warned = True
                logger.warning(
                    "the Redis cache %s is unreachable (%s): reading from %s meanwhile",
                    shown(self.url),
                    exc,
                    self.fallback,
                )
            return default
        if self._warned:
            self._warned = False
            logger.warning("the Redis cache %s is reachable again", shown(self.url))
        return result

    def once(self, lock: str, done: Callable[[], T | None], act: Callable[[], T]) -> T | None:
        """``act()`` in one process of all those that call this together with ``lock``;
        the others wait until ``done()`` finds its result (not None) and return that.

        ``done()`` is asked again once the lock is taken: the previous holder may have
        finished between the caller's look and the lock. None when Redis became
        unreachable on the way (the caller then goes on as if alone)."""
        token, px = os.urandom(16).hex(), int(self.lock_timeout * 1000)
        while True:
            took = self.attempt(lambda: self.client.set(lock, token, nx=True, px=px), None)
            if took:  # held, even if another thread found Redis gone meanwhile: release it
                try:
                    found = done()
                    return found if found is not None else act()
                finally:
                    self.attempt(lambda: self.client.eval(RELEASE, 1, lock, token), None)
            if not self.is_up:
                return None
            released, found = self._wait(lock, done)
            if not released:
                return found

    def _wait(self, lock: str, done: Callable[[], T | None]) -> tuple[bool, T | None]:
        """Wait while another process holds ``lock``. (False, its result), or (False,
        None) when Redis went away; (True, None) when the lock went without a result
        (a failed holder, or a dead one whose lock expired): try to take it then."""
        pause = _FIRST_PAUSE
        while True:
            time.sleep(pause)
            pause = min(pause * 1.5, LONGEST_PAUSE)
            found = done()
            if found is not None:
                return False, found
            held = self.attempt(lambda: self.client.exists(lock), None)
            if held is None:
                return False, None
            if not held:
                return True, None
