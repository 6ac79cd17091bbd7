"""The read path of a session: cache, then transport, then the identity map.

Every read of rows goes through it: :meth:`ReadPath.read` (the cache when it
has a fresh answer, else the transport; long IN-lists cut to fit the request
line), :meth:`ReadPath.fetch` (the rows of a type, through the routes the
user's role may read, merged into the identity map), :meth:`ReadPath.get_rows`
and :meth:`ReadPath.reload` (the server itself, never the cache). Queries, the
loader, ``refresh()`` and the gazu facade all read through them, as methods of
the session (:class:`ReadPath` is a base class of
:class:`~kitsu_orm.session.Session`).
"""

from __future__ import annotations

import contextvars
import json
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, TypeVar

import attrs

from .cache_freshness import cacheable
from .errors import NotFound, PermissionDenied, ValidationError
from .loading import group_of
from .model.base import REGISTRY, Entity
from .model.builders import prepare_structure
from .model.declaration import is_row_of
from .model.wire import PARTIAL
from .progress import rows_read
from .read_routes import ONE_ROLES, Values, read_plan, role_name
from .routes import routes_for
from .session_cache import SessionCache
from .side_by_side import side_by_side
from .urls import checked_id, fill, fitting

if TYPE_CHECKING:
    from .identity import IdentityMap

__all__ = ["CacheUse", "ReadPath", "cache_use", "check_row", "filter_names", "rows_of"]

E = TypeVar("E", bound=Entity)
T = TypeVar("T")

_cache_use: contextvars.ContextVar[CacheUse | None] = contextvars.ContextVar(
    "kitsu_cache_use", default=None
)


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


class ReadPath(SessionCache):
    """The reads of a session: a base class of :class:`~kitsu_orm.session.Session`,
    whose identity map they fill."""

    # Set by Session.__init__; kept up to date by every read the cache answers.
    cache_hits: int
    is_offline: bool
    workers: int  # how many requests a commit sends at once
    # Reads of one include may run side by side (kitsu_orm.load_plan): no hit is
    # lost, and the role is asked once.
    _hits_lock: threading.Lock
    _role_lock: threading.Lock

    if TYPE_CHECKING:
        # The session's own (Session.identity): where fetched rows become objects.
        @property
        def identity(self) -> IdentityMap: ...

    def get(self, cls: type[E], id: str) -> E:
        """The object with this id: from the identity map, else one request."""
        id = checked_id(id, f"{cls.__name__}.get()")
        found = self.identity.get(id)
        if found is not None:
            if not isinstance(found, cls):
                raise ValidationError(f"{id} is a {type(found).__name__}, not a {cls.__name__}")
            return found
        route = self._one_route(cls, id)
        try:
            row = self.read(cls.__kitsu_type__, route, {})
        except NotFound as exc:
            raise NotFound.of_object(cls.__name__, id, cause=exc) from exc
        check_row(cls, id, row)
        return self.identity.merge_row(cls, row)

    def identity_get(self, id: str) -> Entity | None:
        """The object with this id if this session holds it, else None; never a request."""
        return self.identity.get(id)

    def fetch(
        self,
        cls: type[E],
        params: Mapping[str, Values],
        context: Mapping[str, Values] | None = None,
    ) -> list[E]:
        """Rows of ``cls`` matching ``params`` (wire names: a value or a list of values),
        through the routes this user's role may read (:func:`~kitsu_orm.read_routes.read_plan`).
        ``context``: values the rows share without being filtered on (their project).
        Rows asked for some ``fields`` only are partial: the others load on first read."""
        rows = self.rows_as_role(cls, params, context)
        if "fields" in params:
            rows = [{**row, PARTIAL: True} for row in rows]
        return self.merge_answer(cls, rows)

    def merge_answer(self, cls: type[E], rows: list[dict[str, Any]]) -> list[E]:
        """The objects of the rows :meth:`rows_as_role` read for ``cls`` (those of
        another kind left out), merged into the identity map as one answer, as a load
        group: the second half of :meth:`fetch`, for a loader that read them on
        another thread."""
        kinds = self.entity_kinds() if any(r.get("type") == "Entity" for r in rows) else None
        rows = [row for row in rows if is_row_of(cls, row, kinds)]
        prepare_structure(cls, len(rows))
        merge = self.identity.merge_row
        with self.identity.lock:  # one answer merges as a whole
            return group_of(merge(cls, row) for row in rows)  # type: ignore[return-value]

    def rows_as_role(
        self,
        cls: type[Entity],
        params: Mapping[str, Values],
        context: Mapping[str, Values] | None = None,
        *,
        fresh: bool = False,
    ) -> list[dict[str, Any]]:
        """The rows :meth:`fetch` merges, as the server answers them, through the
        routes this user's role may read (``fresh``: never from the cache)."""
        type_name = cls.__kitsu_type__
        names = filter_names(cls)

        def read(role: str) -> list[dict[str, Any]]:
            plan = read_plan(type_name, role, params, context, names=names)
            rows: list[dict[str, Any]] = []
            for request in plan.requests:
                answer = self.read(type_name, request.path, dict(request.params), fresh=fresh)
                rows.extend(rows_of(answer))
            if plan.local:
                rows = [r for r in rows if _matches(r, plan.local)]
            if len(plan.requests) > 1:
                rows = list({r["id"]: r for r in rows}.values())
            return rows

        return self.as_role(read)

    def entity_kinds(self) -> dict[str, str]:
        """Entity type id -> name, for answers whose rows all say ``"Entity"``: read
        once a session, whole (an id missing from it is an asset type made since)."""
        kinds: dict[str, str] | None = getattr(self, "_entity_kinds", None)
        if kinds is None:
            rows = self.fetch(REGISTRY["EntityType"], {})
            kinds = {str(o.id): str(getattr(o, "name", "")) for o in rows}
            self._entity_kinds = kinds
        return kinds

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

    def _count_hit(self) -> None:
        with self._hits_lock:
            self.cache_hits += 1

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

    def reload(
        self,
        cls: type[E],
        ids: list[str],
        before_merge: Callable[[dict[str, Any]], None] | None = None,
    ) -> list[E]:
        """Read these objects again from the server itself (never the cache); the ones
        it answered (one it leaves out is gone, or not this user's to read).
        ``before_merge`` sees each row before it is merged."""
        if not ids:
            return []
        rows = self.rows_by_id(cls, ids)
        with self.identity.lock:  # the rows merge as a whole
            if before_merge is not None:
                for row in rows:
                    before_merge(row)
            return [self.identity.merge_row(cls, row) for row in rows]

    def rows_by_id(
        self,
        cls: type[Entity],
        ids: list[str],
        params: dict[str, Any] | None = None,
        route: str | None = None,
    ) -> list[dict[str, Any]]:
        """Rows by id from the server itself: through ``route`` (the type's list route
        by default), or, where Zou keeps it for admins, through the routes the user's
        role reads them by, scoped by what the objects this session holds point at
        (their task...)."""
        routes = routes_for(cls.__kitsu_type__)
        part = json.dumps(ids, separators=(",", ":"))
        given = {**(routes.list_params if route is None else {}), **(params or {}), "id": part}
        try:
            return self.get_rows(route or routes.list, given)
        except PermissionDenied:
            held = [o for o in map(self.identity.get, ids) if o is not None]
            context: dict[str, Values] = {}
            for key in _SCOPES:
                name = cls.__from_wire__.get(key)
                found = {getattr(o, name) for o in held} - {None} if name else set()
                if found:
                    context[key] = sorted(found)
            return self.rows_as_role(cls, {"id": ids}, context, fresh=True)

    def get_rows(self, route: str, params: dict[str, Any]) -> list[Any]:
        """The rows of a list GET from the server itself (never the cache), in as many
        requests as its IN-lists need to fit the server's request line: what a commit
        reads to check or settle its writes, which an outdated answer would mislead.

        The parts are sent side by side (up to ``workers`` at once): a commit's
        conflict check of 500 objects is six of them, which one after the other
        would cost six round trips to a distant server before the first write."""
        parts = fitting(self.transport.host, route, params)
        answers = side_by_side(lambda part: self.transport.get(route, part), parts, self.workers)
        return [row for answer in answers for row in rows_of(answer)]

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
        if self.cache is None or (use is not None and use.bypass) or not cacheable(type_name):
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
            self._count_hit()
        rows_read(body)
        return body

    def computed(self, type_name: str, route: str, body: dict[str, Any]) -> Any:
        """The answer of a POST route that computes without writing (a path from the
        project's file tree), cached like a read: outdated by a write to any of the
        ``"A+B"`` types it depends on; from the server alone without a cache."""
        if self.cache is None:
            return self.transport.post(route, body)
        params = {"POST": json.dumps(body, sort_keys=True)}
        cache = self._scope_cache()
        answer, hit = cache.answer(
            type_name, route, params, lambda: self.transport.post(route, body)
        )
        if hit:
            self._count_hit()
        return answer

    @property
    def role_known(self) -> bool:
        """Whether :attr:`role` answers without a request."""
        return bool((self.transport.user or {}).get("role"))

    @property
    def role(self) -> str:
        """The user's role on the server: ``"admin"``, ``"manager"``, ``"supervisor"``,
        ``"user"`` (an artist), ``"client"`` or ``"vendor"``.

        Learnt from the login's answer, else asked once (``auth/authenticated``);
        reads and pre-commit checks pick their routes and limits by it.
        """
        user = self.transport.user or {}
        if not user.get("role"):
            with self._role_lock:  # loads read side by side may all need it at once
                user = self.transport.user or {}
                if not user.get("role"):
                    user = self.transport.current_user()
        return str(user.get("role") or "user")


# What rows are read by for roles whose generic route is refused (their project, task...).
_SCOPES = ("project_id", "object_id", "task_id", "entity_id", "person_id", "playlist_id")


def check_row(cls: type[Entity], id: str, row: Any) -> None:
    """Refuse an answer that is not the row of this object: another type's row
    (whatever the route answered, a Shot is never built from a Person) or
    another id."""
    if not isinstance(row, dict) or row.get("id") != id:
        raise ValidationError(f"the server's answer for {cls.__name__} {id} is not its row")
    kind = row.get("type")
    if kind is not None and kind != cls.__kitsu_type__:
        raise ValidationError(f"{id} is a {kind}, not a {cls.__name__}")


def rows_of(body: Any) -> list[dict[str, Any]]:
    """The rows of a list answer: a list, a page (``data``), or lists grouped in a
    dict (by person, by asset; a ``total`` beside them is not a row), or one row
    (a route by id)."""
    if isinstance(body, list):
        return body
    if not isinstance(body, dict):
        return []
    if isinstance(body.get("id"), str) and "type" in body:
        return [body]
    if isinstance(body.get("data"), list):
        return list(body["data"])
    rows = [row for rows in body.values() if isinstance(rows, list) for row in rows]
    for group in body.values():  # two levels: the user's filters, by list and project
        if isinstance(group, dict) and all(isinstance(v, list) for v in group.values()):
            rows += [row for rows in group.values() for row in rows]
    return rows


def _matches(row: Mapping[str, Any], local: Mapping[str, frozenset[str]]) -> bool:
    # A row that does not carry a key cannot be judged on it: kept.
    return all(key not in row or _text(row[key]) in values for key, values in local.items())


def _text(value: Any) -> str:
    """A row's value as a filter's text (booleans as the queries write them)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


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
