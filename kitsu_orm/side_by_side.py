"""Calls run side by side on a few threads, each sending its requests over the
transport's pooled keep-alive connections: the one thread pool of the library.

A commit runs the writes of each level this way (:mod:`kitsu_orm.unitofwork`),
an ``.include()`` the loads of its plan that do not depend on each other
(:mod:`kitsu_orm.load_plan`), a commit the parts of a read too long for one
request line (:func:`side_by_side`). The session's ``workers`` bounds the threads; the
transport's pool keeps as many connections open, so that a call never waits
for another one's connection, nor opens one of its own.

Each call runs in a copy of the caller's context (:mod:`contextvars`), as
``asyncio.to_thread`` would run it: the current session, a ``cache_use()``
block and the progress bar of a load follow it onto the worker.
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from concurrent.futures import Future

__all__ = ["SideBySide", "side_by_side"]

T = TypeVar("T")


class SideBySide:
    """A pool of at most ``workers`` threads named ``name-N``, for one batch of
    calls: ``with SideBySide(4, "kitsu-load") as pool: pool.submit(call)``.

    Leaving the block waits for every call started, so that no request of the
    batch is still in flight once it is over; leaving it on an exception cancels
    the calls not started yet first (their requests are never sent).
    """

    def __init__(self, workers: int, name: str) -> None:
        # Imported here: concurrent.futures imports logging (tens of ms), which a
        # script that never loads side by side need not pay for.
        from concurrent.futures import ThreadPoolExecutor

        self._pool = ThreadPoolExecutor(max(1, workers), thread_name_prefix=name)

    def __enter__(self) -> SideBySide:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, *_: object) -> None:
        self._pool.shutdown(wait=True, cancel_futures=exc_type is not None)

    def submit(self, call: Callable[..., T], *args: Any) -> Future[T]:
        """Start ``call(*args)`` on a free thread (queued until one is), in a copy of
        the caller's context."""
        return self._pool.submit(contextvars.copy_context().run, call, *args)


def side_by_side(send: Callable[[T], Any], items: list[T], workers: int) -> list[Any]:
    """``[send(item) for item in items]``, up to ``workers`` at once; the first error
    raised (in the order of ``items``) is raised, once every call started has ended."""
    if len(items) < 2 or workers < 2:
        return [send(item) for item in items]
    with SideBySide(min(workers, len(items)), "kitsu-read") as pool:
        started = [pool.submit(send, item) for item in items]
        return [future.result() for future in started]
