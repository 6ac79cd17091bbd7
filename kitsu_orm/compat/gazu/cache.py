"""gazu's ``cache`` module: the usage page's "Cache functions".

gazu's cache is a memo per function, in memory, that writes never clear.
Here ``enable()`` turns on the current session's persistent cache (on disk,
per server and user, outdated by every write, see :mod:`kitsu_orm.cache`),
which the decorated facade functions then read through; ``disable()`` makes
them ask the server again, while the cache stays attached so that writes
keep outdating it.
"""

from __future__ import annotations

from typing import Literal

from .connection import default_session
from .memo import bypass_all

__all__ = ["clear_all", "disable", "enable"]


def enable() -> Literal[True]:
    """Turn the current session's cache on (its folder: ``kitsu_orm.cache.default_directory()``)."""
    session = default_session()
    if session.cache is None:
        session.use_cache("on")
    bypass_all(False)
    return True


def disable() -> Literal[False]:
    """Make every cached facade function ask the server."""
    bypass_all(True)
    return False


def clear_all() -> None:
    """Drop every cached answer (of every user of the cache folder)."""
    session = default_session()
    if session.cache is not None:
        session.cache.clear()
