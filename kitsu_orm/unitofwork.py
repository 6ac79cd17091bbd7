"""The plan of a commit and its run: dependency order, coalesced updates, bulk
routes, and when the conflict check and the settling of writes in doubt happen.

A commit is a list of *levels*, in the order the server needs them, its
permissions included. Creates come first, parents before children
(project, episode, sequence, shot/asset, task), a project's team and
settings links right after projects and people; then the new assignments
(an artist may write on a task only once assigned to it); then working
files (Zou assigns a task to the author of its new working file), output
files, comments and time spent; then updates, the removed assignments (a
right is taken back after its last use), castings and links; then
deletes, children first. A delete whose object a new one replaces (a task
deleted and one of its type made again on its shot: Zou keeps one row per
natural key) goes before the creates (:mod:`kitsu_orm.replacements`). The
pending objects that point at an object being deleted (a deleted task's new
comment or time spent) are forgotten: they would go with it, and what they need
first (an assignment of the deleted task) is not sent. Operations of one
level do not depend on each other, so they run concurrently over the
transport's pooled connections; levels run one after the other.

Before anything is sent, the whole plan is checked against the user's role
(:mod:`kitsu_orm.permissions`): a write Kitsu is known to refuse raises
:class:`~kitsu_orm.errors.PermissionDenied` listing every one, with no
request sent. ``commit(only=[...])`` plans those objects alone, with the
pending objects they depend on.

Each object gets at most one request for its fields (several edits of one
object are one PUT). Each operation marks its object clean the moment the
server accepts it, so when a commit fails halfway, a :class:`CommitError`
lists what was applied and what was not, the unapplied objects keep their
changes, and ``commit()`` again sends only what is left. A write whose
answer was lost may have happened on the server: it is *in doubt*, and the
next commit settles it before sending it again (:mod:`kitsu_orm.doubts`:
our own update is adopted, a done delete forgotten, a create or a comment
found among the rows made after it was sent). :mod:`kitsu_orm.conflicts`
refuses, before any write, a new object whose name exists under its parent or
an object changed on the server since it was loaded, and reports the edits
made there between the conflict check and a PUT; :mod:`kitsu_orm.stale` reads
again the rows our own writes changed on the side, so that the check never
takes them for someone else's.

The plan is made of the typed operations of :mod:`kitsu_orm.operations`,
grouped into bulk requests by :mod:`kitsu_orm.batching`; each is sent by its
function in :mod:`kitsu_orm.persistence` (``WRITES``), which registers what the
server answered through the session's identity map.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from concurrent.futures import FIRST_EXCEPTION, wait
from typing import TYPE_CHECKING, Any

from .assignments import assignees
from .batching import (
    BATCH,
    COMMENT_BATCH,
    assignment_diff,
    batchable_comment,
    bulk_task_key,
    comment_parts,
    default_comment_status,
    merge_assignments,
)
from .commit_checks import check_before_writing
from .conflicts import NOTHING_WRITTEN, check_conflicts
from .doubts import settle
from .errors import (
    CommitError,
    ConflictError,
    ConnectionError,
    DetachedError,
    KitsuError,
    ServerError,
)
from .links import changed_links
from .model.base import Entity, State
from .model.previews import PreviewFile
from .model.production import EntityRow, Project
from .model.relationships import Casting, ToOne, unsaved_targets
from .model.state import related_of
from .model.tasks import Comment, Task, TimeSpent, time_spent_state
from .model.values import check_again
from .operations import (
    Assign,
    Assignment,
    Cast,
    Comments,
    CommentWithFiles,
    Create,
    CreateTasks,
    Delete,
    Link,
    Operation,
    SetTimeSpent,
    Unassign,
    Update,
    UploadPreview,
)
from .parent_lists import detach_from_parents
from .persistence import Writer, creatable
from .progress import Meter, Setting, meter
from .publishing import plan_previews, split_main_preview
from .replacements import drop_orphans, replaced_by_new
from .side_by_side import SideBySide
from .stale import mark_stale, read_stale, try_read_stale

if TYPE_CHECKING:
    from .session import Session

__all__ = ["UnitOfWork", "Operation", "creatable"]


class UnitOfWork:
    """Plans and runs one commit of a session."""

    def __init__(
        self,
        session: Session,
        *,
        overwrite: bool = False,
        progress: Setting = False,
        only: Iterable[Entity] | None = None,
    ) -> None:
        self.session = session
        self.transport = session.transport
        self.overwrite = overwrite
        self.progress = progress
        self.only = None if only is None else list(only)
        self._meter = Meter()
        self._writer = Writer(session, overwrite, progress=progress)

    # -- planning ---------------------------------------------------------------------

    def plan(self) -> list[list[Operation]]:
        """The commit's operations, as levels to run in order (each level's concurrently)."""
        session = self.session
        scope = self._scope()

        def wanted(obj: Entity) -> bool:
            return scope is None or id(obj) in scope

        self._cascade_pending(scope)
        going = [o for o in session.identity.deleted() if wanted(o)]
        replaced = replaced_by_new(going, [o for o in session.identity.pending() if wanted(o)])
        drop_orphans(session, going)
        creates: dict[int, list[Operation]] = defaultdict(list)
        comments: list[Comment] = []
        bulk_tasks: dict[tuple[Any, ...], list[Task]] = defaultdict(list)
        updates: list[Operation] = []
        mains: list[Operation] = []
        assignments: list[Assignment] = []
        for obj in session.identity.pending():
            if not wanted(obj):
                continue
            check_again(obj, type(obj).__mutable_fields__)  # edits in place: before any request
            if getattr(obj, "assignee_ids", None):
                assignments.extend(assignment_diff(obj, [], assignees(obj)))
            if isinstance(obj, TimeSpent) and time_spent_state(obj).by_action:
                creates[TimeSpent.__level__].append(SetTimeSpent(obj))
            elif isinstance(obj, PreviewFile):
                continue  # added to its comment once created: plan_previews
            elif isinstance(obj, Comment) and obj.attachments_to_send:
                default_comment_status(session, obj)
                creates[Comment.__level__].append(CommentWithFiles(obj))
            elif isinstance(obj, Comment) and batchable_comment(obj):
                default_comment_status(session, obj)
                comments.append(obj)
            elif isinstance(obj, Task) and (key := bulk_task_key(session, obj)) is not None:
                bulk_tasks[key].append(obj)
            else:
                level = type(obj).__level__
                creates[level].append(Create(obj))
        for part in comment_parts(comments, COMMENT_BATCH):
            creates[Comment.__level__].append(Comments(part))
        for key, tasks in bulk_tasks.items():
            for start in range(0, len(tasks), BATCH):
                creates[Task.__level__].append(CreateTasks(key[-1], tasks[start : start + BATCH]))
        for obj in session.dirty:
            if not wanted(obj):
                continue
            changed = obj.changes()
            check_again(obj, changed)
            fields = tuple(
                n for n in changed if n not in type(obj).__derived__ and n != "assignee_ids"
            )
            if isinstance(obj, TimeSpent) and "duration" in fields:
                # Through the action routes, as anyone may (PUT data/time-spents: admins only).
                creates[TimeSpent.__level__].append(SetTimeSpent(obj))
                fields = tuple(n for n in fields if n != "duration")
            fields = split_main_preview(obj, fields, mains)  # sent after the uploads
            if fields:
                updates.append(Update(obj, fields))
            if "assignee_ids" in changed:
                assignments.extend(assignment_diff(obj, changed["assignee_ids"][0], assignees(obj)))
        deletes: dict[int, list[Operation]] = defaultdict(list)
        first: dict[int, list[Operation]] = defaultdict(list)  # replaced: before the creates
        for obj in session.identity.deleted():
            if wanted(obj):
                level = type(obj).__level__
                (first if id(obj) in replaced else deletes)[level].append(Delete(obj))
        # The casting or links of an object being deleted are not sent: it goes (and
        # Zou would move its updated_at, so that a delete cut after them would be taken
        # for a conflict with someone else by the next commit).
        deleted = {id(o) for o in session.identity.deleted()}
        kept = [
            o
            for o in [*session.identity.objects(), *session.identity.pending()]
            if id(o) not in deleted
        ]
        castings: list[Operation] = [
            Cast(obj) for obj in kept if related_of(obj).get(Casting.DIRTY) and wanted(obj)
        ]
        links: list[Operation] = [
            Link(obj, name)
            for obj in kept
            for name in changed_links(obj)
            # A new object linked to another (a shot's new instance) brings its link along.
            if wanted(obj) or any(wanted(t) for t in related_of(obj).get(name, ()))
        ]
        merged = merge_assignments(assignments)
        grants: list[Operation] = [op for op in merged if isinstance(op, Assign)]
        revokes: list[Operation] = [op for op in merged if isinstance(op, Unassign)]
        # A project's team and settings before the breakdown and assignments using them.
        settings = [op for op in links if isinstance(op.obj, Project)]
        levels = [first[k] for k in sorted(first, reverse=True)]
        levels += [creates[k] for k in sorted(creates) if k <= Project.__level__] + [settings]
        levels += [creates[k] for k in sorted(creates) if Project.__level__ < k <= Task.__level__]
        levels += [grants]
        levels += [creates[k] for k in sorted(creates) if k > Task.__level__]
        levels += [*plan_previews(session, session.identity.pending(), wanted)]
        levels += [updates, mains, revokes, castings, [op for op in links if op not in settings]]
        levels += [deletes[k] for k in sorted(deletes, reverse=True)]
        return [level for level in levels if level]

    def _scope(self) -> set[int] | None:
        """The objects of ``commit(only=...)`` and the pending objects they point at
        (``id()`` of each), or None for the whole session."""
        if self.only is None:
            return None
        scope: set[int] = set()
        queue = list(self.only)
        for obj in queue:
            if not isinstance(obj, Entity) or obj.session is not self.session:
                raise DetachedError(f"commit(only=...) takes objects of this session, not {obj!r}")
        while queue:
            obj = queue.pop()
            if id(obj) in scope:
                continue
            scope.add(id(obj))
            related = related_of(obj)
            targets = [
                related.get(name)
                for name, rel in type(obj).__relationships__.items()
                if isinstance(rel, ToOne)
            ]
            targets += list(related.get("assignees") or ())
            queue.extend(
                t
                for t in targets
                if isinstance(t, Entity) and t.state in (State.PENDING, State.TRANSIENT)
            )
        return scope

    def _cascade_pending(self, scope: set[int] | None = None) -> None:
        """New objects a pending object points at are created too."""
        pending = [o for o in self.session.identity.pending() if scope is None or id(o) in scope]
        for target in list(unsaved_targets(pending)):
            self.session.add(target)

    # -- running ----------------------------------------------------------------------

    def run(self) -> None:
        """Settle earlier doubts, check the plan and conflicts, then send it, level by level."""
        # Writes of an earlier commit that lost their answer: ours, or not done?
        settle(self.session, detach_from_parents)
        # Rows an earlier commit could not read again after its writes (cut).
        read_stale(self.session)
        plan = self.plan()
        if not plan:
            return
        check_before_writing(self.session, plan, overwrite=self.overwrite)
        try:
            total = sum(len(level) for level in plan)
            with meter(self.progress, "commit", total=total, unit=" ops") as counter:
                self._meter = counter
                self._run_plan(plan)
        finally:
            self.session.forget_cached(_written_types(plan))

    def _run_plan(self, plan: list[list[Operation]]) -> None:
        applied: list[Operation] = []
        self._writer = Writer(self.session, self.overwrite, progress=self.progress)
        for index, level in enumerate(plan):
            checked = [op for op in level if isinstance(op, (Update, Delete))]
            if checked and applied:
                # Earlier levels took time: look again right before these writes.
                try:
                    self._check_conflicts(checked, same_fields=True)
                except ConflictError as exc:
                    exc.message = (
                        f"{exc.message[: -len(NOTHING_WRITTEN)]} The {len(applied)} operations "
                        "of the earlier steps were applied; these updates and deletes were not."
                    )
                    exc.args = (exc.message,)
                    try_read_stale(self.session)
                    raise
                except KitsuError:
                    try_read_stale(self.session)
                    raise
            done, failed, culprit = self._run_level(level)
            applied.extend(done)
            # Marked at once, whatever stops the commit later (a cut re-check, a conflict):
            # the next commit reads them first. The writes of a level that failed may be
            # on the server all the same (an answer lost): theirs too.
            mark_stale(self.session, done if failed is None else level)
            if failed is not None:
                try_read_stale(self.session)
                pending = [op for op in level if op not in done]
                pending += [op for later in plan[index + 1 :] for op in later]
                raise CommitError(
                    _stopped_message(applied, pending, failed, culprit),
                    applied=applied,
                    pending=pending,
                    method=failed.method,
                    path=failed.path,
                    status=failed.status,
                ) from failed
        read_stale(self.session)
        if self._writer.raced:
            raced = self._writer.raced
            named = "; ".join(f"{o!r}: {', '.join(f)}" for o, f in list(raced.items())[:10])
            raise ConflictError(
                f"{len(raced)} object(s) were written by someone else between the conflict "
                f"check and this commit's write (seen in the server's answer): {named}. "
                "Every write of this commit was applied (the last write wins): check that "
                "your values of these objects still hold.",
                objects=list(raced),
                fields=raced,
                written=True,
            )

    def _run_level(
        self, level: list[Operation]
    ) -> tuple[list[Operation], KitsuError | None, Operation | None]:
        """What was applied, the error that stopped the level, and the operation it stopped."""
        workers = max(1, min(self.session.workers, len(level)))
        if workers == 1:
            done: list[Operation] = []
            for op in level:
                try:
                    self._step(op)
                except KitsuError as exc:
                    return done, exc, op
                done.append(op)
            return done, None, None
        with SideBySide(workers, "kitsu-commit") as pool:
            futures = {pool.submit(self._step, op): op for op in level}
            finished, _ = wait(futures, return_when=FIRST_EXCEPTION)
            error = next((f.exception() for f in finished if f.exception() is not None), None)
            if error is not None:
                for future in futures:
                    future.cancel()
            wait(futures)
        done = [
            op
            for f, op in futures.items()
            if f.done() and not f.cancelled() and f.exception() is None
        ]
        failed = next(
            (f for f in futures if f.done() and not f.cancelled() and f.exception()), None
        )
        failure = None if failed is None else failed.exception()
        if failure is not None and not isinstance(failure, KitsuError):
            raise failure
        return done, failure, None if failed is None else futures[failed]

    def execute(self, op: Operation) -> None:
        """Send one operation (through :data:`kitsu_orm.persistence.WRITES`)."""
        self._writer.write(op)

    def _check_conflicts(self, ops: Sequence[Operation], *, same_fields: bool = False) -> None:
        if not self.overwrite:
            check_conflicts(self.session, list(ops), same_fields=same_fields)

    def _step(self, op: Operation) -> None:
        self.execute(op)
        self._meter.advance()

    # -- after ------------------------------------------------------------------------------


def _transient(error: KitsuError) -> bool:
    """Would the same request, sent again unchanged, likely succeed?"""
    return isinstance(error, (ConnectionError, ServerError)) or error.status == 429


_FIXES = {
    403: "the user may not do this: ask someone allowed to, or take it out",
    404: "it names something that is no longer on the server: refresh or expunge it",
}


def _stopped_message(
    applied: list[Operation], pending: list[Operation], failed: KitsuError, op: Operation | None
) -> str:
    """Why a commit stopped, and what to do: send again (transient), or fix first."""
    head = f"commit stopped after {len(applied)} of {len(applied) + len(pending)} operations"
    if _transient(failed):
        return f"{head}: {failed}; commit() again to send the {len(pending)} left"
    what = "an operation"
    if op is not None:
        objs = op.objects
        named = ", ".join(repr(o) for o in objs[:3]) + (", ..." if len(objs) > 3 else "")
        what = f"{op!r}" if op.obj is not None or not objs else f"{op!r} ({named})"
    fix = _FIXES.get(failed.status or 0, "fix what it sends" if failed.status else "do as it says")
    return (
        f"{head}: {what} was refused: {failed}. Sent unchanged it would be refused again: "
        f"{fix}; then commit() sends the {len(pending)} left (or rollback() drops them)"
    )


def _written_types(plan: list[list[Operation]]) -> set[str]:
    """The cached types a plan may change (written or not: failures are partial)."""
    types: set[str] = set()
    for level in plan:
        for op in level:
            if isinstance(op, (Assignment, CreateTasks, Comments, SetTimeSpent, UploadPreview)):
                types.add("Task")
            if isinstance(op, Cast):
                types.add("Casting")
            for obj in op.objects:
                types.add(type(obj).__kitsu_type__)
                if isinstance(obj, EntityRow):
                    types.update({"EntityRow", "Casting"})
    return types
