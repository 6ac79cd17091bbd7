"""Nothing lost, nothing duplicated: what a commit does about writes whose answer
it never read, about creates that would meet an existing row, and about edits
made on the server while it runs.

- **In doubt.** A write whose request broke after it may have reached the
  server (a lost answer, a 5xx, or a batch the server refused halfway) is
  remembered as a :class:`Doubt`: the object, what was sent, and the server's
  clock just before the send (:meth:`Transport.server_time`, from the
  ``Date`` of its answers: no request, no skew). The next commit settles it
  before anything else, in one request per route and 80 objects: an update
  whose row now equals the object as edited (every other field as loaded) was
  ours and is adopted; a delete whose row is gone was done; a create or a
  comment is looked for among the rows of its parent made *after* that
  clock, by this user, that the session does not know, so that no earlier
  row can be taken for it.
- **Get-or-create routes.** Zou answers a new episode, sequence, shot or
  scene whose name exists under the same parent with the existing row.
  Before anything is written, a commit looks for such names (one request per
  type and 80 parents) and raises :class:`~kitsu_orm.errors.AlreadyExists`;
  ``session.merge(obj)`` adopts the existing object instead.
- **Races.** Zou has no conditional update. A field we did not send that a
  PUT answers with another value than we loaded was written by someone
  between the check and our write: the commit reports it.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

import attrs

from .errors import AlreadyExists, KitsuError, PermissionDenied, ValidationError
from .model.base import Entity, State, copy_json
from .model.builders import structure_row
from .model.converter import parse_datetime, unstructure
from .routes import routes_for

if TYPE_CHECKING:
    from .session import Session
    from .transport import Transport

__all__ = [
    "Doubt",
    "GET_OR_CREATE",
    "check_existing",
    "doubt",
    "lost_comments",
    "merge",
    "raced_fields",
    "settle",
    "shows_write",
]

# Types whose create route answers the existing row of the same name and parent.
GET_OR_CREATE = frozenset({"Episode", "Sequence", "Shot", "Scene"})
# Never compared with what was loaded: ids, stamps, and what the server sets itself on
# every write (the editor of a comment).
_NEVER_COMPARED = frozenset({"id", "created_at", "updated_at", "editor_id"})
_MISSING = object()


@attrs.define(eq=False)
class Doubt:
    """A write that may have been applied: ``kind`` ("create", "update", "delete",
    "comment"), its object, the fields an update sent, and the server's clock just
    before it was sent (None when the session never had an answer)."""

    kind: str
    obj: Entity
    since: datetime | None
    fields: tuple[str, ...] = ()
    # An update's values as sent (the whole field, a ``data`` dict whole): the object
    # may be edited again before the next commit settles it.
    sent: dict[str, Any] = attrs.Factory(dict)


def doubt(
    session: Session, kind: str, obj: Entity, since: datetime | None, fields: Iterable[str] = ()
) -> None:
    """Remember that ``obj``'s write of ``kind`` may have been applied."""
    fields = tuple(fields)
    sent = {n: copy_json(getattr(obj, n)) for n in fields} if kind == "update" else {}
    session._in_doubt.add(id(obj))
    session._doubts[id(obj)] = Doubt(kind, obj, since, fields, sent)


def server_clock(transport: Transport) -> datetime | None:
    """The server's clock now (a lower bound, aware UTC), or None."""
    read = getattr(transport, "server_time", None)
    now = read() if read is not None else None
    return None if now is None else now.replace(tzinfo=timezone.utc)


def _id_list(ids: Iterable[Any]) -> str:
    return json.dumps(list(ids), separators=(",", ":"))


# -- settling updates and deletes in doubt ------------------------------------------------


def settle(session: Session, detach: Any) -> None:
    """Settle the updates and deletes of earlier commits that lost their answer, in one
    request per route and 80 objects. ``detach(session, obj)`` takes a deleted object out
    of its parents' lists."""
    by_route: dict[str, list[Doubt]] = defaultdict(list)
    for key, found in list(session._doubts.items()):
        obj = found.obj
        if found.kind not in ("update", "delete"):
            continue
        live = obj._session is session and obj.id is not None
        if (
            not live
            # An update in doubt of an object edited back, or deleted since, is settled too:
            # its write may be on the server all the same.
            or (found.kind == "update" and obj._state not in (State.PERSISTENT, State.DELETED))
            or (found.kind == "delete" and obj not in session._deleted)
        ):
            _forget_doubt(session, key)
            continue
        route = routes_for(type(obj).__kitsu_type__).generic
        if route is None:
            _forget_doubt(session, key)
            continue
        by_route[route].append(found)
    for route, doubts in by_route.items():
        rows = session._get_rows(route, {"id": _id_list(d.obj.id for d in doubts)})
        by_id = {row["id"]: row for row in rows}
        for found in doubts:
            obj = found.obj
            _forget_doubt(session, id(obj))
            row = by_id.get(obj.id or "")
            if found.kind == "delete":
                if row is None:  # done: our delete reached the server
                    session._deleted.remove(obj)
                    detach(session, obj)
                    session._forget(obj)
                continue
            if row is None:
                continue  # gone: the conflict check says so
            # Applied or not: ``updated_at`` (to the second) may not have moved.
            if shows_write(obj, row, found.fields, found.sent):
                _adopt_update(session, obj, row, found.sent)


def _adopt_update(session: Session, obj: Entity, row: dict[str, Any], sent: dict[str, Any]) -> None:
    """Our update in doubt is on the server: ``row`` becomes what ``obj`` was loaded as,
    and what the user edited since it was sent (or edited back) stays an edit."""
    now = {n: copy_json(getattr(obj, n)) for n in {*obj.changes(), *sent}}
    session._apply_row(obj, row, keep_edits=False)
    if obj._state is not State.PERSISTENT:
        return  # deleted since: nothing more to write
    for name, value in now.items():
        if _comparable(getattr(obj, name)) != _comparable(value):
            obj.__setattr__(name, value)  # tracked: the next update sends it


def _forget_doubt(session: Session, key: int) -> None:
    session._doubts.pop(key, None)
    session._in_doubt.discard(key)


def _comparable(value: Any) -> Any:
    value = None if value is None else unstructure(value)
    if isinstance(value, dict):  # Zou stores a removed data key as null
        return {k: _comparable(v) for k, v in value.items() if v is not None}
    return value


def shows_write(
    obj: Entity,
    row: dict[str, Any],
    sent: Sequence[str],
    values: dict[str, Any] | None = None,
) -> bool:
    """Is ``row`` the object as loaded, with the fields ``sent`` as they were sent
    (``values``), or else as they are now?"""
    cls = type(obj)
    fresh = structure_row(row, cls)
    changes = obj.changes()
    for wire_key in row:
        name = cls.__from_wire__.get(wire_key)
        if name is None or name in _NEVER_COMPARED or name in cls.__derived__:
            continue
        if values is not None and name in values:
            expected = values[name]
        elif name in changes:
            expected = changes[name][1] if name in sent else changes[name][0]
        else:
            expected = obj._loaded(name, _MISSING)
            if expected is _MISSING:
                continue
        if _comparable(expected) != _comparable(object.__getattribute__(fresh, name)):
            return False
    return True


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
        if name is None or name in _NEVER_COMPARED or name in cls.__derived__:
            continue
        if name not in loaded:
            continue
        got = _comparable(object.__getattribute__(fresh, name))
        before = _comparable(loaded[name])
        if isinstance(got, dict) and isinstance(before, dict):
            mine = (_comparable(getattr(obj, name)) or {}) if name in sent else before
            raced += [
                f"{name}.{k}"
                for k in sorted(set(got) | set(before))
                if mine.get(k) == before.get(k) and got.get(k) != before.get(k)
            ]
        elif name not in sent and got != before:
            raced.append(name)
    return raced


# -- comments in doubt ----------------------------------------------------------------------


def _me(session: Session) -> str | None:
    user = getattr(session.transport, "user", None) or {}
    if not user.get("id"):
        try:
            user = session.transport.current_user()
        except KitsuError:
            return None
    return str(user.get("id")) if user.get("id") else None


def lost_comments(session: Session, comments: list[Any]) -> list[tuple[Any, dict[str, Any]]]:
    """The comments of ``comments`` (in doubt) that are on the server, each with its row:
    rows of their tasks made after their send, by this user (or the author they name),
    that the session does not know, matched in order by text and status."""
    if not comments:
        return []
    tasks = sorted({c.object_id for c in comments if c.object_id})
    rows: list[dict[str, Any]] = []
    try:
        rows = session._get_rows("data/comments", {"object_id": _id_list(tasks)})
    except PermissionDenied:  # the generic route is the admins': one request per task
        rows = [r for t in tasks for r in session.transport.get(f"data/tasks/{t}/comments")]
    me = _me(session)
    rows.sort(key=lambda r: (str(r.get("created_at") or ""), str(r["id"])))
    taken: set[str] = set()
    found: list[tuple[Any, dict[str, Any]]] = []
    for comment in comments:
        record = session._doubts.get(id(comment))
        since = record.since if record is not None else None
        authors = {a for a in (comment.person_id, me) if a}
        for row in rows:
            if (
                row["id"] in taken
                or row["id"] in session._identity
                or row.get("object_id") != comment.object_id
                or (row.get("text") or "") != (comment.text or "")
                or row.get("task_status_id") != comment.task_status_id
                or (authors and row.get("person_id") not in authors)
                or (since is not None and _created(row) < since)
            ):
                continue
            taken.add(row["id"])
            found.append((comment, row))
            break
    for comment in comments:
        _forget_doubt(session, id(comment))
    return found


def _created(row: dict[str, Any]) -> datetime:
    when = parse_datetime(row.get("created_at"))
    return when if when is not None else datetime.min.replace(tzinfo=timezone.utc)


def made_since(row: dict[str, Any], since: datetime | None) -> bool:
    """Was ``row`` made at or after ``since`` (always, when ``since`` is unknown)?"""
    return since is None or _created(row) >= since


# -- names that exist: get-or-create routes --------------------------------------------------


def _key_of(obj: Entity, name: str) -> Any:
    """A foreign key's id, from the field or from the object assigned to it."""
    value = getattr(obj, name, None)
    if value is not None:
        return value
    for rel_name, rel in type(obj).__relationships__.items():
        if getattr(rel, "key", None) == name:
            target = (obj._related or {}).get(rel_name)
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

    return {t.name: t.id for t in session._loader.load_reference(EntityType) if t.id}


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
        for row in session._get_rows("data/entities", params):
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
    objs = [
        o
        for o in creates
        if type(o).__kitsu_type__ in GET_OR_CREATE and id(o) not in session._in_doubt
    ]
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
            clashes.append((obj, session._identity.get(row["id"]) or row))
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
    if cls.__kitsu_type__ not in GET_OR_CREATE:
        raise ValidationError(
            f"merge() takes a new {', '.join(sorted(GET_OR_CREATE))}, not a {cls.__name__}: "
            "its create route always creates"
        )
    if obj.id is not None:
        raise ValidationError(f"{obj!r} has an id: it is not new")
    row = find_existing(session, [obj]).get(id(obj))
    if row is None:
        return session.add(obj)
    existing = session._identity.get(row["id"]) or session.get(cls, row["id"])
    if obj in session._new:
        session._new.remove(obj)
    obj._set_state(State.TRANSIENT, None)
    for name, value in creatable.items():
        if name in ("project_id", "parent_id", "name"):
            continue
        current = getattr(existing, name)
        if name == "data" and isinstance(value, dict):
            value = {**(current or {}), **value}
        if current != value:
            setattr(existing, name, value)
    return existing
