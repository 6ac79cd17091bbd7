"""The persistent cache: answers of list and get routes, on disk, shared by processes.

The only module that imports diskcache. What it guarantees:

- **Scope.** Entries live in a namespace of (server URL, user id): one user's
  answers are never served to another, even on the same machine and server.
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
  the types they name.
- **Offline.** With ``cache="offline"``, or when the server cannot be
  reached, reads are answered from the cache whatever their age, and the
  session says so (``session.is_offline``). Writes stay pending.
- **Safety.** Entries are the server's JSON values, never pickles, never
  tokens or passwords; the folder is private to the user (mode 0700);
  several processes may read and write at once (SQLite underneath); a
  corrupted cache is reset with a warning, a damaged entry dropped.

Answers are stored in :mod:`marshal`'s format, not as JSON text: a warm
session reads a production's boards (megabytes) two to three times faster.
marshal holds the same plain values and never runs code when reading, but
it trusts its input, so each entry carries a checksum that is verified
before it is read: a damaged entry is dropped, never decoded. Only the user
(who owns the folder) can write it.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import marshal
import os
import sqlite3
import sys
import threading
import time
import warnings
import zlib
from collections.abc import Callable, Iterable, Mapping
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

import attrs
import diskcache  # type: ignore[import-untyped]

__all__ = ["Cache", "CacheStats", "default_directory", "event_types", "REFERENCE_TYPES"]

T = TypeVar("T")

REFERENCE_TYPES = frozenset(
    {
        "TaskType",
        "TaskStatus",
        "AssetType",
        "EntityType",
        "Department",
        "Software",
        "OutputType",
        "FileStatus",
        "ProjectStatus",
    }
)
_MISS = object()


def default_directory() -> Path:
    """The per-user cache folder: ``KITSU_ORM_CACHE_DIR``, else the platform's convention."""
    override = os.environ.get("KITSU_ORM_CACHE_DIR")
    if override:
        return Path(override).expanduser()
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Caches" / "kitsu-orm"
    if os.name == "nt":
        base = os.environ.get("LOCALAPPDATA") or str(Path.home() / "AppData" / "Local")
        return Path(base) / "kitsu-orm" / "Cache"
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "kitsu-orm" / "data"


@attrs.frozen
class CacheStats:
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
        self.namespace = _namespace(server, user_id)
        self.server_key = hashlib.sha256(server.encode()).hexdigest()[:24]

    def serves(self, server: str, user_id: str) -> bool:
        """Whether this cache is scoped to this server and user."""
        return self.namespace == _namespace(server, user_id)

    def sibling(self) -> Cache:
        """Another, unscoped Cache on the same folder with the same settings."""
        return Cache(
            self.directory,
            reference_ttl=self.reference_ttl,
            production_ttl=self.production_ttl,
            size_limit=self.size_limit,
            events_interval=self.events_interval,
        )

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
        stored = self._get_entry(self._key(type_name, route, params))
        return None if stored is _MISS else stored["body"]

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
        size = self._safely(self._store.volume, 0)
        entries = self._safely(lambda: len(self._store), 0)
        return CacheStats(self.hits, self.misses, int(size), int(entries))

    def check(self) -> list[str]:
        """The store's consistency problems (SQLite's integrity check, files), if any."""
        return [str(problem.message) for problem in self._store.check()]

    def close(self) -> None:
        self._store.close()

    # -- events ---------------------------------------------------------------------

    def last_event_check(self) -> str | None:
        stored = self._get(f"{self.namespace}|events")
        return None if stored is _MISS else str(stored)

    def record_event_check(self, when: str) -> None:
        self._safely(lambda: self._store.set(f"{self.namespace}|events", when), None)

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
            self._store.set(key, int(self._store.get(key, 0)) + 1)

    def _generation(self, type_name: str) -> list[int]:
        # An answer about several types ("Shot+Task") is outdated by a write to any.
        # A list, not a tuple: entries are stored as JSON.
        keys = [self._generation_key(name) for name in type_name.split("+")]
        return [int(self._safely(partial(self._store.get, key, 0), 0)) for key in keys]

    def _get(self, key: str) -> Any:
        return self._safely(lambda: self._store.get(key, default=_MISS), _MISS)

    def _get_entry(self, key: str) -> Any:
        """A stored answer (``{"at", "gen", "body"}``), or _MISS; a damaged one is dropped."""
        blob = self._get(key)
        if blob is _MISS or _written_by_another_python(blob):
            return _MISS
        try:
            return _decode(blob)
        except _Damaged:
            warnings.warn(
                f"a damaged entry of the kitsu_orm cache at {self.directory} was dropped",
                RuntimeWarning,
                stacklevel=4,
            )
            self._safely(partial(self._store.delete, key), False)
            return _MISS

    def _set(self, key: str, entry: Any, type_name: str) -> None:
        blob = _encode(entry)
        self._safely(lambda: self._store.set(key, blob, tag=self._tag(type_name)), None)

    def _count(self, *, hit: bool) -> None:
        with self._lock:
            if hit:
                self.hits += 1
            else:
                self.misses += 1

    def _open(self) -> diskcache.Cache:
        self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        os.chmod(self.directory, 0o700)
        try:
            return self._make_store()
        except (sqlite3.DatabaseError, OSError) as exc:
            return self._reset(exc)

    def _make_store(self) -> diskcache.Cache:
        store = diskcache.Cache(
            str(self.directory),
            disk=_Disk,
            size_limit=self.size_limit,
            tag_index=True,
            timeout=10,
        )
        return store

    def _reset(self, exc: BaseException) -> diskcache.Cache:
        warnings.warn(
            f"the kitsu_orm cache at {self.directory} could not be read ({exc}): it was reset",
            RuntimeWarning,
            stacklevel=3,
        )
        for child in self.directory.glob("*"):
            if child.is_file():
                child.unlink(missing_ok=True)
            else:
                import shutil

                shutil.rmtree(child, ignore_errors=True)
        return self._make_store()

    def _safely(self, action: Callable[[], T], default: T) -> T:
        """Run a storage action; a corrupted store is reset, never a crash."""
        try:
            return action()
        except (sqlite3.DatabaseError, _Damaged, UnicodeDecodeError, OSError) as exc:
            with self._lock:
                with contextlib.suppress(Exception):  # the store is already broken
                    self._store.close()
                self._store = self._reset(exc)
            return default


class _Damaged(Exception):
    """A stored value that is not what this module wrote."""


# Format and version of an encoded answer, and of marshal (which may change
# between Pythons: an entry another one wrote is then dropped, not misread);
# the checksum follows.
_HEADER = f"kitsu-orm:marshal{marshal.version}:1:".encode()


def _encode(entry: Any) -> bytes:
    data = marshal.dumps(entry)
    return b"".join((_HEADER, zlib.crc32(data).to_bytes(4, "big"), data))


def _written_by_another_python(blob: Any) -> bool:
    """An entry of another Python's marshal format: a miss, not damage (two
    Pythons may share a folder; each then keeps its own answers fresh)."""
    return type(blob) is bytes and blob.startswith(b"kitsu-orm:") and not blob.startswith(_HEADER)


def _decode(blob: Any) -> Any:
    if type(blob) is not bytes or not blob.startswith(_HEADER):
        raise _Damaged
    view = memoryview(blob)[len(_HEADER) :]
    if zlib.crc32(view[4:]) != int.from_bytes(view[:4], "big"):
        raise _Damaged
    try:
        return marshal.loads(view[4:])
    except (ValueError, EOFError, TypeError) as exc:  # pragma: no cover - the checksum held
        raise _Damaged from exc


class _Disk(diskcache.Disk):  # type: ignore[misc]
    """diskcache's storage without pickles. Keys are text, values text, numbers
    or bytes (answers come encoded by :func:`_encode`); a pickled key or value,
    which only a tampered folder can hold, is refused, never loaded."""

    def __init__(self, directory: str, **settings: Any) -> None:
        settings.pop("compress_level", None)  # a setting of folders written by JSONDisk
        super().__init__(directory, **settings)

    def put(self, key: Any) -> Any:
        if type(key) is not str:
            raise TypeError(f"cache keys are text, not {type(key).__name__}")
        return super().put(key)

    def get(self, key: Any, raw: bool) -> Any:
        if not raw:
            raise _Damaged
        return super().get(key, raw)

    def store(self, value: Any, read: bool, key: Any = diskcache.core.UNKNOWN) -> Any:
        if type(value) not in (str, int, float, bytes):
            raise TypeError(f"cache values are text, numbers or bytes, not {type(value).__name__}")
        return super().store(value, read, key=key)

    def fetch(self, mode: int, filename: str | None, value: Any, read: bool) -> Any:
        if mode == diskcache.core.MODE_PICKLE:
            raise _Damaged
        return super().fetch(mode, filename, value, read)


# Rows carry the names of other rows (a shot its ``sequence_name``, an asset its
# ``asset_type_name``...): renaming one outdates the answers that show it.
NAMES_SHOWN_BY: dict[str, tuple[str, ...]] = {
    "Project": ("EntityRow", "Episode", "Sequence", "Shot", "Scene", "Asset"),
    "Episode": ("Sequence", "Shot"),
    "Sequence": ("Shot", "Scene"),
    "AssetType": ("Asset",),
}


def _namespace(server: str, user_id: str) -> str:
    return hashlib.sha256(f"{server}\n{user_id}".encode()).hexdigest()[:24]


_EVENT_TYPES = {
    "project": "Project",
    "person": "Person",
    "department": "Department",
    "asset-type": "AssetType",
    "asset": "Asset",
    "asset-instance": "AssetInstance",
    "episode": "Episode",
    "sequence": "Sequence",
    "shot": "Shot",
    "scene": "Scene",
    "task-type": "TaskType",
    "task-status": "TaskStatus",
    "task": "Task",
    "comment": "Comment",
    "time-spent": "TimeSpent",
    "software": "Software",
    "output-type": "OutputType",
    "file-status": "FileStatus",
    "working-file": "WorkingFile",
    "output-file": "OutputFile",
}
_ENTITY_ROWS = ("Asset", "Episode", "Sequence", "Shot", "Scene")


def event_types(events: Iterable[Mapping[str, Any]], *, limit: int) -> tuple[set[str], bool]:
    """The cached types Zou's events say changed, and whether the list is complete.

    An event of a kind not known here, or a full page (more may be missing),
    makes the answer incomplete: the caller then forgets everything.
    """
    rows = list(events)
    types: set[str] = set()
    complete = len(rows) < limit
    for event in rows:
        kind = str(event.get("name", "")).split(":", 1)[0]
        name = _EVENT_TYPES.get(kind)
        if name is None:
            complete = complete and kind in ("preview-file", "notification", "news", "playlist")
            continue
        types.add(name)
        if name in _ENTITY_ROWS:
            types.update({"EntityRow", "Casting"})
    return types, complete
