"""The work: task types and statuses, tasks, comments and time spent."""

from __future__ import annotations

import os
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

import attrs

from ..errors import ValidationError
from .arguments import day_string, minutes, saved_id
from .attachments import CommentThread
from .base import Entity, State, entity
from .fields import DEFAULT_FILE_NAME, derived, sized, wire
from .files import WorkingFile
from .labels import Column, Shown
from .people import Department, Person
from .previews import CommentState, PreviewFile, comment_state
from .relationships import ManyIds, ToMany, ToOne
from .state import InstanceState, instance_state, related_of, require_session

if TYPE_CHECKING:
    from ..session import Session
    from .attachments import AttachmentFile
    from .files import Software
    from .production import EntityRow, Project

__all__ = ["Comment", "Task", "TaskStatus", "TaskType", "TimeSpent"]

FilePath = str | os.PathLike[str]


@entity("TaskType", reference=True, level=1, natural_key=("name",))
class TaskType(Entity):
    """A kind of work (Modeling, Animation...): a studio-wide reference table."""

    __shown__ = Shown("name", details=("for_entity",))
    name: str = sized(40, "")
    short_name: str | None = sized(20)
    description: str | None = None
    color: str | None = sized(7)
    priority: int | None = None
    for_entity: str | None = sized(30)
    allow_timelog: bool = True
    archived: bool = False
    department_id: str | None = None

    department: ToOne[Department] = ToOne("Department", "department_id", scope=None)

    @classmethod
    def used_by(cls, entity: Entity) -> list[TaskType]:
        """The task types of an entity's tasks (gazu's ``all_task_types_for_shot``...)."""
        tasks: list[Task] = getattr(entity, "tasks", None) or []
        found = {t.task_type.id: t.task_type for t in tasks if t.task_type is not None}
        return sorted(found.values(), key=lambda t: t.name.lower())


@entity("TaskStatus", reference=True, level=0, natural_key=("name",))
class TaskStatus(Entity):
    """Where a task stands (todo, wip, done...): a studio-wide reference table."""

    __shown__ = Shown("short_name", details=("name",))
    name: str = sized(40, "")
    short_name: str = sized(10, "")
    description: str | None = None
    color: str | None = sized(7)
    priority: int | None = None
    is_done: bool = False
    is_artist_allowed: bool = True
    is_client_allowed: bool = True
    is_retake: bool = False
    is_feedback_request: bool = False
    is_default: bool = False
    is_wip: bool = False
    archived: bool = False
    for_concept: bool = False


@entity("Task", level=6, natural_key=("name", "project_id", "entity_id", "task_type_id"))
class Task(Entity):
    """A piece of work of one type on one entity (a shot's animation), with its status and people."""

    __shown__ = Shown(
        "task_type.name",
        "entity.name",
        "task_status.short_name",
        more=("assignees", "due_date"),
        thumbnail="last_preview_file_id",
    )
    name: str = sized(80, "main")
    description: str | None = None
    priority: int | None = None
    difficulty: int | None = None
    duration: float | None = None
    estimation: float | None = None
    completion_rate: int | None = None
    retake_count: int | None = None
    sort_order: int | None = None
    start_date: datetime | None = None
    due_date: datetime | None = None
    real_start_date: datetime | None = None
    end_date: datetime | None = None
    done_date: datetime | None = None
    last_comment_date: datetime | None = None
    nb_assets_ready: int | None = None
    nb_drawings: int | None = None
    data: dict[str, Any] | None = None
    last_preview_file_id: str | None = None
    project_id: str | None = None
    task_type_id: str | None = None
    task_status_id: str | None = None
    entity_id: str | None = None
    assigner_id: str | None = None
    assignee_ids: list[str] | None = wire("assignees")

    project: ToOne[Project] = ToOne("Project", "project_id", scope=None)
    task_type: ToOne[TaskType] = ToOne("TaskType", "task_type_id", scope=None)
    task_status: ToOne[TaskStatus] = ToOne("TaskStatus", "task_status_id", scope=None)
    entity: ToOne[EntityRow] = ToOne("EntityRow", "entity_id")
    assignees: ManyIds[Person] = ManyIds("Person", "assignee_ids", scope=None)
    comments: ToMany[Comment] = ToMany("Comment", "object_id", scope=None)
    time_spents: ToMany[TimeSpent] = ToMany("TimeSpent", "task_id", scope=None)
    working_files: ToMany[WorkingFile] = ToMany("WorkingFile", "task_id", scope=None)
    previews: ToMany[PreviewFile] = ToMany(
        "PreviewFile", "task_id", scope=None, order_by=("revision", "position", "created_at")
    )

    # -- domain actions: each is pending in the session until commit() --------------

    def comment(
        self,
        text: str = "",
        status: TaskStatus | None = None,
        *,
        person: Person | None = None,
        previews: Iterable[FilePath] = (),
        attachments: Iterable[FilePath] = (),
    ) -> Comment:
        """Comment on the task, changing its status when ``status`` is given.

        ``previews`` are image or movie files published with the comment for
        review, ``attachments`` files attached to it: on commit the comment is
        created (with its attachments), then each preview's record is added and
        its file uploaded, streamed from disk. The files must exist now.
        """
        session = require_session(self)
        new = Comment(text=text, object_id=self.id, object_type="Task")
        new.task = self
        new.task_status = status if status is not None else self.task_status
        if person is not None:
            new.person = person
        files = [os.fspath(f) for f in attachments]
        for path in files:
            if not os.path.isfile(path):
                raise ValidationError(f"no file to attach at {path!r}")
        published = [PreviewFile.to_publish(self, new, f) for f in previews]
        state = comment_state(new)
        state.attachments, state.previews = tuple(files), published or None
        session.add(new)
        for preview in published:
            session.add(preview)
        return new

    def set_status(
        self,
        status: TaskStatus,
        comment: str = "",
        *,
        person: Person | None = None,
        previews: Iterable[FilePath] = (),
        attachments: Iterable[FilePath] = (),
    ) -> Comment:
        """Change the status (through a comment, as Kitsu does); ``previews`` and
        ``attachments`` as for :meth:`comment`."""
        if not isinstance(status, TaskStatus):
            raise ValidationError(f"set_status takes a TaskStatus, not {type(status).__name__}")
        return self.comment(
            comment, status, person=person, previews=previews, attachments=attachments
        )

    def start(
        self,
        comment: str = "",
        *,
        previews: Iterable[FilePath] = (),
        attachments: Iterable[FilePath] = (),
    ) -> Comment:
        """Set the task to the studio's work-in-progress status; ``previews`` and
        ``attachments`` as for :meth:`comment`."""
        session = require_session(self)
        statuses = session.loader.load_reference(TaskStatus)
        wip = next((s for s in statuses if s.is_wip or s.short_name == "wip"), None)
        if wip is None:
            raise ValidationError("the server has no work-in-progress task status")
        return self.set_status(wip, comment, previews=previews, attachments=attachments)

    def assign(self, *persons: Person) -> None:
        """Add assignees (one bulk request per person for all tasks, on commit)."""
        ids = list(self.assignee_ids or [])
        ids += [p for p in _person_ids(persons) if p not in ids]
        self.assignee_ids = ids

    def unassign(self, *persons: Person) -> None:
        """Remove assignees (one bulk request per person for all tasks, on commit)."""
        gone = set(_person_ids(persons))
        self.assignee_ids = [p for p in self.assignee_ids or [] if p not in gone]

    # -- time spent: pending until commit (Zou keeps one row per task, person and day) ----

    def time_spents_on(self, day: date | str) -> list[TimeSpent]:
        """Everyone's time spent on this task on one day."""
        return require_session(self).actions.time_spents_on(self, day)

    def set_time_spent(
        self, person: Person, day: date | str, duration: float | timedelta
    ) -> TimeSpent:
        """Set ``person``'s time on this task for ``day`` (minutes, or a timedelta), on commit.

        Zou accepts it only for a person assigned to the task (an assignment
        in the same commit is sent first), and from someone other than that
        person only from an admin or a manager.
        """
        return self._time_spent(person, day, minutes(duration), adds=False)

    def add_time_spent(
        self, person: Person, day: date | str, duration: float | timedelta
    ) -> TimeSpent:
        """Add to ``person``'s time on this task for ``day`` (minutes, or a timedelta), on commit.

        See :class:`TimeSpent` for what the object holds before and after.
        """
        return self._time_spent(person, day, minutes(duration), adds=True)

    def _time_spent(
        self, person: Person, day: date | str, amount: float, *, adds: bool
    ) -> TimeSpent:
        session = require_session(self)
        person_id = saved_id(person, Person, "time spent")
        when = date.fromisoformat(day_string(day))
        found = _time_spent_of(session, self, person_id, when)
        if found is None:
            new = TimeSpent(duration=amount, date=when)
            new.task, new.person_id = self, person_id
            state = time_spent_state(new)
            state.adds, state.by_action = (amount if adds else None), True
            session.add(new)
            return new
        # One object per task, person and day: the edits pile up on it, and it
        # stays an addition only while nothing but additions were made.
        edited = found.state is State.PENDING or "duration" in found.changes()
        state = time_spent_state(found)
        if adds:
            before = state.adds if edited else 0.0
            found.duration = found.duration + amount
            state.adds = None if before is None else before + amount
        else:
            found.duration = amount
            state.adds = None
            session.identity.trust(found)  # a total to set is safe to send again
        return found

    # -- working files ----------------------------------------------------------------

    def last_working_files(self) -> dict[str, WorkingFile]:
        """The last revision of each of this task's working files, by name."""
        return require_session(self).actions.last_working_files(self)

    def new_working_file(
        self,
        name: str = DEFAULT_FILE_NAME,
        *,
        software: Software | None = None,
        comment: str = "",
        person: Person | None = None,
        revision: int | None = None,
    ) -> WorkingFile:
        """A new revision of a working file, created on commit.

        Zou numbers it (the last revision + 1) unless ``revision`` is given,
        builds its path from the project's file tree, and assigns the task
        to the user who creates it.
        """
        session = require_session(self)
        if revision is None and any(
            isinstance(o, WorkingFile) and o.task is self and o.name == name for o in session.new
        ):
            # Zou numbers both with the same next revision when they are sent together.
            raise ValidationError(
                f"a new revision of working file {name!r} of {self!r} is pending: "
                "commit it first, or give each a revision"
            )
        new = WorkingFile(name=name, comment=comment, revision=revision)
        new.task = self
        if software is not None:
            new.software = software
        if person is not None:
            new.person = person
        session.add(new)
        return new

    def working_file_path(
        self,
        name: str = DEFAULT_FILE_NAME,
        *,
        software: Software | None = None,
        revision: int = 0,
        mode: str = "working",
        sep: str = "/",
    ) -> str:
        """Where the file tree puts this working file (revision 0: the next one)."""
        actions = require_session(self).actions
        return actions.working_file_path(self, name, software, revision, mode, sep)


def _person_ids(persons: tuple[Person, ...]) -> list[str]:
    for person in persons:
        if not isinstance(person, Person) or person.id is None:
            raise ValidationError(f"assign takes saved Person objects, not {person!r}")
    return [p.id for p in persons if p.id is not None]


@entity("Comment", level=9, natural_key=("object_id", "person_id", "text"))
class Comment(Entity, CommentThread):
    """A note on a task; the one way Kitsu changes a task's status. Its replies and
    attached files: ``replies``, ``attachments``, ``reply()``, ``attach()``."""

    __shown__ = Shown("task_status.short_name", "person", details=(Column("text", width=40),))
    text: str = ""
    object_id: str | None = None
    object_type: str = sized(80, "Task")
    person_id: str | None = None
    task_status_id: str | None = None
    data: dict[str, Any] | None = None
    checklist: list[Any] | None = None
    pinned: bool | None = None
    editor_id: str | None = None
    preview_file_id: str | None = None
    # The answers to it (Zou's JSON: id, text, person_id, date...), oldest first.
    replies: list[dict[str, Any]] | None = derived()
    attachment_files: list[Any] | None = derived()  # ids, or the rows some routes embed

    task: ToOne[Task] = ToOne("Task", "object_id", scope=None)
    person: ToOne[Person] = ToOne("Person", "person_id", scope=None)
    task_status: ToOne[TaskStatus] = ToOne("TaskStatus", "task_status_id", scope=None)
    attachments: ManyIds[AttachmentFile] = ManyIds(
        "AttachmentFile", "attachment_files", scope=None, read_only="use comment.attach([path])"
    )

    _instance_state: CommentState = attrs.field(init=False, factory=CommentState)

    @property
    def attachments_to_send(self) -> tuple[str, ...]:
        """The paths of the files a commit sends with this new comment."""
        return comment_state(self).attachments

    @property
    def previews(self) -> list[PreviewFile]:
        """The previews published with this comment, oldest first (loaded with those
        of every comment read alongside it, in one request)."""
        published = comment_state(self).previews
        if published is not None:
            return list(published)
        if self.id is None:
            return []
        return require_session(self).actions.previews_of_comment(self)


class TimeSpentState(InstanceState):
    """What the core keeps of a time spent: how its pending duration goes to Zou.

    - ``adds``: the minutes a pending edit adds (sent through the "add"
      route), or None for a total to set.
    - ``by_action``: made by ``task.set_time_spent``/``add_time_spent``, so
      created through the action routes (a TimeSpent added by hand goes
      through the generic route, which admins alone may use).
    """

    __slots__ = ("adds", "by_action")

    def start(self) -> None:
        self.adds: float | None = None
        self.by_action = False

    def mark_clean(self, obj: Entity, keep: frozenset[str] = frozenset()) -> None:
        """As for any entity; the duration, once the server's, is no addition any more."""
        super().mark_clean(obj, keep)
        if "duration" not in keep:
            self.adds = None


def time_spent_state(spent: TimeSpent) -> TimeSpentState:
    """The state of a time spent, with what only time spents keep (see
    :class:`TimeSpentState`): for the unit of work that sends it."""
    state = instance_state(spent)
    assert isinstance(state, TimeSpentState)
    return state


@entity("TimeSpent", level=9, natural_key=("task_id", "person_id"))
class TimeSpent(Entity):
    """A person's time on a task for one day (minutes).

    ``task.set_time_spent(...)`` and ``task.add_time_spent(...)`` make or edit
    one of these, pending until ``commit()``, which sends it through Zou's
    time-spent action routes after any assignment of the same commit. Until
    then ``duration`` is the total to set, or for an addition to a day not
    loaded in the session, the minutes to add; after the commit it is the
    day's total as the server answered it. An edit of a loaded row
    (``add_time_spent`` on a day already read) adds the difference.

    An addition is not idempotent: when its answer is lost (a broken
    connection), it may or may not have been applied, and it is *in doubt*.
    The next commit refuses to send it again blindly: read the day
    (``task.time_spents_on(day)``), then ``set_time_spent`` the total you
    mean (safe to send twice), or ``session.expunge()`` it.
    """

    __shown__ = Shown("person", "date", details=(Column("duration", fmt="{} min"),))

    duration: float = 0.0
    date: date | None = None  # a day, as Zou stores it
    task_id: str | None = None
    person_id: str | None = None

    task: ToOne[Task] = ToOne("Task", "task_id", scope=None)
    person: ToOne[Person] = ToOne("Person", "person_id", scope=None)

    _instance_state: TimeSpentState = attrs.field(init=False, factory=TimeSpentState)


def _time_spent_of(session: Session, task: Task, person_id: str, day: date) -> TimeSpent | None:
    """The session's time spent of this task, person and day: pending, else loaded."""
    text = day.isoformat()
    candidates = [*session.new, *(() if task.id is None else session.identity.objects())]
    for obj in candidates:
        if (
            isinstance(obj, TimeSpent)
            and obj.person_id == person_id
            and (obj.task_id == task.id if obj.task_id else related_of(obj).get("task") is task)
            and obj.date is not None
            and day_string(obj.date) == text
            and obj.state in (State.PENDING, State.PERSISTENT)
        ):
            return obj
    return None
