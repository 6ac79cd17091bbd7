"""gazu's ``task`` module: tasks, task types, task statuses, comments, time spent.

The object-style equivalents: ``shot.tasks``, ``Task.where(...)``,
``TaskType.where(name=...)``, ``task.start()``, ``task.set_time_spent(...)``
(see docs/migration.md). Durations go to Zou as given: Zou stores
minutes, whatever unit the caller meant.
"""

from __future__ import annotations

from typing import Any

from ...errors import NotFound, ValidationError
from ...routes import ACTIONS
from ...urls import fill
from . import client
from .memo import CachedFunction, cached_function, read
from .rows import Model, find_first, get_list, get_one, is_id, model_id

__all__ = [
    "add_comment",
    "add_time_spent",
    "all_task_types",
    "all_task_types_for_asset",
    "all_task_types_for_scene",
    "all_task_types_for_sequence",
    "all_task_types_for_shot",
    "all_tasks_for_asset",
    "all_tasks_for_entity_and_task_type",
    "all_tasks_for_scene",
    "all_tasks_for_sequence",
    "all_tasks_for_shot",
    "all_tasks_for_task_status",
    "get_task",
    "get_task_by_entity",
    "get_task_by_name",
    "get_task_by_task_type",
    "get_task_status",
    "get_task_status_by_name",
    "get_task_status_by_short_name",
    "get_task_type",
    "get_task_type_by_name",
    "get_time_spent",
    "set_time_spent",
    "start_task",
]


def _listing(
    collection: str, suffix: str
) -> CachedFunction[..., list[dict[str, Any]]]:
    """``all_<suffix>_for_<entity>``: the rows of ``<collection>/<id>/<suffix>``, by name."""

    def listing(entity: Model, relations: bool = False) -> list[dict[str, Any]]:
        params = {"relations": "true"} if relations else None
        return get_list(f"{collection}/{model_id(entity, 'entity')}/{suffix}", params)

    listing.__name__ = f"all_{suffix.replace('-', '_')}_for_{collection[:-1]}"
    return cached_function(listing)


all_tasks_for_asset = _listing("assets", "tasks")
all_tasks_for_shot = _listing("shots", "tasks")
all_tasks_for_scene = _listing("scenes", "tasks")
all_tasks_for_sequence = _listing("sequences", "tasks")
all_task_types_for_asset = _listing("assets", "task-types")
all_task_types_for_shot = _listing("shots", "task-types")
all_task_types_for_scene = _listing("scenes", "task-types")
all_task_types_for_sequence = _listing("sequences", "task-types")


@cached_function
def all_tasks_for_entity_and_task_type(entity: Model, task_type: Model) -> list[dict[str, Any]]:
    path = f"data/entities/{model_id(entity)}/task-types/{model_id(task_type)}/tasks"
    rows: list[dict[str, Any]] = read(path)
    return rows


@cached_function
def all_tasks_for_task_status(
    project: Model, task_type: Model, task_status: Model
) -> list[dict[str, Any]]:
    params = {
        "project_id": model_id(project, "project"),
        "task_type_id": model_id(task_type, "task_type"),
        "task_status_id": model_id(task_status, "task_status"),
    }
    rows: list[dict[str, Any]] = read("data/tasks", params)
    return rows


@cached_function
def all_task_types() -> list[dict[str, Any]]:
    return get_list("task-types")


@cached_function
def get_task(task: Model) -> dict[str, Any]:
    body: dict[str, Any] = get_one(f"tasks/{model_id(task, 'task')}/full")
    return body


@cached_function
def get_task_by_entity(
    entity: Model, task_type: Model, name: str = "main"
) -> dict[str, Any] | None:
    """The task of this entity, task type and name (gazu 1.3.1's name)."""
    params = {"name": name, "task_type_id": model_id(task_type), "entity_id": model_id(entity)}
    return find_first("tasks", params)


get_task_by_task_type = get_task_by_entity  # the usage page's name (in its ``shot`` module)


@cached_function
def get_task_by_name(
    entity: Model, task_type: Model | str | None = None, name: str = "main"
) -> dict[str, Any] | None:
    """The usage page's ``get_task_by_name(asset, "main")``: the entity's first task
    of that name; or, as older gazu wrote it, ``(entity, task_type, name)``."""
    if isinstance(task_type, str) and not is_id(task_type):
        name, task_type = task_type, None
    if task_type is not None:
        return get_task_by_entity(entity, task_type, name)
    return find_first("tasks", {"name": name, "entity_id": model_id(entity)})


@cached_function
def get_task_type(task_type_id: Model) -> dict[str, Any]:
    body: dict[str, Any] = get_one(f"task-types/{model_id(task_type_id, 'task_type')}")
    return body


@cached_function
def get_task_type_by_name(
    task_type_name: str, for_entity: str | None = None, department: Model | None = None
) -> dict[str, Any] | None:
    params: dict[str, Any] = {"name": task_type_name}
    if for_entity is not None:
        params["for_entity"] = for_entity
    if department is not None:
        params["department_id"] = model_id(department, "department")
    return find_first("task-types", params)


@cached_function
def get_task_status(task_status_id: Model) -> dict[str, Any]:
    body: dict[str, Any] = get_one(f"task-status/{model_id(task_status_id, 'task_status')}")
    return body


@cached_function
def get_task_status_by_name(name: str) -> dict[str, Any] | None:
    return find_first("task-status", {"name": name})


@cached_function
def get_task_status_by_short_name(short_name: str) -> dict[str, Any] | None:
    return find_first("task-status", {"short_name": short_name})


def add_comment(
    task: Model,
    task_status: Model,
    comment: str = "",
    person: Model | None = None,
    checklist: list[dict[str, Any]] | None = None,
    attachments: list[str] | None = None,
    created_at: str | None = None,
    links: list[str] | None = None,
    for_client: bool = False,
) -> dict[str, Any]:
    """Comment on a task, setting its status (each comment carries one)."""
    if attachments:
        raise ValidationError("add_comment: attachments are not supported by this facade")
    body: dict[str, Any] = {
        "task_status_id": model_id(task_status, "task_status"),
        "comment": comment,
        "checklist": checklist or [],
        "links": links or [],
        "for_client": for_client,
    }
    if person is not None:
        body["person_id"] = model_id(person, "person")
    if created_at is not None:
        body["created_at"] = created_at
    answer: dict[str, Any] = client.post(f"actions/tasks/{model_id(task, 'task')}/comment", body)
    return answer


def start_task(
    task: Model, started_task_status: Model | None = None, person: Model | None = None
) -> dict[str, Any]:
    """Set the task to work in progress (status short name ``wip``), with an empty comment."""
    if started_task_status is None:
        started_task_status = get_task_status_by_short_name("wip")
        if started_task_status is None:
            raise NotFound("the server has no task status with short name 'wip'")
    return add_comment(task, started_task_status, person=person)


@cached_function
def get_time_spent(task: Model, date: str | None = None) -> dict[str, Any]:
    """``{person_id: [time spent rows], "total": sum}`` for the task, or one day of it."""
    task_id = model_id(task, "task")
    path = (
        fill(ACTIONS["time_spents"], task_id=task_id)
        if date is None
        else fill(ACTIONS["time_spents_on"], task_id=task_id, date=date)
    )
    body: dict[str, Any] = read(path)
    return body


def set_time_spent(task: Model, person: Model, date: str, duration: float) -> dict[str, Any]:
    """gazu's ``set_time_spent``: set a person's minutes for a day on a task."""
    return _time_spent("set_time_spent", task, person, date, duration)


def add_time_spent(task: Model, person: Model, date: str, duration: float) -> dict[str, Any]:
    """gazu's ``add_time_spent``: add minutes to a person's day on a task."""
    return _time_spent("add_time_spent", task, person, date, duration)


def _time_spent(
    action: str, task: Model, person: Model, date: str, duration: float
) -> dict[str, Any]:
    path = fill(
        ACTIONS[action],
        task_id=model_id(task, "task"),
        date=date,
        person_id=model_id(person, "person"),
    )
    answer: dict[str, Any] = client.post(path, {"duration": duration})
    return answer
