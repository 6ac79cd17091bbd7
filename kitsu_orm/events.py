"""Live events: ``session.events``, Zou's event stream seen as ORM objects.

::

    @session.events.on("task:status-changed")
    def retake(event):                    # in the events thread, one event at a time
        print(event.object.name, event.data["new_task_status_id"])
    session.events.start()                # or session.events.run() to block here

    for event in session.events.listen("task:*", timeout=60):
        print(event.name, event.object)   # a Task, read again in this session

Patterns match event names, ``*`` standing for any text (``"task:*"``,
``"*:new"``, ``"*"``). Each event hands over the object it names
(``event.object``: ``task:update`` a Task, ``comment:new`` a Comment), read
again from the server and merged into the session (fields the user edited
keep their edit), or None when the event deletes it, the user may not read
it, or the kind names no class. A read that fails for a moment (a busy server)
is tried again; one that keeps failing leaves the object None, with the error
in ``event.error`` (:mod:`kitsu_orm.event_objects`), never the session's
outdated copy.

What is promised (docs/guarantees.md, "Live events"): for a user who may read
Zou's event log (admins, managers for their productions), no event is missed
across a dropped connection and none is handed over twice: every event comes
from the log, with its id (:mod:`kitsu_orm.event_log`). Other users get the
pushes as they come, and nothing of what happened while disconnected. While
connected, the session's cache is outdated by each push, instead of reading the
event log.

The connection (:mod:`kitsu_orm.event_socket`, python-socketio, the extra
``kitsu-orm[events]``) goes to ``events.url``: ``KITSU_EVENTS_URL`` when set,
else the Kitsu host's root, where Kitsu's proxy serves ``/socket.io``. It is
made again after a drop, with growing waits (0.2 s to 5 s), for as long as the
events run.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from .cache_freshness import EVENT_TYPES, event_types
from .errors import AuthenticationError, ConnectionError, KitsuError
from .event import Callback, Event, EventStats, Listener, compile_pattern
from .event_log import EventLog, Row
from .event_objects import read_objects
from .event_socket import EventSocket
from .routes import LISTS

if TYPE_CHECKING:
    from .model.base import Entity
    from .session import Session

# Event, EventStats and Listener are kitsu_orm.event's, named here too.
__all__ = ["Event", "EventStats", "Events", "Listener"]

C = TypeVar("C", bound=Callback)

_WAIT = 0.5  # the longest the events thread sleeps before looking again
_DELAYS = (0.2, 5.0)  # reconnection waits: first, longest


class Events:
    """A session's live events (``session.events``): callbacks, listeners, the stream."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.url = os.environ.get("KITSU_EVENTS_URL") or _host_root(session.transport.host)
        self._lock = threading.Condition()
        self._callbacks: list[tuple[Callable[[str], Any], Callback]] = []
        self._listeners: list[Listener] = []
        self._pushes: list[tuple[str, Any]] = []
        self._dropped = False
        self._behind = False  # the log must be read: a (re)connection left a gap
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._socket: EventSocket | None = None
        self._log = self._new_log()
        self._counts = [0, 0, 0]  # pushes, events, reconnections
        self.error: KitsuError | None = None

    def __repr__(self) -> str:
        state = "connected" if self.connected else "running" if self.running else "stopped"
        return f"<Events {self.url} {state}>"

    # -- subscribing ---------------------------------------------------------------------

    def on(self, pattern: str) -> Callable[[C], C]:
        """A decorator: call the function with each event whose name matches ``pattern``,
        in the events thread, while the stream runs (:meth:`start`, :meth:`run`). An
        exception it raises is logged (``kitsu_orm.events``) and the stream goes on."""
        match = compile_pattern(pattern).fullmatch

        def register(callback: C) -> C:
            with self._lock:
                self._callbacks.append((match, callback))
            return callback

        return register

    def off(self, callback: Callback) -> None:
        """Stop calling ``callback``."""
        with self._lock:
            self._callbacks = [(m, c) for m, c in self._callbacks if c is not callback]

    def listen(self, pattern: str = "*", *, timeout: float | None = None) -> Listener:
        """The events matching ``pattern`` from now on, as an iterator (see
        :class:`Listener`); starts the stream if it is not running, and then stops it
        when the listener closes."""
        listener = Listener(self, pattern, timeout, owns=not self.running)
        with self._lock:  # before the start: the first events are its too
            self._listeners.append(listener)
        if not self.running:
            try:
                self.start()
            except BaseException:
                self.forget(listener)
                raise
        return listener

    def forget(self, listener: Listener) -> None:
        """Hand nothing more to ``listener`` (its ``close()`` calls this)."""
        with self._lock:
            self._listeners = [li for li in self._listeners if li is not listener]

    # -- the stream ----------------------------------------------------------------------

    @property
    def running(self) -> bool:
        """Whether the stream runs (connected or reconnecting)."""
        return self._thread is not None and self._thread.is_alive()

    @property
    def connected(self) -> bool:
        """Whether the socket is connected now."""
        return self._socket is not None and self._socket.connected

    def start(self) -> None:
        """Connect and hand over every event from now on, in a thread of its own, until
        :meth:`stop`. Raises :class:`ConfigurationError` without the extra,
        :class:`AuthenticationError` for a refused token, :class:`ConnectionError`
        when the stream cannot be reached. A no-op when running."""
        if self.running:
            return
        self._stopping.clear()
        self.error = None
        self._counts = [0, 0, 0]
        self._dropped = False
        self._pushes = []
        self._log = self._new_log()  # from now on: nothing of before the start
        if not self._log.start():  # the log check also checks the token, where it can
            self.session.transport.current_user()
        self._connect()
        self._thread = threading.Thread(target=self._work, name="kitsu-events", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Disconnect and end the events thread (waits up to ``timeout`` seconds)."""
        self._stopping.set()
        with self._lock:
            self._lock.notify_all()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)
        self._close_socket()
        self._thread = None
        with self._lock:
            listeners = list(self._listeners)
        for listener in listeners:
            listener.put(self.error)

    def run(self, timeout: float | None = None) -> None:
        """Start, then block until :meth:`stop` (from a callback, another thread) or
        ``timeout`` seconds; raise the error that ended the stream, if one did."""
        self.start()
        try:
            self._stopping.wait(timeout)
        finally:
            self.stop()  # also when a callback stopped it: its thread has ended on return
        if self.error is not None:
            raise self.error

    def stats(self) -> EventStats:
        """Pushes received, events handed over and reconnections since the start."""
        return EventStats(*self._counts)

    # -- the events thread ---------------------------------------------------------------

    def _new_log(self) -> EventLog:
        transport = self.session.transport
        return EventLog(lambda params: transport.get(LISTS["events"], params))

    def _connect(self) -> None:
        tokens = self.session.transport.tokens
        sock = EventSocket(self.url, tokens.access if tokens else None, self._pushed, self._drop)
        sock.connect()
        self._socket = sock
        self._behind = True  # what happened while not connected is in the log
        with contextlib.suppress(ConnectionError):  # the API away: its next read binds it
            self.session.forget_cached(())  # the cache catches up once, by the log, then
        self.session.live_events = True  # pushes keep it fresh

    def _pushed(self, name: str, data: Any) -> None:
        """In the socket's thread: wake the events thread, outdate the cache at once."""
        with self._lock:
            self._counts[0] += 1
            self._pushes.append((name, data))
            self._lock.notify_all()
        types, complete = event_types([{"name": name}], limit=2)
        with contextlib.suppress(KitsuError):  # the API away: the event's delivery retries
            self.session.forget_cached(types if complete else _every_type())

    def _drop(self) -> None:
        self.session.live_events = False
        with self._lock:
            self._dropped = True
            self._lock.notify_all()

    def _work(self) -> None:
        try:
            while not self._stopping.is_set():
                if self._dropped:
                    self._reconnect()
                    continue
                self._step()
        except Exception as exc:  # a KitsuError (a refused token), or a bug: said, not hidden
            error = (
                exc if isinstance(exc, KitsuError) else KitsuError(f"live events failed: {exc!r}")
            )
            self.error = error
            self._stopping.set()
            self._close_socket()
            with self._lock:
                listeners = list(self._listeners)
            for listener in listeners:
                listener.put(error)

    def _step(self) -> None:
        deadline = self._log.next_deadline()
        with self._lock:
            if not self._pushes and not self._dropped and not self._stopping.is_set():
                wait = _WAIT if deadline is None else max(0.0, deadline - _now())
                self._lock.wait(min(wait, _WAIT))
            pushes, self._pushes = self._pushes, []
        rows: list[Row] = []
        for name, data in pushes:
            rows.extend(self._log.pushed(name, data))
        if self._log.readable and (pushes or self._log.waiting or self._behind):
            try:
                rows.extend(self._log.catch_up())
                self._behind = False
            except ConnectionError:  # the API is away: the pushes wait in the log's care
                self._behind = True
                self._stopping.wait(_WAIT)
        self._deliver(rows)

    def _reconnect(self) -> None:
        self._close_socket()
        with self._lock:
            self._dropped = False
        delay = _DELAYS[0]
        refreshed = False
        while not self._stopping.wait(delay):
            try:
                self._connect()
            except AuthenticationError:
                if refreshed:
                    raise
                refreshed = True  # an expired token: one authenticated request renews it
                with contextlib.suppress(ConnectionError):
                    self.session.transport.current_user()
                continue
            except ConnectionError:
                delay = min(delay * 2, _DELAYS[1])
                continue
            if not self._log.readable:  # whatever happened meanwhile is unknown
                with contextlib.suppress(ConnectionError):
                    self.session.forget_cached(_every_type())
            self._counts[2] += 1
            return

    def _close_socket(self) -> None:
        sock, self._socket = self._socket, None
        self.session.live_events = False
        if sock is not None:
            sock.close()

    # -- handing over --------------------------------------------------------------------

    def _deliver(self, rows: list[Row]) -> None:
        if not rows:
            return
        types, complete = event_types(rows, limit=len(rows) + 1)
        with contextlib.suppress(ConnectionError):  # the pushes outdated them already
            self.session.forget_cached(types if complete else _every_type())
        with self._lock:
            callbacks, listeners = list(self._callbacks), list(self._listeners)
        wanted = [r for r in rows if _wanted(r["name"], callbacks, listeners)]
        objects = self._objects(wanted)
        for row in wanted:
            key = _named(row)
            event = _event(row, objects.get(key) if key is not None else None)
            for match, callback in callbacks:
                if match(event.name):
                    _call(callback, event)
            for listener in listeners:
                if listener.matches(event.name):
                    listener.put(event)
        self._counts[1] += len(rows)

    def _objects(self, rows: list[Row]) -> dict[tuple[str, str], Entity | KitsuError | None]:
        """The objects the events name: read again for the events that do not delete
        them (:func:`~kitsu_orm.event_objects.read_objects`: the object, or why it could
        not be read); the session's copy, if any, for the others."""
        from .model.base import REGISTRY

        found: dict[tuple[str, str], Entity | KitsuError | None] = {}
        wanted: dict[str, set[str]] = {}
        for row in rows:
            key = _named(row)
            if key is None or key in found or key[1] in wanted.get(key[0], ()):
                continue
            if not str(row["name"]).endswith(":delete") and key[0] in REGISTRY:
                wanted.setdefault(key[0], set()).add(key[1])
            else:
                found[key] = self.session.identity_get(key[1])
        found.update(read_objects(self.session, wanted, self._stopping.wait))
        return found


def _host_root(host: str) -> str:
    return host[: -len("/api")] if host.endswith("/api") else host


def _named(row: Row) -> tuple[str, str] | None:
    """The (type, id) an event names: ``task:update`` names the Task ``data["task_id"]``."""
    kind = str(row.get("name", "")).partition(":")[0]
    type_name = EVENT_TYPES.get(kind)
    data = row.get("data") or {}
    id = data.get(kind.replace("-", "_") + "_id") if isinstance(data, Mapping) else None
    return (type_name, str(id)) if type_name and id else None


def _wanted(
    name: str, callbacks: list[tuple[Callable[[str], Any], Callback]], listeners: list[Listener]
) -> bool:
    return any(m(name) for m, _ in callbacks) or any(li.matches(name) for li in listeners)


def _event(row: Row, found: Entity | KitsuError | None) -> Event:
    def text(key: str) -> str | None:
        value = row.get(key)
        return None if value is None else str(value)

    data = row.get("data")
    return Event(
        name=str(row["name"]),
        data=dict(data) if isinstance(data, Mapping) else {},
        id=text("id"),
        created_at=text("created_at"),
        user_id=text("user_id"),
        project_id=text("project_id"),
        object=None if isinstance(found, KitsuError) else found,
        error=found if isinstance(found, KitsuError) else None,
    )


def _call(callback: Callback, event: Event) -> None:
    try:
        callback(event)
    except Exception:
        import logging

        logging.getLogger("kitsu_orm.events").exception(
            "the callback %r failed on %s", callback, event.name
        )


def _every_type() -> list[str]:
    from .model.base import REGISTRY

    return [*REGISTRY, "Casting", "EntityRow"]


def _now() -> float:
    import time

    return time.monotonic()
