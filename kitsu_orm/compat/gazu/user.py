"""gazu's ``user`` module: the logged-in user's projects, entities and tasks.

Object-style equivalent: ``kitsu.User()`` (``User().open_projects()``,
``User().shots(sequence)``...); both read Zou's ``/data/user/...`` routes.
"""

from __future__ import annotations

from typing import Any

from ...routes import USER_ROUTES
from ...urls import fill
from .memo import CachedFunction, cached_function, read
from .rows import Model, model_id, sort_by_name

__all__ = [
    "all_asset_types_for_project",
    "all_assets_for_asset_type_and_project",
    "all_assets_for_asset_type_project",
    "all_open_projects",
    "all_scenes_for_sequence",
    "all_sequences_for_project",
    "all_shots_for_sequence",
    "all_task_types_for_asset",
    "all_task_types_for_scene",
    "all_task_types_for_sequence",
    "all_task_types_for_shot",
    "all_tasks_for_asset",
    "all_tasks_for_scene",
    "all_tasks_for_sequence",
    "all_tasks_for_shot",
]


def _rows(route: str, **ids: str) -> list[dict[str, Any]]:
    return sort_by_name(read(fill(USER_ROUTES[route], **ids)))


@cached_function
def all_open_projects() -> list[dict[str, Any]]:
    return _rows("open_projects")


@cached_function
def all_asset_types_for_project(project: Model) -> list[dict[str, Any]]:
    return _rows("asset_types", project_id=model_id(project, "project"))


@cached_function
def all_assets_for_asset_type_and_project(
    project: Model, asset_type: Model
) -> list[dict[str, Any]]:
    ids = {"project_id": model_id(project, "project"), "asset_type_id": model_id(asset_type)}
    return _rows("assets", **ids)


all_assets_for_asset_type_project = all_assets_for_asset_type_and_project  # the page's name


@cached_function
def all_sequences_for_project(project: Model) -> list[dict[str, Any]]:
    return _rows("sequences", project_id=model_id(project, "project"))


@cached_function
def all_shots_for_sequence(sequence: Model) -> list[dict[str, Any]]:
    return _rows("shots", sequence_id=model_id(sequence, "sequence"))


@cached_function
def all_scenes_for_sequence(sequence: Model) -> list[dict[str, Any]]:
    return _rows("scenes", sequence_id=model_id(sequence, "sequence"))


def _per_entity(route: str, collection: str) -> CachedFunction[[Model], list[dict[str, Any]]]:
    """``all_<route>_for_<entity>``: the user's tasks or task types on one entity."""

    def listing(entity: Model) -> list[dict[str, Any]]:
        return _rows(route, collection=collection, entity_id=model_id(entity, "entity"))

    listing.__name__ = f"all_{route}_for_{collection[:-1]}"
    return cached_function(listing)


all_tasks_for_shot = _per_entity("tasks", "shots")
all_tasks_for_asset = _per_entity("tasks", "assets")
all_tasks_for_scene = _per_entity("tasks", "scenes")
all_tasks_for_sequence = _per_entity("tasks", "sequences")
all_task_types_for_shot = _per_entity("task_types", "shots")
all_task_types_for_asset = _per_entity("task_types", "assets")
all_task_types_for_scene = _per_entity("task_types", "scenes")
all_task_types_for_sequence = _per_entity("task_types", "sequences")
