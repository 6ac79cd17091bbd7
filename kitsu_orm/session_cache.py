"""Whom a session reads as, and where in the persistent cache its answers go.

A :class:`~kitsu_orm.cache.Cache` holds the answers of many servers and users
apart, in namespaces of (server, user). A session binds its cache to the
namespace of the user the server confirmed for its token (never the token's
own claims), checks that binding on every read (its transport may log in as
someone else), and on each new binding drops what other people changed since
it last looked, from Zou's event log. The read path (:mod:`kitsu_orm.reading`)
asks it for the bound cache; the unit of work tells it which types a commit
wrote.
"""

from __future__ import annotations

import sys
import threading
from functools import partial
from typing import TYPE_CHECKING, Any

from .errors import (
    AuthenticationError,
    ConfigurationError,
    ConnectionError,
    NotFound,
    PermissionDenied,
    ValidationError,
)
from .routes import LISTS

if TYPE_CHECKING:
    from .cache import Cache
    from .cache_redis import RedisCache

    AnyCache = Cache | RedisCache
    from .protocols import TransportProtocol

__all__ = ["SessionCache"]


class SessionCache:
    """The cache side of :class:`~kitsu_orm.session.Session` (its base class): the
    ``cache`` option, whom the session reads as, and the namespace that picks."""

    # Set by Session.__init__ (the transport) and use_cache (the rest).
    transport: TransportProtocol
    cache: AnyCache | None
    cache_mode: str
    _cache_scope: tuple[str, str] | None
    _confirmed: tuple[str, str] | None  # (access token, user id)
    # True while session.events is connected: pushed events outdate the cache as they
    # come (kitsu_orm.events), so a new binding does not read the event log.
    live_events: bool = False

    def forget_cached(self, type_names: Any) -> None:
        """Drop cached answers about these types (the unit of work calls it after writes)."""
        if self.cache is not None:
            self._scope_cache().forget_types(type_names)

    def use_cache(self, cache: str | AnyCache = "on", cache_dir: str | None = None) -> None:
        """Switch this live session's cache: ``"on"``, ``"off"``, ``"offline"``, a Redis
        URL (``"redis://host:6379/0"``, ``"disk+redis://..."``) or a Cache or RedisCache."""
        self.cache_mode, self.cache = _open_cache(cache, cache_dir)
        self._cache_scope = None
        self._confirmed = None

    @property
    def user_id(self) -> str:
        """The id of the person this session's requests act as (asked once when the
        session was given a bare token). With a cache, only a user the server
        confirmed for the token (see ``_user_id``)."""
        if self.cache is not None:
            return self._user_id()
        confirmed = self.transport.confirmed_user_id()
        if confirmed is not None:
            return str(confirmed)
        user = self.transport.user or {}
        if not user.get("id"):
            user = self.transport.current_user()
        return str(user["id"])

    def _user_id(self) -> str:
        """Who this session is, to pick the cache namespace: a user the server named
        for the current token (its login's answer, ``auth/authenticated``), never the
        token's own claims, which anyone can write. The cache remembers each confirmed
        token (a keyed digest of it), so a warm process asks nothing and a new token
        asks once; offline, a token never confirmed with this cache reads nothing."""
        assert self.cache is not None
        tokens = self.transport.tokens
        access = tokens.access if tokens is not None else ""
        if self._confirmed is not None and self._confirmed[0] == access:
            return self._confirmed[1]
        host, offline = self.transport.host, self.cache_mode == "offline"
        user_id: str | None = self.transport.confirmed_user_id()
        remembered = user_id is None and tokens is not None
        if remembered:
            user_id = self.cache.confirmed_user(host, access, any_age=offline)
        if user_id is None:
            if offline:
                raise AuthenticationError(
                    "offline, the cache serves only a user the server confirmed before, and "
                    "this session's token never was: use it online once (or log in)"
                )
            try:
                user_id = str(self.transport.current_user()["id"])
                remembered = False
            except ConnectionError:  # no server: as offline, a token confirmed before
                user_id = self.cache.confirmed_user(host, access, any_age=True)
                if user_id is None:
                    raise
        tokens = self.transport.tokens  # refreshed on the way, maybe
        if tokens is not None and not remembered:
            self.cache.confirm(host, tokens.access, user_id, until=tokens.expires)
        self._confirmed = (tokens.access if tokens is not None else "", user_id)
        return user_id

    def _scope_cache(self) -> AnyCache:
        """The cache, bound to this session's (server, user): checked on every use, since
        the transport may log in as someone else, and a Cache object may be shared by the
        sessions of several users. Catches up on events once per (server, user)."""
        assert self.cache is not None
        scope = (self.transport.host, self._user_id())
        with _SCOPING:  # two sessions finding one cache unscoped must not both take it
            if not self.cache.serves(*scope):
                if self.cache.namespace:  # another user's, or another session's: not ours
                    self.cache = self.cache.sibling()
                self.cache.scope(*scope)
        if scope != self._cache_scope:
            self._cache_scope = scope
            if self.cache_mode == "on":
                self._catch_up_on_events(self.cache)
        return self.cache

    def _catch_up_on_events(self, cache: AnyCache) -> None:
        """Drop what other people changed since this namespace last looked, where the
        user may read Zou's event log; the time-to-live covers everyone else. The cache
        says when a look is due (``cache.events_interval``) and who looks."""
        from .cache_freshness import event_mark

        if self.live_events:  # up to date by the pushes: recorded for the other processes
            cache.record_event_check(event_mark())
        else:
            cache.catch_up(partial(self._look_at_events, cache))

    def _look_at_events(self, cache: AnyCache, since: str | None) -> str:
        """Read the event log after ``since`` and drop the types it names; the mark of
        this look. A namespace that never looked has nothing to drop: it starts now."""
        from .cache_freshness import event_mark, event_types

        now = event_mark()  # before the read: an event written meanwhile is read next time
        if since is None:
            return now
        params = {"after": since, "limit": 1000}
        try:  # from the server itself: the cache is what this checks
            events = self.transport.get(LISTS["events"], params)
        except (PermissionDenied, NotFound, ValidationError):
            return now  # not a manager: the time-to-live alone applies; asked once an interval
        types, complete = event_types(events, limit=1000)
        cache.forget_types(types if complete else _all_type_names())
        return now


_CACHE_MODES = ("off", "on", "offline")
# Held while a session checks and binds its cache to its user: a few attribute reads
# and writes, no I/O.
_SCOPING = threading.Lock()


def _open_cache(cache: str | AnyCache, directory: str | None) -> tuple[str, AnyCache | None]:
    # diskcache and sqlite3 (or redis) load only for sessions that use a cache.
    from .cache_shared import redis_url

    if isinstance(cache, str) and redis_url(cache):
        return "on", _open_redis(cache, directory)
    from .cache import Cache

    shared = sys.modules.get(f"{__package__}.cache_redis")  # loaded once a RedisCache exists
    if isinstance(cache, Cache) or (shared is not None and isinstance(cache, shared.RedisCache)):
        return "on", cache
    if cache not in _CACHE_MODES:
        raise ConfigurationError(f"cache must be one of {', '.join(_CACHE_MODES)}, not {cache!r}")
    if cache == "off":
        return "off", None
    return cache, Cache(directory)


def _open_redis(url: str, directory: str | None) -> RedisCache:
    """``redis://...`` alone, or ``disk+redis://...``: a disk copy in front of it."""
    from .cache import Cache
    from .cache_redis import RedisCache

    disk = Cache(directory) if url.startswith("disk+") else None
    return RedisCache(url.removeprefix("disk+"), disk=disk)


def _all_type_names() -> list[str]:
    from .model.base import REGISTRY

    return [*REGISTRY, "Casting"]
