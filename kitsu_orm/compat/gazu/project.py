"""gazu's ``project`` module: the productions."""

from __future__ import annotations

from typing import Any

from ...model.production import Project
from . import client
from .memo import cached_function
from .rows import Model, create, find_first, get_list, get_one, model_id

__all__ = ["all_open_projects", "all_projects", "get_project", "get_project_by_name", "new_project"]


@cached_function
def all_projects() -> list[dict[str, Any]]:
    return get_list("projects")


@cached_function
def all_open_projects() -> list[dict[str, Any]]:
    return get_list("projects/open")


@cached_function
def get_project(project_id: Model) -> dict[str, Any]:
    row: dict[str, Any] = get_one(f"projects/{model_id(project_id, 'project')}")
    return row


@cached_function
def get_project_by_name(project_name: str) -> dict[str, Any] | None:
    return find_first("projects", {"name": project_name})


def new_project(
    name: str,
    production_type: str = "short",
    team: list[Model] | None = None,
    asset_types: list[Model] | None = None,
    task_statuses: list[Model] | None = None,
    task_types: list[Model] | None = None,
    production_style: str = "2d3d",
) -> dict[str, Any]:
    """The project of this name, created (open) when there is none.

    The team and the lists of types and statuses are links, which the
    object model does not hold: a new project gets them in one more request.
    """
    found = get_project_by_name(name)
    if found is not None:
        return found
    links = {
        key: [model_id(m, key) for m in models]
        for key, models in (
            ("team", team),
            ("asset_types", asset_types),
            ("task_statuses", task_statuses),
            ("task_types", task_types),
        )
        if models
    }
    project = create(
        Project, name=name, production_type=production_type, production_style=production_style
    )
    if links:
        row: dict[str, Any] = client.put(f"data/projects/{project['id']}", links)
        return row
    return project
