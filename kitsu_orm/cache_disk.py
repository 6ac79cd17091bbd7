"""The disk under the persistent cache's store: diskcache's, without pickles.

A cache module (it imports diskcache). Keys are text; values text, numbers or
bytes; a pickled key or value, which only a tampered folder can hold, is refused,
never loaded; value files are 0600 and stay inside the folder.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import Any

import diskcache  # type: ignore[import-untyped]

from .cache_entries import Damaged
from .cache_folder import is_value_file, remove_value_file, write_value_file

__all__ = ["NoPickleDisk"]


class NoPickleDisk(diskcache.Disk):  # type: ignore[misc]
    """diskcache's storage without pickles. Keys are text, values text, numbers
    or bytes (answers come encoded by :func:`~kitsu_orm.cache_entries.encode`); a pickled key or value,
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
            raise Damaged
        return super().get(key, raw)

    def store(self, value: Any, read: bool, key: Any = diskcache.core.UNKNOWN) -> Any:
        if type(value) not in (str, int, float, bytes):
            raise TypeError(f"cache values are text, numbers or bytes, not {type(value).__name__}")
        return super().store(value, read, key=key)

    def fetch(self, mode: int, filename: str | None, value: Any, read: bool) -> Any:
        if mode == diskcache.core.MODE_PICKLE:
            raise Damaged("a stored value is a pickle, which kitsu_orm never writes")
        if filename is not None and not self._is_value_file(filename):
            raise Damaged(f"a stored value's file lies outside the cache folder ({filename!r})")
        return super().fetch(mode, filename, value, read)

    def remove(self, file_path: str) -> None:
        # diskcache's own would delete any path a row names, then empty folders upwards.
        remove_value_file(self._root, self._directory, file_path)

    def _write(
        self, full_path: str, iterator: Iterable[Any], mode: str, encoding: str | None = None
    ) -> int:
        """A value file readable by the user alone (0600, in 0700 folders)."""
        return write_value_file(full_path, iterator, mode, encoding)

    def _is_value_file(self, filename: str) -> bool:
        """Whether a row's file name is a value file inside the folder."""
        return is_value_file(self._root, self._directory, filename)
