"""gazu's per-function cache switches, on top of the session's persistent cache.

gazu memoizes each decorated function in memory, and no write ever clears it.
Here the current session's cache answers instead (on disk, per user, outdated
by every write): a facade function reads through :func:`read`, its writes go
through :func:`written`, and :func:`cached_function` gives it gazu's
``clear_cache()`` / ``disable_cache()`` / ``enable_cache()``. Each facade
module decorates its own reads with ``@cached_function``, where they are
defined: nothing is wrapped or swapped at import.

Whether a path is cached depends on what it names: ``data/<type>/...`` routes
whose every word names a type (``data/projects/<id>/asset-types``) are
cached under the last type they name; any other route goes to the server.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from typing import Any, Generic, ParamSpec, TypeVar

from ...model.base import REGISTRY
from ...model.values import UUID_PATTERN
from ...routes import ROUTES
from ...session import cache_use
from .connection import default_session

__all__ = [
    "CachedFunction",
    "bypass_all",
    "bypassing_all",
    "cached_function",
    "every_cached_type",
    "read",
    "read_type",
    "written",
    "written_types",
]

P = ParamSpec("P")
R = TypeVar("R")

# The word of a route that names a type: "shots" in data/shots/all, "entities" for any row.
_TYPE_WORDS: dict[str, str] = {
    **{r.list.split("/")[1]: name for name, r in ROUTES.items() if r.list.startswith("data/")},
    "entities": "EntityRow",
    "casting": "Casting",
}
# Words that filter or select rows without changing what a row is.
_NEUTRAL_WORDS = frozenset({"data", "all", "open", "user"})
_ENTITY_ROWS = frozenset({"Asset", "Episode", "Sequence", "Shot", "Scene", "EntityRow"})

# gazu.cache.disable(): every decorated function asks the server.
_bypass_all = False


def bypass_all(bypass: bool) -> None:
    """Make every cached function ask the server (``gazu.cache.disable()``), or not."""
    global _bypass_all
    _bypass_all = bypass


def bypassing_all() -> bool:
    """Whether ``gazu.cache.disable()`` is in force."""
    return _bypass_all


def every_cached_type() -> list[str]:
    """Every type the session's cache keeps answers under: the entity types, and casting."""
    return [*REGISTRY, "Casting"]


def read_type(path: str) -> str | None:
    """The type a GET of ``path`` answers rows of, or None if it is not cached."""
    words = [w for w in path.strip("/").split("/") if not UUID_PATTERN.fullmatch(w)]
    if not words or words[0] != "data":
        return None
    named = None
    for word in words:
        if word in _TYPE_WORDS:
            named = _TYPE_WORDS[word]
        elif word not in _NEUTRAL_WORDS:
            return None
    return named


def written_types(path: str) -> list[str]:
    """The cached types a write to ``path`` may change; every type when unsure
    (actions and unknown routes may change tasks, statuses, casting...)."""
    words = [w for w in path.strip("/").split("/") if not UUID_PATTERN.fullmatch(w)]
    if (
        not words
        or words[0] != "data"
        or any(w not in _TYPE_WORDS and w not in _NEUTRAL_WORDS for w in words)
    ):
        return every_cached_type()
    types = {_TYPE_WORDS[w] for w in words if w in _TYPE_WORDS}
    if types & _ENTITY_ROWS:
        types |= _ENTITY_ROWS | {"Casting"}
    return sorted(types)


def read(path: str, params: Mapping[str, Any] | None = None) -> Any:
    """GET ``path`` through the current session: from its cache when it has one."""
    session = default_session()
    type_name = read_type(path)
    if type_name is None:
        return session.transport.get(path, params)
    return session.read(type_name, path, dict(params or {}))


def written(path: str, send: Callable[[], R]) -> R:
    """Run the write ``send`` to ``path``; then outdate what it may have changed,
    in every process, even when it failed (it may have been applied)."""
    session = default_session()
    try:
        return send()
    finally:
        session.forget_cached(written_types(path))


class CachedFunction(Generic[P, R]):
    """A facade function with gazu's cache switches.

    Its reads go through the session's cache unless it is disabled (alone,
    or all of them with ``gazu.cache.disable()``); ``clear_cache()`` drops
    every cached answer of the types it read (all types if it never ran).
    """

    __name__: str
    __qualname__: str

    def __init__(self, function: Callable[P, R]) -> None:
        functools.update_wrapper(self, function)
        self.__wrapped__ = function
        self.enabled = True
        self.types: set[str] = set()

    def __call__(self, *args: P.args, **kwargs: P.kwargs) -> R:
        with cache_use(bypass=_bypass_all or not self.enabled) as use:
            try:
                return self.__wrapped__(*args, **kwargs)
            finally:
                self.types |= use.types

    def __repr__(self) -> str:
        return f"<cached function {self.__wrapped__.__qualname__}>"

    def clear_cache(self) -> None:
        default_session().forget_cached(sorted(self.types) or every_cached_type())

    def enable_cache(self) -> None:
        self.enabled = True

    def disable_cache(self) -> None:
        self.enabled = False

    def get_cache_infos(self) -> dict[str, Any]:
        session = default_session()
        stats = session.cache.stats() if session.cache is not None else None
        return {
            "enabled": self.enabled and not _bypass_all and stats is not None,
            "types": sorted(self.types),
            "hits": stats.hits if stats else 0,
            "misses": stats.misses if stats else 0,
            "current_size": stats.entries if stats else 0,
        }


def cached_function(function: Callable[P, R]) -> CachedFunction[P, R]:
    """Give a facade function gazu's ``clear_cache()`` / ``disable_cache()`` /
    ``enable_cache()`` (its reads must go through the session, e.g. :func:`read`)."""
    return CachedFunction(function)
