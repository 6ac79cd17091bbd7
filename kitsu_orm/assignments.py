"""Assignments: who works on which task. Zou assigns and unassigns in bulk, one
request per person and direction, and skips silently the tasks the user may not
touch: those are reported, never dropped. Each applied (un)assignment is recorded
in its tasks' baselines at once, so a commit that fails halfway sends exactly the
rest again.

Zou stamps a task's ``updated_at`` when it (un)assigns it. The tasks are marked
stale before the request, so the commit reads them again once after its writes (or
the next commit does, when that read or the answer is lost): kept with the old
stamp, a later update or delete of ours would be refused as someone else's change.
"""

from __future__ import annotations

import weakref
from typing import TYPE_CHECKING, Any

from .errors import KitsuError
from .model.base import Entity
from .model.state import instance_state, related_of
from .model.tasks import Task
from .operations import Assign, Unassign
from .routes import ACTIONS
from .urls import fill

if TYPE_CHECKING:
    from .persistence import Writer

__all__ = ["assign", "assignees", "rebase_assignees", "unassign"]

# Tasks with an (un)assignment sent and not yet read back. Until it is, nobody knows
# whom the server holds: when the task is read again (kitsu_orm.stale), the server's
# assignees become its baseline, so that the next commit takes off whoever the
# server holds and the user's list leaves out, and adds only who is missing.
_IN_DOUBT: weakref.WeakSet[Task] = weakref.WeakSet()


def assign(w: Writer, op: Assign) -> None:
    """Give ``op.person`` ``op.tasks`` in one request; tasks the server skipped raise."""
    person_id, tasks = _person_and_tasks(op.person, op.tasks)
    # Two assignments of one task may run at once: neither answer is the last word.
    w.session.identity.mark_stale(Task, [t.id for t in tasks if t.id])
    _IN_DOUBT.update(tasks)
    rows = w.transport.put(
        fill(ACTIONS["assign"], person_id=person_id), {"task_ids": [t.id for t in tasks]}
    )
    by_id = {row["id"]: row for row in rows or ()}
    done = [t for t in tasks if t.id in by_id]
    for task in done:  # the answer carries the tasks as they are now (updated_at...)
        w.session.identity.apply_row(task, by_id[task.id], keep_edits=True)
    _settle_assignment(done, person_id, assigned=True)
    _refused(tasks, done, f"assign to {person_id}")


def unassign(w: Writer, op: Unassign) -> None:
    """Take ``op.person`` off the tasks of ``op.tasks`` in one request (the commit reads
    them again after its writes)."""
    person_id, tasks = _person_and_tasks(op.person, op.tasks)
    w.session.identity.mark_stale(Task, [t.id for t in tasks if t.id])
    _IN_DOUBT.update(tasks)
    ids = w.transport.put(
        ACTIONS["clear_assignation"],
        {"task_ids": [t.id for t in tasks], "person_id": person_id},
    )
    done = [t for t in tasks if t.id in set(ids or ())]
    _settle_assignment(done, person_id, assigned=False)
    _refused(tasks, done, f"unassign {person_id}")


def rebase_assignees(task: Entity | None, row: dict[str, Any]) -> None:
    """``row`` is ``task`` as the server holds it now: if an (un)assignment of it was in
    doubt, the server's assignees become the baseline its pending list is compared with
    (a lost answer may hide a write done, or not done)."""
    if not isinstance(task, Task) or task not in _IN_DOUBT:
        return
    _IN_DOUBT.discard(task)
    server = list(row.get(Task.__wire__["assignee_ids"]) or [])
    state = instance_state(task)
    for store in (state.changes, state.copies):
        if store is not None and "assignee_ids" in store:
            store["assignee_ids"] = list(server)
    if state.changes is not None and set(task.assignee_ids or []) == set(server):
        state.changes.pop("assignee_ids", None)


# -- conflicts ------------------------------------------------------------------------


def assignees(task: Entity) -> list[Any]:
    """Assignee ids, or the Person objects themselves while they are not created."""
    ids = list(getattr(task, "assignee_ids", None) or ())
    if None not in ids:
        return ids
    people = related_of(task).get("assignees") or []
    return [p.id or p for p in people]


def _person_and_tasks(person: Any, tasks: list[Task]) -> tuple[str, list[Task]]:
    person_id = person.id if isinstance(person, Entity) else person
    if person_id is None:
        raise KitsuError(f"{person!r} was not created: its tasks cannot be assigned to it")
    for task in tasks:
        people = related_of(task).get("assignees")
        if None in (getattr(task, "assignee_ids", None) or ()) and people:
            object.__setattr__(task, "assignee_ids", [p.id for p in people])
    return person_id, tasks


def _settle_assignment(tasks: list[Task], person_id: str, *, assigned: bool) -> None:
    """Record one applied (un)assignment in each task's baseline, and only that one,
    so that a commit that fails halfway resends exactly the rest."""
    for task in tasks:
        state = instance_state(task)
        for store in (state.changes, state.copies):
            if store is None or "assignee_ids" not in store:
                continue
            baseline = [p for p in (store["assignee_ids"] or []) if p != person_id]
            baseline = [*baseline, person_id] if assigned else baseline
            current = list(task.assignee_ids or [])
            store["assignee_ids"] = current if set(baseline) == set(current) else baseline
        if not task.changes().get("assignee_ids") and state.changes is not None:
            state.changes.pop("assignee_ids", None)


def _refused(tasks: list[Task], done: list[Task], action: str) -> None:
    """Zou's bulk routes skip what the user may not touch: say so, never silently."""
    skipped = [t for t in tasks if t not in done]
    if skipped:
        from .errors import PermissionDenied

        raise PermissionDenied(
            f"the server refused to {action} on {len(skipped)} task(s): "
            + ", ".join(repr(t) for t in skipped[:5])
        )
