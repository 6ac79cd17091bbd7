"""The persistent cache: answers of list and get routes, on disk, shared by processes.

The only module that imports diskcache. What it guarantees:

- **Scope.** Entries live in a namespace of (server URL, user id): one user's
  answers are never served to another, even on the same machine and server.
  The user id is one the server confirmed for the token in use (a login's
  answer, ``auth/authenticated``), never the token's own unverified claims:
  the cache remembers each confirmed token as a keyed digest (HMAC-SHA256,
  never the token), so a token costs one request the first time it meets a
  folder and none after; offline, only a token confirmed before is served.
- **Freshness.** An answer is served while younger than its time-to-live:
  long for reference tables (task types and statuses, asset types,
  departments, softwares, output types, file statuses, project statuses),
  short for production data. Both are settings.
- **Your own writes.** Every commit drops every cached answer about the types
  it wrote, in every process (the cache is shared on disk), before the commit
  returns. A query after ``shot.frame_out = 99; session.commit()`` is never
  answered with the old value, here or in a new process. Answers that show
  a written row's name (a shot's ``sequence_name``) are dropped too, and an
  answer about two types (a with-tasks board) goes with either.
- **Other people's writes** are seen once the time-to-live runs out, or
  sooner when the user may read Zou's event log (managers and admins): a
  session reads the events since its namespace last looked, at most once
  every ``events_interval`` seconds (10) per user on the machine, and drops
  the types they name. While a session's live events are connected
  (:mod:`kitsu_orm.events`), each pushed event drops them at once instead,
  for every role.
- **Offline.** With ``cache="offline"``, or when the server cannot be
  reached, reads are answered from the cache whatever their age, and the
  session says so (``session.is_offline``). Writes stay pending.
- **Safety.** Entries are the server's JSON values, never pickles, never
  tokens or passwords. The cache keeps to a folder of its own: one it
  creates (mode 0700) and marks with a ``.kitsu-orm-cache`` file, or an
  empty one, or one only diskcache wrote; a folder holding other files, owned
  by another OS user or writable by group or others is refused
  (:class:`~kitsu_orm.errors.ConfigurationError`). It chmods only the folder
  it creates; its files are 0600 and its subfolders 0700. Several processes
  may read and write at once (SQLite underneath). A corrupted cache is reset
  with a warning that names the reason, deleting only the files diskcache
  writes (``cache.db*``, ``xx/yy/<hex>.val``), never anything else; a
  damaged or malformed entry is dropped; a stored value-file path that
  leads out of the folder is never opened nor deleted.

Answers are stored in :mod:`marshal`'s format with a checksum, not as JSON
text (faster to read; see :mod:`.cache_entries`). Only the user (who owns
the folder) can write it.

This module holds the store (diskcache, which no other module imports) and
the :class:`Cache` on it; beside it, each guarantee's rules: the folder and
its files (:mod:`.cache_folder`), whose answers are served
(:mod:`.cache_scope`), what outdates them (:mod:`.cache_freshness`), what an
entry is (:mod:`.cache_entries`).
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import threading
import time
import warnings
from collections.abc import Callable, Iterable, Mapping
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

import attrs
import diskcache  # type: ignore[import-untyped]

from . import cache_scope
from .cache_disk import NoPickleDisk
from .cache_entries import (
    Damaged,
    as_generation,
    decode,
    encode,
    is_answer,
    is_confirmation,
    written_by_another_python,
)
from .cache_folder import (
    MARKER,
    claim_folder,
    default_directory,
    private_database,
    remove_store_files,
)
from .cache_freshness import NAMES_SHOWN_BY, REFERENCE_TYPES, event_types, look_is_due

__all__ = ["Cache", "CacheStats", "default_directory", "event_types", "REFERENCE_TYPES"]

T = TypeVar("T")

_MISS = object()


@attrs.frozen
class CacheStats:
    """What a cache answered and missed since it opened (``session.cache.stats``)."""

    hits: int
    misses: int
    size: int  # bytes on disk
    entries: int


class Cache:
    """Cached answers for one namespace (server, user) in one folder."""

    def __init__(
        self,
        directory: str | os.PathLike[str] | None = None,
        *,
        reference_ttl: float = 24 * 3600,
        production_ttl: float = 300,
        size_limit: int = 2**30,
        events_interval: float = 10,
    ) -> None:
        self.directory = Path(directory) if directory is not None else default_directory()
        self.reference_ttl = reference_ttl
        self.production_ttl = production_ttl
        # Zou's event log is read at most this often per user on this machine.
        self.events_interval = events_interval
        self.size_limit = size_limit
        self.namespace = ""
        self.server_key = ""
        self.hits = 0
        self.misses = 0
        self._lock = threading.Lock()
        self._store = self._open()

    def __repr__(self) -> str:
        return f"<Cache {self.directory} namespace={self.namespace[:12] or '-'}>"

    # -- scope ----------------------------------------------------------------------

    def scope(self, server: str, user_id: str) -> None:
        """Serve only this server's and this user's answers from now on."""
        self.namespace = cache_scope.namespace(server, user_id)
        self.server_key = cache_scope.server_key(server)

    def serves(self, server: str, user_id: str) -> bool:
        """Whether this cache is scoped to this server and user."""
        return self.namespace == cache_scope.namespace(server, user_id)

    def sibling(self) -> Cache:
        """Another, unscoped Cache on the same folder with the same settings."""
        return Cache(
            self.directory,
            reference_ttl=self.reference_ttl,
            production_ttl=self.production_ttl,
            size_limit=self.size_limit,
            events_interval=self.events_interval,
        )

    # -- confirmed identities ---------------------------------------------------------

    def confirmed_user(self, server: str, token: str, *, any_age: bool = False) -> str | None:
        """The user id the server confirmed for this token on this server, if it
        did before; None once the token has expired, unless ``any_age`` (offline)."""
        key = self._confirmation_key(server, token)
        blob = self._get(key)
        if blob is _MISS:
            return None
        try:
            record = decode(blob)
        except Damaged:
            record = None
        if not is_confirmation(record):
            self._safely(partial(self._store.delete, key), False)
            return None
        until = record["until"]
        if not any_age and until is not None and time.time() >= until:
            return None
        return str(record["user"])

    def confirm(self, server: str, token: str, user_id: str, *, until: float | None) -> None:
        """Remember that the server said this token is this user's, until it expires."""
        blob = encode({"user": user_id, "until": until})
        key = self._confirmation_key(server, token)
        self._safely(lambda: self._store.set(key, blob), None)

    def _confirmation_key(self, server: str, token: str) -> str:
        # Keyed by a secret of this folder: the digest of a token proves nothing
        # to someone who has only seen the token elsewhere, and gives no token back.
        secret = self._get(cache_scope.SECRET_KEY)
        if secret is _MISS:  # the folder's first: whichever process adds it first wins
            self._safely(lambda: self._store.add(cache_scope.SECRET_KEY, os.urandom(32)), False)
            secret = self._get(cache_scope.SECRET_KEY)
        if type(secret) is not bytes or len(secret) < 32:  # tampered: a new secret
            secret = os.urandom(32)
            self._safely(lambda: self._store.set(cache_scope.SECRET_KEY, secret), None)
        return cache_scope.confirmation_key(secret, server, token)

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
        """The cached answer of ``route`` with ``params``, or ``fetch()`` stored.

        Returns the answer and whether it came from the cache. With
        ``offline``, any stored answer is served whatever its age.
        """
        key = self._key(type_name, route, params)
        stored = self._get_entry(key)
        generation = self._generation(type_name)
        ttl = self.reference_ttl if type_name in REFERENCE_TYPES else self.production_ttl
        if stored is not _MISS and (
            offline or (time.time() - stored["at"] < ttl and stored["gen"] == generation)
        ):
            self._count(hit=True)
            return stored["body"], True
        self._count(hit=False)
        if offline:
            from .errors import ConnectionError

            raise ConnectionError(f"offline, and nothing cached for {route}", path="/" + route)
        body = fetch()
        # Stored under the generation read *before* fetching: if a write lands in
        # between, the answer is already outdated and will not be served.
        self._set(key, {"at": time.time(), "gen": generation, "body": body}, type_name)
        return body, False

    def stale_answer(self, type_name: str, route: str, params: Mapping[str, Any]) -> Any:
        """Any stored answer, whatever its age (for when the server is down), or None."""
        stored = self.entry(type_name, route, params)
        return None if stored is None else stored["body"]

    def entry(self, type_name: str, route: str, params: Mapping[str, Any]) -> Any:
        """The stored entry (``at``, ``gen``, ``body``, and what a tier behind this one
        added), whatever its age, or None: for a shared tier that uses this one as its
        local copy (:mod:`.cache_redis`)."""
        stored = self._get_entry(self._key(type_name, route, params))
        return None if stored is _MISS else stored

    def keep(
        self, type_name: str, route: str, params: Mapping[str, Any], body: Any, **extra: Any
    ) -> None:
        """Store an answer a shared tier vouches for (its generations in ``extra``), under
        this folder's generations too, so that it serves alone when that tier is down."""
        entry = {"at": time.time(), "gen": self._generation(type_name), "body": body, **extra}
        # ``at`` may come in ``extra``: the shared tier's own, so the lifetime is the same
        self._set(self._key(type_name, route, params), entry, type_name)

    def forget_types(self, type_names: Iterable[str]) -> None:
        """Drop every answer about these types, and about the types whose rows show
        their names, in every process sharing the folder."""
        names = set(type_names)
        for name in list(names):
            names.update(NAMES_SHOWN_BY.get(name, ()))
        for name in names:
            self._safely(partial(self._bump, self._generation_key(name)), None)
            self._safely(partial(self._store.evict, self._tag(name)), 0)

    def clear(self) -> None:
        """Drop everything, all namespaces."""
        self._safely(self._store.clear, None)

    def stats(self) -> CacheStats:
        """Hits, misses and size so far: to see whether the cache pays for itself."""
        size = self._safely(self._store.volume, 0)
        entries = self._safely(lambda: len(self._store), 0)
        return CacheStats(self.hits, self.misses, int(size), int(entries))

    def check(self) -> list[str]:
        """The store's consistency problems (SQLite's integrity check, files), if any."""
        with warnings.catch_warnings():
            warnings.simplefilter("always")  # diskcache reports through warnings: collect them
            problems = [str(problem.message) for problem in self._store.check()]
        return [p for p in problems if not p.endswith(os.sep + MARKER)]

    def close(self) -> None:
        """Close the store's files, when done with the cache: it is unusable afterwards."""
        self._store.close()

    # -- events ---------------------------------------------------------------------

    def last_event_check(self) -> str | None:
        """When the event log was last read (ISO, server time), or None: where the next catch-up
        starts."""
        stored = self._get(f"{self.namespace}|events")
        return None if stored is _MISS else str(stored)

    def record_event_check(self, when: str) -> None:
        """Remember that the event log was read up to ``when``, for the next catch-up."""
        self._safely(lambda: self._store.set(f"{self.namespace}|events", when), None)

    def catch_up(self, look: Callable[[str | None], str]) -> None:
        """Run ``look(mark)`` (read the event log since ``mark``, None for a namespace that
        never looked; it returns the new mark) when the last look is ``events_interval``
        old, and record its mark. On disk every process of the machine may look at once
        (a shared tier lets one look for all)."""
        since = self.last_event_check()
        if look_is_due(since, self.events_interval):
            self.record_event_check(look(since))

    # -- storage --------------------------------------------------------------------

    def _key(self, type_name: str, route: str, params: Mapping[str, Any]) -> str:
        query = json.dumps(sorted((str(k), str(v)) for k, v in params.items()))
        return f"{self.namespace}|{type_name}|{route}|{query}"

    def _tag(self, type_name: str) -> str:
        # Tags only speed up eviction; the generations alone decide freshness.
        return f"{self.namespace}|{type_name.split('+')[0]}"

    def _generation_key(self, type_name: str) -> str:
        # Per server, not per user: a write here outdates every local user's answers.
        return f"{self.server_key}|generation|{type_name}"

    def _bump(self, key: str) -> None:
        with self._store.transact():  # atomic across processes
            self._store.set(key, as_generation(self._store.get(key, 0)) + 1)

    def _generation(self, type_name: str) -> list[int]:
        # An answer about several types ("Shot+Task") is outdated by a write to any.
        # A list, not a tuple: entries are stored as JSON.
        keys = [self._generation_key(name) for name in type_name.split("+")]
        return [self._read_generation(key) for key in keys]

    def _read_generation(self, key: str) -> int:
        stored = self._safely(partial(self._store.get, key, 0), 0)
        if type(stored) is int:
            return stored
        # Not a counter: replaced by one no stored answer carries, so that none is served.
        fresh = time.time_ns()
        self._safely(lambda: self._store.set(key, fresh), None)
        return fresh

    def _get(self, key: str) -> Any:
        return self._safely(lambda: self._store.get(key, default=_MISS), _MISS)

    def _get_entry(self, key: str) -> Any:
        """A stored answer (``{"at", "gen", "body"}``), or _MISS; a damaged one is dropped."""
        blob = self._get(key)
        if blob is _MISS or written_by_another_python(blob):
            return _MISS
        try:
            entry = decode(blob)
        except Damaged:
            problem = "damaged entry"
        else:
            if is_answer(entry):
                return entry
            problem = "malformed entry (not an answer this module wrote)"
        warnings.warn(
            f"a {problem} of the kitsu_orm cache at {self.directory} was dropped",
            RuntimeWarning,
            stacklevel=4,
        )
        self._safely(partial(self._store.delete, key), False)
        return _MISS

    def _set(self, key: str, entry: Any, type_name: str) -> None:
        blob = encode(entry)
        self._safely(lambda: self._store.set(key, blob, tag=self._tag(type_name)), None)

    def _count(self, *, hit: bool) -> None:
        with self._lock:
            if hit:
                self.hits += 1
            else:
                self.misses += 1

    def _open(self) -> diskcache.Cache:
        claim_folder(self.directory)
        try:
            return self._make_store()
        except (sqlite3.DatabaseError, OSError) as exc:
            return self._reset(exc)

    def _make_store(self) -> diskcache.Cache:
        private_database(self.directory)
        store = diskcache.Cache(
            str(self.directory),
            disk=NoPickleDisk,
            size_limit=self.size_limit,
            tag_index=True,
            timeout=10,
        )
        return store

    def _reset(self, exc: BaseException) -> diskcache.Cache:
        warnings.warn(
            f"the kitsu_orm cache at {self.directory} was reset: {_reason(exc)}",
            RuntimeWarning,
            stacklevel=3,
        )
        remove_store_files(self.directory)
        return self._make_store()

    def _safely(self, action: Callable[[], T], default: T) -> T:
        """Run a storage action; a corrupted store is reset, never a crash."""
        try:
            return action()
        except (sqlite3.DatabaseError, Damaged, UnicodeDecodeError, OSError) as exc:
            with self._lock:
                with contextlib.suppress(Exception):  # the store is already broken
                    self._store.close()
                self._store = self._reset(exc)
            return default


def _reason(exc: BaseException) -> str:
    """Why a store is reset, in the warning's words."""
    if isinstance(exc, Damaged):
        return str(exc) or "a stored value is not what kitsu_orm wrote"
    if isinstance(exc, sqlite3.DatabaseError):
        return f"its database is damaged ({exc})"
    if isinstance(exc, UnicodeDecodeError):
        return "a stored text is not UTF-8"
    return f"a file of it could not be read ({exc})"
