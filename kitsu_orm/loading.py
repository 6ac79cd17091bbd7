"""Batched loading of relationships: one request per relationship per result set.

Objects that were loaded together (one query's results, or the targets of
one relationship load) share a *load group*. Reading a relationship on any
of them loads it for the whole group at once: by an IN-list of ids when it
fits in a URL, by one request scoped to the shared project when it does not,
and from the whole table, once per session, for small reference tables
(task types, statuses...). ``.include()`` runs the same loader up front.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from .errors import LazyLoadError, NotFound, ValidationError
from .model.base import REGISTRY, Entity
from .model.converter import PARTIAL
from .model.relationships import Casting, Linked, ManyIds, Relationship, ToMany, ToOne
from .routes import URL_ID_BUDGET

if TYPE_CHECKING:
    from .session import Session

__all__ = ["Loader", "LoadGroup"]

E = TypeVar("E", bound=Entity)


class LoadGroup(list[Entity]):
    """Objects loaded together; relationships load for all of them at once."""

    __slots__ = ()


def group_of(objs: Iterable[Entity]) -> LoadGroup:
    group = LoadGroup(objs)
    for obj in group:
        object.__setattr__(obj, "_group", group)
    return group


def chunks(items: Sequence[str], size: int = URL_ID_BUDGET) -> Iterable[Sequence[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


class Loader:
    """Loads relationships and rows for one session."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self._references: set[type[Entity]] = set()

    # -- lazy entry point ---------------------------------------------------------

    def load(self, rel: Relationship[Any], obj: Entity) -> Any:
        if self.session.strict:
            raise LazyLoadError(
                f"{type(obj).__name__}.{rel.name} of {obj!r} was not loaded and the session is "
                f"strict: add .include({rel.name!r}) to the query"
            )
        members = obj._group if obj._group is not None and obj in obj._group else [obj]
        self.load_relation(rel, members)
        if isinstance(rel, ToOne):
            key = getattr(obj, rel.key)
            found = self.session._identity.get(key) if key else None
            return found if isinstance(found, rel.target) else None
        return (obj._related or {}).get(rel.name, [])

    def include(self, objs: list[Entity], path: str) -> None:
        """Load ``path`` (``"tasks.task_status"``) for every object, level by level."""
        level: list[Entity] = objs
        for name in path.split("."):
            by_type: dict[type[Entity], list[Entity]] = defaultdict(list)
            for obj in level:
                by_type[type(obj)].append(obj)
            next_level: list[Entity] = []
            for cls, members in by_type.items():
                rel = cls.__relationships__.get(name)
                if rel is None:
                    raise ValidationError(
                        f"{cls.__name__} has no relationship {name!r} (in {path!r})"
                    )
                next_level.extend(self.load_relation(rel, members))
            level = next_level

    # -- relationship loads ---------------------------------------------------------

    def load_relation(self, rel: Relationship[Any], objs: Sequence[Entity]) -> list[Entity]:
        """Load ``rel`` for all ``objs``; returns the related objects, as a new group."""
        if isinstance(rel, ToOne):
            return self._load_to_one(rel, objs)
        if isinstance(rel, ManyIds):
            return self._load_many_ids(rel, objs)
        if isinstance(rel, ToMany):
            return self._load_to_many(rel, objs)
        if isinstance(rel, Casting):
            return self._load_casting(rel, objs)
        if isinstance(rel, Linked):
            return self._load_linked(rel, objs)
        raise TypeError(f"unknown relationship {rel!r}")  # pragma: no cover

    def _load_to_one(self, rel: ToOne, objs: Sequence[Entity]) -> list[Entity]:
        identity = self.session._identity
        keys = {getattr(o, rel.key) for o in objs} - {None}
        missing = sorted(k for k in keys if k not in identity)
        if missing:
            scope = _shared_scope(rel, objs)
            self.fetch_ids(rel.target_name, missing, scope=scope)
        found = [identity[k] for k in keys if k in identity]
        return group_of(found)

    def _load_many_ids(self, rel: ManyIds, objs: Sequence[Entity]) -> list[Entity]:
        identity = self.session._identity
        keys: set[str] = set()
        for obj in objs:
            keys.update(getattr(obj, rel.key) or ())
        missing = sorted(k for k in keys if k not in identity)
        if missing:
            self.fetch_ids(rel.target_name, missing)
        for obj in objs:
            ids = getattr(obj, rel.key) or ()
            obj._related_cache()[rel.name] = [identity[k] for k in ids if k in identity]
        return group_of(identity[k] for k in keys if k in identity)

    def _load_to_many(self, rel: ToMany, objs: Sequence[Entity]) -> list[Entity]:
        parents = [o for o in objs if o.id and rel.name not in (o._related or {})]
        loaded = [c for o in objs if rel.name in (o._related or {}) for c in o._related[rel.name]]  # type: ignore[index]
        if not parents:
            return group_of(loaded)
        ids = sorted({p.id for p in parents if p.id})
        target = rel.target
        key_wire = target.__wire__[rel.key]
        scope = _shared_scope(rel, parents)
        rows: list[Entity] = []
        if len(ids) > URL_ID_BUDGET and scope is not None and rel.via:
            rows = self._fetch_via(rel, scope, set(ids))
        elif len(ids) > URL_ID_BUDGET and scope is not None:
            wanted = set(ids)
            rows = [
                r
                for r in self.session._fetch(target, {scope[0]: scope[1]})
                if getattr(r, rel.key) in wanted
            ]
        else:
            for part in chunks(ids):
                rows.extend(self.session._fetch(target, {key_wire: _id_list(part)}))
        children: dict[str, list[Entity]] = defaultdict(list)
        for row in rows:
            children[getattr(row, rel.key)].append(row)
        for parent in parents:
            parent._related_cache()[rel.name] = _sorted(children.get(parent.id or "", []))
        return group_of([*loaded, *rows])

    def _fetch_via(self, rel: ToMany, scope: tuple[str, str], wanted: set[str]) -> list[Entity]:
        """Children from a "with-tasks" route: every parent of the scope with its
        children, in one request several times cheaper than the children's own
        list route. Its rows lack some fields (name, updated_at...): they are
        partial, and complete themselves in one request when first read."""
        out: list[Entity] = []
        for parent in self._via_rows(rel, scope):
            if parent.get("id") in wanted:
                out.extend(self._merge_children(rel, scope, parent))
        return out

    def fetch_with_children(
        self, cls: type[E], rel: ToMany, scope: tuple[str, str]
    ) -> list[E]:
        """Every ``cls`` of ``scope`` with ``rel`` loaded, from the one request of
        its with-tasks route (for ``.include``): the parents' rows are partial too."""
        known = cls.__from_wire__.keys() | {"type"}
        parents: list[E] = []
        children: list[Entity] = []
        for row in self._via_rows(rel, scope):
            parent_row = {k: v for k, v in row.items() if k in known}
            parent_row[PARTIAL] = True
            parent = self.session._merge(cls, parent_row)
            mine = self._merge_children(rel, scope, row)
            parent._related_cache()[rel.name] = _sorted(mine)
            parents.append(parent)
            children.extend(mine)
        group_of(children)
        return parents

    def _via_rows(self, rel: ToMany, scope: tuple[str, str]) -> list[dict[str, Any]]:
        assert rel.via is not None and rel.owner is not None
        # The answer holds both sides: a write to either type outdates it.
        type_names = f"{rel.owner.__kitsu_type__}+{rel.target.__kitsu_type__}"
        params = {scope[0]: scope[1], "compact": "true"}
        return expand_compact(self.session._read(type_names, rel.via, params), rel.via_key)

    def _merge_children(
        self, rel: ToMany, scope: tuple[str, str], parent: dict[str, Any]
    ) -> list[Entity]:
        target, merge = rel.target, self.session._merge
        return [
            merge(target, {**child, scope[0]: scope[1], PARTIAL: True})
            for child in parent.get(rel.via_key, ())
        ]

    def complete(self, obj: Entity) -> None:
        """Load the fields partial rows left out, for ``obj`` and the partial
        objects of its batch, in one request (or one per 80 ids)."""
        if self.session.strict:
            raise LazyLoadError(
                f"{obj!r} was loaded without all its fields and the session is strict: "
                "query its type directly to load them up front"
            )
        cls = type(obj)
        members = obj._group if obj._group is not None and obj in obj._group else [obj]
        partial = [m for m in members if type(m) is cls and m.id and _is_partial(m)] or [obj]
        ids = sorted({m.id for m in partial if m.id})
        scope = _shared_scope_field("project_id", partial)
        if len(ids) > URL_ID_BUDGET and scope is not None:
            self.session._fetch(cls, {"project_id": scope})
        else:
            for part in chunks(ids):
                self.session._fetch(cls, {"id": _id_list(part)})
        if _is_partial(obj):  # deleted on the server meanwhile
            raise NotFound(f"{obj!r} is no longer on the server")

    def _load_casting(self, rel: Casting, objs: Sequence[Entity]) -> list[Entity]:
        """One request per project gives the casting of all its shots."""
        todo = [o for o in objs if o.id and rel.name not in (o._related or {})]
        by_project: dict[str, list[Entity]] = defaultdict(list)
        for shot in todo:
            by_project[getattr(shot, "project_id", None) or ""].append(shot)
        identity = self.session._identity
        for project_id, shots in by_project.items():
            casting = (
                self.session._read(
                    "Casting", f"data/projects/{project_id}/sequences/all/casting", {}
                )
                if project_id
                else {}
            )
            wanted = sorted({c["asset_id"] for s in shots for c in casting.get(s.id, [])})
            missing = [i for i in wanted if i not in identity]
            if missing:
                self.fetch_ids("Asset", missing, scope=("project_id", project_id))
            for shot in shots:
                ids = [c["asset_id"] for c in casting.get(shot.id, [])]
                shot._related_cache()[rel.name] = [identity[i] for i in ids if i in identity]
        assets = {id(a): a for o in objs for a in (o._related or {}).get(rel.name, [])}
        return group_of(assets.values())

    def _load_linked(self, rel: Linked, objs: Sequence[Entity]) -> list[Entity]:
        """One request per object: the link routes answer one object's links."""
        from .routes import LINKS

        route = LINKS[(type(objs[0]).__kitsu_type__, rel.name)].list if objs else ""
        target = rel.target
        for obj in objs:
            cache = obj._related_cache()
            if rel.name in cache:
                continue
            body = self.session.transport.get(route.format(id=obj.id)) if obj.id else []
            rows = [r for group in body.values() for r in group] if isinstance(body, dict) else body
            linked = [self.session._merge(target, row) for row in rows]
            cache[rel.name] = linked
            cache.setdefault(Linked.LOADED, {})[rel.name] = [o.id for o in linked]
        found = {id(o): o for obj in objs for o in (obj._related or {}).get(rel.name, [])}
        return group_of(found.values())

    # -- rows by id -------------------------------------------------------------------

    def fetch_ids(
        self, type_name: str, ids: Sequence[str], *, scope: tuple[str, str] | None = None
    ) -> list[Entity]:
        """Load objects by id; reference tables load whole, once per session."""
        cls = REGISTRY[type_name]
        if type_name == "EntityRow":
            return self._fetch_entity_rows(ids)
        if cls.__reference__:
            self.load_reference(cls)
            return [self.session._identity[i] for i in ids if i in self.session._identity]
        if len(ids) > URL_ID_BUDGET and scope is not None and scope[0] in cls.__fields__:
            wanted = set(ids)
            return [r for r in self.session._fetch(cls, {scope[0]: scope[1]}) if r.id in wanted]
        out: list[Entity] = []
        for part in chunks(list(ids)):
            out.extend(self.session._fetch(cls, {"id": _id_list(part)}))
        return out

    def load_reference(self, cls: type[E], *, force: bool = False) -> list[E]:
        if cls in self._references and not force:
            return [o for o in self.session._identity.values() if isinstance(o, cls)]
        rows = self.session._fetch(cls, {})
        self._references.add(cls)
        return rows

    def _fetch_entity_rows(self, ids: Sequence[str]) -> list[Entity]:
        out: list[Entity] = []
        for part in chunks(list(ids)):
            body = self.session._read("EntityRow", "data/entities", {"id": _id_list(part)})
            for row in body:
                cls = REGISTRY.get(row.get("type", ""))
                if cls is not None and cls is not REGISTRY["EntityRow"]:
                    out.append(self.session._merge(cls, row))
        return group_of(out)


def _shared_scope(rel: Relationship[Any], objs: Sequence[Entity]) -> tuple[str, str] | None:
    """``(field, value)`` when every object shares one value of the scope field."""
    if rel.scope is None:
        return None
    values = {getattr(o, rel.scope, None) for o in objs}
    if len(values) != 1:
        return None
    value = values.pop()
    return (rel.scope, value) if isinstance(value, str) else None


def expand_compact(body: Any, children_key: str) -> list[dict[str, Any]]:
    """The rows of a with-tasks answer, as dicts. Asked with ``compact=true``,
    Zou sends positional rows and the field names once, in a header: half the
    bytes and much less JSON to parse."""
    if not isinstance(body, dict):
        return list(body)
    child_fields = body[f"{children_key[:-1]}_fields"]
    parent_fields = next(
        v for k, v in body.items() if k.endswith("_fields") and k != f"{children_key[:-1]}_fields"
    )
    out = []
    for values in body["rows"]:
        row = dict(zip(parent_fields, values, strict=True))
        row[children_key] = [dict(zip(child_fields, c, strict=True)) for c in row.get(children_key) or ()]
        out.append(row)
    return out


def _is_partial(obj: Entity) -> bool:
    # Every full row carries updated_at; the partial rows of with-tasks routes do not.
    return obj._loaded("updated_at", _UNSET) is _UNSET


def _shared_scope_field(field: str, objs: Sequence[Entity]) -> str | None:
    values = {o._loaded(field) for o in objs}
    value = values.pop() if len(values) == 1 else None
    return value if isinstance(value, str) else None


_UNSET = object()


def _id_list(ids: Iterable[str]) -> str:
    return json.dumps(list(ids), separators=(",", ":"))


def _sorted(objs: list[Entity]) -> list[Entity]:
    return sorted(
        objs,
        key=lambda o: (
            str(o._loaded("name") or ""),
            str(o._loaded("created_at") or ""),
            o.id or "",
        ),
    )
