"""gazu's ``cache`` module: the usage page's "Cache functions".

gazu's cache is a memo per function, in memory, that writes never clear.
Here ``enable()`` turns on the current session's persistent cache (on disk,
per server and user, outdated by every write, see :mod:`kitsu_orm.cache`),
which the decorated facade functions then read through; ``disable()`` makes
them ask the server again, while the cache stays attached so that writes
keep outdating it.
"""

from __future__ import annotations

import copy
import datetime
import functools
import hashlib
import json
from collections.abc import Callable
from typing import Any, Literal

from .connection import default_session
from .memo import bypass_all, bypassing_all

__all__ = [
    "cache",
    "clear_all",
    "disable",
    "enable",
    "get_cache_key",
    "get_value",
    "insert_value",
    "is_cache_enabled",
    "is_cache_expired",
    "remove_oldest_entry",
]

# The functions decorated with gazu's ``@cache`` (a script's own): clear_all() empties them.
_memos: list[Any] = []


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
    for function in _memos:
        function.clear_cache()


def _cache_on() -> bool:
    """Whether ``enable()`` is in force (the current session has its cache, not bypassed)."""
    return default_session().cache is not None and not bypassing_all()


def is_cache_enabled(state: dict[str, Any]) -> bool:
    """Whether a memo of gazu's ``@cache`` answers: the cache is on and the memo's
    ``state["enabled"]``."""
    return _cache_on() and bool(state["enabled"])


def is_cache_expired(memo: dict[Any, Any], state: dict[str, Any], key: str) -> bool:
    """Whether the entry ``key`` of a memo is older than ``state["expire"]`` seconds
    (never, when that is 0)."""
    expire = state["expire"]
    stored: datetime.datetime = memo[key]["date_accessed"]
    return bool(
        expire > 0 and stored + datetime.timedelta(seconds=expire) < datetime.datetime.now()
    )


def remove_oldest_entry(memo: dict[Any, Any], maxsize: int) -> Any:
    """Drop the least recently stored entry of a memo past ``maxsize`` entries; its key,
    or None."""
    if maxsize <= 0 or len(memo) <= maxsize:
        return None
    oldest = min(memo, key=lambda k: memo[k]["date_accessed"])
    del memo[oldest]
    return oldest


def get_cache_key(args: Any, kwargs: Any) -> str:
    """The JSON key of a call's arguments (a ``client`` stands for its host and a
    digest of its token, never the token)."""
    named = dict(kwargs)
    if "client" in named:
        token = getattr(named["client"], "access_token", None)
        digest = hashlib.sha256(token.encode()).hexdigest() if token else None
        named["client"] = [named["client"].host, digest]
    if not args and not named:
        return ""
    if not named:
        return json.dumps(args)
    return json.dumps(named) if not args else json.dumps([args, named])


def get_value(cache_store: dict[str, Any], key: str) -> Any:
    """A copy of the value stored under ``key`` (the caller may change it freely)."""
    return copy.deepcopy(cache_store[key]["value"])


def insert_value(
    function: Callable[..., Any], cache_store: dict[str, Any], args: Any, kwargs: Any
) -> Any:
    """Call ``function``, store its answer under the key of its arguments, answer a copy."""
    value = function(*args, **kwargs)
    key = get_cache_key(args, kwargs)
    cache_store[key] = {"date_accessed": datetime.datetime.now(), "value": value}
    return get_value(cache_store, key)


def cache(function: Callable[..., Any], maxsize: int = 300, expire: int = 120) -> Any:
    """gazu's decorator for a script's own function: a memo in memory (at most
    ``maxsize`` answers, each kept ``expire`` seconds), used while the cache is on."""
    store: dict[str, Any] = {}
    state: dict[str, Any] = {"enabled": True, "expire": expire, "maxsize": maxsize}
    statistics = {"hits": 0, "misses": 0, "expired_hits": 0}

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if not is_cache_enabled(state):
            return function(*args, **kwargs)
        key = get_cache_key(args, kwargs)
        if key not in store:
            statistics["misses"] += 1
            value = insert_value(function, store, args, kwargs)
            remove_oldest_entry(store, state["maxsize"])
            return value
        if is_cache_expired(store, state, key):
            statistics["expired_hits"] += 1
            return insert_value(function, store, args, kwargs)
        statistics["hits"] += 1
        return get_value(store, key)

    def set_key(name: str) -> Callable[[Any], None]:
        return lambda value: state.__setitem__(name, value)

    wrapper.clear_cache = store.clear  # type: ignore[attr-defined]
    wrapper.enable_cache = lambda: set_key("enabled")(True)  # type: ignore[attr-defined]
    wrapper.disable_cache = lambda: set_key("enabled")(False)  # type: ignore[attr-defined]
    wrapper.set_cache_expire = set_key("expire")  # type: ignore[attr-defined]
    wrapper.set_cache_max_size = set_key("maxsize")  # type: ignore[attr-defined]
    wrapper.get_cache_infos = lambda: {  # type: ignore[attr-defined]
        **state,
        **statistics,
        "current_size": len(store),
    }
    _memos.append(wrapper)
    return wrapper
