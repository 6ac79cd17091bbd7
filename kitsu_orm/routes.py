"""Where each entity type lives on the server: declarative data, no logic.

Path templates take the object's wire fields (``{project_id}``, ``{id}``).
Only this module knows Zou's URLs for entities; adding a type is one class
in model/ and one entry here.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

__all__ = ["Routes", "ROUTES", "routes_for", "URL_ID_BUDGET"]

# Zou behind gunicorn refuses request lines over 4094 bytes, and an id in a
# URL-encoded JSON list costs 45 characters: ids per IN-list request.
URL_ID_BUDGET = 80


@attrs.frozen
class Routes:
    """The routes of one entity type.

    ``create_fields`` renames wire fields for a create route that names them
    differently (a new shot takes ``sequence_id``, stored as ``parent_id``);
    a create route that ignores a field is followed by an update of it.
    ``generic`` is the generic model route, which filters on every column,
    accepts ``fields=`` and paginates.
    """

    list: str
    one: str
    create: str | None = None
    update: str | None = None
    delete: str | None = None
    generic: str | None = None
    list_params: Mapping[str, str] = attrs.field(factory=dict)
    delete_params: Mapping[str, str] = attrs.field(factory=dict)
    create_fields: Mapping[str, str] = attrs.field(factory=dict)
    create_only: frozenset[str] | None = None
    # The update route merges ``data`` into the stored dict instead of
    # replacing it: only changed keys are sent, removed ones as null.
    data_merges: bool = False
    # A route that replaces ``data`` whole, used when keys are removed.
    data_replace: str | None = None


def _crud(collection: str, **kwargs: Any) -> Routes:
    base = f"data/{collection}"
    kwargs.setdefault("create", base)
    return Routes(
        list=base,
        one=f"{base}/{{id}}",
        update=f"{base}/{{id}}",
        delete=f"{base}/{{id}}",
        generic=base,
        **kwargs,
    )


def _entity_rows(collection: str, list_path: str, create: str, **kwargs: Any) -> Routes:
    return Routes(
        list=list_path,
        one=f"data/{collection}/{{id}}",
        create=create,
        update="data/entities/{id}",
        delete=f"data/{collection}/{{id}}",
        generic="data/entities",
        delete_params={"force": "true"},
        data_merges=True,
        **kwargs,
    )


ROUTES: dict[str, Routes] = {
    "Project": _crud("projects", delete_params={"force": "true"}),
    "ProjectStatus": _crud("project-status"),
    "Person": _crud("persons", list_params={"relations": "true"}),
    "Department": _crud("departments"),
    "EntityType": _crud("entity-types"),
    "AssetType": attrs.evolve(
        _crud("entity-types"), list="data/asset-types", one="data/asset-types/{id}"
    ),
    "Episode": _entity_rows(
        "episodes",
        "data/episodes",
        "data/projects/{project_id}/episodes",
        create_only=frozenset({"name", "description", "data"}),
    ),
    "Sequence": _entity_rows(
        "sequences",
        "data/sequences",
        "data/projects/{project_id}/sequences",
        create_fields={"parent_id": "episode_id"},
        create_only=frozenset({"name", "parent_id", "description", "data"}),
    ),
    "Shot": _entity_rows(
        "shots",
        "data/shots/all",
        "data/projects/{project_id}/shots",
        create_fields={"parent_id": "sequence_id"},
        create_only=frozenset({"name", "parent_id", "description", "data", "nb_frames"}),
        data_replace="data/shots/{id}",
    ),
    "Scene": _entity_rows(
        "scenes",
        "data/scenes/all",
        "data/projects/{project_id}/scenes",
        create_fields={"parent_id": "sequence_id"},
        create_only=frozenset({"name", "parent_id"}),
    ),
    "Asset": attrs.evolve(
        _entity_rows(
            "assets",
            "data/assets/all",
            "data/projects/{project_id}/asset-types/{entity_type_id}/assets/new",
            create_fields={"source_id": "episode_id"},
            create_only=frozenset({"name", "description", "data", "is_shared", "source_id"}),
        ),
        one="data/entities/{id}",
    ),  # data/assets/{id} answers episode_id, not source_id
    "AssetInstance": _crud("asset-instances"),
    "TaskType": _crud("task-types"),
    "TaskStatus": _crud("task-status"),
    "Task": _crud(
        "tasks",
        list_params={"relations": "true"},
        delete_params={"force": "true"},
        data_merges=True,
    ),
    "Comment": _crud(
        "comments",
        create="actions/tasks/{object_id}/comment",
        create_fields={"text": "comment"},
        create_only=frozenset({"text", "task_status_id", "person_id", "checklist"}),
    ),
    "TimeSpent": _crud("time-spents"),
    "Software": _crud("softwares"),
    "OutputType": _crud("output-types"),
    "FileStatus": _crud("file-status"),
    "WorkingFile": _crud("working-files"),
    "OutputFile": _crud("output-files"),
}


def routes_for(type_name: str) -> Routes:
    return ROUTES[type_name]
