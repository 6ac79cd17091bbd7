"""The plan of a commit: dependency order, coalesced updates, bulk routes,
the conflict check, and what makes a failed commit resumable.

A commit is a list of *levels*, in the order the server needs them, its
permissions included. Creates come first, parents before children
(project, episode, sequence, shot/asset, task); then the new assignments
(an artist may write on a task only once assigned to it); then working
files (Zou assigns a task to the author of its new working file), output
files, comments and time spent; then updates, the removed assignments (a
right is taken back after its last use), castings and links; then
deletes, children first. Operations of one level do not depend on each
other, so they run concurrently over the transport's pooled connections;
levels run one after the other.

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
next commit settles it before sending it again (:mod:`kitsu_orm.persistence`:
our own update is adopted, a done delete forgotten, a create or a comment
found among the rows made after it was sent). The same module refuses, before
any write, a new object whose name exists under its parent, and reports the
edits made on the server between the conflict check and a PUT.
"""

from __future__ import annotations

import contextlib
import json
from collections import defaultdict
from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait
from typing import TYPE_CHECKING, Any

import attrs

from .errors import (
    AlreadyExists,
    CommitError,
    ConflictError,
    ConnectionError,
    DetachedError,
    KitsuError,
    NotFound,
    ServerError,
    ValidationError,
)
from .model.actions import day_string
from .model.base import Entity, State
from .model.converter import parse_datetime, unstructure
from .model.production import EntityRow, Shot
from .model.relationships import Casting, Linked, ToMany, ToOne
from .model.tasks import Comment, Task, TimeSpent
from .model.values import check_again
from .permissions import check_plan
from .persistence import (
    check_existing,
    doubt,
    lost_comments,
    made_since,
    raced_fields,
    server_clock,
    settle,
)
from .progress import Meter, Setting, meter
from .routes import ACTIONS, LINKS, routes_for
from .urls import fill

if TYPE_CHECKING:
    from .session import Session

__all__ = ["UnitOfWork", "Operation", "LEVELS"]

LEVELS: dict[str, int] = {
    "ProjectStatus": 0,
    "Department": 0,
    "EntityType": 0,
    "AssetType": 0,
    "TaskStatus": 0,
    "Software": 0,
    "OutputType": 0,
    "FileStatus": 0,
    "Project": 1,
    "Person": 1,
    "TaskType": 1,
    "Episode": 2,
    "Sequence": 3,
    "Shot": 4,
    "Scene": 4,
    "Asset": 4,
    "AssetInstance": 5,
    "Task": 6,
    # Assignments come here, between the tasks and what artists write on them.
    "WorkingFile": 7,
    "OutputFile": 8,
    "Comment": 9,
    "TimeSpent": 9,
}
_OTHER_LEVEL = 10
_NEVER_SENT = frozenset({"id", "created_at", "updated_at"})
# What tells a created object apart from its siblings, to find a create whose answer was lost.
_NATURAL_KEYS = (
    "name",
    "project_id",
    "parent_id",
    "entity_id",
    "task_type_id",
    "object_id",
    "task_id",
    "asset_id",
    "person_id",
    "text",
)


@attrs.define(eq=False)
class Operation:
    """One request of a commit."""

    # "create", "update", "delete", "assign", "unassign", "comments", "create_tasks",
    # "time_spent", "cast" or "link"
    kind: str
    obj: Entity | None = None
    fields: tuple[str, ...] = ()
    payload: Any = None  # assign / unassign: (person_id, [task objects])

    def __repr__(self) -> str:
        if self.kind == "comments":
            return f"<comment {len(self.payload)} tasks>"
        if self.obj is None:
            person = self.payload[0]
            return f"<{self.kind} {str(getattr(person, 'id', person))[:8]} on {len(self.payload[1])} tasks>"
        return f"<{self.kind} {self.obj!r}>"

    @property
    def objects(self) -> list[Entity]:
        """The objects this operation writes."""
        if self.obj is not None:
            return [self.obj]
        return list(self.payload if self.kind == "comments" else self.payload[1])


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

    # -- planning ---------------------------------------------------------------------

    def plan(self) -> list[list[Operation]]:
        session = self.session
        scope = self._scope()

        def wanted(obj: Entity) -> bool:
            return scope is None or id(obj) in scope

        self._cascade_pending(scope)
        creates: dict[int, list[Operation]] = defaultdict(list)
        comments: list[Entity] = []
        bulk_tasks: dict[tuple[Any, ...], list[Entity]] = defaultdict(list)
        updates: list[Operation] = []
        assignments: list[Operation] = []
        for obj in session._new:
            if not wanted(obj):
                continue
            check_again(obj, type(obj).__mutable_fields__)  # edits in place: before any request
            if getattr(obj, "assignee_ids", None):
                assignments.extend(_assignment_diff(obj, [], _assignees(obj)))
            if isinstance(obj, TimeSpent) and obj._by_action:
                creates[LEVELS["TimeSpent"]].append(Operation("time_spent", obj))
            elif isinstance(obj, Comment) and _batchable_comment(obj):
                _default_comment_status(session, obj)
                comments.append(obj)
            elif (key := _bulk_task_key(session, obj)) is not None:
                bulk_tasks[key].append(obj)
            else:
                level = LEVELS.get(type(obj).__kitsu_type__, _OTHER_LEVEL)
                creates[level].append(Operation("create", obj))
        for part in _comment_parts(comments, COMMENT_BATCH):
            creates[LEVELS["Comment"]].append(Operation("comments", payload=part))
        for key, tasks in bulk_tasks.items():
            for start in range(0, len(tasks), BATCH):
                creates[LEVELS["Task"]].append(
                    Operation("create_tasks", payload=(key[-1], tasks[start : start + BATCH]))
                )
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
                creates[LEVELS["TimeSpent"]].append(Operation("time_spent", obj))
                fields = tuple(n for n in fields if n != "duration")
            if fields:
                updates.append(Operation("update", obj, fields))
            if "assignee_ids" in changed:
                assignments.extend(
                    _assignment_diff(obj, changed["assignee_ids"][0], _assignees(obj))
                )
        deletes: dict[int, list[Operation]] = defaultdict(list)
        for obj in session._deleted:
            if wanted(obj):
                level = LEVELS.get(type(obj).__kitsu_type__, _OTHER_LEVEL)
                deletes[level].append(Operation("delete", obj))
        castings = [
            Operation("cast", obj)
            for obj in [*session._identity.values(), *session._new]
            if (obj._related or {}).get(Casting.DIRTY) and wanted(obj)
        ]
        links = [
            Operation("link", obj, (name,))
            for obj in [*session._identity.values(), *session._new]
            for name in _changed_links(obj)
            # A new object linked to another (a shot's new instance) brings its link along.
            if wanted(obj) or any(wanted(t) for t in (obj._related or {}).get(name, ()))
        ]
        merged = _merge_assignments(assignments)
        grants = [op for op in merged if op.kind == "assign"]
        revokes = [op for op in merged if op.kind == "unassign"]
        levels = [creates[k] for k in sorted(creates) if k <= LEVELS["Task"]]
        levels += [grants]
        levels += [creates[k] for k in sorted(creates) if k > LEVELS["Task"]]
        levels += [updates, revokes, castings, links]
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
            if not isinstance(obj, Entity) or obj._session is not self.session:
                raise DetachedError(f"commit(only=...) takes objects of this session, not {obj!r}")
        while queue:
            obj = queue.pop()
            if id(obj) in scope:
                continue
            scope.add(id(obj))
            related = obj._related or {}
            targets = [
                related.get(name)
                for name, rel in type(obj).__relationships__.items()
                if isinstance(rel, ToOne)
            ]
            targets += list(related.get("assignees") or ())
            queue.extend(
                t
                for t in targets
                if isinstance(t, Entity) and t._state in (State.PENDING, State.TRANSIENT)
            )
        return scope

    def _cascade_pending(self, scope: set[int] | None = None) -> None:
        """New objects a pending object points at are created too."""
        queue = [o for o in self.session._new if scope is None or id(o) in scope]
        while queue:
            obj = queue.pop()
            for name, rel in type(obj).__relationships__.items():
                target = (obj._related or {}).get(name)
                if (
                    isinstance(rel, ToOne)
                    and isinstance(target, Entity)
                    and target._state is State.TRANSIENT
                ):
                    self.session.add(target)
                    queue.append(target)

    # -- running ----------------------------------------------------------------------

    def run(self) -> None:
        # Writes of an earlier commit that lost their answer: ours, or not done?
        settle(self.session, _detach_from_parents)
        plan = self.plan()
        if not plan:
            return
        check_plan(self.session, plan)
        check_existing(
            self.session,
            [op.obj for level in plan for op in level if op.kind == "create" and op.obj],
        )
        self.check_conflicts(
            [op for level in plan for op in level if op.kind in ("update", "delete")]
        )
        try:
            total = sum(len(level) for level in plan)
            with meter(self.progress, "commit", total=total, unit=" ops") as counter:
                self._meter = counter
                self._run_plan(plan)
        finally:
            self.session.forget_cached(_written_types(plan))

    def _run_plan(self, plan: list[list[Operation]]) -> None:
        applied: list[Operation] = []
        self._raced: dict[Entity, list[str]] = {}
        for index, level in enumerate(plan):
            checked = [op for op in level if op.kind in ("update", "delete")]
            if checked and applied:
                # Earlier levels took time: look again right before these writes.
                try:
                    self.check_conflicts(checked, same_fields=True)
                except ConflictError as exc:
                    exc.message = (
                        f"{exc.message[: -len(_NOTHING_WRITTEN)]} The {len(applied)} operations "
                        "of the earlier steps were applied; these updates and deletes were not."
                    )
                    exc.args = (exc.message,)
                    raise
            done, failed, culprit = self._run_level(level)
            applied.extend(done)
            if failed is not None:
                with contextlib.suppress(KitsuError):  # best effort: the failure is the news
                    self._after_commit(applied)
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
        self._after_commit(applied)
        if self._raced:
            raced = self._raced
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
        with ThreadPoolExecutor(workers, thread_name_prefix="kitsu-commit") as pool:
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
        handler: Callable[[Operation], None] = getattr(self, f"_{op.kind}")
        handler(op)

    def _step(self, op: Operation) -> None:
        self.execute(op)
        self._meter.advance()

    # -- operations ---------------------------------------------------------------------

    def _create(self, op: Operation) -> None:
        obj = op.obj
        assert obj is not None
        cls = type(obj)
        routes = routes_for(cls.__kitsu_type__)
        _resolve_pending_keys(obj)
        if id(obj) in self.session._in_doubt and self._adopt_existing(obj):
            return
        values = _creatable(obj)
        variant = next(
            (
                r
                for k, r in routes.create_by.items()
                if k in values and not r.unless & values.keys()
            ),
            None,
        )
        if variant is not None:
            body = {key: _wire(values[k]) for k, key in variant.fields.items() if k in values}
            path = _format(variant.path, obj)
        else:
            sent = (
                values
                if routes.create_only is None
                else {k: v for k, v in values.items() if k in routes.create_only}
            )
            body = {routes.create_fields.get(k, cls.__wire__[k]): _wire(v) for k, v in sent.items()}
            if routes.create_only is None and obj._extra:
                body = {**obj._extra, **body}
            path = _format(routes.create, obj)
        since = server_clock(self.transport)
        try:
            row = self.transport.post(path, body)
        except (ConnectionError, ServerError):
            doubt(self.session, "create", obj, since)
            raise
        self._adopt(obj, row, values)

    def _create_tasks(self, op: Operation) -> None:
        """Tasks of one type for many shots or assets: one request (Zou skips existing ones)."""
        kind, tasks = op.payload
        for task in tasks:
            _resolve_pending_keys(task)
        intended = {id(t): _creatable(t) for t in tasks}
        first = tasks[0]
        path = fill(
            ACTIONS["create_tasks"],
            project_id=first.project_id,
            task_type_id=first.task_type_id,
            collection=kind,
        )
        try:
            rows = self.transport.post(path, [t.entity_id for t in tasks])
        except ConnectionError:
            self.session._in_doubt.update(id(t) for t in tasks)
            raise
        by_entity = {row["entity_id"]: row for row in rows}
        missing = [t for t in tasks if t.entity_id not in by_entity]
        if missing:  # created by an earlier try whose answer was lost
            routes = routes_for("Task")
            entity_ids = [t.entity_id for t in missing]
            found = self.session._get_rows(
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
            self._adopt(task, row, intended[id(task)])

    def _comments(self, op: Operation) -> None:
        """Many comments (and the status changes they carry) in one request."""
        batch: list[Comment] = op.payload
        for comment in batch:
            _resolve_pending_keys(comment)
        # Comments of an earlier try that broke (or that the server refused halfway:
        # it makes them one by one) are looked for, in one request per 80 tasks.
        found = lost_comments(self.session, [c for c in batch if id(c) in self.session._in_doubt])
        for comment, row in found:
            self._adopt_comment(comment, row)
        adopted = {id(c) for c, _ in found}
        todo = [c for c in batch if id(c) not in adopted]
        if not todo:
            return
        body = {"comments": [_comment_body(c) for c in todo]}
        since = server_clock(self.transport)
        try:
            rows = self.transport.post("actions/tasks/batch-comment", body)
        except KitsuError:
            for comment in todo:
                doubt(self.session, "comment", comment, since)
            raise
        for comment, row in zip(todo, rows, strict=True):
            self._adopt_comment(comment, row)

    def _adopt_comment(self, comment: Comment, row: dict[str, Any]) -> None:
        # Fields the batch route does not take (pinned, data...) follow in an update;
        # the author is the server's to decide for non-managers.
        intended = {k: v for k, v in _creatable(comment).items() if k != "person_id"}
        self._adopt(comment, row, intended)

    def _time_spent(self, op: Operation) -> None:
        """A person's time on a task for a day, through the set or the add action route."""
        spent = op.obj
        assert isinstance(spent, TimeSpent)
        _resolve_pending_keys(spent)
        persistent = spent._state is State.PERSISTENT
        before = spent.changes().get("duration", (0.0, None))[0] if persistent else 0.0
        adds = spent._adds
        adding = adds is not None and abs(spent.duration - ((before or 0.0) + adds)) < 1e-9
        if adding and id(spent) in self.session._in_doubt:
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
            row = self.transport.post(path, {"duration": adds if adding else spent.duration})
        except ConnectionError:
            if adding:
                self.session._in_doubt.add(id(spent))
            raise
        if persistent:
            self.session._apply_row(spent, row)
        else:
            self._adopt(spent, row)

    def _cast(self, op: Operation) -> None:
        """Replace a shot's casting with the assets now in ``shot.assets``."""
        shot = op.obj
        assert isinstance(shot, Shot) and shot._related is not None
        assets = shot._related.get("assets", [])
        counts: dict[str, int] = defaultdict(int)
        for asset in assets:
            if asset.id is None:
                raise KitsuError(f"{shot!r} casts {asset!r}, which was not created")
            counts[asset.id] += 1
        body = [{"asset_id": a, "nb_occurences": n} for a, n in counts.items()]
        path = fill(ACTIONS["casting"], project_id=shot.project_id, entity_id=shot.id)
        self.transport.put(path, body)
        shot._related.pop(Casting.DIRTY, None)

    def _link(self, op: Operation) -> None:
        """Link and unlink so that the server's links are the ones now in the list."""
        obj, name = op.obj, op.fields[0]
        assert obj is not None and obj._related is not None
        route = LINKS[(type(obj).__kitsu_type__, name)]
        baseline: dict[str, list[str | None]] = obj._related.setdefault(Linked.LOADED, {})
        wanted = [target.id for target in obj._related[name]]
        if None in wanted:
            raise KitsuError(f"{obj!r}.{name} holds an object that was not created")
        if self.session._doubts.pop(id(obj), None) is not None:
            # A link or unlink of an earlier try lost its answer: the server's list is the
            # baseline (adding a link twice is refused).
            baseline[name] = [
                row["id"] for row in _rows_of(self.transport.get(fill(route.list, id=obj.id)))
            ]
            self.session._in_doubt.discard(id(obj))
        try:
            for target_id in [t for t in wanted if t not in baseline.get(name, [])]:
                self.transport.post(fill(route.add, id=obj.id), {route.add_key: target_id})
                baseline[name] = [*baseline.get(name, []), target_id]
            for target_id in [t for t in baseline.get(name, []) if t not in wanted]:
                self.transport.delete(fill(route.remove, id=obj.id, target=target_id))
                baseline[name] = [t for t in baseline[name] if t != target_id]
        except (ConnectionError, ServerError):
            doubt(self.session, "link", obj, None, (name,))
            raise

    def _adopt(
        self, obj: Entity, row: dict[str, Any], intended: dict[str, Any] | None = None
    ) -> None:
        """``obj`` now exists on the server as ``row``; fields the create route
        ignored are sent with one update."""
        session = self.session
        twin = session._identity.get(row.get("id") or "")
        if twin is not None and twin is not obj:
            raise AlreadyExists(
                f"the server answered the create of {obj!r} with {twin!r} (id {twin.id}), which "
                "this session holds already: two objects cannot share one id. Use "
                "session.merge(obj) to edit the existing one",
                existing=[(obj, twin)],
            )
        assignees = _assignees(obj) if obj._state is State.PENDING else []
        if obj in session._new:
            session._new.remove(obj)
        session._in_doubt.discard(id(obj))
        session._doubts.pop(id(obj), None)
        obj._set_state(State.PERSISTENT, session)
        session._apply_row(obj, row)
        if obj.id:
            session._identity[obj.id] = obj
        _attach_to_parents(session, obj)
        if assignees:
            # Pending: the assignment level sends them (people are created before tasks).
            obj.__setattr__("assignee_ids", [getattr(p, "id", p) for p in assignees])
        if not intended:
            return
        for name, value in intended.items():
            if getattr(obj, name) != value:
                obj.__setattr__(name, value)  # tracked: an update, or an assignment
        leftover = tuple(n for n in obj.changes() if n != "assignee_ids")
        if leftover:
            self._update(Operation("update", obj, leftover))

    def _adopt_existing(self, obj: Entity) -> bool:
        """Find a create whose answer was lost; adopt it instead of creating twice."""
        cls = type(obj)
        keys = {
            k: getattr(obj, k)
            for k in _NATURAL_KEYS
            if k in cls.__fields__ and getattr(obj, k) is not None
        }
        if not keys:
            return False
        intended = _creatable(obj)
        routes = routes_for(cls.__kitsu_type__)
        params = dict(routes.list_params)
        params.update({cls.__wire__[k]: str(v) for k, v in keys.items()})
        rows = self.transport.get(routes.list, params)
        rows = rows.get("data", []) if isinstance(rows, dict) else rows
        record = self.session._doubts.get(id(obj))
        since = record.since if record is not None else None
        # Made by the lost request: after it was sent, and unknown to the session.
        matches = sorted(
            (
                r
                for r in rows
                if all(r.get(cls.__wire__[k]) == v for k, v in keys.items())
                and r["id"] not in self.session._identity
                and made_since(r, since)
            ),
            key=lambda r: (str(r.get("created_at") or ""), str(r["id"])),
        )
        if not matches or (since is None and len(matches) != 1):
            return False
        # Edited since the lost create was sent: the fields as they are now follow
        # in an update, as for a create route that ignores some.
        self._adopt(obj, matches[0], intended)
        return True

    def _update(self, op: Operation) -> None:
        obj = op.obj
        assert obj is not None and obj.id is not None
        cls = type(obj)
        routes = routes_for(cls.__kitsu_type__)
        _resolve_pending_keys(obj)
        changes = obj.changes()
        path = routes.update
        body: dict[str, Any] = {}
        for name in op.fields:
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
            body[cls.__wire__[name]] = _wire(new)
        loaded = {
            name: changes[name][0] if name in changes else value
            for name in cls.__fields__
            if (value := obj._loaded(name, _UNLOADED)) is not _UNLOADED
        }
        since = server_clock(self.transport)
        try:
            row = self.transport.put(_format(path, obj), body)
        except NotFound as exc:
            raise _gone(obj, exc) from exc
        except (ConnectionError, ServerError):
            doubt(self.session, "update", obj, since, op.fields)
            raise
        self.session._doubts.pop(id(obj), None)
        if isinstance(row, dict) and row.get("id") == obj.id:
            raced = [] if self.overwrite else raced_fields(obj, row, op.fields, loaded)
            if raced:
                self._raced[obj] = raced
            self.session._apply_row(obj, row)
        else:
            obj._mark_clean()

    def _delete(self, op: Operation) -> None:
        obj = op.obj
        assert obj is not None and obj.id is not None
        routes = routes_for(type(obj).__kitsu_type__)
        retries = self.transport.stats.retries
        try:
            self.transport.delete(_format(routes.delete, obj), dict(routes.delete_params) or None)
        except NotFound as exc:
            # A delete sent again after its answer was lost finds nothing: it was done.
            if id(obj) not in self.session._doubts and self.transport.stats.retries == retries:
                raise _gone(obj, exc) from exc
        except (ConnectionError, ServerError):
            doubt(self.session, "delete", obj, None)
            raise
        self.session._doubts.pop(id(obj), None)
        self.session._in_doubt.discard(id(obj))
        self.session._deleted.remove(obj)
        _detach_from_parents(self.session, obj)
        self.session._forget(obj)

    def _assign(self, op: Operation) -> None:
        person_id, tasks = _person_and_tasks(op)
        rows = self.transport.put(
            fill(ACTIONS["assign"], person_id=person_id), {"task_ids": [t.id for t in tasks]}
        )
        by_id = {row["id"]: row for row in rows or ()}
        done = [t for t in tasks if t.id in by_id]
        for task in done:  # the answer carries the tasks as they are now (updated_at...)
            self.session._apply_row(task, by_id[task.id], keep_edits=True)
        _settle_assignment(done, person_id, assigned=True)
        _refused(tasks, done, f"assign to {person_id}")

    def _unassign(self, op: Operation) -> None:
        person_id, tasks = _person_and_tasks(op)
        ids = self.transport.put(
            "actions/tasks/clear-assignation",
            {"task_ids": [t.id for t in tasks], "person_id": person_id},
        )
        done = [t for t in tasks if t.id in set(ids or ())]
        _settle_assignment(done, person_id, assigned=False)
        self.session._reload(Task, [t.id for t in done if t.id])
        _refused(tasks, done, f"unassign {person_id}")

    # -- conflicts ------------------------------------------------------------------------

    def check_conflicts(self, ops: list[Operation], *, same_fields: bool = False) -> None:
        """Has anything changed on the server? One request per route, or as many as the URL needs.

        ``same_fields``: only the fields about to be written count (between the levels
        of one commit, whose earlier writes move ``updated_at`` of what they touch).
        """
        if self.overwrite:
            return
        by_route: dict[str, list[Operation]] = defaultdict(list)
        for op in ops:
            if op.obj is not None and op.obj.id is not None:
                routes = routes_for(type(op.obj).__kitsu_type__)
                if routes.generic:
                    by_route[routes.generic].append(op)
        found: list[tuple[Entity, bool, list[str]]] = []
        for path, route_ops in by_route.items():
            found.extend(self._conflicts_in(path, route_ops, same_fields))
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
                " ".join(said) + _NOTHING_WRITTEN,
                objects=[o for o, _, _ in found],
                fields=fields,
            )

    def _conflicts_in(
        self, path: str, ops: list[Operation], same_fields: bool = False
    ) -> Iterable[tuple[Entity, bool, list[str]]]:
        """The objects in conflict, each with whether it is gone from the server and
        the fields found changed there (every field of the row, compared with what was
        loaded, for an object whose fields this commit does not write)."""
        objs = [op.obj for op in ops if op.obj is not None]
        fields = {"id", "updated_at"}
        for op in ops:
            if op.obj is not None:
                fields.update(type(op.obj).__wire__[f] for f in op.fields)
        rows = self.session._get_rows(
            path,
            {
                "id": json.dumps([o.id for o in objs], separators=(",", ":")),
                "fields": ",".join(sorted(fields)),
            },
        )
        by_id = {row["id"]: row for row in rows}
        found: list[tuple[Entity, bool]] = []
        named: dict[int, list[str]] = {}
        for op in ops:
            obj = op.obj
            assert obj is not None
            row = by_id.get(obj.id or "")
            moved = row is not None and parse_datetime(row.get("updated_at")) != obj.updated_at
            if row is None or (moved and not same_fields):
                found.append((obj, row is None))
                continue
            changes = obj.changes()
            cls = type(obj)
            differ = [
                name
                for name in op.fields
                if cls.__wire__[name] in row and _wire(changes[name][0]) != row[cls.__wire__[name]]
            ]
            if differ:
                found.append((obj, False))
                named[id(obj)] = differ
        changed = [o for o, gone in found if not gone and not (same_fields and id(o) in named)]
        full: dict[str, dict[str, Any]] = {}
        if changed:  # a conflict: read those rows whole, to name the fields
            ids = json.dumps([o.id for o in changed], separators=(",", ":"))
            full = {row["id"]: row for row in self.transport.get(path, {"id": ids})}
        for obj, gone in found:
            row = full.get(obj.id or "")
            names = _changed_on_server(obj, row) if row is not None else named.get(id(obj), [])
            yield obj, gone, [] if gone else names

    # -- after ------------------------------------------------------------------------------

    def _after_commit(self, applied: list[Operation]) -> None:
        """Rows the server changed on the side are read again, one request per type:
        tasks whose status a comment changed or whose time spent was set (Zou sums it
        into the task), shots whose casting was replaced (Zou moves their
        ``updated_at``: kept stale, a later edit of ours would be taken for someone
        else's)."""
        stale = {
            obj.object_id
            for op in applied
            if op.kind in ("create", "comments")
            for obj in op.objects
            if isinstance(obj, Comment)
        }
        stale |= {op.obj.task_id for op in applied if isinstance(op.obj, TimeSpent)}
        ids = [i for i in stale if i and isinstance(self.session._identity.get(i), Task)]
        self.session._reload(Task, ids)
        cast = [op.obj.id for op in applied if op.kind == "cast" and op.obj is not None]
        self.session._reload(Shot, [i for i in cast if i])


BATCH = 100
# Zou runs a batch-comment request on one core, comment after comment (40-55 ms
# each, with its events and notifications): parts of about 25, sent side by
# side, keep every core busy to the end, and leave less in doubt if one fails.
COMMENT_BATCH = 25


def _comment_parts(comments: list[Entity], most: int) -> list[list[Entity]]:
    """Comments cut into parts of about ``most``: the comments of one task stay
    together and in order, since parts run side by side."""
    by_task: dict[Any, list[Entity]] = {}
    for comment in comments:
        by_task.setdefault(getattr(comment, "object_id", None) or id(comment), []).append(comment)
    count = max(1, -(-len(comments) // most))
    size = -(-len(comments) // count)
    parts: list[list[Entity]] = [[]]
    for group in by_task.values():
        if parts[-1] and len(parts[-1]) + len(group) > size:
            parts.append([])
        parts[-1].extend(group)
    return [p for p in parts if p]


def _batchable_comment(obj: Entity) -> bool:
    return isinstance(obj, Comment) and obj.object_type == "Task"


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


def _refused(tasks: list[Task], done: list[Task], action: str) -> None:
    """Zou's bulk routes skip what the user may not touch: say so, never silently."""
    skipped = [t for t in tasks if t not in done]
    if skipped:
        from .errors import PermissionDenied

        raise PermissionDenied(
            f"the server refused to {action} on {len(skipped)} task(s): "
            + ", ".join(repr(t) for t in skipped[:5])
        )


def _written_types(plan: list[list[Operation]]) -> set[str]:
    """The cached types a plan may change (written or not: failures are partial)."""
    types: set[str] = set()
    for level in plan:
        for op in level:
            if op.kind in ("assign", "unassign", "create_tasks", "comments", "time_spent"):
                types.add("Task")
            if op.kind == "cast":
                types.add("Casting")
            for obj in op.objects:
                types.add(type(obj).__kitsu_type__)
                if isinstance(obj, EntityRow):
                    types.update({"EntityRow", "Casting"})
    return types


def _rows_of(body: Any) -> list[dict[str, Any]]:
    """Rows, or Zou's dict of lists of them (a shot's instances, grouped by asset)."""
    if isinstance(body, dict):
        return [row for rows in body.values() for row in rows]
    return list(body or [])


def _changed_links(obj: Entity) -> list[str]:
    """The Linked relationships of ``obj`` whose list differs from the server's."""
    cache = obj._related or {}
    baseline = cache.get(Linked.LOADED, {})
    return [
        name
        for name, rel in type(obj).__relationships__.items()
        if isinstance(rel, Linked)
        and name in cache
        and sorted(map(str, (o.id for o in cache[name])))
        != sorted(map(str, baseline.get(name, [])))
    ]


def creatable(obj: Entity) -> dict[str, Any]:
    """The fields a create sends (assignees go through the assignment routes)."""
    cls = type(obj)
    return {
        name: getattr(obj, name)
        for name in sorted(cls.__fields__ - _NEVER_SENT - cls.__derived__ - {"assignee_ids"})
        if getattr(obj, name) is not None
    }


_creatable = creatable
_UNLOADED = object()

_BULK_TASK_FIELDS = frozenset({"name", "project_id", "task_type_id", "task_status_id", "entity_id"})


def _bulk_task_key(session: Session, obj: Entity) -> tuple[Any, ...] | None:
    """What groups a new task with others into one create-tasks request, or None.

    Only plain tasks qualify: named "main", on a shot or an asset, with no
    other field set than its status (fixed by one update when not the default).
    """
    if not isinstance(obj, Task) or obj.name != "main" or obj._extra:
        return None
    related = obj._related or {}
    if not set(_creatable(obj)) <= _BULK_TASK_FIELDS:
        return None
    entity = related.get("entity") or session._identity.get(obj.entity_id or "")
    kind = {"Shot": "shots", "Asset": "assets"}.get(type(entity).__kitsu_type__ if entity else "")
    project = related.get("project") or obj.project_id
    task_type = related.get("task_type") or obj.task_type_id
    if kind is None or project is None or task_type is None:
        return None
    return (
        id(project) if isinstance(project, Entity) else project,
        id(task_type) if isinstance(task_type, Entity) else task_type,
        kind,
    )


_NOTHING_WRITTEN = " Nothing was written."


def _changed_on_server(obj: Entity, row: dict[str, Any]) -> list[str]:
    """The fields of ``row`` (a ``data`` dict key by key) that differ from what was
    loaded into ``obj``."""
    changes = obj.changes()
    loaded = {
        name: changes[name][0] if name in changes else value
        for name in type(obj).__fields__
        if (value := obj._loaded(name, _UNLOADED)) is not _UNLOADED
    }
    return raced_fields(obj, row, (), loaded)


def _named(obj: Entity) -> str:
    """An object by type, name and whole id: what a user searches the server for."""
    return " ".join(part for part in (type(obj).__name__, obj._label(), obj.id) if part)


def _gone(obj: Entity, exc: NotFound) -> NotFound:
    return NotFound.of_object(
        type(obj).__name__, obj.id, label=obj._label(), loaded=True, cause=exc
    )


def _wire(value: Any) -> Any:
    return None if value is None else unstructure(value)


def _format(template: str | None, obj: Entity) -> str:
    if template is None:
        raise KitsuError(f"{type(obj).__name__} cannot be written through the API")
    values = {type(obj).__wire__.get(k, k): getattr(obj, k) for k in type(obj).__fields__}
    return fill(template, **values)


def _resolve_pending_keys(obj: Entity) -> None:
    """Fill in foreign keys of objects that were pending when assigned."""
    for name, rel in type(obj).__relationships__.items():
        target = (obj._related or {}).get(name)
        if isinstance(rel, ToOne) and isinstance(target, Entity) and getattr(obj, rel.key) is None:
            if target.id is None:
                raise KitsuError(f"{obj!r}.{name} points at {target!r}, which was not created")
            object.__setattr__(obj, rel.key, target.id)


def _attach_to_parents(session: Session, obj: Entity) -> None:
    """A created object joins the loaded lists of its parents (``seq.shots``)."""
    for parent, rel_name in _parents(session, obj):
        cached = (parent._related or {}).get(rel_name)
        if cached is not None and obj not in cached:
            list.append(cached, obj)  # the list handed out is read-only to the user


def _detach_from_parents(session: Session, obj: Entity) -> None:
    for parent, rel_name in _parents(session, obj):
        cached = (parent._related or {}).get(rel_name)
        if cached is not None and obj in cached:
            list.remove(cached, obj)


def _parents(session: Session, obj: Entity) -> Iterable[tuple[Entity, str]]:
    from .model.base import REGISTRY

    for cls in {c for c in REGISTRY.values() if hasattr(c, "__relationships__")}:
        for name, rel in cls.__relationships__.items():
            if isinstance(rel, ToMany) and rel.target_name == type(obj).__kitsu_type__:
                key = getattr(obj, rel.key, None)
                parent = session._identity.get(key) if isinstance(key, str) else None
                if isinstance(parent, cls):
                    yield parent, name


def _assignees(task: Entity) -> list[Any]:
    """Assignee ids, or the Person objects themselves while they are not created."""
    ids = list(getattr(task, "assignee_ids", None) or ())
    if None not in ids:
        return ids
    people = (task._related or {}).get("assignees") or []
    return [p.id or p for p in people]


def _person_and_tasks(op: Operation) -> tuple[str, list[Task]]:
    person, tasks = op.payload
    person_id = person.id if isinstance(person, Entity) else person
    if person_id is None:
        raise KitsuError(f"{person!r} was not created: its tasks cannot be assigned to it")
    for task in tasks:
        people = (task._related or {}).get("assignees")
        if None in (getattr(task, "assignee_ids", None) or ()) and people:
            object.__setattr__(task, "assignee_ids", [p.id for p in people])
    return person_id, tasks


def _default_comment_status(session: Session, comment: Comment) -> None:
    """A comment keeps its task's status unless told otherwise (Zou requires one)."""
    if comment.task_status_id is not None or (comment._related or {}).get("task_status"):
        return
    task = (comment._related or {}).get("task") or session._identity.get(comment.object_id or "")
    status = getattr(task, "task_status_id", None)
    if status is None:
        raise ValidationError(
            f"{comment!r} has no task_status and its task is not loaded: give it one"
        )
    object.__setattr__(comment, "task_status_id", status)


def _assignment_diff(task: Entity, old: list[str] | None, new: list[Any] | None) -> list[Operation]:
    before, after = set(old or ()) - {None}, set(new or ())
    ops = [Operation("assign", payload=(p, [task])) for p in sorted(after - before, key=str)]
    ops += [Operation("unassign", payload=(p, [task])) for p in sorted(before - after, key=str)]
    return ops


def _merge_assignments(ops: list[Operation]) -> list[Operation]:
    """One bulk request per person and direction, whatever the number of tasks."""
    merged: dict[tuple[str, str], list[Entity]] = defaultdict(list)
    for op in ops:
        merged[(op.kind, op.payload[0])].extend(op.payload[1])
    return [Operation(kind, payload=(person, tasks)) for (kind, person), tasks in merged.items()]


def _settle_assignment(tasks: list[Task], person_id: str, *, assigned: bool) -> None:
    """Record one applied (un)assignment in each task's baseline, and only that one,
    so that a commit that fails halfway resends exactly the rest."""
    for task in tasks:
        for store in (task._changes, task._copies):
            if store is None or "assignee_ids" not in store:
                continue
            baseline = [p for p in (store["assignee_ids"] or []) if p != person_id]
            baseline = [*baseline, person_id] if assigned else baseline
            current = list(task.assignee_ids or [])
            store["assignee_ids"] = current if set(baseline) == set(current) else baseline
        if not task.changes().get("assignee_ids") and task._changes is not None:
            task._changes.pop("assignee_ids", None)
