"""What a download needs besides HTTP: where it may write, and how it waits.

A file is written beside its target under a fresh temporary name and moved
onto it once whole: a partial download never replaces the target, and
nothing but that temporary file (made here) is ever deleted. A preview file
the server is still building is answered 202 to a client that prefers JSON,
with the delay to wait in ``Retry-After``.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

from .errors import ValidationError

__all__ = ["PREFER_JSON", "checked_target", "processing_delay", "write_whole"]

# The Accept header that asks Zou to say "still processing" (202) rather than 404.
PREFER_JSON = {"Accept": "application/json, */*;q=0.1"}


def checked_target(dest: str | os.PathLike[str]) -> Path:
    """``dest`` as a file name to write: never a folder, and its folder must exist."""
    target = Path(dest)
    if target.is_dir():
        raise ValidationError(f"{target} is a folder: name the file to write")
    if not target.parent.is_dir():
        raise ValidationError(f"no folder {target.parent} to write {target.name} in")
    return target


def write_whole(
    target: Path,
    chunks: Iterable[bytes],
    total: int = 0,
    on_chunk: Callable[[int, int], None] | None = None,
) -> Path:
    """Write ``chunks`` to ``target`` through a temporary file beside it;
    ``on_chunk(done, total)`` hears of each block."""
    fd, partial = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    try:
        done = 0
        with os.fdopen(fd, "wb") as out:
            for chunk in chunks:
                out.write(chunk)
                done += len(chunk)
                if on_chunk is not None:
                    on_chunk(done, total)
        os.replace(partial, target)
    except BaseException:
        Path(partial).unlink(missing_ok=True)
        raise
    return target


def processing_delay(headers: Mapping[str, str], left: float) -> float:
    """Seconds to wait before asking again: the server's ``Retry-After`` (1 s when it
    names none), never beyond what is ``left`` of the wait."""
    try:
        delay = max(0.0, float(headers.get("Retry-After") or 1))
    except ValueError:
        delay = 1.0
    return max(0.0, min(delay, left))
