"""What a commit refuses, or reports, because the server holds something else than
the session thinks: objects changed or deleted there since they were loaded, names
that exist already, and edits made there while the commit runs.

- **Changed since loaded.** Before anything is written, the updates and deletes of
  a plan are checked against the server's rows (one request per route, or as many
  as the URL needs); between the levels of one commit, again, for the fields about
  to be written. :class:`~kitsu_orm.errors.ConflictError` names the objects and
  fields; ``commit(overwrite=True)`` skips the check.
- **Get-or-create routes.** Zou answers a new episode, sequence, shot or scene
  whose name exists under the same parent with the existing row. Before anything
  is written, a commit looks for such names (one request per type and 80 parents)
  and raises :class:`~kitsu_orm.errors.AlreadyExists`; ``session.merge(obj)``
  adopts the existing object instead.
- **Races.** Zou has no conditional update. A field we did not send that a PUT
  answers with another value than we loaded was written by someone between the
  check and our write: the commit reports it.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from .doubts import NEVER_COMPARED, comparable
from .errors import AlreadyExists, ConflictError, ValidationError
from .model.base import REGISTRY, Entity, State
from .model.builders import structure_row
from .model.converter import unstructure
from .model.state import instance_state, is_loaded, label, loaded_value, related_of
from .model.wire import parse_datetime
from .operations import Operation
from .routes import LISTS, routes_for

if TYPE_CHECKING:
    from .session import Session

__all__ = [
    "NOTHING_WRITTEN",
    "check_conflicts",
    "check_existing",
    "find_existing",
    "merge",
    "natural_key",
    "raced_fields",
]

NOTHING_WRITTEN = " Nothing was written."
_UNLOADED = object()


def _id_list(ids: Iterable[Any]) -> str:
    return json.dumps(list(ids), separators=(",", ":"))


# -- changed on the server since loaded ----------------------------------------------------


def check_conflicts(session: Session, ops: list[Operation], *, same_fields: bool = False) -> None:
    """Has anything changed on the server? One request per route, or as many as the URL needs.

    ``same_fields``: only the fields about to be written count (between the levels
    of one commit, whose earlier writes move ``updated_at`` of what they touch).
    """
    by_route: dict[str, list[Operation]] = defaultdict(list)
    for op in ops:
        if op.obj is not None and op.obj.id is not None:
            routes = routes_for(type(op.obj).__kitsu_type__)
            if routes.generic:
                by_route[routes.generic].append(op)
    found: list[tuple[Entity, bool, list[str]]] = []
    for path, route_ops in by_route.items():
        found.extend(_conflicts_in(session, path, route_ops, same_fields))
    if found:
        fields = {o: f for o, gone, f in found if not gone}
        changed = [o for o, gone, _ in found if not gone]
        gone = [o for o, gone, _ in found if gone]
        said = []
        if changed:
            names = ", ".join(
                f"{o!r} ({', '.join(fields[o]) or 'other fields'})" for o in changed[:10]
            )
            said.append(
                f"{len(changed)} object(s) changed on the server since they were loaded: "
                f"{names}. Refresh them, or commit(overwrite=True) to keep your version."
            )
        if gone:
            names = ", ".join(_named(o) for o in gone[:10])
            said.append(
                f"{len(gone)} object(s) not found on the server (deleted since they were "
                f"loaded): {names}. Expunge them, or roll back."
            )
        raise ConflictError(
            " ".join(said) + NOTHING_WRITTEN,
            objects=[o for o, _, _ in found],
            fields=fields,
        )


def _conflicts_in(
    session: Session, path: str, ops: list[Operation], same_fields: bool = False
) -> Iterable[tuple[Entity, bool, list[str]]]:
    """The objects in conflict, each with whether it is gone from the server and
    the fields found changed there (every field of the row, compared with what was
    loaded, for an object whose fields this commit does not write)."""
    objs = [op.obj for op in ops if op.obj is not None]
    # Objects loaded without their stamp (a board's rows) are compared field by field,
    # on every field they hold: completing them first would read today's stamp.
    unstamped = {id(o) for o in objs if not is_loaded(o, "updated_at")}
    fields = {"id", "updated_at"}
    for op in ops:
        obj = op.obj
        if obj is not None:
            wire = type(obj).__wire__
            fields.update(wire[f] for f in op.fields)
            if id(obj) in unstamped:
                fields.update(wire[f] for f in type(obj).__fields__ if is_loaded(obj, f))
    rows = _read(session, path, objs, {"fields": ",".join(sorted(fields))})
    by_id = {row["id"]: row for row in rows}
    found: list[tuple[Entity, bool]] = []
    named: dict[int, list[str]] = {}
    for op in ops:
        obj = op.obj
        assert obj is not None
        row = by_id.get(obj.id or "")
        # Rows some roles read without their stamp (a project's milestones): only the
        # fields this commit writes are compared then.
        if row is not None and id(obj) in unstamped:
            moved = bool(_changed_on_server(obj, row))
        else:
            moved = (
                row is not None
                and "updated_at" in row
                and parse_datetime(row["updated_at"]) != obj.updated_at
            )
        if row is None or (moved and not same_fields):
            found.append((obj, row is None))
            continue
        changes = obj.changes()
        wire = type(obj).__wire__
        differ = [
            name
            for name in op.fields
            if wire[name] in row and unstructure(changes[name][0]) != row[wire[name]]
        ]
        if differ:
            found.append((obj, False))
            named[id(obj)] = differ
    changed = [o for o, gone in found if not gone and not (same_fields and id(o) in named)]
    full: dict[str, dict[str, Any]] = {}
    if changed:  # a conflict: read those rows whole, to name the fields
        full = {row["id"]: row for row in _read(session, path, changed, {})}
    for obj, gone in found:
        row = full.get(obj.id or "")
        names = _changed_on_server(obj, row) if row is not None else named.get(id(obj), [])
        yield obj, gone, [] if gone else names


def _read(
    session: Session, path: str, objs: list[Entity], params: dict[str, Any]
) -> list[dict[str, Any]]:
    """The rows of ``objs`` from the generic route ``path`` (where Zou keeps it for
    admins, through the role's routes: milestones, descriptors... for a manager)."""
    ids = [o.id for o in objs if o.id]
    return session.rows_by_id(type(objs[0]), ids, params, route=path)


# -- after ------------------------------------------------------------------------------


def _changed_on_server(obj: Entity, row: dict[str, Any]) -> list[str]:
    """The fields of ``row`` (a ``data`` dict key by key) that differ from what was
    loaded into ``obj``."""
    changes = obj.changes()
    loaded = {
        name: changes[name][0] if name in changes else value
        for name in type(obj).__fields__
        if (value := loaded_value(obj, name, _UNLOADED)) is not _UNLOADED
    }
    return raced_fields(obj, row, (), loaded)


def _named(obj: Entity) -> str:
    """An object by type, name and whole id: what a user searches the server for."""
    return " ".join(part for part in (type(obj).__name__, label(obj), obj.id) if part)


def raced_fields(
    obj: Entity, row: dict[str, Any], sent: Sequence[str], loaded: dict[str, Any]
) -> list[str]:
    """The fields a PUT's answer shows changed by someone else: not sent by us, and
    not as we loaded them (``loaded``: the values before our edits). A ``data`` dict
    that merges is compared key by key, outside the keys we sent."""
    cls = type(obj)
    fresh = structure_row(row, cls)
    raced: list[str] = []
    for wire_key in row:
        name = cls.__from_wire__.get(wire_key)
        if name is None or name in NEVER_COMPARED or name in cls.__derived__:
            continue
        if name not in loaded or any(f in sent for f in cls.__follows__.get(name, ())):
            continue
        got = comparable(object.__getattribute__(fresh, name))
        before = comparable(loaded[name])
        if isinstance(got, dict) and isinstance(before, dict):
            mine = (comparable(getattr(obj, name)) or {}) if name in sent else before
            raced += [
                f"{name}.{k}"
                for k in sorted(set(got) | set(before))
                if mine.get(k) == before.get(k) and got.get(k) != before.get(k)
            ]
        elif name not in sent and got != before:
            raced.append(name)
    return raced


# -- names that exist: get-or-create routes --------------------------------------------------


def _key_of(obj: Entity, name: str) -> Any:
    """A foreign key's id, from the field or from the object assigned to it."""
    value = getattr(obj, name, None)
    if value is not None:
        return value
    for rel_name, rel in type(obj).__relationships__.items():
        if getattr(rel, "key", None) == name:
            target = related_of(obj).get(rel_name)
            if isinstance(target, Entity):
                return target.id if target.id is not None else target
    return None


def natural_key(obj: Entity) -> tuple[Any, Any, str] | None:
    """(project id, parent id, name) of a get-or-create type's object, or None when
    its project or parent is not created yet (it has no siblings on the server)."""
    project, parent = _key_of(obj, "project_id"), _key_of(obj, "parent_id")
    if not isinstance(project, str) or isinstance(parent, Entity):
        return None
    return project, parent, str(getattr(obj, "name", "") or "")


def _type_ids(session: Session) -> dict[str, str]:
    from .model.production import EntityType

    return {t.name: t.id for t in session.loader.load_reference(EntityType) if t.id}


def find_existing(session: Session, objs: list[Entity]) -> dict[int, dict[str, Any]]:
    """The server rows with the natural key of each of ``objs`` (by ``id()`` of the
    object): one request per type and 80 parents (or projects, for objects without one)."""
    keys = {id(o): natural_key(o) for o in objs}
    wanted = [o for o in objs if keys[id(o)] is not None]
    if not wanted:
        return {}
    type_ids = _type_ids(session)
    groups: dict[tuple[str, str], set[str]] = defaultdict(set)
    for obj in wanted:
        project, parent, _ = keys[id(obj)]  # type: ignore[misc]
        by = "parent_id" if parent else "project_id"
        groups[(type(obj).__kitsu_type__, by)].add(parent or project)
    rows: dict[tuple[str, Any, Any, str], dict[str, Any]] = {}
    for (type_name, by), values in groups.items():
        type_id = type_ids.get(type_name)
        if type_id is None:
            continue
        params = {
            "entity_type_id": type_id,
            by: _id_list(sorted(values)),
            "fields": "id,name,project_id,parent_id,entity_type_id,created_at",
        }
        for row in session.get_rows(LISTS["entities"], params):
            key = (type_name, row.get("project_id"), row.get("parent_id"), row.get("name"))
            rows.setdefault(key, row)
    found: dict[int, dict[str, Any]] = {}
    for obj in wanted:
        project, parent, name = keys[id(obj)]  # type: ignore[misc]
        row = rows.get((type(obj).__kitsu_type__, project, parent or None, name))
        if row is not None:
            found[id(obj)] = row
    return found


def check_existing(session: Session, creates: list[Entity]) -> None:
    """Raise AlreadyExists, before anything is written, for new objects of get-or-create
    types whose name exists under their parent (or twice in this commit)."""
    objs = [o for o in creates if type(o).__get_or_create__ and not session.identity.is_in_doubt(o)]
    if not objs:
        return
    seen: dict[tuple[Any, ...], Entity] = {}
    twins: list[tuple[Entity, Entity]] = []
    for obj in objs:
        key: tuple[Any, ...] | None = natural_key(obj)
        if key is None:
            parent = _key_of(obj, "parent_id")
            key = (
                id(_key_of(obj, "project_id")),
                id(parent) if isinstance(parent, Entity) else parent,
                getattr(obj, "name", None),
            )
        full = (type(obj).__kitsu_type__, *key)
        if full in seen:
            twins.append((seen[full], obj))
        seen[full] = obj
    if twins:
        raise ValidationError(
            "two new objects of this commit have the same name under the same parent, and "
            "Zou would make them one: " + ", ".join(f"{a!r} and {b!r}" for a, b in twins[:5])
        )
    existing = find_existing(session, objs)
    if not existing:
        return
    clashes = []
    for obj in objs:
        row = existing.get(id(obj))
        if row is not None:
            clashes.append((obj, session.identity.get(row["id"]) or row))
    named = ", ".join(
        f"{type(o).__name__} {getattr(o, 'name', '')!r} ({_describe(e)})" for o, e in clashes[:10]
    )
    raise AlreadyExists(
        f"{len(clashes)} new object(s) have the name of an existing one under the same parent, "
        f"and Kitsu would answer the existing one instead of creating them: {named}. "
        "Nothing was written. Use session.merge(obj) to edit the existing one with the new "
        "object's fields, get_or_create(...) to take it, or rename the new one.",
        existing=clashes,
    )


def _describe(existing: Any) -> str:
    if isinstance(existing, Entity):
        return f"exists: {existing!r}, id {existing.id}"
    return f"exists with id {existing.get('id')}"


# -- merge ----------------------------------------------------------------------------------------


def merge(session: Session, obj: Entity, creatable: dict[str, Any]) -> Entity:
    """The existing object with ``obj``'s natural key, edited with ``obj``'s fields
    (``creatable``), or ``obj`` itself, added, when there is none. A ``data`` dict is
    merged key by key."""
    cls = type(obj)
    if not cls.__get_or_create__:
        kinds = sorted(c.__kitsu_type__ for c in set(REGISTRY.values()) if c.__get_or_create__)
        raise ValidationError(
            f"merge() takes a new {', '.join(kinds)}, not a {cls.__name__}: "
            "its create route always creates"
        )
    if obj.id is not None:
        raise ValidationError(f"{obj!r} has an id: it is not new")
    row = find_existing(session, [obj]).get(id(obj))
    if row is None:
        return session.add(obj)
    existing = session.identity.get(row["id"]) or session.get(cls, row["id"])
    session.identity.discard_pending(obj)
    instance_state(obj).move_to(State.TRANSIENT, None)
    for name, value in creatable.items():
        if name in ("project_id", "parent_id", "name"):
            continue
        current = getattr(existing, name)
        if name == "data" and isinstance(value, dict):
            value = {**(current or {}), **value}
        if current != value:
            setattr(existing, name, value)
    return existing
