"""The Session: the user's handle on one Kitsu server: add / delete / get / refresh,
the read path, commit and rollback.

A session owns one transport, one identity map (:mod:`kitsu_orm.identity`), one
loader (:mod:`kitsu_orm.loading`) and, optionally, a persistent cache. Every read of
rows goes through its public read path: :meth:`Session.read` (the cache when it has a
fresh answer, else the transport; long IN-lists cut to fit the request line),
:meth:`Session.fetch` (the rows of a type, through the routes the user's role may
read, merged into the identity map), :meth:`Session.get_rows` and
:meth:`Session.reload` (the server itself, never the cache). Queries, the loader,
``refresh()``, the event-log catch-up of the cache and the gazu facade all read
through them. Writes are planned by the unit of work (:mod:`kitsu_orm.unitofwork`)
and sent by :mod:`kitsu_orm.persistence`, which register what the server answered
through ``session.identity``, the one door to the session's internals.
"""

from __future__ import annotations

import contextvars
import json
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, TypeVar

import attrs

if TYPE_CHECKING:
    from .cache import Cache
    from .changes import ChangeSet
    from .protocols import TransportProtocol
    from .query import Query

from . import context
from .context import current_session
from .errors import (
    AuthenticationError,
    ConfigurationError,
    ConnectionError,
    DetachedError,
    NotFound,
    PermissionDenied,
    ValidationError,
)
from .identity import IdentityMap
from .loading import Loader, group_of
from .model.base import Entity, State
from .model.builders import prepare_structure
from .model.state import instance_state, label
from .progress import Setting, check, rows_read
from .retry import Retry
from .routes import LISTS, ONE_ROLES, Values, read_plan, role_name, routes_for
from .urls import checked_id, fill, fitting

__all__ = ["CacheUse", "Session", "SessionStats", "cache_use", "connect", "current_session"]

E = TypeVar("E", bound=Entity)
T = TypeVar("T")

_cache_use: contextvars.ContextVar[CacheUse | None] = contextvars.ContextVar(
    "kitsu_cache_use", default=None
)


def connect(
    host: str,
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
    cache: str | Cache = "off",
    cache_dir: str | None = None,
    progress: Setting = False,
) -> Session:
    """Open a session and make it the current one of this thread or asyncio task, for
    class-level calls; on the main thread, the process default too, which threads with
    no session of their own use (see :mod:`kitsu_orm.context`). The options are
    :class:`Session`'s."""
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


@attrs.define
class CacheUse:
    """How the reads of a ``with cache_use():`` block use the cache, and what they read."""

    bypass: bool = False
    types: set[str] = attrs.Factory(set)


@contextmanager
def cache_use(*, bypass: bool = False) -> Iterator[CacheUse]:
    """Record the cached types the reads of this block touch; with ``bypass``, they ask
    the server, never the cache (writes still outdate it). Nested blocks report outward,
    and a bypassing block bypasses for the blocks inside it too."""
    outer = _cache_use.get()
    use = CacheUse(bypass or (outer is not None and outer.bypass))
    token = _cache_use.set(use)
    try:
        yield use
    finally:
        _cache_use.reset(token)
        if outer is not None:
            outer.types |= use.types


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
        cache: str | Cache = "off",
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
        self.is_offline = False
        self.cache_mode, self.cache = _open_cache(cache, cache_dir)
        self._cache_scope: tuple[str, str] | None = None
        self._confirmed: tuple[str, str] | None = None  # (access token, user id)
        # The identity map changes under its own lock, held briefly (never over a
        # request); _commit_lock lets one commit, rollback or close run at a time.
        self._identity = IdentityMap(self)
        self._commit_lock = threading.RLock()
        self._loader = Loader(self)

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
        """Detach every object; waits for a commit in flight in another thread."""
        with self._commit_lock:
            self._identity.clear()

    @property
    def stats(self) -> SessionStats:
        """The transport's request counters: how many requests this session's work cost."""
        s = self.transport.stats
        return SessionStats(s.total, dict(s.by_method), s.retries, self.cache_hits)

    # -- reading ------------------------------------------------------------------------

    def query(self, cls: type[E]) -> Query[E]:
        """A query of ``cls`` in this session (``session.query(Shot).where(...)``)."""
        from .query import Query

        return Query(cls, session=self)

    def get(self, cls: type[E], id: str) -> E:
        """The object with this id: from the identity map, else one request."""
        id = checked_id(id, f"{cls.__name__}.get()")
        found = self._identity.get(id)
        if found is not None:
            if not isinstance(found, cls):
                raise ValidationError(f"{id} is a {type(found).__name__}, not a {cls.__name__}")
            return found
        route = self._one_route(cls, id)
        try:
            row = self.read(cls.__kitsu_type__, route, {})
        except NotFound as exc:
            raise NotFound.of_object(cls.__name__, id, cause=exc) from exc
        _check_row(cls, id, row)
        return self._identity.merge_row(cls, row)

    def identity_get(self, id: str) -> Entity | None:
        """The object with this id if this session holds it, else None; never a request."""
        return self._identity.get(id)

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
        _check_row(type(obj), obj.id, row)
        with self._identity.lock:
            instance_state(obj).changes = None
            self._identity.apply_row(obj, row)
            instance_state(obj).related = None
        return obj

    def fetch(
        self,
        cls: type[E],
        params: Mapping[str, Values],
        context: Mapping[str, Values] | None = None,
    ) -> list[E]:
        """Rows of ``cls`` matching ``params`` (wire names: a value or a list of values),
        through the routes this user's role may read (:func:`~kitsu_orm.routes.read_plan`).
        ``context``: values the rows share without being filtered on (their project)."""
        type_name = cls.__kitsu_type__
        names = filter_names(cls)

        def read(role: str) -> list[dict[str, Any]]:
            plan = read_plan(type_name, role, params, context, names=names)
            rows: list[dict[str, Any]] = []
            for request in plan.requests:
                rows.extend(rows_of(self.read(type_name, request.path, dict(request.params))))
            if plan.local:
                rows = [r for r in rows if _matches(r, plan.local)]
            if len(plan.requests) > 1:
                rows = list({r["id"]: r for r in rows}.values())
            return rows

        rows = self.as_role(read)
        prepare_structure(cls, len(rows))
        merge = self._identity.merge_row
        with self._identity.lock:  # one answer merges as a whole
            return group_of(merge(cls, row) for row in rows)  # type: ignore[return-value]

    def as_role(self, read: Callable[[str], T]) -> T:
        """Run a read planned for this user's role. A session that does not know its
        role yet (a bare token) reads as an admin first, so that an admin never pays
        for the lookup; Zou refuses another role the admin's routes (403, or 404 for
        a list of ids), and the session then learns its role, once, and reads again."""
        known = self._known_role()
        if known is not None:
            return read(known)
        try:
            return read("admin")
        except (PermissionDenied, NotFound):
            if self.role == "admin":
                raise
            return read(self.role)

    def _known_role(self) -> str | None:
        role = (self.transport.user or {}).get("role")
        return str(role) if role else None

    def _one_route(self, cls: type[Entity], id: str) -> str:
        """The route of one object, refused before any request to a role Zou refuses."""
        type_name = cls.__kitsu_type__
        roles = ONE_ROLES.get(type_name)
        if roles is not None and self._known_role() not in (None, *roles):
            raise PermissionDenied(
                f"{role_name(self.role)} cannot read one {type_name} by id: Kitsu lets only "
                f"{', '.join(sorted(roles))} do it; list them by their parent instead"
            )
        return fill(routes_for(type_name).one, id=id)

    def reload(self, cls: type[E], ids: list[str]) -> None:
        """Read these objects again from the server itself (never the cache)."""
        if not ids:
            return
        routes = routes_for(cls.__kitsu_type__)
        part = json.dumps(ids, separators=(",", ":"))
        rows = self.get_rows(routes.list, {**routes.list_params, "id": part})
        with self._identity.lock:  # the rows merge as a whole
            for row in rows:
                self._identity.merge_row(cls, row)

    def get_rows(self, route: str, params: dict[str, Any]) -> list[Any]:
        """The rows of a list GET from the server itself (never the cache), in as many
        requests as its IN-lists need to fit the server's request line: what a commit
        reads to check or settle its writes, which an outdated answer would mislead."""
        rows: list[Any] = []
        for part in fitting(self.transport.host, route, params):
            rows.extend(rows_of(self.transport.get(route, part)))
        return rows

    def read(
        self, type_name: str, route: str, params: dict[str, Any], *, fresh: bool = False
    ) -> Any:
        """The answer of ``GET route?params``, as the server's JSON (nothing merged into
        the identity map: :meth:`fetch` does that). From the cache when it holds a fresh
        answer, else from the server; ``type_name`` names what the answer is about, for
        the cache to outdate it when that type is written (``"Shot+Task"`` for both).
        ``fresh``: from the server itself, never the cache (``refresh()``).

        A query too long for the server's request line (a long IN-list of ids) is read
        in parts (:func:`~kitsu_orm.urls.fitting`), whose rows make one list."""
        parts = fitting(self.transport.host, route, params)
        if fresh and len(parts) == 1:
            return self.transport.get(route, parts[0] or None)
        if len(parts) == 1:
            return self._read_one(type_name, route, parts[0])
        rows: dict[Any, Any] = {}
        for part in parts:
            answer = (
                self.transport.get(route, part) if fresh else self._read_one(type_name, route, part)
            )
            for row in rows_of(answer):
                rows[row.get("id") if isinstance(row, dict) else id(row)] = row
        return list(rows.values())

    def _read_one(self, type_name: str, route: str, params: dict[str, Any]) -> Any:
        use = _cache_use.get()
        if use is not None:
            use.types.add(type_name)
        if self.cache is None or (use is not None and use.bypass):
            body = self.transport.get(route, params)
            rows_read(body)
            return body
        cache = self._scope_cache()
        offline = self.cache_mode == "offline"
        try:
            body, hit = cache.answer(
                type_name, route, params, lambda: self.transport.get(route, params), offline=offline
            )
        except ConnectionError:
            body = cache.stale_answer(type_name, route, params)
            if body is None:
                raise
            self.is_offline, hit = True, True
        else:
            self.is_offline = offline or (self.is_offline and hit)
        if hit:
            self.cache_hits += 1
        rows_read(body)
        return body

    def forget_cached(self, type_names: Any) -> None:
        """Drop cached answers about these types (the unit of work calls it after writes)."""
        if self.cache is not None:
            self._scope_cache().forget_types(type_names)

    def use_cache(self, cache: str | Cache = "on", cache_dir: str | None = None) -> None:
        """Switch this live session's cache: ``"on"``, ``"off"``, ``"offline"`` or a Cache."""
        self.cache_mode, self.cache = _open_cache(cache, cache_dir)
        self._cache_scope = None
        self._confirmed = None

    @property
    def role(self) -> str:
        """The user's role on the server: ``"admin"``, ``"manager"``, ``"supervisor"``,
        ``"user"`` (an artist), ``"client"`` or ``"vendor"``.

        Learnt from the login's answer, else asked once (``auth/authenticated``);
        reads and pre-commit checks pick their routes and limits by it.
        """
        user = self.transport.user or {}
        if not user.get("role"):
            user = self.transport.current_user()
        return str(user.get("role") or "user")

    @property
    def user_id(self) -> str:
        """The id of the person this session's requests act as (asked once when the
        session was given a bare token). With a cache, only a user the server
        confirmed for the token (see ``_user_id``)."""
        if self.cache is not None:
            return self._user_id()
        confirmed = self.transport.confirmed_user_id()
        if confirmed is not None:
            return str(confirmed)
        user = self.transport.user or {}
        if not user.get("id"):
            user = self.transport.current_user()
        return str(user["id"])

    def _user_id(self) -> str:
        """Who this session is, to pick the cache namespace: a user the server named
        for the current token (its login's answer, ``auth/authenticated``), never the
        token's own claims, which anyone can write. The cache remembers each confirmed
        token (a keyed digest of it), so a warm process asks nothing and a new token
        asks once; offline, a token never confirmed with this cache reads nothing."""
        assert self.cache is not None
        tokens = self.transport.tokens
        access = tokens.access if tokens is not None else ""
        if self._confirmed is not None and self._confirmed[0] == access:
            return self._confirmed[1]
        host, offline = self.transport.host, self.cache_mode == "offline"
        user_id: str | None = self.transport.confirmed_user_id()
        remembered = user_id is None and tokens is not None
        if remembered:
            user_id = self.cache.confirmed_user(host, access, any_age=offline)
        if user_id is None:
            if offline:
                raise AuthenticationError(
                    "offline, the cache serves only a user the server confirmed before, and "
                    "this session's token never was: use it online once (or log in)"
                )
            try:
                user_id = str(self.transport.current_user()["id"])
                remembered = False
            except ConnectionError:  # no server: as offline, a token confirmed before
                user_id = self.cache.confirmed_user(host, access, any_age=True)
                if user_id is None:
                    raise
        tokens = self.transport.tokens  # refreshed on the way, maybe
        if tokens is not None and not remembered:
            self.cache.confirm(host, tokens.access, user_id, until=tokens.expires)
        self._confirmed = (tokens.access if tokens is not None else "", user_id)
        return user_id

    def _scope_cache(self) -> Cache:
        """The cache, bound to this session's (server, user): checked on every use, since
        the transport may log in as someone else, and a Cache object may be shared by the
        sessions of several users. Catches up on events once per (server, user)."""
        assert self.cache is not None
        scope = (self.transport.host, self._user_id())
        if not self.cache.serves(*scope):
            if self.cache.namespace:  # another user's, or another session's: not ours to rebind
                self.cache = self.cache.sibling()
            self.cache.scope(*scope)
        if scope != self._cache_scope:
            self._cache_scope = scope
            if self.cache_mode == "on":
                self._catch_up_on_events(self.cache)
        return self.cache

    def _catch_up_on_events(self, cache: Cache) -> None:
        """Drop what other people changed since this namespace last looked, where the
        user may read Zou's event log; the time-to-live covers everyone else. Skipped
        when the last look is younger than ``cache.events_interval`` seconds."""
        from datetime import datetime, timezone

        from .cache import event_types

        now = datetime.now(timezone.utc).replace(tzinfo=None)
        since = cache.last_event_check()
        if since is not None and _seconds_since(since, now) < cache.events_interval:
            return
        if since is not None:
            params = {"after": since, "limit": 1000}
            try:
                events = self.read("Event", LISTS["events"], params, fresh=True)
            except (PermissionDenied, NotFound, ValidationError):
                return  # not a manager: the time-to-live alone applies
            types, complete = event_types(events, limit=1000)
            cache.forget_types(types if complete else _all_type_names())
        cache.record_event_check(now.isoformat(timespec="seconds"))

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

    def rollback(self) -> None:
        """Undo every uncommitted edit: loaded values come back, pending objects go.

        Waits for a commit in flight in another thread, then undoes what it left."""
        with self._commit_lock:
            self._identity.rollback()


def _check_row(cls: type[Entity], id: str, row: Any) -> None:
    """Refuse an answer that is not the row of this object: another type's row
    (whatever the route answered, a Shot is never built from a Person) or
    another id."""
    if not isinstance(row, dict) or row.get("id") != id:
        raise ValidationError(f"the server's answer for {cls.__name__} {id} is not its row")
    kind = row.get("type")
    if kind is not None and kind != cls.__kitsu_type__:
        raise ValidationError(f"{id} is a {kind}, not a {cls.__name__}")


_CACHE_MODES = ("off", "on", "offline")


def rows_of(body: Any) -> list[dict[str, Any]]:
    """The rows of a list answer: a list, a page (``data``), or lists grouped in a
    dict (by person, by asset; a ``total`` beside them is not a row)."""
    if isinstance(body, list):
        return body
    if not isinstance(body, dict):
        return []
    if isinstance(body.get("data"), list):
        return list(body["data"])
    return [row for rows in body.values() if isinstance(rows, list) for row in rows]


def _matches(row: Mapping[str, Any], local: Mapping[str, frozenset[str]]) -> bool:
    # A row that does not carry a key cannot be judged on it: kept.
    return all(key not in row or str(row[key]) in values for key, values in local.items())


def filter_names(cls: type[Entity]) -> dict[str, str]:
    """The user's word for each wire key of ``cls``: a relationship's name where
    one stands for the key (``parent_id`` -> ``sequence``), else the field's."""
    names = _NAMES.get(cls)
    if names is None:
        names = {wire: name for name, wire in cls.__wire__.items()}
        for name, rel in cls.__relationships__.items():
            wire = cls.__wire__.get(rel.key)
            if wire is not None and not rel.many:
                names[wire] = name
        _NAMES[cls] = names
    return names


_NAMES: dict[type[Entity], dict[str, str]] = {}


def _open_cache(cache: str | Cache, directory: str | None) -> tuple[str, Cache | None]:
    # diskcache and sqlite3 load only for sessions that use a cache.
    from .cache import Cache

    if isinstance(cache, Cache):
        return "on", cache
    if cache not in _CACHE_MODES:
        raise ConfigurationError(f"cache must be one of {', '.join(_CACHE_MODES)}, not {cache!r}")
    if cache == "off":
        return "off", None
    return cache, Cache(directory)


def _seconds_since(when: str, now: Any) -> float:
    from datetime import datetime

    try:
        return float((now - datetime.fromisoformat(when)).total_seconds())
    except (TypeError, ValueError):
        return float("inf")  # unreadable: look again


def _all_type_names() -> list[str]:
    from .model.base import REGISTRY

    return [*REGISTRY, "Casting"]
