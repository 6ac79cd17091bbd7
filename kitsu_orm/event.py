"""One event from Zou's stream, and who wants it: :class:`Event`, name patterns,
:class:`Listener` (the iterator of ``session.events.listen``).

The stream that fills them is :mod:`kitsu_orm.events`.
"""

from __future__ import annotations

import queue
import re
from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Any, Protocol

import attrs

from .errors import ConfigurationError, KitsuError

if TYPE_CHECKING:
    from .model.base import Entity

__all__ = ["Callback", "Event", "EventStats", "Listener", "compile_pattern"]

Callback = Callable[["Event"], Any]


class _Stream(Protocol):
    """What a listener needs of the stream (``session.events``)."""

    def forget(self, listener: Listener) -> None: ...

    def stop(self, timeout: float = 10.0) -> None: ...


@attrs.frozen
class Event:
    """One event from Zou: its ``name`` (``"task:update"``), ``data`` (the ids it names),
    the log's ``id``, ``created_at`` and author ``user_id`` (None for an event handed
    over as pushed), its ``project_id``, and ``object``: the object it names, fresh.

    ``error``: why ``object`` is None although the event names an object it does not
    delete: the read of it failed (:class:`~kitsu_orm.errors.NotFound`: gone since,
    :class:`~kitsu_orm.errors.PermissionDenied`: not this user's to read, a
    :class:`~kitsu_orm.errors.ConnectionError` or
    :class:`~kitsu_orm.errors.ServerError`: the server still failed after a few tries).
    The session's older copy is never handed over in its place: the event says it
    is outdated."""

    name: str
    data: Mapping[str, Any]
    id: str | None = None
    created_at: str | None = None
    user_id: str | None = None
    project_id: str | None = None
    object: Entity | None = None
    error: KitsuError | None = None

    @property
    def kind(self) -> str:
        """What the event is about: ``"task"`` in ``"task:update"``."""
        return self.name.partition(":")[0]

    @property
    def action(self) -> str:
        """What happened: ``"update"`` in ``"task:update"``."""
        return self.name.partition(":")[2]


@attrs.frozen
class EventStats:
    """What the stream did since it started: pushes received, events handed over,
    connections made again after a drop."""

    pushes: int
    events: int
    reconnections: int


class Listener(Iterator[Event]):
    """The events matching a pattern, in order, from when it was made (``events.listen``).

    Iterating waits for the next one; the iteration ends when none comes within
    ``timeout`` seconds (None: never), or after :meth:`close`. An error that ended
    the stream (a refused token) is raised here.
    """

    def __init__(self, events: _Stream, pattern: str, timeout: float | None, owns: bool) -> None:
        self.pattern = pattern
        self.timeout = timeout
        self._match = compile_pattern(pattern).fullmatch
        self._events = events
        self._queue: queue.Queue[Event | KitsuError | None] = queue.Queue()
        self._owns = owns  # the stream was started for it: stopped when it closes
        self.closed = False

    def matches(self, name: str) -> bool:
        """Whether an event of this name is for this listener."""
        return self._match(name) is not None

    def put(self, item: Event | KitsuError | None) -> None:
        """Hand over an event (the events thread), or the error that ended the stream."""
        self._queue.put(item)

    def __next__(self) -> Event:
        if self.closed:
            raise StopIteration
        try:
            item = self._queue.get(timeout=self.timeout)
        except queue.Empty:
            self.close()
            raise StopIteration from None
        if isinstance(item, KitsuError):
            self.close()
            raise item
        if item is None:
            self.close()
            raise StopIteration
        return item

    def close(self) -> None:
        """Stop listening (and stop the stream if this listener started it)."""
        if not self.closed:
            self.closed = True
            self._events.forget(self)
            if self._owns:
                self._events.stop()

    def __enter__(self) -> Listener:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def compile_pattern(pattern: str) -> re.Pattern[str]:
    """An event-name pattern as a regular expression: ``*`` is any text, the rest literal."""
    if not isinstance(pattern, str) or not pattern:
        raise ConfigurationError(f"an event pattern is a non-empty string, not {pattern!r}")
    return re.compile(".*".join(re.escape(part) for part in pattern.split("*")))
