"""The writes of a commit: one function per kind of operation
(:mod:`kitsu_orm.operations`), each sending its request and adopting the answer
into the session (``session.identity``): a created object becomes persistent and
joins its parents' loaded lists, an updated one takes the server's row.

A write whose request breaks after it may have reached the server is recorded in
doubt (:mod:`kitsu_orm.doubts`), so that the next commit settles it instead of
sending it twice; an update's answer that shows someone else's edit is reported
(:func:`~kitsu_orm.conflicts.raced_fields`). Zou's special cases live here: create
routes per type, bulk routes of tasks, comments, assignments; time spent's routes.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import attrs

from .assignments import assign, assignees, unassign
from .conflicts import raced_fields
from .doubts import doubt, lost_comments, lost_create, server_clock
from .errors import AlreadyExists, ConnectionError, KitsuError, NotFound, ServerError
from .links import cast, link
from .model.arguments import day_string
from .model.base import Entity, State
from .model.converter import unstructure
from .model.relationships import ToOne
from .model.state import instance_state, label, loaded_value, related_of
from .model.tasks import Comment, TimeSpent, time_spent_state
from .operations import (
    AddPreviews,
    Assign,
    Cast,
    Comments,
    CommentWithFiles,
    Create,
    CreateTasks,
    Delete,
    Link,
    Operation,
    SetMainPreview,
    SetTimeSpent,
    Unassign,
    Update,
    UploadPreview,
)
from .parent_lists import attach_to_parents, detach_from_parents
from .progress import Setting
from .publishing import add_previews, comment_with_files, set_main_preview, upload_preview
from .routes import ACTIONS, routes_for
from .urls import fill, placeholders

if TYPE_CHECKING:
    from .session import Session

__all__ = [
    "WRITES",
    "Writer",
    "adopt",
    "comments",
    "create",
    "create_tasks",
    "creatable",
    "delete",
    "time_spent",
    "update",
]

_NEVER_SENT = frozenset({"id", "created_at", "updated_at"})
_UNLOADED = object()


@attrs.define(eq=False)
class Writer:
    """What the writes of one commit share: its session, whether it overwrites what
    others wrote, and the races its answers showed (object -> fields)."""

    session: Session
    overwrite: bool = False
    raced: dict[Entity, list[str]] = attrs.Factory(dict)
    progress: Setting = False

    @property
    def transport(self) -> Any:
        """The session's transport, that every write goes through."""
        return self.session.transport

    def write(self, op: Operation) -> None:
        """Send ``op`` through the function of its kind."""
        WRITES[type(op)](self, op)

    def adopt(self, obj: Entity, row: dict[str, Any]) -> None:
        """``obj`` now exists on the server as ``row`` (see :func:`adopt`)."""
        adopt(self, obj, row)

    def adopt_comment(self, comment: Comment, row: dict[str, Any]) -> None:
        """A new comment now exists on the server as ``row``."""
        _adopt_comment(self, comment, row)

    def resolve(self, obj: Entity) -> None:
        """Fill in the keys of ``obj`` that pointed at objects pending when assigned."""
        _resolve_pending_keys(obj)


def create(w: Writer, op: Create) -> None:
    """Create ``op.obj`` through its type's create route, or adopt a lost create's row."""
    obj = op.obj
    cls = type(obj)
    routes = routes_for(cls.__kitsu_type__)
    _resolve_pending_keys(obj)
    if w.session.identity.is_in_doubt(obj):
        lost = lost_create(w.session, obj)
        if lost is not None:
            # Edited since the lost create was sent: the fields as they are now follow
            # in an update, as for a create route that ignores some; a field sent then
            # emptied too (creatable() leaves empty fields out).
            record = w.session.identity.doubt_of(obj)
            now = creatable(obj)
            emptied = {k: None for k in (record.sent if record else {}) if k not in now}
            adopt(w, obj, lost, {**emptied, **now})
            return
    values = creatable(obj)
    variant = next(
        (r for k, r in routes.create_by.items() if k in values and not r.unless & values.keys()),
        None,
    )
    if variant is not None:
        body = {key: unstructure(values[k]) for k, key in variant.fields.items() if k in values}
        path = _format(variant.path, obj)
    else:
        sent = (
            values
            if routes.create_only is None
            else {k: v for k, v in values.items() if k in routes.create_only}
        )
        wire = {**cls.__wire__, **routes.create_fields}
        body = {wire[k]: unstructure(v) for k, v in sent.items()}
        extra = instance_state(obj).extra
        if routes.create_only is None and extra:
            body = {**extra, **body}
        path = _format(routes.create, obj)
    since = server_clock(w.transport)
    try:
        row = w.transport.post(path, body)
    except (ConnectionError, ServerError):
        doubt(w.session, "create", obj, since, values=values)
        raise
    adopt(w, obj, row, values)


def create_tasks(w: Writer, op: CreateTasks) -> None:
    """Tasks of one type for many shots or assets: one request (Zou skips existing ones)."""
    kind, tasks = op.collection, op.tasks
    for task in tasks:
        _resolve_pending_keys(task)
    intended = {id(t): creatable(t) for t in tasks}
    first = tasks[0]
    path = fill(
        ACTIONS["create_tasks"],
        project_id=first.project_id,
        task_type_id=first.task_type_id,
        collection=kind,
    )
    try:
        rows = w.transport.post(path, [t.entity_id for t in tasks])
    except ConnectionError:
        w.session.identity.mark_in_doubt(tasks)
        raise
    by_entity = {row["entity_id"]: row for row in rows}
    missing = [t for t in tasks if t.entity_id not in by_entity]
    if missing:  # created by an earlier try whose answer was lost
        routes = routes_for("Task")
        entity_ids = [t.entity_id for t in missing]
        found = w.session.get_rows(
            routes.list,
            {
                **routes.list_params,
                "task_type_id": first.task_type_id,
                "entity_id": json.dumps(entity_ids, separators=(",", ":")),
            },
        )
        by_entity.update({row["entity_id"]: row for row in found if row["name"] == "main"})
    for task in tasks:
        row = by_entity.get(task.entity_id)
        if row is None:
            raise KitsuError(f"the server did not create {task!r}", path="/" + path)
        adopt(w, task, row, intended[id(task)])


def comments(w: Writer, op: Comments) -> None:
    """Many comments (and the status changes they carry) in one request."""
    batch = op.comments
    for comment in batch:
        _resolve_pending_keys(comment)
    # Comments of an earlier try that broke (or that the server refused halfway:
    # it makes them one by one) are looked for, in one request per 80 tasks.
    found = lost_comments(w.session, [c for c in batch if w.session.identity.is_in_doubt(c)])
    for comment, row in found:
        _adopt_comment(w, comment, row)
    adopted = {id(c) for c, _ in found}
    todo = [c for c in batch if id(c) not in adopted]
    if not todo:
        return
    body = {"comments": [_comment_body(c) for c in todo]}
    since = server_clock(w.transport)
    try:
        rows = w.transport.post(ACTIONS["batch_comment"], body)
    except KitsuError:
        for comment in todo:
            doubt(w.session, "comment", comment, since)
        raise
    for comment, row in zip(todo, rows, strict=True):
        _adopt_comment(w, comment, row)


def _adopt_comment(w: Writer, comment: Comment, row: dict[str, Any]) -> None:
    # Fields the batch route does not take (pinned, data...) follow in an update;
    # the author is the server's to decide for non-managers.
    intended = {k: v for k, v in creatable(comment).items() if k != "person_id"}
    adopt(w, comment, row, intended)


def time_spent(w: Writer, op: SetTimeSpent) -> None:
    """A person's time on a task for a day, through the set or the add action route."""
    spent = op.obj
    assert isinstance(spent, TimeSpent)
    _resolve_pending_keys(spent)
    persistent = spent.state is State.PERSISTENT
    before = spent.changes().get("duration", (0.0, None))[0] if persistent else 0.0
    adds = time_spent_state(spent).adds
    adding = adds is not None and abs(spent.duration - ((before or 0.0) + adds)) < 1e-9
    if adding and w.session.identity.is_in_doubt(spent):
        raise KitsuError(
            f"{spent!r}: an earlier commit added {adds:g} min and lost the answer, so it "
            "may have been applied; it is not sent twice blindly. Read the day "
            "(task.time_spents_on(day)), then set the total you mean with "
            "task.set_time_spent(...), or session.expunge() it"
        )
    assert spent.date is not None
    path = fill(
        ACTIONS["add_time_spent" if adding else "set_time_spent"],
        task_id=spent.task_id,
        date=day_string(spent.date),
        person_id=spent.person_id,
    )
    try:
        row = w.transport.post(path, {"duration": adds if adding else spent.duration})
    except ConnectionError:
        if adding:
            w.session.identity.mark_in_doubt([spent])
        raise
    if persistent:
        w.session.identity.apply_row(spent, row)
    else:
        adopt(w, spent, row)


def adopt(
    w: Writer, obj: Entity, row: dict[str, Any], intended: dict[str, Any] | None = None
) -> None:
    """``obj`` now exists on the server as ``row``; fields the create route
    ignored are sent with one update."""
    session = w.session
    twin = session.identity.get(row.get("id") or "")
    if twin is not None and twin is not obj:
        raise AlreadyExists(
            f"the server answered the create of {obj!r} with {twin!r} (id {twin.id}), which "
            "this session holds already: two objects cannot share one id. Use "
            "session.merge(obj) to edit the existing one",
            existing=[(obj, twin)],
        )
    people = assignees(obj) if obj.state is State.PENDING else []
    session.identity.register_created(obj, row)
    attach_to_parents(session, obj)
    if people:
        # Pending: the assignment level sends them (people are created before tasks).
        obj.__setattr__("assignee_ids", [getattr(p, "id", p) for p in people])
    if not intended:
        return
    for name, value in intended.items():
        if getattr(obj, name) != value:
            obj.__setattr__(name, value)  # tracked: an update, or an assignment
    leftover = tuple(n for n in obj.changes() if n != "assignee_ids")
    if leftover:
        update(w, Update(obj, leftover))


def update(w: Writer, op: Update) -> None:
    """Send the changed fields ``op.fields`` of ``op.obj`` to its update route."""
    obj = op.obj
    assert obj is not None and obj.id is not None
    cls = type(obj)
    routes = routes_for(cls.__kitsu_type__)
    _resolve_pending_keys(obj)
    changes = obj.changes()
    path, body = routes.update, {}
    for name in (sent := [*op.fields, *sorted(routes.update_always - set(op.fields))]):
        new = getattr(obj, name)
        if name == "data" and routes.data_merges:
            old = changes.get(name, (None, new))[0] or {}
            removed = [k for k in old if k not in (new or {})]
            if removed and routes.data_replace:
                path = routes.data_replace  # the one route that can drop a key
            else:
                # Zou merges this data: send the changed keys, removed ones as null.
                new = {
                    **{k: None for k in removed},
                    **{k: v for k, v in (new or {}).items() if old.get(k, object()) != v},
                }
        body[cls.__wire__[name]] = unstructure(new)
    loaded = {
        name: changes[name][0] if name in changes else value
        for name in cls.__fields__
        if (value := loaded_value(obj, name, _UNLOADED)) is not _UNLOADED
    }
    since = server_clock(w.transport)
    if routes.update_rereads:
        w.session.identity.mark_stale(cls, [obj.id])
    try:
        row = w.transport.put(_format(path, obj), body)
    except NotFound as exc:
        raise _gone(obj, exc) from exc
    except (ConnectionError, ServerError):
        doubt(w.session, "update", obj, since, op.fields)
        raise
    w.session.identity.pop_doubt(obj)
    if isinstance(row, dict) and row.get("id") == obj.id:
        raced = [] if w.overwrite else raced_fields(obj, row, sent, loaded)
        if raced:
            w.raced[obj] = raced
        w.session.identity.apply_row(obj, row)
    else:
        instance_state(obj).mark_clean(obj)


def delete(w: Writer, op: Delete) -> None:
    """Delete ``op.obj`` on the server; a delete sent again that finds nothing was done."""
    obj = op.obj
    assert obj is not None and obj.id is not None
    routes = routes_for(type(obj).__kitsu_type__)
    retries = w.transport.stats.retries
    try:
        w.transport.delete(_format(routes.delete, obj), dict(routes.delete_params) or None)
    except NotFound as exc:
        # A delete sent again after its answer was lost finds nothing: it was done.
        if w.session.identity.doubt_of(obj) is None and w.transport.stats.retries == retries:
            raise _gone(obj, exc) from exc
    except (ConnectionError, ServerError):
        doubt(w.session, "delete", obj, None)
        raise
    w.session.identity.clear_doubt(obj)
    detach_from_parents(w.session, obj)
    w.session.identity.forget(obj)


def _comment_body(comment: Comment) -> dict[str, Any]:
    body = {
        "task_id": comment.object_id,
        "task_status_id": comment.task_status_id,
        "text": comment.text or "",
        "checklist": comment.checklist or [],
    }
    if comment.person_id is not None:
        body["person_id"] = comment.person_id
    return body


def creatable(obj: Entity) -> dict[str, Any]:
    """The fields a create sends (assignees go through the assignment routes)."""
    cls = type(obj)
    return {
        name: getattr(obj, name)
        for name in sorted(cls.__fields__ - _NEVER_SENT - cls.__derived__ - {"assignee_ids"})
        if getattr(obj, name) is not None
    }


def _gone(obj: Entity, exc: NotFound) -> NotFound:
    return NotFound.of_object(
        type(obj).__name__, obj.id, label=label(obj), loaded=True, cause=exc
    )


def _format(template: str | None, obj: Entity) -> str:
    if template is None:
        raise KitsuError(f"{type(obj).__name__} cannot be written through the API")
    # Only the fields the route names: reading another of a partial row (a board's)
    # would load its whole batch again, once per commit worker.
    cls = type(obj)
    fields = {key: cls.__from_wire__.get(key, key) for key in placeholders(template)}
    values = {key: getattr(obj, name) for key, name in fields.items() if name in cls.__fields__}
    return fill(template, **values)


def _resolve_pending_keys(obj: Entity) -> None:
    """Fill in foreign keys of objects that were pending when assigned."""
    for name, rel in type(obj).__relationships__.items():
        target = related_of(obj).get(name)
        if isinstance(rel, ToOne) and isinstance(target, Entity) and getattr(obj, rel.key) is None:
            if target.id is None:
                raise KitsuError(f"{obj!r}.{name} points at {target!r}, which was not created")
            object.__setattr__(obj, rel.key, target.id)


WRITES: dict[type[Operation], Callable[[Writer, Any], None]] = {
    Create: create,
    CreateTasks: create_tasks,
    Comments: comments,
    SetTimeSpent: time_spent,
    Update: update,
    Delete: delete,
    Assign: assign,
    Unassign: unassign,
    Cast: cast,
    Link: link,
    CommentWithFiles: comment_with_files,
    AddPreviews: add_previews,
    UploadPreview: upload_preview,
    SetMainPreview: set_main_preview,
}
"""The function that sends each kind of operation."""
