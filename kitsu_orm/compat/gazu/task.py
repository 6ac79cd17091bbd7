"""gazu's ``task`` module: tasks, task types, task statuses, comments, time spent.

The object-style equivalents: ``shot.tasks``, ``Task.where(...)``,
``TaskType.where(name=...)``, ``task.start()``, ``task.set_time_spent(...)``
(see docs/migration.md). Durations go to Zou as given: Zou stores
minutes, whatever unit the caller meant.
"""

from __future__ import annotations

import json
from typing import Any

from ...errors import NotFound, ValidationError
from ...routes import ACTIONS, PREVIEWS
from ...urls import fill
from . import client
from .memo import CachedFunction, cached_function, read
from .rows import Model, find_first, get_list, get_one, is_id, model_id

__all__ = [
    "add_comment",
    "add_preview",
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
    "publish_preview",
    "set_main_preview",
    "set_time_spent",
    "start_task",
    "upload_preview_file",
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
    """Comment on a task, setting its status (each comment carries one); ``attachments``
    (file paths) go with it as multipart files, streamed from disk."""
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
    path = f"actions/tasks/{model_id(task, 'task')}/comment"
    if attachments:
        # A form: Zou reads its lists as JSON text, its flags as words.
        form = {k: json.dumps(v) if isinstance(v, (list, bool)) else v for k, v in body.items()}
        files = [(f"file{i}", name) for i, name in enumerate(attachments)]
        answer: dict[str, Any] = client.upload(path, None, data=form, files=files)
        return answer
    answer = client.post(path, body)
    return answer


def add_preview(
    task: Model,
    comment: Model,
    preview_file_path: str | None = None,
    preview_file_url: str | None = None,
    normalize_movie: bool = True,
    revision: int | None = None,
    no_job: bool = False,
) -> dict[str, Any]:
    """gazu's ``add_preview``: add a preview record to a comment, then upload its file;
    answers the preview file as the upload left it. (``task.comment(previews=[...])``
    does it inside a commit, resumable.)"""
    if preview_file_path is None:
        raise ValidationError(
            "add_preview: give preview_file_path (a URL to download is not supported)"
            if preview_file_url is not None
            else "add_preview: give preview_file_path"
        )
    path = fill(
        PREVIEWS["add_preview"],
        task_id=model_id(task, "task"),
        comment_id=model_id(comment, "comment"),
    )
    record = client.post(path, {} if revision is None else {"revision": revision})
    return upload_preview_file(record, preview_file_path, normalize_movie, no_job)


def publish_preview(
    task: Model,
    task_status: Model,
    comment: str = "",
    person: Model | None = None,
    checklist: list[dict[str, Any]] | None = None,
    attachments: list[str] | None = None,
    created_at: str | None = None,
    preview_file_path: str | None = None,
    preview_file_url: str | None = None,
    normalize_movie: bool = True,
    revision: int | None = None,
    set_thumbnail: bool = False,
    links: list[str] | None = None,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """gazu's ``publish_preview``: a comment setting the task's status, a preview
    added to it and uploaded, and with ``set_thumbnail`` that preview made its
    entity's main one; answers ``(comment, preview file)``. (``task.comment(
    status, previews=[...])`` does it in one commit.)"""
    new_comment = add_comment(
        task,
        task_status,
        comment,
        person=person,
        checklist=checklist,
        attachments=attachments,
        created_at=created_at,
        links=links,
    )
    preview = add_preview(
        task,
        new_comment,
        preview_file_path=preview_file_path,
        preview_file_url=preview_file_url,
        normalize_movie=normalize_movie,
        revision=revision,
    )
    if set_thumbnail:
        set_main_preview(preview)
    return new_comment, preview


def upload_preview_file(
    preview_file: Model, file_path: str, normalize_movie: bool = True, no_job: bool = False
) -> dict[str, Any]:
    """gazu's ``upload_preview_file``: the file of a preview record, streamed from disk."""
    path = fill(PREVIEWS["upload"], preview_file_id=model_id(preview_file, "preview_file"))
    options = [("normalize", "false")] if not normalize_movie else []
    options += [("no_job", "true")] if no_job else []
    if options:
        path += "?" + "&".join(f"{k}={v}" for k, v in options)
    answer: dict[str, Any] = client.upload(path, file_path)
    return answer


def set_main_preview(preview_file: Model, frame_number: int | None = None) -> dict[str, Any]:
    """gazu's ``set_main_preview``: make a preview its entity's main one (the
    entity's row answered). (``shot.preview_file = preview`` does it on commit.)"""
    body = {} if frame_number is None else {"frame_number": frame_number}
    path = fill(PREVIEWS["set_main_preview"], preview_file_id=model_id(preview_file, "preview"))
    answer: dict[str, Any] = client.put(path, body)
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
