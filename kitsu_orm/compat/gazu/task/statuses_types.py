"""gazu's task functions about task types and task statuses.

Object-style: ``TaskType.where(name=...)``, ``TaskStatus.where(short_name=...)``,
``project.task_types``, ``kitsu.TaskType(name=..., for_entity=...)`` (see
docs/migration.md).
"""

from __future__ import annotations

import string
from typing import Any

from ....errors import ValidationError
from ..declare import finish, gazu_function, route
from ..kitsu_client import KitsuClient, default_client
from ..rows import Model, find_first, model_id, sort_by_name
from .common import as_text, post

__all__ = [
    "all_task_statuses",
    "all_task_statuses_for_project",
    "all_task_types",
    "all_task_types_for_asset",
    "all_task_types_for_concept",
    "all_task_types_for_episode",
    "all_task_types_for_project",
    "all_task_types_for_scene",
    "all_task_types_for_sequence",
    "all_task_types_for_shot",
    "get_default_task_status",
    "get_task_status",
    "get_task_status_by_name",
    "get_task_status_by_short_name",
    "get_task_type",
    "get_task_type_by_name",
    "get_task_type_by_short_name",
    "new_task_status",
    "new_task_type",
    "remove_task_status",
    "remove_task_type",
    "update_task_status",
    "update_task_type",
]

# One request each: gazu's signature, the route, how the answer is shaped.
all_task_statuses = route("GET data/task-status", "client=default", answer=sort_by_name)
all_task_types = route("GET data/task-types", "client=default", answer=sort_by_name)
all_task_types_for_project = route(
    "GET data/projects/{project}/task-types", "project, client=default", answer=sort_by_name
)
all_task_statuses_for_project = route(
    "GET data/projects/{project}/settings/task-status",
    "project, client=default",
    answer=sort_by_name,
)
all_task_types_for_shot = route(
    "GET data/shots/{shot}/task-types", "shot, client=default", answer=sort_by_name
)
all_task_types_for_concept = route(
    "GET data/concepts/{concept}/task-types", "concept, client=default", answer=sort_by_name
)
all_task_types_for_asset = route(
    "GET data/assets/{asset}/task-types", "asset, client=default", answer=sort_by_name
)
all_task_types_for_scene = route(
    "GET data/scenes/{scene}/task-types", "scene, client=default", answer=sort_by_name
)
all_task_types_for_sequence = route(
    "GET data/sequences/{sequence}/task-types", "sequence, client=default", answer=sort_by_name
)
all_task_types_for_episode = route(
    "GET data/episodes/{episode}/task-types", "episode, client=default", answer=sort_by_name
)
get_task_type = route("GET data/task-types/{task_type_id}", "task_type_id, client=default")
get_task_status = route("GET data/task-status/{task_status_id}", "task_status_id, client=default")
remove_task_type = route(
    "DELETE data/task-types/{task_type}",
    "task_type, force=False, client=default",
    query=lambda a: {"force": "true"} if a.force else None,
    answer=as_text,
)
remove_task_status = route(
    "DELETE data/task-status/{task_status}",
    "task_status, client=default",
    query=lambda a: {"force": "true"},
    answer=as_text,
)
update_task_type = route(
    "PUT data/task-types/{task_type}", "task_type, client=default", body=lambda a: a.task_type
)
update_task_status = route(
    "PUT data/task-status/{task_status}",
    "task_status, client=default",
    body=lambda a: a.task_status,
)


def _type_filter(
    field: str, value: str, for_entity: str | None, department: Model | None
) -> dict[str, Any]:
    params: dict[str, Any] = {field: value}
    if for_entity is not None:
        params["for_entity"] = for_entity
    if department is not None:
        params["department_id"] = model_id(department, "department")
    return params


@gazu_function(cached=True)
def get_task_type_by_name(
    task_type_name: str,
    for_entity: str | None = None,
    department: Model | None = None,
    client: KitsuClient = default_client,
) -> dict[str, Any] | None:
    """The task type of this exact name (for that entity type, in that department), or None."""
    return find_first("task-types", _type_filter("name", task_type_name, for_entity, department))


@gazu_function(cached=True)
def get_task_type_by_short_name(
    task_type_short_name: str,
    for_entity: str | None = None,
    department: Model | None = None,
    client: KitsuClient = default_client,
) -> dict[str, Any] | None:
    """The task type of this exact short name (for that entity type, in that department)."""
    params = _type_filter("short_name", task_type_short_name, for_entity, department)
    return find_first("task-types", params)


@gazu_function(cached=True)
def get_default_task_status(client: KitsuClient = default_client) -> dict[str, Any] | None:
    """The task status flagged ``is_default`` (new tasks start there), or None."""
    return find_first("task-status", {"is_default": True})


@gazu_function(cached=True)
def get_task_status_by_name(
    name: str, client: KitsuClient = default_client
) -> dict[str, Any] | None:
    """The task status of this exact name, or None."""
    return find_first("task-status", {"name": name})


@gazu_function(cached=True)
def get_task_status_by_short_name(
    task_status_short_name: str, client: KitsuClient = default_client
) -> dict[str, Any] | None:
    """The task status of this exact short name (``wip``, ``wfa``...), or None."""
    return find_first("task-status", {"short_name": task_status_short_name})


@gazu_function
def new_task_type(
    name: str,
    color: str = "#000000",
    for_entity: str = "Asset",
    client: KitsuClient = default_client,
) -> dict[str, Any]:
    """The task type of that name for that entity type, created if there is none."""
    found = get_task_type_by_name(name, for_entity)
    if found is not None:
        return found
    created: dict[str, Any] = post(
        "data/task-types", {"name": name, "color": color, "for_entity": for_entity}
    )
    return created


@gazu_function
def new_task_status(
    name: str, short_name: str, color: str, client: KitsuClient = default_client
) -> dict[str, Any]:
    """A new task status; ``color`` is checked (``#`` and hex digits) before any request."""
    if not isinstance(color, str) or not color.startswith("#"):
        raise ValidationError(f"new_task_status: the color must start with '#', not {color!r}")
    if not all(c in string.hexdigits for c in color[1:]):
        raise ValidationError(f"new_task_status: the color must be hexadecimal, not {color!r}")
    created: dict[str, Any] = post(
        "data/task-status", {"name": name, "short_name": short_name, "color": color}
    )
    return created


finish(globals())
