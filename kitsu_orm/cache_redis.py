"""The shared cache tier on Redis: one cache for every process of every node of a farm.

The only module that imports redis (the optional extra ``kitsu-orm[redis]``), and
only when a session opens one (``cache="redis://host:6379/0"``, or
``cache="disk+redis://..."`` for a local disk copy in front of it). The disk
cache's promises hold (:mod:`kitsu_orm.cache`), shared by every process that
uses the same Redis and prefix:

- **Scope.** Per (server URL, confirmed user); tokens kept as keyed digests.
- **Freshness.** Each type has a generation counter in Redis; a commit bumps
  the types it wrote in one MULTI (INCR is atomic), before it returns, so
  every process on every node stops serving the old answers at once. An
  answer is served while younger than its time-to-live and stored under the
  generations it was read under. Zou's event log is read by one process per
  namespace per ``events_interval`` (a lease in Redis), not by all; the others
  wait for that look to end rather than serve what it may outdate.
- **Single flight.** When many processes miss the same answer together, one
  takes a lock (``SET NX PX lock_timeout``) and asks the server; the others
  poll for its answer. A holder that dies leaves a lock that expires after
  ``lock_timeout`` seconds: the next process then asks.
- **Degradation.** Redis unreachable, reads go to the next tier (the disk
  copy, else the server) with one logged warning per outage; Redis is tried
  again every ``retry_after`` seconds. A read never fails because of Redis.
- **Safety.** Entries are the server's JSON values as JSON text, never
  pickles, never tokens or passwords. Every key starts with ``prefix``; the
  cache deletes only keys under it (``clear()``, a malformed entry), never
  others. Use a Redis reachable only by people trusted with every cached
  answer (a password, TLS with ``rediss://``).
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from functools import partial
from typing import TYPE_CHECKING, Any, TypeVar

from . import cache_scope
from .cache_entries import is_answer, is_confirmation
from .cache_freshness import NAMES_SHOWN_BY, REFERENCE_TYPES
from .cache_redis_link import LONGEST_PAUSE, RedisLink
from .cache_shared import counter, from_json, is_fresh, literal_glob, shown, split_settings
from .errors import ConfigurationError

if TYPE_CHECKING:
    from .cache import Cache, CacheStats

__all__ = ["RedisCache"]

T = TypeVar("T")
logger = logging.getLogger("kitsu_orm.cache")


def _redis() -> Any:
    try:
        import redis
    except ImportError as exc:
        raise ConfigurationError(
            "a Redis cache needs the redis package: pip install 'kitsu-orm[redis]'"
        ) from exc
    return redis


class RedisCache:
    """Cached answers for one namespace (server, user) in a Redis shared by processes."""

    def __init__(
        self,
        url: str,
        *,
        disk: Cache | None = None,
        prefix: str = "kitsu-orm:",
        reference_ttl: float = 24 * 3600,
        production_ttl: float = 300,
        events_interval: float = 10,
        lock_timeout: float = 10,
        keep: float = 7 * 24 * 3600,
        retry_after: float = 5,
        connect_timeout: float = 1,
        client: Any = None,
    ) -> None:
        self.url, own = split_settings(url)
        self.disk = disk
        self.prefix = own.get("prefix", prefix)
        try:
            self.lock_timeout = float(own.get("lock_timeout", lock_timeout))
        except ValueError:
            self.lock_timeout = -1
        if not self.prefix or not self.lock_timeout > 0:
            raise ConfigurationError("a Redis cache needs a prefix and a positive lock_timeout")
        self.reference_ttl, self.production_ttl = reference_ttl, production_ttl
        self.events_interval, self.keep, self.retry_after = events_interval, keep, retry_after
        self._settings: dict[str, Any] = dict(
            prefix=self.prefix, reference_ttl=reference_ttl, production_ttl=production_ttl,
            events_interval=events_interval, lock_timeout=self.lock_timeout, keep=keep,
            retry_after=retry_after, connect_timeout=connect_timeout,
        )  # fmt: skip
        self.namespace = self.server_key = ""
        self.hits = self.misses = 0
        self._lock = threading.Lock()
        self._pending: set[str] = set()  # generation bumps Redis missed while down
        # Held from taking the pending bumps to forgetting them: a bump added meanwhile
        # by another thread is sent, not forgotten with them.
        self._bumping = threading.Lock()
        if client is None:
            client = _redis().Redis.from_url(
                self.url, socket_connect_timeout=connect_timeout, socket_timeout=5
            )
        self._client = client
        following = "the disk cache" if disk is not None else "the server"
        self._link = RedisLink(
            client, self.url, errors=(_redis().RedisError, OSError),
            lock_timeout=self.lock_timeout, retry_after=retry_after, fallback=following,
        )  # fmt: skip
        self._try = self._link.attempt

    def __repr__(self) -> str:
        return f"<RedisCache {shown(self.url)} namespace={self.namespace[:12] or '-'}>"

    # -- scope ----------------------------------------------------------------------

    def scope(self, server: str, user_id: str) -> None:
        """Serve only this server's and this user's answers from now on."""
        self.namespace = cache_scope.namespace(server, user_id)
        self.server_key = cache_scope.server_key(server)
        if self.disk is not None:
            self.disk.scope(server, user_id)

    def serves(self, server: str, user_id: str) -> bool:
        """Whether this cache is scoped to this server and user."""
        return self.namespace == cache_scope.namespace(server, user_id)

    def sibling(self) -> RedisCache:
        """Another, unscoped cache on the same Redis (and connections) and settings."""
        disk = self.disk.sibling() if self.disk is not None else None
        return RedisCache(self.url, disk=disk, client=self._client, **self._settings)

    @property
    def is_up(self) -> bool:
        """Whether Redis is used now (False for ``retry_after`` seconds after a failure)."""
        return self._link.is_up

    # -- confirmed identities ---------------------------------------------------------

    def confirmed_user(self, server: str, token: str, *, any_age: bool = False) -> str | None:
        """The user id the server confirmed for this token before, if it did (see
        :meth:`kitsu_orm.cache.Cache.confirmed_user`); the disk copy's when Redis is down."""
        key = self._confirmation_key(server, token)
        raw = self._try(lambda: self._client.get(key), None) if key else None
        record = from_json(raw)
        if is_confirmation(record) and (
            any_age or record["until"] is None or time.time() < record["until"]
        ):
            return str(record["user"])
        if self.disk is not None:
            return self.disk.confirmed_user(server, token, any_age=any_age)
        return None

    def confirm(self, server: str, token: str, user_id: str, *, until: float | None) -> None:
        """Remember that the server said this token is this user's, until it expires."""
        key = self._confirmation_key(server, token)
        if key:
            left = self.keep if until is None else max(1.0, until - time.time())
            text = json.dumps({"user": user_id, "until": until})
            self._try(lambda: self._client.set(key, text, px=int(left * 1000)), None)
        if self.disk is not None:
            self.disk.confirm(server, token, user_id, until=until)

    def _confirmation_key(self, server: str, token: str) -> str:
        """Keyed by a secret of this prefix (the first process's wins); "" when down."""
        name = self.prefix + cache_scope.SECRET_KEY
        secret = self._try(lambda: self._client.get(name), None)
        if secret is None and self.is_up:
            self._try(lambda: self._client.set(name, os.urandom(32).hex(), nx=True), None)
            secret = self._try(lambda: self._client.get(name), None)
        if type(secret) is not bytes or len(secret) < 64:
            return ""
        return self.prefix + cache_scope.confirmation_key(secret, server, token)

    # -- answers --------------------------------------------------------------------

    def answer(
        self,
        type_name: str,
        route: str,
        params: Mapping[str, Any],
        fetch: Callable[[], T],
        *,
        offline: bool = False,
    ) -> tuple[T, bool]:
        """The cached answer of ``route`` with ``params``, or ``fetch()`` stored; one
        process of all those missing it together asks the server (single flight).

        Returns the answer and whether it came from a cache. With ``offline``, any
        stored answer is served whatever its age. Redis down: the disk's answer."""
        generations = self._generations(type_name)
        if generations is None:
            return self._without_redis(type_name, route, params, fetch, offline)
        ttl = self.reference_ttl if type_name in REFERENCE_TYPES else self.production_ttl
        if self.disk is not None and not offline:
            front = self.disk.entry(type_name, route, params)
            if front is not None and is_fresh(front, front.get("rgen"), generations, ttl):
                return self._counted(front["body"], hit=True)
        key = self._key(type_name, route, params)
        entry = self._entry(key)
        if entry is not None and (offline or is_fresh(entry, entry["gen"], generations, ttl)):
            self._copy(type_name, route, params, entry, generations)
            return self._counted(entry["body"], hit=True)
        if offline:
            return self._without_redis(type_name, route, params, fetch, offline)
        return self._single_flight(type_name, route, params, key, fetch, generations, ttl)

    def _single_flight(
        self,
        type_name: str,
        route: str,
        params: Mapping[str, Any],
        key: str,
        fetch: Callable[[], T],
        generations: list[int],
        ttl: float,
    ) -> tuple[T, bool]:
        def stored() -> tuple[Any, bool] | None:
            entry = self._entry(key)
            fresh = entry is not None and is_fresh(entry, entry["gen"], generations, ttl)
            return (entry, True) if fresh else None

        def ask() -> tuple[Any, bool]:
            made = {"at": time.time(), "gen": generations, "body": fetch()}
            text = json.dumps(made)
            self._try(partial(self._client.set, key, text, px=self._keep_ms(ttl)), None)
            return made, False

        lock = self.prefix + "lock|" + key[len(self.prefix) :]
        found = self._link.once(lock, stored, ask)
        if found is None:  # Redis went away: the server, as if alone
            return self._without_redis(type_name, route, params, fetch, False)
        entry, hit = found
        self._copy(type_name, route, params, entry, generations)
        return self._counted(entry["body"], hit=hit)

    def stale_answer(self, type_name: str, route: str, params: Mapping[str, Any]) -> Any:
        """Any stored answer, whatever its age (for when the server is down), or None."""
        entry = self._entry(self._key(type_name, route, params)) if self.is_up else None
        if entry is not None:
            return entry["body"]
        return self.disk.stale_answer(type_name, route, params) if self.disk is not None else None

    def forget_types(self, type_names: Iterable[str]) -> None:
        """Bump the generations of these types (and of those that show their names) in
        one atomic step, for every process on every node; on the disk copy too."""
        names = set(type_names)
        for name in list(names):
            names.update(NAMES_SHOWN_BY.get(name, ()))
        with self._bumping:
            self._pending.update(self._generation_key(name) for name in names)
        self._bump_pending()
        if self.disk is not None:
            self.disk.forget_types(names)

    def clear(self) -> None:
        """Drop every key under this cache's prefix (and nothing else), all namespaces."""

        def drop() -> None:
            batch = []
            for name in self._client.scan_iter(match=literal_glob(self.prefix) + "*", count=500):
                batch.append(name)
                if len(batch) >= 500:
                    self._client.delete(*batch)
                    batch.clear()
            if batch:
                self._client.delete(*batch)

        self._try(drop, None)
        if self.disk is not None:
            self.disk.clear()

    def stats(self) -> CacheStats:
        """Hits and misses of this process; the entries under the prefix (a scan)."""
        from .cache import CacheStats

        match = literal_glob(self.prefix) + "*"
        entries = self._try(
            lambda: sum(1 for _ in self._client.scan_iter(match=match, count=500)), 0
        )
        return CacheStats(self.hits, self.misses, 0, int(entries))

    def check(self) -> list[str]:
        """The tier's problems: Redis unreachable, the disk copy's own."""
        problems = [] if self._try(self._client.ping, False) else [f"{shown(self.url)} unreachable"]
        return problems + (self.disk.check() if self.disk is not None else [])

    def close(self) -> None:
        """Close the connections (and the disk copy's files): unusable afterwards."""
        self._client.close()
        if self.disk is not None:
            self.disk.close()

    # -- events ---------------------------------------------------------------------

    def last_event_check(self) -> str | None:
        """When the event log was last read for this namespace (ISO, server time), or None."""
        if not self.is_up and self.disk is not None:
            return self.disk.last_event_check()
        raw = self._try(lambda: self._client.get(self._events_key("events")), None)
        return raw.decode() if isinstance(raw, bytes) else None

    def record_event_check(self, when: str) -> None:
        """Remember that the namespace is up to date as of now, read up to ``when`` (a live
        event stream keeps it so): no process looks again for ``events_interval``."""
        self._record_look(when, self.events_interval)

    def _record_look(self, mark: str, fresh_for: float) -> None:
        """The mark of a look, and for how long no other look is due, in one step."""

        def record() -> None:
            pipe = self._client.pipeline(transaction=True)
            pipe.set(self._events_key("events"), mark, px=int(self.keep * 1000))
            if fresh_for > 0.001:
                pipe.set(self._events_key("events-fresh"), "1", px=int(fresh_for * 1000))
            pipe.execute()

        self._try(record, None)
        if self.disk is not None:
            self.disk.record_event_check(mark)

    def _events_key(self, name: str) -> str:
        return f"{self.prefix}{self.namespace}|{name}"

    def catch_up(self, look: Callable[[str | None], str]) -> None:
        """Run ``look(mark)`` (see :meth:`kitsu_orm.cache.Cache.catch_up`) in one process
        of all those sharing this namespace, once per ``events_interval``; the others
        wait for its end (their answers are then as fresh as its look), or take over
        when it fails or dies (its lease lasts ``lock_timeout``). The interval runs on
        Redis's clock (a key that expires), the same for every node. Redis down: the
        disk copy's rule, or no look (the server answers every read then)."""

        def looked() -> bool | None:
            return True if self._try(lambda: self._client.exists(fresh), 0) else None

        def act() -> bool:
            began = time.monotonic()
            mark = look(self.last_event_check())
            # Even a look slower than the interval is seen done by all who waited for it
            # (they poll at least this often), rather than each of them looking again.
            left = self.events_interval - (time.monotonic() - began)
            self._record_look(mark, max(left, 2 * LONGEST_PAUSE))
            return True

        fresh = self._events_key("events-fresh")
        if looked() is None and self.is_up:
            self._link.once(self._events_key("events-lease"), looked, act)
        if not self.is_up and self.disk is not None:
            self.disk.catch_up(look)

    # -- storage --------------------------------------------------------------------

    def _key(self, type_name: str, route: str, params: Mapping[str, Any]) -> str:
        query = json.dumps(sorted((str(k), str(v)) for k, v in params.items()))
        return f"{self.prefix}{self.namespace}|{type_name}|{route}|{query}"

    def _generation_key(self, type_name: str) -> str:
        return f"{self.prefix}{self.server_key}|generation|{type_name}"

    def _generations(self, type_name: str) -> list[int] | None:
        """The type's generations (one per part of ``"Shot+Task"``), None when down."""
        if not self.is_up or (self._pending and not self._bump_pending()):
            return None
        keys = [self._generation_key(name) for name in type_name.split("+")]
        raw = self._try(lambda: self._client.mget(keys), None)
        if raw is None:
            return None
        found = [counter(value) for value in raw]
        for index, value in enumerate(found):
            if value < 0:  # not a counter: replaced by one no stored answer carries
                found[index] = time.time_ns()
                self._try(partial(self._client.set, keys[index], found[index]), None)
        return found

    def _bump_pending(self) -> bool:
        """Send the bumps Redis has not seen yet, all in one MULTI; whether it took them."""

        def bump() -> bool:
            pipe = self._client.pipeline(transaction=True)
            for key in keys:
                pipe.incr(key)
            pipe.execute(raise_on_error=False)  # a key that is not a counter is replaced
            return True

        with self._bumping:
            keys = sorted(self._pending)
            if not keys or not self.is_up or not self._try(bump, False):
                return not keys
            self._pending.difference_update(keys)
            return True

    def _entry(self, key: str) -> Any:
        return self._decoded(key, self._try(lambda: self._client.get(key), None))

    def _decoded(self, key: str, raw: Any) -> Any:
        """A stored answer, or None; a malformed one (not what this module wrote) is dropped."""
        if raw is None:
            return None
        entry = from_json(raw)
        if is_answer(entry):
            return entry
        logger.warning("a malformed entry of the Redis cache %s was dropped", shown(self.url))
        self._try(lambda: self._client.delete(key), None)
        return None

    def _copy(
        self, type_name: str, route: str, params: Mapping[str, Any], entry: Any, gens: list[int]
    ) -> None:
        """The local disk copy of a Redis answer, for the next read and for outages."""
        if self.disk is not None:
            self.disk.keep(type_name, route, params, entry["body"], at=entry["at"], rgen=gens)

    def _keep_ms(self, ttl: float) -> int:
        return int(max(ttl, self.keep) * 1000)

    def _without_redis(
        self,
        type_name: str,
        route: str,
        params: Mapping[str, Any],
        fetch: Callable[[], T],
        offline: bool,
    ) -> tuple[T, bool]:
        """The next tier's answer: the disk copy's, else the server's."""
        if self.disk is not None:
            body, hit = self.disk.answer(type_name, route, params, fetch, offline=offline)
            return self._counted(body, hit=hit)
        if offline:
            from .errors import ConnectionError

            raise ConnectionError(f"offline, and nothing cached for {route}", path="/" + route)
        return self._counted(fetch(), hit=False)

    def _counted(self, body: T, *, hit: bool) -> tuple[T, bool]:
        with self._lock:
            if hit:
                self.hits += 1
            else:
                self.misses += 1
        return body, hit
