"""Batched loading of relationships: one request per relationship per result set.

Objects that were loaded together (one query's results, or the targets of
one relationship load) share a *load group*. Reading a relationship on any
of them loads it for the whole group at once: by an IN-list of ids when it
fits in a URL, by one request scoped to the shared project when it does not,
and from the whole table, once per session, for small reference tables
(task types, statuses...). ``.include()`` runs the same loads up front, those
that do not depend on each other side by side (:mod:`kitsu_orm.load_plan`).
Casting and links load in :mod:`kitsu_orm.link_loads`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from functools import partial
from typing import TYPE_CHECKING, Any, TypeVar

from .boards import Board as Board  # where tests and callers have found it
from .boards import children_of, merge_rows, read_board
from .boards import in_listing_order as _sorted
from .errors import LazyLoadError, NotFound
from .in_flight import InFlight
from .link_loads import load_casting, load_linked
from .load_plan import Load, run_includes
from .model.base import REGISTRY, Entity
from .model.relationships import Casting, Linked, ManyIds, Relationship, ToMany, ToOne
from .model.state import instance_state, is_loaded, label, loaded_value, related_of
from .model.wire import PARTIAL
from .read_routes import encode_values
from .routes import LISTS, URL_ID_BUDGET

if TYPE_CHECKING:
    from .session import Session

__all__ = ["Loader", "LoadGroup"]

E = TypeVar("E", bound=Entity)


class LoadGroup(list[Entity]):
    """Objects loaded together; relationships load for all of them at once."""

    __slots__ = ()


def group_of(objs: Iterable[Entity]) -> LoadGroup:
    """Objects loaded together: a lazy load on one of them loads for all (no N+1)."""
    group = LoadGroup(objs)
    for obj in group:
        instance_state(obj).group = group
    return group


class Loader:
    """Loads relationships and rows for one session."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self._references: set[type[Entity]] = set()
        self._in_flight = InFlight()

    # -- lazy entry point ---------------------------------------------------------

    def load(self, rel: Relationship[Any], obj: Entity) -> Any:
        """Load ``rel`` of ``obj``, and of every object loaded alongside it, in one request."""
        if self.session.strict:
            raise LazyLoadError(
                f"{type(obj).__name__}.{rel.name} of {obj!r} was not loaded and the session is "
                f"strict: add .include({rel.name!r}) to the query"
            )
        members = _loaded_with(obj)
        self._in_flight.once(
            (id(rel), id(members)),
            lambda: self.load_relation(rel, members),
            lambda: self._holds(rel, obj),
        )
        if isinstance(rel, ToOne):
            key = getattr(obj, rel.key)
            found = self.session.identity.get(key) if key else None
            if key and found is None and not rel.polymorphic:
                # (A row of a type the library does not model reads as None.)
                raise NotFound.of_object(
                    rel.target_name, key, note=f"{obj!r}.{rel.name} points at it"
                )
            return found if isinstance(found, rel.target) else None
        return related_of(obj).get(rel.name, [])

    def _holds(self, rel: Relationship[Any], obj: Entity) -> bool:
        """Whether ``rel`` of ``obj`` is loaded (by another thread's load, say)."""
        if isinstance(rel, ToOne):
            key = loaded_value(obj, rel.key, None)
            return key is None or self.session.identity.get(key) is not None
        return rel.name in related_of(obj)

    @staticmethod
    def loaded_with(obj: Entity) -> list[Entity]:
        """The objects loaded together with ``obj`` (itself included): a verb that loads
        for one of them loads for all."""
        group = instance_state(obj).group
        return list(group) if group is not None and obj in group else [obj]

    def include(self, objs: list[Entity], *paths: str) -> None:
        """Load ``paths`` (``"tasks.task_status"``) for every object, level by level;
        loads that do not depend on each other are read side by side
        (:mod:`kitsu_orm.load_plan`)."""
        if paths:
            run_includes(self, objs, paths)

    # -- relationship loads ---------------------------------------------------------

    def load_relation(self, rel: Relationship[Any], objs: Sequence[Entity]) -> list[Entity]:
        """Load ``rel`` for all ``objs``; returns the related objects, as a new group."""
        return self.prepare(rel, objs).run()

    def prepare(self, rel: Relationship[Any], objs: Sequence[Entity]) -> Load[list[Entity]]:
        """The load of ``rel`` for all ``objs``, cut where it waits for the server
        (:class:`~kitsu_orm.load_plan.Load`): nothing is read or merged yet, and
        its answer is the related objects, as a new group."""
        if isinstance(rel, ToOne):
            return self._to_one(rel, objs)
        if isinstance(rel, ManyIds):
            return self._many_ids(rel, objs)
        if isinstance(rel, ToMany):
            return self._to_many(rel, objs)
        if isinstance(rel, Casting):
            return Load.inline(partial(load_casting, self, rel, objs)).then(group_of)
        if isinstance(rel, Linked):
            return Load.inline(partial(load_linked, self, rel, objs)).then(group_of)
        raise TypeError(f"unknown relationship {rel!r}")  # pragma: no cover

    @staticmethod
    def reads_loaded(rel: Relationship[Any], objs: Sequence[Entity]) -> bool:
        """Whether :meth:`prepare` reads only fields of ``objs`` loaded already: else
        reading one would load it (a request) there and then."""
        owner_fields = (rel.scope,) if isinstance(rel, ToMany) else (rel.key, rel.scope)
        names = [n for n in owner_fields if n is not None]
        return all(is_loaded(o, n) for o in objs for n in names if n in type(o).__fields__)

    def _to_one(self, rel: ToOne[Any], objs: Sequence[Entity]) -> Load[list[Entity]]:
        identity = self.session.identity
        keys = {getattr(o, rel.key) for o in objs} - {None}
        missing = sorted(k for k in keys if k not in identity)
        named = (
            self._named_rows(rel, objs, set(missing))
            if missing and rel.named_by is not None
            else {}
        )
        missing = [k for k in missing if k not in named]
        if not missing:
            fetch: Load[list[Entity]] = Load.done([])
        elif rel.target.__reference__:  # read whole: no scope nor context to work out
            fetch = self._by_ids(rel.target_name, missing)
        else:
            scope, context = _shared_scope(rel, objs), _projects(objs)
            fetch = self._by_ids(rel.target_name, missing, scope=scope, context=context)

        def before() -> None:
            if named:
                with identity.lock:  # merged as a whole, as one answer is
                    group_of([identity.merge_row(rel.target, row) for row in named.values()])
            fetch.before()

        def after(answer: Any) -> list[Entity]:
            fetch.after(answer)
            return group_of(identity.found(keys))

        return Load(fetch.read, after, before)

    def _named_rows(
        self, rel: ToOne[Any], objs: Sequence[Entity], missing: set[str]
    ) -> dict[str, dict[str, Any]]:
        """The rows of the ``missing`` targets whose owners' rows name them
        (``rel.named_by``), to be made partial objects, loaded together: no request.
        An owner whose key was edited names its old target: it says nothing."""
        target, rows = rel.target, {}
        scope = rel.scope if rel.scope in target.__fields__ else None
        named_by = rel.named_by or ""
        for obj in objs:
            key = loaded_value(obj, rel.key)
            if key not in missing or key in rows or rel.key in (instance_state(obj).changes or ()):
                continue
            name = loaded_value(obj, named_by)
            if not isinstance(name, str) or not name:
                continue
            row = {"id": key, target.__wire__["name"]: name, PARTIAL: True}
            if scope is not None and isinstance(value := loaded_value(obj, scope), str):
                row[target.__wire__[scope]] = value
            rows[key] = row
        return rows

    def _many_ids(self, rel: ManyIds[Any], objs: Sequence[Entity]) -> Load[list[Entity]]:
        identity = self.session.identity
        listed = [list(getattr(obj, rel.key) or ()) for obj in objs]
        # A field may embed its targets' rows instead of their ids: merged as partial
        # objects, with no request.
        embedded = [item for items in listed for item in items if isinstance(item, dict)]
        id_lists = [[i["id"] if isinstance(i, dict) else i for i in items] for items in listed]
        keys: set[str] = set().union(*id_lists)
        given = {row["id"] for row in embedded}
        missing = sorted(k for k in keys if k not in identity and k not in given)
        fetch = self._by_ids(rel.target_name, missing) if missing else Load.done([])

        def before() -> None:
            for row in embedded:
                identity.merge_row(rel.target, {**row, PARTIAL: True})
            fetch.before()

        def after(answer: Any) -> list[Entity]:
            fetch.after(answer)
            for obj, ids in zip(objs, id_lists, strict=True):
                instance_state(obj).related_cache()[rel.name] = identity.found(ids)
            return group_of(identity.found(keys))

        return Load(fetch.read, after, before)

    def _to_many(self, rel: ToMany[Any], objs: Sequence[Entity]) -> Load[list[Entity]]:
        parents = [o for o in objs if o.id and rel.name not in related_of(o)]
        loaded = [c for o in objs for c in related_of(o).get(rel.name, ())]
        if not parents:
            return Load.inline(partial(group_of, loaded))
        ids = sorted({p.id for p in parents if p.id})
        target, wanted = rel.target, set(ids)
        scope = _shared_scope(rel, parents)
        context = _projects(parents)
        children: Load[tuple[list[Entity], bool]]
        if len(ids) > URL_ID_BUDGET and scope is not None and rel.via:
            read = partial(read_board, self.session, rel, scope)
            children = Load(read, partial(self._board_children, rel, scope, wanted))
        elif len(ids) > URL_ID_BUDGET and scope is not None:
            children = self._rows(target, {scope[0]: scope[1]}, context).then(
                lambda rows: ([r for r in rows if getattr(r, rel.key) in wanted], False)
            )
        else:
            by_key = {target.__wire__[rel.key]: ids}
            children = self._rows(target, by_key, context).then(lambda rows: (rows, False))

        def give(found: tuple[list[Entity], bool]) -> list[Entity]:
            rows, in_order = found
            _give_children(rel, parents, rows, in_order=in_order)
            return group_of([*loaded, *rows])

        return children.then(give)

    def _board_children(
        self, rel: ToMany[Any], scope: tuple[str, str], wanted: set[str], board: Board
    ) -> tuple[list[Entity], bool]:
        """The children of the ``wanted`` parents on a "with-tasks" board: every
        parent of the scope with its children, in one request several times cheaper
        than the children's own list route. Its rows lack some fields (name,
        updated_at...): they are partial, and complete themselves in one request
        when first read. Also says whether the children came in order (see
        ``boards.children_of``)."""
        at = board.parent_id
        rows = [r for r in board.rows if r[at] in wanted]
        children, in_order = children_of(self.session, rel, scope, board, rows)
        return group_of(children), in_order

    def fetch_with_children(
        self, cls: type[E], rel: ToMany[Any], scope: tuple[str, str]
    ) -> list[E]:
        """Every ``cls`` of ``scope`` with ``rel`` loaded, from the one request of
        its with-tasks route (for ``.include``): the parents' rows are partial too,
        and loaded together (a field they lack loads for all of them at once)."""
        board = read_board(self.session, rel, scope)
        fields, rows = board.parents()
        # The rows leave out the scope they were asked by (the asset board, its project).
        parents = merge_rows(
            self.session, cls, fields, rows, keep_unknown=False, fixed=dict([scope])
        )
        children, in_order = children_of(self.session, rel, scope, board, board.rows)
        _give_children(rel, parents, group_of(children), in_order=in_order)
        return group_of(parents)  # type: ignore[return-value]

    def complete(self, obj: Entity) -> None:
        """Load the fields partial rows left out, for ``obj`` and the partial
        objects of its batch, in one request (or one per 80 ids)."""
        if self.session.strict:
            raise LazyLoadError(
                f"{obj!r} was loaded without all its fields and the session is strict: "
                "query its type directly to load them up front"
            )
        members = _loaded_with(obj)
        self._in_flight.once(
            ("fields", type(obj), id(members)),
            lambda: self._complete(obj, members),
            lambda: not _is_partial(obj),
        )
        if _is_partial(obj):  # deleted on the server meanwhile
            raise NotFound.of_object(type(obj).__name__, obj.id, label=label(obj), loaded=True)

    def _complete(self, obj: Entity, members: list[Entity]) -> None:
        cls = type(obj)
        incomplete = [m for m in members if type(m) is cls and m.id and _is_partial(m)] or [obj]
        ids = sorted({m.id for m in incomplete if m.id})
        scope = _shared_scope_field("project_id", incomplete)
        if cls.__reference__:  # read whole, as every load of a reference table
            self.load_reference(cls, force=True)
        elif len(ids) > URL_ID_BUDGET and scope is not None:
            self.session.fetch(cls, {"project_id": scope})
        else:
            context = _projects(incomplete)
            self.session.fetch(cls, {"id": ids}, context)

    # -- rows by id -------------------------------------------------------------------

    def fetch_ids(
        self,
        type_name: str,
        ids: Sequence[str],
        *,
        scope: tuple[str, str] | None = None,
        context: dict[str, list[str]] | None = None,
    ) -> list[Entity]:
        """Load objects by id; reference tables load whole, once per session.
        ``context``: the projects they are in, for the roles that must name one."""
        return self._by_ids(type_name, ids, scope=scope, context=context).run()

    def _by_ids(
        self,
        type_name: str,
        ids: Sequence[str],
        *,
        scope: tuple[str, str] | None = None,
        context: dict[str, list[str]] | None = None,
    ) -> Load[list[Entity]]:
        """:meth:`fetch_ids`, as a load."""
        cls = REGISTRY[type_name]
        if type_name == "EntityRow":
            return Load.inline(partial(self._fetch_entity_rows, ids))
        if cls.__reference__:
            found = self.session.identity.found
            return self._reference(cls).then(lambda _: found(ids))
        if len(ids) > URL_ID_BUDGET and scope is not None and scope[0] in cls.__fields__:
            wanted = set(ids)
            rows = self._rows(cls, {scope[0]: scope[1]})
            return rows.then(lambda objs: [r for r in objs if r.id in wanted])
        if context is None and scope is not None and scope[0] == "project_id":
            context = {"project_id": [scope[1]]}
        if not ids:
            return Load.done([])
        return self._rows(cls, {"id": list(ids)}, context).then(list)

    def _rows(
        self,
        cls: type[E],
        params: dict[str, Any],
        context: dict[str, list[str]] | None = None,
    ) -> Load[list[E]]:
        """``session.fetch(cls, params, context)``, as a load: read on any thread,
        merged at its turn."""
        session = self.session
        read = partial(session.rows_as_role, cls, params, context)
        return Load(read, partial(session.merge_answer, cls))

    def load_reference(self, cls: type[E], *, force: bool = False) -> list[E]:
        """Every row of a reference table, read once per session (``force``: read again)."""
        return self._reference(cls, force=force).run()

    def _reference(self, cls: type[E], *, force: bool = False) -> Load[list[E]]:
        """:meth:`load_reference`, as a load."""
        if cls in self._references and not force:
            objects = self.session.identity.objects
            return Load.inline(lambda: [o for o in objects() if isinstance(o, cls)])

        def loaded(objs: list[E]) -> list[E]:
            self._references.add(cls)
            return objs

        return self._rows(cls, {}).then(loaded)

    def _fetch_entity_rows(self, ids: Sequence[str]) -> list[Entity]:
        out: list[Entity] = []
        body = (
            self.session.read("EntityRow", LISTS["entities"], {"id": encode_values(ids)})
            if ids
            else []
        )
        for row in body:
            cls = REGISTRY.get(row.get("type", ""))
            if cls is not None and cls is not REGISTRY["EntityRow"]:
                out.append(self.session.identity.merge_row(cls, row))
        return group_of(out)


def _give_children(
    rel: ToMany[Any], parents: Sequence[Entity], children: Iterable[Entity], *, in_order: bool
) -> None:
    """Set ``rel`` on each parent to its children, sorted unless they come ``in_order``."""
    by_parent: dict[str, list[Entity]] = defaultdict(list)
    for child in children:
        by_parent[getattr(child, rel.key)].append(child)
    for parent in parents:
        kids = by_parent.get(parent.id or "", [])
        ordered = kids if in_order else _ordered(kids, rel.order_by)
        instance_state(parent).related_cache()[rel.name] = ordered


def _shared_scope(rel: Relationship[Any], objs: Sequence[Entity]) -> tuple[str, str] | None:
    """``(field, value)`` when every object shares one value of the scope field."""
    if rel.scope is None:
        return None
    values = {getattr(o, rel.scope, None) for o in objs}
    if len(values) != 1:
        return None
    value = values.pop()
    return (rel.scope, value) if isinstance(value, str) else None


def _loaded_with(obj: Entity) -> list[Entity]:
    """The objects loaded with ``obj`` (its load group), ``obj`` among them."""
    group = instance_state(obj).group
    return group if group is not None and obj in group else [obj]


def _is_partial(obj: Entity) -> bool:
    # A full row sets every field (a default where it lacks one); a partial row (a
    # board's, a name's, ``.only()``'s) leaves the others unset.
    return not all(is_loaded(obj, name) for name in type(obj).__fields__)


def _projects(objs: Iterable[Entity]) -> dict[str, list[str]]:
    """The projects of these objects: the context of the reads made for them,
    which Zou needs from roles other than admin."""
    ids = sorted({v for o in objs if isinstance(v := loaded_value(o, "project_id"), str)})
    return {"project_id": ids} if ids else {}


def _shared_scope_field(field: str, objs: Sequence[Entity]) -> str | None:
    values = {loaded_value(o, field) for o in objs}
    value = values.pop() if len(values) == 1 else None
    return value if isinstance(value, str) else None


def _ordered(objs: list[Entity], order_by: tuple[str, ...]) -> list[Entity]:
    """Children sorted by the fields their relationship names (else in listing order),
    a None first."""
    if not order_by:
        return _sorted(objs)

    def key(obj: Entity) -> tuple[Any, ...]:
        values = (loaded_value(obj, name) for name in order_by)
        return (*((v is not None, v if v is not None else 0) for v in values), obj.id or "")

    return sorted(objs, key=key)
