"""gazu's task functions about tasks themselves: listing, creating, updating,
assigning and removing them.

Object-style: ``shot.tasks``, ``Task.where(project_id=..., task_type_id=...)``,
``kitsu.Task(entity=shot, task_type=...)``, ``task.assign(person)``,
``session.delete(task)`` (see docs/migration.md).
"""

from __future__ import annotations

from typing import Any

from ....errors import ValidationError
from ..connection import default_session
from ..declare import Arguments, finish, gazu_function, route
from ..exception import TaskMustBeADictException
from ..kitsu_client import KitsuClient, default_client
from ..memo import read
from ..rows import Model, find_first, is_id, model_id, sort_by_name
from .common import as_text, ids_of, post, put
from .statuses_types import get_default_task_status

__all__ = [
    "all_assets_tasks_for_episode",
    "all_done_tasks_for_person",
    "all_open_tasks",
    "all_shot_tasks_for_episode",
    "all_shot_tasks_for_sequence",
    "all_tasks_for_asset",
    "all_tasks_for_concept",
    "all_tasks_for_edit",
    "all_tasks_for_entity_and_task_type",
    "all_tasks_for_episode",
    "all_tasks_for_person",
    "all_tasks_for_person_and_type",
    "all_tasks_for_project",
    "all_tasks_for_scene",
    "all_tasks_for_sequence",
    "all_tasks_for_shot",
    "all_tasks_for_task_status",
    "all_tasks_for_task_type",
    "assign_task",
    "assign_tasks_to_person",
    "clear_assignations",
    "create_asset_tasks",
    "create_concept_tasks",
    "create_edit_tasks",
    "create_entity_tasks",
    "create_shot_tasks",
    "get_open_tasks_stats",
    "get_persons_tasks_dates",
    "get_task",
    "get_task_by_entity",
    "get_task_by_name",
    "get_task_by_task_type",
    "get_task_url",
    "new_task",
    "remove_task",
    "remove_tasks_batch",
    "remove_tasks_for_type",
    "update_task",
    "update_task_data",
]


def _relations(a: Arguments) -> dict[str, str] | None:
    return {"relations": "true"} if a.relations else None


def _listing(collection: str, parameter: str, suffix: str = "tasks") -> Any:
    """``all_*tasks_for_<entity>``: the tasks listed under an entity, sorted by name."""
    return route(
        f"GET data/{collection}/{{{parameter}}}/{suffix}",
        f"{parameter}, relations=False, client=default",
        query=_relations,
        answer=sort_by_name,
    )


# One request each: gazu's signature, the route, how the answer is shaped.
all_tasks_for_shot = _listing("shots", "shot")
all_tasks_for_concept = _listing("concepts", "concept")
all_tasks_for_edit = _listing("edits", "edit")
all_tasks_for_sequence = _listing("sequences", "sequence")
all_tasks_for_scene = _listing("scenes", "scene")
all_tasks_for_asset = _listing("assets", "asset")
all_tasks_for_episode = _listing("episodes", "episode")
all_shot_tasks_for_sequence = _listing("sequences", "sequence", "shot-tasks")
all_shot_tasks_for_episode = _listing("episodes", "episode", "shot-tasks")
all_assets_tasks_for_episode = _listing("episodes", "episode", "asset-tasks")
all_tasks_for_task_status = route(
    "GET data/tasks",
    "project, task_type, task_status, client=default",
    query=lambda a: {
        "project_id": model_id(a.project, "project"),
        "task_type_id": model_id(a.task_type, "task_type"),
        "task_status_id": model_id(a.task_status, "task_status"),
    },
)
all_tasks_for_task_type = route(
    "GET data/tasks",
    "project, task_type, episode=None, client=default",
    query=lambda a: {
        "project_id": model_id(a.project, "project"),
        "task_type_id": model_id(a.task_type, "task_type"),
        **({} if a.episode is None else {"episode_id": model_id(a.episode, "episode")}),
    },
)
all_tasks_for_project = route(
    "GET data/projects/{project}/tasks",
    "project, task_type=None, episode=None, client=default",
    query=lambda a: {
        **({} if a.task_type is None else {"task_type_id": model_id(a.task_type, "task_type")}),
        **({} if a.episode is None else {"episode_id": model_id(a.episode, "episode")}),
    },
)
all_tasks_for_entity_and_task_type = route(
    "GET data/entities/{entity}/task-types/{task_type}/tasks",
    "entity, task_type, client=default",
)
all_tasks_for_person = route("GET data/persons/{person}/tasks", "person, client=default")
all_done_tasks_for_person = route("GET data/persons/{person}/done-tasks", "person, client=default")
all_tasks_for_person_and_type = route(
    "GET data/persons/{person}/related-tasks/{task_type}", "person, task_type, client=default"
)
all_open_tasks = route("GET data/tasks/open-tasks", "client=default")
get_open_tasks_stats = route("GET data/tasks/open-tasks/stats", "client=default")
get_persons_tasks_dates = route("GET data/persons/task-dates", "client=default")
get_task = route("GET data/tasks/{task_id}/full", "task_id, client=default")
remove_task = route(
    "DELETE data/tasks/{task}",
    "task, client=default",
    query=lambda a: {"force": "true"},
    answer=as_text,
)
remove_tasks_for_type = route(
    "DELETE actions/projects/{project}/task-types/{task_type}/delete-tasks",
    "project, task_type, client=default",
    answer=as_text,
)
remove_tasks_batch = route(
    "POST actions/projects/{project}/delete-tasks",
    "project, tasks, client=default",
    body=lambda a: ids_of(a.tasks, "task"),
)
assign_tasks_to_person = route(
    "PUT actions/persons/{person}/assign",
    "tasks, person, client=default",
    body=lambda a: {"task_ids": ids_of(a.tasks, "task")},
)
assign_task = route(
    "PUT actions/persons/{person}/assign",
    "task, person, client=default",
    body=lambda a: {"task_ids": [model_id(a.task, "task")]},
)


def _creating(parameter: str) -> Any:
    """``create_<entity>_tasks``: one task per task type for an entity."""
    return route(
        f"POST data/entities/{{{parameter}}}/tasks",
        f"{parameter}, task_types, client=default",
        body=lambda a: {"task_type_ids": ids_of(a.task_types, "task_type")},
    )


create_entity_tasks = _creating("entity")
create_shot_tasks = _creating("shot")
create_asset_tasks = _creating("asset")
create_edit_tasks = _creating("edit")
create_concept_tasks = _creating("concept")


@gazu_function(cached=True)
def get_task_by_entity(
    entity: Model, task_type: Model, name: str = "main", client: KitsuClient = default_client
) -> dict[str, Any] | None:
    """The task of this entity, task type and name, or None."""
    params = {
        "name": name,
        "task_type_id": model_id(task_type, "task_type"),
        "entity_id": model_id(entity, "entity"),
    }
    return find_first("tasks", params)


get_task_by_task_type = get_task_by_entity  # the usage page's name (in its ``shot`` module)


@gazu_function(cached=True)
def get_task_by_name(
    entity: Model,
    task_type: Model | str | None = None,
    name: str = "main",
    client: KitsuClient = default_client,
) -> dict[str, Any] | None:
    """The usage page's ``get_task_by_name(asset, "main")``: the entity's first task
    of that name; or, as older gazu wrote it, ``(entity, task_type, name)``."""
    if isinstance(task_type, str) and not is_id(task_type):
        name, task_type = task_type, None
    if task_type is not None:
        return get_task_by_entity(entity, task_type, name)
    return find_first("tasks", {"name": name, "entity_id": model_id(entity, "entity")})


@gazu_function
def new_task(
    entity: Model,
    task_type: Model,
    name: str = "main",
    task_status: dict[str, Any] | None = None,
    assigner: Model | None = None,
    assignees: list[Model] | None = None,
    client: KitsuClient = default_client,
) -> dict[str, Any]:
    """The task of this entity, task type and name, created if there is none
    (an existing one is answered as it is, as in gazu)."""
    entity_id = model_id(entity, "entity")
    task_type_id = model_id(task_type, "task_type")
    if task_status is None:
        task_status = get_default_task_status()
        if task_status is None:
            raise ValidationError("new_task: the server has no default task status: pass one")
    data: dict[str, Any] = {
        "project_id": _project_of(entity),
        "entity_id": entity_id,
        "task_type_id": task_type_id,
        "task_status_id": model_id(task_status, "task_status"),
        "assignees": ids_of(assignees or [], "assignee"),
        "name": name,
    }
    if assigner is not None:
        data["assigner_id"] = model_id(assigner, "assigner")
    found = get_task_by_entity(entity_id, task_type_id, name)
    if found is not None:
        return found
    created: dict[str, Any] = post("data/tasks", data)
    return created


def _project_of(entity: Model) -> str:
    """The project id of an entity: from its dict, else read from the server
    (gazu needs the dict)."""
    if isinstance(entity, dict) and entity.get("project_id"):
        return model_id(entity["project_id"], "project_id")
    row: dict[str, Any] = read(f"data/entities/{model_id(entity, 'entity')}")
    return model_id(row["project_id"], "project_id")


@gazu_function
def update_task(task: dict[str, Any], client: KitsuClient = default_client) -> dict[str, Any]:
    """Save a task's dict (its ``data`` replaced whole); ``assignees`` may be dicts or ids."""
    if "assignees" in task:
        task = {**task, "assignees": ids_of(task["assignees"], "assignee")}
    updated: dict[str, Any] = put(f"data/tasks/{model_id(task, 'task')}", task)
    return updated


@gazu_function
def update_task_data(
    task: Model, data: dict[str, Any] | None = None, client: KitsuClient = default_client
) -> dict[str, Any]:
    """Merge ``data`` into the task's custom data, read afresh from the server."""
    task_id = model_id(task, "task")
    current: dict[str, Any] = default_session().transport.get(f"data/tasks/{task_id}/full")
    merged = {**(current.get("data") or {}), **(data or {})}
    updated: dict[str, Any] = put(f"data/tasks/{task_id}", {"id": task_id, "data": merged})
    return updated


@gazu_function
def clear_assignations(
    tasks: Model | list[Model], person: Model | None = None, client: KitsuClient = default_client
) -> list[str]:
    """Unassign a person (or everyone) from one task or several; ``[]`` for no task."""
    task_ids = ids_of(tasks, "task")
    if not task_ids:
        return []
    data: dict[str, Any] = {"task_ids": task_ids}
    if person is not None:
        data["person_id"] = model_id(person, "person")
    cleared: list[str] = put("actions/tasks/clear-assignation", data)
    return cleared


@gazu_function
def get_task_url(task: dict[str, Any], client: KitsuClient = default_client) -> str:
    """The task's page in Kitsu's web app (the task must be a dict, as in gazu)."""
    if not isinstance(task, dict):
        raise TaskMustBeADictException(f"get_task_url: expected a task dict, not {task!r}")
    host = default_session().transport.host.rstrip("/")
    host = host[: -len("/api")] if host.endswith("/api") else host
    project_id = model_id(task.get("project_id"), "project_id")
    return f"{host}/productions/{project_id}/shots/tasks/{model_id(task, 'task')}/"


finish(globals())
