"""gazu's ``scene`` module: layout scenes, their shots and their asset and camera instances."""

from __future__ import annotations

from typing import Any

from .declare import finish, gazu_function, route
from .entity_rows import first
from .kitsu_client import KitsuClient, default_client
from .memo import read
from .rows import Model, model_id, sort_by_name, text_answer
from .shot import get_sequence

__all__ = [
    "add_shot_to_scene",
    "all_asset_instances_for_scene",
    "all_camera_instances_for_scene",
    "all_scenes",
    "all_scenes_for_project",
    "all_scenes_for_sequence",
    "all_shots_for_scene",
    "get_asset_instance_by_name",
    "get_scene",
    "get_scene_by_name",
    "get_sequence_from_scene",
    "new_scene",
    "new_scene_asset_instance",
    "remove_shot_from_scene",
    "update_asset_instance_data",
    "update_asset_instance_name",
    "update_scene",
]

# One request each: gazu's signature, the route, how the answer is shaped.
new_scene = route(
    "POST data/projects/{project}/scenes",
    "project, sequence, name, client=default",
    body=lambda a: {"name": a.name, "sequence_id": model_id(a.sequence, "sequence")},
)
all_scenes_for_sequence = route(
    "GET data/sequences/{sequence}/scenes", "sequence, client=default", answer=sort_by_name
)
get_scene = route("GET data/scenes/{scene_id}", "scene_id, client=default")
get_scene_by_name = route(
    "GET data/scenes/all",
    "sequence, scene_name, client=default",
    query=lambda a: {"parent_id": model_id(a.sequence, "sequence"), "name": a.scene_name},
    answer=first,
)
update_scene = route("PUT data/entities/{scene}", "scene, client=default", body=lambda a: a.scene)
new_scene_asset_instance = route(
    "POST data/scenes/{scene}/asset-instances",
    "scene, asset, description=None, client=default",
    body=lambda a: {
        "asset_id": model_id(a.asset, "asset"),
        **({} if a.description is None else {"description": a.description}),
    },
)
all_asset_instances_for_scene = route(
    "GET data/scenes/{scene}/asset-instances", "scene, client=default"
)
get_asset_instance_by_name = route(
    "GET data/asset-instances",
    "scene, name, client=default",
    query=lambda a: {"name": a.name, "scene_id": model_id(a.scene, "scene")},
    answer=first,
)
all_camera_instances_for_scene = route(
    "GET data/scenes/{scene}/camera-instances", "scene, client=default"
)
all_shots_for_scene = route("GET data/scenes/{scene}/shots", "scene, client=default")
add_shot_to_scene = route(
    "POST data/scenes/{scene}/shots",
    "scene, shot, client=default",
    body=lambda a: {"shot_id": model_id(a.shot, "shot")},
)
remove_shot_from_scene = route(
    "DELETE data/scenes/{scene}/shots/{shot}", "scene, shot, client=default", answer=text_answer
)
update_asset_instance_name = route(
    "PUT data/asset-instances/{asset_instance}",
    "asset_instance, name, client=default",
    body=lambda a: {"name": a.name},
)
update_asset_instance_data = route(
    "PUT data/asset-instances/{asset_instance}",
    "asset_instance, data, client=default",
    body=lambda a: {"data": a.data},
)


@gazu_function(cached=True)
def all_scenes(project: Model | None = None, client: KitsuClient = default_client) -> list[Any]:
    """The project's scenes, by name; every scene of the studio without a project."""
    if project is None:
        return sort_by_name(read("data/scenes/all"))
    return sort_by_name(read(f"data/projects/{model_id(project, 'project')}/scenes"))


@gazu_function(cached=True)
def all_scenes_for_project(project: Model, client: KitsuClient = default_client) -> list[Any]:
    """The project's scenes, by name."""
    return all_scenes(model_id(project, "project"))


@gazu_function(cached=True)
def get_sequence_from_scene(scene: Model, client: KitsuClient = default_client) -> dict[str, Any]:
    """The scene's sequence (the scene is read when only its id is given)."""
    row = (
        scene
        if isinstance(scene, dict) and "parent_id" in scene
        else get_scene(model_id(scene, "scene"))
    )
    sequence: dict[str, Any] = get_sequence(model_id(row["parent_id"], "parent_id"))
    return sequence


finish(globals())
