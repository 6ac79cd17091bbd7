"""What the shared (Redis) cache tier stores and how it is addressed: its URLs, its
entries as JSON text, its generation counters. No Redis here: :mod:`.cache_redis`
speaks to it.

An answer is stored as the JSON text of ``{"at", "gen", "body"}``, read back only
when it has that shape (:func:`~kitsu_orm.cache_entries.is_answer`); a generation
that is not a counter is replaced by one no stored answer carries.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

__all__ = [
    "RELEASE",
    "counter",
    "from_json",
    "is_fresh",
    "literal_glob",
    "redis_url",
    "shown",
    "split_settings",
]

# Deletes a lock only while it is still the holder's (compare and delete, atomic).
RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end"
# The URL's query settings that are kitsu_orm's, not redis-py's.
_OWN_SETTINGS = ("prefix", "lock_timeout")


def redis_url(cache: str) -> bool:
    """Whether a ``cache=`` setting names a Redis tier (``redis://``, ``rediss://``,
    ``unix://``, each maybe behind ``disk+``)."""
    bare = cache.removeprefix("disk+")
    return bare.startswith(("redis://", "rediss://", "unix://"))


def split_settings(url: str) -> tuple[str, dict[str, str]]:
    """The URL for redis-py, and kitsu_orm's own settings from its query
    (``?prefix=studio:&lock_timeout=5``)."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query)
    own = {k: v for k, v in query if k in _OWN_SETTINGS}
    rest = urlencode([(k, v) for k, v in query if k not in _OWN_SETTINGS])
    return urlunsplit(parts._replace(query=rest)), own


def shown(url: str) -> str:
    """The URL without its password, for messages and reprs."""
    parts = urlsplit(url)
    host = parts.netloc.rsplit("@", 1)[-1]
    return urlunsplit((parts.scheme, host, parts.path, "", ""))


def is_fresh(entry: Mapping[str, Any], gens: Any, generations: list[int], ttl: float) -> bool:
    """Whether an entry stored under ``gens`` serves now: the same generations, and
    younger than ``ttl``."""
    return bool(gens == generations and time.time() - entry["at"] < ttl)


def counter(raw: Any) -> int:
    """A stored generation (0 when none), or -1 for a value that is not a counter."""
    try:
        return int(raw) if raw is not None else 0
    except (TypeError, ValueError):
        return -1


def from_json(raw: Any) -> Any:
    """A stored JSON text's value, or None when it is not JSON."""
    if not isinstance(raw, bytes):
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return None


def literal_glob(prefix: str) -> str:
    """The prefix as a SCAN pattern that matches it literally."""
    return "".join("\\" + c if c in "*?[]\\" else c for c in prefix)
