"""The Session: the user's handle on one Kitsu server: add / delete / get / refresh,
the read path, commit and rollback.

A session owns one transport, one identity map (:mod:`kitsu_orm.identity`), one
loader (:mod:`kitsu_orm.loading`) and, optionally, a persistent cache. This module
holds what the user drives: the options, the transaction (``begin``, ``commit``,
``rollback``, ``changes``) and the objects it tracks (``add``, ``delete``,
``merge``, ``expunge``, ``refresh``). Its reads are its base class's,
:class:`~kitsu_orm.reading.ReadPath` (the cache, then the transport, then the
identity map), and the cache's binding to a (server, user) namespace is
:class:`~kitsu_orm.session_cache.SessionCache`'s. Writes are planned by the unit of
work (:mod:`kitsu_orm.unitofwork`) and sent by :mod:`kitsu_orm.persistence`, which
register what the server answered through ``session.identity``, the one door to
the session's internals.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, TypeVar

import attrs

from . import context
from .actions import Actions
from .context import current_session
from .errors import ConfigurationError, ConnectionError, DetachedError, NotFound, ValidationError
from .identity import IdentityMap
from .loading import Loader
from .model.base import Entity, State
from .model.state import instance_state, label
from .progress import Setting, check
from .reading import CacheUse, ReadPath, cache_use, check_row
from .retry import Retry

if TYPE_CHECKING:
    from .changes import ChangeSet
    from .events import Events
    from .protocols import TransportProtocol
    from .query import Query
    from .session_cache import AnyCache

# CacheUse, cache_use and current_session are the read path's and the context's,
# named here too: users import them from the session, as they always have.
__all__ = ["CacheUse", "Session", "SessionStats", "cache_use", "connect", "current_session"]

E = TypeVar("E", bound=Entity)


def connect(
    host: str | None = None,
    email: str | None = None,
    password: str | None = None,
    *,
    token: str | None = None,
    transport: TransportProtocol | None = None,
    strict: bool = False,
    echo: bool = False,
    timeout: float | tuple[float, float] | None = None,
    retry: Retry | None = None,
    workers: int = 8,
    cache: str | AnyCache = "off",
    cache_dir: str | None = None,
    progress: Setting = False,
) -> Session:
    """Open a session and make it the current one of this thread or asyncio task, for
    class-level calls; on the main thread, the process default too, which threads with
    no session of their own use (see :mod:`kitsu_orm.context`). The options are
    :class:`Session`'s.

    With no host nor transport, the host and credentials not passed come from
    ``KITSU_HOST`` (or ``KITSU_URL``), ``KITSU_TOKEN`` or ``KITSU_EMAIL`` and
    ``KITSU_PASSWORD`` (see :mod:`kitsu_orm.environment`)."""
    if host is None and transport is None:
        from .environment import from_environment

        found = from_environment(host=host, email=email, password=password, token=token)
        host, email, password, token = found.host, found.email, found.password, found.token
    session = Session(
        host,
        email,
        password,
        token=token,
        transport=transport,
        strict=strict,
        echo=echo,
        timeout=timeout,
        retry=retry,
        workers=workers,
        cache=cache,
        cache_dir=cache_dir,
        progress=progress,
    )
    context.make_current(session)
    return session


@attrs.frozen
class SessionStats:
    """Requests this session's transport sent, and answers served without one."""

    requests: int
    by_method: dict[str, int]
    retries: int
    cache_hits: int


class Session(ReadPath):
    """A unit of work against one Kitsu server.

    ``with Session(...) as s:`` (or ``with session.begin():``) commits when
    the block ends and rolls back when it raises. ``strict=True`` makes any
    lazy load raise :class:`~kitsu_orm.errors.LazyLoadError`, for code that
    must prove it sends no hidden request. ``progress`` (False, True or
    ``"auto"``) draws bars for long commits and loads: see :mod:`kitsu_orm.progress`.

    Threads may share a session. Its identity map and its new / deleted
    objects change under a lock held for microseconds, never over a request:
    loads of several threads run side by side and still give one object per
    id; ``new``, ``dirty``, ``deleted`` and ``changes()`` are copies taken at
    one instant; an edit made while another thread loads the same object stays
    an edit; ``commit()`` runs one at a time (a second one waits, then sends
    what is left), and ``rollback()`` and ``close()`` wait for a commit in
    flight. Which session is *current* is per thread and asyncio task: see
    :mod:`kitsu_orm.context`. The promises, their limits and their tests are in
    docs/guarantees.md, "Threads".
    """

    def __init__(
        self,
        host: str | None = None,
        email: str | None = None,
        password: str | None = None,
        *,
        token: str | None = None,
        transport: TransportProtocol | None = None,
        strict: bool = False,
        echo: bool = False,
        timeout: float | tuple[float, float] | None = None,
        retry: Retry | None = None,
        workers: int = 8,
        cache: str | AnyCache = "off",
        cache_dir: str | None = None,
        progress: Setting = False,
    ) -> None:
        self.progress = check(progress)
        if transport is None:
            if host is None:
                raise ConfigurationError("a Session needs a host or a transport")
            from .transport import DEFAULT_TIMEOUT, Transport

            transport = Transport(
                host, token=token, echo=echo, retry=retry, timeout=timeout or DEFAULT_TIMEOUT
            )
            if email is not None:
                transport.login(email, password or "")
        self.transport: TransportProtocol = transport
        self.strict = strict
        self.workers = workers
        self.cache_hits = 0
        self._hits_lock = threading.Lock()
        self._role_lock = threading.Lock()
        self.is_offline = False
        self.use_cache(cache, cache_dir)
        # The identity map changes under its own lock, held briefly (never over a
        # request); _commit_lock lets one commit, rollback or close run at a time.
        self._identity = IdentityMap(self)
        self._commit_lock = threading.RLock()
        self._loader = Loader(self)
        self._events: Events | None = None

    def __repr__(self) -> str:
        new = len(self._identity.pending())
        return f"<Session {self.transport.host} objects={len(self._identity)} new={new}>"

    @property
    def identity(self) -> IdentityMap:
        """The identity map: one object per id, and the new, deleted and in-doubt
        objects. The loader and the unit of work register what they load and write
        through its methods (the one door to the session's internals)."""
        return self._identity

    @property
    def loader(self) -> Loader:
        """The loader of relationships and rows, in batches (:mod:`kitsu_orm.loading`)."""
        return self._loader

    @property
    def events(self) -> Events:
        """Zou's live events for this session (:mod:`kitsu_orm.events`): ``on(pattern)``
        callbacks and ``listen(pattern)`` iterators, each event with its object fresh."""
        if self._events is None:
            from .events import Events

            self._events = Events(self)
        return self._events

    @property
    def actions(self) -> Actions:
        """The verbs that need the server (:mod:`kitsu_orm.actions`), for this session's
        objects: entity methods such as ``task.working_file_path()`` call them here."""
        return Actions(self)

    # -- context --------------------------------------------------------------------

    def __enter__(self) -> Session:
        context.enter(self)
        return self

    def __exit__(self, exc_type: type[BaseException] | None, *_: object) -> None:
        try:
            if exc_type is None:
                self.commit()
            else:
                self.rollback()
        finally:
            context.leave()

    @contextmanager
    def begin(self) -> Iterator[Session]:
        """A transaction: commit on success, roll back on an exception."""
        with context.using(self):
            try:
                yield self
            except BaseException:
                self.rollback()
                raise
            else:
                self.commit()

    def close(self) -> None:
        """Detach every object (and stop the live events); waits for a commit in flight
        in another thread."""
        if self._events is not None:
            self._events.stop()
        with self._commit_lock:
            self._identity.clear()

    @property
    def stats(self) -> SessionStats:
        """The transport's request counters: how many requests this session's work cost."""
        s = self.transport.stats
        return SessionStats(s.total, dict(s.by_method), s.retries, self.cache_hits)

    # -- reading (get, fetch, read and the rest of the read path: ReadPath) -------------

    def query(self, cls: type[E]) -> Query[E]:
        """A query of ``cls`` in this session (``session.query(Shot).where(...)``)."""
        from .query import Query

        return Query(cls, session=self)

    def changes(self) -> ChangeSet:
        """What ``commit()`` would send, to review (``print(session.changes())``).

        Built from what is loaded only: it sends no request.
        """
        from .changes import ChangeSet

        with self._identity.lock:
            return ChangeSet.of(self)

    def refresh(self, obj: E) -> E:
        """Reload ``obj`` from the server; its unsaved edits are dropped."""
        if obj.id is None or obj.session is not self:
            raise DetachedError(f"{obj!r} is not a persistent object of this session")
        try:
            row = self.read(
                type(obj).__kitsu_type__, self._one_route(type(obj), obj.id), {}, fresh=True
            )
        except NotFound as exc:
            raise NotFound.of_object(
                type(obj).__name__,
                obj.id,
                label=label(obj),
                loaded=True,
                cause=exc,
            ) from exc
        check_row(type(obj), obj.id, row)
        with self._identity.lock:
            instance_state(obj).changes = None
            self._identity.apply_row(obj, row)
            instance_state(obj).related = None
        return obj

    # -- writing ------------------------------------------------------------------------

    def add(self, obj: Entity) -> Entity:
        """Track ``obj``: a new object is created on commit."""
        if not isinstance(obj, Entity):
            raise ValidationError(f"only entities can be added, not {type(obj).__name__}")
        with self._identity.lock:
            if obj.session is self and obj.state is not State.DETACHED:
                return obj
            if (
                obj.session is not None
                and obj.session is not self
                and obj.state is not State.DETACHED
            ):
                raise ValidationError(f"{obj!r} belongs to another session: expunge it there first")
            if obj.id is not None and obj.state is State.DETACHED:
                self._identity.register_persistent(obj)
                return obj
            if obj.id is not None:
                raise ValidationError(f"{obj!r} has an id: load it with session.get() instead")
            self._identity.register_pending(obj)
            return obj

    def merge(self, obj: E) -> E:
        """``obj`` (a new episode, sequence, shot or scene) as the existing object of its
        name and parent, with ``obj``'s fields applied as edits (a ``data`` dict key by
        key), pending until commit; ``obj`` itself, added, when there is none. One request.
        """
        from .conflicts import merge
        from .persistence import creatable

        return merge(self, obj, creatable(obj))  # type: ignore[return-value]

    def add_all(self, objs: Any) -> None:
        """``add`` each object: for building many at once."""
        for obj in objs:
            self.add(obj)

    def delete(self, obj: Entity) -> None:
        """Delete ``obj`` on commit (a pending object is simply forgotten)."""
        with self._identity.lock:
            if obj.session is not self:
                raise DetachedError(f"{obj!r} is not in this session")
            self._identity.register_deleted(obj)

    def expunge(self, obj: Entity) -> None:
        """Stop tracking ``obj``; its edits are no longer committed."""
        with self._identity.lock:
            if obj.session is not self:
                raise DetachedError(f"{obj!r} is not in this session")
            self._identity.expunge(obj)

    @property
    def new(self) -> list[Entity]:
        """The pending objects, created on commit (a copy: the session's own may change)."""
        return self._identity.pending()

    @property
    def dirty(self) -> list[Entity]:
        """The loaded objects with unsaved edits (a copy, taken at once)."""
        return self._identity.dirty()

    @property
    def deleted(self) -> list[Entity]:
        """The objects deleted on commit (a copy)."""
        return self._identity.deleted()

    def commit(
        self,
        *,
        overwrite: bool = False,
        progress: Setting | None = None,
        only: Iterable[Entity] | None = None,
    ) -> None:
        """Send every change, in dependency order. See :mod:`kitsu_orm.unitofwork`.

        ``only`` sends the changes of those objects alone, with the pending objects
        they depend on (a new shot's new sequence); every other change stays pending.
        ``progress`` overrides the session's setting for this commit.
        """
        from .unitofwork import UnitOfWork

        with self._commit_lock:
            if self.cache_mode == "offline" and (self._identity.has_changes() or self.dirty):
                raise ConnectionError(
                    "this session is offline: nothing was sent, and every change is kept; "
                    "commit again from a session connected to the server"
                )
            setting = self.progress if progress is None else check(progress)
            UnitOfWork(self, overwrite=overwrite, progress=setting, only=only).run()

    @contextmanager
    def between_commits(self) -> Iterator[None]:
        """A block in which no commit, rollback or close of this session runs: one in
        flight in another thread is waited for. For readers on other threads (the live
        events) that merge rows into the session: a row merged while a commit takes in
        the server's answers would be taken for someone else's object."""
        with self._commit_lock:
            yield

    def rollback(self) -> None:
        """Undo every uncommitted edit: loaded values come back, pending objects go.

        Waits for a commit in flight in another thread, then undoes what it left."""
        with self._commit_lock:
            self._identity.rollback()
