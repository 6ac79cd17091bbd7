"""The cache's folder: which folder the cache may use, and which files in it it may
write, chmod and delete.

The trust boundary of the cache. It keeps to a folder of its own: one it
creates (mode 0700) and marks with a ``.kitsu-orm-cache`` file, or an empty
one, or one only diskcache wrote; a folder holding other files, owned by
another OS user or writable by group or others is refused
(:class:`~kitsu_orm.errors.ConfigurationError`). Its files are 0600 and its
subfolders 0700. A reset deletes only the files diskcache writes
(``cache.db*``, ``xx/yy/<hex>.val``), never anything else, never through a
symlink; a value file a row names is opened or deleted only when it is one
of those, inside the folder.
"""

from __future__ import annotations

import contextlib
import os
import re
import stat
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from .errors import ConfigurationError

__all__ = [
    "DATABASE_FILES",
    "MARKER",
    "claim_folder",
    "default_directory",
    "is_value_file",
    "private_database",
    "remove_store_files",
    "remove_value_file",
    "write_value_file",
]

# The file that says a folder is the cache's own; the names diskcache writes in it.
MARKER = ".kitsu-orm-cache"
DATABASE_FILES = ("cache.db", "cache.db-wal", "cache.db-shm", "cache.db-journal")
_HEX2 = re.compile(r"[0-9a-f]{2}\Z")
_VALUE_FILE = re.compile(r"[0-9a-f]{28}\.val\Z")


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


def claim_folder(directory: Path) -> None:
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
    if (directory / MARKER).is_file():
        return
    foreign = sorted(
        child.name
        for child in directory.iterdir()
        if child.name != MARKER and not _written_by_diskcache(child)
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
        fd = os.open(directory / MARKER, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
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
    if child.name in DATABASE_FILES:
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


def private_database(directory: Path) -> None:
    """``cache.db`` made 0600 before SQLite opens it: its ``-wal`` and ``-shm``
    files then take the same mode."""
    path = directory / "cache.db"
    if not path.exists():
        flags = os.O_WRONLY | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0)
        os.close(os.open(path, flags, 0o600))
    for name in DATABASE_FILES:
        path = directory / name
        with contextlib.suppress(OSError):
            info = path.lstat()
            if stat.S_ISREG(info.st_mode) and info.st_mode & 0o077:
                os.chmod(path, 0o600)


def remove_store_files(directory: Path) -> None:
    """Delete what diskcache writes, and only that: never another file, never
    through a symlink, never the folder."""
    for name in DATABASE_FILES:
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


# -- the value files diskcache writes and reads ------------------------------------------


def is_value_file(root: str, directory: str, filename: str) -> bool:
    """Whether a row's file name is one diskcache makes (``xx/yy/<28 hex>.val``)
    and, symlinks resolved, lies inside ``directory``, whose real path was ``root``
    when the store opened."""
    parts = re.split("[/\\\\]" if os.altsep else "/", filename)
    if len(parts) != 3 or not (_HEX2.match(parts[0]) and _HEX2.match(parts[1])):
        return False
    if not _VALUE_FILE.match(parts[2]):
        return False
    real = os.path.realpath(os.path.join(directory, filename))
    return os.path.dirname(os.path.dirname(os.path.dirname(real))) == root


def remove_value_file(root: str, directory: str, file_path: str) -> None:
    """Delete a value file a row names, and its folders once empty; anything that is
    not a value file inside ``directory`` is left alone (diskcache's own removal would
    delete any path a row names, then empty folders upwards)."""
    if not is_value_file(root, directory, file_path):
        return
    full_path = os.path.join(directory, file_path)
    with contextlib.suppress(OSError):
        os.remove(full_path)
    folder = os.path.dirname(full_path)
    for level in (folder, os.path.dirname(folder)):
        try:
            os.rmdir(level)  # only when empty
        except OSError:
            break


def write_value_file(
    full_path: str, iterator: Iterable[Any], mode: str, encoding: str | None = None
) -> int:
    """A new value file readable by the user alone (0600, in 0700 folders); its size."""
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
