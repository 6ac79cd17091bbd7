"""How the writes of a commit are grouped into Zou's bulk requests: comments in
parts of about 25 (those of one task together and in order), plain tasks of one
type and project in hundreds, and assignments in one request per person and
direction, whatever the number of tasks.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING, Any, cast

from .errors import ValidationError
from .model.base import Entity
from .model.state import instance_state, related_of
from .model.tasks import Comment, Task
from .operations import Assign, Assignment, Unassign
from .persistence import creatable

if TYPE_CHECKING:
    from .session import Session

__all__ = [
    "BATCH",
    "COMMENT_BATCH",
    "assignment_diff",
    "batchable_comment",
    "bulk_task_key",
    "comment_parts",
    "default_comment_status",
    "merge_assignments",
]

BATCH = 100
# Zou runs a batch-comment request on one core, comment after comment (40-55 ms
# each, with its events and notifications): parts of about 25, sent side by
# side, keep every core busy to the end, and leave less in doubt if one fails.
COMMENT_BATCH = 25


def comment_parts(comments: list[Comment], most: int) -> list[list[Comment]]:
    """Comments cut into parts of about ``most``: the comments of one task stay
    together and in order, since parts run side by side."""
    by_task: dict[Any, list[Comment]] = {}
    for comment in comments:
        by_task.setdefault(getattr(comment, "object_id", None) or id(comment), []).append(comment)
    count = max(1, -(-len(comments) // most))
    size = -(-len(comments) // count)
    parts: list[list[Comment]] = [[]]
    for group in by_task.values():
        if parts[-1] and len(parts[-1]) + len(group) > size:
            parts.append([])
        parts[-1].extend(group)
    return [p for p in parts if p]


def batchable_comment(obj: Entity) -> bool:
    """Whether a new comment can go in a batch-comment request: one on a task."""
    return isinstance(obj, Comment) and obj.object_type == "Task"


_BULK_TASK_FIELDS = frozenset({"name", "project_id", "task_type_id", "task_status_id", "entity_id"})


def bulk_task_key(session: Session, obj: Entity) -> tuple[Any, ...] | None:
    """What groups a new task with others into one create-tasks request, or None.

    Only plain tasks qualify: named "main", on a shot or an asset, with no
    other field set than its status (fixed by one update when not the default).
    """
    if not isinstance(obj, Task) or obj.name != "main" or instance_state(obj).extra:
        return None
    related = related_of(obj)
    if not set(creatable(obj)) <= _BULK_TASK_FIELDS:
        return None
    entity = related.get("entity") or session.identity.get(obj.entity_id or "")
    kind = type(entity).__collection__ if entity and type(entity).__bulk_tasks__ else None
    project = related.get("project") or obj.project_id
    task_type = related.get("task_type") or obj.task_type_id
    if kind is None or project is None or task_type is None:
        return None
    return (
        id(project) if isinstance(project, Entity) else project,
        id(task_type) if isinstance(task_type, Entity) else task_type,
        kind,
    )


def default_comment_status(session: Session, comment: Comment) -> None:
    """A comment keeps its task's status unless told otherwise (Zou requires one)."""
    if comment.task_status_id is not None or related_of(comment).get("task_status"):
        return
    task = related_of(comment).get("task") or session.identity.get(comment.object_id or "")
    status = getattr(task, "task_status_id", None)
    if status is None:
        raise ValidationError(
            f"{comment!r} has no task_status and its task is not loaded: give it one"
        )
    object.__setattr__(comment, "task_status_id", status)


def assignment_diff(obj: Entity, old: list[str] | None, new: list[Any] | None) -> list[Assignment]:
    """The assign and unassign operations that take a task from ``old`` to ``new`` assignees."""
    task = cast(Task, obj)  # what has assignees
    before, after = set(old or ()) - {None}, set(new or ())
    ops: list[Assignment] = [Assign(p, [task]) for p in sorted(after - before, key=str)]
    ops += [Unassign(p, [task]) for p in sorted(before - after, key=str)]
    return ops


def merge_assignments(ops: list[Assignment]) -> list[Assignment]:
    """One bulk request per person and direction, whatever the number of tasks."""
    merged: dict[tuple[type[Assignment], Any], list[Task]] = defaultdict(list)
    for op in ops:
        merged[(type(op), op.person)].extend(op.tasks)
    return [kind(person, tasks) for (kind, person), tasks in merged.items()]
