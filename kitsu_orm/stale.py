"""Rows our own writes change on the side, read again so that a later write of ours
is never refused as someone else's change.

Zou stamps ``updated_at`` of rows a write does not name: a comment moves its task's
status, time spent is summed into the task, a casting moves the shot and every task
of it (Zou counts again the assets ready for each, ``nb_assets_ready``), an
(un)assignment stamps its tasks (:mod:`kitsu_orm.assignments` marks them before it
sends). A commit marks these rows stale in the identity map as soon as a level of
writes ran (a level that failed too: an answer lost may hide a write done), reads
them after its writes, one request per type, and when it stops before, or those
reads are cut, the next commit reads them before anything else.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from .assignments import rebase_assignees
from .errors import KitsuError
from .model.production import Shot
from .model.tasks import Comment, Task, TimeSpent
from .operations import Cast, Comments, CommentWithFiles, Create, Operation

if TYPE_CHECKING:
    from .session import Session

__all__ = ["mark_stale", "read_stale", "try_read_stale"]


def mark_stale(session: Session, ops: Sequence[Operation]) -> None:
    """Mark the rows the server changes on the side of ``ops`` to be read again."""
    tasks = {
        obj.object_id
        for op in ops
        if isinstance(op, (Create, Comments, CommentWithFiles))
        for obj in op.objects
        if isinstance(obj, Comment)
    }
    tasks |= {op.obj.task_id for op in ops if isinstance(op.obj, TimeSpent)}
    identity = session.identity
    identity.mark_stale(Task, [i for i in tasks if i and isinstance(identity.get(i), Task)])
    cast = {op.obj.id for op in ops if isinstance(op, Cast) and isinstance(op.obj, Shot)}
    identity.mark_stale(Shot, [i for i in cast if i])
    of_cast = [o for o in identity.objects() if isinstance(o, Task) and o.entity_id in cast]
    identity.mark_stale(Task, [o.id for o in of_cast if o.id])


def read_stale(session: Session) -> None:
    """Read again the rows marked stale, one request per type (edits kept; a task
    whose assignment was in doubt takes the server's assignees as its baseline)."""
    identity = session.identity

    def rebase(row: dict[str, Any]) -> None:
        rebase_assignees(identity.get(row["id"]), row)

    for cls, ids in identity.stale().items():
        known = [i for i in ids if identity.get(i) is not None]
        session.reload(cls, known, rebase if cls is Task else None)
        identity.clear_stale(cls, ids)


def try_read_stale(session: Session) -> None:
    """:func:`read_stale`, as a best effort: when a commit fails, the failure is the news."""
    with contextlib.suppress(KitsuError):
        read_stale(session)
