"""The work: task types and statuses, tasks, comments and time spent."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from .base import Entity, entity
from .fields import wire
from .relationships import ManyIds, ToMany, ToOne

__all__ = ["Comment", "Task", "TaskStatus", "TaskType", "TimeSpent"]


@entity("TaskType", reference=True)
class TaskType(Entity):
    name: str = ""
    short_name: str | None = None
    description: str | None = None
    color: str | None = None
    priority: int | None = None
    for_entity: str | None = None
    allow_timelog: bool = True
    archived: bool = False
    department_id: str | None = None

    department = ToOne("Department", "department_id", scope=None)


@entity("TaskStatus", reference=True)
class TaskStatus(Entity):
    name: str = ""
    short_name: str = ""
    description: str | None = None
    color: str | None = None
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


@entity("Task")
class Task(Entity):
    name: str = "main"
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

    project = ToOne("Project", "project_id", scope=None)
    task_type = ToOne("TaskType", "task_type_id", scope=None)
    task_status = ToOne("TaskStatus", "task_status_id", scope=None)
    entity = ToOne("EntityRow", "entity_id")
    assignees = ManyIds("Person", "assignee_ids", scope=None)
    comments = ToMany("Comment", "object_id", scope=None)
    time_spents = ToMany("TimeSpent", "task_id", scope=None)
    working_files = ToMany("WorkingFile", "task_id", scope=None)


@entity("Comment")
class Comment(Entity):
    text: str = ""
    object_id: str | None = None
    object_type: str = "Task"
    person_id: str | None = None
    task_status_id: str | None = None
    data: dict[str, Any] | None = None
    checklist: list[Any] | None = None
    pinned: bool | None = None
    editor_id: str | None = None
    preview_file_id: str | None = None

    task = ToOne("Task", "object_id", scope=None)
    person = ToOne("Person", "person_id", scope=None)
    task_status = ToOne("TaskStatus", "task_status_id", scope=None)


@entity("TimeSpent")
class TimeSpent(Entity):
    duration: float = 0.0
    date: datetime | None = None
    task_id: str | None = None
    person_id: str | None = None

    task = ToOne("Task", "task_id", scope=None)
    person = ToOne("Person", "person_id", scope=None)
