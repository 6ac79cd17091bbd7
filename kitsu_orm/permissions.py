"""What each role may write, as Kitsu enforces it: declarative data beside
:mod:`kitsu_orm.routes`, and the check a commit runs on its whole plan
before it sends anything.

Learnt from Zou 1.0.97's own checks (``zou/app``):

- ``blueprints/crud/base.py``: every generic model route (``data/<type>``)
  creates, edits and deletes for admins only, unless its resource says
  otherwise: ``crud/project.py`` (managers edit their projects),
  ``crud/person.py`` (anyone edits themselves), ``crud/task.py`` (managers
  edit and delete tasks, supervisors some fields only), ``crud/entity.py``
  (managers, or the entity's creator, edit it; supervisors its ``data``).
- ``blueprints/shots/resources.py``, ``assets/resources.py``: managers
  create episodes, sequences, shots, scenes and assets; managers or the
  creator delete them. ``breakdown/resources.py``: managers set castings;
  anyone on the team links instances to shots. ``projects/resources.py``:
  managers of the project change its team and its settings' task types,
  task statuses and asset types.
- ``blueprints/tasks/resources.py``: managers create tasks (create-tasks);
  assigning needs ``check_task_department_access`` (managers; supervisors of
  the task's department; an artist only themselves, in their department),
  unassigning the same or oneself; time spent needs
  ``check_time_spent_access`` (the person must be assigned, and only
  admins and managers write someone else's).
- ``blueprints/comments/resources.py``, ``previews/resources.py``: a
  comment needs ``check_task_action_access`` (managers and clients of the
  team; others assigned, or the entity's creator, or mentioned with the
  status unchanged), and ``check_task_status_access``: a status whose
  ``is_artist_allowed`` is false is refused to artists (role ``user``),
  whether it changes or not.
- ``blueprints/files/resources.py``: anyone on the team makes a new working
  file (which assigns them the task) or output file.
- ``services/permissions_service.py``: what each check reads.

Only what follows from the role is declared, with the few facts a session
holds for sure: the user's own id, the creator of a loaded entity, a
status's flags. Team membership, departments, project-specific roles and
mentions are the server's to judge: its refusal stops the commit with a
:class:`~kitsu_orm.errors.CommitError` that says what to fix.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

import attrs

from .errors import PermissionDenied
from .model.base import Entity, State
from .model.state import instance_state, loaded_value, related_of
from .operations import Assignment, CreateTasks, Operation
from .routes import routes_for

if TYPE_CHECKING:
    from .session import Session

__all__ = ["LIMITS", "STATUS_FLAGS", "Limit", "Refusal", "check_plan", "refusals"]

ADMIN = frozenset({"admin"})
MANAGERS = frozenset({"admin", "manager"})
SUPERVISORS = MANAGERS | {"supervisor"}
EVERYONE = SUPERVISORS | {"user", "client", "vendor"}
ROLE_NAMES = {"user": "artist"}


@attrs.frozen
class Limit:
    """Who may make one kind of write.

    ``roles`` may; ``own`` roles may too on what they created themselves, or
    for themselves (an assignment, a time spent); ``fields`` roles may when
    they change only those fields. ``generic_only``: the limit holds only
    when the write goes through the generic model route (``data/<type>``,
    e.g. a working file given its own path). ``advice`` says what to do.
    """

    roles: frozenset[str]
    advice: str
    own: frozenset[str] = frozenset()
    fields: Mapping[str, frozenset[str]] = attrs.field(factory=dict)
    generic_only: bool = False


_ASK_ADMIN = "only an admin does this: ask one, or leave it out of the commit"
_ASK_MANAGER = "only admins and the project's managers do this: ask one, or leave it out"
_STUDIO_TABLES = (
    "ProjectStatus",
    "Department",
    "EntityType",
    "AssetType",
    "TaskStatus",
    "TaskType",
    "Software",
    "OutputType",
    "FileStatus",
)
_BREAKDOWN = ("Episode", "Sequence", "Shot", "Scene", "Asset")
_SUPERVISED_TASK_FIELDS = frozenset(
    {"priority", "start_date", "due_date", "estimation", "difficulty", "data"}
)

# (write, entity type) -> who may. A write the table does not name is the server's to judge.
# Writes: create, update, delete (one object); create_tasks (Zou's create-tasks route);
# assign, unassign, time_spent, comment, cast, link.
LIMITS: dict[tuple[str, str], Limit] = {
    **{
        (write, name): Limit(ADMIN, _ASK_ADMIN)
        for name in _STUDIO_TABLES
        for write in ("create", "update", "delete")
    },
    ("create", "Project"): Limit(ADMIN, _ASK_ADMIN),
    ("update", "Project"): Limit(MANAGERS, _ASK_MANAGER),
    ("delete", "Project"): Limit(ADMIN, _ASK_ADMIN),
    ("create", "Person"): Limit(ADMIN, _ASK_ADMIN),
    ("update", "Person"): Limit(ADMIN, "only admins edit other people", own=EVERYONE),
    ("delete", "Person"): Limit(ADMIN, _ASK_ADMIN),
    **{("create", name): Limit(MANAGERS, _ASK_MANAGER) for name in _BREAKDOWN},
    **{
        ("update", name): Limit(
            MANAGERS,
            "only managers (or whoever created it) edit it; supervisors its data only",
            own=EVERYONE,
            fields={"supervisor": frozenset({"data"})},
        )
        for name in _BREAKDOWN
    },
    **{
        ("delete", name): Limit(
            MANAGERS, "only managers (or whoever created it) delete it", own=EVERYONE
        )
        for name in _BREAKDOWN
    },
    ("create", "Task"): Limit(
        ADMIN,
        "a task with more than a type, status and entity is created through the generic "
        "route, which admins alone may use: create it plain, and edit it after",
    ),
    ("create_tasks", "Task"): Limit(MANAGERS, _ASK_MANAGER),
    ("update", "Task"): Limit(
        MANAGERS,
        "only managers edit tasks; supervisors their priority, dates, estimation, "
        "difficulty and data; anyone changes a status through a comment (task.set_status)",
        fields={"supervisor": _SUPERVISED_TASK_FIELDS},
    ),
    ("delete", "Task"): Limit(MANAGERS, _ASK_MANAGER),
    ("assign", "Task"): Limit(
        SUPERVISORS, "only managers and supervisors assign others", own=EVERYONE
    ),
    ("unassign", "Task"): Limit(
        SUPERVISORS, "only managers and supervisors unassign others", own=EVERYONE
    ),
    ("time_spent", "TimeSpent"): Limit(
        MANAGERS, "only admins and managers log time for someone else", own=EVERYONE
    ),
    # A project's team and settings (task types, statuses, asset types it uses).
    ("link", "Project"): Limit(MANAGERS, _ASK_MANAGER),
    **{(write, "Milestone"): Limit(MANAGERS, _ASK_MANAGER) for write in ("create", "update", "delete")},
    **{
        (write, "PlaylistShareLink"): Limit(MANAGERS, _ASK_MANAGER)
        for write in ("create", "update", "delete")
    },
    ("update", "AttachmentFile"): Limit(ADMIN, _ASK_ADMIN),
    ("delete", "AttachmentFile"): Limit(
        ADMIN, "its comment's author or a manager removes it with attachment.remove()"
    ),
    ("cast", "Shot"): Limit(MANAGERS, _ASK_MANAGER),
    ("cast", "Asset"): Limit(MANAGERS, _ASK_MANAGER),
    ("create", "WorkingFile"): Limit(
        ADMIN, _ASK_ADMIN + " (a file given its own path)", generic_only=True
    ),
    ("create", "OutputFile"): Limit(
        ADMIN, _ASK_ADMIN + " (a file given its own path)", generic_only=True
    ),
    ("create", "AssetInstance"): Limit(
        ADMIN,
        "free instances are made by admins only: instantiate in a scene or an asset",
        generic_only=True,
    ),
    ("create", "TimeSpent"): Limit(
        ADMIN, "a TimeSpent added by hand takes the generic route: use task.set_time_spent"
    ),
    ("update", "TimeSpent"): Limit(ADMIN, "change a time spent's duration only"),
}

# Role -> the TaskStatus flag a comment's status must have for that role (checked whether
# the comment changes the status or not). Clients are left to the server: a project may
# override is_client_allowed.
STATUS_FLAGS: dict[str, str] = {"user": "is_artist_allowed"}


@attrs.frozen
class Refusal:
    """One write of a plan that the user's role may not make."""

    obj: Any
    action: str
    role: str
    advice: str

    def __str__(self) -> str:
        role = ROLE_NAMES.get(self.role, self.role)
        return f"{self.obj!r}: {self.action} (as {role}): {self.advice}"


def check_plan(session: Session, plan: list[list[Operation]]) -> None:
    """Raise PermissionDenied, listing every refused write, before any is sent."""
    role = session.role
    if role == "admin":
        return
    found = refusals(session, [op for level in plan for op in level], role)
    if found:
        lines = "\n  ".join(str(r) for r in found)
        raise PermissionDenied(
            f"nothing was sent: {len(found)} write(s) of this commit are refused to "
            f"role {role!r}:\n  {lines}\n"
            "Take them out (session.expunge(obj), or rollback()), or commit them as "
            "someone allowed to.",
            refused=found,
        )


def refusals(session: Session, ops: Iterable[Operation], role: str) -> list[Refusal]:
    """The writes of ``ops`` that ``role`` may not make."""
    me = session.user_id if role != "admin" else None
    found: list[Refusal] = []
    for op in ops:
        for obj, write, fields, own in _writes(session, op, me):
            limit = LIMITS.get((write, type(obj).__kitsu_type__))
            if limit is not None and not _allowed(limit, role, obj, fields, own):
                shown = "create" if write == "create_tasks" else write  # one route of a create
                action = f"{shown} {', '.join(fields)}" if fields else shown
                found.append(Refusal(obj, action, role, limit.advice))
        flag = STATUS_FLAGS.get(role)
        if flag and op.kind in ("comments", "create"):
            for obj in op.objects:
                status = _status_of(session, obj)
                if status is not None and not getattr(status, flag, True):
                    found.append(
                        Refusal(
                            obj,
                            f"comment with status {status.short_name or status.name!r}",
                            role,
                            f"Kitsu refuses this status to the role ({flag} is false): "
                            "comment with another status, or ask a supervisor",
                        )
                    )
    return found


def _allowed(limit: Limit, role: str, obj: Entity, fields: tuple[str, ...], own: bool) -> bool:
    if role in limit.roles:
        return True
    if role in limit.own and own:
        return True
    allowed_fields = limit.fields.get(role)
    if allowed_fields is not None and fields and set(fields) <= allowed_fields:
        return True
    return limit.generic_only and not _generic_create(obj)


def _writes(
    session: Session, op: Operation, me: str | None
) -> Iterable[tuple[Entity, str, tuple[str, ...], bool]]:
    """(object, write, fields, is it the user's own) for each write of ``op``."""
    if isinstance(op, Assignment):
        person = op.person
        person_id = person.id if isinstance(person, Entity) else person
        for task in op.tasks:
            yield task, op.kind, (), person_id == me
        return
    if isinstance(op, CreateTasks):
        for task in op.tasks:
            yield task, "create_tasks", (), False
        return
    if op.kind == "comments":
        return
    obj = op.obj
    if obj is None:
        return
    if op.kind == "time_spent":
        yield obj, "time_spent", (), getattr(obj, "person_id", None) == me
    elif op.kind == "update":
        yield obj, "update", op.fields, _is_own(obj, me)
    elif op.kind in ("create", "delete", "cast", "link"):
        yield obj, op.kind, (), op.kind == "delete" and _is_own(obj, me)


def _is_own(obj: Entity, me: str | None) -> bool:
    """Is ``obj`` the user themselves, or made by them? Unknown counts as yes: only
    certain refusals are predicted."""
    if type(obj).__kitsu_type__ == "Person":
        return obj.id == me
    if "created_by" in type(obj).__fields__:
        created_by = loaded_value(obj, "created_by")
    else:
        created_by = (instance_state(obj).extra or {}).get("created_by")
    return created_by is None or created_by == me


def _status_of(session: Session, obj: Entity) -> Any:
    if type(obj).__kitsu_type__ != "Comment" or obj.state is not State.PENDING:
        return None
    status = related_of(obj).get("task_status")
    if status is None and getattr(obj, "task_status_id", None):
        status = session.identity.get(obj.task_status_id)
    return status


def _generic_create(obj: Entity) -> bool:
    """Does the create of ``obj`` go through the generic model route?"""
    routes = routes_for(type(obj).__kitsu_type__)
    values = {
        name
        for name in type(obj).__fields__
        if loaded_value(obj, name) is not None and name not in ("id", "created_at", "updated_at")
    }
    values |= {
        rel.key
        for name, rel in type(obj).__relationships__.items()
        if related_of(obj).get(name) is not None and hasattr(rel, "key")
    }
    return not any(k in values and not r.unless & values for k, r in routes.create_by.items())
