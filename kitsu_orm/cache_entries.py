"""What the cache stores: answers and confirmations, encoded and checked.

Answers are stored in :mod:`marshal`'s format, not as JSON text: a warm
session reads a production's boards (megabytes) two to three times faster.
marshal holds the same plain values and never runs code when reading, but
it trusts its input, so each entry carries a checksum that is verified
before it is read: a damaged entry is dropped, never decoded. A decoded
entry is used only when it has the shape this module writes.
"""

from __future__ import annotations

import marshal
import time
import zlib
from typing import Any

__all__ = [
    "HEADER",
    "Damaged",
    "as_generation",
    "decode",
    "encode",
    "is_answer",
    "is_confirmation",
    "written_by_another_python",
]


class Damaged(Exception):
    """A stored value that is not what this module wrote."""


_JSON_TYPES = frozenset({dict, list, str, int, float, bool, type(None)})


def is_answer(entry: Any) -> bool:
    """Whether a decoded entry has the shape :meth:`kitsu_orm.cache.Cache.answer` stores. The body's
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


def is_confirmation(record: Any) -> bool:
    """Whether a decoded record has the shape :meth:`kitsu_orm.cache.Cache.confirm` stores."""
    return (
        type(record) is dict
        and type(record.get("user")) is str
        and type(record.get("until")) in (int, float, type(None))
    )


def as_generation(stored: Any) -> int:
    """A stored generation counter, or, when it is not one, a value no stored answer
    carries (so that none is served)."""
    return stored if type(stored) is int else time.time_ns()


# Format and version of an encoded answer, and of marshal (which may change
# between Pythons: an entry another one wrote is then dropped, not misread);
# the checksum follows.
HEADER = f"kitsu-orm:marshal{marshal.version}:1:".encode()


def encode(entry: Any) -> bytes:
    """An entry as stored: the header, the checksum, then marshal's bytes."""
    data = marshal.dumps(entry)
    return b"".join((HEADER, zlib.crc32(data).to_bytes(4, "big"), data))


def written_by_another_python(blob: Any) -> bool:
    """An entry of another Python's marshal format: a miss, not damage (two
    Pythons may share a folder; each then keeps its own answers fresh)."""
    return type(blob) is bytes and blob.startswith(b"kitsu-orm:") and not blob.startswith(HEADER)


def decode(blob: Any) -> Any:
    """A stored entry, read only once its header and checksum hold; else :class:`Damaged`."""
    if type(blob) is not bytes or not blob.startswith(HEADER):
        raise Damaged
    view = memoryview(blob)[len(HEADER) :]
    if zlib.crc32(view[4:]) != int.from_bytes(view[:4], "big"):
        raise Damaged
    try:
        return marshal.loads(view[4:])
    except (ValueError, EOFError, TypeError) as exc:  # pragma: no cover - the checksum held
        raise Damaged from exc
