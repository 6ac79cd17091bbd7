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
  the types they name.
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
import hmac
import json
import marshal
import os
import re
import sqlite3
import stat
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

from .errors import ConfigurationError

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

    # -- confirmed identities ---------------------------------------------------------

    def confirmed_user(self, server: str, token: str, *, any_age: bool = False) -> str | None:
        """The user id the server confirmed for this token on this server, if it
        did before; None once the token has expired, unless ``any_age`` (offline)."""
        key = self._confirmation_key(server, token)
        blob = self._get(key)
        if blob is _MISS:
            return None
        try:
            record = _decode(blob)
        except _Damaged:
            record = None
        if not _is_confirmation(record):
            self._safely(partial(self._store.delete, key), False)
            return None
        until = record["until"]
        if not any_age and until is not None and time.time() >= until:
            return None
        return str(record["user"])

    def confirm(self, server: str, token: str, user_id: str, *, until: float | None) -> None:
        """Remember that the server said this token is this user's, until it expires."""
        blob = _encode({"user": user_id, "until": until})
        key = self._confirmation_key(server, token)
        self._safely(lambda: self._store.set(key, blob), None)

    def _confirmation_key(self, server: str, token: str) -> str:
        # Keyed by a secret of this folder: the digest of a token proves nothing
        # to someone who has only seen the token elsewhere, and gives no token back.
        secret = self._get(_SECRET_KEY)
        if secret is _MISS:  # the folder's first: whichever process adds it first wins
            self._safely(lambda: self._store.add(_SECRET_KEY, os.urandom(32)), False)
            secret = self._get(_SECRET_KEY)
        if type(secret) is not bytes or len(secret) < 32:  # tampered: a new secret
            secret = os.urandom(32)
            self._safely(lambda: self._store.set(_SECRET_KEY, secret), None)
        digest = hmac.new(secret, f"{server}\n{token}".encode(), hashlib.sha256).hexdigest()
        return f"confirmed|{digest}"

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
        """Hits, misses and size so far: to see whether the cache pays for itself."""
        size = self._safely(self._store.volume, 0)
        entries = self._safely(lambda: len(self._store), 0)
        return CacheStats(self.hits, self.misses, int(size), int(entries))

    def check(self) -> list[str]:
        """The store's consistency problems (SQLite's integrity check, files), if any."""
        with warnings.catch_warnings():
            warnings.simplefilter("always")  # diskcache reports through warnings: collect them
            problems = [str(problem.message) for problem in self._store.check()]
        return [p for p in problems if not p.endswith(os.sep + _MARKER)]

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
            self._store.set(key, _as_generation(self._store.get(key, 0)) + 1)

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
        if blob is _MISS or _written_by_another_python(blob):
            return _MISS
        try:
            entry = _decode(blob)
        except _Damaged:
            problem = "damaged entry"
        else:
            if _is_answer(entry):
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
        blob = _encode(entry)
        self._safely(lambda: self._store.set(key, blob, tag=self._tag(type_name)), None)

    def _count(self, *, hit: bool) -> None:
        with self._lock:
            if hit:
                self.hits += 1
            else:
                self.misses += 1

    def _open(self) -> diskcache.Cache:
        _claim_folder(self.directory)
        try:
            return self._make_store()
        except (sqlite3.DatabaseError, OSError) as exc:
            return self._reset(exc)

    def _make_store(self) -> diskcache.Cache:
        _private_database(self.directory)
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
            f"the kitsu_orm cache at {self.directory} was reset: {_reason(exc)}",
            RuntimeWarning,
            stacklevel=3,
        )
        _remove_store_files(self.directory)
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


def _reason(exc: BaseException) -> str:
    """Why a store is reset, in the warning's words."""
    if isinstance(exc, _Damaged):
        return str(exc) or "a stored value is not what kitsu_orm wrote"
    if isinstance(exc, sqlite3.DatabaseError):
        return f"its database is damaged ({exc})"
    if isinstance(exc, UnicodeDecodeError):
        return "a stored text is not UTF-8"
    return f"a file of it could not be read ({exc})"


# -- the folder ---------------------------------------------------------------------------

# The file that says a folder is the cache's own; the names diskcache writes in it.
_MARKER = ".kitsu-orm-cache"
_DATABASE_FILES = ("cache.db", "cache.db-wal", "cache.db-shm", "cache.db-journal")
_HEX2 = re.compile(r"[0-9a-f]{2}\Z")
_VALUE_FILE = re.compile(r"[0-9a-f]{28}\.val\Z")
_SECRET_KEY = "confirmed|secret"


def _claim_folder(directory: Path) -> None:
    """Make ``directory`` the cache's folder, or refuse it.

    A folder the cache creates is made private (0700) and marked as its own. An
    existing one must belong to this OS user and not be writable by others; it
    is used when marked, empty, or holding only what diskcache writes (a cache
    of an earlier kitsu_orm), and then marked, never chmod-ed.
    """
    try:
        directory.mkdir(parents=True, mode=0o700)
    except FileExistsError:
        pass
    else:
        os.chmod(directory, 0o700)  # mkdir's mode went through the umask
        _mark(directory)
        return
    if not directory.is_dir():
        raise ConfigurationError(f"the cache folder {directory} is not a folder")
    _check_private(directory)
    if (directory / _MARKER).is_file():
        return
    foreign = sorted(
        child.name
        for child in directory.iterdir()
        if child.name != _MARKER and not _written_by_diskcache(child)
    )
    if foreign:
        shown = ", ".join(foreign[:5]) + (", ..." if len(foreign) > 5 else "")
        raise ConfigurationError(
            f"the cache folder {directory} holds files the cache did not write ({shown}): "
            "give the cache a folder of its own (new or empty), e.g. a subfolder"
        )
    _make_private_files(directory)
    _mark(directory)


def _check_private(directory: Path) -> None:
    if not hasattr(os, "getuid"):  # Windows: the profile's ACLs keep it private
        return
    info = directory.stat()
    if info.st_uid != os.getuid():
        raise ConfigurationError(
            f"the cache folder {directory} belongs to another user (uid {info.st_uid}): "
            "a cache holds what its user may read; give it a folder of your own"
        )
    if info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        raise ConfigurationError(
            f"the cache folder {directory} may be written by other users "
            f"(mode {stat.S_IMODE(info.st_mode):o}): remove their write access "
            "(chmod go-w) or give the cache a folder of its own"
        )


def _mark(directory: Path) -> None:
    with contextlib.suppress(FileExistsError):
        fd = os.open(directory / _MARKER, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with open(fd, "w", encoding="utf-8") as marker:
            marker.write("A kitsu_orm cache: it may delete cache.db* and xx/yy/*.val here.\n")


def _is_regular(path: Path) -> bool:
    try:
        return stat.S_ISREG(path.lstat().st_mode)
    except OSError:
        return False


def _is_real_folder(path: Path) -> bool:
    try:
        return stat.S_ISDIR(path.lstat().st_mode)  # a symlink is not followed
    except OSError:
        return False


def _written_by_diskcache(child: Path) -> bool:
    if child.name in _DATABASE_FILES:
        return _is_regular(child)
    return bool(_HEX2.match(child.name)) and _is_real_folder(child)


def _value_folders(directory: Path) -> list[tuple[Path, list[Path]]]:
    """diskcache's value folders (``xx``, with their ``xx/yy``), symlinks left out."""
    found = []
    for top in directory.iterdir():
        if _HEX2.match(top.name) and _is_real_folder(top):
            subs = [sub for sub in top.iterdir() if _HEX2.match(sub.name) and _is_real_folder(sub)]
            found.append((top, subs))
    return found


def _make_private_files(directory: Path) -> None:
    """0600 and 0700 for what an earlier kitsu_orm wrote with diskcache's modes."""
    for top, subs in _value_folders(directory):
        os.chmod(top, 0o700)
        for sub in subs:
            os.chmod(sub, 0o700)
            for value in sub.iterdir():
                if _VALUE_FILE.match(value.name) and _is_regular(value):
                    os.chmod(value, 0o600)


def _private_database(directory: Path) -> None:
    """``cache.db`` made 0600 before SQLite opens it: its ``-wal`` and ``-shm``
    files then take the same mode."""
    path = directory / "cache.db"
    if not path.exists():
        flags = os.O_WRONLY | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0)
        os.close(os.open(path, flags, 0o600))
    for name in _DATABASE_FILES:
        path = directory / name
        with contextlib.suppress(OSError):
            info = path.lstat()
            if stat.S_ISREG(info.st_mode) and info.st_mode & 0o077:
                os.chmod(path, 0o600)


def _remove_store_files(directory: Path) -> None:
    """Delete what diskcache writes, and only that: never another file, never
    through a symlink, never the folder."""
    for name in _DATABASE_FILES:
        path = directory / name
        if _is_regular(path):
            path.unlink(missing_ok=True)
    for top, subs in _value_folders(directory):
        for sub in subs:
            for value in sub.iterdir():
                if _VALUE_FILE.match(value.name) and _is_regular(value):
                    value.unlink(missing_ok=True)
            with contextlib.suppress(OSError):
                sub.rmdir()  # only when empty
        with contextlib.suppress(OSError):
            top.rmdir()


# -- entries ------------------------------------------------------------------------------

_JSON_TYPES = frozenset({dict, list, str, int, float, bool, type(None)})


def _is_answer(entry: Any) -> bool:
    """Whether a decoded entry has the shape :meth:`Cache.answer` stores. The body's
    first level is checked (rows are JSON values), not every nested value."""
    if type(entry) is not dict or not {"at", "gen", "body"} <= entry.keys():
        return False
    at, gen, body = entry["at"], entry["gen"], entry["body"]
    if type(at) not in (int, float) or type(gen) is not list:
        return False
    if not all(type(g) is int for g in gen):
        return False
    if type(body) is list:
        return all(type(row) in _JSON_TYPES for row in body)
    if type(body) is dict:
        return all(type(name) is str for name in body)
    return type(body) in _JSON_TYPES


def _is_confirmation(record: Any) -> bool:
    return (
        type(record) is dict
        and type(record.get("user")) is str
        and type(record.get("until")) in (int, float, type(None))
    )


def _as_generation(stored: Any) -> int:
    return stored if type(stored) is int else time.time_ns()


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
        self._root = os.path.realpath(directory)

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
            raise _Damaged("a stored value is a pickle, which kitsu_orm never writes")
        if filename is not None and not self._is_value_file(filename):
            raise _Damaged(f"a stored value's file lies outside the cache folder ({filename!r})")
        return super().fetch(mode, filename, value, read)

    def remove(self, file_path: str) -> None:
        # diskcache's own would delete any path a row names, then empty folders upwards.
        if not self._is_value_file(file_path):
            return
        full_path = os.path.join(self._directory, file_path)
        with contextlib.suppress(OSError):
            os.remove(full_path)
        folder = os.path.dirname(full_path)
        for level in (folder, os.path.dirname(folder)):
            try:
                os.rmdir(level)  # only when empty
            except OSError:
                break

    def _write(
        self, full_path: str, iterator: Iterable[Any], mode: str, encoding: str | None = None
    ) -> int:
        """A value file readable by the user alone (0600, in 0700 folders)."""
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
        folder = os.path.dirname(full_path)
        for attempt in range(10):
            for level in (os.path.dirname(folder), folder):
                with contextlib.suppress(FileExistsError):
                    os.mkdir(level, 0o700)
            try:
                fd = os.open(full_path, flags, 0o600)
            except OSError:
                if attempt == 9:
                    raise
                continue  # another process emptied and removed the folder meanwhile
            with open(fd, "wb" if "b" in mode else "w", encoding=encoding) as writer:
                size = 0
                for chunk in iterator:
                    size += len(chunk)
                    writer.write(chunk)
                return size
        raise AssertionError("unreachable")  # pragma: no cover

    def _is_value_file(self, filename: str) -> bool:
        """Whether a row's file name is one diskcache makes (``xx/yy/<28 hex>.val``)
        and, symlinks resolved, lies inside the folder."""
        parts = re.split("[/\\\\]" if os.altsep else "/", filename)
        if len(parts) != 3 or not (_HEX2.match(parts[0]) and _HEX2.match(parts[1])):
            return False
        if not _VALUE_FILE.match(parts[2]):
            return False
        real = os.path.realpath(os.path.join(self._directory, filename))
        return os.path.dirname(os.path.dirname(os.path.dirname(real))) == self._root


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
