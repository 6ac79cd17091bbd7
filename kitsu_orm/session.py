"""The Session: identity map, current-session context, add / delete / get / refresh,
commit and rollback.

A session owns one transport. It makes no HTTP call of its own: reads go
through the loader and queries, writes through the unit of work.
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import attrs

from .errors import ConfigurationError, DetachedError, ValidationError
from .loading import Loader, group_of
from .model.base import Entity, State
from .model.converter import structure_row
from .retry import Retry
from .routes import routes_for

__all__ = ["Session", "SessionStats", "connect", "current_session"]

E = TypeVar("E", bound=Entity)

_current: contextvars.ContextVar[Session | None] = contextvars.ContextVar(
    "kitsu_session", default=None
)
_default: list[Session] = []


def current_session() -> Session:
    """The session of the innermost ``with Session()``, else the one ``connect()`` made."""
    session = _current.get()
    if session is None and _default:
        session = _default[-1]
    if session is None:
        raise ConfigurationError("no current session: call kitsu_orm.connect(...) first")
    return session


def connect(
    host: str, email: str | None = None, password: str | None = None, **options: Any
) -> Session:
    """Open a session and make it the current one for class-level calls."""
    session = Session(host, email, password, **options)
    _default[:] = [session]
    return session


@attrs.frozen
class SessionStats:
    """Requests this session's transport sent, and answers served without one."""

    requests: int
    by_method: dict[str, int]
    retries: int
    cache_hits: int


class Session:
    """A unit of work against one Kitsu server.

    ``with Session(...) as s:`` (or ``with session.begin():``) commits when
    the block ends and rolls back when it raises. ``strict=True`` makes any
    lazy load raise :class:`~kitsu_orm.errors.LazyLoadError`, for code that
    must prove it sends no hidden request.
    """

    def __init__(
        self,
        host: str | None = None,
        email: str | None = None,
        password: str | None = None,
        *,
        token: str | None = None,
        transport: Any = None,
        strict: bool = False,
        echo: bool = False,
        timeout: float | tuple[float, float] | None = None,
        retry: Retry | None = None,
        workers: int = 8,
    ) -> None:
        if transport is None:
            if host is None:
                raise ConfigurationError("a Session needs a host or a transport")
            from .transport import DEFAULT_TIMEOUT, Transport

            transport = Transport(
                host, token=token, echo=echo, retry=retry, timeout=timeout or DEFAULT_TIMEOUT
            )
            if email is not None:
                transport.login(email, password or "")
        self.transport = transport
        self.strict = strict
        self.workers = workers
        self.cache_hits = 0
        self._identity: dict[str, Entity] = {}
        self._new: list[Entity] = []
        self._deleted: list[Entity] = []
        self._in_doubt: set[int] = set()
        self._loader = Loader(self)
        self._token: contextvars.Token[Session | None] | None = None

    def __repr__(self) -> str:
        return f"<Session {self.transport.host} objects={len(self._identity)} new={len(self._new)}>"

    # -- context --------------------------------------------------------------------

    def __enter__(self) -> Session:
        self._token = _current.set(self)
        return self

    def __exit__(self, exc_type: type[BaseException] | None, *_: object) -> None:
        try:
            if exc_type is None:
                self.commit()
            else:
                self.rollback()
        finally:
            if self._token is not None:
                _current.reset(self._token)
                self._token = None

    @contextmanager
    def begin(self) -> Iterator[Session]:
        """A transaction: commit on success, roll back on an exception."""
        token = _current.set(self)
        try:
            yield self
        except BaseException:
            self.rollback()
            raise
        else:
            self.commit()
        finally:
            _current.reset(token)

    def close(self) -> None:
        for obj in [*self._identity.values(), *self._new]:
            obj._set_state(State.DETACHED, None)
        self._identity.clear()
        self._new.clear()
        self._deleted.clear()

    @property
    def stats(self) -> SessionStats:
        s = self.transport.stats
        return SessionStats(s.total, dict(s.by_method), s.retries, self.cache_hits)

    # -- reading ------------------------------------------------------------------------

    def query(self, cls: type[E]) -> Any:
        from .query import Query

        return Query(cls, session=self)

    def get(self, cls: type[E], id: str) -> E:
        """The object with this id: from the identity map, else one request."""
        if not isinstance(id, str) or not id:
            raise ValidationError(f"{cls.__name__} ids are strings, not {id!r}")
        found = self._identity.get(id)
        if found is not None:
            if not isinstance(found, cls):
                raise ValidationError(f"{id} is a {type(found).__name__}, not a {cls.__name__}")
            return found
        row = self.transport.get(routes_for(cls.__kitsu_type__).one.format(id=id))
        return self._merge(cls, row)

    def refresh(self, obj: E) -> E:
        """Reload ``obj`` from the server; its unsaved edits are dropped."""
        if obj.id is None or obj._session is not self:
            raise DetachedError(f"{obj!r} is not a persistent object of this session")
        row = self.transport.get(routes_for(type(obj).__kitsu_type__).one.format(id=obj.id))
        object.__setattr__(obj, "_changes", None)
        self._apply_row(obj, row)
        object.__setattr__(obj, "_related", None)
        return obj

    def _fetch(self, cls: type[E], params: dict[str, Any]) -> list[E]:
        routes = routes_for(cls.__kitsu_type__)
        body = self.transport.get(routes.list, {**routes.list_params, **params})
        rows = body.get("data", []) if isinstance(body, dict) else body
        return group_of(self._merge(cls, row) for row in rows)  # type: ignore[return-value]

    def _merge(self, cls: type[E], row: dict[str, Any]) -> E:
        """The one object for this row: the identity map's, refreshed, or a new one."""
        obj = self._identity.get(row["id"])
        if obj is None:
            new = structure_row(row, cls)
            new._set_state(State.PERSISTENT, self)
            new._mark_clean()
            self._identity[row["id"]] = new
            return new
        if obj._state is State.PERSISTENT:
            # Fields the user edited keep the edit; the others take the news.
            self._apply_row(obj, row, keep_edits=True)
        return obj  # type: ignore[return-value]

    def _apply_row(self, obj: Entity, row: dict[str, Any], *, keep_edits: bool = False) -> None:
        cls = type(obj)
        edited = frozenset(obj.changes()) if keep_edits else frozenset()
        fresh = structure_row(row, cls)
        for wire_key in row:
            name = cls.__from_wire__.get(wire_key)
            if name is not None and name not in edited:
                object.__setattr__(obj, name, object.__getattribute__(fresh, name))
        if fresh._extra:
            object.__setattr__(obj, "_extra", {**(obj._extra or {}), **fresh._extra})
        obj._mark_clean(keep=edited)

    # -- writing ------------------------------------------------------------------------

    def add(self, obj: Entity) -> Entity:
        """Track ``obj``: a new object is created on commit."""
        if not isinstance(obj, Entity):
            raise ValidationError(f"only entities can be added, not {type(obj).__name__}")
        if obj._session is self and obj._state is not State.DETACHED:
            return obj
        if (
            obj._session is not None
            and obj._session is not self
            and obj._state is not State.DETACHED
        ):
            raise ValidationError(f"{obj!r} belongs to another session: expunge it there first")
        if obj.id is not None and obj._state is State.DETACHED:
            obj._set_state(State.PERSISTENT, self)
            self._identity[obj.id] = obj
            return obj
        if obj.id is not None:
            raise ValidationError(f"{obj!r} has an id: load it with session.get() instead")
        obj._set_state(State.PENDING, self)
        self._new.append(obj)
        return obj

    def add_all(self, objs: Any) -> None:
        for obj in objs:
            self.add(obj)

    def delete(self, obj: Entity) -> None:
        """Delete ``obj`` on commit (a pending object is simply forgotten)."""
        if obj._session is not self:
            raise DetachedError(f"{obj!r} is not in this session")
        if obj._state is State.PENDING:
            self._new.remove(obj)
            obj._set_state(State.TRANSIENT, None)
            return
        if obj._state is State.PERSISTENT:
            obj._set_state(State.DELETED, self)
            self._deleted.append(obj)

    def expunge(self, obj: Entity) -> None:
        """Stop tracking ``obj``; its edits are no longer committed."""
        if obj._session is not self:
            raise DetachedError(f"{obj!r} is not in this session")
        if obj in self._new:
            self._new.remove(obj)
        if obj in self._deleted:
            self._deleted.remove(obj)
        if obj.id is not None:
            self._identity.pop(obj.id, None)
        obj._set_state(State.DETACHED, None)

    @property
    def new(self) -> list[Entity]:
        return list(self._new)

    @property
    def dirty(self) -> list[Entity]:
        return [o for o in self._identity.values() if o._state is State.PERSISTENT and o.changes()]

    @property
    def deleted(self) -> list[Entity]:
        return list(self._deleted)

    def commit(self, *, overwrite: bool = False) -> None:
        """Send every change, in dependency order. See :mod:`kitsu_orm.unitofwork`."""
        from .unitofwork import UnitOfWork

        UnitOfWork(self, overwrite=overwrite).run()

    def rollback(self) -> None:
        """Undo every uncommitted edit: loaded values come back, pending objects go."""
        for obj in self._new:
            obj._set_state(State.TRANSIENT, None)
        self._new.clear()
        for obj in self._deleted:
            obj._set_state(State.PERSISTENT, self)
        self._deleted.clear()
        for obj in self._identity.values():
            changes = obj.changes()
            if not changes and obj._changes is None:
                continue
            for name, (old, _new) in changes.items():
                object.__setattr__(obj, name, old)
            obj._mark_clean()
            if changes:
                object.__setattr__(obj, "_related", None)

    def _forget(self, obj: Entity) -> None:
        """``obj`` was deleted on the server."""
        if obj.id is not None:
            self._identity.pop(obj.id, None)
        obj._set_state(State.DETACHED, None)
